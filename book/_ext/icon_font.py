"""A small icon font: only the Font Awesome icons the site shows (a few KB, not 150 KB).

The theme draws its icons (menu, search, sun/moon, arrows, admonition symbols) with the
Font Awesome font, whose solid face alone weighs 153 KB: more than the rest of a page on
the first visit. After the build, this extension lists the icons the site can show (the
``fa-*`` classes in the pages and the theme's scripts, and the theme's ``--pst-icon-*``
symbols), cuts the theme's own font down to them with fontTools, and writes
``_static/icons.woff``. ``icons.css`` declares it under the same font name, after the
theme's declaration, so the browser loads it instead of the full font.
"""

from __future__ import annotations

import re
from pathlib import Path

from fontTools import subset
from sphinx.application import Sphinx

FULL_FONT = "vendor/fontawesome/webfonts/fa-solid-900.ttf"
THEME_CSS = "styles/pydata-sphinx-theme.css"
SUBSET_FONT = "icons.woff"
ICON_CLASS = re.compile(r"\bfa-([a-z0-9-]+)")
# ".fa-magnifying-glass:before,.fa-search:before{content:"\f002"}"
ICON_RULE = re.compile(r"((?:\.fa-[a-z0-9-]+:(?::)?before,?)+)\{content:\"\\([0-9a-f]+)\"\}")
THEME_SYMBOL = re.compile(r"--pst-icon-[a-z-]+:\"(.)\"")


def icon_codepoints(theme_css: str) -> dict[str, int]:
    """Icon name -> code point, from the theme's stylesheet (``.fa-sun:before``)."""
    found = {}
    for selectors, code in ICON_RULE.findall(theme_css):
        for name in ICON_CLASS.findall(selectors):
            found[name] = int(code, 16)
    return found


def used_codepoints(static: Path, pages: list[Path]) -> set[int]:
    """The code points of every icon the pages, the theme's scripts and its CSS can show."""
    theme_css = (static / THEME_CSS).read_text(encoding="utf-8")
    names = set()
    for path in [*pages, *static.glob("scripts/*.js")]:
        names |= set(ICON_CLASS.findall(path.read_text(encoding="utf-8")))
    by_name = icon_codepoints(theme_css)
    return {by_name[name] for name in names if name in by_name} | {
        ord(symbol) for symbol in THEME_SYMBOL.findall(theme_css)}


def write_subset(app: Sphinx, exception: Exception | None) -> None:
    if exception or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    static = outdir / "_static"
    pages = [p for p in outdir.rglob("*.html") if "_static" not in p.parts]
    options = subset.Options()
    options.flavor = "woff"
    options.layout_features = ["*"]
    font = subset.load_font(str(static / FULL_FONT), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(used_codepoints(static, pages)))
    subsetter.subset(font)
    subset.save_font(font, str(static / SUBSET_FONT), options)


def setup(app: Sphinx) -> dict:
    app.connect("build-finished", write_subset)
    app.add_css_file("icons.css")
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
