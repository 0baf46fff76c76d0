"""The register in the real book build: update dates, the appendix list, the front page."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from assessment.register.documents import display_date, load_register

from conftest import ROOT, toc_files

APPENDIX = "book/phu-luc/van-ban-duoc-trich-dan"
DATE = re.compile(r"^cap_nhat:\s*(\d{4})-(\d{2})-(\d{2})\s*$", re.M)


def soup_of(book_html, page: str) -> BeautifulSoup:
    return BeautifulSoup((book_html / f"{page}.html").read_text(encoding="utf-8"),
                         "html.parser")


@pytest.mark.parametrize("page", toc_files()[1:])
def test_every_page_shows_the_date_its_content_was_checked(book_html, page):
    source = (ROOT / f"{page}.md").read_text(encoding="utf-8")
    year, month, day = DATE.search(source).groups()
    note = soup_of(book_html, page).select_one("article p.cap-nhat, main p.cap-nhat")
    assert note is not None, f"{page}: no 'Cập nhật đến ngày' in the built page"
    assert note.get_text(strip=True) == f"Cập nhật đến ngày {int(day)}/{int(month)}/{year}"


def test_the_appendix_lists_every_document_of_the_register(book_html):
    assert APPENDIX in toc_files()
    page = soup_of(book_html, APPENDIX)
    rows = page.select("table.danh-muc-van-ban tbody tr")
    register = load_register(ROOT / "book" / "references.bib")
    assert len(rows) == len(register.documents)
    text = {tr.find("strong").get_text(strip=True): tr.get_text(" ", strip=True) for tr in rows}
    press = next(tr for tr in rows if tr.find("strong").get_text(strip=True) == "Luật Báo chí 2025")
    hrefs = [a["href"] for a in press.select("p.trich-dan-o a")]
    assert "../cong-uoc/quyen-dan-su-chinh-tri.html" in hrefs, hrefs
    for doc in register.replaced():
        successor = register.labels[doc.replaced_by]
        assert f"Thay thế bởi {successor}, từ ngày {display_date(doc.replaced_on)}" in (
            text[doc.label])


def test_the_front_page_says_what_changed_in_the_latest_update(book_html):
    index = soup_of(book_html, toc_files()[0])
    heading = next(h for h in index.select("h2") if "Thay đổi trong lần cập nhật" in h.get_text())
    items = heading.find_parent("section").select("li")
    assert len(items) >= 5
    assert any("Luật Báo chí 2025" in li.get_text() for li in items)
    links = heading.find_parent("section").select("a[href]")
    assert any(APPENDIX.rsplit("/", 1)[1] in a["href"] for a in links)
