"""The short outputs: summary.json and summary.csv for machines (stable ASCII keys),
summary.md to paste into the annual report, and the one-screen summary for the terminal.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pandas as pd

from assessment.report.stats import STATUS_NONE, Results
from assessment.report.tables import FORMULA, fmt_int, fmt_percent, progress_text
from assessment.report.targets import Targets

SCHEMA_VERSION = 1
GROUP_KEYS = ["group", "name", "headcount", "trained", "rate", "target", "needed", "shortfall",
              "expected_rate", "required_now", "on_track"]


def _json_value(value: object) -> object:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 6)
    return value


def _records(frame: pd.DataFrame, rename: dict[str, str] | None = None) -> list[dict]:
    frame = frame.rename(columns=rename or {})
    return [{k: _json_value(v) for k, v in row.items()} for row in frame.to_dict("records")]


def counts(results: Results) -> dict[str, int]:
    cadres = results.cadres
    return {
        "cadres": len(cadres),
        "trained": int(cadres["trained"].sum()),
        "not_trained": int((~cadres["trained"]).sum()),
        "no_submission": int((cadres["status"] == STATUS_NONE).sum()),
        "passed_after_cutoff": int((~cadres["trained"] & cadres["passed_after"].notna()).sum()),
        "unmatched_submissions": len(results.unmatched),
        "undated_passes": len(results.undated),
    }


def summary_dict(results: Results, targets: Targets, sources: dict[str, object]) -> dict:
    """The content of summary.json."""
    groups = results.by_group.rename(columns={"group_name": "name"})[GROUP_KEYS]
    items = results.items
    return {
        "schema_version": SCHEMA_VERSION,
        "as_of": results.as_of.isoformat(),
        "plan": targets.plan,
        "province": targets.province,
        "reporting_body": targets.reporting_body,
        "start": targets.start.isoformat(),
        "deadline": targets.deadline.isoformat(),
        "elapsed": round(results.elapsed, 6),
        "pass_mark": targets.pass_mark,
        "counted_quizzes": list(targets.counted_quizzes),
        "sources": sources,
        "groups": _records(groups),
        "total": {k: _json_value(v) for k, v in results.total.items()},
        "by_unit": _records(results.by_unit.drop(columns=["group_name"])),
        "by_level": _records(results.by_level.drop(columns=["group_name", "level_name"])),
        "by_sex": _records(results.by_sex.drop(columns=["group_name"]))
        if not results.by_sex.empty else [],
        "counts": counts(results),
        "items": _records(items) if not items.empty else [],
        "on_track_formula": FORMULA,
    }


def write_json(path: Path, summary: dict) -> None:
    path.write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def write_csv(path: Path, summary: dict) -> None:
    """One row per target group; empty cells where a group has no cadres."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=GROUP_KEYS, lineterminator="\n")
        writer.writeheader()
        for row in summary["groups"]:
            writer.writerow({k: ("" if row[k] is None else
                                 str(row[k]).lower() if isinstance(row[k], bool) else row[k])
                             for k in GROUP_KEYS})


def _md_cell(text: object) -> str:
    return str(text).replace("|", "\\|")


def markdown(results: Results, targets: Targets) -> str:
    """summary.md: a title, one paragraph of context, the table by group, the notes."""
    c = counts(results)
    total = results.total
    quizzes = ", ".join(f"`{q}`" for q in targets.counted_quizzes)
    lines = [
        f"# Kết quả tập huấn về quyền con người đến ngày {results.as_of:%d/%m/%Y}",
        "",
        f"Theo {targets.plan} ({targets.province}; cơ quan tổng hợp: {targets.reporting_body}). "
        f"Số liệu tính đến hết ngày {results.as_of:%d/%m/%Y}, đã qua "
        f"{fmt_percent(results.elapsed)} thời gian từ 01/01/{targets.start.year} đến "
        f"{targets.deadline:%d/%m/%Y}. Một cán bộ được tính là đã tập huấn khi đạt từ "
        f"{fmt_percent(targets.pass_mark)} điểm tối đa trở lên ở bài kiểm tra {quizzes}.",
        "",
        "| Nhóm đối tượng | Số cán bộ | Đã đạt | Tỷ lệ đạt | Chỉ tiêu | Còn thiếu | "
        "Cần đạt đến ngày chốt | Tiến độ |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in results.by_group.itertuples():
        lines.append(
            f"| {_md_cell(row.group_name)} | {fmt_int(row.headcount)} | {fmt_int(row.trained)} | "
            f"{fmt_percent(row.rate)} | {fmt_percent(row.target)} | {fmt_int(row.shortfall)} | "
            f"{fmt_int(row.required_now)} | {progress_text(row.on_track)} |")
    lines += [
        f"| **Tổng cộng** | **{fmt_int(total['headcount'])}** | **{fmt_int(total['trained'])}** "
        f"| **{fmt_percent(total['rate'])}** | | **{fmt_int(total['shortfall'])}** | "
        f"**{fmt_int(total['required_now'])}** | {total['groups_on_track']}/"
        f"{total['groups_with_cadres']} nhóm đúng tiến độ |",
        "",
        f"Cách tính tiến độ: {FORMULA}",
        "",
        f"- Cán bộ chưa làm bài kiểm tra: {fmt_int(c['no_submission'])}.",
        f"- Cán bộ đã làm nhưng chưa đạt: {fmt_int(c['not_trained'] - c['no_submission'])}.",
        f"- Cán bộ chỉ đạt sau ngày chốt (chưa tính vào kỳ này): "
        f"{fmt_int(c['passed_after_cutoff'])}.",
        f"- Bài nộp không khớp danh sách cán bộ (không được tính): "
        f"{fmt_int(c['unmatched_submissions'])}.",
    ]
    if c["undated_passes"]:
        lines.append(f"- Bài đạt nhưng không có ngày nộp (chưa được tính): "
                     f"{fmt_int(c['undated_passes'])}.")
    return "\n".join(lines) + "\n"


def terminal(results: Results, targets: Targets, out: Path) -> str:
    """A one-screen summary: the table by group and the counts that need attention."""
    c = counts(results)
    width = 38
    head = (f"{'Nhóm đối tượng':<{width}} {'Số CB':>7} {'Đạt':>7} {'Tỷ lệ':>7} "
            f"{'C.tiêu':>7} {'Thiếu':>6}  Tiến độ")
    lines = [
        f"Kết quả tập huấn đến hết ngày {results.as_of:%d/%m/%Y} — {targets.province}",
        head, "-" * len(head),
    ]
    for row in results.by_group.itertuples():
        name = row.group_name if len(row.group_name) <= width else row.group_name[:width - 1] + "…"
        lines.append(
            f"{name:<{width}} {fmt_int(row.headcount):>7} {fmt_int(row.trained):>7} "
            f"{fmt_percent(row.rate):>7} {fmt_percent(row.target):>7} "
            f"{fmt_int(row.shortfall):>6}  {progress_text(row.on_track)}")
    total = results.total
    lines += [
        "-" * len(head),
        f"{'Tổng cộng':<{width}} {fmt_int(total['headcount']):>7} {fmt_int(total['trained']):>7} "
        f"{fmt_percent(total['rate']):>7} {'':>7} {fmt_int(total['shortfall']):>6}",
        "",
        f"Chưa làm bài: {fmt_int(c['no_submission'])} · Bài nộp không khớp danh sách: "
        f"{fmt_int(c['unmatched_submissions'])} · Bài đạt không có ngày: "
        f"{fmt_int(c['undated_passes'])}",
        f"Báo cáo đã ghi vào: {out}",
    ]
    return "\n".join(lines)
