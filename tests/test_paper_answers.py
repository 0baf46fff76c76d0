"""Typed paper answers: every kind of bad cell is reported with its cell, nothing is written.

A hand-made four-question key (one answer, several answers, true/false, three options) and
sheets written here with openpyxl or as CSV; the template of `assessment quiz print` is read
back too.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from assessment.grading.key import QuestionKey, QuizKey
from assessment.grading.paper import (
    AnswerSheetError,
    cell_ref,
    grade_answer_sheet,
    read_answer_sheet,
    read_roster_ids,
    split_name,
)
from assessment.quiz.answer_template import write_template
from assessment.quiz.bank import Question
from assessment.quiz.notebook import question_markdown
from assessment.quiz.paper import PaperError, PaperQuestion, PaperQuiz, parse_question

TODAY = dt.date(2026, 12, 5)
WORDS = {"ĐÚNG": "A", "SAI": "B"}
KEY = QuizKey("thu-giay", (
    QuestionKey("q-mot", "q-mot-tra-loi", 1, "B", "ABCD", None, 1.0),
    QuestionKey("q-nhieu", "q-nhieu-tra-loi", 2, "AC", "ABCD", None, 2.0),
    QuestionKey("q-dung-sai", "q-dung-sai-tra-loi", 3, "A", "AB", WORDS, 1.0),
    QuestionKey("q-ba", "q-ba-tra-loi", 4, "C", "ABC", None, 1.0),
))
HEADER = ["Mã cán bộ", "Ngày làm bài", "Câu 1", "Câu 2", "Câu 3", "Câu 4"]


def xlsx(path: Path, rows: list[list[object]], header: list[str] = HEADER) -> Path:
    book = Workbook()
    book.active.append(header)
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def problems(path: Path, **options) -> list[str]:
    with pytest.raises(AnswerSheetError) as caught:
        read_answer_sheet(path, KEY, today=TODAY, **options)
    assert "chưa có gì được ghi vào sổ điểm" in str(caught.value)
    return caught.value.problems


def test_cell_names_as_excel_shows_them():
    assert [cell_ref(1, 1), cell_ref(3, 7), cell_ref(26, 2), cell_ref(27, 3)] == [
        "A1", "C7", "Z2", "AA3"]


def test_a_valid_sheet_is_read_with_every_accepted_spelling(tmp_path):
    path = xlsx(tmp_path / "tra-loi.xlsx", [
        ["CB0001", dt.datetime(2026, 12, 1), "B", "A, C", "Đúng", "c"],
        ["CB0002", "02/12/2026", " b. ", "ca", "sai", None],
        [12345, None, None, None, None, None],
        [None, None, None, None, None, None],  # a blank line is skipped
    ])
    rows, notices = read_answer_sheet(path, KEY, day=dt.date(2026, 12, 3), today=TODAY)
    assert [(r.row, r.student_id, r.day) for r in rows] == [
        (2, "CB0001", dt.date(2026, 12, 1)), (3, "CB0002", dt.date(2026, 12, 2)),
        (4, "12345", dt.date(2026, 12, 3))]
    assert rows[0].answers == {"q-mot": "B", "q-nhieu": "A, C", "q-dung-sai": "Đúng",
                               "q-ba": "c"}
    assert rows[1].answers["q-ba"] is None and rows[1].answers["q-mot"] == "b."
    assert notices == ["Dòng 4 (12345): không có câu trả lời nào, được 0 điểm."]


def test_each_kind_of_bad_cell_is_named(tmp_path):
    path = xlsx(tmp_path / "loi.xlsx", [
        ["CB0001", "01/12/2026", "B", "A, C", "A", "C"],   # row 2: good
        ["CB0002", "01/12/2026", "E", "A, C", "A", "D"],   # row 3: letters out of range
        ["Nguyễn Văn An", "01/12/2026", "B", "", "", ""],  # row 4: a name, not an id
        ["cb0001", "01/12/2026", "A", "", "", ""],          # row 5: same cadre as row 2
        ["CB0005", "31/02/2026", "A", "", "", ""],          # row 6: no such day
        ["CB0006", "01/01/2027", "A", "", "", ""],          # row 7: after today
        ["CB0007", None, "A", "A C X", "C", ""],             # row 8: no day, bad answers
        [None, "01/12/2026", "A", "", "", ""],              # row 9: answers without an id
        ["CB0009", "01/12/2026", 2, "", "Có", ""],           # row 10: a number, a word
    ])
    found = problems(path)
    expected = {
        "C3": "«E» không phải câu trả lời hợp lệ",
        "F3": "«D» không phải câu trả lời hợp lệ. Gõ chữ cái A, B, C;",
        "A4": "mã cán bộ «Nguyễn Văn An» không hợp lệ",
        "A5": "mã «cb0001» trùng với dòng 2",
        "B6": "«31/02/2026» không phải ngày",
        "B7": "ngày 01/01/2027 không thể là ngày làm bài",
        "B8": "thiếu ngày làm bài",
        "D8": "«A C X» không phải câu trả lời hợp lệ",
        "E8": "«C» không phải câu trả lời hợp lệ. Gõ chữ cái A, B hoặc Đúng/Sai",
        "A9": "thiếu mã cán bộ",
        "C10": "«2» không phải câu trả lời hợp lệ",
        "E10": "«Có» không phải câu trả lời hợp lệ",
    }
    assert len(found) == len(expected), "\n".join(found)
    for cell, words in expected.items():
        assert any(p.startswith(f"ô {cell} (cột «") and words in p for p in found), (
            cell, "\n".join(found))
    assert any(p.startswith("ô C3 (cột «Câu 1»)") for p in found)


def test_unknown_cadre_with_a_roster(tmp_path):
    roster = tmp_path / "danh-sach.csv"
    roster.write_text("STT,Mã cán bộ,Họ và tên,Đơn vị\n1,CB0001,Nguyễn Thị An,Sở Tư pháp\n",
                      encoding="utf-8-sig")
    path = xlsx(tmp_path / "tra-loi.xlsx", [["cb0001", "01/12/2026", "B", "", "", ""],
                                            ["CB0404", "01/12/2026", "B", "", "", ""]])
    ids = read_roster_ids(roster)
    assert ids == {"cb0001": ("CB0001", "Nguyễn Thị An")}
    found = problems(path, roster=ids)
    assert len(found) == 1 and found[0].startswith("ô A3 (cột «Mã cán bộ»): mã «CB0404» không có "
                                                   "trong danh sách cán bộ")
    path = xlsx(tmp_path / "tra-loi.xlsx", [["cb0001", "01/12/2026", "B", "", "", ""]])
    rows, _ = read_answer_sheet(path, KEY, roster=ids, today=TODAY)
    assert (rows[0].student_id, rows[0].name) == ("CB0001", ("An", "Nguyễn Thị"))
    assert split_name("  ") == ("", "")


def test_missing_doubled_and_foreign_columns(tmp_path):
    path = xlsx(tmp_path / "cot.xlsx", [["CB0001", "B", "A, C", "B", "", ""]],
                header=["Mã cán bộ", "Câu 1", "Câu 2", "Câu 2", "Câu 5", "Cau muoi"])
    found = problems(path)
    assert any(p.startswith("ô D1: cột «Câu 2» bị lặp (đã có ở ô C1)") for p in found)
    assert any(p.startswith("ô E1: cột «Câu 5» không có trong bài thu-giay, bài chỉ có 4 câu")
               for p in found)
    assert any(p.startswith("ô F1: không hiểu tiêu đề «Cau muoi»") for p in found)
    assert any(p.startswith("dòng 1 (tiêu đề): thiếu cột «Câu 3», «Câu 4».") for p in found)
    no_id = xlsx(tmp_path / "khong-ma.xlsx", [["An", "B"]], header=["Họ và tên", "Câu 1"])
    assert "không thấy dòng tiêu đề có cột «Mã cán bộ»" in problems(no_id)[0]


def test_a_day_is_needed_from_the_sheet_or_the_option(tmp_path):
    header = ["Mã cán bộ", "Câu 1", "Câu 2", "Câu 3", "Câu 4"]
    path = xlsx(tmp_path / "khong-ngay.xlsx", [["CB0001", "B", "", "", ""]], header=header)
    assert "không có cột «Ngày làm bài» và không có --date" in problems(path)[0]
    rows, _ = read_answer_sheet(path, KEY, day=dt.date(2026, 11, 30), today=TODAY)
    assert rows[0].day == dt.date(2026, 11, 30)
    assert problems(path, day=dt.date(2026, 12, 6)) == [
        "--date 2026-12-06 không thể là ngày làm bài (hôm nay là 05/12/2026). Sửa lại ngày."]


def test_csv_utf8_with_bom_and_semicolons_and_headers_without_diacritics(tmp_path):
    path = tmp_path / "tra-loi.csv"
    path.write_text("ma can bo;ngay lam bai;Cau 1;Cau 2;Cau 3;Cau 4\n"
                    "CB0001;2026-12-01;B;A, C;đúng;C\nCB0002;01.12.2026;F;;;\n",
                    encoding="utf-8-sig")
    found = problems(path)
    assert found == [found[0]] and found[0].startswith("ô C3 (cột «Cau 1»): «F» không phải")
    path.write_text(path.read_text(encoding="utf-8-sig").replace(";F;", ";A;"),
                    encoding="utf-8-sig")
    rows, _ = read_answer_sheet(path, KEY, today=TODAY)
    assert rows[0].answers["q-dung-sai"] == "đúng" and rows[1].day == dt.date(2026, 12, 1)
    latin = tmp_path / "cu.csv"
    latin.write_bytes(b"M\xe3 c\xe1n b\xf4,C\xe2u 1\n")  # an old 8-bit encoding, not UTF-8
    assert "không ở dạng UTF-8" in problems(latin)[0]


def test_other_files_are_refused(tmp_path):
    ods = tmp_path / "tra-loi.ods"
    ods.write_bytes(b"not a sheet")
    assert "chỉ đọc được tệp .xlsx hoặc .csv" in problems(ods)[0]
    broken = tmp_path / "hong.xlsx"
    broken.write_bytes(b"PK\x03\x04 broken")
    assert "không mở được tệp Excel" in problems(broken)[0]
    assert "không tìm thấy tệp" in problems(tmp_path / "khong-co.xlsx")[0]


def test_nothing_is_written_when_one_cell_is_wrong(tmp_path):
    gradebook = tmp_path / "gradebook.db"
    path = xlsx(tmp_path / "tra-loi.xlsx", [["CB0001", "01/12/2026", "B", "A, C", "A", "C"],
                                            ["CB0002", "01/12/2026", "B", "A, C", "A", "Z"]])
    with pytest.raises(AnswerSheetError):
        grade_answer_sheet(path, KEY, f"sqlite:///{gradebook}", today=TODAY)
    assert not gradebook.exists()


def paper_quiz() -> PaperQuiz:
    options = {"A": "Một", "B": "Hai", "C": "Ba", "D": "Bốn"}
    return PaperQuiz("thu-giay", "Bài thử trên giấy", 0.7, (
        PaperQuestion(1, "q-mot", 1.0, "single", "Chọn một phương án.", "Câu một?", options),
        PaperQuestion(2, "q-nhieu", 2.0, "multiple", "Chọn tất cả phương án đúng.", "Câu hai?",
                      options),
        PaperQuestion(3, "q-dung-sai", 1.0, "true_false", "Nhận định sau đúng hay sai?",
                      "Câu ba.", {"A": "Đúng", "B": "Sai"}),
        PaperQuestion(4, "q-ba", 1.0, "single", "Chọn một phương án.", "Câu bốn?",
                      {"A": "Một", "B": "Hai", "C": "Ba"}),
    ))


def test_the_template_guides_typing_and_reads_back(tmp_path):
    path = tmp_path / "thu-giay-phieu-tra-loi.xlsx"
    write_template(paper_quiz(), path)
    book = load_workbook(path)
    sheet = book["Trả lời"]
    assert [c.value for c in sheet[1]] == HEADER
    assert "A, C" in sheet["D1"].comment.text and "CB0001" in sheet["A1"].comment.text
    rules = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
    assert rules["C2:C501"].type == "list" and rules["C2:C501"].formula1 == '"A,B,C,D"'
    assert rules["F2:F501"].formula1 == '"A,B,C"' and rules["E2:E501"].formula1 == '"A,B"'
    assert rules["D2:D501"].type == "textLength" and "A, C" in rules["D2:D501"].prompt
    assert rules["B2:B501"].type == "date"
    assert "Hướng dẫn" in book.sheetnames
    guide = " ".join(str(c.value) for c in book["Hướng dẫn"]["A"] if c.value)
    assert "assessment grade TÊN_BÀI --answers TỆP.xlsx" in guide
    with pytest.raises(AnswerSheetError, match="không có dòng câu trả lời nào"):
        read_answer_sheet(path, KEY, today=TODAY)
    sheet.append(["CB0001", dt.date(2026, 12, 1), "B", "A, C", "A", "C"])
    book.save(path)
    rows, _ = read_answer_sheet(path, KEY, today=TODAY)
    assert rows[0].answers == {"q-mot": "B", "q-nhieu": "A, C", "q-dung-sai": "A", "q-ba": "C"}


def test_question_cells_are_read_back_as_the_notebook_writes_them():
    question = Question(
        id="thu-01", page="book/thu", tags=(), type="multiple", stem="Nhận định **nào** đúng?\n\n"
        "Dòng thứ hai của đề.", options={"A": "Một", "B": "Hai", "C": "Ba"}, answer=("A", "C"),
        explanation="Giải thích.", source="Nguồn.", points=2.0, part="phan-1", file="phan-1.yml")
    parsed = parse_question(question_markdown(7, question), "thu-01", "thu.ipynb")
    assert parsed == PaperQuestion(7, "thu-01", 2.0, "multiple", "Chọn tất cả phương án đúng.",
                                   question.stem, question.options)
    with pytest.raises(PaperError, match="không đúng mẫu"):
        parse_question("### Câu 1\n\nđề bài", "thu-01", "thu.ipynb")


def test_paper_options_go_with_answers_only(tmp_path):
    from click.testing import CliRunner

    from assessment.cli import main

    alone = CliRunner().invoke(main, ["grade", "thu", "--course-dir", str(tmp_path),
                                      "--date", "2026-12-01"])
    assert alone.exit_code == 2 and "--date và --roster chỉ dùng cùng --answers" in alone.output
    both = CliRunner().invoke(main, ["grade", "thu", "--course-dir", str(tmp_path), "--answers",
                                     str(tmp_path / "a.xlsx"), "--student", "CB0001"])
    assert both.exit_code == 2 and "--student không dùng cùng --answers" in both.output
    bad_day = CliRunner().invoke(main, ["grade", "thu", "--course-dir", str(tmp_path),
                                        "--answers", str(tmp_path / "a.xlsx"), "--date", "5/12"])
    assert bad_day.exit_code == 1
    assert "--date «5/12» không đúng dạng NĂM-THÁNG-NGÀY, ví dụ 2026-12-05." in bad_day.output
    no_quiz = CliRunner().invoke(main, ["grade", "thu", "--course-dir", str(tmp_path),
                                        "--answers", str(tmp_path / "a.xlsx")])
    assert no_quiz.exit_code == 1 and "không có tệp nguồn của bài 'thu'" in no_quiz.output
