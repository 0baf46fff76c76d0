"""The deployment guide (book/giang-vien/trien-khai-may-chu.md) and deploy/ do what they say.

Every ``assessment db`` command the page shows runs here, in the page's order, against a real
PostgreSQL server (the page's two databases become two fresh ones) and a real embedded
deployment (``du-lieu-hoc-vien``); the ``pg_dump``/``pg_restore`` commands run against the same
server; the commands in deploy/'s systemd units are checked against the real command line.
"""

from __future__ import annotations

import itertools
import re
import shlex
import shutil
from datetime import datetime
from zoneinfo import ZoneInfo

import click
import pytest
from click.testing import CliRunner
from db_helpers import dump, make_deployment, report_content, run_report

from assessment.cli import main
from assessment.service.dbtools import Database, data_databases

from conftest import ROOT

PAGE = ROOT / "book" / "giang-vien" / "trien-khai-may-chu.md"
DEPLOY = ROOT / "deploy"
SERVICE_URL = "postgresql+psycopg://assessment@/assessment?host=/var/run/postgresql"
GRADEBOOK_URL = "postgresql+psycopg://assessment@/assessment_sodiem?host=/var/run/postgresql"
TODAY = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date().isoformat()


def shell_commands(text: str) -> list[str]:
    """Commands of the page's bash blocks, continuation lines joined."""
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", text, flags=re.S):
        joined = re.sub(r"\\\n\s*", " ", block)
        commands += [line.strip() for line in joined.splitlines() if line.strip()]
    return commands


def test_page_is_in_the_table_of_contents():
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    assert "file: book/giang-vien/trien-khai-may-chu" in toc
    text = PAGE.read_text(encoding="utf-8")
    assert text.count("\n# ") == 1 and "(trien-khai-may-chu)=" in text
    assert "BENCH_TABLE" not in text  # the measured figures are in
    for name in re.findall(r"deploy/([\w.-]+)", text):
        assert (DEPLOY / name).is_file(), name


_numbers = itertools.count(1)


@pytest.fixture
def databases(postgres) -> dict[str, str]:
    """The page's two PostgreSQL databases, as two fresh ones of the test server."""
    n = next(_numbers)
    return {SERVICE_URL: postgres.create_database(f"trang_dichvu_{n}"),
            GRADEBOOK_URL: postgres.create_database(f"trang_sodiem_{n}")}


def test_every_assessment_db_command_of_the_page_runs(databases, report_case, tmp_path):
    data = tmp_path / "du-lieu-hoc-vien"
    make_deployment(data, report_case.roster, {"cb001": 40, "cb002": 10, "cb003": 38})
    places = {**{f'"{k}"': v for k, v in databases.items()},
              "/var/lib/assessment": str(tmp_path / "var-lib"),
              "/var/backups/assessment": str(tmp_path / "backups"),
              "du-lieu-hoc-vien": str(data)}
    ran = []
    for command in shell_commands(PAGE.read_text(encoding="utf-8")):
        if not command.startswith("assessment db "):
            continue
        for old, new in places.items():
            command = command.replace(old, new)
        args = shlex.split(command)[1:]
        result = CliRunner().invoke(main, args, catch_exceptions=False)
        assert result.exit_code == 0, f"{command}\n{result.output}"
        ran.append(args[1])
    assert ran == ["upgrade", "backup", "restore", "move"]
    # after the move: every row in PostgreSQL, and the same report from it
    for source in data_databases(data):
        target = databases[SERVICE_URL if source.name == "service" else GRADEBOOK_URL]
        assert dump(Database(source.name, target)) == dump(source), source.name
    run_report([str(data / "gradebook.db")], report_case.roster, tmp_path / "a", as_of=TODAY)
    run_report([databases[GRADEBOOK_URL]], report_case.roster, tmp_path / "b", as_of=TODAY)
    assert report_content(tmp_path / "b") == report_content(tmp_path / "a")


def test_pg_dump_and_pg_restore_commands_of_the_page(postgres, databases, report_case,
                                                     tmp_path):
    data = tmp_path / "du-lieu"
    make_deployment(data, report_case.roster, {"cb001": 40})
    target = databases[SERVICE_URL]
    CliRunner().invoke(main, ["db", "move", "--from", str(data), "--to", target],
                       catch_exceptions=False)
    before = dump(Database("service", target))
    backups = postgres.folder / "backups"  # in the server's folder: the postgres user writes
    backups.mkdir()
    if postgres.user_prefix:
        shutil.chown(backups, "postgres")
    commands = [c for c in shell_commands(PAGE.read_text(encoding="utf-8"))
                if c.startswith("sudo -u postgres pg_")]
    assert [shlex.split(c)[3] for c in commands] == ["pg_dump", "pg_restore"]
    database = target.rsplit("/", 1)[1]
    for command in commands:
        args = [database if a == "assessment" else
                a.replace("/var/backups/assessment", str(backups))
                for a in shlex.split(command)[3:]]
        program, rest = args[0], args[1:]
        postgres.run(program, "-h", "127.0.0.1", "-p", str(postgres.port), "-U", "postgres",
                     *rest)
    assert dump(Database("service", target)) == before and before["accounts"]


def _command_line(unit: str) -> list[str]:
    text = (DEPLOY / unit).read_text(encoding="utf-8")
    line = re.search(r"^ExecStart=(.*?)(?<!\\)$", text, flags=re.S | re.M).group(1)
    line = re.sub(r"\\\n\s*", " ", line)
    if line.startswith("/bin/sh -c "):
        line = shlex.split(line)[2].split("&&")[0].replace("$(date +%%F)", "2026-11-30")
    return shlex.split(line)


@pytest.mark.parametrize("unit", ["assessment.service", "assessment-backup.service"])
def test_systemd_units_use_real_commands_and_options(unit):
    words = _command_line(unit)
    assert words[0].endswith("assessment")
    command: click.Command = main
    args = words[1:]
    context = click.Context(main)
    while isinstance(command, click.Group):
        command = command.get_command(context, args[0])
        args = args[1:]
    command.make_context(command.name, list(args))  # unknown options or values fail here
    assert words[1:3] in (["serve", "--host"], ["db", "backup"])
