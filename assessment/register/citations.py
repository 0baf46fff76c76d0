"""Which documents a page or an exam question cites, and which of those are stale.

A citation is stale when it names a document that has been replaced and the same page (or
question) does not also name its successor. Pages cite with ``{cite}`` roles (bibliography
keys); exam questions name documents in plain text (``source: Luật Báo chí 2016, Điều 4``), so
they are matched by the document's label, its number (``103/2016/QH13``) and its ``aliases``.

Example::

    >>> register = load_register(Path("book/references.bib"))
    >>> stale_keys({"luat-bao-chi-2016"}, register)
    [Stale(key='luat-bao-chi-2016', successor='luat-bao-chi-2025')]
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from assessment.register.documents import Document, Register, display_date

CITE_ROLE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]*)`")
# A document number with its year: 103/2016/QH13, 09/2017/NĐ-CP, 202/2025/QH15, 02/2020/UBTVQH14.
DOCUMENT_NUMBER = re.compile(r"\b\d+/\d{4}/[A-ZĐ][A-ZĐa-z0-9-]*\d*")
YEAR_AT_END = re.compile(r"^(.*\D)\s(\d{4})$")
LAW_TITLE = re.compile(r"^(?P<name>(?:Bộ luật|Luật|Pháp lệnh) [^,(]*?(?:, (?!số )[a-zđ][^,(]*?)?)"
                       r"(?:, số \d+/(?P<year>\d{4})/.*)?$")


@dataclass(frozen=True)
class Stale:
    key: str  # the replaced document
    successor: str  # the document that replaced it (the latest in the chain)


def cited_keys(text: str) -> set[str]:
    """The bibliography keys of every ``{cite}`` role in a MyST text."""
    return {key.strip() for group in CITE_ROLE.findall(text) for key in group.split(",")
            if key.strip()}


def stale_keys(keys: set[str], register: Register) -> list[Stale]:
    """Replaced documents among ``keys`` whose successor (any in the chain) is not cited too."""
    stale = []
    for key in sorted(keys):
        chain = register.successors(key)
        if chain and not keys & set(chain):
            stale.append(Stale(key, chain[-1]))
    return stale


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).casefold().strip()


def names_of(document: Document) -> set[str]:
    """The ways a question may name a document: label, number, aliases (normalised).

    A law is also named by its title and year: "Luật Báo chí, số 103/2016/QH13" gives
    "Luật Báo chí 2016" and "Luật Báo chí năm 2016".
    """
    names = {document.label, *document.aliases, *DOCUMENT_NUMBER.findall(document.title)}
    law = LAW_TITLE.match(document.title)
    if law:
        year = law.group("year") or document.year
        if year:
            names.add(f"{law.group('name')} {year}")
    for name in list(names):
        match = YEAR_AT_END.match(name)
        if match and not name.startswith(("NĐ ", "QĐ ", "NQ ", "CT ")) and not match.group(
                1).endswith(" năm"):
            names.add(f"{match.group(1)} năm {match.group(2)}")  # "Luật Báo chí năm 2016"
    return {normalise(n) for n in names if len(n) >= 4 and n != document.key}


def name_pattern(register: Register) -> list[tuple[re.Pattern[str], str]]:
    """One pattern per register document matching any of its names as whole words."""
    patterns = []
    for document in register.documents.values():
        names = sorted(names_of(document), key=len, reverse=True)
        if names:
            alternatives = "|".join(re.escape(n) for n in names)
            patterns.append((re.compile(rf"(?<![\w/])(?:{alternatives})(?![\w/])"), document.key))
    return patterns


class DocumentFinder:
    """Finds the register documents a plain text names."""

    def __init__(self, register: Register):
        self.register = register
        self.patterns = name_pattern(register)

    def named(self, text: str) -> set[str]:
        text = normalise(text)
        return {key for pattern, key in self.patterns if pattern.search(text)}


def describe(stale: Stale, register: Register) -> str:
    """``Luật Báo chí 2016 đã được thay thế bằng Luật Báo chí 2025 từ ngày 1/7/2026``."""
    old = register.documents[stale.key]
    new_label = register.labels.get(stale.successor, stale.successor)
    chain = [stale.key, *register.successors(stale.key)]
    when = register.documents[chain[-2]].replaced_on  # when the latest successor took over
    return (f"{old.label} [{stale.key}] đã được thay thế bằng {new_label} [{stale.successor}]"
            f" từ ngày {display_date(when)}")


def stale_message(stale: Stale, register: Register) -> str:
    """What is wrong with one stale citation on a page, and what to do."""
    return (f"trích dẫn văn bản đã hết hiệu lực mà không trích dẫn văn bản thay thế: "
            f"{describe(stale, register)}. Hãy viết theo văn bản mới và trích dẫn cả "
            f"{{cite:p}}`{stale.successor}` trên trang này (nếu nhắc văn bản cũ, nói rõ đó là "
            "văn bản trước đây).")


def stale_pages(pages: dict[str, str], register: Register) -> list[str]:
    """Messages for each page (name -> MyST text) that cites a replaced document alone."""
    return [f"{page}: {stale_message(stale, register)}"
            for page, text in pages.items()
            for stale in stale_keys(cited_keys(text), register)]


PRESENT = re.compile(r"\b(hiện nay|hiện hành|đang có hiệu lực|hiện đang|ngày nay)\b")
PAST = re.compile(r"\b(trước đây|trước ngày|đến hết ngày|đến ngày|áp dụng đến|thay thế|được thay|"
                  r"thay cho|hết hiệu lực|cũ|năm 20\d\d trở về trước)\b")


def present_tense(text: str, register: Register) -> list[tuple[str, str]]:
    """Sentences presenting a replaced document as current: (key, sentence).

    A simple heuristic: the sentence names the replaced document, says "hiện nay", "hiện
    hành", "đang có hiệu lực"... and neither names its successor nor says it was replaced
    ("trước đây", "thay thế", "áp dụng đến"...).
    """
    finder = DocumentFinder(register)
    found = []
    for sentence in re.split(r"(?<=[.!?])\s+|\n\s*\n|\n[-*|] ", text):
        lowered = normalise(sentence)
        if not PRESENT.search(lowered) or PAST.search(lowered):
            continue
        named = finder.named(sentence) | cited_keys(sentence)
        for key in sorted(named):
            chain = register.successors(key)
            if chain and not named & set(chain):  # naming the successor too is fine
                found.append((key, sentence.strip()))
    return found


def book_pages_text(root: Path, pages: list[str]) -> dict[str, str]:
    """The MyST text of each page of the table of contents that exists as a .md file."""
    texts = {}
    for page in pages:
        path = root / f"{page}.md"
        if path.is_file():
            texts[str(path.relative_to(root))] = path.read_text(encoding="utf-8")
    return texts
