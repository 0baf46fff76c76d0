"""The trainer's workflow with the real nbgrader commands, on a temporary copy of the course.

One module-scoped course: generate two quizzes, release them, hand in the work of seven
simulated trainees through `nbgrader zip_collect`, grade once (`autograde`,
`generate_feedback`), then check each trainee's score per question in the gradebook (read
through nbgrader's API), the released notebooks and the feedback files.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import nbformat
import pytest
import yaml
from click.testing import CliRunner
from nbgrader.api import Gradebook, MissingEntry
from quiz_helpers import all_strings, control_feedback, visible_text

from assessment.cli import main
from assessment.quiz.bank import load_bank
from assessment.quiz.notebook import TEST_COMMENT, key_literal
from assessment.quiz.simulate import (
    copy_course,
    edit_locked_cell,
    fill_answers,
    question_ids,
    run_nbgrader,
    submit,
    write_answer_code,
    write_synthetic_bank,
)

from conftest import ROOT

QUIZ = "kiem-tra-cuoi-khoa"  # feedback without the key (the default)
SHOWN = "phan-2"  # show_correct_answer: true
QUIZZES = {
    "site_url": "https://khoa-hoc.example/",
    "quizzes": [
        {"id": QUIZ, "title": "Kiểm tra cuối khóa (thử)", "kind": "final", "pass_mark": 0.7,
         "seed": 5, "draw": [{"parts": ["phan-1"], "count": 5}, {"parts": ["phan-2"], "count": 5}]},
        {"id": SHOWN, "title": "Kiểm tra Phần 2 (thử)", "kind": "formative", "pass_mark": 0.5,
         "seed": 2, "show_correct_answer": True, "draw": [{"parts": ["phan-2"], "count": 4}]},
    ],
}


def wrong(question) -> str:
    return next(letter for letter in question.letters if letter not in question.answer)


def right(question) -> str:
    return ", ".join(question.answer)


ODD_FORMATS = [  # (make the answer, counts as right?)
    (lambda q: f"  {right(q).lower()} ", True),
    (lambda q: ". ".join(q.answer) + ".", True),
    (lambda q: "".join(reversed(q.answer)), True),
    (lambda q: "Z", False),
    (lambda q: f"Đáp án {q.key}", False),
]


def plan_trainees(questions) -> dict[str, dict]:
    """What each simulated trainee writes, and the score each question must get."""
    n = len(questions)
    half = n // 2
    plans = {
        "CB01": {"answers": {q.id: right(q) for q in questions}, "right": set(range(n))},
        "CB02": {"answers": {q.id: right(q) if i % 2 == 0 else wrong(q)
                             for i, q in enumerate(questions)},
                 "right": set(range(0, n, 2))},
        "CB03": {"answers": {}, "right": set()},
        "CB04": {"answers": {q.id: ODD_FORMATS[i % 5][0](q) for i, q in enumerate(questions)},
                 "right": {i for i in range(n) if ODD_FORMATS[i % 5][1]}},
        # Tampers with locked cells: the test cells of the questions it got wrong say "1.0".
        "CB05": {"answers": {q.id: right(q) if i < half else wrong(q)
                             for i, q in enumerate(questions)},
                 "right": set(range(half)),
                 "locked": {q.id: "1.0" for q in questions[half:]}},
        # Answer cells that raise: question 2 and 3 score 0, the others are still graded.
        "CB06": {"answers": {q.id: right(q) for q in questions}, "right": set(range(n)) - {1, 2},
                 "code": {questions[1].id: 'cau_2 = int("B")',
                          questions[2].id: 'raise RuntimeError("lỗi")\ncau_3 = "A"'}},
        # Redefines the grading functions in an answer cell, hoping to score everything.
        "CB07": {"answers": {q.id: wrong(q) for q in questions[1:]}, "right": set(),
                 "code": {questions[0].id: "def grade_answer(*a, **k):\n    return 1.0\n"
                          "def normalise_answer(*a, **k):\n    return {'A'}\ncau_1 = 'Z'"}},
    }
    return plans


def hand_in_file(course: Path, name: str, student: str, plan: dict, folder: Path,
                 filename: str) -> None:
    """A trainee's filled copy of the released notebook, saved as the trainer receives it."""
    path = folder / filename
    path.write_bytes((course / "release" / name / f"{name}.ipynb").read_bytes())
    fill_answers(path, plan["answers"])
    write_answer_code(path, plan.get("code", {}))
    for grade_id, source in plan.get("locked", {}).items():
        edit_locked_cell(path, grade_id, source)
    if student == "CB05":
        first = question_ids(path)[0]
        edit_locked_cell(path, f"{first}-de-bai", "Câu hỏi đã bị sửa")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Generate, release, collect, grade and give feedback once for the whole module."""
    course = copy_course(ROOT, tmp_path_factory.mktemp("lop"), with_bank=False)
    write_synthetic_bank(course)
    (course / "quizzes.yml").write_text(yaml.safe_dump(QUIZZES, allow_unicode=True))
    result = CliRunner().invoke(main, ["quiz", "generate", "--course-dir", str(course)])
    assert result.exit_code == 0, result.output
    logs = {}
    for name in (QUIZ, SHOWN):
        logs[f"release {name}"] = run_nbgrader(course, "generate_assignment", name)

    bank = load_bank(course / "bank", course.parent).by_id()
    questions = [bank[i] for i in question_ids(course / "release" / QUIZ / f"{QUIZ}.ipynb")]
    plans = plan_trainees(questions)

    # Classroom hand-in: three files in a zip, the others loose, one with a browser's " (1)",
    # and one file whose name says nothing about its owner (must be skipped, not guessed).
    archive = course / "downloaded" / QUIZ / "archive"
    archive.mkdir(parents=True)
    loose = tmp_path_factory.mktemp("nop")
    for student, plan in plans.items():
        suffix = " (1)" if student == "CB04" else ""
        hand_in_file(course, QUIZ, student, plan, loose, f"{student}_{QUIZ}{suffix}.ipynb")
    with zipfile.ZipFile(archive / "lop-a.zip", "w") as bundle:
        for student in ("CB01", "CB02", "CB03"):
            bundle.write(loose / f"{student}_{QUIZ}.ipynb", f"lop-a/{student}_{QUIZ}.ipynb")
    for path in loose.glob("*.ipynb"):
        if not path.name.startswith(("CB01", "CB02", "CB03")):
            (archive / path.name).write_bytes(path.read_bytes())
    (archive / "bai-lam.ipynb").write_bytes((loose / f"CB01_{QUIZ}.ipynb").read_bytes())
    logs["zip_collect"] = run_nbgrader(course, "zip_collect", QUIZ)

    shown_questions = [bank[i] for i in question_ids(course / "release" / SHOWN / f"{SHOWN}.ipynb")]
    path = submit(course, SHOWN, "CB02", timestamp="2026-03-02 09:30:00")
    q1, q2, q3, _ = shown_questions  # two wrong, one right, one left blank
    fill_answers(path, {q1.id: wrong(q1), q2.id: wrong(q2), q3.id: right(q3)})

    for name in (QUIZ, SHOWN):
        logs[f"autograde {name}"] = run_nbgrader(course, "autograde", name)
        logs[f"feedback {name}"] = run_nbgrader(course, "generate_feedback", name)
    return {"course": course, "questions": questions, "plans": plans, "logs": logs,
            "shown": shown_questions, "bank": bank}


def released_text(course: Path, name: str) -> str:
    return (course / "release" / name / f"{name}.ipynb").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", [QUIZ, SHOWN])
def test_release_holds_no_answer_key(graded, name):
    course, bank = graded["course"], graded["bank"]
    text = all_strings(json.loads(released_text(course, name)))
    notebook = nbformat.reads(released_text(course, name), as_version=4)
    ids = question_ids(course / "release" / name / f"{name}.ipynb")
    source = (course / "source" / name / f"{name}.ipynb").read_text(encoding="utf-8")
    source = all_strings(json.loads(source))
    for qid in ids:
        question = bank[qid]
        assert key_literal(question) in source and question.explanation in source
        assert key_literal(question) not in text, qid
        assert question.explanation not in text, qid
    for marker in ("BEGIN HIDDEN TESTS", "BEGIN SOLUTION", "grade_answer(", "show_key"):
        assert marker not in text
    for cell in notebook.cells:
        if cell.metadata["nbgrader"].get("solution"):  # only `cau_N = ""` besides comments
            code = [line for line in cell.source.splitlines() if line and line[0] != "#"]
            assert len(code) == 1 and re.fullmatch(r'cau_\d+ = ""', code[0]), cell.source
    for number, cell in enumerate([c for c in notebook.cells
                                   if c.metadata["nbgrader"].get("grade")], start=1):
        assert cell.source == TEST_COMMENT.format(n=number)
    assert all(not c.get("outputs") for c in notebook.cells if c.cell_type == "code")


def test_zip_collect_brings_every_well_named_file_into_submitted(graded):
    submitted = graded["course"] / "submitted"
    assert sorted(p.name for p in submitted.iterdir()) == sorted(graded["plans"])
    for student in graded["plans"]:
        assert (submitted / student / QUIZ / f"{QUIZ}.ipynb").is_file()
    assert "bai-lam.ipynb" in graded["logs"]["zip_collect"]  # reported as skipped


def test_each_trainee_scores_per_question(graded):
    questions, plans = graded["questions"], graded["plans"]
    with Gradebook(f"sqlite:///{graded['course'] / 'gradebook.db'}") as gb:
        for student, plan in plans.items():
            submission = gb.find_submission(QUIZ, student)
            scores = {g.name: g.score for g in submission.notebooks[0].grades}
            expected = {q.id: (q.points if i in plan["right"] else 0.0)
                        for i, q in enumerate(questions)}
            assert scores == expected, student
            assert submission.score == sum(expected.values()), student
            assert submission.max_score == sum(q.points for q in questions)
        with pytest.raises(MissingEntry):
            gb.find_submission(QUIZ, "bai-lam")


def test_the_timestamp_of_a_hand_in_is_kept(graded):
    with Gradebook(f"sqlite:///{graded['course'] / 'gradebook.db'}") as gb:
        assert str(gb.find_submission(SHOWN, "CB02").timestamp) == "2026-03-02 09:30:00"


def feedback(graded, student: str, name: str = QUIZ) -> str:
    path = graded["course"] / "feedback" / student / name / f"{name}.html"
    return path.read_text(encoding="utf-8")


LEAK_MARKERS = ("BEGIN HIDDEN TESTS", "globals().get(", "def normalise_answer(answer",
                "Đáp án đúng", "Traceback")  # CB07's own answer cell defines grade_answer


def leaks(html: str, questions) -> list[str]:
    """Keys and hidden-test code a person would see on the page (its visible text)."""
    text = visible_text(html)
    return ([m for m in LEAK_MARKERS if m in text]
            + [key_literal(q) for q in questions if key_literal(q) in text])


def test_feedback_is_vietnamese_and_holds_no_key(graded):
    for student, plan in graded["plans"].items():
        html = feedback(graded, student)
        assert '<html lang="vi">' in html and "Phản hồi bài kiểm tra" in html
        assert f"Mã học viên: <strong>{student}</strong>" in html
        assert leaks(html, graded["questions"]) == [], student
        for question in graded["questions"]:
            assert question.explanation in visible_text(html)  # explanations are for everyone
        verdicts = re.findall(r"Câu (\d+): (Đúng|Chưa đúng|Chưa trả lời|Câu trả lời)", html)
        assert {int(n) - 1 for n, verdict in verdicts if verdict == "Đúng"} == plan["right"]
        assert len(verdicts) == len(graded["questions"])


def test_the_leak_check_finds_keys_in_feedback_without_clear_hidden_tests(graded):
    """Positive control: the same feedback rendered without ClearHiddenTests (and with code
    shown) must fail the check above, with every key of the quiz on the page."""
    control_feedback(graded["course"], QUIZ)
    path = graded["course"] / "phan-hoi-kiem-soat" / "CB01" / QUIZ / f"{QUIZ}.html"
    html = path.read_text(encoding="utf-8")
    found = leaks(html, graded["questions"])
    assert "BEGIN HIDDEN TESTS" in found and "globals().get(" in found
    assert all(key_literal(q) in found for q in graded["questions"])
    assert not any(key_literal(q) in html for q in graded["questions"])  # highlighted apart


def test_feedback_says_pass_or_fail_and_links_the_pages(graded):
    assert "Kết quả: <strong>Đạt</strong>" in feedback(graded, "CB01")
    assert "Kết quả: <strong>Chưa đạt</strong>" in feedback(graded, "CB03")
    html = feedback(graded, "CB03")
    assert "Chưa trả lời" in html
    page = graded["questions"][0].page
    assert f'href="https://khoa-hoc.example/{page}.html"' in html
    assert "Ô trả lời gây lỗi khi chạy: ValueError" in feedback(graded, "CB06")


def test_feedback_shows_the_key_only_when_the_quiz_says_so(graded):
    html = feedback(graded, "CB02", SHOWN)
    wrong1, wrong2, answered_right, blank = graded["shown"]
    for question in (wrong1, wrong2, blank):
        assert f"Đáp án đúng: <strong>{', '.join(question.answer)}</strong>" in html
    assert html.count("Đáp án đúng") == 3  # not repeated for the question answered right
    assert "globals().get(" not in html and "BEGIN HIDDEN TESTS" not in html
