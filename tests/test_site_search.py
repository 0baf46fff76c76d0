"""Vietnamese search in the real search page, typed with or without diacritics.

Content-dependent checks name pages whose topic makes the result certain: the CRC page
is about the Convention on the Rights of the Child ("quyền trẻ em"), Part 3's page on the
Party's guidelines speaks of "Đảng", and the page on the 1079 scheme cites Decision 1079.
"""

from __future__ import annotations

from urllib.parse import quote_plus

import pytest

CRC_PAGE = "book/cong-uoc/quyen-tre-em"
PARTY_PAGE = "book/chinh-sach-phap-luat/chu-truong-cua-dang"
SCHEME_PAGE = "book/chinh-sach-phap-luat/de-an-va-ke-hoach-tinh"


def search(open_page, query: str) -> tuple[list[str], str, object]:
    """Run a query on search.html; return the result pages in order, the status text, page."""
    page, log = open_page(f"search.html?q={quote_plus(query)}")
    status = page.locator("#search-results p.search-summary")
    page.wait_for_function(
        "() => document.querySelector('#search-results p.search-summary')?.textContent"
    )
    hrefs = page.eval_on_selector_all("ul.search li > a", "links => links.map(a => a.href)")
    pages = [href.split("://", 1)[1].split("/", 1)[1].split(".html")[0] for href in hrefs]
    assert not log.problems(), "\n".join(log.problems())
    return pages, status.inner_text(), page


@pytest.mark.parametrize("query", ["quyen tre em", "Quyền trẻ em", "QUYỀN TRẺ EM"])
def test_crc_page_comes_first_with_or_without_diacritics(open_page, query):
    pages, status, _ = search(open_page, query)
    assert pages and pages[0] == CRC_PAGE, f"{query!r}: {pages[:5]}"
    assert status.startswith("Tìm xong"), status


def test_same_pages_with_and_without_diacritics(open_page):
    plain, _, _ = search(open_page, "quyen tre em")
    marked, _, _ = search(open_page, "Quyền Trẻ Em")
    assert set(plain) == set(marked) and len(plain) > 1


def test_dang_finds_the_party_page(open_page):
    pages, _, _ = search(open_page, "dang")
    assert PARTY_PAGE in pages, pages


def test_numbers_are_searchable(open_page):
    pages, _, _ = search(open_page, "1079")
    assert SCHEME_PAGE in pages, pages


def test_search_page_speaks_vietnamese(open_page):
    _, status, page = search(open_page, "khongcotrangnaochuatu")
    assert page.locator("#search-results h2").inner_text().startswith("Kết quả tìm kiếm")
    assert status.startswith("Không tìm thấy trang nào"), status
    assert page.locator("h1").first.inner_text() == "Tìm kiếm"
    placeholder = page.locator("form.bd-search input[name=q]").first.get_attribute("placeholder")
    assert placeholder.startswith("Tìm kiếm")


def test_search_summary_shows_the_matching_passage(open_page):
    """The summary under a result quotes the text around the folded match."""
    _, _, page = search(open_page, "quyen tre em")
    page.wait_for_selector("ul.search li p.context")
    summary = page.locator("ul.search li p.context").first.inner_text().lower()
    assert "trẻ em" in summary or "tre em" in summary, summary
