"""report.html: one self-contained page with charts, readable on a phone and printable.

Charts are drawn with matplotlib as SVG and inlined, so the page needs nothing from the
network (no CDN, no script). Tables sit in scrolling boxes so a 360-pixel-wide phone shows the
page without sideways scrolling of the whole page. Names of cadres are not shown here (the
page may be shared); the list of cadres not yet trained is in the Excel workbook.
"""

from __future__ import annotations

import io
import re
import textwrap
from html import escape

import matplotlib
import pandas as pd

# Figures made directly (no pyplot: no GUI backend, no global figure list, a faster import).
from matplotlib.figure import Figure

from assessment.report.item_analysis import MIN_RESPONSES
from assessment.report.stats import Results
from assessment.report.summary import counts
from assessment.report.tables import (
    FORMULA,
    NO_CADRES,
    Table,
    fmt_int,
    fmt_percent,
)
from assessment.report.targets import Targets

MAX_UNITS_IN_CHART = 50
CHART_WIDTH = 4.8  # inches: drawn text stays readable when the SVG shrinks to a phone's width
BLUE, GREEN, ORANGE, GREY = "#1f4e79", "#2e7d32", "#c75b00", "#8a8a8a"

CSS = """
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",Arial,sans-serif;
 color:#1b1b1b;line-height:1.5;background:#fff}
main{max-width:60rem;margin:0 auto;padding:1rem}
h1{font-size:1.5rem;line-height:1.3;margin:.5rem 0}
h2{font-size:1.2rem;margin:2rem 0 .5rem;border-bottom:2px solid #1f4e79;padding-bottom:.2rem}
.meta{color:#444}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(9rem,1fr));gap:.6rem;margin:1rem 0}
.card{border:1px solid #c9d3de;border-radius:.4rem;padding:.6rem;background:#f5f8fb}
.card b{display:block;font-size:1.4rem;color:#1f4e79}
figure{margin:1rem 0}
figure svg{width:100%;max-width:46rem;height:auto;display:block}
figcaption{font-size:.9rem;color:#444}
.table-wrap{overflow-x:auto;max-width:100%;-webkit-overflow-scrolling:touch}
.table-wrap:focus{outline:3px solid #c75b00;outline-offset:2px}
table{border-collapse:collapse;width:100%;min-width:34rem;font-size:.9rem}
th,td{border:1px solid #d0d7de;padding:.3rem .45rem;text-align:left;vertical-align:top}
th{background:#1f4e79;color:#fff}
td.num{text-align:right;white-space:nowrap}
td.t{min-width:7rem}td.t:first-child{min-width:10rem}td.long{min-width:18rem}
tr.total td{font-weight:bold;background:#eef2f6}
.ok{color:#2e7d32;font-weight:600}.late{color:#b3261e;font-weight:600}
.note{font-size:.9rem;color:#333;background:#fff8e1;border-left:4px solid #c75b00;padding:.5rem}
@media print{
 @page{size:A4;margin:14mm}
 body{font-size:10pt}
 main{max-width:none;padding:0}
 .table-wrap{overflow:visible}
 h2{break-after:avoid}
 figure,tr,.card{break-inside:avoid}
 th{background:#ddd;color:#000}
}
"""


def _svg(fig, prefix: str, label: str) -> str:
    """Inline SVG of a figure, scalable (viewBox only), without metadata, and with its ids
    prefixed so that two charts on one page never share an id."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    svg = re.sub(r'(<svg[^>]*?)\s(width|height)="[^"]*"', r"\1", svg, count=1)
    svg = re.sub(r'(<svg[^>]*?)\s(width|height)="[^"]*"', r"\1", svg, count=1)
    svg = re.sub(r'\bid="', f'id="{prefix}-', svg)
    svg = svg.replace("url(#", f"url(#{prefix}-").replace('href="#', f'href="#{prefix}-')
    return svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1)


def _setup() -> None:
    matplotlib.rcParams.update({"svg.fonttype": "none", "font.size": 10,
                                "font.family": ["DejaVu Sans"], "axes.spines.top": False,
                                "axes.spines.right": False})


def group_chart(results: Results) -> str:
    """Bars: rate of each group; a line at its target; a diamond at the even path."""
    _setup()
    rows = results.by_group.iloc[::-1]
    labels = ["\n".join(textwrap.wrap(n, 22)) for n in rows["group_name"]]
    fig = Figure(figsize=(CHART_WIDTH, 0.85 * len(rows) + 0.9))
    ax = fig.subplots()
    y = range(len(rows))
    rates = rows["rate"].astype(float).fillna(0).to_numpy() * 100
    colours = [GREY if pd.isna(t) else GREEN if t else ORANGE for t in rows["on_track"]]
    ax.barh(y, rates, color=colours, height=0.55)
    for i, row in enumerate(rows.itertuples()):
        ax.plot([row.target * 100] * 2, [i - 0.38, i + 0.38], color=BLUE, linewidth=2.5)
        if pd.notna(row.rate):
            ax.plot(row.expected_rate * 100, i, marker="D", color="black", markersize=6)
        text = NO_CADRES if pd.isna(row.rate) else fmt_percent(row.rate)
        ax.text(min(rates[i] + 1.5, 88), i, text, va="center", fontsize=9)
    ax.set_yticks(list(y), labels)
    ax.set_xlim(0, 105)
    ax.set_xlabel("Tỷ lệ đã đạt (%)")
    fig.tight_layout()
    return _svg(fig, "nhom", "Biểu đồ tỷ lệ đã đạt của từng nhóm đối tượng so với chỉ tiêu")


def unit_chart(results: Results) -> tuple[str, str]:
    """Bars: rate of each unit, highest at the top; (svg, caption note).

    Each unit's name sits above its bar, so names and bars both get the full width and stay
    readable on a phone. With more than MAX_UNITS_IN_CHART units, the largest ones are drawn.
    """
    _setup()
    units = results.unit_rates
    note = ""
    if len(units) > MAX_UNITS_IN_CHART:
        note = (f" Biểu đồ vẽ {MAX_UNITS_IN_CHART} đơn vị đông cán bộ nhất trong "
                f"{len(units)} đơn vị; bảng đầy đủ ở tệp Excel, trang «Theo đơn vị».")
        units = units.nlargest(MAX_UNITS_IN_CHART, "headcount", keep="first")
    units = units.sort_values(["rate", "headcount", "unit"], ascending=[False, False, True])
    fig = Figure(figsize=(CHART_WIDTH, 0.5 * len(units) + 0.7))
    ax = fig.subplots()
    for i, row in enumerate(units.itertuples()):
        ax.text(0, -i + 0.08, textwrap.shorten(row.unit, 48, placeholder="…"), va="bottom",
                fontsize=10)
        ax.barh(-i - 0.2, row.rate * 100, height=0.32, color=BLUE)
        ax.text(row.rate * 100 + 1, -i - 0.2, f"{fmt_percent(row.rate)} "
                f"({row.trained}/{row.headcount})", va="center", fontsize=9)
    ax.set_ylim(-len(units) + 0.4, 0.6)
    ax.set_xlim(0, 125)
    ax.set_xticks([0, 20, 40, 60, 80, 100])
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    ax.set_xlabel("Tỷ lệ cán bộ đã đạt (%), mọi nhóm đối tượng")
    fig.tight_layout()
    return _svg(fig, "donvi", "Biểu đồ tỷ lệ cán bộ đã đạt của từng đơn vị"), note


def _cell(value: object, kind: str) -> str:
    if kind == "percent":
        return f'<td class="num">{fmt_percent(value)}</td>'
    if kind == "int":
        return f'<td class="num">{fmt_int(value)}</td>'
    if kind == "number":
        text = "—" if value is None or pd.isna(value) else f"{float(value):.2f}".replace(".", ",")
        return f'<td class="num">{text}</td>'
    text = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
    css = "long" if kind == "long" else "t"
    if text.startswith("Đúng tiến độ"):
        css += " ok"
    elif text == "Chậm tiến độ":
        css += " late"
    return f'<td class="{css}">{escape(text)}</td>'


def html_table(table: Table, columns: list[str] | None = None, total_last: bool = False,
               label: str = "") -> str:
    columns = columns or list(table.frame.columns)
    head = "".join(f'<th scope="col">{escape(c)}</th>' for c in columns)
    body = []
    frame = table.frame[columns]
    for i, row in enumerate(frame.itertuples(index=False, name=None)):
        css = ' class="total"' if total_last and i == len(frame) - 1 else ""
        cells = "".join(_cell(v, table.kinds.get(c, "text")) for c, v in zip(columns, row,
                                                                               strict=True))
        body.append(f"<tr{css}>{cells}</tr>")
    if not body:
        body.append(f'<tr><td colspan="{len(columns)}">(không có)</td></tr>')
    # A box that scrolls sideways must be reachable by keyboard, with a name (WCAG).
    label = escape(label or table.title or "Bảng số liệu")
    return (f'<div class="table-wrap" tabindex="0" role="region" aria-label="{label}">'
            f'<table><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>')


def render(results: Results, targets: Targets, tables: dict[str, Table]) -> str:
    """The whole page."""
    c = counts(results)
    total = results.total
    unit_svg, unit_note = unit_chart(results)
    groups = tables["groups"]
    compact = ["Nhóm đối tượng", "Số cán bộ", "Đã đạt", "Tỷ lệ đạt", "Chỉ tiêu", "Còn thiếu",
               "Cần đạt đến ngày chốt", "Tiến độ"]
    # Only questions with enough answers to judge; the workbook lists every question.
    all_items = tables["items"].frame
    flagged = all_items[(all_items["Cảnh báo"] != "")
                        & (all_items["Số bài làm"] >= MIN_RESPONSES)]
    shown = ["Bài kiểm tra", "Câu hỏi (grade_id)", "Số bài làm", "Độ dễ", "Độ phân biệt",
             "Cảnh báo"]
    items = Table("items", "Câu hỏi cần xem lại", flagged[shown],
                  {**tables["items"].kinds, "Cảnh báo": "long"})
    parts = [
        f"<h1>Kết quả tập huấn về quyền con người đến ngày {results.as_of:%d/%m/%Y}</h1>",
        f'<p class="meta">{escape(targets.plan)} · {escape(targets.province)} · Cơ quan tổng '
        f"hợp: {escape(targets.reporting_body)}. Đã qua {fmt_percent(results.elapsed)} thời gian "
        f"của kế hoạch (01/01/{targets.start.year}–{targets.deadline:%d/%m/%Y}).</p>",
        '<div class="cards">'
        f'<div class="card"><b>{fmt_int(total["headcount"])}</b>cán bộ phải tập huấn</div>'
        f'<div class="card"><b>{fmt_int(total["trained"])}</b>đã đạt '
        f'({fmt_percent(total["rate"])})</div>'
        f'<div class="card"><b>{fmt_int(total["shortfall"])}</b>còn thiếu so với chỉ tiêu</div>'
        f'<div class="card"><b>{total["groups_on_track"]}/{total["groups_with_cadres"]}</b>'
        "nhóm đúng tiến độ</div></div>",
        "<h2>Tiến độ theo nhóm đối tượng</h2>",
        f"<figure>{group_chart(results)}<figcaption>Thanh: tỷ lệ đã đạt (xanh lá: đúng tiến độ,"
        " cam: chậm tiến độ). Vạch xanh đậm: chỉ tiêu năm "
        f"{targets.deadline.year}. ◆: mức cần đạt đến ngày chốt.</figcaption></figure>",
        html_table(groups, compact, total_last=True),
        f"<h2>Cách tính tiến độ</h2><p>{escape(FORMULA)}</p>",
        "<h2>Tỷ lệ đạt theo đơn vị</h2>",
        f"<figure>{unit_svg}<figcaption>Tỷ lệ cán bộ đã đạt của từng đơn vị, cao nhất ở trên "
        "(trong ngoặc: số đã đạt / số cán bộ)."
        f"{escape(unit_note)}</figcaption></figure>",
        html_table(tables["units"]),
        "<h2>Theo cấp</h2>",
        html_table(tables["levels"]),
    ]
    if "sex" in tables:
        parts += ["<h2>Theo giới tính</h2>", html_table(tables["sex"])]
    parts += [
        "<h2>Câu hỏi cần xem lại</h2>",
        f"<p>{escape(tables['items'].note)} Dưới đây là các câu có cảnh báo và có từ "
        f"{MIN_RESPONSES} bài làm trở lên; mọi câu (kể cả câu ít bài làm) ở tệp Excel, trang "
        "«Phân tích câu hỏi».</p>",
        html_table(items),
        "<h2>Cần xử lý</h2>",
        '<p class="note">'
        f"Cán bộ chưa làm bài: {fmt_int(c['no_submission'])}. "
        f"Đã làm nhưng chưa đạt: {fmt_int(c['not_trained'] - c['no_submission'])}. "
        f"Bài nộp không khớp danh sách (không được tính): {fmt_int(c['unmatched_submissions'])}. "
        f"Bài đạt không có ngày nộp (chưa được tính): {fmt_int(c['undated_passes'])}. "
        "Danh sách chi tiết (có họ tên) chỉ có trong tệp Excel, để dùng nội bộ.</p>",
    ]
    title = f"Kết quả tập huấn đến ngày {results.as_of:%d/%m/%Y} — {targets.province}"
    return (
        '<!DOCTYPE html>\n<html lang="vi">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
        + "\n".join(parts) + "\n</main>\n</body>\n</html>\n"
    )
