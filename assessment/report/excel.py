"""The Excel workbook for officials: one sheet per view, formatted as a person would.

Headers in Vietnamese, bold on a tinted row that stays in view (frozen), a filter on every
header, column widths fitted to the content, percentages as percentages, dates as dates.
Written with openpyxl (write-only mode, so 20,000 rows stay fast).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from assessment.report.tables import Table

SHEET_NAMES = {
    "groups": "Theo nhóm", "units": "Theo đơn vị", "levels": "Theo cấp",
    "sex": "Theo giới tính", "not_trained": "Chưa đạt", "unmatched": "Không khớp danh sách",
    "undated": "Đạt nhưng không có ngày", "items": "Phân tích câu hỏi",
}
INFO_SHEET = "Thông tin"

FORMATS = {"percent": "0.0%", "int": "#,##0", "number": "0.00", "date": "dd/mm/yyyy",
           "datetime": "dd/mm/yyyy hh:mm"}
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
HEADER_ALIGN = Alignment(wrap_text=True, vertical="center", horizontal="center")
THIN = Side(style="thin", color="BFBFBF")
HEADER_BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
BOLD = Font(bold=True)
MAX_WIDTH = 60
MIN_WIDTH = 8


def _plain(value: object) -> object:
    """A value openpyxl can store: no pandas NA, dates as dates."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, str | dt.date):
        return value.item()  # numpy scalar
    return value


def _display_width(value: object, kind: str) -> int:
    if value is None:
        return 0
    if kind == "percent":
        return 7
    if kind in ("date", "datetime"):
        return 11 if kind == "date" else 17
    return len(str(value))


def _print_setup(ws) -> None:
    """Landscape A4, one page wide, the header row repeated on every printed page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"


def _write_table(book: Workbook, table: Table) -> None:
    ws = book.create_sheet(SHEET_NAMES.get(table.key, table.key)[:31])
    headers = list(table.frame.columns)
    kinds = [table.kinds.get(h, "text") for h in headers]
    rows = [[_plain(v) for v in row] for row in table.frame.itertuples(index=False, name=None)]
    widths = []
    for i, header in enumerate(headers):
        longest = max((_display_width(r[i], kinds[i]) for r in rows), default=0)
        header_need = max(len(w) for w in str(header).split()) + 2
        widths.append(max(MIN_WIDTH, min(MAX_WIDTH, max(longest + 2, header_need))))
        ws.column_dimensions[get_column_letter(i + 1)].width = widths[-1]
    ws.freeze_panes = "A2"
    _print_setup(ws)
    if rows:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(rows) + 1}"
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(ws, value=header)
        cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, HEADER_ALIGN
        cell.border = HEADER_BORDER
        header_cells.append(cell)
    ws.append(header_cells)
    formatted = [i for i, k in enumerate(kinds) if k in FORMATS]
    for r, values in enumerate(rows):
        last_total = table.key == "groups" and r == len(rows) - 1
        if not formatted and not last_total:
            ws.append(values)
            continue
        cells: list[object] = list(values)
        for i in formatted:
            cell = WriteOnlyCell(ws, value=values[i])
            cell.number_format = FORMATS[kinds[i]]
            cells[i] = cell
        if last_total:
            cells = [c if i in formatted else WriteOnlyCell(ws, value=c)
                     for i, c in enumerate(cells)]
            for c in cells:
                c.font = BOLD
        ws.append(cells)


def _write_info(book: Workbook, info: list[tuple[str, str]]) -> None:
    ws = book.create_sheet(INFO_SHEET)
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 100
    ws.freeze_panes = "A2"
    header = []
    for text in ("Mục", "Nội dung"):
        cell = WriteOnlyCell(ws, value=text)
        cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, HEADER_ALIGN
        header.append(cell)
    ws.append(header)
    for label, text in info:
        key = WriteOnlyCell(ws, value=label)
        key.font = BOLD
        value = WriteOnlyCell(ws, value=text)
        value.alignment = Alignment(wrap_text=True, vertical="top")
        ws.append([key, value])


def write_workbook(path: Path, tables: list[Table], info: list[tuple[str, str]]) -> None:
    """Write every table to its own sheet, then the sheet of parameters and notes."""
    book = Workbook(write_only=True)
    for table in tables:
        _write_table(book, table)
    _write_info(book, info)
    book.save(path)
