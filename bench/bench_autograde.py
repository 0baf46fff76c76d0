"""Benchmark: seconds per submission of `nbgrader autograde` on the final assessment.

Builds a throwaway course (the real quizzes.yml and nbgrader_config.py; the real bank if it
holds enough questions, otherwise a synthetic one), releases `kiem-tra-cuoi-khoa`, hands in N
synthetic submissions with random answers (fixed seed) and times one `nbgrader autograde` run.
Prints the figures; asserts nothing.

    python bench/bench_autograde.py --n 20
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

from assessment.quiz.bank import load_bank
from assessment.quiz.cli import generate_quiz
from assessment.quiz.simulate import (
    copy_course,
    fill_answers,
    question_ids,
    run_nbgrader,
    submit,
    write_synthetic_bank,
)
from assessment.quiz.spec import QuizError, load_quizzes
from assessment.site.book_pages import BookPages

ROOT = Path(__file__).resolve().parent.parent
QUIZ = "kiem-tra-cuoi-khoa"


def prepare(course: Path) -> tuple[str, int]:
    """Generate and release the final quiz; return which bank was used and its size."""
    spec = load_quizzes(course / "quizzes.yml")
    book = BookPages.load(course.parent)
    bank_used = "thật"
    try:
        bank = load_bank(course / "bank", course.parent)
        generate_quiz(course, spec.quiz(QUIZ), bank, book, spec.site_url)
    except QuizError:
        bank_used = "tổng hợp (ngân hàng thật chưa đủ câu)"
        write_synthetic_bank(course)
        bank = load_bank(course / "bank", course.parent)
        generate_quiz(course, spec.quiz(QUIZ), bank, book, spec.site_url)
    run_nbgrader(course, "generate_assignment", QUIZ, "--log-level=WARN")
    return bank_used, len(question_ids(course / "release" / QUIZ / f"{QUIZ}.ipynb"))


def hand_in(course: Path, count: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    for number in range(1, count + 1):
        path = submit(course, QUIZ, f"CB{number:05d}", timestamp="2026-03-02 09:00:00")
        fill_answers(path, {qid: rng.choice("ABCD") for qid in question_ids(path)})


def cpu_seconds() -> float:
    """CPU time used so far by finished child processes (nbgrader and its kernels)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20, help="số bài nộp tổng hợp (mặc định 20)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        course = copy_course(ROOT, Path(tmp))
        bank_used, questions = prepare(course)
        hand_in(course, args.n)
        cpu_before = cpu_seconds()
        start = time.perf_counter()
        run_nbgrader(course, "autograde", QUIZ, "--log-level=WARN")
        elapsed = time.perf_counter() - start
        cpu = cpu_seconds() - cpu_before
    print(f"Ngân hàng: {bank_used}; bài {QUIZ}: {questions} câu; {args.n} bài nộp.")
    print(f"nbgrader autograde: {elapsed:.1f} s tổng, {elapsed / args.n:.2f} s/bài nộp "
          f"(gồm khởi động nbgrader một lần).")
    print(f"Thời gian CPU (nbgrader và các kernel): {cpu:.1f} s, {cpu / args.n:.2f} s/bài nộp; "
          f"tải máy lúc đo: {os.getloadavg()[0]:.1f} trên {os.cpu_count()} lõi.")
    print(f"Ước tính 5.000 cán bộ: {elapsed / args.n * 5000 / 3600:.1f} giờ.")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
