"""nbgrader's gradebook on a real PostgreSQL server, read by ``assessment report``."""

from __future__ import annotations

from db_helpers import report_content, run_report
from nbgrader.api import Gradebook
from report_fixtures import TEN, Sub, first_right, make_gradebook
from sqlalchemy import create_engine, inspect, text

from assessment.report.gradebook import SCHEMA

SUBS = [
    Sub("kiem-tra-cuoi-khoa", "CB001", "2024-03-10 09:00:00+07:00", first_right(7),
        ("Nguyễn Thị", "An")),
    Sub("kiem-tra-cuoi-khoa", "CB002", "2024-04-01 09:00:00+07:00", first_right(6)),
    Sub("kiem-tra-cuoi-khoa", "CB006", "2024-11-30 23:30:00+07:00", first_right(7)),
    Sub("kiem-tra-cuoi-khoa", "CB007", "2024-11-30 18:00:00+00:00", first_right(10)),
    Sub("kiem-tra-cuoi-khoa", "XX999", "2024-06-01 09:00:00+07:00", first_right(10),
        ("Người", "Lạ")),
]


def test_postgres_server_is_real(postgres, pg_url):
    version = postgres.psql("SHOW server_version")
    assert version.startswith("15"), version
    engine = create_engine(pg_url)
    with engine.connect() as conn:
        assert conn.dialect.name == "postgresql"
    engine.dispose()


def test_nbgrader_creates_its_schema_on_postgres(postgres, pg_url):
    with Gradebook(pg_url) as gb:
        gb.add_assignment("kiem-tra-cuoi-khoa")
        gb.add_student("CB001", first_name="An", last_name="Nguyễn Thị")
    engine = create_engine(pg_url)
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    assert set(SCHEMA) <= tables and "alembic_version" in tables
    # nbgrader ran its Alembic step: the revision is recorded, in the server itself
    database = pg_url.rsplit("/", 1)[1]
    assert len(postgres.psql("SELECT version_num FROM alembic_version", database).strip()) == 12
    with Gradebook(pg_url) as gb:  # opened again: the same data, read through nbgrader's API
        assert gb.find_student("CB001").last_name == "Nguyễn Thị"
        assert [a.name for a in gb.assignments] == ["kiem-tra-cuoi-khoa"]


def test_report_reads_a_postgres_gradebook_like_sqlite(pg_url, report_case, tmp_path):
    """The same submissions in SQLite and in PostgreSQL give the same report."""
    quizzes = {"kiem-tra-cuoi-khoa": TEN}
    sqlite_book = make_gradebook(tmp_path / "lop.db", quizzes, SUBS)
    make_gradebook(pg_url, quizzes, SUBS)
    on_sqlite = run_report([str(sqlite_book)], report_case.roster, tmp_path / "sqlite")
    on_postgres = run_report([pg_url], report_case.roster, tmp_path / "postgres")
    expected = report_content(tmp_path / "sqlite")
    assert report_content(tmp_path / "postgres") == expected
    assert expected["json"]["counts"]["unmatched_submissions"] == 1
    # the terminal summaries differ only in the output folder they name
    assert (on_postgres.replace(str(tmp_path / "postgres"), "OUT")
            == on_sqlite.replace(str(tmp_path / "sqlite"), "OUT"))


def test_report_names_an_unreachable_postgres_server(tmp_path, report_case, postgres):
    from click.testing import CliRunner

    from assessment.cli import main

    url = f"postgresql+psycopg://postgres:bimat@127.0.0.1:{postgres.port}/khong_co"
    result = CliRunner().invoke(main, [
        "report", "--gradebook", url, "--roster", str(report_case.roster),
        "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "Không mở được sổ điểm" in result.output and "khong_co" in result.output
    assert "bimat" not in result.output  # the password is never printed
    assert not (tmp_path / "out").exists()


def _open(url: str) -> None:
    from assessment.grading.record import course_gradebook

    course_gradebook(url).close()


def test_workers_opening_a_new_gradebook_at_once_all_start(postgres, pg_url):
    """The workers of `assessment serve --workers N` open a new gradebook at the same moment:
    each finds no course row and adds one, and all but the first fail on the duplicate key
    (gunicorn then stopped the whole service). Made certain here: another session adds the
    row and waits to commit until all four workers are blocked on it; each must still open
    the gradebook, and the course has one row."""
    import multiprocessing
    import time

    from assessment.grading.record import COURSE_ID

    with Gradebook(pg_url):  # nbgrader's tables, as `assessment serve` makes them first
        pass
    engine = create_engine(pg_url)
    blocked = text("SELECT count(*) FROM pg_stat_activity "
                   "WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO course%'")
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_open, args=(pg_url,)) for _ in range(4)]
    try:
        with engine.connect() as first:
            first.execute(text("INSERT INTO course (id) VALUES (:id)"), {"id": COURSE_ID})
            for worker in workers:
                worker.start()
            with engine.connect() as watch:
                for _ in range(600):
                    if watch.execute(blocked).scalar() == 4:
                        break
                    watch.rollback()  # a transaction keeps its first view of the activity
                    time.sleep(0.1)
                else:
                    raise AssertionError("the workers never reached the course row")
            first.commit()
        for worker in workers:
            worker.join(timeout=120)
    finally:
        engine.dispose()
    assert [worker.exitcode for worker in workers] == [0, 0, 0, 0]
    database = pg_url.rsplit("/", 1)[1]
    rows = postgres.psql(f"SELECT id FROM course WHERE id = '{COURSE_ID}'", database).split()
    assert rows == [COURSE_ID]


def test_serve_adds_the_course_row_before_the_workers_start(pg_url, tmp_path):
    """`assessment serve` prepares the gradebook with our course's row in the master process,
    so its workers find it and never race to add it."""
    from assessment.grading.record import COURSE_ID
    from assessment.service.db import gradebook_url
    from assessment.service.dbtools import upgrade_gradebook

    for url in (pg_url, gradebook_url(tmp_path)):
        upgrade_gradebook(url)
        engine = create_engine(url)
        with engine.connect() as conn:
            courses = [row[0] for row in conn.exec_driver_sql("SELECT id FROM course")]
        engine.dispose()
        assert courses == [COURSE_ID], url
