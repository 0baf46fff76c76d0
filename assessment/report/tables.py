"""The report's tables as people read them: Vietnamese headers, one kind per column.

The Excel workbook, the HTML page and the Markdown summary all show these same tables, so a
number reads the same everywhere. Kinds: "text", "int", "percent", "date", "datetime", "number".
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from assessment.report.stats import Results
from assessment.report.targets import Targets

ON_TRACK = "Đúng tiến độ"
BEHIND = "Chậm tiến độ"
NO_CADRES = "Chưa có cán bộ"

FORMULA = (
    "Tỷ lệ cần đạt đến ngày chốt = chỉ tiêu × (số ngày từ 01/01 năm bắt đầu đến ngày chốt) ÷ "
    "(số ngày từ 01/01 năm bắt đầu đến 31/12 năm hạn chót), tính cả ngày đầu và ngày cuối. "
    "Một nhóm «đúng tiến độ» khi số đã đạt ≥ làm tròn lên (tỷ lệ cần đạt × số cán bộ). "
    "«Còn thiếu» = làm tròn lên (chỉ tiêu × số cán bộ) − số đã đạt (không âm)."
)

# metric → (header, kind)
METRIC_COLUMNS = {
    "headcount": ("Số cán bộ", "int"),
    "trained": ("Đã đạt", "int"),
    "rate": ("Tỷ lệ đạt", "percent"),
    "target": ("Chỉ tiêu", "percent"),
    "needed": ("Cần đạt theo chỉ tiêu", "int"),
    "shortfall": ("Còn thiếu", "int"),
    "expected_rate": ("Tỷ lệ cần đạt đến ngày chốt", "percent"),
    "required_now": ("Cần đạt đến ngày chốt", "int"),
    "on_track": ("Tiến độ", "text"),
}


@dataclass
class Table:
    """A titled table: ``frame`` has the Vietnamese headers; ``kinds`` maps header → kind."""

    key: str
    title: str
    frame: pd.DataFrame
    kinds: dict[str, str]
    note: str = ""


def fmt_percent(value: object) -> str:
    """0.8537 → "85,4%"; missing → "—" (a group with no cadres has no rate)."""
    if value is None or pd.isna(value):
        return "—"
    return f"{float(value) * 100:.1f}".replace(".", ",") + "%"


def fmt_int(value: object) -> str:
    """20000 → "20.000" (Vietnamese thousands separator)."""
    if value is None or pd.isna(value):
        return "—"
    return f"{int(value):,}".replace(",", ".")


def fmt_date(value: object) -> str:
    if value is None or pd.isna(value):
        return ""
    return value.strftime("%d/%m/%Y")


def progress_text(value: object) -> str:
    if value is None or pd.isna(value):
        return NO_CADRES
    return ON_TRACK if bool(value) else BEHIND


def _with_metrics(frame: pd.DataFrame, lead: dict[str, tuple[str, str]]) -> tuple[
        pd.DataFrame, dict[str, str]]:
    columns = {**lead, **METRIC_COLUMNS}
    out = pd.DataFrame({header: frame[key] for key, (header, _) in columns.items()})
    out[METRIC_COLUMNS["on_track"][0]] = frame["on_track"].map(progress_text)
    return out, {header: kind for header, kind in columns.values()}


def group_table(results: Results, targets: Targets) -> Table:
    frame, kinds = _with_metrics(results.by_group, {
        "group": ("Mã nhóm", "text"), "group_name": ("Nhóm đối tượng", "text")})
    total = results.total
    frame.loc[len(frame)] = {
        "Mã nhóm": "", "Nhóm đối tượng": "Tổng cộng", "Số cán bộ": total["headcount"],
        "Đã đạt": total["trained"], "Tỷ lệ đạt": total["rate"], "Chỉ tiêu": None,
        "Cần đạt theo chỉ tiêu": total["needed"], "Còn thiếu": total["shortfall"],
        "Tỷ lệ cần đạt đến ngày chốt": None, "Cần đạt đến ngày chốt": total["required_now"],
        "Tiến độ": f"{total['groups_on_track']}/{total['groups_with_cadres']} nhóm đúng tiến độ",
    }
    return Table("groups", "Tổng hợp theo nhóm đối tượng", frame, kinds, FORMULA)


def breakdown_table(results: Results, by: str) -> Table:
    spec = {
        "unit": ("units", "Theo đơn vị", results.by_unit, {"unit": ("Đơn vị", "text")}),
        "level": ("levels", "Theo cấp", results.by_level, {"level_name": ("Cấp", "text")}),
        "sex": ("sex", "Theo giới tính", results.by_sex, {"sex": ("Giới tính", "text")}),
    }[by]
    key, title, source, extra = spec
    lead = {"group_name": ("Nhóm đối tượng", "text"), **extra}
    if source.empty:
        return Table(key, title, pd.DataFrame(columns=[h for h, _ in lead.values()]), {})
    frame, kinds = _with_metrics(source, lead)
    return Table(key, title, frame, kinds)


def not_trained_table(results: Results, targets: Targets) -> Table:
    rows = results.not_trained
    groups = {g.code: g.name for g in targets.groups}
    levels = {lv.code: lv.name for lv in targets.levels}
    notes = rows["passed_after"].map(
        lambda d: f"Đạt ngày {fmt_date(d)}, sau ngày chốt" if pd.notna(d) else "")
    frame = pd.DataFrame({
        "Đơn vị": rows["unit"], "Mã cán bộ": rows["id"], "Họ và tên": rows["name"],
        "Nhóm đối tượng": rows["group"].map(groups), "Cấp": rows["level"].map(levels),
        "Tình trạng": rows["status"], "Số lần làm bài": rows["attempts"],
        "Điểm cao nhất": rows["best_share"], "Ghi chú": notes,
    })
    kinds = {"Số lần làm bài": "int", "Điểm cao nhất": "percent"}
    return Table("not_trained", "Cán bộ chưa đạt (theo đơn vị; chỉ dùng nội bộ)", frame, kinds)


def _submission_frame(rows: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "Sổ điểm": rows["gradebook"], "Bài kiểm tra": rows["quiz"],
        "Mã trong sổ điểm": rows["student_id"], "Họ tên trong sổ điểm": rows["student_name"],
        "Thời điểm nộp": rows["local_time"], "Điểm": rows["score"],
        "Điểm tối đa": rows["max_score"], "Tỷ lệ điểm": rows["share"],
        "Đạt": rows["passed"].map({True: "Đạt", False: "Chưa đạt"}),
        "Tính vào chỉ tiêu": rows["counted"].map({True: "Có", False: "Không"}),
    })


_SUBMISSION_KINDS = {"Thời điểm nộp": "datetime", "Điểm": "number", "Điểm tối đa": "number",
                     "Tỷ lệ điểm": "percent"}


def unmatched_table(results: Results) -> Table:
    return Table(
        "unmatched", "Bài nộp không khớp danh sách", _submission_frame(results.unmatched),
        _SUBMISSION_KINDS,
        "Mã học viên trong sổ điểm không có trong danh sách cán bộ: kiểm tra mã gõ sai, hoặc "
        "bổ sung cán bộ vào danh sách. Các bài này không được tính.")


def undated_table(results: Results) -> Table:
    frame = _submission_frame(results.undated)
    frame.insert(2, "Họ và tên (danh sách)", results.undated["name"])
    return Table(
        "undated", "Bài đạt nhưng không có ngày nộp", frame, _SUBMISSION_KINDS,
        "nbgrader không ghi thời điểm nộp cho các bài này (thiếu tệp timestamp.txt), nên không "
        "xác định được bài nộp trước hay sau ngày chốt và chưa được tính.")


def items_table(results: Results) -> Table:
    items = results.items
    frame = pd.DataFrame({
        "Bài kiểm tra": items["quiz"], "Notebook": items["notebook"],
        "Câu hỏi (grade_id)": items["question"], "Số bài làm": items["responses"],
        "Điểm tối đa": items["max_score"], "Độ dễ": items["facility"],
        "Tỷ lệ làm đúng": items["correct"], "Độ phân biệt": items["discrimination"],
        "Cảnh báo": items["flags"],
    })
    kinds = {"Số bài làm": "int", "Điểm tối đa": "number", "Độ dễ": "percent",
             "Tỷ lệ làm đúng": "percent", "Độ phân biệt": "number"}
    return Table(
        "items", "Phân tích câu hỏi", frame, kinds,
        "Độ dễ: điểm trung bình của câu so với điểm tối đa. Độ phân biệt: hệ số tương quan "
        "điểm-nhị phân hiệu chỉnh (giữa điểm câu này và điểm phần còn lại của bài), từ −1 đến 1; "
        "từ 0,2 trở lên là tốt, âm là người làm tốt cả bài lại hay sai câu này.")


def all_tables(results: Results, targets: Targets) -> list[Table]:
    """Every table, in the order of the workbook's sheets."""
    tables = [group_table(results, targets), breakdown_table(results, "unit"),
              breakdown_table(results, "level")]
    if not results.by_sex.empty:
        tables.append(breakdown_table(results, "sex"))
    return tables + [not_trained_table(results, targets), unmatched_table(results),
                     undated_table(results), items_table(results)]
