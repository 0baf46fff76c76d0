"""No exam question (stem or explanation) of the real bank reaches the built site."""

from __future__ import annotations

from bs4 import BeautifulSoup

from assessment.quiz.bank import load_bank, normalise_text

from conftest import ROOT


def site_text(html_dir) -> str:
    """The visible text of every page plus the raw text of every script and data file."""
    parts = []
    for path in html_dir.rglob("*"):
        if path.suffix == ".html":
            soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
            parts.append(soup.get_text(" "))
        elif path.suffix in {".js", ".json", ".txt"}:
            parts.append(path.read_text(encoding="utf-8", errors="replace"))
    return normalise_text("\n".join(parts))


def test_exam_bank_is_not_in_the_built_site(book_html):
    bank = load_bank(ROOT / "quizzes" / "bank", ROOT)
    assert bank.questions, "the real bank is empty: nothing to check yet"
    text = site_text(book_html)
    leaked = [q.id for q in bank.questions
              if normalise_text(q.stem) in text or normalise_text(q.explanation) in text]
    assert not leaked, f"exam questions in the built site: {leaked}"
    assert not list(book_html.rglob("*.yml")) and not list(book_html.rglob("*.ipynb"))
