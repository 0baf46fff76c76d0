"""Gradebook rows for graded hand-ins, written through nbgrader's own models.

The rows are the ones ``nbgrader autograde`` writes: the student (created if missing), the
submission with its timestamp (``timestamp.txt``, converted to UTC as nbgrader does), one
submitted notebook, one ``Grade`` per grade cell with ``auto_score`` and
``needs_manual_grade=False`` (True when a grader has set a manual score), and one ``Comment``
per answer cell (``auto_comment="No response."`` when the cell was left as released). If the
assignment is not in the gradebook yet (paper or online routes), it is created with its notebook,
grade cells and answer cells as ``nbgrader generate_assignment`` would.

``record_many`` writes a whole batch in one transaction: new rows by bulk inserts into
nbgrader's tables, existing ones (a regrade) by bulk updates, ``CHUNK`` hand-ins at a time so
memory stays small (``make bench-grade`` measures 20,000 hand-ins). Recording a submission again
replaces its automatic scores and keeps a grader's manual scores and comments (idempotent).

    >>> record_submission("sqlite:///gradebook.db", key, "CB0001",       # doctest: +SKIP
    ...                   "2026-03-02 09:30:00 +0700", {"q1": "B"})
    1.0
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from assessment.grading.key import QuizKey
from assessment.grading.score import score_answers

COURSE_ID = "quyen-con-nguoi"  # c.CourseDirectory.course_id in quizzes/nbgrader_config.py
NO_RESPONSE = "No response."   # what nbgrader's SaveAutoGrades writes for an untouched cell
CHUNK = 500  # hand-ins whose rows are written together


class RecordError(ValueError):
    """The gradebook does not match the key (the quiz was changed after its release)."""


@dataclass
class HandIn:
    """One cadre's answers to one quiz, ready to be recorded."""

    student_id: str
    answers: Mapping[str, object]             # grade_id -> raw answer (None: unanswered)
    timestamp: datetime | str | None = None   # as in timestamp.txt; None: no timestamp
    student_name: tuple[str, str] | None = None   # (first_name, last_name)
    no_response: frozenset[str] | None = None     # grade_ids whose answer cell is untouched
    scores: dict[str, float] = field(default_factory=dict)  # filled in by record_many

    def untouched(self) -> frozenset[str]:
        if self.no_response is not None:
            return self.no_response
        return frozenset(qid for qid, value in self.answers.items()
                         if value is None or (isinstance(value, str) and not value.strip()))


def course_gradebook(url: str, course_id: str = COURSE_ID):
    """nbgrader's ``Gradebook`` at ``url``, for our course.

    nbgrader adds the course's row when it is missing. Processes that open a new gradebook at
    the same moment (the workers of one service, services on two machines) may all try to add
    it; all but one then fail on the duplicate key. Opening again finds the row.
    """
    from nbgrader.api import Gradebook, InvalidEntry

    try:
        return Gradebook(url, course_id)
    except InvalidEntry:
        return Gradebook(url, course_id)


def _ensure_assignment(gb, key: QuizKey, course_id: str):
    """The assignment's Notebook row, created as generate_assignment would if missing, and its
    cells' ids: (notebook, {grade cell name: id}, {solution cell name: id}).

    The cells are read with one query per kind: nbgrader's ``notebook.grade_cells`` loads
    each cell's ``max_score`` with a query of its own (40 queries for a 40-question quiz),
    which made an online submission several times slower.
    """
    from nbgrader.api import Assignment, GradeCell, MissingEntry, Notebook, SolutionCell
    from sqlalchemy import select

    db = gb.db
    try:
        assignment = gb.find_assignment(key.name)
    except MissingEntry:
        assignment = Assignment(name=key.name, course_id=course_id)
        db.add(assignment)
    notebook = next((nb for nb in assignment.notebooks if nb.name == key.notebook), None)
    if notebook is None:
        notebook = Notebook(name=key.notebook, assignment=assignment)
        db.add(notebook)
        grade_cells = [GradeCell(name=question.grade_id, max_score=question.points,
                                 cell_type="code", notebook=notebook)
                       for question in key.questions]
        solution_cells = [SolutionCell(name=question.answer_cell_id, notebook=notebook)
                          for question in key.questions]
        db.add_all(grade_cells + solution_cells)
        db.flush()
        return (notebook, {cell.name: cell.id for cell in grade_cells},
                {cell.name: cell.id for cell in solution_cells})
    cells = {name: (cell_id, max_score) for cell_id, name, max_score in db.execute(
        select(GradeCell.id, GradeCell.name, GradeCell.max_score).where(
            GradeCell.notebook_id == notebook.id))}
    wanted = {q.grade_id: q for q in key.questions}
    if set(cells) != set(wanted):
        extra, missing = sorted(set(cells) - set(wanted)), sorted(set(wanted) - set(cells))
        raise RecordError(
            f"Sổ điểm: bài {key.name!r} trong sổ điểm có bộ câu hỏi khác với tệp nguồn "
            f"(chỉ có trong sổ điểm: {', '.join(extra) or 'không'}; chỉ có trong tệp nguồn: "
            f"{', '.join(missing) or 'không'}). Tệp nguồn đã bị rút lại sau khi phát bài? "
            "Hãy chấm bằng đúng tệp nguồn đã dùng để phát bài.")
    for name, (_cell_id, max_score) in cells.items():
        if float(max_score) != float(wanted[name].points):
            raise RecordError(
                f"Sổ điểm: câu {name} của bài {key.name!r} có {max_score:g} điểm trong "
                f"sổ điểm nhưng {wanted[name].points:g} điểm trong tệp nguồn. Hãy chạy lại "
                f"`nbgrader generate_assignment {key.name} --force` trước khi chấm.")
    solution_cells = dict(db.execute(select(SolutionCell.name, SolutionCell.id).where(
        SolutionCell.notebook_id == notebook.id)).all())
    return notebook, {name: cell_id for name, (cell_id, _) in cells.items()}, solution_cells


def record_many(gradebook, key: QuizKey, hand_ins: Iterable[HandIn], *,
                course_id: str = COURSE_ID) -> dict[str, float]:
    """Record every hand-in in one transaction; student id -> total score.

    ``gradebook`` is a URL (the gradebook is opened and closed here) or an open nbgrader
    ``Gradebook`` that the caller keeps (the online service keeps one per worker process; this
    thread's session of it is released here). Nothing is written if anything fails. A student
    listed twice keeps the last hand-in.
    """
    from nbgrader.api import (
        Comment,
        Grade,
        Student,
        SubmittedAssignment,
        SubmittedNotebook,
    )
    from nbgrader.utils import parse_utc
    from sqlalchemy import select

    latest: dict[str, HandIn] = {}
    for hand_in in hand_ins:
        hand_in.scores = score_answers(key, hand_in.answers)
        latest[hand_in.student_id] = hand_in
    totals = {sid: float(sum(h.scores.values())) for sid, h in latest.items()}
    owned = isinstance(gradebook, str)
    gb = course_gradebook(gradebook, course_id) if owned else gradebook
    with contextlib.closing(gb) if owned else _released(gb):
        db = gb.db
        try:
            notebook, grade_cells, solution_cells = _ensure_assignment(gb, key, course_id)
            assignment = notebook.assignment
            answer_of = {q.answer_cell_id: q.grade_id for q in key.questions}
            known = set(db.scalars(select(Student.id)))
            students = []
            for sid, hand_in in latest.items():
                first, last = hand_in.student_name or (None, None)
                if sid not in known:
                    students.append({"id": sid, "first_name": first, "last_name": last})
                elif hand_in.student_name:
                    student = db.get(Student, sid)
                    student.first_name, student.last_name = first, last
            new_uuid = _id_maker()
            if students:
                db.execute(Student.__table__.insert(), students)
            db.flush()
            existing = _existing(db, assignment.id, notebook.id, latest)
            old_grades, old_comments = _existing_rows(db, [nb for _, nb in existing.values() if nb])
            subs, notebooks, grades, comments = [], [], [], []
            stamps, grade_updates, comment_updates = [], [], []
            batches = [(SubmittedAssignment, subs), (SubmittedNotebook, notebooks),
                       (Grade, grades), (Comment, comments)]
            updates = [(SubmittedAssignment, "timestamp", stamps),
                       (Grade, "auto_score", grade_updates),
                       (Comment, "auto_comment", comment_updates)]
            for count, (sid, hand_in) in enumerate(latest.items(), start=1):
                if count % CHUNK == 0:  # write as we go: memory stays small
                    _flush(db, batches, updates)
                timestamp = parse_utc(hand_in.timestamp) if hand_in.timestamp else None
                untouched = hand_in.untouched()
                sub_id, nb_id = existing.get(sid, (None, None))
                if sub_id is None:
                    sub_id = new_uuid()
                    subs.append({"id": sub_id, "assignment_id": assignment.id,
                                 "student_id": sid, "timestamp": timestamp})
                elif timestamp is not None:  # as nbgrader: no timestamp.txt keeps the old one
                    stamps.append({"b_id": sub_id, "b_value": timestamp})
                if nb_id is None:
                    nb_id = new_uuid()
                    notebooks.append({"id": nb_id, "assignment_id": sub_id,
                                      "notebook_id": notebook.id, "flagged": False})
                have = old_grades.get(nb_id, {})
                for qid, cell_id in grade_cells.items():
                    score = hand_in.scores[qid]
                    if cell_id in have:  # a regrade: a grader's manual score is kept
                        row_id, manual = have[cell_id]
                        grade_updates.append({"b_id": row_id, "b_value": score,
                                              "b_manual": manual is not None})
                    else:
                        grades.append({"id": new_uuid(), "notebook_id": nb_id,
                                       "cell_id": cell_id, "auto_score": score,
                                       "needs_manual_grade": False})
                have = old_comments.get(nb_id, {})
                for name, cell_id in solution_cells.items():
                    text = _comment(name, answer_of, untouched)
                    if cell_id in have:
                        comment_updates.append({"b_id": have[cell_id], "b_value": text})
                    else:
                        comments.append({"id": new_uuid(), "notebook_id": nb_id,
                                         "cell_id": cell_id, "auto_comment": text})
            _flush(db, batches, updates)
            db.commit()
        except BaseException:
            db.rollback()
            raise
    return totals


@contextlib.contextmanager
def _released(gb):
    """Use a kept Gradebook, then end this thread's session of it (its scoped_session holds
    one per thread; the engine and its connections stay for the next hand-in)."""
    try:
        yield gb
    finally:
        gb.db.remove()


def _flush(db, batches: list[tuple], updates: list[tuple]) -> None:
    """Insert then update the rows gathered so far, in bulk (executemany), and forget them.

    Everything stays in the one open transaction: nothing is committed until the whole batch
    is written.
    """
    for model, rows in batches:
        if rows:  # nbgrader's own tables, in the order of their foreign keys
            db.execute(model.__table__.insert(), rows)
            rows.clear()
    for model, column, rows in updates:
        if rows:
            _update_rows(db, model.__table__, column, rows)
            rows.clear()


def _id_maker():
    """Unique 32-hex-digit ids like nbgrader's ``new_uuid`` (one random prefix per batch and a
    counter: as unique, without one ``os.urandom`` call per row)."""
    import itertools
    import uuid

    prefix = uuid.uuid4().hex[:20]
    counter = itertools.count()
    return lambda: f"{prefix}{next(counter):012x}"


def _existing(db, assignment_id: str, notebook_id: str, latest: Mapping[str, HandIn]) -> dict:
    """Student id -> (submission id, submitted notebook id or None) of those already graded."""
    from nbgrader.api import SubmittedAssignment, SubmittedNotebook
    from sqlalchemy import and_, select

    sa, sn = SubmittedAssignment.__table__, SubmittedNotebook.__table__
    join = sa.outerjoin(sn, and_(sn.c.assignment_id == sa.c.id, sn.c.notebook_id == notebook_id))
    query = select(sa.c.student_id, sa.c.id, sn.c.id).select_from(join).where(
        sa.c.assignment_id == assignment_id)
    if len(latest) <= 500:
        query = query.where(sa.c.student_id.in_(list(latest)))
    return {sid: (sub_id, nb_id) for sid, sub_id, nb_id in db.execute(query) if sid in latest}


def _existing_rows(db, notebook_ids: list[str]) -> tuple[dict, dict]:
    """Grades (id, manual score) and comment ids of submitted notebooks, by cell id."""
    from nbgrader.api import Comment, Grade
    from sqlalchemy import select

    grades: dict[str, dict] = {}
    comments: dict[str, dict] = {}
    g, c = Grade.__table__, Comment.__table__
    for start in range(0, len(notebook_ids), 500):
        chunk = notebook_ids[start:start + 500]
        for row_id, nb_id, cell_id, manual in db.execute(
                select(g.c.id, g.c.notebook_id, g.c.cell_id, g.c.manual_score)
                .where(g.c.notebook_id.in_(chunk))):
            grades.setdefault(nb_id, {})[cell_id] = (row_id, manual)
        for row_id, nb_id, cell_id in db.execute(
                select(c.c.id, c.c.notebook_id, c.c.cell_id).where(c.c.notebook_id.in_(chunk))):
            comments.setdefault(nb_id, {})[cell_id] = row_id
    return grades, comments


def _update_rows(db, table, column: str, rows: list[dict]) -> None:
    """UPDATE ``column`` (and needs_manual_grade for grades) by id, in bulk."""
    from sqlalchemy import bindparam, update

    values = {column: bindparam("b_value")}
    if "b_manual" in rows[0]:
        values["needs_manual_grade"] = bindparam("b_manual")
    db.execute(update(table).where(table.c.id == bindparam("b_id")).values(**values), rows)


def _comment(answer_cell: str, answer_of: Mapping[str, str], untouched: frozenset[str]
             ) -> str | None:
    return NO_RESPONSE if answer_of.get(answer_cell) in untouched else None


def record_submission(gradebook, key: QuizKey, student_id: str,
                      timestamp: datetime | str | None, answers: Mapping[str, object],
                      *, student_name: tuple[str, str] | None = None,
                      course_id: str = COURSE_ID) -> float:
    """Create (if missing) the assignment, its notebook and grade cells as
    `nbgrader generate_assignment` would, the student, then the submission with `timestamp`
    and one grade per grade cell with auto_score, exactly the rows `nbgrader autograde` writes.
    Idempotent: recording the same submission again replaces its scores. Returns the total.
    ``gradebook``: a sqlite:/// or postgresql+psycopg:// URL, or an open Gradebook (see
    ``record_many``)."""
    hand_in = HandIn(student_id, answers, timestamp, student_name)
    return record_many(gradebook, key, [hand_in], course_id=course_id)[student_id]
