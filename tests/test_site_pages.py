"""Every page in a real browser: offline, in Vietnamese, accessible, and fit for a phone."""

from __future__ import annotations

import re

import pytest
from site_browser import run_axe

from conftest import toc_files

PAGES = [f"{page}.html" for page in toc_files()] + ["search.html", "genindex.html"]

# Interface words the themes show in English unless translated; the reading text
# (<article>) is left out, since a reference may carry an English title.
ENGLISH_UI = re.compile(
    r"\b(search|skip to|back to top|toggle|light|dark|system settings|color mode|contents|"
    r"on this page|previous|next|copyright|download|print|fullscreen|edit|repository|"
    r"issue|launch|navigation|close|copy|home|index|last updated|created using|theme|"
    r"sidebar|link to this|breadcrumb|main)\b",
    re.IGNORECASE,
)

INTERFACE_TEXTS = """() => {
  const texts = [];
  const visible = (el) => el.offsetParent !== null || el.getClientRects().length > 0;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest("article, script, style, noscript") || !visible(parent)) continue;
    if (node.textContent.trim()) texts.push(node.textContent.trim());
  }
  for (const el of document.querySelectorAll("[title], [aria-label], [placeholder], [alt]")) {
    if (el.closest("article") && !el.matches(".headerlink, button")) continue;
    for (const name of ["title", "aria-label", "placeholder", "alt"])
      if (el.getAttribute(name)) texts.push(`${name}=${el.getAttribute(name)}`);
  }
  return texts;
}"""

HEADING_LEVELS = """() => [...document.querySelectorAll(
    "main h1, main h2, main h3, main h4, main h5, main h6")]
  .filter((h) => h.getClientRects().length > 0)
  .map((h) => [Number(h.tagName[1]), h.textContent.trim().slice(0, 60)])"""


PHONE_LAYOUT = """() => {
  const width = document.documentElement.clientWidth;
  const tables = [...document.querySelectorAll("article table")].map((table) => {
    const box = table.parentElement;
    return {
      wider: table.scrollWidth > box.clientWidth,
      scrolls: ["auto", "scroll"].includes(getComputedStyle(box).overflowX),
      right: Math.round(box.getBoundingClientRect().right),
    };
  });
  return {width, scrollWidth: document.documentElement.scrollWidth, tables};
}"""


def check_phone_layout(path: str, layout: dict) -> None:
    assert layout["scrollWidth"] <= layout["width"], (
        f"{path}: the page scrolls sideways on a 360 px phone "
        f"({layout['scrollWidth']} > {layout['width']} px)"
    )
    for table in layout["tables"]:
        assert table["right"] <= layout["width"], f"{path}: a table's box is wider than the screen"
        if table["wider"]:
            assert table["scrolls"], f"{path}: a wide table does not scroll in its own box"


@pytest.mark.parametrize("path", PAGES)
def test_page_offline_vietnamese_accessible_and_phone_sized(open_page, path):
    """One load per page (the suite's slowest part): every check of the page runs on it."""
    page, log = open_page(path)
    assert page.evaluate("document.documentElement.lang") == "vi"

    english = [text for text in page.evaluate(INTERFACE_TEXTS) if ENGLISH_UI.search(text)]
    assert not english, f"{path}: interface text in English: {english}"

    violations = [v for v in run_axe(page) if v["impact"] in {"serious", "critical"}]
    assert not violations, f"{path}: axe-core violations: {violations}"

    assert page.locator("img:not([alt])").count() == 0, f"{path}: image without alt text"
    levels = page.evaluate(HEADING_LEVELS)
    assert levels and levels[0][0] == 1, f"{path}: the first heading is not an h1: {levels[:3]}"
    jumps = [(a, b) for a, b in zip(levels, levels[1:], strict=False) if b[0] > a[0] + 1]
    assert not jumps, f"{path}: headings skip a level: {jumps}"

    loaded = page.evaluate("performance.getEntriesByType('resource').map((e) => e.name)")
    assert not [url for url in loaded if "fa-solid-900" in url or "fontawesome" in url], (
        f"{path}: the full icon font or script was loaded")

    page.set_viewport_size({"width": 360, "height": 740})
    check_phone_layout(path, page.evaluate(PHONE_LAYOUT))

    # Checked last, so that requests made late (fonts, scripts run on load) are counted.
    assert not log.problems(), f"{path}:\n" + "\n".join(log.problems())


def test_some_table_is_checked_on_a_phone(book_html):
    """The phone test above checks tables only if the book has some."""
    assert any("<table" in (book_html / p).read_text(encoding="utf-8") for p in PAGES)


def test_a_wide_table_scrolls_in_its_own_box(open_page, book_html):
    """Widen a real table of the book on a phone: the page stays put, the table scrolls."""
    path = next(p for p in PAGES if "<table" in (book_html / p).read_text(encoding="utf-8"))
    page, _ = open_page(path, phone=True)
    page.evaluate("""() => {
      const cell = document.querySelector("article table td, article table th");
      cell.innerHTML += '<span style="white-space: nowrap">' + "rất rộng ".repeat(60) + "</span>";
    }""")
    layout = page.evaluate(PHONE_LAYOUT)
    assert layout["scrollWidth"] <= layout["width"], f"{path}: the page scrolls sideways"
    assert any(t["wider"] and t["scrolls"] for t in layout["tables"]), layout["tables"]
