"""The roster: who must be trained, read from the .xlsx or .csv file an office keeps.

One row per cadre. Column headers may be typed in Vietnamese ("Mã cán bộ", "Họ và tên",
"Đơn vị", "Cấp", "Nhóm", optional "Giới tính", "Dân tộc", "Email") or as ASCII aliases
("ma_can_bo", "ho_ten", "id", "unit"…); a title above the header row is fine. Ids are trimmed
and compared without regard to case; names are kept as written.

>>> from assessment.report.targets import load_targets
>>> roster = read_roster("danh-sach.xlsx", load_targets("quizzes/targets.yml"))  # doctest: +SKIP
>>> roster.frame.columns.tolist()  # doctest: +SKIP
['row', 'id', 'key', 'name', 'unit', 'level', 'group', 'sex', 'ethnicity', 'email']
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from python_calamine import CalamineError, CalamineWorkbook, SheetVisibleEnum

from assessment.report.errors import ReportInputError, at, column_letter, join_errors, where
from assessment.report.targets import Targets
from assessment.vntext import LEGACY_DECODERS, clean, decode_legacy, fold, nfc

# field → (Vietnamese header shown in messages, other headers accepted, compared folded)
FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "id": ("Mã cán bộ", ("ma", "ma cb", "ma so", "ma hoc vien", "ma dinh danh", "id",
                         "student id", "ma can bo")),
    "name": ("Họ và tên", ("ho ten", "ho va ten", "ten", "name", "full name")),
    "unit": ("Đơn vị", ("don vi", "co quan", "co quan don vi", "don vi cong tac", "unit")),
    "level": ("Cấp", ("cap", "cap hanh chinh", "level")),
    "group": ("Nhóm", ("nhom", "nhom doi tuong", "doi tuong", "group", "target group")),
    "sex": ("Giới tính", ("gioi tinh", "gioi", "sex", "gender")),
    "ethnicity": ("Dân tộc", ("dan toc", "ethnicity")),
    "email": ("Email", ("email", "e mail", "thu dien tu")),
}
REQUIRED = ("id", "name", "unit", "level", "group")
COLUMNS = ["row", "id", "key", "name", "unit", "level", "group", "sex", "ethnicity", "email"]
_ALIASES = {alias: f for f, (_, aliases) in FIELDS.items() for alias in aliases}
HEADER_SCAN_ROWS = 10  # a title and a few blank rows may sit above the header

SAVE_AS_UTF8 = (
    "Cách sửa: mở tệp bằng Excel, chọn File › Save As (Lưu thành), ở ô «Save as type» chọn "
    "«CSV UTF-8 (Comma delimited) (*.csv)», lưu lại rồi chạy lệnh lần nữa. Nếu tệp gõ bằng "
    "phông .VnTime (TCVN3) hoặc VNI, chuyển sang Unicode trước (ví dụ bằng Unikey: công cụ "
    "chuyển mã, Ctrl+Shift+F6)."
)


@dataclass
class Roster:
    """The cadres (one row each, columns ``COLUMNS``) and notes about how the file was read."""

    path: Path
    frame: pd.DataFrame
    notices: list[str] = field(default_factory=list)


@dataclass
class _Sheet:
    """A grid of cell values with 1-based row numbers, from either kind of file."""

    rows: list[tuple[int, list[object]]]
    label: str
    merged: list[tuple[int, int, int, int, str]] = field(default_factory=list)  # r1,c1,r2,c2,ref


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean(value)


def _decode_csv(path: Path, data: bytes, encoding: str, notices: list[str]) -> str:
    if encoding in LEGACY_DECODERS:
        return LEGACY_DECODERS[encoding](data)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode Text" is UTF-16
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        if encoding == "utf-8":
            raise ReportInputError(
                f"{at(path, line)}: tệp không phải UTF-8.\n{SAVE_AS_UTF8}") from None
    guess = decode_legacy(data)
    if guess is None:
        raise ReportInputError(
            f"{at(path, line)}: tệp CSV không được lưu dạng UTF-8 và không nhận ra chắc "
            f"chắn bảng mã cũ (Windows-1258 hay TCVN3).\n{SAVE_AS_UTF8}")
    text, name = guess
    notices.append(
        f"Tệp «{path}» được lưu bằng bảng mã cũ {name}; đã tự chuyển sang Unicode để đọc. "
        "Nên lưu lại tệp dạng «CSV UTF-8» để lần sau không phải đoán.")
    return text


def _read_csv(path: Path, encoding: str, notices: list[str]) -> _Sheet:
    text = _decode_csv(path, path.read_bytes(), encoding, notices)
    first = next((line for line in text.splitlines() if line.strip()), "")
    # Excel on a Vietnamese Windows separates with ";" (the decimal mark is ",").
    delimiter = max([",", ";", "\t"], key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return _Sheet(rows=[(i, list(r)) for i, r in enumerate(reader, start=1)], label=str(path))


def _read_xlsx(path: Path) -> _Sheet:
    if path.suffix.lower() == ".xls":
        raise ReportInputError(
            f"{at(path)}: đây là tệp Excel đời cũ (.xls). Mở bằng Excel, chọn "
            "File › Save As, chọn «Excel Workbook (*.xlsx)», rồi dùng tệp .xlsx mới.")
    # calamine (Rust) reads 20,000 rows in well under a second; openpyxl takes many seconds.
    try:
        book = CalamineWorkbook.from_path(str(path))
        visible = [m.name for m in book.sheets_metadata
                   if m.visible == SheetVisibleEnum.Visible]
        sheets = [_calamine_sheet(book.get_sheet_by_name(name), path) for name in visible]
    except (CalamineError, OSError, ValueError) as error:
        raise ReportInputError(
            f"{at(path)}: không mở được tệp Excel ({error.__class__.__name__}). "
            "Kiểm tra tệp có mở được bằng Excel không, rồi lưu lại dạng .xlsx.") from None
    if not sheets:
        raise ReportInputError(f"{at(path)}: tệp Excel không có trang nào đang hiện.")
    # The first sheet that has a header row; else the first sheet (its error names it).
    return next((s for s in sheets if _find_header(s)[0] is not None), sheets[0])


def _calamine_sheet(sheet, path: Path) -> _Sheet:
    """A sheet's cells with Excel's own row and column numbers (calamine trims empty edges)."""
    values = sheet.to_python()
    first_row, first_col = sheet.start if values else (0, 0)
    pad = [""] * first_col
    rows = [(first_row + i + 1, pad + list(r)) for i, r in enumerate(values)]
    merged = []
    for (r1, c1), (r2, c2) in sheet.merged_cell_ranges or []:
        ref = f"{column_letter(c1 + 1)}{r1 + 1}:{column_letter(c2 + 1)}{r2 + 1}"
        merged.append((r1 + 1, c1 + 1, r2 + 1, c2 + 1, ref))
    return _Sheet(rows=rows, label=f"{path}» trang «{sheet.name}", merged=merged)


def _match(header: object) -> str | None:
    return _ALIASES.get(fold(_cell_text(header)))


def _find_header(sheet: _Sheet) -> tuple[int | None, list[object]]:
    """The row (number, cells) with the most recognised headers among the first rows."""
    best, best_hits = (None, []), 1
    for number, cells in sheet.rows[:HEADER_SCAN_ROWS]:
        hits = len({_match(c) for c in cells} - {None})
        if hits > best_hits:
            best, best_hits = (number, cells), hits
    return best


def _columns(sheet: _Sheet, path: Path) -> tuple[int, dict[str, int], dict[str, str]]:
    """Header row number, field → 0-based column index, field → header as written."""
    if not any(any(_cell_text(c) for c in cells) for _, cells in sheet.rows):
        raise ReportInputError(
            f"{at(sheet.label)}: tệp trống, không có dòng nào. Cần một dòng tiêu đề "
            "(Mã cán bộ, Họ và tên, Đơn vị, Cấp, Nhóm) và mỗi cán bộ một dòng.")
    number, cells = _find_header(sheet)
    if number is None:
        raise ReportInputError(
            f"{at(sheet.label, 1)}: không tìm thấy dòng tiêu đề trong "
            f"{HEADER_SCAN_ROWS} dòng đầu. Cần các cột: "
            + ", ".join(f"«{FIELDS[f][0]}»" for f in REQUIRED) + ".")
    for r1, _c1, r2, _c2, ref in sheet.merged:
        if r1 <= number <= r2:
            raise ReportInputError(
                f"{at(sheet.label, number)}: ô tiêu đề {ref} đang được gộp (merge). "
                "Cách sửa: chọn vùng đó, bấm «Merge & Center» để bỏ gộp, để mỗi cột có đúng một "
                "tiêu đề trên cùng một dòng (ví dụ «Họ và tên»), rồi lưu lại.")
    index: dict[str, int] = {}
    written: dict[str, str] = {}
    for col, cell in enumerate(cells):
        name = _match(cell)
        if name is None:
            continue
        if name in index:
            raise ReportInputError(
                f"{at(sheet.label, number, col + 1, _cell_text(cell))}: hai cột cùng là "
                f"«{FIELDS[name][0]}» (cột kia: «{written[name]}»). Xóa hoặc đổi tên một cột.")
        index[name], written[name] = col, _cell_text(cell)
    missing = [FIELDS[f][0] for f in REQUIRED if f not in index]
    if missing:
        found = ", ".join(f"«{_cell_text(c)}»" for c in cells if _cell_text(c)) or "(trống)"
        raise ReportInputError(
            f"{at(sheet.label, number)}: thiếu cột "
            + ", ".join(f"«{m}»" for m in missing)
            + f". Dòng tiêu đề đang có: {found}. Thêm cột còn thiếu (đúng tên như trên) "
            "rồi chạy lại.")
    return number, index, written


def _check_merged_data(sheet: _Sheet, header_row: int) -> list[str]:
    return [
        f"{where(sheet.label, r1, c1)}: các ô {ref} đang được gộp (merge). Bỏ gộp và ghi giá trị "
        "vào từng dòng, vì mỗi cán bộ cần đủ thông tin trên dòng của mình."
        for r1, c1, _r2, _c2, ref in sheet.merged if r1 > header_row
    ]


class _Memo(dict):
    """``lookup(text)``, computed once per distinct text."""

    def __init__(self, lookup) -> None:
        super().__init__()
        self.lookup = lookup

    def __call__(self, text: str):
        if text not in self:
            self[text] = self.lookup(text)
        return self[text]


def read_roster(path: Path | str, targets: Targets, encoding: str = "auto") -> Roster:
    """Read and check a roster; raise ReportInputError listing every problem found.

    ``encoding`` (CSV only): "auto" (UTF-8, else a legacy encoding when it is clear),
    "utf-8", "Windows-1258" or "TCVN3".
    """
    path = Path(path)
    if not path.is_file():
        raise ReportInputError(f"{at(path)}: không tìm thấy tệp danh sách cán bộ.")
    notices: list[str] = []
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        sheet = _read_csv(path, encoding, notices)
    elif suffix in (".xlsx", ".xlsm", ".xls"):
        sheet = _read_xlsx(path)
    else:
        raise ReportInputError(
            f"{at(path)}: chỉ đọc được tệp .xlsx hoặc .csv (tệp này là «{suffix}»). "
            "Mở tệp bằng Excel và lưu lại dạng .xlsx.")
    header_row, index, written = _columns(sheet, path)
    problems = _check_merged_data(sheet, header_row)
    records, first_row_of = [], {}
    # A roster repeats a few groups and levels thousands of times: look each spelling up once.
    groups = _Memo(targets.find_group)
    levels = _Memo(targets.find_level)
    for number, cells in sheet.rows:
        if number <= header_row:
            continue
        values = {f: _cell_text(cells[i]) if i < len(cells) else "" for f, i in index.items()}
        if values.get("name"):  # names are kept as written, only trimmed
            values["name"] = nfc(str(cells[index["name"]])).strip()
        if not any(values.values()):
            continue  # blank line

        def bad(name: str, message: str, number: int = number) -> None:
            problems.append(
                f"{where(sheet.label, number, index[name] + 1, written[name])}: {message}")

        for name in REQUIRED:
            if not values[name]:
                bad(name, f"ô «{FIELDS[name][0]}» đang trống. Điền vào, hoặc xóa dòng nếu thừa.")
        group = groups(values["group"]) if values["group"] else None
        if values["group"] and group is None:
            allowed = "; ".join(f"«{g.name}» (mã {g.code})" for g in targets.groups)
            bad("group", f"nhóm «{values['group']}» không có trong tệp chỉ tiêu. Ghi một trong "
                         f"các nhóm: {allowed}.")
        level = levels(values["level"]) if values["level"] else None
        if values["level"] and level is None:
            allowed = ", ".join(f"«{lv.name}»" for lv in targets.levels)
            bad("level", f"cấp «{values['level']}» không có trong tệp chỉ tiêu "
                         f"«{targets.path.name}» (có: {allowed}). Sửa ô này, hoặc dùng tệp chỉ "
                         "tiêu đúng với cơ cấu của danh sách.")
        key = values["id"].casefold()
        if key and key in first_row_of:
            bad("id", f"mã «{values['id']}» trùng với dòng {first_row_of[key]}. Mỗi cán bộ chỉ "
                      "một dòng: xóa dòng trùng hoặc sửa mã cho đúng.")
        elif key:
            first_row_of[key] = number
        records.append({
            "row": number, "id": values["id"], "key": key, "name": values["name"],
            "unit": values["unit"], "level": level.code if level else "",
            "group": group.code if group else "", "sex": values.get("sex", ""),
            "ethnicity": values.get("ethnicity", ""), "email": values.get("email", ""),
        })
    if problems:
        raise ReportInputError(
            f"Danh sách cán bộ có {len(problems)} lỗi, chưa lập báo cáo:\n" + join_errors(problems))
    if not records:
        raise ReportInputError(
            f"{at(sheet.label, header_row)}: có dòng tiêu đề nhưng không có cán bộ nào. "
            "Thêm mỗi cán bộ một dòng dưới dòng tiêu đề.")
    return Roster(path=path, frame=pd.DataFrame.from_records(records, columns=COLUMNS),
                  notices=notices)
