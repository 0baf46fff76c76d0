"""Normalising a trainee's answer and scoring it (the code copied into every quiz notebook)."""

from __future__ import annotations

import pytest

from assessment.quiz.answers import grade_answer, normalise_answer

TRUE_FALSE = {"ĐÚNG": "A", "SAI": "B"}


@pytest.mark.parametrize(("answer", "expected"), [
    ("B", {"B"}), ("b", {"B"}), (" B ", {"B"}), ("B.", {"B"}), ("'B'", {"B"}), ("(B)", {"B"}),
    ("A, C", {"A", "C"}), ("CA", {"A", "C"}), ("a;c", {"A", "C"}), ("A và C", {"A", "C"}),
    ("c, a.", {"A", "C"}), (["A", "C"], {"A", "C"}), ("AA", {"A"}),
])
def test_accepted_formats(answer, expected):
    assert normalise_answer(answer, "ABCD") == expected


@pytest.mark.parametrize("answer", [
    "", "   ", None, 3, "E", "AE", "câu B", "B là đúng", "Quyền sống", "?", object(),
])
def test_empty_malformed_or_foreign_answers_are_not_valid(answer):
    assert normalise_answer(answer, "ABCD") is None


def test_true_false_accepts_the_words():
    assert normalise_answer("đúng", "AB", TRUE_FALSE) == {"A"}
    assert normalise_answer("Sai.", "AB", TRUE_FALSE) == {"B"}
    assert normalise_answer("C", "AB", TRUE_FALSE) is None


def call(answer, key="C", show_key=False, points=1.0):
    return grade_answer(3, answer, key, "ABCD", points, "Vì CRC Điều 3 nói vậy.",
                        "Quyền trẻ em", "https://vi.example/cong-uoc/quyen-tre-em.html",
                        show_key=show_key)


def test_scores_are_points_or_zero():
    assert call("c") == 1.0
    assert call(" C. ", points=2.0) == 2.0
    assert call("B") == 0.0
    assert call("") == 0.0
    assert call("AC") == 0.0  # a single-answer question with two letters
    assert grade_answer(1, "c, a", "AC", "ABCD", 1.0, "x", "t", "") == 1.0
    assert grade_answer(1, "C", "AC", "ABCD", 1.0, "x", "t", "") == 0.0  # all or nothing


class Hostile:
    """An answer object whose every use raises."""

    def __eq__(self, other):
        raise RuntimeError("boom")

    def __repr__(self):
        raise RuntimeError("boom")

    __hash__ = None


def test_never_raises():
    assert call(Hostile()) == 0.0


def test_result_is_shown_in_vietnamese_without_key_unless_asked(monkeypatch):
    shown: list[str] = []
    import IPython.display

    monkeypatch.setattr(IPython.display, "display", lambda obj: shown.append(obj.data))
    call("B")
    assert "Câu 3: Chưa đúng, bạn chọn B" in shown[-1]
    assert "Giải thích: Vì CRC Điều 3 nói vậy." in shown[-1]
    assert 'href="https://vi.example/cong-uoc/quyen-tre-em.html">Quyền trẻ em</a>' in shown[-1]
    assert "Đáp án đúng" not in shown[-1]
    call("B", show_key=True)
    assert "Đáp án đúng: <strong>C</strong>" in shown[-1]
    call("")
    assert "Chưa trả lời" in shown[-1]
    call("<script>")
    assert "không hợp lệ" in shown[-1] and "<script>" not in shown[-1]
