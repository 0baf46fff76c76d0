"""Helpers for the database tests: run ``assessment report`` and reduce it to what it says."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from openpyxl import load_workbook
from report_fixtures import AS_OF

from assessment.cli import main

from conftest import ROOT


def run_report(gradebooks: list[str], roster: Path, out: Path, as_of: str = AS_OF) -> str:
    """``assessment report`` as a user types it; returns its terminal summary."""
    args = ["report"]
    for gradebook in gradebooks:
        args += ["--gradebook", str(gradebook)]
    args += ["--roster", str(roster), "--targets", str(ROOT / "quizzes/targets.yml"),
             "--as-of", as_of, "--out", str(out), "--quiet"]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def report_content(out: Path) -> dict:
    """Everything the report states, without where its inputs came from (paths, URLs, time).

    Every sheet of the workbook except "Thông tin" (sources), the JSON summary without its
    "sources", the CSV and the Markdown summaries.
    """
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    sources = summary.pop("sources", {})
    summary.pop("generated", None)
    # a gradebook is named by its path or URL in the lists: the n-th one becomes "#n"
    names = {label: f"#{n}" for n, label in enumerate(sources.get("gradebooks", []))}
    workbook = load_workbook(out / "report.xlsx", read_only=True)
    sheets = {ws.title: [[names.get(v, v) if isinstance(v, str) else v for v in row]
                         for row in ws.iter_rows(values_only=True)]
              for ws in workbook.worksheets if ws.title != "Thông tin"}
    workbook.close()
    return {"json": summary, "sheets": sheets,
            "csv": (out / "summary.csv").read_text(encoding="utf-8"),
            "md": (out / "summary.md").read_text(encoding="utf-8")}


def make_deployment(data: Path, roster: Path, right: dict[str, int]) -> str:
    """A real embedded deployment in ``data``, made through the service's own functions.

    Accounts from ``roster``; one round of the final quiz; each cadre in ``right`` takes it,
    answering that many questions right (the rest wrong), and submits: graded and recorded in
    DATA/gradebook.db. One more cadre has an attempt in progress. Returns the round's name.
    """
    from sqlalchemy import select

    from assessment.service import db
    from assessment.service.accounts import import_roster
    from assessment.service.models import accounts, attempts, rounds
    from assessment.service.results import finish_attempt, quiz_key, save_answers, start_attempt
    from assessment.service.rounds import Course, open_round

    db.prepare_data_dir(data)
    url, gradebook = db.database_url(data), db.gradebook_url(data)
    db.upgrade(url)
    engine = db.make_engine(url)
    course = Course.at(ROOT / "quizzes", ROOT)
    try:
        import_roster(engine, roster, ROOT / "quizzes/targets.yml")
        name = open_round(engine, course, "kiem-tra-cuoi-khoa", start="2024-01-01T00:00",
                          end="2099-01-01T00:00", seed=7)
        with engine.connect() as conn:
            round_row = conn.execute(select(rounds).where(rounds.c.name == name)).one()
            people = {row.login: row for row in conn.execute(select(accounts))}
        key, _quiz = quiz_key(course, round_row, 1)
        for n, (login, count) in enumerate(list(right.items()) + [("cb008", None)]):
            attempt_id = start_attempt(engine, course, round_row, people[login])
            chosen = {}
            for i, question in enumerate(key.questions):
                wrong = next((ch for ch in question.letters if ch not in question.key), "")
                chosen[question.grade_id] = question.key if count and i < count else wrong
            with engine.connect() as conn:
                attempt = conn.execute(select(attempts).where(attempts.c.id == attempt_id)).one()
            if count is None:  # still answering
                save_answers(engine, attempt, dict(list(chosen.items())[:3]))
                continue
            save_answers(engine, attempt, chosen)
            assert finish_attempt(engine, course, gradebook, attempt_id), n
    finally:
        engine.dispose()
    return name


def dump(database) -> dict[str, list[tuple]]:
    """Every row of every table of one of the service's databases, sorted (for comparing)."""
    from sqlalchemy import select

    from assessment.service.dbtools import _data_tables, _reflect, engine_for

    engine = engine_for(database)
    try:
        with engine.connect() as conn:
            metadata = _reflect(conn, database.name)
            return {table.name: sorted((tuple(row) for row in conn.execute(select(table))),
                                       key=repr)
                    for table in _data_tables(metadata, database.name)}
    finally:
        engine.dispose()
