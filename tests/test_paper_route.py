"""The paper route end to end, on a real nbgrader course in a temporary folder.

`assessment quiz generate` and `nbgrader generate_assignment` as for any class, then
`assessment quiz print` (real PDFs by headless Chromium, read back with pdftotext), the
template filled with openpyxl as a trainer would type the marked boxes, `assessment grade
--answers` (a file with one bad cell first: nothing written), `nbgrader export` and
`assessment report`, which counts the cadres who passed the final quiz on paper.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
import subprocess
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from click.testing import CliRunner
from nbgrader.api import Gradebook
from openpyxl import load_workbook
from pypdf import PdfReader
from report_fixtures import write_csv

from assessment.cli import main
from assessment.grading.key import key_from_source
from assessment.quiz.bank import load_bank
from assessment.quiz.simulate import copy_course, run_nbgrader, write_synthetic_bank

from conftest import ROOT

QUIZ = "kiem-tra-cuoi-khoa"
DAY = "2026-11-25"
PDFTOTEXT = shutil.which("pdftotext")


def invoke(arguments: list[str]):
    """`assessment ARGUMENTS` in a thread of its own (Playwright's sync API wants a free loop)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(CliRunner().invoke, main, arguments).result()


def pdf_text(path: Path) -> str:
    assert PDFTOTEXT, "pdftotext is required (apt-get install poppler-utils)"
    text = subprocess.run([PDFTOTEXT, str(path), "-"], check=True, capture_output=True,
                          text=True).stdout
    return " ".join(unicodedata.normalize("NFC", text).split())


def right(question) -> str:
    if question.words:  # true/false: the word, as a trainer may type it
        return {"A": "Đúng", "B": "sai"}[question.key]
    return ", ".join(question.key.lower())


def wrong(question) -> str:
    return next(letter for letter in question.letters if letter not in question.key)


def answers(key, n_right: int) -> list[str]:
    return [right(q) if i < n_right else wrong(q) for i, q in enumerate(key.questions)]


@pytest.fixture(scope="module")
def paper_class(tmp_path_factory):
    root = tmp_path_factory.mktemp("lop-giay")
    course = copy_course(ROOT, root, with_bank=False)
    write_synthetic_bank(course)
    result = invoke(["quiz", "generate", QUIZ, "--course-dir", str(course)])
    assert result.exit_code == 0, result.output
    run_nbgrader(course, "generate_assignment", QUIZ, "--log-level=WARN")
    printed = invoke(["quiz", "print", QUIZ, "--course-dir", str(course)])
    assert printed.exit_code == 0, printed.output
    return {"course": course, "out": course / "print" / QUIZ, "log": printed.output}


def test_print_writes_the_quiz_the_sheet_and_the_template(paper_class):
    out = paper_class["out"]
    assert sorted(p.name for p in out.iterdir()) == [
        f"{QUIZ}-de-bai.pdf", f"{QUIZ}-phieu-tra-loi.pdf", f"{QUIZ}-phieu-tra-loi.xlsx"]
    for path in out.iterdir():
        assert f"Đã ghi {path}" in paper_class["log"]
    sizes = {PdfReader(p).pages[0].mediabox.upper_right for p in out.glob("*.pdf")}
    for width, height in sizes:  # A4 is 210 × 297 mm (Chromium rounds to whole pixels)
        assert abs(float(width) / 72 * 25.4 - 210) < 1 and abs(float(height) / 72 * 25.4 - 297) < 1


def test_printed_quiz_has_every_question_and_no_key(paper_class):
    course = paper_class["course"]
    text = pdf_text(paper_class["out"] / f"{QUIZ}-de-bai.pdf")
    bank = load_bank(course / "bank", course.parent).by_id()
    key = key_from_source(course, QUIZ)
    assert len(key.questions) == 40
    assert "Kiểm tra cuối khóa: Truyền thông về quyền con người" in text  # diacritics intact
    assert "Chọn tất cả phương án đúng." in text and "Nhận định sau đúng hay sai?" in text
    for question in key.questions:
        asked = bank[question.grade_id]
        assert f"Câu {question.number} ({asked.points:g} điểm)" in text
        assert " ".join(asked.stem.split()) in text
        for letter, option in asked.options.items():
            assert f"{letter}. {option}" in text
        assert asked.explanation not in text
    for leak in ("Lời giải thích", "Đáp án", "Dữ liệu thử", "key=", "BEGIN", "grade_answer"):
        assert leak not in text


def test_answer_sheet_fits_one_page(paper_class):
    path = paper_class["out"] / f"{QUIZ}-phieu-tra-loi.pdf"
    assert len(PdfReader(path).pages) == 1
    text = pdf_text(path)
    for words in ("Phiếu trả lời", "Họ và tên", "Mã cán bộ", "Ngày làm bài", "Đơn vị",
                  "Câu 1 A B", "Câu 40", "A Đúng · B Sai", "chọn nhiều"):
        assert words in text
    assert "Lời giải thích" not in text and "Đáp án" not in text


@pytest.fixture(scope="module")
def graded(paper_class, tmp_path_factory):
    """Type five cadres' answers into the template, then grade (a bad file first)."""
    course = paper_class["course"]
    key = key_from_source(course, QUIZ)
    template = paper_class["out"] / f"{QUIZ}-phieu-tra-loi.xlsx"
    book = load_workbook(template)
    sheet = book["Trả lời"]
    rows = [["CB0001", dt.date(2026, 11, 20), *answers(key, 40)],   # 40/40
            ["CB0002", None, *answers(key, 28)],                      # exactly 70%: passes
            ["CB0003", "21/11/2026", *answers(key, 27)],              # 27/40: fails
            ["CB0004", None, *[None] * 40],                           # blank sheet: 0
            ["cb0005", None, *answers(key, 40)]]                      # id in lower case
    for number, row in enumerate(rows, start=2):  # typed from row 2, under the header
        for column, value in enumerate(row, start=1):
            sheet.cell(row=number, column=column).value = value
    book.save(template)
    folder = tmp_path_factory.mktemp("giay")
    bad = folder / "tra-loi-sai.xlsx"
    sheet.cell(row=4, column=5).value = "E, Z"
    book.save(bad)
    gradebook = course / "gradebook.db"
    grade = ["grade", QUIZ, "--course-dir", str(course), "--date", DAY]
    refused = invoke([*grade, "--answers", str(bad)])
    with Gradebook(f"sqlite:///{gradebook}") as gb:
        before = len(gb.assignment_submissions(QUIZ))
    roster = write_csv(folder / "danh-sach.csv", [
        [i, f"CB000{i}", name, "Sở Tư pháp", "Cấp tỉnh", "Cán bộ làm công tác quyền con người",
         "Nữ"] for i, name in enumerate(["Nguyễn Thị An", "Trần Văn Bình", "Lê Thị Cúc",
                                         "Phạm Văn Dũng", "Hoàng Thị Em", "Vũ Văn Phúc"],
                                        start=1)], encoding="utf-8-sig")
    first = invoke([*grade, "--answers", str(template), "--roster", str(roster)])
    again = invoke([*grade, "--answers", str(template), "--roster", str(roster)])
    return {"course": course, "key": key, "refused": refused, "before": before,
            "first": first, "again": again, "roster": roster, "folder": folder,
            "gradebook": gradebook, "template": template}


def test_a_bad_cell_stops_everything(graded):
    refused = graded["refused"]
    assert refused.exit_code == 1
    assert "có 1 lỗi" in refused.output
    assert "ô E4 (cột «Câu 3»): «E, Z» không phải câu trả lời hợp lệ" in refused.output
    assert "chưa có gì được ghi vào sổ điểm" in refused.output
    assert graded["before"] == 0


def test_typed_answers_become_nbgrader_grades(graded):
    for result in (graded["first"], graded["again"]):
        assert result.exit_code == 0, result.output
        assert "đã ghi 5 phiếu trả lời" in result.output and "3 người đạt" in result.output
    assert "Ghi chú: Dòng 5 (CB0004): không có câu trả lời nào" in graded["first"].output
    with Gradebook(f"sqlite:///{graded['gradebook']}") as gb:
        subs = {s.student.id: s for s in gb.assignment_submissions(QUIZ)}  # regraded: no copies
        scores = {sid: s.score for sid, s in subs.items()}
        stamps = {sid: s.timestamp for sid, s in subs.items()}
        names = {sid: (s.student.last_name, s.student.first_name) for sid, s in subs.items()}
        grades = {g.name: g.score for g in subs["CB0003"].notebooks[0].grades}
    assert scores == {"CB0001": 40, "CB0002": 28, "CB0003": 27, "CB0004": 0, "CB0005": 40}
    assert stamps["CB0001"] == dt.datetime(2026, 11, 20, 5, 0)  # noon in Vietnam, in UTC
    assert stamps["CB0003"] == dt.datetime(2026, 11, 21, 5, 0)
    assert stamps["CB0002"] == dt.datetime(2026, 11, 25, 5, 0)  # from --date
    assert names["CB0005"] == ("Hoàng Thị", "Em")  # the roster's id and name
    key = graded["key"]
    assert grades == {q.grade_id: (1.0 if i < 27 else 0.0) for i, q in enumerate(key.questions)}


def test_nbgrader_export_lists_the_paper_grades(graded):
    course = graded["course"]
    run_nbgrader(course, "export", "--to", "diem-giay.csv", "--log-level=WARN")
    with (course / "diem-giay.csv").open(encoding="utf-8") as handle:
        rows = {r["student_id"]: r for r in csv.DictReader(handle) if r["assignment"] == QUIZ}
    assert {sid: float(r["raw_score"]) for sid, r in rows.items()} == {
        "CB0001": 40.0, "CB0002": 28.0, "CB0003": 27.0, "CB0004": 0.0, "CB0005": 40.0}
    assert {float(r["max_score"]) for r in rows.values()} == {40.0}


def test_a_roster_rejects_an_unknown_cadre(graded, tmp_path):
    roster = tmp_path / "thieu.csv"
    lines = graded["roster"].read_text(encoding="utf-8-sig").splitlines()
    roster.write_text("\n".join(line for line in lines if "CB0004" not in line) + "\n",
                      encoding="utf-8")
    result = invoke(["grade", QUIZ, "--course-dir", str(graded["course"]), "--date", DAY,
                     "--answers", str(graded["template"]), "--roster", str(roster)])
    assert result.exit_code == 1
    assert "ô A5 (cột «Mã cán bộ»): mã «CB0004» không có trong danh sách cán bộ" in result.output


def test_report_counts_the_passes_on_paper(graded):
    out = graded["folder"] / "bao-cao"
    result = invoke(["report", "--gradebook", str(graded["gradebook"]),
                     "--roster", str(graded["roster"]),
                     "--targets", str(ROOT / "quizzes" / "targets.yml"),
                     "--as-of", "2026-11-30", "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    groups = {g["group"]: g for g in summary["groups"]}
    assert (groups["nhan-quyen"]["headcount"], groups["nhan-quyen"]["trained"]) == (6, 3)
    assert summary["counts"]["unmatched_submissions"] == 0


def test_printing_again_keeps_the_typed_template(graded):
    course, template = graded["course"], graded["template"]
    result = invoke(["quiz", "print", QUIZ, "--course-dir", str(course)])
    assert result.exit_code == 0, result.output
    assert f"Giữ nguyên {template}: tệp đã có câu trả lời được gõ vào." in result.output
    assert load_workbook(template)["Trả lời"]["A2"].value == "CB0001"


def test_printing_a_quiz_that_was_not_generated(tmp_path):
    result = invoke(["quiz", "print", "kiem-tra-cuoi-khoa-dot-9", "--course-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "Lỗi: Không thấy notebook nguồn" in result.output
    assert "assessment quiz generate kiem-tra-cuoi-khoa --name kiem-tra-cuoi-khoa-dot-9" in (
        result.output)
    assert not (tmp_path / "print").exists()


def test_the_paper_copy_is_made_without_reading_any_key(paper_class, tmp_path):
    """Only the question cells are read: without the answer and grading cells, same quiz."""
    from assessment.quiz.paper import read_paper_quiz, source_path

    notebook = json.loads(source_path(paper_class["course"], QUIZ).read_text(encoding="utf-8"))
    notebook["cells"] = [c for c in notebook["cells"] if c["cell_type"] == "markdown"]
    assert not any("BEGIN" in "".join(c["source"]) for c in notebook["cells"])
    stripped = source_path(tmp_path, QUIZ)
    stripped.parent.mkdir(parents=True)
    stripped.write_text(json.dumps(notebook), encoding="utf-8")
    assert read_paper_quiz(tmp_path, QUIZ) == read_paper_quiz(paper_class["course"], QUIZ)


def test_print_into_another_folder(paper_class, tmp_path):
    out = tmp_path / "ban-in"
    result = invoke(["quiz", "print", QUIZ, "--course-dir", str(paper_class["course"]),
                     "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        f"{QUIZ}-de-bai.pdf", f"{QUIZ}-phieu-tra-loi.pdf", f"{QUIZ}-phieu-tra-loi.xlsx"]
