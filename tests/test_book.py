"""The real book build: every page present, Vietnamese, no broken link, page standard kept."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup

from conftest import ROOT, content_pages, toc_files

REQUIRED_SECTIONS = ["Mục tiêu học tập", "Ghi nhớ", "Tự kiểm tra", "Nguồn tham khảo"]
MIN_PRACTICE_QUESTIONS = 5
MIN_WORDS, MAX_WORDS = 1200, 3500


def html_path(html: Path, page: str) -> Path:
    return html / f"{page}.html"


def soup_of(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_build_has_no_warning(book_build):
    _, log = book_build
    assert "WARNING" not in log and "ERROR" not in log, log[-5000:]


@pytest.mark.parametrize("page", toc_files())
def test_every_toc_page_is_built_in_vietnamese(book_html, page):
    path = html_path(book_html, page)
    assert path.exists(), f"{page} is in _toc.yml but not in the build"
    html_tag = soup_of(path).find("html")
    assert html_tag.get("lang") == "vi"


def test_nothing_outside_the_toc_is_built(book_html):
    built = {
        str(p.relative_to(book_html).with_suffix(""))
        for p in book_html.rglob("*.html")
        if p.relative_to(book_html).parts[0] not in {"_static", "_sources"}
    }
    expected = set(toc_files()) | {"index", "genindex", "search"}
    assert built <= expected, f"stray pages built: {sorted(built - expected)}"


def test_no_internal_link_is_broken(book_html):
    broken = []
    ids_of: dict[Path, set[str]] = {}
    for page in book_html.rglob("*.html"):
        if "_static" in page.parts:
            continue
        for anchor in soup_of(page).find_all("a", href=True):
            href = anchor["href"]
            parts = urlsplit(href)
            if parts.scheme or href.startswith(("mailto:", "//")):
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{page.relative_to(book_html)} -> {href}")
                continue
            if parts.fragment and target.suffix == ".html":
                if target not in ids_of:
                    ids_of[target] = {tag["id"] for tag in soup_of(target).find_all(id=True)}
                if unquote(parts.fragment) not in ids_of[target]:
                    broken.append(f"{page.relative_to(book_html)} -> {href} (no such anchor)")
    assert not broken, "broken internal links:\n" + "\n".join(broken)


def section_titles(soup: BeautifulSoup) -> list[str]:
    titles = []
    for h2 in soup.select("article h2, main h2"):
        text = h2.get_text(" ", strip=True).replace("#", "").strip()
        titles.append(re.sub(r"^[\d.]+\s*", "", text))
    return titles


@pytest.mark.parametrize("page", content_pages())
def test_content_page_keeps_the_page_standard(book_html, page):
    source = (ROOT / f"{page}.md").read_text(encoding="utf-8")
    assert re.search(r"^\([a-z0-9-]+\)=\s*$", source, re.M), f"{page}: no (label)= target"
    assert len(re.findall(r"^# ", source, re.M)) == 1, f"{page}: needs exactly one # title"

    soup = soup_of(html_path(book_html, page))
    titles = section_titles(soup)
    for required in REQUIRED_SECTIONS:
        assert required in titles, f"{page}: missing section {required!r} (has {titles})"
    order = [titles.index(t) for t in REQUIRED_SECTIONS]
    assert order == sorted(order), f"{page}: sections out of order: {titles}"

    questions = soup.select(".selfcheck")
    assert len(questions) >= MIN_PRACTICE_QUESTIONS, f"{page}: {len(questions)} practice questions"
    for question in questions:
        letters = "ABCDEFGH"[: len(question.select(".selfcheck-options > li"))]
        assert question["data-answer"] in letters

    sources = soup.find("section", id="nguon-tham-khao")
    assert sources is not None and sources.select(".bibtex-citation"), (
        f"{page}: 'Nguồn tham khảo' cites nothing from references.bib"
    )


@pytest.mark.parametrize("page", content_pages())
def test_content_page_is_substantial(book_html, page):
    article = soup_of(html_path(book_html, page)).find("article")
    for cut in article.select(".selfcheck, #nguon-tham-khao, #tu-kiem-tra"):
        cut.decompose()
    words = len(article.get_text(" ", strip=True).split())
    assert MIN_WORDS <= words <= MAX_WORDS, f"{page}: {words} words of prose"
