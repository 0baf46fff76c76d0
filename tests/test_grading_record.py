"""Gradebook rows written by the grader, read back through nbgrader's own API."""

from __future__ import annotations

from dataclasses import replace

import pytest
from grading_helpers import small_key
from nbgrader.api import Grade, Gradebook, SubmittedAssignment

from assessment.grading.record import HandIn, RecordError, record_many, record_submission


def rows(url: str) -> dict:
    with Gradebook(url) as gb:
        sub = gb.find_submission("thu", "CB01")
        notebook = sub.notebooks[0]
        return {
            "grades": {g.name: (g.auto_score, g.manual_score, g.needs_manual_grade)
                       for g in notebook.grades},
            "comments": {c.name: c.auto_comment for c in notebook.comments},
            "score": sub.score, "max": sub.max_score, "timestamp": str(sub.timestamp),
            "count": gb.db.query(SubmittedAssignment).count(), "grades_count":
                gb.db.query(Grade).count(),
            "student": (gb.find_student("CB01").first_name, gb.find_student("CB01").last_name),
        }


def check_record(url: str) -> None:
    key = small_key()
    total = record_submission(url, key, "CB01", "2026-03-02T09:30:00+07:00",
                              {"q1": "b", "q2": "A", "q3": None}, student_name=("An", "Lê"))
    assert total == 1.0
    first = rows(url)
    assert first["grades"] == {"q1": (1.0, None, False), "q2": (0.0, None, False),
                               "q3": (0.0, None, False)}
    assert first["comments"] == {"q1-tra-loi": None, "q2-tra-loi": None,
                                 "q3-tra-loi": "No response."}
    assert (first["score"], first["max"]) == (1.0, 4.0)
    assert first["timestamp"] == "2026-03-02 02:30:00"  # UTC, as nbgrader stores it
    assert first["student"] == ("An", "Lê")
    with Gradebook(url) as gb:  # a grader's manual score survives a regrade
        gb.find_grade("q2", "thu", "thu", "CB01").manual_score = 1.5
        gb.db.commit()
    total = record_submission(url, key, "CB01", "2026-03-02T09:45:00+07:00",
                              {"q1": "b", "q2": "c a", "q3": "Đúng"})
    assert total == 4.0
    again = rows(url)
    assert again["grades"] == {"q1": (1.0, None, False), "q2": (2.0, 1.5, True),
                               "q3": (1.0, None, False)}
    assert again["comments"]["q3-tra-loi"] is None
    assert again["count"] == 1 and again["grades_count"] == 3  # replaced, not added
    assert again["timestamp"] == "2026-03-02 02:45:00"


def test_record_submission_sqlite(tmp_path):
    check_record(f"sqlite:///{tmp_path / 'gradebook.db'}")


def test_record_submission_postgresql(pg_url):
    check_record(pg_url)


def test_record_many_in_one_transaction(tmp_path):
    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    key = small_key()
    hand_ins = [HandIn(f"CB{i:03d}", {"q1": "B" if i % 2 else "A"}, None) for i in range(50)]
    totals = record_many(url, key, hand_ins)
    assert sum(totals.values()) == 25.0 and len(totals) == 50
    with Gradebook(url) as gb:
        assert len(gb.assignment_submissions("thu")) == 50
        assert gb.average_assignment_score("thu") == 0.5
    changed = replace(key, questions=key.questions[:2])
    with pytest.raises(RecordError, match="bộ câu hỏi khác"):
        record_many(url, changed, [HandIn("CB999", {"q1": "B"})])
    with Gradebook(url) as gb:  # nothing of the failed batch was written
        assert len(gb.assignment_submissions("thu")) == 50


def test_a_large_batch_is_written_in_chunks_and_regraded_in_place(tmp_path):
    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    key = small_key()
    count = 1203  # more than two chunks of 500, and past the 500 ids of one IN (...) query
    first = [HandIn(f"CB{i:05d}", {"q1": "B"}, "2026-03-02 09:00:00") for i in range(count)]
    assert sum(record_many(url, key, first).values()) == count
    again = [HandIn(f"CB{i:05d}", {"q2": "AC"} if i % 3 else {}) for i in range(count)]
    totals = record_many(url, key, again)
    assert sum(totals.values()) == 2.0 * sum(1 for i in range(count) if i % 3)
    with Gradebook(url) as gb:
        assert gb.db.query(SubmittedAssignment).count() == count
        assert gb.db.query(Grade).count() == 3 * count
        sub = gb.find_submission("thu", "CB00001")
        assert sub.score == 2.0 and str(sub.timestamp) == "2026-03-02 09:00:00"  # kept
        assert gb.find_submission("thu", "CB00003").score == 0.0
