"""The Excel workbook for officials: one sheet per view, formatted as a person would.

Headers in Vietnamese, bold on a tinted row tall enough for its wrapped text and frozen in
view, a filter on every header, column widths fitted to the content, percentages as
percentages, dates as dates. Printed (or in a print preview): landscape A4, one page wide, the
header row repeated on every page, a footer with the sheet's name and the page number.

Written with XlsxWriter in constant-memory mode (row by row, as openpyxl's write-only mode
does, but about twice as fast: see ``bench/bench_report.py``).

>>> write_workbook(Path("report.xlsx"), tables, [("Ngày chốt", "30/11/2026")])  # doctest: +SKIP
"""

from __future__ import annotations

import math
from pathlib import Path

from assessment.report.tables import Table

SHEET_NAMES = {
    "groups": "Theo nhóm", "units": "Theo đơn vị", "levels": "Theo cấp",
    "sex": "Theo giới tính", "not_trained": "Chưa đạt", "unmatched": "Không khớp danh sách",
    "undated": "Đạt nhưng không có ngày", "items": "Phân tích câu hỏi",
}
INFO_SHEET = "Thông tin"
INFO_WIDTHS = (30, 100)

FORMATS = {"percent": "0.0%", "int": "#,##0", "number": "0.00", "date": "dd/mm/yyyy",
           "datetime": "dd/mm/yyyy hh:mm"}
FONT = {"font_name": "Arial", "font_size": 10}
HEADER = {"bold": True, "font_color": "#FFFFFF", "bg_color": "#1F4E79", "text_wrap": True,
          "valign": "vcenter", "align": "center", "border": 1, "border_color": "#BFBFBF"}
# Page footer: sheet name on the left, "Trang 2 / 7" on the right (Excel's &A, &P, &N codes).
FOOTER = "&L&A&RTrang &P / &N"
PAPER_A4 = 9
MAX_WIDTH = 60
MIN_WIDTH = 9
HEADER_LINES = 3          # a long header is made wide enough to wrap into at most 3 lines
SHORT_HEADER = 12         # a header this short stays on one line
LINE_HEIGHT = 13.0        # points per line of 10-point text
BOLD_FACTOR = 1.2         # bold letters are wider than the digits widths are counted in


def display_width(value: object, kind: str) -> int:
    """Characters a value takes on screen once formatted (percent "85.4%", date 30/11/2024)."""
    if value is None:
        return 0
    if kind == "percent":
        return 7
    if kind in ("date", "datetime"):
        return 11 if kind == "date" else 17
    if kind == "int" and isinstance(value, int | float):
        return len(f"{value:,.0f}")
    if kind == "number" and isinstance(value, int | float):
        return len(f"{value:.2f}")
    return len(str(value))


def wrapped_lines(text: str, width: float, factor: float = 1.0) -> int:
    """Lines ``text`` takes when wrapped at word boundaries in a column ``width`` wide."""
    room = max(1, int((width - 1) / factor))
    lines, used = 1, 0
    for word in str(text).split():
        if used and used + 1 + len(word) <= room:
            used += 1 + len(word)
            continue
        if used:
            lines += 1
        lines += (len(word) - 1) // room  # a word longer than the line breaks inside
        used = (len(word) - 1) % room + 1
    return lines


def column_widths(headers: list[str], columns: list[list[object]], kinds: list[str]) -> list[int]:
    """Each column as wide as its longest value, and wide enough for its header to stay on one
    line (short headers) or wrap into at most three lines without cutting a word; between 9
    and 60 characters."""
    widths = []
    for header, values, kind in zip(headers, columns, kinds, strict=True):
        longest = max((display_width(v, kind) for v in values), default=0)
        words = str(header).split() or [""]
        size = len(str(header))
        header_need = BOLD_FACTOR * (size if size <= SHORT_HEADER else
                                     max(max(len(w) for w in words), size / HEADER_LINES))
        widths.append(max(MIN_WIDTH, min(MAX_WIDTH, math.ceil(max(longest, header_need) + 2))))
    return widths


def header_height(headers: list[str], widths: list[int]) -> float:
    """Row height (points) that shows every wrapped header whole."""
    lines = max((wrapped_lines(h, w, BOLD_FACTOR) for h, w in zip(headers, widths, strict=True)),
                default=1)
    return lines * LINE_HEIGHT + 4


def _print_setup(ws) -> None:
    """Landscape A4, one page wide, header row repeated on every page, footer, frozen header."""
    ws.set_landscape()
    ws.set_paper(PAPER_A4)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)
    ws.set_footer(FOOTER)
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.7)
    ws.freeze_panes(1, 0)


class _Styles:
    """The workbook's formats, made once: header, and (number format, bold) for cells."""

    def __init__(self, book) -> None:
        self.book = book
        self.header = book.add_format({**FONT, **HEADER})
        self.wrap = book.add_format({**FONT, "text_wrap": True, "valign": "top"})
        self._cells: dict[tuple[str, bool], object] = {}

    def cell(self, kind: str, bold: bool = False):
        key = (kind, bold)
        if key not in self._cells:
            props = dict(FONT)
            if kind in FORMATS:
                props["num_format"] = FORMATS[kind]
            if bold:
                props["bold"] = True
            self._cells[key] = self.book.add_format(props)
        return self._cells[key]


def _write_table(book, styles: _Styles, table: Table) -> None:
    ws = book.add_worksheet(SHEET_NAMES.get(table.key, table.key)[:31])
    frame = table.frame
    headers = [str(h) for h in frame.columns]
    kinds = [table.kinds.get(h, "text") for h in frame.columns]
    missing = [frame[h].isna().tolist() for h in frame.columns]
    columns = [[None if gap else v for v, gap in zip(frame[h].tolist(), holes, strict=True)]
               for h, holes in zip(frame.columns, missing, strict=True)]
    widths = column_widths(headers, columns, kinds)
    for i, width in enumerate(widths):
        ws.set_column(i, i, width, styles.cell(kinds[i]))
    _print_setup(ws)
    rows = len(frame)
    if rows:
        ws.autofilter(0, 0, rows, len(headers) - 1)
    ws.set_row(0, header_height(headers, widths))
    ws.write_row(0, 0, headers, styles.header)
    writers = []
    for kind in kinds:
        if kind == "text":
            writers.append((ws.write_string, str))
        elif kind in ("date", "datetime"):
            writers.append((ws.write_datetime, None))
        else:
            writers.append((ws.write_number, float))
    plain = [styles.cell(k) for k in kinds]
    bold = [styles.cell(k, bold=True) for k in kinds]
    for r in range(rows):
        formats = bold if table.key == "groups" and r == rows - 1 else plain  # the total row
        for c, values in enumerate(columns):
            value = values[r]
            if value is None or value == "":
                continue
            write, convert = writers[c]
            write(r + 1, c, convert(value) if convert else value, formats[c])


def _write_info(book, styles: _Styles, info: list[tuple[str, str]]) -> None:
    ws = book.add_worksheet(INFO_SHEET)
    for i, width in enumerate(INFO_WIDTHS):
        ws.set_column(i, i, width)
    _print_setup(ws)
    ws.set_row(0, LINE_HEIGHT + 4)
    ws.write_row(0, 0, ["Mục", "Nội dung"], styles.header)
    label = styles.cell("text", bold=True)
    for r, (key, text) in enumerate(info, start=1):
        lines = max(wrapped_lines(key, INFO_WIDTHS[0], BOLD_FACTOR),
                    wrapped_lines(text, INFO_WIDTHS[1]))
        ws.set_row(r, lines * LINE_HEIGHT + 3)
        ws.write_string(r, 0, key, label)
        ws.write_string(r, 1, text, styles.wrap)


def write_workbook(path: Path, tables: list[Table], info: list[tuple[str, str]]) -> None:
    """Write every table to its own sheet, then the sheet of parameters and notes."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {
        "constant_memory": True, "remove_timezone": True, "default_format_properties": FONT,
        "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False,
        "tmpdir": str(path.parent),  # its row files stay in the report's own temporary folder
    })
    styles = _Styles(book)
    for table in tables:
        _write_table(book, styles, table)
    _write_info(book, styles, info)
    book.close()
