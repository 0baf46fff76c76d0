"""report.html in real headless Chromium: offline, readable at 360 px, printable, accessible."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from report_fixtures import AS_OF
from site_browser import PHONE, run_axe

from assessment.cli import main
from assessment.site.browser import block_outside

from conftest import ROOT


@pytest.fixture(scope="module")
def report_html(report_case, tmp_path_factory):
    out = tmp_path_factory.mktemp("html") / "bao-cao"
    args = ["report", "--roster", str(report_case.roster), "--as-of", AS_OF, "--out", str(out),
            "--targets", str(ROOT / "quizzes/targets.yml")]
    for gradebook in report_case.gradebooks:
        args += ["--gradebook", str(gradebook)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return out / "report.html"


@pytest.fixture
def phone_page(browser, report_html):
    context = browser.new_context(**PHONE)
    outside = block_outside(context, "file://")
    page = context.new_page()
    page.goto(report_html.as_uri(), wait_until="load")
    yield page, outside
    context.close()


def test_phone_width_without_sideways_scrolling(phone_page):
    page, outside = phone_page
    assert outside == []  # nothing fetched from the network
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1] == 360
    charts = page.evaluate("""[...document.querySelectorAll('figure svg')].map(s => {
        const r = s.getBoundingClientRect(); return [r.width, r.height, r.right]; })""")
    assert len(charts) == 2
    for width, height, right in charts:
        assert 250 < width <= 360 and height > 100 and right <= 360
    # the headline figures and the table of groups are there, in Vietnamese
    assert page.locator(".card").count() == 4
    assert page.get_by_role("heading", name="Tiến độ theo nhóm đối tượng").is_visible()
    body_size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert body_size >= 16


def test_wide_tables_scroll_inside_their_box(phone_page):
    page, _ = phone_page
    boxes = page.evaluate("""[...document.querySelectorAll('.table-wrap')].map(b =>
        [b.scrollWidth > b.clientWidth, b.getBoundingClientRect().right])""")
    assert boxes and all(right <= 360 for _, right in boxes)
    assert any(scrolls for scrolls, _ in boxes)  # the wide ones scroll within the page


def test_printable(browser, report_html):
    page = browser.new_page()
    page.goto(report_html.as_uri(), wait_until="load")
    page.emulate_media(media="print")
    overflow = page.evaluate(
        "getComputedStyle(document.querySelector('.table-wrap')).overflowX")
    assert overflow == "visible"  # nothing hidden in a scroll box on paper
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") >= 2
    page.close()


def test_accessibility(phone_page):
    page, _ = phone_page
    serious = [v for v in run_axe(page) if v["impact"] in ("serious", "critical")]
    assert serious == []
