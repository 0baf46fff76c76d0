"""The book as the quizzes see it: which pages exist, their part and title, and the
practice questions that exam questions must not copy.

The parts of the curriculum are read from ``_toc.yml``: a numbered part whose caption starts
with "Phần N." is part ``phan-N`` (unnumbered parts, such as the trainers' pages, are not
curriculum parts). Example::

    >>> book = BookPages.load(Path("."))
    >>> book.part_of["book/cong-uoc/quyen-tre-em"]
    'phan-2'
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import yaml

PART_CAPTION = re.compile(r"^\s*Phần\s+(\d+)\s*[.:]")


class BookError(Exception):
    """The table of contents cannot be read (message in Vietnamese)."""


def part_id(caption: str) -> str | None:
    """``"Phần 2. Bảy công ước..."`` -> ``"phan-2"``; None for front matter and appendices."""
    match = PART_CAPTION.match(caption or "")
    return f"phan-{int(match.group(1))}" if match else None


@dataclass
class BookPages:
    root: Path
    pages: list[str] = field(default_factory=list)  # every TOC page, in reading order
    part_of: dict[str, str] = field(default_factory=dict)  # page -> "phan-N"
    part_titles: dict[str, str] = field(default_factory=dict)  # "phan-N" -> caption

    @classmethod
    def load(cls, root: Path) -> BookPages:
        toc_path = root / "_toc.yml"
        try:
            toc = yaml.safe_load(toc_path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as error:
            raise BookError(f"Không đọc được mục lục {toc_path}: {error}") from error
        book = cls(root=root, pages=[toc["root"]])
        for part in toc.get("parts", []):
            pid = part_id(part.get("caption", "")) if part.get("numbered") else None
            if pid:
                book.part_titles[pid] = part["caption"].strip()
            for chapter in part.get("chapters", []):
                book.pages.append(chapter["file"])
                if pid:
                    book.part_of[chapter["file"]] = pid
        return book

    def page_file(self, page: str) -> Path | None:
        """The page's source file (.md or .ipynb), or None if there is none."""
        for suffix in (".md", ".ipynb"):
            path = self.root / f"{page}{suffix}"
            if path.is_file():
                return path
        return None

    def title(self, page: str) -> str:
        """The page's ``#`` title, or its path when the title cannot be read."""
        path = self.page_file(page)
        if path is not None and path.suffix == ".md":
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
        return page

    def order(self, page: str) -> int:
        """Position of the page in the reading order (unknown pages last)."""
        return self.pages.index(page) if page in self.pages else len(self.pages)


def normalise_text(text: str) -> str:
    """Lowercase NFC text with single spaces, for comparing stems and options."""
    return " ".join(unicodedata.normalize("NFC", str(text)).lower().split())


# Practice questions (``:::{selfcheck}`` in ``book/**/*.md``) show their answers in the site,
# so an exam question must not reuse their text. ``shared_text`` lists every exam question
# whose stem is the same as a practice stem, or nearly (a copy with a few words changed: a
# word-level difflib ratio of at least SIMILARITY), ignoring case, Unicode form and spacing.
# Sharing a long official name ("Công ước quốc tế về các quyền kinh tế, xã hội và văn hóa")
# is not a copy, which is why whole stems are compared rather than runs of words.
SIMILARITY = 0.8
DIRECTIVE = re.compile(r"^(:{3,})\{selfcheck\}[^\n]*\n(.*?)^\1\s*$", re.M | re.S)
WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Practice:
    page: str  # path without extension, as in _toc.yml
    stem: str
    line: int


def practice_questions(book_root: Path) -> list[Practice]:
    """Every selfcheck question of the book's Markdown pages, with its stem (no options)."""
    found = []
    for path in sorted((book_root / "book").rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        for match in DIRECTIVE.finditer(text):
            body = [
                line for line in match.group(2).splitlines()
                if not line.startswith(":") and not re.match(r"^\s*[-*+]\s", line)
            ]
            stem = " ".join(" ".join(body).split())
            page = str(path.relative_to(book_root).with_suffix(""))
            found.append(Practice(page, stem, text.count("\n", 0, match.start()) + 1))
    return found


def words(text: str) -> list[str]:
    return WORD.findall(normalise_text(text))


def similarity(a: list[str], b: list[str]) -> float:
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return matcher.ratio() if matcher.real_quick_ratio() >= SIMILARITY else 0.0


class ExamQuestion(Protocol):
    id: str
    stem: str
    file: str


def shared_text(questions: Iterable[ExamQuestion], practice: list[Practice]) -> list[str]:
    """One Vietnamese message per exam question that reuses a practice question's text."""
    practice_words = [(item, words(item.stem)) for item in practice]
    problems = []
    for question in questions:
        stem = words(question.stem)
        for item, other in practice_words:
            if stem and similarity(stem, other) >= SIMILARITY:
                problems.append(
                    f"{question.file}, câu {question.id}: đề bài gần như trùng với câu tự kiểm "
                    f"tra ở {item.page}.md (dòng {item.line}); câu kiểm tra phải viết khác."
                )
                break
    return problems
