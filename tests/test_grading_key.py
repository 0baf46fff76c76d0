"""The key of a quiz is read from the trainer's source notebook (or bank questions), as data."""

from __future__ import annotations

import json

import pytest
from grading_helpers import FINAL, released_course

from assessment.grading.key import QuizKeyError, key_from_questions, key_from_source
from assessment.quiz.bank import load_bank


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return released_course(tmp_path_factory.mktemp("khoa"))


def test_key_from_source_matches_the_bank(course):
    key = key_from_source(course, FINAL)
    bank = load_bank(course / "bank", course.parent).by_id()
    source = json.loads((course / "source" / FINAL / f"{FINAL}.ipynb").read_text("utf-8"))
    assert [q.grade_id for q in key.questions] == source["metadata"]["assessment"]["questions"]
    for number, question in enumerate(key.questions, start=1):
        drawn = bank[question.grade_id]
        assert question.number == number
        assert question.key == drawn.key and question.letters == drawn.letters
        assert question.points == drawn.points
        assert question.answer_cell_id == f"{drawn.id}-tra-loi"
        assert question.words == ({"ĐÚNG": "A", "SAI": "B"} if drawn.type == "true_false"
                                  else None)
        assert question.explanation == drawn.explanation
    assert key.max_score == sum(bank[q.grade_id].points for q in key.questions)


def test_key_from_questions_equals_key_from_source(course):
    key = key_from_source(course, FINAL)
    bank = load_bank(course / "bank", course.parent).by_id()
    other = key_from_questions(FINAL, [bank[q.grade_id] for q in key.questions])
    strip = [(q.grade_id, q.answer_cell_id, q.number, q.key, q.letters, q.words, q.points)
             for q in key.questions]
    assert strip == [(q.grade_id, q.answer_cell_id, q.number, q.key, q.letters, q.words,
                      q.points) for q in other.questions]


def test_missing_or_damaged_source_is_a_clear_error(course, tmp_path):
    with pytest.raises(QuizKeyError, match="assessment quiz generate"):
        key_from_source(course, "khong-co-bai-nay")
    folder = tmp_path / "source" / "hong"
    folder.mkdir(parents=True)
    (folder / "hong.ipynb").write_text("{khong phai json", encoding="utf-8")
    with pytest.raises(QuizKeyError, match="hong.ipynb: tệp nguồn bị hỏng"):
        key_from_source(tmp_path, "hong")
    (folder / "hong.ipynb").write_text(json.dumps({"cells": []}), encoding="utf-8")
    with pytest.raises(QuizKeyError, match="không có ô chấm điểm"):
        key_from_source(tmp_path, "hong")
