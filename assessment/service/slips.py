"""Printable sign-in slips (PDF): one small card per cadre with their one-time code, eight to
an A4 page with cut lines, printed by Debian's headless Chromium (as the handouts are).

    write_slips(result.codes, Path("phieu-dang-nhap.pdf"), "https://hoc.tinh.gov.vn/hoc-vien/")
"""

from __future__ import annotations

import html
import os
import tempfile
from pathlib import Path

from assessment.service.accounts import Issued

STYLE = """
@page { size: A4; margin: 10mm; }
body { font-family: "DejaVu Sans", sans-serif; margin: 0; }
.slips { display: grid; grid-template-columns: 1fr 1fr; gap: 0; }
.slip { border: 1px dashed #777; padding: 5mm 6mm; height: 62mm; box-sizing: border-box;
        break-inside: avoid; font-size: 10pt; line-height: 1.35; }
.slip h2 { font-size: 11pt; margin: 0 0 2mm; }
.code { font-family: "DejaVu Sans Mono", monospace; font-size: 16pt; letter-spacing: 1px;
        font-weight: bold; margin: 1mm 0; }
.small { font-size: 8.5pt; color: #333; }
"""


def slips_html(codes: list[Issued], address: str) -> str:
    cards = []
    for item in codes:
        cards.append(
            '<div class="slip"><h2>Đăng nhập học trực tuyến</h2>'
            f"<div>{html.escape(item.name)}</div>"
            f'<div class="small">{html.escape(item.unit)}</div>'
            f"<div>Mã cán bộ: <strong>{html.escape(item.cadre_id)}</strong></div>"
            f'<div>Mã đăng nhập:</div><div class="code">{html.escape(item.code)}</div>'
            f'<div class="small">Mở {html.escape(address)}, nhập mã cán bộ và mã đăng nhập '
            "(dùng một lần), rồi đặt mật khẩu của mình. Giữ kín phiếu này.</div></div>")
    return ('<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">'
            f"<title>Phiếu đăng nhập</title><style>{STYLE}</style></head><body>"
            f'<div class="slips">{"".join(cards)}</div></body></html>')


def write_slips(codes: list[Issued], out: Path, address: str) -> None:
    """Print the slips to ``out`` (written whole, or not at all)."""
    from playwright.sync_api import sync_playwright

    from assessment.site.browser import launch_chromium

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page = browser.new_page()
            page.route("**/*", lambda route: route.abort())  # nothing to fetch: no network
            page.set_content(slips_html(codes, address), wait_until="load")
            pdf = page.pdf(format="A4", print_background=True, tagged=True)
        finally:
            browser.close()
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, suffix=".pdf")
    with os.fdopen(fd, "wb") as handle:
        handle.write(pdf)
    os.replace(tmp, out)
