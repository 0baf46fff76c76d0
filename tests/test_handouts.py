"""Printed handouts: `assessment handouts` prints real PDFs with headless Chromium.

The text checks use sentences this test controls (the captions of _toc.yml and of a small
table of contents written here), and the lesson titles read from the built pages.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest
import yaml
from click.testing import CliRunner
from pypdf import PdfReader

from assessment.cli import main
from assessment.site.handouts import COURSE_FILE, plan_handouts, slug

from conftest import ROOT, toc_parts

PDFTOTEXT = shutil.which("pdftotext")
TOC_LINE = re.compile(r"^\s*(\S.*?)\s{2,}(\d+)\s*$", re.M)  # "title ....... 12"
SMALL_PART = "Phần thử nghiệm: Quyền được thông tin của người dân tộc thiểu số"


def invoke(arguments: list[str]):
    """Run `assessment ARGUMENTS` with CliRunner, in a thread of its own.

    The browser tests of this session keep Playwright's event loop in the main thread, and
    Playwright's sync API refuses to start a second one there.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(CliRunner().invoke, main, arguments).result()


def pdf_pages(path) -> list[str]:
    """The text of each page, as pdftotext extracts it (Vietnamese must survive)."""
    assert PDFTOTEXT, "pdftotext is required (apt-get install poppler-utils)"
    text = subprocess.run([PDFTOTEXT, "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout
    return text.split("\f")[:-1]


def flat(text: str) -> str:
    return " ".join(text.split())


def check_handout(path, course: str, name: str, lessons: int) -> list[str]:
    """Cover, numbered table of contents, page numbers; returns the pages' text."""
    pages = pdf_pages(path)
    total = len(pages)
    assert flat(course) in flat(pages[0]) and flat(name) in flat(pages[0])
    assert "Tài liệu phát tay" in pages[0]
    for number, page in enumerate(pages, start=1):
        assert f"Trang {number} / {total}" in page, f"page {number} has no page number"
    assert "Mục lục" in pages[1]
    first_entry = TOC_LINE.search(pages[1])
    toc = "\n".join(pages[1:int(first_entry[2]) - 1])  # up to the first entry's page
    entries = TOC_LINE.findall(toc)
    assert len(entries) >= lessons, entries
    for title, number in entries:
        lines = [line for line in pages[int(number) - 1].splitlines()[1:] if line.strip()]
        top = flat(" ".join(lines[:4]))  # below the running header
        assert top.startswith(flat(title)[:30]), (title, number, top[:80])
    assert len(PdfReader(path).outline) >= lessons  # bookmarks, one per lesson at least
    return pages


@pytest.fixture(scope="module")
def small_book(tmp_path_factory):
    """A table of contents of two short pages, with a caption of our own."""
    root = tmp_path_factory.mktemp("small-book")
    shutil.copy(ROOT / "_config.yml", root / "_config.yml")
    toc = {"format": "jb-book", "root": "book/index",
           "parts": [{"caption": SMALL_PART,
                      "chapters": [{"file": "book/phu-luc/tai-lieu-tham-khao"}]}]}
    (root / "_toc.yml").write_text(yaml.safe_dump(toc, allow_unicode=True), encoding="utf-8")
    return root


def test_every_part_of_the_toc_gets_a_handout():
    handouts = plan_handouts(ROOT)
    assert handouts[0].filename == COURSE_FILE
    assert [h.name for h in handouts[1:]] == [part["caption"] for part in toc_parts()]
    assert len({h.filename for h in handouts}) == len(handouts)
    assert slug("Phần 3. Chủ trương của Đảng") == "phan-3-chu-truong-cua-dang"


def test_course_and_part_handouts_print_with_toc_and_page_numbers(book_html, small_book,
                                                                   tmp_path):
    out = tmp_path / "pdf"
    result = invoke([
        "handouts", "--html", str(book_html), "--out", str(out), "--root", str(small_book),
        "--part", "khoa-hoc", "--part", slug(SMALL_PART)])
    assert result.exit_code == 0, result.output
    assert f"Đã in {COURSE_FILE}" in result.output
    course = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["title"]

    pages = check_handout(out / COURSE_FILE, course, "Toàn bộ khóa học", lessons=2)
    divider = next(page for page in pages[2:] if flat(SMALL_PART) in flat(page))
    assert len(flat(divider)) < len(SMALL_PART) + 120  # a title page for the part

    part_pages = check_handout(out / f"{slug(SMALL_PART)}.pdf", course, SMALL_PART, lessons=1)
    assert len(part_pages) < len(pages)
    assert sorted(p.name for p in out.iterdir()) == [COURSE_FILE, f"{slug(SMALL_PART)}.pdf"]


def readme_handout_commands() -> list[list[str]]:
    """The `assessment handouts` commands of the README's printing section."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    lines = [line.split("#")[0].split() for line in readme.splitlines()]
    return [words[1:] for words in lines if words[:2] == ["assessment", "handouts"]]


def test_readme_command_prints_a_part_from_the_real_toc(book_html, tmp_path):
    """The README's command, on the real _toc.yml: caption intact, answers after the lesson."""
    [arguments] = readme_handout_commands()
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^pdf: book\n\t\$\(BIN\)/assessment handouts$", makefile, re.M)
    result = invoke([*arguments, "--html", str(book_html), "--out", str(tmp_path),
                     "--root", str(ROOT)])
    assert result.exit_code == 0, result.output
    part = next(p for p in toc_parts() if slug(p["caption"]).startswith(arguments[-1]))
    course = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["title"]
    pages = check_handout(tmp_path / f"{slug(part['caption'])}.pdf", course, part["caption"],
                          lessons=len(part["chapters"]))
    text = "\n".join(pages)
    if "Câu 1" in text:  # practice questions print without buttons, answers come after
        assert "Đáp án phần Tự kiểm tra" in text and "Xem đáp án" not in text


def test_without_a_built_site_nothing_is_written(tmp_path):
    out = tmp_path / "pdf"
    result = invoke(["handouts", "--html", str(tmp_path / "none"), "--out", str(out),
                     "--root", str(ROOT)])
    assert result.exit_code != 0
    assert "Chưa có trang web đã dựng" in result.output and "make book" in result.output
    assert not out.exists() or not any(out.iterdir())


def test_an_unknown_part_is_named_in_the_error(book_html, tmp_path):
    result = invoke(["handouts", "--html", str(book_html), "--out", str(tmp_path),
                     "--root", str(ROOT), "--part", "phan-9"])
    assert result.exit_code != 0
    assert "phan-9" in result.output and COURSE_FILE in result.output
    assert not list(tmp_path.glob("*.pdf"))
