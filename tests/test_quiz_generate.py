"""quizzes.yml, drawing questions, and the nbgrader source notebooks (no nbgrader run here)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import nbformat
import pytest
import yaml
from click.testing import CliRunner

from assessment.cli import main
from assessment.quiz.bank import load_bank
from assessment.quiz.notebook import key_literal
from assessment.quiz.simulate import copy_course, write_synthetic_bank
from assessment.quiz.spec import QuizError, draw, load_quizzes
from assessment.site.book_pages import BookPages

from conftest import ROOT


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    """A copy of the course: real quizzes.yml and pages, synthetic bank (10 per page)."""
    course = copy_course(ROOT, tmp_path_factory.mktemp("quiz"), with_bank=False)
    write_synthetic_bank(course)
    return course


@pytest.fixture(scope="module")
def bank(course):
    return load_bank(course / "bank", course.parent)


@pytest.fixture(scope="module")
def book(course):
    return BookPages.load(course.parent)


def test_real_quizzes_file():
    spec = load_quizzes(ROOT / "quizzes" / "quizzes.yml")
    ids = [q.id for q in spec.quizzes]
    assert "kiem-tra-cuoi-khoa" in ids
    final = spec.quiz("kiem-tra-cuoi-khoa")
    assert final.kind == "final" and 0 < final.pass_mark <= 1
    assert all(not q.show_correct_answer for q in spec.quizzes), "keys shown by default"
    book = BookPages.load(ROOT)
    parts_with_bank = sorted(p.stem for p in (ROOT / "quizzes" / "bank").glob("*.yml"))
    formative = {p for q in spec.quizzes if q.kind == "formative" for r in q.draw for p in r.parts}
    final_parts = {p for r in final.draw for p in r.parts}
    assert formative <= set(book.part_titles) and final_parts <= set(book.part_titles)
    for part in parts_with_bank:
        assert part in formative, f"bank/{part}.yml has no formative quiz in quizzes.yml"
        assert part in final_parts, f"the final assessment does not draw from {part}"


def test_every_real_quiz_can_be_drawn_from_the_real_bank():
    spec = load_quizzes(ROOT / "quizzes" / "quizzes.yml")
    bank, book = load_bank(ROOT / "quizzes" / "bank", ROOT), BookPages.load(ROOT)
    for quiz in spec.quizzes:
        assert len(draw(quiz, bank, book)) == sum(r.count for r in quiz.draw)


def test_draw_is_reproducible_spread_and_seeded(course, bank, book):
    final = load_quizzes(course / "quizzes.yml").quiz("kiem-tra-cuoi-khoa")
    first = draw(final, bank, book)
    assert [q.id for q in first] == [q.id for q in draw(final, bank, book)]
    assert len({q.id for q in first}) == len(first) == sum(r.count for r in final.draw)
    for rule in final.draw:
        picked = [q for q in first if q.part in rule.parts]
        assert len(picked) == rule.count
        pages = Counter(q.page for q in picked)
        in_part = [p for p in book.pages if book.part_of.get(p) in rule.parts]
        assert max(pages.values()) - min(pages.get(p, 0) for p in in_part) <= 1, pages
    other = draw(final, bank, book, seed=final.seed + 1)
    assert {q.id for q in other} != {q.id for q in first}
    assert [book.order(q.page) for q in first] == sorted(book.order(q.page) for q in first)


def test_draw_refuses_when_the_bank_is_too_small(course, bank, book, tmp_path):
    text = (course / "quizzes.yml").read_text(encoding="utf-8").replace("count: 12", "count: 999")
    (tmp_path / "quizzes.yml").write_text(text, encoding="utf-8")
    quiz = load_quizzes(tmp_path / "quizzes.yml").quiz("phan-2")
    with pytest.raises(QuizError, match="cần 999 câu từ phần phan-2 nhưng ngân hàng chỉ có 80"):
        draw(quiz, bank, book)


@pytest.mark.parametrize(("change", "message"), [
    ({"pass_mark": 70}, "'pass_mark' là tỷ lệ điểm để đạt"),
    ({"seed": "abc"}, "'seed' phải là số nguyên"),
    ({"draw": []}, "thiếu 'draw'"),
    ({"draw": [{"parts": ["phan-1"], "count": 0}]}, "'count' phải là số nguyên dương"),
    ({"show_correct_answer": "có"}, "'show_correct_answer' là true hoặc false"),
    ({"id": "Phần 1"}, "'id' phải gồm chữ thường không dấu"),
])
def test_bad_quizzes_file_is_refused_with_its_name(tmp_path, change, message):
    quiz = {"id": "phan-1", "title": "T", "draw": [{"parts": ["phan-1"], "count": 1}],
            "pass_mark": 0.7, "seed": 1, **change}
    path = tmp_path / "quizzes.yml"
    path.write_text(yaml.safe_dump({"quizzes": [quiz]}, allow_unicode=True), encoding="utf-8")
    with pytest.raises(QuizError) as caught:
        load_quizzes(path)
    assert str(path) in str(caught.value) and message in str(caught.value)


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_generate_writes_nbgrader_source_notebooks(course, bank):
    result = run("quiz", "generate", "--course-dir", str(course))
    assert result.exit_code == 0, result.output
    for quiz in load_quizzes(course / "quizzes.yml").quizzes:
        assert f"source/{quiz.id}/{quiz.id}.ipynb" in result.output
    path = course / "source" / "kiem-tra-cuoi-khoa" / "kiem-tra-cuoi-khoa.ipynb"
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    info = notebook.metadata["assessment"]
    final = load_quizzes(course / "quizzes.yml").quiz("kiem-tra-cuoi-khoa")
    count = sum(rule.count for rule in final.draw)
    assert info["seed"] == final.seed and len(info["questions"]) == count
    by_id = bank.by_id()
    grade_cells = [c for c in notebook.cells if c.metadata["nbgrader"]["grade"]]
    assert [c.metadata["nbgrader"]["grade_id"] for c in grade_cells] == info["questions"]
    for number, cell in enumerate(grade_cells, start=1):
        question = by_id[cell.metadata["nbgrader"]["grade_id"]]
        meta = cell.metadata["nbgrader"]
        assert meta["locked"] and not meta["solution"] and meta["points"] == question.points
        assert meta["schema_version"] == 3
        hidden = cell.source.split("### BEGIN HIDDEN TESTS")[1]
        assert key_literal(question) in hidden and question.explanation in hidden
        assert f'globals().get("cau_{number}")' in hidden.replace("'", '"')
    answers = [c for c in notebook.cells if c.metadata["nbgrader"]["solution"]]
    assert len(answers) == count and all(not c.metadata["nbgrader"]["locked"] for c in answers)
    assert 'cau_1 = ""' in answers[0].source and "### BEGIN SOLUTION" in answers[0].source
    assert "Cách làm bài" in notebook.cells[0].source
    assert notebook.metadata["kernelspec"]["name"] == "python3"


def test_same_seed_same_notebook(course):
    path = course / "source" / "phan-1" / "phan-1.ipynb"
    run("quiz", "generate", "phan-1", "--course-dir", str(course))
    before = path.read_bytes()
    result = run("quiz", "generate", "phan-1", "--course-dir", str(course))
    assert result.exit_code == 0, result.output
    assert path.read_bytes() == before


def test_a_new_class_gets_a_new_assignment_name(course):
    result = run("quiz", "generate", "kiem-tra-cuoi-khoa", "--seed", "7", "--course-dir",
                 str(course))
    assert result.exit_code == 1
    assert "--name kiem-tra-cuoi-khoa-dot-2" in result.output
    result = run("quiz", "generate", "kiem-tra-cuoi-khoa", "--name", "dot-2", "--course-dir",
                 str(course))
    assert result.exit_code == 1 and "phải bắt đầu bằng 'kiem-tra-cuoi-khoa'" in result.output
    result = run("quiz", "generate", "kiem-tra-cuoi-khoa", "--seed", "7", "--name",
                 "kiem-tra-cuoi-khoa-dot-2", "--course-dir", str(course))
    assert result.exit_code == 0, result.output
    path = course / "source" / "kiem-tra-cuoi-khoa-dot-2" / "kiem-tra-cuoi-khoa-dot-2.ipynb"
    info = nbformat.read(path, as_version=4).metadata["assessment"]
    assert info["name"] == "kiem-tra-cuoi-khoa-dot-2" and info["seed"] == 7
    assert info["quiz"] == "kiem-tra-cuoi-khoa"


def test_unknown_quiz_and_list(course):
    result = run("quiz", "generate", "khong-co", "--course-dir", str(course))
    assert result.exit_code == 1 and "không có bài kiểm tra 'khong-co'" in result.output
    result = run("quiz", "list", "--ids", "--course-dir", str(course))
    assert result.exit_code == 0, result.output
    assert result.output.split() == [q.id for q in load_quizzes(course / "quizzes.yml").quizzes]
    result = run("quiz", "list", "--course-dir", str(course))
    assert "kiem-tra-cuoi-khoa: Kiểm tra cuối khóa" in result.output
    assert "đạt từ 70%" in result.output


def test_a_handed_in_assignment_keeps_its_questions(course, tmp_path):
    name = "kiem-tra-cuoi-khoa-dot-3"
    args = ["quiz", "generate", "kiem-tra-cuoi-khoa", "--name", name, "--course-dir", str(course)]
    assert run(*args, "--seed", "30").exit_code == 0
    path = course / "source" / name / f"{name}.ipynb"
    before = path.read_bytes()
    (course / "submitted" / "CB01" / name).mkdir(parents=True)  # a trainee handed it in
    result = run(*args, "--seed", "31")
    assert result.exit_code == 1
    assert f"Bài '{name}' đã có bài nộp nên giữ nguyên bộ câu hỏi" in result.output
    assert path.read_bytes() == before
    assert run(*args, "--seed", "30").exit_code == 0  # the same draw may be rewritten

    # `assessment quiz generate` (every quiz, as `make` runs it) keeps it and goes on.
    (course / "submitted" / "CB01" / "phan-3").mkdir(parents=True)
    text = (course / "quizzes.yml").read_text(encoding="utf-8")
    (course / "quizzes.yml").write_text(text.replace("seed: 3\n", "seed: 33\n"))
    try:
        before = (course / "source" / "phan-3" / "phan-3.ipynb").read_bytes()
        result = run("quiz", "generate", "--course-dir", str(course))
        assert result.exit_code == 0, result.output
        assert "Giữ nguyên: Bài 'phan-3' đã có bài nộp" in result.output
        assert "source/phan-4/phan-4.ipynb" in result.output
        assert (course / "source" / "phan-3" / "phan-3.ipynb").read_bytes() == before
    finally:
        (course / "quizzes.yml").write_text(text)
