"""Read nbgrader gradebooks, read-only, with a few set-based SQL queries.

nbgrader's own ``nbgrader export`` walks its ORM one student at a time; at the scale of a
province that takes most of an hour. Here each table is read once with one plain SELECT
(the grades without any join: joining half a million rows on nbgrader's text keys inside
SQLite is slower than matching them in pandas), and pandas puts them together. Tables and
columns are named as nbgrader's schema names them.

A SQLite file is opened with ``mode=ro``: SQLite itself refuses any write. Other databases
(any SQLAlchemy URL) are only ever sent SELECT statements, inside a transaction that is rolled
back.

>>> data = read_gradebooks(["quizzes/gradebook.db"])  # doctest: +SKIP
>>> data.submissions.columns.tolist()  # doctest: +SKIP
['gradebook', 'submission', 'quiz', 'student_id', 'student_name', 'timestamp', 'score', ...]
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pandas as pd
from sqlalchemy import (
    Engine,
    and_,
    case,
    column,
    create_engine,
    func,
    inspect,
    literal,
    or_,
    select,
    table,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from assessment.report.errors import ReportInputError

# nbgrader's tables and the columns read here, by the names nbgrader's api.py gives them (a test
# checks them against nbgrader's own metadata). Importing nbgrader itself would cost 3 seconds.
SCHEMA = {
    "assignment": ("id", "name"),
    "notebook": ("id", "name", "assignment_id"),
    "base_cell": ("id", "name", "notebook_id"),
    "grade_cells": ("id", "max_score"),
    "task_cells": ("id", "max_score"),
    "student": ("id", "first_name", "last_name"),
    "submitted_assignment": ("id", "assignment_id", "student_id", "timestamp"),
    "submitted_notebook": ("id", "assignment_id", "notebook_id"),
    "grade": ("id", "notebook_id", "cell_id", "auto_score", "manual_score", "extra_credit",
              "needs_manual_grade"),
}
T = {name: table(name, *(column(c) for c in columns)) for name, columns in SCHEMA.items()}
REQUIRED_TABLES = set(SCHEMA)

SUBMISSION_COLUMNS = ["gradebook", "submission", "quiz", "student_id", "student_name",
                      "timestamp", "score", "max_score", "needs_manual"]
GRADE_COLUMNS = ["submission", "quiz", "notebook", "question", "score", "max_score"]


@dataclass
class GradebookData:
    """Submissions (one row per student and quiz) and grades (one row per question answered).

    ``submission`` ids are unique across gradebooks ("0:…", "1:…"); in ``grades`` the text
    columns are pandas categoricals, so half a million rows stay small.
    """

    submissions: pd.DataFrame
    grades: pd.DataFrame
    labels: list[str]


def _score(g=T["grade"]):
    """nbgrader's Grade.score: manual score if set, else the autograder's, plus extra credit."""
    extra = func.coalesce(g.c.extra_credit, 0.0)
    return case(
        (g.c.manual_score.is_not(None), g.c.manual_score + extra),
        (g.c.auto_score.is_not(None), g.c.auto_score + extra),
        else_=literal(0.0),
    )


def open_gradebook(source: str) -> tuple[Engine, str]:
    """An engine that can only read, and a label for messages (no password shown)."""
    if "://" not in source:
        path = Path(source)
        if not path.is_file():
            raise ReportInputError(
                f"Không tìm thấy sổ điểm «{source}». Kiểm tra đường dẫn sau --gradebook "
                "(thường là quizzes/gradebook.db của lớp).")
        database = str(path.resolve())
        label = str(path)
    else:
        try:
            url = make_url(source)
        except ArgumentError:
            raise ReportInputError(
                f"Địa chỉ sổ điểm «{source}» không đúng dạng. Ví dụ đúng: "
                "sqlite:///duong/dan/gradebook.db hoặc postgresql://nguoidung@maychu/tencsdl."
            ) from None
        label = url.render_as_string(hide_password=True)
        if url.get_backend_name() != "sqlite":
            try:
                return create_engine(url), label
            except (NoSuchModuleError, ModuleNotFoundError, ArgumentError) as error:
                raise ReportInputError(
                    f"Không mở được sổ điểm «{label}»: máy chưa có trình điều khiển cho loại "
                    f"cơ sở dữ liệu này ({error}). Cài gói Python tương ứng rồi chạy lại."
                ) from None
        database = url.database or ""
        if not database or database == ":memory:" or not Path(database).is_file():
            raise ReportInputError(f"Không tìm thấy tệp sổ điểm «{database}» (từ «{label}»).")
        database = str(Path(database).resolve())
    uri = f"file:{quote(database)}?mode=ro"
    engine = create_engine("sqlite://", creator=lambda: sqlite3.connect(uri, uri=True))
    return engine, label


def _check_schema(engine: Engine, label: str) -> None:
    try:
        tables = set(inspect(engine).get_table_names())
    except SQLAlchemyError as error:
        reason = getattr(error, "orig", error)
        raise ReportInputError(
            f"Không mở được sổ điểm «{label}»: {reason}. Kiểm tra đây đúng là tệp "
            "gradebook.db của nbgrader (hoặc địa chỉ, tài khoản của cơ sở dữ liệu).") from None
    missing = REQUIRED_TABLES - tables
    if missing:
        raise ReportInputError(
            f"«{label}» không phải sổ điểm nbgrader (thiếu bảng {', '.join(sorted(missing))}). "
            "Chỉ ra đúng tệp gradebook.db mà nbgrader tạo ra trong thư mục khóa học.")


def _queries() -> dict[str, object]:
    sa, a, st = T["submitted_assignment"], T["assignment"], T["student"]
    sn, g, bc = T["submitted_notebook"], T["grade"], T["base_cell"]
    nb, gc, tc = T["notebook"], T["grade_cells"], T["task_cells"]
    manual = case((and_(g.c.needs_manual_grade, g.c.manual_score.is_(None)), 1), else_=0)
    return {
        "submissions": select(sa.c.id, a.c.name, sa.c.student_id, st.c.first_name,
                              st.c.last_name, sa.c.timestamp)
        .select_from(sa.join(a, a.c.id == sa.c.assignment_id)
                     .outerjoin(st, st.c.id == sa.c.student_id)),
        "notebooks": select(sn.c.id, sn.c.assignment_id),
        "cells": select(bc.c.id, a.c.name, nb.c.name, bc.c.name,
                        func.coalesce(gc.c.max_score, tc.c.max_score))
        .select_from(bc.join(nb, nb.c.id == bc.c.notebook_id)
                     .join(a, a.c.id == nb.c.assignment_id)
                     .outerjoin(gc, gc.c.id == bc.c.id).outerjoin(tc, tc.c.id == bc.c.id))
        .where(or_(gc.c.id.is_not(None), tc.c.id.is_not(None))),
        "grades": select(g.c.notebook_id, g.c.cell_id, _score(), manual),
    }


def _frame(conn, query, columns: list[str]) -> pd.DataFrame:
    """Run a query through the driver's own cursor: plain tuples build a DataFrame ten times
    faster than SQLAlchemy's Row objects."""
    compiled = query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        cursor.execute(str(compiled))
        return pd.DataFrame(cursor.fetchall(), columns=columns)
    finally:
        cursor.close()


def _codes(values: pd.Series, keys: pd.Series) -> pd.Series:
    """Position of each value in ``keys`` (-1 when absent), via a categorical: fast on text."""
    return pd.Series(pd.Categorical(values, categories=keys).codes, index=values.index)


def read_gradebook(source: str, index: int = 0) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """(submissions, grades, label) of one gradebook; submission ids get the prefix ``index:``."""
    engine, label = open_gradebook(source)
    _check_schema(engine, label)
    queries = _queries()
    try:
        with engine.connect() as conn:
            subs = _frame(conn, queries["submissions"], ["submission", "quiz", "student_id",
                                                         "first", "last", "timestamp"])
            notebooks = _frame(conn, queries["notebooks"], ["id", "submission"])
            cells = _frame(conn, queries["cells"], ["id", "quiz", "notebook", "question", "max"])
            raw = _frame(conn, queries["grades"], ["notebook_id", "cell_id", "score", "manual"])
            conn.rollback()
    except SQLAlchemyError as error:
        raise ReportInputError(
            f"Không đọc được sổ điểm «{label}»: {getattr(error, 'orig', error)}.") from None
    finally:
        engine.dispose()
    # Each grade → its submission (through its submitted notebook) and its cell.
    sub_of_notebook = _codes(notebooks["submission"], subs["submission"]).to_numpy()
    notebook_code = _codes(raw["notebook_id"], notebooks["id"]).to_numpy()
    cell_code = _codes(raw["cell_id"], cells["id"]).to_numpy()
    known = (notebook_code >= 0) & (cell_code >= 0)
    sub_code = sub_of_notebook[notebook_code[known]]
    cell_code = cell_code[known]
    scores = raw["score"].to_numpy(dtype=float)[known]
    manual = raw["manual"].to_numpy(dtype=int)[known]
    cell_max = cells["max"].to_numpy(dtype=float)
    quiz_max = cells.groupby("quiz")["max"].sum()

    subs["score"] = pd.Series(scores).groupby(sub_code).sum().reindex(
        range(len(subs)), fill_value=0.0).to_numpy()
    subs["needs_manual"] = pd.Series(manual).groupby(sub_code).max().reindex(
        range(len(subs)), fill_value=0).to_numpy().astype(bool)
    subs["max_score"] = subs["quiz"].map(quiz_max).fillna(0.0).astype(float)
    names = subs["last"].fillna("").astype(str) + " " + subs["first"].fillna("").astype(str)
    subs["student_name"] = names.str.strip()
    subs["gradebook"] = label
    subs["submission"] = f"{index}:" + subs["submission"].astype(str)
    subs["timestamp"] = pd.to_datetime(subs["timestamp"], format="ISO8601")

    grades = pd.DataFrame({
        "submission": pd.Categorical.from_codes(sub_code, categories=subs["submission"]),
        "quiz": cells["quiz"].to_numpy()[cell_code],
        "notebook": cells["notebook"].to_numpy()[cell_code],
        "question": cells["question"].to_numpy()[cell_code],
        "score": scores,
        "max_score": cell_max[cell_code],
    })
    for column_name in ("quiz", "notebook", "question"):
        grades[column_name] = grades[column_name].astype("category")
    return subs[SUBMISSION_COLUMNS], grades, label


def read_gradebooks(sources: Iterable[str], progress=None) -> GradebookData:
    """All gradebooks together. ``progress`` wraps the list (e.g. ``tqdm``) if given."""
    sources = list(sources)
    parts = [read_gradebook(s, i) for i, s in enumerate(progress(sources) if progress else sources)]
    subs = [p[0] for p in parts if len(p[0])]
    grades = [p[1] for p in parts if len(p[1])]
    return GradebookData(
        submissions=(pd.concat(subs, ignore_index=True) if subs
                     else pd.DataFrame(columns=SUBMISSION_COLUMNS)),
        grades=(pd.concat(grades, ignore_index=True) if grades
                else pd.DataFrame(columns=GRADE_COLUMNS)),
        labels=[p[2] for p in parts],
    )
