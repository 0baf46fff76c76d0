"""Online rounds: a quiz of ``quizzes/quizzes.yml`` open to cadres between two times.

A round is named like an nbgrader assignment (``kiem-tra-cuoi-khoa-truc-tuyen-1``), so the
report counts its passes with the classroom ones. A cadre's first attempt is recorded under the
round's name, a retake under ``<round>-lan-2`` and so on (nbgrader keeps one submission per
student and assignment). Every cadre gets the same questions for the same attempt number, in
their own order, with the options in their own order::

    name = open_round(engine, course, "kiem-tra-cuoi-khoa", minutes=45)
    close_round(engine, name)
"""

from __future__ import annotations

import json
import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError

from assessment.service.db import utcnow
from assessment.service.models import rounds

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
DEFAULT_DAYS = 7


class RoundError(Exception):
    """A round cannot be opened, closed or found (message in Vietnamese)."""


@dataclass(frozen=True)
class Course:
    """Where the quizzes come from: ``quizzes/`` (bank, quizzes.yml) and the book's root."""

    course_dir: Path
    book_root: Path

    @classmethod
    def at(cls, course_dir: Path | str = "quizzes", book_root: Path | str = ".") -> Course:
        return cls(Path(course_dir).resolve(), Path(book_root).resolve())


@lru_cache(maxsize=4)
def _load(course: Course, stamp: tuple[float, ...]):
    from assessment.quiz.bank import load_bank
    from assessment.quiz.spec import load_quizzes
    from assessment.site.book_pages import BookPages

    spec = load_quizzes(course.course_dir / "quizzes.yml")
    bank = load_bank(course.course_dir / "bank", course.book_root)
    return spec, bank, BookPages.load(course.book_root)


def load_course(course: Course):
    """(quiz file, bank, book pages), read again only when one of the files changes."""
    files = [course.course_dir / "quizzes.yml", course.book_root / "_toc.yml",
             *sorted((course.course_dir / "bank").glob("*.yml"))]
    stamp = tuple(p.stat().st_mtime if p.exists() else 0.0 for p in files)
    return _load(course, stamp)


def attempt_name(round_name: str, number: int) -> str:
    """The nbgrader assignment of an attempt: the round's name, then ``-lan-N`` for retakes."""
    return round_name if number == 1 else f"{round_name}-lan-{number}"


def questions_for(course: Course, round_row: Row, number: int) -> list:
    """The bank questions of attempt ``number`` of a round (the same for every cadre)."""
    from assessment.quiz.spec import draw

    spec, bank, book = load_course(course)
    quiz = spec.quiz(round_row.quiz_id)
    return draw(quiz, bank, book, seed=round_row.seed + 7919 * (number - 1))


def layout_for(questions: list, round_name: str, login: str, number: int) -> list:
    """The order one cadre sees: [[question id, option letters in shown order], ...]."""
    rng = random.Random(f"{round_name}/{login}/{number}")
    order = list(questions)
    rng.shuffle(order)
    layout = []
    for question in order:
        letters = list(question.letters)
        if question.type != "true_false":  # "Đúng" stays before "Sai"
            rng.shuffle(letters)
        layout.append([question.id, "".join(letters)])
    return layout


def quiz_of(course: Course, quiz_id: str):
    spec, _bank, _book = load_course(course)
    return spec.quiz(quiz_id)


def parse_time(text: str | None, default: datetime) -> datetime:
    """An ISO date/time (Vietnam time unless it names its zone) as naive UTC."""
    if not text:
        return default
    try:
        value = datetime.fromisoformat(text)
    except ValueError as error:
        raise RoundError(f"Thời điểm «{text}» không đúng dạng NĂM-THÁNG-NGÀY GIỜ:PHÚT, ví dụ "
                         "2026-12-05 08:00.") from error
    if value.tzinfo is None:
        value = value.replace(tzinfo=VIETNAM)
    return value.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def local_text(value: datetime | None) -> str:
    """A stored (UTC) time shown in Vietnam time: ``05/12/2026 08:00``."""
    if value is None:
        return ""
    return value.replace(tzinfo=ZoneInfo("UTC")).astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M")


def open_round(engine: Engine, course: Course, quiz_id: str, *, start: str | None = None,
               end: str | None = None, attempts: int = 1, minutes: int | None = None,
               groups: str = "", seed: int | None = None) -> str:
    """Open a round of ``quiz_id``; return its name. Times are ISO, Vietnam time."""
    from assessment.quiz.spec import QuizError, draw

    try:
        spec, bank, book = load_course(course)
        quiz = spec.quiz(quiz_id)
        draw(quiz, bank, book)  # the bank must hold enough questions
    except QuizError as error:
        raise RoundError(str(error)) from error
    now = utcnow()
    starts = parse_time(start, now)
    ends = parse_time(end, starts + timedelta(days=DEFAULT_DAYS))
    if ends <= starts:
        raise RoundError("Thời điểm kết thúc phải sau thời điểm bắt đầu.")
    if attempts < 1:
        raise RoundError("Số lần làm bài phải từ 1 trở lên.")
    if minutes is not None and minutes < 1:
        raise RoundError("Thời gian làm bài (phút) phải từ 1 trở lên.")
    groups = ",".join(g.strip() for g in groups.split(",") if g.strip())
    for _ in range(20):
        with engine.begin() as conn:
            taken = {r for (r,) in conn.execute(
                select(rounds.c.name).where(rounds.c.quiz_id == quiz_id))}
        number = 1
        while f"{quiz_id}-truc-tuyen-{number}" in taken:
            number += 1
        name = f"{quiz_id}-truc-tuyen-{number}"
        try:
            with engine.begin() as conn:
                conn.execute(insert(rounds).values(
                    name=name, quiz_id=quiz_id, title=quiz.title,
                    seed=seed if seed is not None else secrets.randbelow(10**9),
                    starts_at=starts, ends_at=ends, minutes=minutes, attempts_allowed=attempts,
                    groups=groups, closed_at=None, created_at=now))
            return name
        except IntegrityError:
            continue  # another trainer took the name at the same moment
    raise RoundError("Không đặt được tên đợt mới; hãy thử lại.")


def find_round(conn, name: str) -> Row:
    row = conn.execute(select(rounds).where(rounds.c.name == name)).first()
    if row is None:
        raise RoundError(f"Không có đợt kiểm tra «{name}». Xem các đợt bằng "
                         "`assessment rounds list`.")
    return row


def close_round(engine: Engine, name: str, course: Course, gradebook: str) -> int:
    """Close a round now: attempts still open are finished and graded with what was saved.

    Returns how many attempts were finished by closing.
    """
    from assessment.service.results import finish_overdue

    now = utcnow()
    with engine.begin() as conn:
        row = find_round(conn, name)
        conn.execute(update(rounds).where(rounds.c.id == row.id).values(
            closed_at=now, ends_at=min(row.ends_at, now)))
    return finish_overdue(engine, course, gradebook, round_id=row.id)


def is_open(row: Row, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return row.closed_at is None and row.starts_at <= now < row.ends_at


def is_closed(row: Row, now: datetime | None = None) -> bool:
    """Closed by a trainer or past its end: from then on explanations may be shown."""
    return row.closed_at is not None or (now or utcnow()) >= row.ends_at


def eligible(row: Row, unit: str, group_code: str) -> bool:
    """Whether a cadre of this unit and group may take the round."""
    if not row.groups:
        return True
    allowed = {g.casefold() for g in row.groups.split(",")}
    return unit.casefold() in allowed or group_code.casefold() in allowed


def layout_json(layout: list) -> str:
    return json.dumps(layout, ensure_ascii=False)
