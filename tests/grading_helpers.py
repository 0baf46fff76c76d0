"""Shared pieces of the grading tests: a small key, and a real course with one quiz released."""

from __future__ import annotations

from pathlib import Path

import yaml
from click.testing import CliRunner

from assessment.cli import main
from assessment.grading.key import QuestionKey, QuizKey
from assessment.quiz.simulate import copy_course, run_nbgrader, write_synthetic_bank

from conftest import ROOT

FINAL = "kiem-tra-cuoi-khoa"
OTHER = "phan-2"
QUIZZES = {
    "site_url": "https://khoa-hoc.example/",
    "quizzes": [
        {"id": FINAL, "title": "Kiểm tra cuối khóa (thử)", "kind": "final", "pass_mark": 0.7,
         "seed": 7, "draw": [{"parts": ["phan-1"], "count": 6}, {"parts": ["phan-2"], "count": 6}]},
        {"id": OTHER, "title": "Kiểm tra Phần 2 (thử)", "kind": "formative", "pass_mark": 0.5,
         "seed": 2, "draw": [{"parts": ["phan-2"], "count": 4}]},
    ],
}


def small_key() -> QuizKey:
    return QuizKey("thu", (
        QuestionKey("q1", "q1-tra-loi", 1, "B", "ABCD", None, 1.0),
        QuestionKey("q2", "q2-tra-loi", 2, "AC", "ABCD", None, 2.0),
        QuestionKey("q3", "q3-tra-loi", 3, "A", "AB", {"ĐÚNG": "A", "SAI": "B"}, 1.0),
    ))


def released_course(dest: Path) -> Path:
    """A copy of the course with a synthetic bank, both quizzes generated and released."""
    course = copy_course(ROOT, dest, with_bank=False)
    write_synthetic_bank(course)
    (course / "quizzes.yml").write_text(yaml.safe_dump(QUIZZES, allow_unicode=True),
                                        encoding="utf-8")
    result = CliRunner().invoke(main, ["quiz", "generate", "--course-dir", str(course)])
    assert result.exit_code == 0, result.output
    for name in (FINAL, OTHER):
        run_nbgrader(course, "generate_assignment", name)
    return course
