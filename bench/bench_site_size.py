"""Benchmark: how many bytes a reader's browser downloads for a page, ours vs stock.

Builds, with the same Jupyter Book and Sphinx, (1) this book and (2) the stock template of
`jupyter-book create`, each into a temporary folder. Headless Chromium then opens every
page of each table of contents with an empty cache and records every response.

The model, printed with the figures:
- first visit: every file the page loads, gzip-compressed (level 6, as nginx or Apache
  send text) for HTML, CSS, JS, SVG and JSON; fonts and images as they are (already
  compressed);
- repeat visit: the reader has opened the home page before; the page's HTML is fetched
  again and any file the home page did not load; files already loaded come from the
  browser's cache (Sphinx and the theme version their URLs with ?v= / ?digest=, so a
  server can let browsers keep them);
- requests to other servers cannot be fetched offline: they are counted, not weighed.

Run with `make bench-size`.
"""

from __future__ import annotations

import gzip
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from assessment.site.browser import block_outside, launch_chromium, serve_directory  # noqa: E402

JUPYTER_BOOK = Path(sys.executable).parent / "jupyter-book"
TEXT_TYPES = ("text/", "javascript", "json", "svg", "xml")


@dataclass
class PageLoad:
    page: str
    files: dict[str, int]  # URL -> bytes on the wire
    html: int
    outside: int

    @property
    def total(self) -> int:
        return sum(self.files.values())


def wire_bytes(body: bytes, content_type: str) -> int:
    if any(kind in content_type for kind in TEXT_TYPES):
        return len(gzip.compress(body, compresslevel=6))
    return len(body)


def build(source: Path, output: Path) -> Path:
    subprocess.run([str(JUPYTER_BOOK), "build", str(source), "--path-output", str(output)],
                   check=True, capture_output=True, cwd=source)
    return output / "_build" / "html"


def toc_pages(source: Path) -> list[str]:
    toc = yaml.safe_load((source / "_toc.yml").read_text(encoding="utf-8"))
    pages = [toc["root"]]
    for part in toc.get("parts", [{"chapters": toc.get("chapters", [])}]):
        pages += [chapter["file"] for chapter in part["chapters"]]
    return [str(Path(page).with_suffix("")) for page in pages]


def load_page(browser, base: str, name: str) -> PageLoad:
    """Open one page with an empty cache; weigh what it loads, count what it asks outside."""
    context = browser.new_context()
    outside = block_outside(context, base)
    page = context.new_page()
    responses = []
    page.on("response", lambda response: responses.append(response))
    url = base + name + ".html"
    page.goto(url, wait_until="networkidle")
    files = {response.url: wire_bytes(response.body(), response.headers.get("content-type", ""))
             for response in responses if response.ok}
    context.close()
    return PageLoad(name, files, files.get(url, 0), len(outside))


def load_pages(browser, html: Path, pages: list[str]) -> list[PageLoad]:
    with serve_directory(html) as base:
        return [load_page(browser, base, name) for name in pages]


def repeat_bytes(load: PageLoad, home: PageLoad) -> int:
    cached = set(home.files)
    return load.html + sum(size for url, size in load.files.items()
                           if url not in cached and not url.endswith(f"/{load.page}.html"))


def summary(loads: list[PageLoad]) -> dict[str, PageLoad]:
    ordered = sorted(loads, key=lambda load: load.total)
    return {"heaviest": ordered[-1], "median": ordered[(len(ordered) - 1) // 2]}


def kb(size: int) -> str:
    return f"{size / 1024:8.1f} KB"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        tmp_path = Path(tmp)
        stock_source = tmp_path / "stock"
        subprocess.run([str(JUPYTER_BOOK), "create", str(stock_source)], check=True,
                       capture_output=True)
        sites = {"this book": (ROOT, build(ROOT, tmp_path / "ours")),
                 "stock template": (stock_source, build(stock_source, tmp_path / "stock-out"))}
        browser = launch_chromium(playwright)
        results = {}
        for label, (source, html) in sites.items():
            pages = toc_pages(source)
            loads = load_pages(browser, html, pages + ["search"])
            results[label] = (loads[:-1], loads[-1])
        browser.close()

    print("Bytes a browser downloads (gzip level 6 for text; fonts, images as they are)")
    print(f"{'':34}{'this book':>16}{'stock template':>18}")
    rows = {label: summary(loads) for label, (loads, _) in results.items()}
    homes = {label: loads[0] for label, (loads, _) in results.items()}
    for which in ("median", "heaviest"):
        ours, stock = rows["this book"][which], rows["stock template"][which]
        print(f"first visit, {which} page:{'':<{14 - len(which)}}{kb(ours.total):>16}"
              f"{kb(stock.total):>18}")
        print(f"  (that page){'':21}{Path(ours.page).name[:15]:>16}"
              f"{Path(stock.page).name[:17]:>18}")
        print(f"repeat visit, {which} page:{'':<{13 - len(which)}}"
              f"{kb(repeat_bytes(ours, homes['this book'])):>16}"
              f"{kb(repeat_bytes(stock, homes['stock template'])):>18}")
    search = {label: load for label, (_, load) in results.items()}
    print(f"first visit, search page:{'':9}{kb(search['this book'].total):>16}"
          f"{kb(search['stock template'].total):>18}")
    for label, (loads, _) in results.items():
        outside = sum(load.outside for load in loads)
        print(f"{label}: {len(loads)} pages; requests to outside servers (not weighed): "
              f"{outside}")
    print("Repeat visit: the home page was opened before; the page's HTML and any file the "
          "home page did not load are fetched again, the rest comes from the browser cache.")


if __name__ == "__main__":
    main()
