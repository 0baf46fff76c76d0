"""Benchmark: where the time of `make` goes on an installed checkout (venv already made).

Copies the repository (its files, without built outputs) into bench/out/make/repo, links the
real `.venv` there, and runs the three parts of `make` (`make all`) one after the other,
exactly as the Makefile runs them, timing each as a separate `make` call (wall time, and the
CPU time of make and everything it ran: on a shared machine the CPU time is the steadier figure):

- ``make book``         jupyter-book build of the site, from cold (no _build yet);
- ``make quizzes``      `assessment quiz generate` + `nbgrader generate_assignment` per quiz;
- ``make demo-report``  the synthetic demo data, its grading and the report (``-o quizzes``:
  the quizzes just made are not made again).

`STAMP=` is passed so that make never reinstalls the shared virtual environment.

Run: ``make bench-make`` or ``python bench/bench_make.py [--keep]``.
Goal (issue 12): `make` under two minutes on this machine.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "make"
STEPS = [("book", []), ("quizzes", []), ("demo-report", ["-o", "quizzes"])]


def children_cpu() -> float:
    """User + system CPU seconds used so far by finished child processes (make and below)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def copy_repository(dest: Path) -> Path:
    """The repository's tracked and new files in ``dest``, with a link to the real .venv."""
    if dest.exists():
        shutil.rmtree(dest)
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard",
                             "-z"], cwd=ROOT, capture_output=True, text=True, check=True)
    for name in filter(None, listed.stdout.split("\0")):
        source = ROOT / name
        if source.is_file() and not name.startswith("bench/out/"):
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    (dest / ".venv").symlink_to(ROOT / ".venv")
    return dest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the copy in bench/out/make")
    options = parser.parse_args()
    repo = copy_repository(OUT / "repo")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    load = os.getloadavg()[0]
    timings = []
    try:
        for target, extra in STEPS:
            start, cpu_start = time.perf_counter(), children_cpu()
            result = subprocess.run(["make", "-C", str(repo), target, "STAMP=", *extra],
                                    env=env, capture_output=True, text=True)
            elapsed, cpu = time.perf_counter() - start, children_cpu() - cpu_start
            if result.returncode != 0:
                sys.exit(f"make {target} failed ({result.returncode}):\n"
                         f"{result.stdout[-3000:]}{result.stderr[-3000:]}")
            timings.append((target, elapsed, cpu))
            print(f"make {target:12} {elapsed:7.1f} s wall {cpu:7.1f} s CPU", flush=True)
    finally:
        if not options.keep:
            shutil.rmtree(OUT / "repo", ignore_errors=True)
    wall, cpu = sum(t[1] for t in timings), sum(t[2] for t in timings)
    print(f"{'make (all)':17} {wall:7.1f} s wall {cpu:7.1f} s CPU   ({os.cpu_count()} CPUs, "
          f"load {load:.1f} at start, {os.getloadavg()[0]:.1f} at end)")


if __name__ == "__main__":
    main()
