"""Scores and the displayed result come from the notebooks' own checker."""

from __future__ import annotations

import pytest
from grading_helpers import small_key

from assessment.grading.score import result_html, score_answers


@pytest.mark.parametrize(("answers", "expected"), [
    ({"q1": "B", "q2": "A, C", "q3": "Đúng"}, {"q1": 1.0, "q2": 2.0, "q3": 1.0}),
    ({"q1": " b. ", "q2": "c.a", "q3": "a"}, {"q1": 1.0, "q2": 2.0, "q3": 1.0}),
    ({"q1": ["B"], "q2": ("C", "A"), "q3": "đúng."}, {"q1": 1.0, "q2": 2.0, "q3": 1.0}),
    ({"q1": "E", "q2": "A", "q3": "SAI"}, {"q1": 0.0, "q2": 0.0, "q3": 0.0}),
    ({"q1": "", "q2": None}, {"q1": 0.0, "q2": 0.0, "q3": 0.0}),
    ({"q1": "'B'", "q2": "A và C", "q3": "C"}, {"q1": 1.0, "q2": 2.0, "q3": 0.0}),
    ({"q1": 2, "q2": ["A", 3]}, {"q1": 0.0, "q2": 0.0, "q3": 0.0}),
])
def test_score_answers(answers, expected):
    assert score_answers(small_key(), answers) == expected


def test_result_html_is_what_the_hidden_test_displays():
    q1, q2, _ = small_key().questions
    score, html = result_html(q2, "c, a")
    assert score == 2.0 and "✔ Câu 2: Đúng (2/2 điểm)." in html and "ket-qua-dung" in html
    score, html = result_html(q1, "Z")
    assert score == 0.0 and "Câu trả lời &#x27;Z&#x27; không hợp lệ" in html
    assert "Đáp án đúng" not in html  # show_key is off
    score, html = result_html(q1, None)
    assert score == 0.0 and "Chưa trả lời (0/1 điểm)" in html
