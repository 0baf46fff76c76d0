"""`assessment quiz generate` warns when a seed already drew a released round of the same quiz.

Feedback explains every answer, so a round drawn again with a seed already used would hand
its answers to whoever kept an earlier round's feedback (trainer page, Bước 1).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from assessment.cli import main
from assessment.quiz.seeds import released_rounds, reused_seed_warning, used_seeds
from assessment.quiz.simulate import copy_course, run_nbgrader, write_synthetic_bank
from assessment.quiz.spec import load_quizzes

from conftest import ROOT

QUIZ = "kiem-tra-cuoi-khoa"


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    """A course copy (synthetic bank) whose final quiz was generated and released by nbgrader."""
    course = copy_course(ROOT, tmp_path_factory.mktemp("seeds"), with_bank=False)
    write_synthetic_bank(course)
    result = CliRunner().invoke(main, ["quiz", "generate", QUIZ, "--course-dir", str(course)])
    assert result.exit_code == 0, result.output
    run_nbgrader(course, "generate_assignment", QUIZ, "--log-level=WARN")
    assert (course / "release" / QUIZ / f"{QUIZ}.ipynb").is_file()
    return course


def generate(course: Path, *args: str):
    result = CliRunner().invoke(main, ["quiz", "generate", QUIZ, "--course-dir", str(course),
                                       *args])
    assert result.exit_code == 0, result.output
    return result


def test_same_seed_as_a_released_round_warns(course):
    seed = load_quizzes(course / "quizzes.yml").quiz(QUIZ).seed
    result = generate(course, "--seed", str(seed), "--name", f"{QUIZ}-dot-2")
    assert result.stderr.startswith(f"Cảnh báo: seed {seed} đã dùng cho đợt '{QUIZ}'")
    assert f"assessment quiz generate {QUIZ} --seed {seed + 1} --name {QUIZ}-dot-2" \
        in result.stderr
    assert "lời giải thích" in result.stderr
    assert (course / "source" / f"{QUIZ}-dot-2" / f"{QUIZ}-dot-2.ipynb").is_file()  # still made


def test_a_new_seed_or_the_same_round_again_does_not_warn(course):
    assert generate(course, "--seed", "77", "--name", f"{QUIZ}-dot-3").stderr == ""
    assert generate(course).stderr == ""  # regenerating the released round itself


def test_only_released_rounds_count(course):
    # dot-3 (seed 77) has a source notebook but was never released.
    assert released_rounds(course, QUIZ, 77) == []
    assert reused_seed_warning(course, QUIZ, 77, f"{QUIZ}-dot-4") is None


def test_rounds_read_from_release_metadata_and_suggest_a_free_seed(tmp_path):
    for name, seed, quiz in ((QUIZ, 5, QUIZ), (f"{QUIZ}-dot-2", 6, QUIZ), ("phan-1", 5, "phan-1")):
        path = tmp_path / "release" / name / f"{name}.ipynb"
        path.parent.mkdir(parents=True)
        path.write_text(json.dumps({"metadata": {"assessment": {"quiz": quiz, "seed": seed,
                                                                "name": name}}, "cells": []}))
    (tmp_path / "release" / "lac-loai").mkdir()  # a folder without notebook is ignored
    assert released_rounds(tmp_path, QUIZ, 5) == [QUIZ]
    assert released_rounds(tmp_path, QUIZ, 5, except_name=QUIZ) == []
    assert used_seeds(tmp_path, QUIZ) == {5, 6}
    warning = reused_seed_warning(tmp_path, QUIZ, 5, f"{QUIZ}-dot-3")
    assert f"--seed 7 --name {QUIZ}-dot-3" in warning  # 6 is taken too
    assert reused_seed_warning(tmp_path, "phan-2", 5, "phan-2-dot-2") is None


def test_release_without_metadata_falls_back_to_the_source(tmp_path, course):
    name = f"{QUIZ}-dot-2"
    (tmp_path / "release" / name).mkdir(parents=True)
    (tmp_path / "release" / name / f"{name}.ipynb").write_text('{"metadata": {}}')
    shutil.copytree(course / "source" / name, tmp_path / "source" / name)
    seed = load_quizzes(course / "quizzes.yml").quiz(QUIZ).seed
    assert released_rounds(tmp_path, QUIZ, seed) == [name]
