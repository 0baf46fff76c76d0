"""Keep every page self-contained: no request leaves the site.

Cadres often read on government networks that cannot reach outside servers, so a
page must not depend on one. This extension:

- removes sphinx-thebe from every page (Jupyter Book always loads it; it configures
  a kernel on mybinder.org and a script on unpkg.com, and the book runs no code);
- refuses, with a build warning (a failure under ``-W``), any page that would load a
  script or stylesheet from another server, for example MathJax from its CDN when a
  page uses a formula;
- translates the copy button of code blocks (sphinx-copybutton has no Vietnamese)
  through ``vi_interface.js``.
"""

from __future__ import annotations

import re

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

OUTSIDE_URL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)
THEBE_FILES = {"sphinx-thebe.js", "sphinx-thebe.css"}
THEBE_MARKERS = ("text/x-thebe-config", "kernelName =", "THEBE_JS_URL")


def _asset_url(asset: object) -> str:
    """The URL of a script or stylesheet of the page context ("" for an inline script)."""
    return str(getattr(asset, "filename", asset) or "")


def _is_thebe(asset: object) -> bool:
    url = _asset_url(asset)
    if url:
        return url.rsplit("/", 1)[-1] in THEBE_FILES
    body = getattr(asset, "attributes", {}).get("body", "")
    return any(marker in body for marker in THEBE_MARKERS)


def remove_thebe_config(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Drop the <script> blocks that sphinx-thebe appends to every page."""
    for raw in list(doctree.findall(nodes.raw)):
        if any(marker in raw.astext() for marker in THEBE_MARKERS):
            raw.parent.remove(raw)


def keep_assets_local(app: Sphinx, pagename: str, templatename: str, context: dict,
                      doctree: nodes.document | None) -> None:
    """Remove thebe's files from the page and refuse assets from outside the site."""
    for key in ("script_files", "css_files"):
        assets = [asset for asset in context.get(key, []) if not _is_thebe(asset)]
        context[key] = assets
        for asset in assets:
            url = _asset_url(asset)
            if url and OUTSIDE_URL.match(url):
                logger.warning(
                    "Trang %s tải %s từ máy chủ bên ngoài; mạng nội bộ không truy cập "
                    "được. Hãy bỏ thành phần cần tệp này (ví dụ công thức toán cần "
                    "MathJax) hoặc đặt tệp vào _static.",
                    pagename, url, location=pagename, type="offline", subtype="asset",
                )


def setup(app: Sphinx) -> dict:
    # After sphinx-thebe (500) has added its nodes and after sphinx.ext.mathjax (500)
    # has added MathJax to the pages that need it.
    app.connect("doctree-resolved", remove_thebe_config, priority=900)
    app.connect("html-page-context", keep_assets_local, priority=900)
    app.add_js_file("vi_interface.js", priority=600)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
