"""`assessment grade` on a real nbgrader course, against `nbgrader autograde` on a copy of it.

One module-scoped course (synthetic bank) with the final quiz released. It is copied after the
release: in copy A, `nbgrader autograde` grades twelve honest hand-ins written with every
spelling the checker accepts or rejects, plus two attacks that only work when the hand-in runs;
in copy B, `assessment grade` grades the same honest hand-ins and a set of hostile ones. Every
grade cell, comment and timestamp of the honest hand-ins must be identical in both gradebooks.
"""

from __future__ import annotations

import csv
import json
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from grading_helpers import FINAL, OTHER, released_course
from nbgrader.api import Gradebook

from assessment.demo import synthetic_roster, write_roster_xlsx
from assessment.grading.key import key_from_source
from assessment.quiz.simulate import run_nbgrader, submit, write_answer_code

from conftest import ROOT

BIN = Path(sys.executable).parent
HONEST = [f"CB{n:05d}" for n in range(1, 13)]
STAMP = "2026-03-02 09:{:02d}:00"


def spellings(question) -> list[object]:
    """Every way of writing an answer the checker accepts or rejects (None: left untouched)."""
    key, letters = question.key, question.letters
    wrong = next(c for c in letters if c not in key)
    found: list[object] = [
        None, key, key.lower(), f"  {key} ", ", ".join(key), ".".join(key.lower()),
        " và ".join(key), key[::-1], f"'{key}'", f"{key}.", f"({key})", "", "   ", "Z",
        wrong, key + "E", f"Đáp án {key}", list(key), tuple(key.lower()), [key, wrong],
        f"{wrong}, {key}", f'"{key}"', "A; B", "a/b/c/d",
    ]
    if question.words:
        found += ["Đúng", "SAI", "đúng.", "sai", " Sai. ", "Không đúng"]
    return found


def write_answers(path: Path, key, chosen: dict[str, object]) -> None:
    codes = {}
    for question in key.questions:
        value = chosen.get(question.grade_id)
        if value is not None:
            codes[question.grade_id] = (f"# Câu {question.number}: gõ chữ cái vào giữa hai dấu "
                                        f"nháy.\ncau_{question.number} = {value!r}\n")
    write_answer_code(path, codes)


def edit_cells(path: Path, change) -> None:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    notebook["cells"] = change(notebook["cells"])
    path.write_text(json.dumps(notebook, ensure_ascii=False), encoding="utf-8")


def meta(cell: dict) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def right_answers(key) -> dict[str, str]:
    return {q.grade_id: ", ".join(q.key) for q in key.questions}


def wrong_answers(key) -> dict[str, str]:
    return {q.grade_id: next(c for c in q.letters if c not in q.key) for q in key.questions}


def attack_code(key, number: int, code: str, answer: str) -> dict[str, str]:
    question = key.questions[number - 1]
    return {question.grade_id: f"{code}\ncau_{number} = {answer!r}\n"}


PATCH_SET = ("import builtins\nclass AlwaysEqual(set):\n    def __eq__(self, other):\n"
             "        return True\n    __hash__ = set.__hash__\nbuiltins.set = AlwaysEqual")


def write_file_code(target: Path) -> str:
    return f"import pathlib\npathlib.Path({str(target)!r}).write_text('đã chạy')"


@pytest.fixture(scope="module")
def courses(tmp_path_factory):
    base = tmp_path_factory.mktemp("cham")
    course_a = released_course(base / "a")
    shutil.copytree(base / "a", base / "b")
    course_b = base / "b" / "quizzes"
    key = key_from_source(course_a, FINAL)
    rng = random.Random(9)
    plans = {sid: {q.grade_id: rng.choice(spellings(q)) for q in key.questions}
             for sid in HONEST}
    plans[HONEST[0]] = right_answers(key)  # one full score, to see the pass counted
    for course in (course_a, course_b):
        for minute, (sid, chosen) in enumerate(plans.items()):
            write_answers(submit(course, FINAL, sid, timestamp=STAMP.format(minute)), key, chosen)
    markers = {"a": base / "chay-o-a.txt", "b": base / "chay-o-b.txt"}
    hostile_a = {"HX-SET": (wrong_answers(key), attack_code(key, 1, PATCH_SET, "Z")),
                 "HX-FILE": (wrong_answers(key),
                             attack_code(key, 1, write_file_code(markers["a"]),
                                         key.questions[0].key))}
    for sid, (answers, code) in hostile_a.items():
        path = submit(course_a, FINAL, sid, timestamp=STAMP.format(30))
        write_answers(path, key, answers)
        write_answer_code(path, code)
    hostile = write_hostile(course_b, key, markers["b"])
    autograde = run_nbgrader(course_a, "autograde", FINAL)
    graded = subprocess.run([str(BIN / "assessment"), "grade", FINAL], cwd=course_b,
                            capture_output=True, text=True, timeout=120)
    return {"a": course_a, "b": course_b, "key": key, "plans": plans, "markers": markers,
            "hostile": hostile, "autograde": autograde, "grade": graded}


def write_hostile(course: Path, key, marker: Path) -> dict[str, dict]:
    """Hand-ins that try to cheat or break the grader; what each must score (None: listed)."""
    right, wrong = right_answers(key), wrong_answers(key)
    points = {q.grade_id: q.points for q in key.questions}
    q = key.questions
    cases: dict[str, dict] = {
        "HX-SET": {"answers": wrong, "code": attack_code(key, 1, PATCH_SET, "Z"), "right": []},
        "HX-FILE": {"answers": wrong, "right": [0],
                    "code": attack_code(key, 1, write_file_code(marker), q[0].key)},
        "HX-LOOP": {"answers": wrong, "right": [1],
                    "code": attack_code(key, 2, "while True:\n    pass", q[1].key)},
        "HX-RAISE": {"answers": wrong, "right": [2],
                     "code": attack_code(key, 3, "raise RuntimeError('lỗi')", q[2].key)},
        "HX-DELETE": {"answers": right, "right": list(range(len(q))),
                      "cells": lambda cells: [c for c in cells if not meta(c).get("locked")]},
        "HX-ORDER": {"answers": right, "right": list(range(len(q))),
                     "cells": lambda cells: cells[::-1]},
        "HX-EDIT": {"answers": wrong, "right": [], "cells": edit_locked},
        "HX-CODE": {"answers": right, "right": list(range(3, len(q))), "code": {
            q[0].grade_id: f'cau_1 = f"{q[0].key}"', q[1].grade_id: f"dap_an = {q[1].key!r}\n"
            "cau_2 = dap_an", q[2].grade_id: f"cau_3 = str({q[2].key!r})"}},
    }
    for minute, (sid, case) in enumerate(cases.items()):
        path = submit(course, FINAL, sid, timestamp=STAMP.format(40 + minute))
        write_answers(path, key, case["answers"])
        write_answer_code(path, case.get("code", {}))
        if "cells" in case:
            edit_cells(path, case["cells"])
        case["score"] = sum(points[q[i].grade_id] for i in case["right"])
    bad = {"HX-OTHER": "đây là bài 'phan-2'", "HX-JSON": "tệp không phải JSON hợp lệ",
           "HX-EMPTY": "tệp rỗng (0 byte)"}
    for sid in bad:
        path = submit(course, FINAL, sid, timestamp=STAMP.format(55))
        if sid == "HX-OTHER":
            other = course / "release" / OTHER / f"{OTHER}.ipynb"
            path.write_bytes(other.read_bytes())
        else:
            path.write_text("" if sid == "HX-EMPTY" else '{"cells": [', encoding="utf-8")
    cases.update({sid: {"bad": reason} for sid, reason in bad.items()})
    return cases


def edit_locked(cells: list[dict]) -> list[dict]:
    """Test cells replaced by `1.0`, worth 100 points; question texts changed."""
    for cell in cells:
        if meta(cell).get("grade"):
            cell["source"] = "1.0"
            cell["metadata"]["nbgrader"]["points"] = 100
        elif meta(cell).get("locked"):
            cell["source"] = "Đề đã bị sửa"
    return cells


def gradebook_rows(course: Path, students) -> dict:
    found = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for sid in students:
            sub = gb.find_submission(FINAL, sid)
            notebook = sub.notebooks[0]
            found[sid] = {
                "grades": {g.name: (g.score, g.auto_score, g.needs_manual_grade)
                           for g in notebook.grades},
                "comments": {c.name: c.auto_comment for c in notebook.comments},
                "timestamp": sub.timestamp, "score": sub.score, "max": sub.max_score,
            }
    return found


def test_the_grade_command_succeeds_and_lists_bad_files(courses):
    result = courses["grade"]
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert f"Bài {FINAL}: đã chấm {len(HONEST) + 8} bài nộp" in out
    assert "3 tệp không chấm được" in out
    for sid, case in courses["hostile"].items():
        if "bad" in case:
            assert f"submitted/{sid}/{FINAL}/{FINAL}.ipynb: {case['bad']}" in out, sid
    assert "ô trả lời câu 1 có mã lạ" in out


def test_honest_hand_ins_score_exactly_as_nbgrader_autograde(courses):
    expected = gradebook_rows(courses["a"], HONEST)
    found = gradebook_rows(courses["b"], HONEST)
    for sid in HONEST:
        assert found[sid] == expected[sid], sid
    scores = [s for rows in expected.values() for s, _, _ in rows["grades"].values()]
    assert 0 in scores and any(s > 0 for s in scores)  # the spellings gave both outcomes
    assert expected[HONEST[0]]["score"] == expected[HONEST[0]]["max"]
    assert sum(len(r["grades"]) for r in expected.values()) == len(HONEST) * 12


def test_the_attacks_work_only_when_the_hand_in_runs(courses):
    """Positive control in copy A (autograde runs the code), then the same attacks in B."""
    key = courses["key"]
    with Gradebook(f"sqlite:///{courses['a'] / 'gradebook.db'}") as gb:
        assert gb.find_submission(FINAL, "HX-SET").score == key.max_score
    assert courses["markers"]["a"].read_text(encoding="utf-8") == "đã chạy"
    assert not courses["markers"]["b"].exists()
    run_nbgrader(courses["b"], "generate_feedback", FINAL)
    assert not courses["markers"]["b"].exists()


def test_hostile_hand_ins_are_graded_from_their_answers_only(courses):
    hostile = courses["hostile"]
    graded = [sid for sid, case in hostile.items() if "bad" not in case]
    rows = gradebook_rows(courses["b"], graded)
    for sid in graded:
        assert rows[sid]["score"] == hostile[sid]["score"], sid
        assert rows[sid]["max"] == courses["key"].max_score, sid
    with Gradebook(f"sqlite:///{courses['b'] / 'gradebook.db'}") as gb:
        recorded = {s.student.id for s in gb.assignment_submissions(FINAL)}
    assert recorded == set(HONEST) | set(graded)


def test_regrading_is_idempotent(courses):
    before = gradebook_rows(courses["b"], HONEST)
    result = subprocess.run([str(BIN / "assessment"), "grade", FINAL, "--student", HONEST[1]],
                            cwd=courses["b"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "đã chấm 1 bài nộp" in result.stdout
    assert gradebook_rows(courses["b"], HONEST) == before


def visible(path: Path) -> str:
    """What a person sees on a page: the text of its body."""
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").body.get_text(" ")


def test_feedback_is_rendered_from_our_autograded_notebooks(courses):
    course, key = courses["b"], courses["key"]
    run_nbgrader(course, "generate_feedback", FINAL, "--force")
    for sid in HONEST + ["HX-CODE", "HX-DELETE"]:
        text = visible(course / "feedback" / sid / FINAL / f"{FINAL}.html")
        assert "Phản hồi bài kiểm tra" in text and sid in text
        for question in key.questions:
            assert f"key={question.key!r}" not in text
            assert question.explanation in text
        assert "BEGIN HIDDEN TESTS" not in text and "grade_answer(" not in text
        assert text.count("Điểm ghi nhận:") == len(key.questions)
    text = visible(course / "feedback" / "HX-CODE" / FINAL / f"{FINAL}.html")
    assert "Ghi chú khi chấm: ô trả lời câu 1 có mã lạ" in text
    text = visible(course / "feedback" / HONEST[0] / FINAL / f"{FINAL}.html")
    assert f"Tổng điểm: {key.max_score:g} / {key.max_score:g}" in " ".join(text.split())


def test_nbgrader_export_and_the_report_read_the_grades(courses, tmp_path):
    course = courses["b"]
    run_nbgrader(course, "export", "--to", "diem.csv")
    with open(course / "diem.csv", encoding="utf-8") as handle:
        exported = {r["student_id"]: float(r["score"]) for r in csv.DictReader(handle)
                    if r["assignment"] == FINAL}
    rows = gradebook_rows(course, HONEST)
    assert {sid: exported[sid] for sid in HONEST} == {sid: r["score"] for sid, r in rows.items()}
    roster = write_roster_xlsx(synthetic_roster(20), tmp_path / "danh-sach.xlsx")
    result = subprocess.run(
        [str(BIN / "assessment"), "report", "--gradebook", str(course / "gradebook.db"),
         "--roster", str(roster), "--targets", str(ROOT / "quizzes" / "targets.yml"),
         "--as-of", "2026-11-30", "--out", str(tmp_path / "bao-cao"), "--quiet"],
        capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    summary = json.loads((tmp_path / "bao-cao" / "summary.json").read_text(encoding="utf-8"))
    passed = sum(1 for r in rows.values() if r["score"] >= 0.7 * r["max"])
    assert passed >= 1
    assert summary["counts"]["trained"] == passed, summary["counts"]
    assert len(summary["items"]) == len(courses["key"].questions)  # item analysis per question
