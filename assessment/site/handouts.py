"""PDF handouts of the course, printed by headless Chromium from the built site.

``assessment handouts`` reads the table of contents (``_toc.yml``) and the built pages
(``_build/html``) and writes, into ``_build/pdf/``, one handout for the whole course
(``khoa-hoc-day-du.pdf``) and one for each part of the table of contents (named after the
part: ``phan-1-luat-quoc-te-ve-quyen-con-nguoi.pdf``). Each has a cover, a table of contents
with page numbers, page numbers in the footer and PDF bookmarks. Practice questions are
printed without their answers; the answers follow each lesson ("Đáp án phần Tự kiểm tra").

The table of contents gets its page numbers from a first printing: Chromium writes PDF
bookmarks from the headings, and pypdf reads on which page each lesson starts.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urldefrag, urljoin

import click
import yaml

from assessment.vntext import fold

# bs4, Playwright and the local server are imported inside the functions that use them, so
# that `assessment --help` stays fast (tests/test_cli_startup.py).

COURSE_FILE = "khoa-hoc-day-du.pdf"
HANDOUT_URL = "__tai-lieu-phat-tay__.html"  # a virtual page, served from memory
PLACEHOLDER = "000"

PRINT_CSS = """
@page { size: A4; margin: 18mm 17mm 20mm 17mm; }
html, body { background: #fff !important; }
body { font-family: "DejaVu Serif", serif; font-size: 10.5pt; line-height: 1.45; color: #000; }
h1, h2, h3, h4, h5, .handout-cover, .handout-toc { font-family: "DejaVu Sans", sans-serif; }
h1 { font-size: 18pt; } h2 { font-size: 14pt; } h3 { font-size: 12pt; }
a { color: inherit !important; text-decoration: none !important; }
.handout-cover { break-after: page; text-align: center; padding-top: 30%; }
.handout-course { font-size: 22pt; font-weight: bold; margin-bottom: 1em; }
.handout-name { font-size: 15pt; margin-bottom: 2em; }
.handout-toc { break-after: page; }
.handout-toc-title { font-size: 16pt; font-weight: bold; }
.handout-toc ol { list-style: none; padding: 0; }
.handout-toc li { display: flex; align-items: baseline; margin: 0.2em 0; }
.handout-toc li.toc-part { font-weight: bold; margin-top: 0.7em; }
.handout-toc li.toc-lesson { padding-left: 1.2em; }
.handout-toc .dots { flex: 1; border-bottom: 1px dotted #555; margin: 0 0.4em; }
.handout-toc .page { min-width: 2.2em; text-align: right; font-variant-numeric: tabular-nums; }
.handout-part { break-before: page; padding-top: 30%; text-align: center; }
.handout-lesson { break-before: page; }
.handout-answers dt { font-weight: bold; margin-top: 0.4em; }
.selfcheck, figure, table, pre { break-inside: avoid; }
h1, h2, h3, h4, dt { break-after: avoid; }
.pst-scrollable-table-container { overflow: visible !important; }
table td, table th { border: 1px solid #888 !important; padding: 2pt 4pt !important; }
"""
HEADER = ('<div style="font: 8pt \'DejaVu Sans\', sans-serif; width: 100%; margin: 0 17mm; '
          'color: #444;">{title}</div>')
FOOTER = ('<div style="font: 8pt \'DejaVu Sans\', sans-serif; width: 100%; text-align: center; '
          'color: #444;">Trang <span class="pageNumber"></span> / '
          '<span class="totalPages"></span></div>')


class HandoutError(Exception):
    """A handout cannot be made; the message says why and what to do, in Vietnamese."""


@dataclass
class Handout:
    """One PDF: its file name, its name on the cover, and its parts (caption, pages)."""

    filename: str
    name: str
    parts: list[tuple[str | None, list[str]]] = field(default_factory=list)

    @property
    def pages(self) -> list[str]:
        return [page for _, pages in self.parts for page in pages]


def slug(text: str, limit: int = 60) -> str:
    """A file name from a caption: ``slug("Phần 1. Luật quốc tế") == "phan-1-luat-quoc-te"``."""
    words = re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")
    return words[:limit].rsplit("-", 1)[0] if len(words) > limit else words


def plan_handouts(root: Path) -> list[Handout]:
    """The course handout and one handout per part, from ``_toc.yml``."""
    toc_path = root / "_toc.yml"
    try:
        toc = yaml.safe_load(toc_path.read_text(encoding="utf-8"))
        parts = [(part["caption"], [ch["file"] for ch in part["chapters"]])
                 for part in toc["parts"]]
    except (OSError, yaml.YAMLError, KeyError, TypeError) as error:
        raise HandoutError(f"Không đọc được mục lục {toc_path}: {error}.") from error
    course = Handout(COURSE_FILE, "Toàn bộ khóa học", [(None, [toc["root"]]), *parts])
    return [course] + [Handout(f"{slug(caption)}.pdf", caption, [(None, pages)])
                       for caption, pages in parts]


def lesson_html(html_dir: Path, page: str, number: int, anchors: dict[str, str],
                base_url: str) -> tuple[str, str]:
    """A built page's article, ready for print: (its title, its HTML)."""
    from bs4 import BeautifulSoup

    path = html_dir / f"{page}.html"
    if not path.exists():
        raise HandoutError(
            f"Thiếu trang {path} (có trong _toc.yml). Hãy dựng lại sách bằng `make book` "
            "rồi chạy lại lệnh in."
        )
    article = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").find(
        "article", class_="bd-article")
    page_url = urljoin(base_url, f"{page}.html")
    for cut in article.select("a.headerlink, script, .selfcheck-feedback"):
        cut.decompose()
    prefix = f"l{number}-"
    for tag in article.find_all(id=True):
        tag["id"] = prefix + tag["id"]
    for image in article.find_all("img", src=True):
        image["src"] = urljoin(page_url, image["src"])
    for link in article.find_all("a", href=True):
        target, fragment = urldefrag(urljoin(page_url, link["href"]))
        if not target.startswith(base_url):
            continue  # outside the site: the printed link keeps its address
        anchor = anchors.get(target[len(base_url):].removesuffix(".html"))
        if anchor is None:
            link.unwrap()  # a page not in this handout: keep the words only
        else:
            link["href"] = f"#{anchor}-{fragment}" if fragment else f"#{anchor}"

    answers = []
    for question in article.select(".selfcheck"):
        label = question.select_one(".selfcheck-number").get_text(strip=True)
        solution = question.select_one("details.selfcheck-solution").extract()
        solution.summary.decompose()
        answers.append(f"<dt>{label}</dt><dd>{solution.decode_contents()}</dd>")
    if answers:
        article.append(BeautifulSoup(
            '<section class="handout-answers"><h2>Đáp án phần Tự kiểm tra</h2>'
            f"<dl>{''.join(answers)}</dl></section>", "html.parser"))
    title = " ".join(article.find("h1").get_text(" ", strip=True).split())
    return title, f'<div class="handout-lesson" id="l{number}">{article.decode_contents()}</div>'


@dataclass
class Section:
    """A part's title page or a lesson, as printed in a handout."""

    title: str
    html: str
    anchor: str  # its id in the handout, for the links of the table of contents
    page: str | None = None  # the lesson's page in the book; None for a part's title page


def sections(handout: Handout, html_dir: Path, base_url: str) -> list[Section]:
    anchors = {page: f"l{i}" for i, page in enumerate(handout.pages)}
    found = []
    for p, (caption, pages) in enumerate(handout.parts):
        if caption:
            found.append(Section(caption, f'<h1 class="handout-part" id="p{p}">{caption}</h1>',
                                 f"p{p}"))
        for page in pages:
            title, html = lesson_html(html_dir, page, handout.pages.index(page), anchors, base_url)
            found.append(Section(title, html, anchors[page], page))
    return found


def document(course: str, handout: Handout, styles: list[str], base_url: str,
             body: list[Section], toc: list[Section] | None = None,
             numbers: list[int] | None = None) -> str:
    """A printable HTML document: cover and table of contents (if ``toc``), then ``body``."""
    front = ""
    if toc is not None:
        lines = []
        for i, section in enumerate(toc):
            kind = "lesson" if section.page else "part"
            number = str(numbers[i]) if numbers else PLACEHOLDER
            lines.append(f'<li class="toc-{kind}"><a href="#{section.anchor}">{section.title}</a>'
                         f'<span class="dots"></span><span class="page">{number}</span></li>')
        front = (f'<div class="handout-cover"><p class="handout-course">{course}</p>'
                 f'<p class="handout-name">{handout.name}</p>'
                 f"<p>Tài liệu phát tay, in ngày {date.today():%d/%m/%Y}</p></div>"
                 '<nav class="handout-toc"><p class="handout-toc-title">Mục lục</p>'
                 f"<ol>{''.join(lines)}</ol></nav>")
    links = "".join(f'<link rel="stylesheet" href="{href}">' for href in styles)
    return (f'<!DOCTYPE html><html lang="vi" data-theme="light" data-mode="light"><head>'
            f'<meta charset="utf-8"><title>{course}: {handout.name}</title>'
            f'<base href="{base_url}">{links}<style>{PRINT_CSS}</style></head><body>'
            f"{front}{''.join(section.html for section in body)}</body></html>")


def stylesheets(html_dir: Path, page: str, base_url: str) -> list[str]:
    """The site's stylesheets, as the page links them (absolute URLs)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup((html_dir / f"{page}.html").read_text(encoding="utf-8"), "html.parser")
    return [urljoin(urljoin(base_url, f"{page}.html"), link["href"])
            for link in soup.select('link[rel~="stylesheet"]')]


def page_count(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def print_pdf(page, html: str, base_url: str, header: str) -> bytes:
    """Print an HTML document served at a virtual address of the site (for its assets)."""
    page.route(base_url + HANDOUT_URL, lambda route: route.fulfill(
        body=html, content_type="text/html; charset=utf-8"))
    page.goto(base_url + HANDOUT_URL, wait_until="load")
    page.evaluate("document.fonts.ready")
    pdf = page.pdf(format="A4", print_background=True, display_header_footer=True,
                   header_template=HEADER.format(title=header), footer_template=FOOTER,
                   margin={"top": "18mm", "bottom": "20mm", "left": "17mm", "right": "17mm"},
                   outline=True, tagged=True)
    page.unroute(base_url + HANDOUT_URL)
    return pdf


def write_handouts(root: Path, html_dir: Path, out_dir: Path, only: tuple[str, ...] = (),
                   echo=click.echo) -> list[Path]:
    """Print the handouts (those whose file name starts with one of ``only``, or all).

    Every lesson starts on a new page, so a lesson printed alone takes as many pages as
    in a handout: the table of contents is numbered from lessons printed one by one.
    Files appear in ``out_dir`` only once all of them are printed.
    """
    from playwright.sync_api import sync_playwright

    from assessment.site.browser import launch_chromium, serve_directory

    if not (html_dir / "search.html").exists():
        raise HandoutError(
            f"Chưa có trang web đã dựng trong {html_dir}. Hãy chạy `make book` trước.")
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    course = config.get("title", "Khóa học")
    handouts = [h for h in plan_handouts(root)
                if not only or h.filename.startswith(tuple(only))]
    if not handouts:
        names = ", ".join(h.filename for h in plan_handouts(root))
        raise HandoutError(f"Không có tài liệu nào khớp với {', '.join(only)}. Có: {names}.")
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".dang-in-", dir=out_dir))
    lesson_pages: dict[str, int] = {}
    try:
        with serve_directory(html_dir) as base_url, sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            tab = browser.new_page()
            styles = stylesheets(html_dir, handouts[0].pages[0], base_url)
            for handout in handouts:
                body = sections(handout, html_dir, base_url)
                header = f"{course} · {handout.name}"
                for section in body:
                    if section.page and section.page not in lesson_pages:
                        alone = document(course, handout, styles, base_url, [section])
                        lesson_pages[section.page] = page_count(
                            print_pdf(tab, alone, base_url, header))
                front = document(course, handout, styles, base_url, [], toc=body)
                numbers, next_page = [], page_count(print_pdf(tab, front, base_url, header)) + 1
                for section in body:
                    numbers.append(next_page)
                    next_page += lesson_pages[section.page] if section.page else 1
                final = print_pdf(tab, document(course, handout, styles, base_url, body,
                                                toc=body, numbers=numbers), base_url, header)
                if page_count(final) != next_page - 1:
                    raise HandoutError(
                        f"{handout.filename}: bản in có {page_count(final)} trang, mục lục "
                        f"tính {next_page - 1} trang. Hãy báo lỗi này cho nhóm phát triển.")
                (staging / handout.filename).write_bytes(final)
                echo(f"Đã in {handout.filename} ({next_page - 1} trang)")
            browser.close()
        written = []
        for handout in handouts:
            os.replace(staging / handout.filename, out_dir / handout.filename)
            written.append(out_dir / handout.filename)
        return written
    finally:
        shutil.rmtree(staging, ignore_errors=True)


class HandoutFailed(click.ClickException):
    def show(self, file=None) -> None:
        click.echo(f"Lỗi: {self.message}", err=True)


@click.command()
@click.option("--html", "html_dir", type=click.Path(path_type=Path), default="_build/html",
              show_default=True, help="Thư mục trang web đã dựng (lệnh `make book`).")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default="_build/pdf",
              show_default=True, help="Thư mục ghi các tệp PDF.")
@click.option("--root", type=click.Path(path_type=Path, file_okay=False), default=".",
              show_default=True, help="Thư mục gốc của dự án (có _toc.yml và _config.yml).")
@click.option("--part", "only", multiple=True, metavar="TÊN",
              help="Chỉ in tài liệu có tên tệp bắt đầu bằng TÊN, ví dụ phan-1 hoặc khoa-hoc "
                   "(dùng nhiều lần được). Mặc định in tất cả.")
def handouts(html_dir: Path, out_dir: Path, root: Path, only: tuple[str, ...]) -> None:
    """In tài liệu phát tay (PDF) của cả khóa học và của từng phần.

    Ví dụ: make book && assessment handouts   (các tệp nằm trong _build/pdf/);
    chỉ in Phần 1: assessment handouts --part phan-1
    """
    from assessment.site.browser import BrowserMissingError

    try:
        for path in write_handouts(root, html_dir, out_dir, only):
            click.echo(f"  {path}")
    except (HandoutError, BrowserMissingError) as error:
        raise HandoutFailed(str(error)) from error
