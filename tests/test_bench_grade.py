"""`make bench-grade`'s script runs end to end on a small size (its timings are not asserted)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from conftest import ROOT


def test_bench_grade_runs_on_a_small_size():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^bench-grade:.*\n\t\$\(PYTHON\) bench/bench_grade.py$", makefile, re.M)
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench_grade.py"), "--auto", "1", "--ours", "4",
         "--big", "25"], capture_output=True, text=True, timeout=600, cwd=ROOT,
        env=dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"))
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "bài kiem-tra-cuoi-khoa: 40 câu" in out
    assert re.search(r"nbgrader autograde \(1 bài nộp\): [\d.]+ s/bài nộp \(CPU", out)
    assert re.search(r"assessment grade \(4 bài nộp, .*\): [\d.]+ ms/bài nộp \(CPU [\d.]+ ms\), "
                     r"bộ nhớ tối đa \d+ MiB; nhanh hơn \d+ lần", out)
    assert re.search(r"--no-autograded \(25 bài nộp, gồm ghi sổ điểm\): [\d.]+ s", out)
    assert "đã chấm 25 bài nộp (điểm tối đa" in out
