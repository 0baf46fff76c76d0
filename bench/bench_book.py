"""Benchmark: how long the book takes to build, cold and after touching one page.

Prints wall-clock seconds for (1) a cold build into an empty output folder and (2) a
rebuild after one page's modification time changes, side by side in one run so the
machine's noise affects both alike. Run with `make bench`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
JUPYTER_BOOK = Path(sys.executable).parent / "jupyter-book"
TOUCHED_PAGE = ROOT / "book" / "cong-uoc" / "quyen-tre-em.md"


def timed_build(output: Path) -> float:
    start = time.perf_counter()
    subprocess.run(
        [str(JUPYTER_BOOK), "build", str(ROOT), "--path-output", str(output),
         "-n", "-W", "--keep-going"],
        check=True, capture_output=True, cwd=ROOT,
    )
    return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        output = Path(tmp)
        cold = timed_build(output)
        stat = TOUCHED_PAGE.stat()
        os.utime(TOUCHED_PAGE, (stat.st_atime, stat.st_mtime + 1))
        try:
            incremental = timed_build(output)
        finally:
            os.utime(TOUCHED_PAGE, (stat.st_atime, stat.st_mtime))
        pages = len(list((output / "_build" / "html" / "book").rglob("*.html")))
    print(f"pages built:                    {pages}")
    print(f"cold build:                     {cold:6.1f} s")
    print(f"after touching one page:        {incremental:6.1f} s")
    print(f"ratio (touched / cold):         {incremental / cold:6.2f}")


if __name__ == "__main__":
    main()
