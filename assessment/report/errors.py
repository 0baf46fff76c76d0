"""The one error type of the report: bad input, told to the user in Vietnamese.

Every message names the file (and, where it applies, the row and the column) and says what to
fix. The command line prints it and exits with a non-zero code; nothing is written.
"""

from __future__ import annotations

from pathlib import Path


class ReportInputError(Exception):
    """Input the report cannot use. ``str(error)`` is the full Vietnamese message."""


def column_letter(number: int) -> str:
    """Excel's name of a 1-based column: 1 → "A", 27 → "AA" (openpyxl's get_column_letter,
    without importing openpyxl for it)."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def where(path: Path | str, row: int | None = None, column: int | None = None,
          header: str | None = None) -> str:
    """Vietnamese location of a cell: «tệp roster.csv», dòng 7, cột C («Nhóm»).

    ``row`` and ``column`` are 1-based, as Excel shows them.
    """
    text = f"tệp «{path}»"
    if row is not None:
        text += f", dòng {row}"
    if column is not None:
        text += f", cột {column_letter(column)}"
        if header:
            text += f" («{header}»)"
    elif header:
        text += f", cột «{header}»"
    return text


def join_errors(problems: list[str], limit: int = 20) -> str:
    """Several problems as one message, at most ``limit`` of them listed."""
    lines = [f"- {p}" for p in problems[:limit]]
    if len(problems) > limit:
        lines.append(f"- … và {len(problems) - limit} lỗi khác cùng loại.")
    return "\n".join(lines)


def at(path: Path | str, row: int | None = None, column: int | None = None,
       header: str | None = None) -> str:
    """``where`` starting with a capital, to open a message: Tệp «danh-sach.csv», dòng 7."""
    text = where(path, row, column, header)
    return text[:1].upper() + text[1:]
