"""The quizzes: ``quizzes/quizzes.yml`` and drawing a quiz's questions from the bank.

Each quiz says which parts (and optionally tags or pages) it draws from and how many questions
from each, its pass mark (a fraction of the maximum score), its seed, and whether feedback
shows the correct letter. The same quiz, seed and bank always give the same questions, so a
trainer can draw another set for another class with ``--seed`` and anyone can regenerate it::

    spec = load_quizzes(Path("quizzes/quizzes.yml"))
    questions = draw(spec.quiz("kiem-tra-cuoi-khoa"), bank, book, seed=2026)
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from assessment.quiz.bank import Bank, Question
from assessment.site.book_pages import BookPages

NAME_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
KINDS = ("formative", "final")


class QuizError(Exception):
    """quizzes.yml or a draw is wrong (message in Vietnamese, naming the file and quiz)."""


@dataclass(frozen=True)
class DrawRule:
    count: int
    parts: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    pages: tuple[str, ...] = ()

    def accepts(self, question: Question) -> bool:
        return (
            (not self.parts or question.part in self.parts)
            and (not self.tags or bool(set(self.tags) & set(question.tags)))
            and (not self.pages or question.page in self.pages)
        )

    def describe(self) -> str:
        bits = [f"phần {', '.join(self.parts)}" if self.parts else "mọi phần"]
        if self.tags:
            bits.append(f"nhãn {', '.join(self.tags)}")
        if self.pages:
            bits.append(f"trang {', '.join(self.pages)}")
        return f"{self.count} câu từ " + ", ".join(bits)


@dataclass(frozen=True)
class Quiz:
    id: str
    title: str
    kind: str
    draw: tuple[DrawRule, ...]
    pass_mark: float
    seed: int
    show_correct_answer: bool = False


@dataclass
class QuizFile:
    path: Path
    site_url: str = ""
    quizzes: list[Quiz] = field(default_factory=list)

    def quiz(self, quiz_id: str) -> Quiz:
        for quiz in self.quizzes:
            if quiz.id == quiz_id:
                return quiz
        known = ", ".join(q.id for q in self.quizzes)
        raise QuizError(f"{self.path}: không có bài kiểm tra '{quiz_id}' (có: {known}).")


def as_tuple(value: object, where: str, name: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise QuizError(f"{where}: '{name}' phải là một danh sách, ví dụ [phan-1].")


def parse_rule(raw: object, where: str) -> DrawRule:
    if not isinstance(raw, dict):
        raise QuizError(f"{where}: mỗi mục của 'draw' cần 'count' và 'parts' (hoặc 'tags').")
    unknown = set(raw) - {"count", "parts", "tags", "pages"}
    if unknown:
        raise QuizError(f"{where}: trường lạ {sorted(unknown)} (dùng count, parts, tags, pages).")
    count = raw.get("count")
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise QuizError(f"{where}: 'count' phải là số nguyên dương, nhận được {count!r}.")
    return DrawRule(
        count=count,
        parts=as_tuple(raw.get("parts"), where, "parts"),
        tags=as_tuple(raw.get("tags"), where, "tags"),
        pages=as_tuple(raw.get("pages"), where, "pages"),
    )


def parse_quiz(raw: object, where: str) -> Quiz:
    if not isinstance(raw, dict):
        raise QuizError(f"{where}: mỗi bài là một mục có id, title, draw, pass_mark, seed.")
    qid = raw.get("id")
    where = f"{where} ({qid})" if qid else where
    if not isinstance(qid, str) or not NAME_PATTERN.match(qid):
        raise QuizError(f"{where}: 'id' phải gồm chữ thường không dấu, số và '-', ví dụ phan-1.")
    unknown = set(raw) - {"id", "title", "kind", "draw", "pass_mark", "seed", "show_correct_answer"}
    if unknown:
        raise QuizError(f"{where}: trường lạ {sorted(unknown)}.")
    title = str(raw.get("title") or "").strip()
    if not title:
        raise QuizError(f"{where}: thiếu 'title'.")
    kind = raw.get("kind", "formative")
    if kind not in KINDS:
        raise QuizError(f"{where}: 'kind' phải là formative hoặc final, nhận được {kind!r}.")
    rules = raw.get("draw")
    if not isinstance(rules, list) or not rules:
        raise QuizError(f"{where}: thiếu 'draw' (câu hỏi lấy từ phần nào, bao nhiêu câu).")
    pass_mark = raw.get("pass_mark")
    if isinstance(pass_mark, bool) or not isinstance(pass_mark, int | float) or not (
        0 < pass_mark <= 1
    ):
        raise QuizError(f"{where}: 'pass_mark' là tỷ lệ điểm để đạt, từ 0 đến 1 (ví dụ 0.7).")
    seed = raw.get("seed")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise QuizError(f"{where}: 'seed' phải là số nguyên.")
    show = raw.get("show_correct_answer", False)
    if not isinstance(show, bool):
        raise QuizError(f"{where}: 'show_correct_answer' là true hoặc false.")
    return Quiz(
        id=qid, title=title, kind=kind,
        draw=tuple(parse_rule(r, f"{where}, draw[{i}]") for i, r in enumerate(rules)),
        pass_mark=float(pass_mark), seed=seed, show_correct_answer=show,
    )


def load_quizzes(path: Path) -> QuizFile:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise QuizError(f"Không đọc được {path}: {error}") from error
    if not isinstance(data, dict) or not isinstance(data.get("quizzes"), list):
        raise QuizError(f"{path}: cần khóa 'quizzes' là danh sách các bài kiểm tra.")
    spec = QuizFile(path=path, site_url=str(data.get("site_url") or ""))
    for index, raw in enumerate(data["quizzes"]):
        quiz = parse_quiz(raw, f"{path}, quizzes[{index}]")
        if any(q.id == quiz.id for q in spec.quizzes):
            raise QuizError(f"{path}: bài kiểm tra '{quiz.id}' khai báo hai lần.")
        spec.quizzes.append(quiz)
    return spec


def draw(quiz: Quiz, bank: Bank, book: BookPages, seed: int | None = None) -> list[Question]:
    """The quiz's questions for a seed, spread evenly over the pages, in reading order."""
    rng = random.Random(quiz.seed if seed is None else seed)
    chosen: list[Question] = []
    taken: set[str] = set()
    for rule in quiz.draw:
        pool = [q for q in sorted(bank.questions, key=lambda q: q.id) if rule.accepts(q)]
        pool = [q for q in pool if q.id not in taken]
        if len(pool) < rule.count:
            raise QuizError(
                f"Bài '{quiz.id}': cần {rule.describe()} nhưng ngân hàng chỉ có {len(pool)} câu "
                "phù hợp. Hãy thêm câu hỏi vào quizzes/bank/ hoặc giảm 'count' trong quizzes.yml."
            )
        by_page: dict[str, list[Question]] = defaultdict(list)
        for question in pool:
            by_page[question.page].append(question)
        pages = sorted(by_page, key=book.order)
        for page in pages:
            rng.shuffle(by_page[page])
        rng.shuffle(pages)
        picked: list[Question] = []
        while len(picked) < rule.count:  # one question from each page in turn
            for page in pages:
                if by_page[page] and len(picked) < rule.count:
                    picked.append(by_page[page].pop())
        chosen += picked
        taken |= {q.id for q in picked}
    position = {q.id: i for i, q in enumerate(chosen)}
    return sorted(chosen, key=lambda q: (book.order(q.page), position[q.id]))
