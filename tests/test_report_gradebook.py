"""Reading nbgrader gradebooks: the same numbers as nbgrader's own export, never a write."""

from __future__ import annotations

import csv
import hashlib
import sqlite3
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from nbgrader.api import Base
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from assessment.report.errors import ReportInputError
from assessment.report.gradebook import SCHEMA, open_gradebook, read_gradebooks

NBGRADER = Path(sys.executable).parent / "nbgrader"


def test_schema_names_are_nbgraders():
    tables = Base.metadata.tables
    for name, columns in SCHEMA.items():
        assert name in tables, name
        assert set(columns) <= set(tables[name].columns.keys()), name


def nbgrader_export(gradebook: Path, folder: Path) -> pd.DataFrame:
    out = folder / f"{gradebook.stem}.csv"
    subprocess.run([str(NBGRADER), "export", f"--db=sqlite:///{gradebook}", f"--to={out}",
                    "--log-level=ERROR"], cwd=folder, check=True, capture_output=True)
    with out.open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["timestamp"] or float(r["score"])]
    return pd.DataFrame(rows)


def test_same_scores_as_nbgrader_export(report_case, tmp_path):
    data = read_gradebooks([str(p) for p in report_case.gradebooks])
    ours = data.submissions
    for gradebook in report_case.gradebooks:
        theirs = nbgrader_export(gradebook, tmp_path)
        mine = ours[ours["gradebook"] == str(gradebook)]
        # nbgrader lists every student for every assignment; submissions have a timestamp
        # (the undated one in the case is found by its score)
        assert len(mine) == len(theirs)
        for r in theirs.itertuples():
            match = mine[(mine["quiz"] == r.assignment) & (mine["student_id"] == r.student_id)]
            assert len(match) == 1, (r.assignment, r.student_id)
            got = match.iloc[0]
            assert got["score"] == pytest.approx(float(r.raw_score))
            assert got["max_score"] == pytest.approx(float(r.max_score))
            if r.timestamp:
                assert got["timestamp"] == pd.Timestamp(r.timestamp)
            else:
                assert pd.isna(got["timestamp"])


def test_grades_per_question(report_case):
    grades = read_gradebooks([str(report_case.gradebooks[0])]).grades
    assert len(grades) == 7 * 10  # seven submissions of ten questions
    assert set(grades["max_score"]) == {1.0}
    per_submission = grades.groupby(grades["submission"].astype(str))["score"].sum()
    assert sorted(per_submission.tolist()) == [6, 7, 7, 8, 9, 10, 10]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_gradebook_is_never_written(report_case):
    path = report_case.gradebooks[0]
    before = (digest(path), path.stat().st_mtime_ns)
    read_gradebooks([str(path), f"sqlite:///{path}"])
    engine, _ = open_gradebook(str(path))
    with engine.connect() as conn, pytest.raises(OperationalError, match="readonly"):
        conn.execute(text("DELETE FROM grade"))
    engine.dispose()
    assert (digest(path), path.stat().st_mtime_ns) == before


def test_sqlite_url_works_like_a_path(report_case):
    path = report_case.gradebooks[1]
    by_path = read_gradebooks([str(path)]).submissions
    by_url = read_gradebooks([f"sqlite:///{path}"]).submissions
    assert by_path.drop(columns="gradebook").equals(by_url.drop(columns="gradebook"))


def reading_error(source: str) -> str:
    with pytest.raises(ReportInputError) as caught:
        read_gradebooks([source])
    return str(caught.value)


def test_a_file_that_is_not_a_database(tmp_path):
    path = tmp_path / "gradebook.db"
    path.write_text("không phải cơ sở dữ liệu", encoding="utf-8")
    message = reading_error(str(path))
    assert str(path) in message and "gradebook.db của nbgrader" in message


def test_a_database_that_is_not_a_gradebook(tmp_path):
    path = tmp_path / "khac.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE sach (id TEXT)")
    message = reading_error(str(path))
    assert "không phải sổ điểm nbgrader" in message and "grade" in message


def test_missing_file_and_bad_urls(tmp_path):
    assert "Không tìm thấy sổ điểm" in reading_error(str(tmp_path / "khong-co.db"))
    assert "Không tìm thấy tệp sổ điểm" in reading_error(f"sqlite:///{tmp_path}/khong-co.db")
    assert "không đúng dạng" in reading_error("://khong-dung")
    message = reading_error("postgresql+khongco://nguoi:matkhau@127.0.0.1/diem")
    assert "trình điều khiển" in message and "matkhau" not in message
