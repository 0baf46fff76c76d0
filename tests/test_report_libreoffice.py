"""The report workbook as an official opens it: printed by LibreOffice Calc (headless
``soffice --convert-to pdf``, a print preview made by a real spreadsheet program), then read
back with poppler's pdftotext.

Checked on the PDF: every header word shown whole and inside its row (not clipped by a row too
short for its wrapped text), landscape pages, each sheet one page wide, the header row
repeated on every page of a long sheet, a footer with the sheet name and "Trang i / N".
"""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from report_fixtures import AS_OF, ROSTER_ROWS, write_csv

from assessment.cli import main

from conftest import ROOT

SHEETS = ["Theo nhóm", "Theo đơn vị", "Theo cấp", "Theo giới tính", "Chưa đạt",
          "Không khớp danh sách", "Đạt nhưng không có ngày", "Phân tích câu hỏi", "Thông tin"]
GROUP_HEADERS = ["Mã nhóm", "Nhóm đối tượng", "Số cán bộ", "Đã đạt", "Tỷ lệ đạt", "Chỉ tiêu",
                 "Cần đạt theo chỉ tiêu", "Còn thiếu", "Tỷ lệ cần đạt đến ngày chốt",
                 "Cần đạt đến ngày chốt", "Tiến độ"]
EXTRA_CADRES = 112  # with no submission: the sheet "Chưa đạt" runs over several pages
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                  r"(.*?)</word>")


def pdf_words(pdf: Path, page: int) -> list[tuple[float, float, str]]:
    """(yMin, yMax, text) of every word on one page, as pdftotext -bbox reports them."""
    xml = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    unescape = {"&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&apos;": "'"}
    words = []
    for _, y0, _, y1, text in WORD.findall(xml):
        for code, char in unescape.items():
            text = text.replace(code, char)
        words.append((float(y0), float(y1), text))
    return words


def page_text(pdf: Path, page: int) -> str:
    return subprocess.run(["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(pdf),
                           "-"], capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def printed(report_case, tmp_path_factory) -> tuple[Path, int]:
    """The report of the shared case (plus cadres who never sat the quiz), printed to PDF."""
    folder = tmp_path_factory.mktemp("libreoffice")
    extra = [[9 + i, f"CB{100 + i:03d}", f"Cán bộ Thử {i:03d}", "UBND huyện Yên Thế", "huyện",
              "2", "Nam" if i % 2 else "Nữ"] for i in range(EXTRA_CADRES)]
    roster = write_csv(folder / "danh-sach.csv", ROSTER_ROWS + extra, encoding="utf-8-sig")
    out = folder / "bao-cao"
    args = ["report", "--roster", str(roster), "--targets", str(ROOT / "quizzes/targets.yml"),
            "--as-of", AS_OF, "--out", str(out), "-q"]
    for gradebook in report_case.gradebooks:
        args += ["--gradebook", str(gradebook)]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    profile = folder / "lo-profile"  # a private profile: parallel runs never share one
    converted = subprocess.run(
        ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to",
         "pdf", "--outdir", str(folder), str(out / "report.xlsx")],
        capture_output=True, text=True, timeout=300)
    pdf = folder / "report.pdf"
    assert converted.returncode == 0 and pdf.is_file(), converted.stdout + converted.stderr
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    width, height = map(float, re.search(r"^Page size:\s+([\d.]+) x ([\d.]+)", info,
                                         re.M).groups())
    assert width > height, info  # landscape
    return pdf, pages


def footers(pdf: Path, pages: int) -> list[tuple[str, int, int]]:
    """(sheet name, page, of) from the footer line of every page."""
    found = []
    for page in range(1, pages + 1):
        last = [line for line in page_text(pdf, page).splitlines() if line.strip()][-1]
        match = re.fullmatch(r"\s*(.+?)\s{2,}Trang (\d+) / (\d+)\s*", last)
        assert match, f"trang {page}: chân trang «{last}»"
        found.append((match.group(1), int(match.group(2)), int(match.group(3))))
    return found


def test_one_page_wide_per_sheet_and_footer_on_every_page(printed):
    pdf, pages = printed
    found = footers(pdf, pages)
    assert [(page, of) for _, page, of in found] == [(i, pages) for i in range(1, pages + 1)]
    names = [name for name, _, _ in found]
    # one page per short sheet (a sheet wider than a page would add pages): only the long list
    # of cadres not trained takes more than one
    assert list(dict.fromkeys(names)) == SHEETS
    counts = Counter(names)
    assert counts["Chưa đạt"] >= 3
    assert all(counts[name] == 1 for name in SHEETS if name != "Chưa đạt"), counts


def test_header_row_repeated_on_every_page_of_a_long_sheet(printed):
    pdf, pages = printed
    found = footers(pdf, pages)
    listed = []
    for page, (name, _, _) in enumerate(found, start=1):
        if name != "Chưa đạt":
            continue
        text = page_text(pdf, page)
        for header in ("Đơn vị", "Mã cán bộ", "Họ và tên", "Nhóm đối tượng", "Tình trạng"):
            assert header in text, (page, header)
        listed += re.findall(r"Cán bộ Thử (\d{3})", text)
    assert sorted(listed) == [f"{i:03d}" for i in range(EXTRA_CADRES)]  # each once, none lost


def test_every_header_word_whole_and_inside_its_row(printed):
    """A header row too short for its wrapped text pushes lines above and below the row: the
    lower lines then overlap the first data row. Every word must be there and above it."""
    pdf, _ = printed
    words = pdf_words(pdf, 1)
    first_row = next(w for w in words if w[2] == "nhan-quyen")
    header = [w for w in words if w[0] < first_row[0] - 0.5]  # the lines above the first row
    for _y0, y1, text in header:
        assert y1 <= first_row[0], (text, y1, first_row)  # not overlapping the first data row
    shown = Counter(text for _, _, text in header)
    wanted = Counter(word for h in GROUP_HEADERS for word in h.split())
    assert not wanted - shown, wanted - shown
    for title in ("Số cán bộ", "Còn thiếu", "Cần đạt đến ngày chốt"):
        assert all(shown[word] for word in title.split()), title


def test_wrapping_arithmetic_behind_the_heights():
    """Worked by hand: a column 9 wide holds int((9 - 1) / 1.2) = 6 bold characters a line."""
    from assessment.report.excel import column_widths, header_height, wrapped_lines

    assert wrapped_lines("Cần đạt đến ngày chốt", 9, 1.2) == 5  # Cần|đạt|đến|ngày|chốt
    assert wrapped_lines("Cần đạt đến ngày chốt", 12, 1.2) == 3  # Cần đạt|đến|ngày chốt
    assert wrapped_lines("Số cán bộ", 13) == 1
    assert wrapped_lines("abcdefghij", 5) == 3  # a word longer than the line: 4 + 4 + 2
    assert wrapped_lines("", 10) == 1
    # short headers stay on one line; long ones get at most 3 lines' width; content wins
    widths = column_widths(["Số cán bộ", "Cần đạt đến ngày chốt", "Đơn vị"],
                           [[20000], [5627], ["UBND huyện Lục Ngạn"]], ["int", "int", "text"])
    assert widths == [13, 11, 21]  # ceil(9 × 1.2) + 2; ceil(21 × 1.2 / 3) + 2; 19 + 2
    # 11 wide: 8 bold characters a line, "Cần đạt|đến ngày|chốt": 3 lines of 13 points + 4
    assert header_height(["Số cán bộ", "Cần đạt đến ngày chốt"], widths[:2]) == 3 * 13.0 + 4
