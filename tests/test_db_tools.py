"""``assessment db``: backup → restore and SQLite → PostgreSQL give the same data and report."""

from __future__ import annotations

import shutil
import zipfile
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from db_helpers import dump, make_deployment, report_content
from db_helpers import run_report as report_at

from assessment.cli import main
from assessment.service.dbtools import Database, data_databases

# the attempts are made today: count them up to today, in Vietnam
TODAY = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date().isoformat()


def run_report(gradebooks: list[str], roster, out) -> str:
    return report_at(gradebooks, roster, out, as_of=TODAY)


# cadre login → questions answered right (40 questions, 45 points; pass mark 70 %)
RIGHT = {"cb001": 40, "cb002": 10, "cb003": 36, "cb005": 38, "cb006": 20}


def db(*args: str):
    return CliRunner().invoke(main, ["db", *args], catch_exceptions=False)


@pytest.fixture(scope="module")
def deployment(report_case, tmp_path_factory):
    """An embedded deployment with accounts, a round, graded attempts and one in progress,
    and its report."""
    data = tmp_path_factory.mktemp("deployment") / "du-lieu"
    make_deployment(data, report_case.roster, RIGHT)
    out = tmp_path_factory.mktemp("deployment-report") / "bao-cao"
    run_report([str(data / "gradebook.db")], report_case.roster, out)
    return data, report_content(out)


def test_the_deployment_is_not_trivial(deployment):
    data, report = deployment
    rows = dump(data_databases(data)[0])
    assert len(rows["accounts"]) == 8 and len(rows["attempts"]) == 6 and rows["answers"]
    groups = {g["group"]: g for g in report["json"]["groups"]}
    from assessment.service.models import attempts

    passed = [row for row in rows["attempts"] if row[attempts.c.keys().index("passed")]]
    assert len(passed) == 3  # cb001, cb003, cb005
    assert sum(g["trained"] for g in groups.values()) == len(passed)


def test_backup_then_restore_gives_the_same_data_and_report(deployment, report_case, tmp_path):
    data, report = deployment
    result = db("backup", str(tmp_path / "sao-luu.zip"), "--data", str(data))
    assert result.exit_code == 0, result.output
    assert "Đã sao lưu" in result.output and "accounts 8" in result.output
    with zipfile.ZipFile(tmp_path / "sao-luu.zip") as archive:
        assert sorted(archive.namelist()) == ["gradebook.sqlite", "manifest.json",
                                              "service.sqlite"]
    restored = tmp_path / "khoi-phuc"
    result = db("restore", str(tmp_path / "sao-luu.zip"), "--data", str(restored))
    assert result.exit_code == 0, result.output
    for before, after in zip(data_databases(data), data_databases(restored), strict=True):
        assert dump(after) == dump(before), before.name
    run_report([str(restored / "gradebook.db")], report_case.roster, tmp_path / "bao-cao")
    assert report_content(tmp_path / "bao-cao") == report


def test_restore_replaces_newer_data(deployment, tmp_path):
    """Restoring over a deployment that changed since the backup brings the backup back."""
    data, _ = deployment
    copy = tmp_path / "du-lieu"
    shutil.copytree(data, copy)
    assert db("backup", str(tmp_path / "b.zip"), "--data", str(copy)).exit_code == 0
    service = data_databases(copy)[0]
    before = dump(service)
    from sqlalchemy import delete

    from assessment.service.dbtools import engine_for
    from assessment.service.models import answers

    engine = engine_for(service)
    with engine.begin() as conn:
        conn.execute(delete(answers))
    engine.dispose()
    assert dump(service) != before
    assert db("restore", str(tmp_path / "b.zip"), "--data", str(copy)).exit_code == 0
    assert dump(service) == before


def test_move_to_postgres_keeps_every_row_and_the_report(deployment, report_case, pg_url,
                                                         tmp_path, postgres):
    data, report = deployment
    result = db("move", "--from", str(data), "--to", pg_url)
    assert result.exit_code == 0, result.output
    assert "Đã chuyển" in result.output
    for source in data_databases(data):
        assert dump(Database(source.name, pg_url)) == dump(source), source.name
    database = pg_url.rsplit("/", 1)[1]
    assert postgres.psql("SELECT count(*) FROM accounts", database).strip() == "8"
    run_report([pg_url], report_case.roster, tmp_path / "bao-cao")
    assert report_content(tmp_path / "bao-cao") == report
    # the ids' sequences were moved on: the service adds rows on PostgreSQL as before
    from assessment.service import db as service_db
    from assessment.service.accounts import add_trainer

    engine = service_db.make_engine(pg_url)
    add_trainer(engine, "giangvien1", "mat-khau-dai-du-12")
    engine.dispose()
    assert postgres.psql("SELECT max(id) FROM accounts", database).strip() == "9"


def test_move_refuses_a_database_that_has_data(deployment, pg_url):
    data, _ = deployment
    assert db("move", "--from", str(data), "--to", pg_url).exit_code == 0
    result = db("move", "--from", str(data), "--to", pg_url)
    assert result.exit_code == 1
    assert "đã có dữ liệu" in result.output and "assessment db restore" in result.output


def test_backup_of_postgres_restores_into_sqlite(deployment, report_case, pg_url, tmp_path):
    """The backup format is the same whatever the database: PostgreSQL → zip → SQLite."""
    data, report = deployment
    assert db("move", "--from", str(data), "--to", pg_url).exit_code == 0
    result = db("backup", str(tmp_path / "pg.zip"), "--db", pg_url)
    assert result.exit_code == 0, result.output
    result = db("restore", str(tmp_path / "pg.zip"), "--data", str(tmp_path / "moi"))
    assert result.exit_code == 0, result.output
    for before, after in zip(data_databases(data), data_databases(tmp_path / "moi"),
                             strict=True):
        assert dump(after) == dump(before), before.name
    run_report([str(tmp_path / "moi" / "gradebook.db")], report_case.roster, tmp_path / "r")
    assert report_content(tmp_path / "r") == report


def test_restore_into_postgres_replaces_its_rows(deployment, pg_url, tmp_path):
    data, _ = deployment
    assert db("backup", str(tmp_path / "b.zip"), "--data", str(data)).exit_code == 0
    for _ in range(2):  # the second time over the rows of the first
        result = db("restore", str(tmp_path / "b.zip"), "--db", pg_url)
        assert result.exit_code == 0, result.output
    for source in data_databases(data):
        assert dump(Database(source.name, pg_url)) == dump(source), source.name


def test_clear_errors(tmp_path):
    (tmp_path / "khong-phai.zip").write_text("xin chào", encoding="utf-8")
    result = db("restore", str(tmp_path / "khong-phai.zip"), "--data", str(tmp_path / "d"))
    assert result.exit_code == 1
    assert "không phải tệp sao lưu của «assessment db backup»" in result.output
    assert not (tmp_path / "d" / "service.db").exists()
    result = db("backup", str(tmp_path / "x.zip"), "--data", str(tmp_path / "khong-co"))
    assert result.exit_code == 1 and "Không tìm thấy tệp cơ sở dữ liệu" in result.output
    assert not (tmp_path / "x.zip").exists()
    result = db("move", "--from", str(tmp_path / "khong-co"), "--to", "sqlite:///x.db")
    assert result.exit_code == 1 and "không thấy thư mục dữ liệu" in result.output


def test_upgrade_makes_both_schemas_in_one_postgres_database(pg_url, postgres):
    """``--db URL`` alone: the service's tables and the gradebook share one database, each
    with its own Alembic revision (the service's first, as ``assessment serve`` makes them)."""
    from alembic.script import ScriptDirectory
    from nbgrader import dbutil

    from assessment.service import db as service_db

    service_db.upgrade(pg_url)
    result = db("upgrade", "--db", pg_url)
    assert result.exit_code == 0, result.output
    database = pg_url.rsplit("/", 1)[1]
    head = ScriptDirectory(dbutil.ALEMBIC_DIR).get_current_head()
    assert postgres.psql("SELECT version_num FROM alembic_version", database).strip() == head
    assert postgres.psql("SELECT count(*) FROM service_alembic_version", database).strip() == "1"
    assert postgres.psql("SELECT count(*) FROM accounts", database).strip() == "0"
