"""`assessment report` end to end: every output file, and nothing written on bad input."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from report_fixtures import AS_OF, ROSTER_ROWS, readme_outputs, write_csv

from assessment.cli import main

from conftest import ROOT

# What the README promises in --out (read from its text, not from the code's own list).
README_FILES, README_CSV_COLUMNS = readme_outputs()
# Days from 01/01/2023 to 30/11/2024 over the days of the plan (01/01/2023 to 31/12/2028).
ELAPSED = round(700 / 2192, 6)

SHEETS = ["Theo nhóm", "Theo đơn vị", "Theo cấp", "Theo giới tính", "Chưa đạt",
          "Không khớp danh sách", "Đạt nhưng không có ngày", "Phân tích câu hỏi", "Thông tin"]


def run(*args: str):
    return CliRunner().invoke(main, ["report", *args], catch_exceptions=False)


def report_args(case, out: Path, roster: Path | None = None) -> list[str]:
    args = []
    for gradebook in case.gradebooks:
        args += ["--gradebook", str(gradebook)]
    return args + ["--roster", str(roster or case.roster), "--targets",
                   str(ROOT / "quizzes/targets.yml"), "--as-of", AS_OF, "--out", str(out)]


@pytest.fixture(scope="module")
def report(report_case, tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "bao-cao"
    result = run(*report_args(report_case, out))
    assert result.exit_code == 0, result.output
    return out, result.output


def test_terminal_summary(report):
    out, output = report
    lines = output.splitlines()
    assert len(lines) <= 24  # one screen
    assert "Kết quả tập huấn đến hết ngày 30/11/2024" in lines[0]
    assert re.search(r"Cán bộ làm công tác quyền con người\s+3\s+3\s+100,0%\s+100,0%\s+0\s+"
                     r"Đúng tiến độ", output)
    assert re.search(r"Nhân sự thông tin đối ngoại.*\s2\s+0\s+0,0%\s+100,0%\s+2\s+Chậm tiến độ",
                     output)
    assert re.search(r"Cán bộ chủ chốt.*\s0\s+0\s+—\s+70,0%\s+0\s+Chưa có cán bộ", output)
    assert "Bài nộp không khớp danh sách: 1" in output and str(out) in output


def test_all_outputs_and_nothing_else(report):
    out, _ = report
    assert len(README_FILES) == 5
    assert sorted(p.name for p in out.iterdir()) == sorted(README_FILES)
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")]  # no temp left


def test_summary_json_and_csv(report):
    out, _ = report
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    groups = {g["group"]: g for g in summary["groups"]}
    assert list(groups) == ["nhan-quyen", "thong-tin-truyen-thong", "doi-ngoai-bao-chi",
                            "chu-chot-ctxh"]
    # CB001, CB002 (retake in class 2) and CB006 (23:30 on the cut-off day) all passed
    assert groups["nhan-quyen"] == {
        "group": "nhan-quyen", "name": "Cán bộ làm công tác quyền con người", "headcount": 3,
        "trained": 3, "rate": 1.0, "target": 1.0, "needed": 3, "shortfall": 0,
        "expected_rate": ELAPSED, "required_now": 1, "on_track": True}
    # CB003 passed after the cut-off, cb004 passed, CB005 sat only a formative quiz
    assert groups["thong-tin-truyen-thong"] == {
        "group": "thong-tin-truyen-thong",
        "name": "Cán bộ làm công tác quản lý thông tin, truyền thông", "headcount": 3,
        "trained": 1, "rate": round(1 / 3, 6), "target": 1.0, "needed": 3, "shortfall": 2,
        "expected_rate": ELAPSED, "required_now": 1, "on_track": True}
    # CB007 passed at 01:00 on 1/12 in Vietnam; CB008's pass has no date
    assert groups["doi-ngoai-bao-chi"] == {
        "group": "doi-ngoai-bao-chi", "name": "Nhân sự thông tin đối ngoại của các cơ quan báo chí",
        "headcount": 2, "trained": 0, "rate": 0.0, "target": 1.0, "needed": 2, "shortfall": 2,
        "expected_rate": ELAPSED, "required_now": 1, "on_track": False}
    assert groups["chu-chot-ctxh"] == {
        "group": "chu-chot-ctxh", "name": "Cán bộ chủ chốt của các tổ chức chính trị - xã hội",
        "headcount": 0, "trained": 0, "rate": None, "target": 0.7, "needed": 0, "shortfall": 0,
        "expected_rate": round(0.7 * 700 / 2192, 6), "required_now": 0, "on_track": None}
    assert summary["total"] == {"headcount": 8, "trained": 4, "rate": 0.5, "needed": 8,
                                "shortfall": 4, "required_now": 3, "groups_with_cadres": 3,
                                "groups_on_track": 2}
    # no counted attempt up to the cut-off: CB003 and CB007 (after it), CB005 (formative quiz
    # only), CB008 (no date)
    assert summary["counts"] == {"cadres": 8, "trained": 4, "not_trained": 4, "no_submission": 4,
                                 "passed_after_cutoff": 2, "unmatched_submissions": 1,
                                 "undated_passes": 1}
    assert summary["as_of"] == AS_OF and summary["pass_mark"] == 0.7
    assert summary["elapsed"] == ELAPSED
    with (out / "summary.csv").open(encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = [dict(zip(header, row, strict=True)) for row in reader]
    assert header == README_CSV_COLUMNS  # the columns the README lists, in its order
    assert rows == [{k: ("" if v is None else str(v).lower() if isinstance(v, bool) else str(v))
                     for k, v in groups[code].items()} for code in groups]
    assert rows[2]["on_track"] == "false" and rows[3]["rate"] == "" and rows[0]["rate"] == "1.0"


def test_markdown_summary(report):
    text = (Path(report[0]) / "summary.md").read_text(encoding="utf-8")
    assert text.startswith("# Kết quả tập huấn về quyền con người đến ngày 30/11/2024")
    assert ("| Cán bộ làm công tác quản lý thông tin, truyền thông | 3 | 1 | 33,3% | 100,0% "
            "| 2 | 1 | Đúng tiến độ |") in text
    assert "Cách tính tiến độ" in text and "Sở Thông tin và Truyền thông" in text


def column_widths(sheet) -> dict[int, float]:
    """Width of each column by number (a file may give one width to a range of columns)."""
    from openpyxl.utils import column_index_from_string

    widths = {}
    for letter, dimension in sheet.column_dimensions.items():
        first = dimension.min or column_index_from_string(letter)
        for number in range(first, (dimension.max or first) + 1):
            widths[number] = dimension.width
    return widths


def test_workbook_is_formatted_for_people(report):
    book = load_workbook(report[0] / "report.xlsx")
    assert book.sheetnames == SHEETS
    groups = book["Theo nhóm"]
    headers = [c.value for c in groups[1]]
    assert headers[:6] == ["Mã nhóm", "Nhóm đối tượng", "Số cán bộ", "Đã đạt", "Tỷ lệ đạt",
                           "Chỉ tiêu"]
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        assert sheet[1][0].font.bold, sheet.title
    for sheet in book.worksheets:
        assert sheet.page_setup.orientation == "landscape", sheet.title
        assert sheet.page_setup.paperSize == 9, sheet.title  # A4
        assert sheet.print_title_rows == "$1:$1", sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        # one page wide (1 is the file format's default when left out), as many pages down as
        # needed
        assert (sheet.page_setup.fitToWidth or 1, sheet.page_setup.fitToHeight) == (1, 0)
        assert sheet.oddFooter.left.text == "&A" and "&P" in sheet.oddFooter.right.text
    # every column as wide as its longest text (up to 60), every header word fits a line
    for sheet in book.worksheets[:-1]:
        widths = column_widths(sheet)
        for i, column in enumerate(sheet.iter_cols(values_only=True), start=1):
            width = widths[i]
            longest = max((len(v) for v in column[1:] if isinstance(v, str)), default=0)
            assert width >= min(60, longest), (sheet.title, column[0], width)
            assert width >= 1.2 * max(len(w) for w in column[0].split()), (sheet.title, column[0])
    # the header row is as tall as its longest wrapped header (3 lines here)
    assert groups.row_dimensions[1].height >= 3 * 13
    assert groups.row_dimensions[1].height > book["Thông tin"].row_dimensions[1].height
    rate = groups.cell(row=3, column=5)
    assert rate.number_format == "0.0%" and rate.value == pytest.approx(1 / 3)
    assert column_widths(groups)[2] >= len("Cán bộ chủ chốt của các tổ chức")
    assert groups.cell(row=6, column=2).value == "Tổng cộng"
    assert groups.cell(row=5, column=5).value is None  # no cadres: no rate
    not_trained = book["Chưa đạt"]
    names = [row[2] for row in not_trained.iter_rows(min_row=2, values_only=True)]
    assert sorted(names) == ["Bùi Văn Hải", "Hoàng Thị Em", "Lê Thị Cúc", "Đặng Thị Giang"]
    units = [row[0] for row in not_trained.iter_rows(min_row=2, values_only=True)]
    assert units == sorted(units)  # by unit
    unmatched = list(book["Không khớp danh sách"].iter_rows(min_row=2, values_only=True))
    assert [r[2] for r in unmatched] == ["XX999"]
    assert book["Phân tích câu hỏi"].max_row == 1 + 10 + 10 + 5


def test_html_is_self_contained(report):
    html = (report[0] / "report.html").read_text(encoding="utf-8")
    assert html.count("<svg") == 2
    assert '<meta name="viewport"' in html and "@media print" in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "<script" not in html and not re.search(r"url\((?!#)", html)
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))  # two inline charts, no shared id
    for ref in re.findall(r'(?:url\(#|href="#)([^")]+)', html):
        assert ref in ids, ref
    # no name at all, trained or not, from the roster or the gradebooks: names stay in the
    # internal workbook
    names = [row[2] for row in ROSTER_ROWS] + ["Nguyễn Thị An", "Người Lạ"]
    assert len(names) == 10
    for name in names:
        assert name not in html, name


def test_bad_input_writes_nothing_and_keeps_the_old_report(report_case, tmp_path, report):
    out = tmp_path / "bao-cao"
    first = run(*report_args(report_case, out))
    assert first.exit_code == 0, first.output
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    bad = write_csv(tmp_path / "sai.csv", [[1, "CB001", "A", "B", "tỉnh", "Nhóm lạ", ""]])
    result = run(*report_args(report_case, out, roster=bad))
    assert result.exit_code == 1
    assert result.output.startswith("Lỗi: ") and "dòng 2, cột F («Nhóm»)" in result.output
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bao-cao", "sai.csv"]


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def test_failure_after_the_workbook_keeps_the_old_report_whole(report_case, tmp_path,
                                                               monkeypatch):
    """A failure once report.xlsx is already written (here: drawing the HTML page) leaves the
    earlier report byte for byte as it was, and no temporary folder behind."""
    import assessment.report.build as build

    out = tmp_path / "bao-cao"
    first = run(*report_args(report_case, out))
    assert first.exit_code == 0, first.output
    before = _snapshot(out)
    written = []

    def broken_render(*args, **kwargs):
        written.extend(p.stat().st_size for p in tmp_path.glob(".bao-cao.*/report.xlsx"))
        raise RuntimeError("hỏng khi vẽ biểu đồ")

    monkeypatch.setattr(build, "render", broken_render)
    args = report_args(report_case, out)
    args[args.index("--as-of") + 1] = "2024-12-31"
    with pytest.raises(RuntimeError, match="hỏng khi vẽ biểu đồ"):
        run(*args)
    assert len(written) == 1 and written[0] > 1000  # the workbook was written
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bao-cao"]  # no temp, no .old


def test_failure_of_the_final_swap_puts_the_old_report_back(report_case, tmp_path,
                                                             monkeypatch):
    """The last step renames the new folder into place; if that fails (disk full), the
    earlier report, already moved aside, comes back, and the error is told in Vietnamese."""
    out = tmp_path / "bao-cao"
    assert run(*report_args(report_case, out)).exit_code == 0
    before = _snapshot(out)
    rename = Path.rename

    def failing_rename(self, target):
        if Path(target) == out and self.name != ".bao-cao.old":
            raise OSError(28, "No space left on device")
        return rename(self, target)

    monkeypatch.setattr(Path, "rename", failing_rename)
    result = run(*report_args(report_case, out))
    assert result.exit_code == 1, result.output
    assert result.output.startswith(f"Lỗi: Không ghi được báo cáo vào «{out}»")
    assert "No space left on device" in result.output and "vẫn giữ nguyên" in result.output
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bao-cao"]


def test_rewrite_over_an_earlier_report(report_case, tmp_path):
    out = tmp_path / "bao-cao"
    assert run(*report_args(report_case, out)).exit_code == 0
    before = _snapshot(out)
    args = report_args(report_case, out)
    args[args.index("--as-of") + 1] = "2024-12-31"
    result = run(*args)
    assert result.exit_code == 0, result.output
    after = _snapshot(out)
    assert sorted(after) == sorted(before) == sorted(README_FILES)
    assert all(after[name] != before[name] for name in after), "every file is the new one"
    summary = json.loads(after["summary.json"])
    assert summary["as_of"] == "2024-12-31"
    # CB003 (5/12) and CB007 (1/12, Vietnam time) now count
    assert summary["total"]["trained"] == 6 and summary["counts"]["passed_after_cutoff"] == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bao-cao"]


@pytest.mark.parametrize("as_of", ["2022-06-30", "2029-06-30"])
def test_cut_off_outside_the_plan(report_case, tmp_path, as_of):
    """Before 01/01/2023 nothing is due yet; after 31/12/2028 the whole target is due. Either
    way the report says so."""
    out = tmp_path / "bao-cao"
    args = report_args(report_case, out)
    args[args.index("--as-of") + 1] = as_of
    result = run(*args)
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    groups = summary["groups"]
    if as_of < "2023":
        assert summary["elapsed"] == 0.0 and summary["total"]["trained"] == 0
        assert all(g["expected_rate"] == 0.0 and g["required_now"] == 0 for g in groups)
        assert [g["on_track"] for g in groups] == [True, True, True, None]
        assert summary["counts"]["passed_after_cutoff"] == 6
        assert "Lưu ý: Ngày chốt 30/06/2022 ở trước ngày bắt đầu kế hoạch (01/01/2023)" in \
            result.output
    else:
        assert summary["elapsed"] == 1.0 and summary["total"]["trained"] == 6
        assert all(g["expected_rate"] == g["target"] and g["required_now"] == g["needed"]
                   for g in groups)
        assert [g["on_track"] for g in groups] == [True, True, False, None]
        assert summary["counts"]["passed_after_cutoff"] == 0
        assert "Lưu ý: Ngày chốt 30/06/2029 ở sau hạn chót của kế hoạch (31/12/2028)" in \
            result.output
    info = load_workbook(out / "report.xlsx")["Thông tin"]
    notes = [row[1] for row in info.iter_rows(min_row=2, values_only=True) if row[0] == "Ghi chú"]
    assert len(notes) == 1 and as_of[:4] in notes[0]


def test_new_folder_not_created_on_bad_input(report_case, tmp_path):
    result = run(*report_args(report_case, tmp_path / "moi"), "--as-of", "30/11/2024")
    assert result.exit_code == 1 and "NĂM-THÁNG-NGÀY" in result.output
    assert not (tmp_path / "moi").exists()


def test_bad_gradebook_is_reported(report_case, tmp_path):
    fake = tmp_path / "gradebook.db"
    fake.write_text("x", encoding="utf-8")
    args = report_args(report_case, tmp_path / "out")
    args[1] = str(fake)
    result = run(*args)
    assert result.exit_code == 1 and str(fake) in result.output
    assert not (tmp_path / "out").exists()


def test_refuses_a_folder_with_other_files(report_case, tmp_path):
    (tmp_path / "ghi-chu.docx").write_text("quan trọng", encoding="utf-8")
    result = run(*report_args(report_case, tmp_path))
    assert result.exit_code == 1 and "ghi-chu.docx" in result.output
    assert (tmp_path / "ghi-chu.docx").read_text(encoding="utf-8") == "quan trọng"


def test_missing_options_are_explained_in_vietnamese():
    result = run("--roster", "x.csv")
    assert result.exit_code == 1
    assert "thiếu tùy chọn --gradebook, --out" in result.output


def test_help_lists_every_option():
    result = run("--help")
    assert result.exit_code == 0, result.output
    for option in ("--gradebook", "--roster", "--targets", "--as-of", "--out",
                   "--roster-encoding", "--quiet"):
        assert option in result.output


def test_progress_bar_on_a_terminal(report_case, tmp_path):
    """On a real terminal (a pseudo-terminal here) the long steps show tqdm's progress bar."""
    import fcntl
    import os
    import pty
    import struct
    import subprocess
    import sys
    import termios

    command = [str(Path(sys.executable).parent / "assessment"), "report",
               *report_args(report_case, tmp_path / "out")]
    leader, follower = pty.openpty()
    # a terminal of 100 columns by 30 lines, as a real one has
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    child = subprocess.Popen(command, stdin=follower, stdout=follower, stderr=follower)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closes when the command ends
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert child.wait(timeout=300) == 0
    screen = b"".join(chunks).decode("utf-8", errors="replace")
    assert "Lập báo cáo" in screen and "6/6" in screen and "bước" in screen
    assert "Kết quả tập huấn đến hết ngày 30/11/2024" in screen


def _bad_rosters(folder: Path) -> dict[str, Path]:
    """One roster per kind of bad input of the issue."""
    from openpyxl import Workbook
    from report_fixtures import ROSTER_HEADER, ROSTER_ROWS, encode_tcvn3

    good = [list(r) for r in ROSTER_ROWS[:2]]
    files = {
        "missing column": write_csv(folder / "thieu-cot.csv", [r[:5] for r in good],
                                    header=ROSTER_HEADER[:5]),
        "duplicate id": write_csv(folder / "trung-ma.csv", [*good, good[0]]),
        "unknown group": write_csv(folder / "nhom-la.csv", [[*good[0][:5], "Nhóm 9", ""]]),
    }
    (folder / "trong.csv").write_bytes(b"")
    files["empty file"] = folder / "trong.csv"
    book = Workbook()
    book.active.append(["Mã cán bộ", "Họ và tên", None, "Đơn vị", "Cấp", "Nhóm"])
    book.active.merge_cells("B1:C1")
    book.save(folder / "gop-o.xlsx")
    files["merged header"] = folder / "gop-o.xlsx"
    (folder / "ma-cu.csv").write_bytes(
        encode_tcvn3("Mã cán bộ,Họ và tên\n") + "Zoë Müller café\n".encode("latin-1"))
    files["legacy encoding not told"] = folder / "ma-cu.csv"
    return files


@pytest.mark.parametrize("case", ["missing column", "duplicate id", "unknown group",
                                  "empty file", "merged header", "legacy encoding not told"])
def test_each_bad_roster_fails_cleanly(report_case, tmp_path, case):
    roster = _bad_rosters(tmp_path)[case]
    out = tmp_path / "bao-cao"
    result = run(*report_args(report_case, out, roster=roster))
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Lỗi: ") and str(roster) in result.output
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
