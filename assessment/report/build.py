"""The report pipeline: gradebooks + roster + targets → a folder of reports.

Everything is written to a temporary folder beside ``out`` and moved into place at the end,
so a run that fails leaves no half-written report (and an earlier report stays as it was).

>>> summary = build_report(["quizzes/gradebook.db"], "danh-sach.xlsx",  # doctest: +SKIP
...                        "quizzes/targets.yml", "2026-11-30", Path("reports/2026"))
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
import tempfile
import time
from pathlib import Path

from tqdm import tqdm

from assessment.report.errors import ReportInputError
from assessment.report.excel import write_workbook
from assessment.report.gradebook import read_gradebooks
from assessment.report.html import render
from assessment.report.roster import read_roster
from assessment.report.stats import compute
from assessment.report.summary import markdown, summary_dict, terminal, write_csv, write_json
from assessment.report.tables import FORMULA, all_tables, fmt_percent
from assessment.report.targets import load_targets

OUTPUTS = ("report.xlsx", "report.html", "summary.json", "summary.csv", "summary.md")
ENCODINGS = {"auto": "auto", "utf-8": "utf-8", "windows-1258": "Windows-1258",
             "cp1258": "Windows-1258", "tcvn3": "TCVN3"}


def _as_of(text: str | None, targets_tz) -> dt.date:
    if not text:
        return dt.datetime.now(targets_tz).date()
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ReportInputError(
            f"Ngày chốt «{text}» không đúng dạng NĂM-THÁNG-NGÀY, ví dụ --as-of 2026-11-30."
        ) from None


def _period_notices(targets, cutoff: dt.date) -> list[str]:
    """A word when the cut-off lies outside the plan's period (the even path is then 0 or 1)."""
    if cutoff < targets.start:
        return [f"Ngày chốt {cutoff:%d/%m/%Y} ở trước ngày bắt đầu kế hoạch "
                f"({targets.start:%d/%m/%Y}): chưa nhóm nào phải đạt, nên mọi nhóm có cán bộ "
                "đều «đúng tiến độ». Kiểm tra lại ngày sau --as-of."]
    if cutoff > targets.deadline:
        return [f"Ngày chốt {cutoff:%d/%m/%Y} ở sau hạn chót của kế hoạch "
                f"({targets.deadline:%d/%m/%Y}): tiến độ được so với toàn bộ chỉ tiêu, và mọi "
                "bài đạt đến hết ngày chốt đều được tính."]
    return []


def _check_out(out: Path) -> None:
    """Refuse to replace a folder that holds anything but an earlier report."""
    if out.exists() and not out.is_dir():
        raise ReportInputError(f"«{out}» là một tệp, không phải thư mục. Chọn tên thư mục khác.")
    if out.is_dir():
        extra = [p.name for p in out.iterdir() if p.name not in OUTPUTS]
        if extra:
            raise ReportInputError(
                f"Thư mục «{out}» đã có tệp khác ({', '.join(sorted(extra)[:5])}); để không xóa "
                "nhầm, hãy chọn một thư mục mới hoặc thư mục chỉ chứa báo cáo cũ.")


def _write_failed(out: Path, error: OSError) -> str:
    kept = " Báo cáo cũ trong thư mục này vẫn giữ nguyên." if out.is_dir() else ""
    return (f"Không ghi được báo cáo vào «{out}»: {error.strerror or error}. Kiểm tra chỗ trống "
            f"trên ổ đĩa và quyền ghi vào thư mục, rồi chạy lại.{kept}")


def _move_into_place(tmp: Path, out: Path) -> None:
    """Swap the finished folder in: two renames; if the second fails, the earlier report is
    put back where it was."""
    old = None
    if out.exists():
        old = out.with_name(f".{out.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        out.rename(old)
    try:
        tmp.rename(out)
    except BaseException:
        if old is not None:
            old.rename(out)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


class _Clock:
    """(wall, CPU) seconds of each phase, recorded into ``into`` (for bench/bench_report.py)."""

    def __init__(self, into: dict[str, tuple[float, float]] | None) -> None:
        self.into, self.last = into, (time.perf_counter(), time.process_time())

    def lap(self, phase: str) -> None:
        now = (time.perf_counter(), time.process_time())
        if self.into is not None:
            self.into[phase] = (now[0] - self.last[0], now[1] - self.last[1])
        self.last = now


def build_report(gradebooks: list[str], roster: str, targets_file: str, as_of: str | None,
                 out: Path, encoding: str = "auto", quiet: bool = True,
                 timings: dict[str, tuple[float, float]] | None = None) -> str:
    """Run the whole report; return the terminal summary. Raises ReportInputError.

    ``timings``, if given, receives the (wall, CPU) seconds of each phase (reading, computing,
    each output).
    """
    clock = _Clock(timings)
    steps = tqdm(total=6, desc="Lập báo cáo", unit="bước", disable=quiet or None,
                 file=sys.stderr)
    targets = load_targets(targets_file)
    cutoff = _as_of(as_of, targets.tz)
    _check_out(out)
    steps.update()
    cadres = read_roster(roster, targets, ENCODINGS[encoding])
    steps.update()
    clock.lap("reading the targets and roster")
    data = read_gradebooks(gradebooks, progress=lambda xs: tqdm(
        xs, desc="Đọc sổ điểm", leave=False, disable=quiet or None, file=sys.stderr))
    steps.update()
    clock.lap("reading the gradebooks")
    results = compute(cadres.frame, data, targets, cutoff)
    tables = all_tables(results, targets)
    notices = cadres.notices + _period_notices(targets, cutoff)
    steps.update()
    sources = {"gradebooks": data.labels, "roster": str(roster), "targets": str(targets_file)}
    info = [
        ("Kế hoạch", targets.plan), ("Địa bàn", targets.province),
        ("Cơ quan tổng hợp", targets.reporting_body),
        ("Ngày chốt số liệu", f"{cutoff:%d/%m/%Y} (tính đến hết ngày, giờ {targets.timezone})"),
        ("Thời gian kế hoạch", f"{targets.start:%d/%m/%Y} – {targets.deadline:%d/%m/%Y}"),
        ("Thời gian đã qua", fmt_percent(results.elapsed)),
        ("Điểm đạt", f"từ {fmt_percent(targets.pass_mark)} điểm tối đa của bài"),
        ("Bài kiểm tra được tính", ", ".join(targets.counted_quizzes)),
        ("Sổ điểm", "; ".join(data.labels)), ("Danh sách cán bộ", str(roster)),
        ("Tệp chỉ tiêu", str(targets_file)), ("Cách tính tiến độ", FORMULA),
        ("Ngày lập báo cáo", dt.datetime.now(targets.tz).strftime("%d/%m/%Y %H:%M")),
    ] + [("Ghi chú", note) for note in notices]
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    except OSError as error:
        raise ReportInputError(_write_failed(out, error)) from None
    try:
        clock.lap("computing")
        write_workbook(tmp / "report.xlsx", tables, info)
        steps.update()
        clock.lap("report.xlsx")
        by_key = {t.key: t for t in tables}
        (tmp / "report.html").write_text(render(results, targets, by_key), encoding="utf-8")
        clock.lap("report.html")
        summary = summary_dict(results, targets, sources)
        write_json(tmp / "summary.json", summary)
        write_csv(tmp / "summary.csv", summary)
        (tmp / "summary.md").write_text(markdown(results, targets), encoding="utf-8")
        steps.update()
        clock.lap("summary.json, .csv, .md")
        _move_into_place(tmp, out)
        clock.lap("moving into place")
    except OSError as error:  # disk full, no permission…: a message, not a traceback
        shutil.rmtree(tmp, ignore_errors=True)
        raise ReportInputError(_write_failed(out, error)) from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        steps.close()
    notes = "".join(f"\nLưu ý: {n}" for n in notices)
    return terminal(results, targets, out) + notes
