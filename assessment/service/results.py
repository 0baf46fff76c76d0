"""An attempt's life: started, answers saved, finished (by the cadre, the time limit or the
round's end), graded on the server, then recorded in the nbgrader gradebook.

Moodle's rules: answers are saved on the server as they are chosen; the server enforces the
time limit (with a short grace period for a save in flight) and finishes an overdue attempt
with what was saved; finishing is one conditional UPDATE, so two taps on "Nộp bài" (or two
tabs) grade and record one attempt. Grading reads the saved letters; nothing is executed.
"""

from __future__ import annotations

import functools
import json
import logging
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, bindparam, func, insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError

from assessment.service.db import utcnow
from assessment.service.models import accounts, answers, attempts, rounds
from assessment.service.rounds import (
    Course,
    attempt_name,
    eligible,
    is_open,
    layout_for,
    layout_json,
    questions_for,
    quiz_of,
)

GRACE = timedelta(seconds=15)  # a save sent just before the deadline still counts
RECORD_TRIES = 5  # a gradebook write lost to a concurrent first write is tried again
log = logging.getLogger(__name__)


class AttemptError(Exception):
    """The cadre cannot do this now (message in Vietnamese, shown on the page)."""


def start_attempt(engine: Engine, course: Course, round_row: Row, account: Row) -> int:
    """The cadre's attempt in progress, or a new one if they have attempts left; its id."""
    now = utcnow()
    if not is_open(round_row, now):
        raise AttemptError("Đợt kiểm tra này chưa mở hoặc đã kết thúc.")
    if not eligible(round_row, account.unit, account.group_code):
        raise AttemptError("Đợt kiểm tra này không dành cho đơn vị hoặc nhóm của bạn.")
    for _ in range(3):
        with engine.begin() as conn:
            mine = conn.execute(select(attempts.c.id, attempts.c.number, attempts.c.state).where(
                attempts.c.round_id == round_row.id,
                attempts.c.account_id == account.id)).all()
        current = [a for a in mine if a.state == "in_progress"]
        if current:
            return current[0].id
        if len(mine) >= round_row.attempts_allowed:
            raise AttemptError("Bạn đã làm hết số lần được phép của đợt kiểm tra này.")
        number = max((a.number for a in mine), default=0) + 1
        questions = questions_for(course, round_row, number)
        layout = layout_for(questions, round_row.name, account.login, number)
        deadline = round_row.ends_at
        if round_row.minutes:
            deadline = min(deadline, now + timedelta(minutes=round_row.minutes))
        try:
            with engine.begin() as conn:
                return conn.execute(insert(attempts).values(
                    round_id=round_row.id, account_id=account.id, number=number,
                    layout=layout_json(layout), started_at=now, deadline=deadline,
                    state="in_progress").returning(attempts.c.id)).scalar_one()
        except IntegrityError:
            continue  # a second tab started the same attempt a moment ago: use that one
    raise AttemptError("Không bắt đầu được bài làm; hãy tải lại trang.")


def saved_answers(conn, attempt_id: int) -> dict[str, str]:
    rows = conn.execute(select(answers.c.question_id, answers.c.letters).where(
        answers.c.attempt_id == attempt_id))
    return {qid: letters for qid, letters in rows}


def save_answers(engine: Engine, attempt: Row, chosen: dict[str, str]) -> None:
    """Save the letters chosen for some questions (a question absent from ``chosen`` keeps
    what was saved). Refused once the attempt is finished or past its time."""
    now = utcnow()
    if attempt.state != "in_progress":
        raise AttemptError("Bài này đã nộp; không sửa được câu trả lời nữa.")
    if now > attempt.deadline + GRACE:
        raise AttemptError("Đã hết giờ làm bài; câu trả lời này không được lưu.")
    options = dict(json.loads(attempt.layout))
    for qid, letters in chosen.items():
        if qid not in options or any(ch not in options[qid] for ch in letters):
            raise AttemptError("Câu trả lời không thuộc bài này.")
    with engine.begin() as conn:
        # The check is a write, so it takes the attempt's row (PostgreSQL) or the database's
        # write lock (SQLite) before the answers change: a submit from another tab or worker
        # either waits for this save or makes it fail here, never grades answers that change
        # after it (a plain SELECT of the state would let a save slip in after the submit).
        if conn.execute(STILL_OPEN, {"attempt_id": attempt.id}).rowcount != 1:
            raise AttemptError("Bài này đã nộp; không sửa được câu trả lời nữa.")
        if chosen:
            conn.execute(_upsert_answers(engine.dialect.name), [
                {"attempt_id": attempt.id, "question_id": qid,
                 "letters": "".join(sorted(letters)), "saved_at": now}
                for qid, letters in chosen.items()])


STILL_OPEN = update(attempts).where(
    attempts.c.id == bindparam("attempt_id"), attempts.c.state == "in_progress").values(
    state=attempts.c.state)


@functools.cache
def _upsert_answers(dialect: str):
    """INSERT … ON CONFLICT DO UPDATE of answers (SQLite and PostgreSQL spell it alike)."""
    from sqlalchemy.dialects import postgresql, sqlite

    statement = (postgresql if dialect == "postgresql" else sqlite).insert(answers)
    return statement.on_conflict_do_update(
        index_elements=[answers.c.attempt_id, answers.c.question_id],
        set_={"letters": statement.excluded.letters, "saved_at": statement.excluded.saved_at})


def quiz_key(course: Course, round_row: Row, number: int):
    """The grading key of attempt ``number`` of a round (questions in the bank's draw order)."""
    from assessment.grading.key import key_from_questions

    quiz = quiz_of(course, round_row.quiz_id)
    questions = questions_for(course, round_row, number)
    return key_from_questions(attempt_name(round_row.name, number), questions,
                              show_key=quiz.show_correct_answer), quiz


def finish_attempt(engine: Engine, course: Course, gradebook: str, attempt_id: int) -> bool:
    """Finish, grade and record an attempt; False if it was already finished."""
    from assessment.grading.score import score_answers

    now = utcnow()
    with engine.begin() as conn:
        attempt = conn.execute(select(attempts).where(attempts.c.id == attempt_id)).one()
        finished_at = min(now, attempt.deadline)
        done = conn.execute(update(attempts).where(
            attempts.c.id == attempt_id, attempts.c.state == "in_progress").values(
            state="finished", finished_at=finished_at))
        if done.rowcount != 1:
            return False
        round_row = conn.execute(select(rounds).where(rounds.c.id == attempt.round_id)).one()
        key, quiz = quiz_key(course, round_row, attempt.number)
        saved = saved_answers(conn, attempt_id)
        scores = score_answers(key, {q.grade_id: saved.get(q.grade_id) for q in key.questions})
        score, max_score = float(sum(scores.values())), key.max_score
        conn.execute(update(attempts).where(attempts.c.id == attempt_id).values(
            score=score, max_score=max_score, results=json.dumps(scores),
            passed=score >= quiz.pass_mark * max_score - 1e-9))
    record(engine, course, gradebook, attempt_id)
    return True


def record(engine: Engine, course: Course, gradebook: str, attempt_id: int) -> bool:
    """Write a finished attempt to the nbgrader gradebook; False (logged) if that failed."""
    from nbgrader.api import InvalidEntry

    from assessment.grading.record import record_submission

    with engine.connect() as conn:
        attempt = conn.execute(select(attempts).where(attempts.c.id == attempt_id)).one()
        account = conn.execute(select(accounts).where(
            accounts.c.id == attempt.account_id)).one()
        round_row = conn.execute(select(rounds).where(rounds.c.id == attempt.round_id)).one()
        saved = saved_answers(conn, attempt_id)
    key, _quiz = quiz_key(course, round_row, attempt.number)
    words = account.name.split()
    name = (words[-1], " ".join(words[:-1])) if words else ("", "")
    # Recording is idempotent. Two workers recording the first attempts of a round at once
    # both create its assignment (or student) in the gradebook: one of them hits the unique
    # constraint, and simply records again once the other has committed.
    for tries_left in reversed(range(RECORD_TRIES)):
        try:
            record_submission(gradebook, key, account.cadre_id,
                              attempt.finished_at.replace(tzinfo=UTC),
                              {q.grade_id: saved.get(q.grade_id) for q in key.questions},
                              student_name=name)
            break
        except (IntegrityError, InvalidEntry):  # nbgrader's name for a unique violation
            if tries_left:
                time.sleep(0.05 * (RECORD_TRIES - tries_left))
                continue
            log.exception("Could not record attempt %s in the gradebook", attempt_id)
            return False
        except Exception:  # noqa: BLE001 - the attempt is kept; it is recorded again later
            log.exception("Could not record attempt %s in the gradebook", attempt_id)
            return False
    with engine.begin() as conn:
        conn.execute(update(attempts).where(attempts.c.id == attempt_id).values(
            recorded_at=utcnow()))
    return True


def finish_overdue(engine: Engine, course: Course, gradebook: str, *,
                   round_id: int | None = None, account_id: int | None = None,
                   now: datetime | None = None) -> int:
    """Finish attempts past their time (or of a closed round), record unrecorded ones."""
    now = now or utcnow()
    query = select(attempts.c.id, attempts.c.deadline, rounds.c.ends_at, rounds.c.closed_at
                   ).join(rounds, rounds.c.id == attempts.c.round_id).where(
        attempts.c.state == "in_progress")
    pending = select(attempts.c.id).where(attempts.c.state == "finished",
                                          attempts.c.recorded_at.is_(None))
    if round_id is not None:
        query = query.where(attempts.c.round_id == round_id)
        pending = pending.where(attempts.c.round_id == round_id)
    if account_id is not None:
        query = query.where(attempts.c.account_id == account_id)
        pending = pending.where(attempts.c.account_id == account_id)
    with engine.connect() as conn:
        due = [row.id for row in conn.execute(query)
               if row.closed_at is not None or now > row.deadline + GRACE
               or now >= row.ends_at]
        unrecorded = list(conn.execute(pending).scalars())
    finished = sum(finish_attempt(engine, course, gradebook, attempt_id) for attempt_id in due)
    for attempt_id in unrecorded:
        record(engine, course, gradebook, attempt_id)
    return finished


def attempts_count(conn, round_id: int) -> int:
    return conn.execute(select(func.count()).select_from(attempts).where(
        attempts.c.round_id == round_id)).scalar_one()
