"""`assessment report` end to end: every output file, and nothing written on bad input."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from report_fixtures import AS_OF, write_csv

from assessment.cli import main
from assessment.report.build import OUTPUTS

from conftest import ROOT

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
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUTS)
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")]  # no temp left


def test_summary_json_and_csv(report):
    out, _ = report
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    groups = {g["group"]: g for g in summary["groups"]}
    for key in ("group", "headcount", "trained", "rate", "target", "shortfall", "on_track"):
        assert all(key in g for g in summary["groups"]), key
    assert groups["nhan-quyen"] | {} == groups["nhan-quyen"]
    assert (groups["thong-tin-truyen-thong"]["headcount"],
            groups["thong-tin-truyen-thong"]["trained"]) == (3, 1)
    assert groups["chu-chot-ctxh"]["rate"] is None and groups["chu-chot-ctxh"]["on_track"] is None
    assert summary["counts"]["unmatched_submissions"] == 1
    assert summary["counts"]["no_submission"] == 4
    assert summary["as_of"] == AS_OF and summary["pass_mark"] == 0.7
    with (out / "summary.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["group"] for r in rows] == list(groups)
    assert rows[2]["on_track"] == "false" and rows[3]["rate"] == "" and rows[0]["rate"] == "1.0"


def test_markdown_summary(report):
    text = (Path(report[0]) / "summary.md").read_text(encoding="utf-8")
    assert text.startswith("# Kết quả tập huấn về quyền con người đến ngày 30/11/2024")
    assert ("| Cán bộ làm công tác quản lý thông tin, truyền thông | 3 | 1 | 33,3% | 100,0% "
            "| 2 | 1 | Đúng tiến độ |") in text
    assert "Cách tính tiến độ" in text and "Sở Thông tin và Truyền thông" in text


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
    for sheet in book.worksheets[:-1]:
        assert sheet.page_setup.orientation == "landscape", sheet.title
        assert sheet.print_title_rows == "$1:$1", sheet.title
    rate = groups.cell(row=3, column=5)
    assert rate.number_format == "0.0%" and rate.value == pytest.approx(1 / 3)
    assert groups.column_dimensions["B"].width >= len("Cán bộ chủ chốt của các tổ chức")
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
    assert "Nguyễn Thị An" not in html  # names stay in the internal workbook


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
