"""The register's checks on exam questions (used by ``assessment bank check``).

- A question that names a replaced document (in its stem, options, explanation or source)
  without also naming its successor is an error: its key may depend on the old law.
- A question whose ``source`` names a document whose status was last checked more than a
  year ago is listed, so that someone checks it again.

Example::

    >>> stale_questions(bank.questions, register)
    ['quizzes/bank/phan-4.yml, câu phat-ngon-bao-chi-04: nhắc Luật Báo chí 2016 ...']
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from assessment.register.citations import DocumentFinder, Stale, describe
from assessment.register.documents import Document, Register, display_date

MAX_AGE = dt.timedelta(days=365)


class QuestionLike(Protocol):
    id: str
    file: str
    stem: str
    options: dict[str, str]
    explanation: str
    source: str


@dataclass(frozen=True)
class OldSource:
    question: str  # question id
    file: str
    document: Document

    def message(self, bank_dir: str = "quizzes/bank") -> str:
        doc = self.document
        checked = f"ngày {display_date(doc.checked)}" if doc.checked else "chưa rõ ngày"
        return (f"{bank_dir}/{self.file}, câu {self.question}: nguồn {doc.label} [{doc.key}] "
                f"kiểm tra lần cuối {checked}")


def whole_text(question: QuestionLike) -> str:
    return "\n".join([question.stem, *question.options.values(), question.explanation,
                      question.source])


def stale_questions(questions: list[QuestionLike], register: Register,
                    bank_dir: str = "quizzes/bank") -> list[str]:
    """One message per question naming a replaced document without its successor."""
    finder = DocumentFinder(register)
    problems = []
    for question in questions:
        named = finder.named(whole_text(question))
        for key in sorted(named):
            chain = register.successors(key)
            if chain and not named & set(chain):
                problems.append(
                    f"{bank_dir}/{question.file}, câu {question.id}: nhắc văn bản đã hết hiệu "
                    f"lực mà không nhắc văn bản thay thế: "
                    f"{describe(Stale(key, chain[-1]), register)}. Hãy viết lại câu hỏi theo "
                    "văn bản mới (đổi mã câu nếu nghĩa câu thay đổi) và ghi văn bản mới trong "
                    "source."
                )
    return problems


def old_sources(questions: list[QuestionLike], register: Register,
                today: dt.date | None = None) -> list[OldSource]:
    """Questions whose ``source`` names a document not checked for more than a year."""
    today = today or dt.date.today()
    finder = DocumentFinder(register)
    old = []
    for question in questions:
        for key in sorted(finder.named(question.source)):
            document = register.documents[key]
            if document.checked is None or today - document.checked > MAX_AGE:
                old.append(OldSource(question.id, question.file, document))
    return old


def sourced_count(questions: list[QuestionLike], register: Register) -> int:
    """How many questions name at least one register document in their ``source``."""
    finder = DocumentFinder(register)
    return sum(1 for q in questions if finder.named(q.source))
