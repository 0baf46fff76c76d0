"""The spreadsheet a trainer types paper answers into: ``<name>-phieu-tra-loi.xlsx``.

Row 1 is the header: "Mã cán bộ", "Ngày làm bài", then "Câu 1" … "Câu N"; one row per cadre
below it. Each header has a note (an Excel comment) on what to type; the cells have data
validation (a list of the letters for one-answer questions, a warning only, so "A, C" can still
be typed when a trainee marked two boxes). A second sheet, "Hướng dẫn", explains it all.
``assessment grade QUIZ_NAME --answers FILE`` reads it back (assessment/grading/paper.py).
"""

from __future__ import annotations

from pathlib import Path

from assessment.quiz.paper import PaperQuiz

HEADER_ID = "Mã cán bộ"
HEADER_DATE = "Ngày làm bài"
QUESTION_HEADER = "Câu {number}"
SHEET_TITLE = "Trả lời"
TEMPLATE_ROWS = 500  # rows that get data validation and formats

HOW_TO_TYPE = (
    "Gõ chữ cái học viên đã đánh dấu, ví dụ A. Câu chọn nhiều phương án: gõ các chữ cái cách "
    "nhau bởi dấu phẩy, ví dụ A, C. Câu đúng/sai: A là Đúng, B là Sai. Học viên bỏ trống thì "
    "để trống ô."
)
GUIDE = [
    "Cách gõ phiếu trả lời",
    "",
    "1. Mỗi học viên một dòng, ở trang «Trả lời», bắt đầu từ dòng 2. Không sửa dòng tiêu đề.",
    f"2. Cột «{HEADER_ID}»: mã trong danh sách cán bộ của đơn vị, ví dụ CB0001.",
    f"3. Cột «{HEADER_DATE}»: ngày học viên làm bài, dạng ngày/tháng/năm, ví dụ 05/12/2026. "
    "Để trống cả cột nếu cả lớp làm cùng ngày và ghi ngày bằng --date khi chấm.",
    "4. Cột «Câu 1», «Câu 2»…: " + HOW_TO_TYPE,
    "5. Lưu tệp (giữ dạng .xlsx), rồi trong thư mục quizzes chạy:",
    "   assessment grade TÊN_BÀI --answers TỆP.xlsx",
    "   Lệnh kiểm tra toàn bộ tệp trước; nếu có ô sai, lệnh báo từng ô (ví dụ C7) và chưa ghi "
    "gì vào sổ điểm. Sửa các ô đó rồi chạy lại.",
]


def template_path(out_dir: Path, name: str) -> Path:
    return out_dir / f"{name}-phieu-tra-loi.xlsx"


def has_typed_rows(path: Path) -> bool:
    """Whether an existing template already holds typed answers (then it is never replaced)."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True)
    except Exception:  # noqa: BLE001 - not a workbook we can read: keep it, to be safe
        return True
    try:
        sheet = book[SHEET_TITLE] if SHEET_TITLE in book.sheetnames else book.worksheets[0]
        return any(any(v not in (None, "") for v in row)
                   for row in sheet.iter_rows(min_row=2, values_only=True))
    finally:
        book.close()


def write_template(quiz: PaperQuiz, path: Path) -> None:
    """Write the answer template of ``quiz`` to ``path`` (an .xlsx file)."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    sheet.title = SHEET_TITLE
    headers = [HEADER_ID, HEADER_DATE] + [QUESTION_HEADER.format(number=q.number)
                                          for q in quiz.questions]
    sheet.append(headers)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for cell in sheet[1]:
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(horizontal="center")
    last = TEMPLATE_ROWS + 1

    def note(column: int, text: str) -> None:
        comment = Comment(text, "assessment")
        comment.width, comment.height = 300, 150
        sheet.cell(row=1, column=column).comment = comment

    note(1, f"{HEADER_ID}: mã trong danh sách cán bộ, ví dụ CB0001. Mỗi học viên một dòng.")
    note(2, f"{HEADER_DATE}: ngày/tháng/năm, ví dụ 05/12/2026. Có thể để trống và ghi "
            "--date khi chấm.")
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 14
    ids = DataValidation(type="textLength", operator="between", formula1="1", formula2="64",
                         allow_blank=True, promptTitle=HEADER_ID,
                         prompt="Mã cán bộ, ví dụ CB0001 (chữ không dấu, số, - hoặc _).")
    days = DataValidation(type="date", operator="greaterThan", formula1="36526",
                          allow_blank=True, errorStyle="warning", promptTitle=HEADER_DATE,
                          prompt="Ngày làm bài, ví dụ 05/12/2026.",
                          error="Ghi ngày dạng ngày/tháng/năm, ví dụ 05/12/2026.")
    for validation in (ids, days):
        sheet.add_data_validation(validation)
    ids.add(f"A2:A{last}")
    days.add(f"B2:B{last}")
    for row in range(2, last + 1):
        sheet.cell(row=row, column=1).number_format = "@"  # keeps leading zeros: 00123
        sheet.cell(row=row, column=2).number_format = "DD/MM/YYYY"
    for column, question in enumerate(quiz.questions, start=3):
        letter = get_column_letter(column)
        sheet.column_dimensions[letter].width = 8
        letters = ", ".join(question.letters)
        if question.kind == "multiple":
            text = f"Câu {question.number}: chọn nhiều phương án ({letters}); gõ ví dụ A, C."
            validation = DataValidation(type="textLength", operator="lessThanOrEqual",
                                        formula1="20", allow_blank=True, errorStyle="warning")
        else:
            extra = " (A: Đúng, B: Sai)" if question.kind == "true_false" else ""
            text = f"Câu {question.number}: gõ một chữ cái {letters}{extra}."
            validation = DataValidation(type="list", formula1=f'"{",".join(question.letters)}"',
                                        allow_blank=True, errorStyle="warning")
        validation.promptTitle = f"Câu {question.number}"
        validation.prompt = text
        validation.error = f"{text} Để trống nếu học viên không trả lời."
        validation.showErrorMessage = validation.showInputMessage = True
        sheet.add_data_validation(validation)
        validation.add(f"{letter}2:{letter}{last}")
        note(column, f"{text} {HOW_TO_TYPE}")
    sheet.freeze_panes = "C2"
    guide = book.create_sheet("Hướng dẫn")
    guide.column_dimensions["A"].width = 110
    guide.append([quiz.title])
    guide.append([f"Mã bài: {quiz.name} · {len(quiz.questions)} câu"])
    for line in GUIDE:
        guide.append([line])
    guide["A1"].font = Font(bold=True, size=13)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
