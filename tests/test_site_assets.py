"""What the built pages load: local assets only, a small icon font, Vietnamese catalogs."""

from __future__ import annotations

import json
import re
import subprocess
import sys

from babel.messages.pofile import read_po
from bs4 import BeautifulSoup
from fontTools.ttLib import TTFont

from conftest import ROOT, toc_files

LOCALE = ROOT / "book" / "_locales" / "vi" / "LC_MESSAGES"
sys.path.insert(0, str(ROOT / "book" / "_ext"))
from icon_font import icon_codepoints  # noqa: E402


def pages(html):
    return {page: (html / f"{page}.html").read_text(encoding="utf-8")
            for page in [*toc_files(), "search", "genindex"]}


def test_pages_load_no_heavy_or_outside_script(book_html):
    for page, text in pages(book_html).items():
        scripts = re.findall(r'<script[^>]*src="([^"]+)"', text)
        styles = re.findall(r'<link[^>]*rel="stylesheet"[^>]*href="([^"]+)"', text)
        assert not [url for url in scripts + styles if re.match(r"(https?:)?//", url)], page
        assert not [url for url in scripts if "fontawesome" in url or "thebe" in url], page
        assert "text/x-thebe-config" not in text and "binder" not in text, page
        has_index = any("searchindex.js" in url for url in scripts)
        assert has_index == (page == "search"), f"{page}: search index on a reading page"


def test_no_link_to_outside_services_around_the_text(book_html):
    """Repository, issue and launch buttons are off: outside the lesson text (where a
    reference may link to its source), no page links to another server."""
    for page, text in pages(book_html).items():
        soup = BeautifulSoup(text, "html.parser")
        for article in soup.select("article"):
            article.decompose()
        outside = [a["href"] for a in soup.find_all("a", href=True)
                   if re.match(r"(https?:)?//", a["href"])]
        assert not outside, f"{page}: {outside}"


def test_icon_font_holds_every_icon_the_pages_show(book_html):
    static = book_html / "_static"
    theme_css = (static / "styles" / "pydata-sphinx-theme.css").read_text(encoding="utf-8")
    by_name = icon_codepoints(theme_css)
    used = {name for text in pages(book_html).values()
            for name in re.findall(r"\bfa-([a-z0-9-]+)", text) if name in by_name}
    assert {"bars", "magnifying-glass", "sun", "moon"} <= used
    font = TTFont(static / "icons.woff")
    missing = sorted(name for name in used if by_name[name] not in font.getBestCmap())
    assert not missing, f"icons.woff lacks {missing}"
    assert (static / "icons.woff").stat().st_size < 20_000
    assert "icons.woff" in (static / "icons.css").read_text(encoding="utf-8")


def test_a_page_needing_an_outside_server_fails_the_build(tmp_path):
    """A formula would load MathJax from its CDN: the build says so and fails under -W."""
    (tmp_path / "conf.py").write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT / 'book' / '_ext')!r})\n"
        "extensions = ['sphinx.ext.mathjax', 'offline']\n", encoding="utf-8")
    (tmp_path / "index.rst").write_text("Trang\n=====\n\n:math:`a^2 + b^2`\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-W", "-q",
                           str(tmp_path), str(tmp_path / "out")], capture_output=True, text=True)
    assert done.returncode != 0
    assert "máy chủ bên ngoài" in done.stderr and "mathjax" in done.stderr.lower()


def test_vietnamese_catalogs_are_complete_and_agree():
    catalog = read_po((LOCALE / "sphinx.po").open("rb"))
    messages = {message.id: message.string for message in catalog if message.id}
    assert all(messages.values()), [key for key, value in messages.items() if not value]
    assert messages["Search"] == "Tìm kiếm"
    js = (LOCALE / "sphinx.js").read_text(encoding="utf-8")
    js_messages = json.loads(js[js.index("{"):js.rindex("}") + 1])["messages"]
    assert js_messages and all(js_messages.values())
    assert {key: messages[key] for key in js_messages} == js_messages
