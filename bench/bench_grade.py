"""Benchmark: `assessment grade` against `nbgrader autograde` on the 40-question final quiz.

One throwaway course (the real bank if it holds enough questions, as bench_autograde.py does),
`kiem-tra-cuoi-khoa` released, synthetic hand-ins with random answers (fixed seed):

1. `nbgrader autograde` on --auto hand-ins (it runs every notebook): seconds per hand-in;
2. `assessment grade` on --ours hand-ins in a fresh copy of the course, writing the gradebook
   and the autograded/ notebooks for feedback, as autograde does: seconds per hand-in, speed-up;
3. `assessment grade --no-autograded` on --big hand-ins (default 20,000) in another fresh copy:
   total time including the gradebook writes, and the peak memory of that process.

Prints the figures; asserts nothing.

    python bench/bench_grade.py --auto 12 --ours 2000 --big 20000
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_autograde import QUIZ, prepare

from assessment.quiz.simulate import copy_course, run_nbgrader

ROOT = Path(__file__).resolve().parent.parent
MEASURE = """
import resource, sys, time
from assessment.cli import main
start = time.perf_counter()
main(sys.argv[1:], standalone_mode=False)
usage = resource.getrusage(resource.RUSAGE_SELF)
print(f"MEASURE {time.perf_counter() - start:.3f} {usage.ru_maxrss} "
      f"{usage.ru_utime + usage.ru_stime:.3f}")
"""


def write_hand_ins(course: Path, first: int, count: int, seed: int) -> None:
    """Hand-ins CB<first>… with random letters, written as JSON (fast, like a trainee's save)."""
    release = json.loads((course / "release" / QUIZ / f"{QUIZ}.ipynb").read_text("utf-8"))
    answer_cells = [(i, cell) for i, cell in enumerate(release["cells"])
                    if cell["metadata"].get("nbgrader", {}).get("solution")]
    rng = random.Random(seed)
    for number in range(first, first + count):
        folder = course / "submitted" / f"CB{number:05d}" / QUIZ
        folder.mkdir(parents=True, exist_ok=True)
        for n, (i, cell) in enumerate(answer_cells, start=1):
            letter = rng.choice("ABCD")
            release["cells"][i] = dict(cell, source=f'# Câu {n}\ncau_{n} = "{letter}"\n')
        (folder / f"{QUIZ}.ipynb").write_text(json.dumps(release, ensure_ascii=False), "utf-8")
        (folder / "timestamp.txt").write_text("2026-03-02 09:00:00", encoding="utf-8")


def grade(course: Path, *extra: str) -> tuple[float, int, float, str]:
    """Run `assessment grade` in its own process: (seconds, peak KiB, CPU seconds, output).

    The CPU time counts the whole process, start-up included."""
    bin_dir = Path(sys.executable).parent
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    result = subprocess.run([sys.executable, "-c", MEASURE, "grade", QUIZ, *extra], cwd=course,
                            env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(result.stdout + result.stderr)
    line = next(x for x in result.stdout.splitlines() if x.startswith("MEASURE "))
    _, seconds, peak, cpu = line.split()
    return float(seconds), int(peak), float(cpu), result.stdout


def children_cpu() -> float:
    """CPU seconds of finished child processes (nbgrader and its kernels)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--auto", type=int, default=12, help="bài nộp chấm bằng nbgrader autograde")
    parser.add_argument("--ours", type=int, default=2000,
                        help="bài nộp chấm bằng assessment grade (có ghi autograded/)")
    parser.add_argument("--big", type=int, default=20000,
                        help="bài nộp cho lần đo lớn (chỉ ghi sổ điểm)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-grade-") as tmp:
        base = Path(tmp) / "goc"
        course = copy_course(ROOT, base)
        bank_used, questions = prepare(course)
        copies = {}
        for name in ("auto", "ours", "big"):
            shutil.copytree(base, Path(tmp) / name)
            copies[name] = Path(tmp) / name / "quizzes"
        write_hand_ins(copies["auto"], 1, args.auto, seed=1)
        start, cpu_start = time.perf_counter(), children_cpu()
        run_nbgrader(copies["auto"], "autograde", QUIZ, "--log-level=WARN")
        auto = (time.perf_counter() - start) / args.auto
        auto_cpu = (children_cpu() - cpu_start) / args.auto

        write_hand_ins(copies["ours"], 1, args.ours, seed=1)
        seconds, peak_ours, cpu, _ = grade(copies["ours"])
        ours, ours_cpu = seconds / args.ours, cpu / args.ours

        write_hand_ins(copies["big"], 1, args.big, seed=2)
        big, peak, big_cpu, output = grade(copies["big"], "--no-autograded")
        size = (copies["big"] / "gradebook.db").stat().st_size
    load = os.getloadavg()[0]
    print(f"Ngân hàng: {bank_used}; bài {QUIZ}: {questions} câu. Tải máy lúc đo: {load:.1f} "
          f"trên {os.cpu_count()} lõi.")
    print(f"nbgrader autograde ({args.auto} bài nộp): {auto:.2f} s/bài nộp "
          f"(CPU {auto_cpu:.2f} s/bài nộp).")
    print(f"assessment grade ({args.ours} bài nộp, ghi sổ điểm và autograded/): "
          f"{ours * 1000:.2f} ms/bài nộp (CPU {ours_cpu * 1000:.2f} ms), bộ nhớ tối đa "
          f"{peak_ours / 1024:.0f} MiB; nhanh hơn {auto / ours:.0f} lần "
          f"(theo CPU: {auto_cpu / ours_cpu:.0f} lần).")
    print(f"assessment grade --no-autograded ({args.big} bài nộp, gồm ghi sổ điểm): "
          f"{big:.1f} s ({big / args.big * 1000:.2f} ms/bài nộp; CPU {big_cpu:.1f} s), bộ nhớ "
          f"tối đa {peak / 1024:.0f} MiB; sổ điểm {size / 2**20:.0f} MiB.")
    print(output.splitlines()[0])
    sys.stdout.flush()


if __name__ == "__main__":
    main()
