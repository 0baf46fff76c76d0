"""Paper answer sheets: the answers a trainer typed in (.xlsx or .csv), checked, then recorded.

The file is the template of ``assessment quiz print`` (``<name>-phieu-tra-loi.xlsx``) or any
sheet with the same header: "Mã cán bộ", optional "Ngày làm bài", then "Câu 1" … "Câu N"
(headers typed without diacritics are fine, other columns such as "Họ và tên" are ignored).
A CSV is read as UTF-8 (with or without BOM), separated by ``,``, ``;`` or a tab.

Everything is checked first; every problem is reported with its cell ("C7"), its column's
header and what to do, and nothing is written to the gradebook unless the whole file is valid.
Then all rows are recorded in one transaction by ``assessment.grading.record.record_many``,
as the same rows ``nbgrader autograde`` writes, dated by "Ngày làm bài" or ``--date``
(noon, Vietnam time).

>>> key = key_from_source(Path("."), "kiem-tra-cuoi-khoa-dot-2")          # doctest: +SKIP
>>> grade_answer_sheet("tra-loi.xlsx", key, "sqlite:///gradebook.db",     # doctest: +SKIP
...                    day=date(2026, 12, 5)).totals
{'CB0001': 38.0, 'CB0002': 21.0}
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from assessment.grading.key import QuizKey
from assessment.quiz.answer_template import HEADER_DATE, HEADER_ID, SHEET_TITLE
from assessment.quiz.answers import normalise_answer
from assessment.vntext import fold

TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
ID_HEADERS = {"ma can bo", "ma cb", "ma", "ma so", "ma hoc vien", "id", "student id"}
DATE_HEADERS = {"ngay lam bai", "ngay", "ngay thi", "date"}
NAME_HEADERS = {"ho va ten", "ho ten", "name"}
QUESTION_HEADER = re.compile(r"^cau\s*(?:so\s*)?(\d+)$")
DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d")
HEADER_SCAN_ROWS = 10
FIX = "Sửa các ô trên rồi chạy lại lệnh; chưa có gì được ghi vào sổ điểm."


class AnswerSheetError(Exception):
    """The typed answers cannot be recorded; ``problems`` lists every one, in Vietnamese."""

    def __init__(self, path: Path | str, problems: list[str], limit: int = 30):
        self.problems = problems
        lines = [f"  - {p}" for p in problems[:limit]]
        if len(problems) > limit:
            lines.append(f"  - … và {len(problems) - limit} lỗi khác.")
        super().__init__(f"Tệp «{path}» có {len(problems)} lỗi:\n" + "\n".join(lines)
                         + f"\n{FIX}")


@dataclass
class TypedRow:
    """One cadre's typed answers: sheet row, id, day of the quiz, grade_id -> raw answer."""

    row: int
    student_id: str
    day: date
    answers: dict[str, str | None]
    name: tuple[str, str] | None = None  # (first_name, last_name), from the roster


@dataclass
class SheetResult:
    rows: list[TypedRow]
    totals: dict[str, float]
    notices: list[str] = field(default_factory=list)


def cell_ref(column: int, row: int) -> str:
    """Excel's name of a cell: ``cell_ref(3, 7) == "C7"`` (column 1-based)."""
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return f"{letters}{row}"


def text_of(value: object) -> str:
    """A cell's value as trimmed text (1.0 → "1", dates as dd/mm/yyyy)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime | date):
        return f"{value:%d/%m/%Y}"
    return " ".join(str(value).split())


def read_rows(path: Path) -> list[tuple[int, list[object]]]:
    """(row number as Excel shows it, cell values) of the sheet holding the answers."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise AnswerSheetError(path, ["không tìm thấy tệp. Kiểm tra lại đường dẫn."])
    if suffix == ".csv":
        data = path.read_bytes()
        try:
            text = (data.decode("utf-16") if data.startswith((b"\xff\xfe", b"\xfe\xff"))
                    else data.decode("utf-8-sig"))
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            raise AnswerSheetError(path, [
                f"dòng {line}: tệp CSV không ở dạng UTF-8. Mở bằng Excel, chọn File › Save As, "
                "kiểu «CSV UTF-8 (Comma delimited)», rồi chạy lại (hoặc dùng tệp .xlsx)."]
            ) from None
        first = next((line for line in text.splitlines() if line.strip()), "")
        delimiter = max([",", ";", "\t"], key=first.count)
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        return [(number, list(cells)) for number, cells in enumerate(reader, start=1)]
    if suffix not in (".xlsx", ".xlsm"):
        raise AnswerSheetError(path, [
            f"chỉ đọc được tệp .xlsx hoặc .csv (tệp này là «{suffix or 'không có đuôi'}»). "
            "Mở bằng Excel và lưu lại dạng .xlsx."])
    # calamine (Rust) reads a thousand rows in a fraction of a second; openpyxl takes seconds.
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        names = book.sheet_names
        sheet = book.get_sheet_by_name(SHEET_TITLE if SHEET_TITLE in names else names[0])
        values = sheet.to_python()
    except (CalamineError, OSError, ValueError, IndexError) as error:
        raise AnswerSheetError(path, [
            f"không mở được tệp Excel ({error.__class__.__name__}). Kiểm tra tệp mở được bằng "
            "Excel, rồi lưu lại dạng .xlsx."]) from None
    first_row, first_col = sheet.start if values else (0, 0)  # calamine trims empty edges
    return [(first_row + i + 1, [None] * first_col + list(cells))
            for i, cells in enumerate(values)]


def parse_day(value: object) -> date | None:
    """A typed date (Excel date, "05/12/2026", "2026-12-05"...), or None if not a date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = text_of(value)
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


@dataclass
class Columns:
    header_row: int
    student: int  # 0-based column indexes
    day: int | None
    questions: dict[int, int]  # question number -> column
    headers: dict[int, str]  # column -> header as written


def find_columns(rows: list[tuple[int, list[object]]], key: QuizKey, path: Path) -> Columns:
    """Locate the header row and its columns; raise on a missing or doubled column."""
    header = next(((number, cells) for number, cells in rows[:HEADER_SCAN_ROWS]
                   if any(fold(text_of(c)) in ID_HEADERS for c in cells)), None)
    if header is None:
        raise AnswerSheetError(path, [
            f"không thấy dòng tiêu đề có cột «{HEADER_ID}» trong {HEADER_SCAN_ROWS} dòng đầu. "
            f"Dùng tệp mẫu của `assessment quiz print {key.name}` (dòng 1: «{HEADER_ID}», "
            f"«{HEADER_DATE}», «Câu 1»…)."])
    number, cells = header
    problems: list[str] = []
    found: dict[str, int] = {}
    questions: dict[int, int] = {}
    headers = {i: text_of(c) for i, c in enumerate(cells)}
    count = len(key.questions)
    for index, written in headers.items():
        folded, ref = fold(written), cell_ref(index + 1, number)
        match = QUESTION_HEADER.match(folded)
        kind = ("student" if folded in ID_HEADERS else "day" if folded in DATE_HEADERS
                else None)
        if kind:
            if kind in found:
                problems.append(f"ô {ref}: cột «{written}» bị lặp (đã có ở ô "
                                f"{cell_ref(found[kind] + 1, number)}). Xóa một cột.")
            found.setdefault(kind, index)
        elif match:
            n = int(match.group(1))
            if not 1 <= n <= count:
                problems.append(f"ô {ref}: cột «{written}» không có trong bài {key.name}, bài chỉ "
                                f"có {count} câu (Câu 1 đến Câu {count}). Tệp có đúng là của "
                                "bài này không? Xóa cột thừa hoặc dùng đúng tệp mẫu.")
            elif n in questions:
                problems.append(f"ô {ref}: cột «{written}» bị lặp (đã có ở ô "
                                f"{cell_ref(questions[n] + 1, number)}). Xóa một cột.")
            else:
                questions[n] = index
        elif folded.startswith("cau"):
            problems.append(f"ô {ref}: không hiểu tiêu đề «{written}»; cột câu hỏi ghi "
                            "«Câu 1», «Câu 2»…")
    missing = [n for n in range(1, count + 1) if n not in questions]
    if missing:
        shown = ", ".join(f"«Câu {n}»" for n in missing[:10]) + ("…" if len(missing) > 10 else "")
        problems.append(f"dòng {number} (tiêu đề): thiếu cột {shown}. Bài {key.name} có {count} "
                        "câu, mỗi câu một cột; thêm cột còn thiếu hoặc dùng đúng tệp mẫu.")
    if problems:
        raise AnswerSheetError(path, problems)
    return Columns(number, found["student"], found.get("day"), questions, headers)


def check_answer(value: object, question, ref: str, header: str) -> tuple[str | None, str | None]:
    """(the raw answer or None if blank, a problem or None)."""
    text = text_of(value)
    if not text:
        return None, None
    if isinstance(value, int | float) or normalise_answer(text, question.letters,
                                                          question.words) is None:
        letters = ", ".join(question.letters)
        words = " hoặc Đúng/Sai" if question.words else ""
        return None, (f"ô {ref} (cột «{header}»): «{text}» không phải câu trả lời hợp lệ. Gõ "
                      f"chữ cái {letters}{words}; nhiều chữ cái thì cách nhau bởi dấu phẩy "
                      "(ví dụ A, C); để trống nếu học viên không trả lời.")
    return text, None


def read_answer_sheet(path: Path | str, key: QuizKey, *, day: date | None = None,
                      roster: dict[str, tuple[str, str]] | None = None,
                      today: date | None = None) -> tuple[list[TypedRow], list[str]]:
    """Every typed row of ``path``, checked; raise AnswerSheetError listing all problems.

    ``day`` dates the rows whose "Ngày làm bài" is blank (or all rows, without that column).
    ``roster`` maps an id in lower case to (id as written, full name); ids not in it are errors.
    Returns the rows and notices (rows without any answer).
    """
    path = Path(path)
    rows = read_rows(path)
    columns = find_columns(rows, key, path)
    today = today or datetime.now(TIMEZONE).date()
    problems: list[str] = []
    notices: list[str] = []
    if day is not None and (day > today or day.year < 2000):
        problems.append(f"--date {day:%Y-%m-%d} không thể là ngày làm bài (hôm nay là "
                        f"{today:%d/%m/%Y}). Sửa lại ngày.")
    if columns.day is None and day is None:
        problems.append(f"không có cột «{HEADER_DATE}» và không có --date: không biết ngày làm "
                        f"bài. Thêm cột «{HEADER_DATE}» hoặc ghi --date NĂM-THÁNG-NGÀY.")
    by_number = {q.number: q for q in key.questions}
    seen: dict[str, int] = {}
    typed: list[TypedRow] = []
    id_header = columns.headers[columns.student]
    for number, cells in rows:
        if number <= columns.header_row or not any(text_of(c) for c in cells):
            continue

        def cell(index: int | None, cells: list[object] = cells) -> object:
            return cells[index] if index is not None and index < len(cells) else None

        id_ref = f"ô {cell_ref(columns.student + 1, number)} (cột «{id_header}»)"
        student = text_of(cell(columns.student))
        if not student:
            problems.append(f"{id_ref}: thiếu mã cán bộ, dòng {number} lại có câu trả lời. Gõ mã "
                            "cán bộ, hoặc xóa dòng nếu thừa.")
        elif not ID_PATTERN.match(student):
            problems.append(f"{id_ref}: mã cán bộ «{student}» không hợp lệ: chỉ gồm chữ không "
                            "dấu, số, «-», «_» hoặc «.», không có dấu cách (ví dụ CB0001).")
        elif roster is not None and student.casefold() not in roster:
            problems.append(f"{id_ref}: mã «{student}» không có trong danh sách cán bộ. Kiểm tra "
                            "mã trên phiếu trả lời, hoặc bổ sung cán bộ vào danh sách.")
        elif student.casefold() in seen:
            problems.append(f"{id_ref}: mã «{student}» trùng với dòng {seen[student.casefold()]}. "
                            "Mỗi cán bộ một dòng: xóa dòng trùng hoặc sửa mã cho đúng.")
        else:
            seen[student.casefold()] = number
        when = day
        if columns.day is not None and text_of(cell(columns.day)):
            day_ref = (f"ô {cell_ref(columns.day + 1, number)} "
                       f"(cột «{columns.headers[columns.day]}»)")
            when = parse_day(cell(columns.day))
            if when is None:
                problems.append(f"{day_ref}: «{text_of(cell(columns.day))}» không phải ngày. Ghi "
                                "ngày/tháng/năm, ví dụ 05/12/2026.")
            elif when > today or when.year < 2000:
                problems.append(f"{day_ref}: ngày {when:%d/%m/%Y} không thể là ngày làm bài "
                                f"(hôm nay là {today:%d/%m/%Y}). Sửa lại ngày.")
                when = None
        elif columns.day is not None and day is None:
            problems.append(f"ô {cell_ref(columns.day + 1, number)} (cột "
                            f"«{columns.headers[columns.day]}»): thiếu ngày làm bài. Ghi ngày "
                            "(ví dụ 05/12/2026), hoặc ghi --date cho các dòng để trống.")
        answers: dict[str, str | None] = {}
        for n, index in columns.questions.items():
            question = by_number[n]
            answer, problem = check_answer(cell(index), question,
                                           cell_ref(index + 1, number), columns.headers[index])
            if problem:
                problems.append(problem)
            answers[question.grade_id] = answer
        if student and not any(answers.values()):
            notices.append(f"Dòng {number} ({student}): không có câu trả lời nào, được 0 điểm.")
        name = None
        if roster is not None and student.casefold() in roster:
            student, full = roster[student.casefold()]
            name = split_name(full)
        if when is not None:
            typed.append(TypedRow(number, student, when, answers, name))
    if problems:
        raise AnswerSheetError(path, problems)
    if not typed:
        raise AnswerSheetError(path, [f"không có dòng câu trả lời nào dưới dòng tiêu đề "
                                      f"(dòng {columns.header_row}). Gõ mỗi học viên một dòng."])
    return typed, notices


def split_name(full: str) -> tuple[str, str]:
    """(first_name, last_name) as nbgrader keeps them: "Nguyễn Thị An" → ("An", "Nguyễn Thị")."""
    words = full.split()
    return (words[-1], " ".join(words[:-1])) if words else ("", "")


def read_roster_ids(path: Path | str) -> dict[str, tuple[str, str]]:
    """The roster's ids (lower case) -> (id as written, full name); raises ReportInputError."""
    from assessment.report.errors import ReportInputError, at
    from assessment.report.roster import (
        _cell_text,
        _find_header,
        _match,
        _read_csv,
        _read_xlsx,
    )

    path = Path(path)
    if not path.is_file():
        raise ReportInputError(f"{at(path)}: không tìm thấy tệp danh sách cán bộ.")
    sheet = (_read_csv(path, "auto", []) if path.suffix.lower() in (".csv", ".txt")
             else _read_xlsx(path))
    number, cells = _find_header(sheet)
    fields = {_match(c): i for i, c in enumerate(cells)} if number is not None else {}
    if "id" not in fields:
        raise ReportInputError(f"{at(sheet.label)}: không thấy cột «Mã cán bộ» trong danh sách.")
    found = {}
    for row, values in sheet.rows:
        if row <= number or fields["id"] >= len(values):
            continue
        student = _cell_text(values[fields["id"]])
        name = _cell_text(values[fields["name"]]) if "name" in fields and fields[
            "name"] < len(values) else ""
        if student:
            found.setdefault(student.casefold(), (student, name))
    return found


def noon(day: date) -> datetime:
    """The time a paper quiz of ``day`` is recorded at: 12:00, Vietnam time."""
    return datetime.combine(day, time(12, 0), tzinfo=TIMEZONE)


def grade_answer_sheet(path: Path | str, key: QuizKey, gradebook_url: str, *,
                       day: date | None = None, roster: Path | str | None = None,
                       today: date | None = None) -> SheetResult:
    """Check the typed answers of ``path``, then record them all in one transaction."""
    from assessment.grading.record import HandIn, record_many

    ids = read_roster_ids(roster) if roster is not None else None
    rows, notices = read_answer_sheet(path, key, day=day, roster=ids, today=today)
    hand_ins = [HandIn(row.student_id, row.answers, noon(row.day), row.name) for row in rows]
    totals = record_many(gradebook_url, key, hand_ins)
    return SheetResult(rows=rows, totals=totals, notices=notices)


def parse_date_option(text: str | None) -> date | None:
    """``--date`` as a date; raises ValueError with a Vietnamese message."""
    if text is None:
        return None
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d").date()
    except ValueError:
        raise ValueError(f"--date «{text}» không đúng dạng NĂM-THÁNG-NGÀY, ví dụ 2026-12-05."
                         ) from None


def grade_paper(course_dir: Path, name: str, answers: Path, *, day: str | None = None,
                roster: Path | None = None, db_url: str | None = None, echo=print) -> SheetResult:
    """``assessment grade NAME --answers FILE``: check, record, and print a summary.

    Raises ValueError (subclasses included) with a Vietnamese message on any problem; then
    nothing has been written.
    """
    import json

    from assessment.grading.key import key_from_source, source_path
    from assessment.report.errors import ReportInputError

    when = parse_date_option(day)
    key = key_from_source(course_dir, name)
    meta = json.loads(source_path(course_dir, name).read_text(encoding="utf-8"))
    pass_mark = float(meta.get("metadata", {}).get("assessment", {}).get("pass_mark", 0.7))
    db_url = db_url or f"sqlite:///{(course_dir / 'gradebook.db').resolve()}"
    try:
        result = grade_answer_sheet(answers, key, db_url, day=when, roster=roster)
    except (AnswerSheetError, ReportInputError) as error:
        raise ValueError(str(error)) from None
    passed = sum(1 for t in result.totals.values() if t >= pass_mark * key.max_score - 1e-9)
    echo(f"Bài {name}: đã ghi {len(result.totals)} phiếu trả lời trên giấy từ «{answers}» vào "
         f"sổ điểm (điểm tối đa {key.max_score:g}); {passed} người đạt (từ {pass_mark:.0%}).")
    for row in result.rows:
        echo(f"  dòng {row.row}: {row.student_id} — {result.totals[row.student_id]:g} điểm, "
             f"ngày {row.day:%d/%m/%Y}")
    for notice in result.notices:
        echo(f"Ghi chú: {notice}")
    return result
