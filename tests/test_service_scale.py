"""The real server (``assessment serve``, gunicorn, two workers) under concurrency and a crash,
on SQLite and on a real PostgreSQL server.

- One cadre, two sessions (two phones), pressing "Làm bài" and then "Nộp bài" at the same
  moment: exactly one attempt, one gradebook submission.
- Simulated cadres submit while the whole server (master and workers) is SIGKILLed and started
  again: every submission that was confirmed ("Điểm: X/Y") is in the gradebook exactly once with
  that score, interrupted cadres resume and finish, nothing is left half graded, and
  ``assessment report`` counts every cadre who submitted.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx
import pytest
from cadre_client import (
    CadreError,
    Stats,
    answer_and_submit,
    client,
    open_quiz,
    sign_in,
    take_quiz,
)
from click.testing import CliRunner
from db_helpers import report_content, run_report
from live_service import (
    PASSWORD,
    ROOT,
    cadre_id,
    prepare,
    running_service,
    start_service,
    urls,
)
from sqlalchemy import create_engine, select

from assessment.cli import main
from assessment.report.gradebook import read_gradebooks

DATABASES = ["sqlite", "postgresql"]


def run_async(coroutine):
    """``asyncio.run`` in a thread of its own: Playwright's sync API (the browser tests'
    session fixture) keeps an event loop running in the main thread, where asyncio.run fails."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()



@pytest.fixture(params=DATABASES)
def db_url(request) -> str | None:
    """None: the embedded default (SQLite files in --data); else a fresh PostgreSQL database
    holding both the service's tables and the gradebook (``--db URL`` alone)."""
    return None if request.param == "sqlite" else request.getfixturevalue("pg_url")


def service_rows(data, db_url) -> list:
    from assessment.service.models import accounts, attempts

    engine = create_engine(urls(data, db_url, None)[0])
    with engine.connect() as conn:
        rows = conn.execute(select(accounts.c.cadre_id, attempts.c.state, attempts.c.score,
                                   attempts.c.recorded_at)
                            .join(accounts, accounts.c.id == attempts.c.account_id)).all()
    engine.dispose()
    return rows


def gradebook_submissions(data, db_url):
    """What the report reads: one row per (quiz, cadre) submission, with its score."""
    return read_gradebooks([urls(data, db_url, None)[1]]).submissions


def test_two_sessions_of_one_cadre_record_one_attempt(tmp_path, db_url):
    data = tmp_path / "du-lieu"
    prepare(data, 3, db_url=db_url)

    async def both(url: str) -> list:
        stats = Stats()
        phones = [client(url, timeout=60) for _ in range(2)]
        try:
            pages = await asyncio.gather(*(sign_in(p, stats, cadre_id(1), PASSWORD)
                                           for p in phones))
            # both press "Làm bài" at once, then "Nộp bài" at once
            pages = await asyncio.gather(*(open_quiz(p, stats, page)
                                           for p, page in zip(phones, pages, strict=True)))
            return await asyncio.gather(
                *(answer_and_submit(p, stats, page, cadre_id(1), seed=i, autosave=False)
                  for i, (p, page) in enumerate(zip(phones, pages, strict=True))),
                return_exceptions=True)
        finally:
            for phone in phones:
                await phone.aclose()

    with running_service(data, workers=2, db_url=db_url) as service:
        outcomes = run_async(both(service.url))
    rows = service_rows(data, db_url)
    assert len(rows) == 1, rows
    assert rows[0].state == "finished" and rows[0].recorded_at is not None
    scores = [o for o in outcomes if not isinstance(o, BaseException)]
    assert scores, outcomes  # at least one phone saw its result
    assert all(score[0] == rows[0].score for score in scores), (scores, rows)
    submissions = gradebook_submissions(data, db_url)
    assert submissions["student_id"].tolist() == [cadre_id(1)]
    assert submissions["score"].tolist() == [rows[0].score]

    # the served deployment backs up and restores (into SQLite) whole, shared database or not
    where = ["--data", str(data)] + (["--db", db_url] if db_url else [])
    result = CliRunner().invoke(main, ["db", "backup", str(tmp_path / "b.zip"), *where])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(main, ["db", "restore", str(tmp_path / "b.zip"),
                                       "--data", str(tmp_path / "moi")])
    assert result.exit_code == 0, result.output
    assert service_rows(tmp_path / "moi", None) == rows
    restored = gradebook_submissions(tmp_path / "moi", None)
    assert restored.drop(columns="gradebook").equals(submissions.drop(columns="gradebook"))


CADRES = 16


def test_confirmed_submissions_survive_a_sigkill(tmp_path, db_url):
    data = tmp_path / "du-lieu"
    _round, roster = prepare(data, CADRES, db_url=db_url)
    stats = Stats()

    async def everyone(url: str, stop_after: int | None) -> list[int]:
        """All cadres at once; returns those whose run was cut off."""
        async def one(n: int) -> int | None:
            async with client(url, timeout=60) as http:
                try:
                    await take_quiz(http, stats, cadre_id(n), PASSWORD, seed=n)
                except (CadreError, httpx.HTTPError):
                    return n
            return None

        tasks = [asyncio.create_task(one(n)) for n in range(1, CADRES + 1)]
        if stop_after is not None:
            while len(stats.confirmed) < stop_after and not all(t.done() for t in tasks):
                await asyncio.sleep(0.05)
            service.kill()  # master and workers, mid-run
        return [n for n in await asyncio.gather(*tasks) if n is not None]

    service = start_service(data, workers=2, db_url=db_url)
    try:
        cut_off = run_async(everyone(service.url, stop_after=CADRES // 3))
    finally:
        service.kill()
    confirmed_before = dict(stats.confirmed)
    assert len(confirmed_before) >= CADRES // 3 and cut_off, (len(confirmed_before), cut_off)

    # Started again on the same data: the interrupted cadres sign in again and finish.
    async def resume(url: str) -> dict[str, str]:
        outcome = {}

        async def one(n: int) -> None:
            async with client(url, timeout=60) as http:
                try:
                    await take_quiz(http, stats, cadre_id(n), PASSWORD, seed=n)
                    outcome[cadre_id(n)] = "nộp lại"
                except CadreError as error:  # submitted before the crash, reply lost
                    assert "no open round" in str(error), error
                    outcome[cadre_id(n)] = "đã nộp"

        await asyncio.gather(*(one(n) for n in cut_off))
        return outcome

    with running_service(data, workers=2, db_url=db_url) as service:
        resumed = run_async(resume(service.url))
        assert set(resumed) == {cadre_id(n) for n in cut_off}
        # every confirmation, before the crash or after it, is in the gradebook already
        submissions = gradebook_submissions(data, db_url)
        score_of = dict(zip(submissions["student_id"], submissions["score"], strict=True))
        for login, (score, _max) in stats.confirmed.items():
            assert score_of.get(login) == score, (login, score, score_of.get(login))
        # "Bài kiểm tra của tôi" records what was finished when the server died, unconfirmed
        run_async(_visit_mine(service.url, [cadre_id(n) for n in range(1, CADRES + 1)]))

    rows = service_rows(data, db_url)
    assert len(rows) == CADRES  # one attempt per cadre, none lost, none doubled
    assert all(r.state == "finished" and r.score is not None and r.recorded_at is not None
               for r in rows), rows  # nothing half graded or unrecorded
    submissions = gradebook_submissions(data, db_url)
    counts = submissions["student_id"].value_counts()
    assert (counts == 1).all() and len(counts) == CADRES
    score_of = dict(zip(submissions["student_id"], submissions["score"], strict=True))
    for login, (score, _max) in stats.confirmed.items():
        assert score_of[login] == score, login  # every confirmation holds, before or after

    out = tmp_path / "bao-cao"
    today = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date().isoformat()
    run_report([urls(data, db_url, None)[1]], roster, out, as_of=today)
    summary = report_content(out)["json"]
    assert summary["counts"]["no_submission"] == 0  # every cadre's submission is counted
    passed = int((submissions["score"] >= 0.7 * submissions["max_score"] - 1e-9).sum())
    assert sum(g["trained"] for g in summary["groups"]) == passed


async def _visit_mine(url: str, logins: list[str]) -> None:
    """Each cadre signs in and sees "Bài kiểm tra của tôi"."""
    for login in logins:
        async with client(url, timeout=60) as http:
            page = await sign_in(http, Stats(), login, PASSWORD)
            assert "Bài kiểm tra của tôi" in page.text


def test_first_submissions_of_a_new_round_at_once_are_all_recorded(tmp_path, db_url):
    """Several workers record the first attempts of a round at the same moment: each creates
    the round's assignment in the gradebook if missing; none of them may be lost to that race."""
    import threading

    from assessment.service import db
    from assessment.service.models import attempts
    from assessment.service.results import record
    from assessment.service.rounds import Course

    data = tmp_path / "du-lieu"
    prepare(data, 8, db_url=db_url)
    url, gradebook = urls(data, db_url, None)
    course = Course.at(ROOT / "quizzes", ROOT)

    async def everyone(base: str) -> None:  # eight attempts, answered but not submitted
        async def one(n: int) -> None:
            async with client(base, timeout=60) as http:
                page = await open_quiz(http, Stats(), await sign_in(http, Stats(), cadre_id(n),
                                                                    PASSWORD))
                assert "Nộp bài" in page.text
        await asyncio.gather(*(one(n) for n in range(1, 9)))

    with running_service(data, workers=2, db_url=db_url) as service:
        run_async(everyone(service.url))
    engine = db.make_engine(url)
    with engine.begin() as conn:  # finished, graded, as finish_attempt leaves them
        conn.execute(attempts.update().values(state="finished", finished_at=db.utcnow(),
                                              score=0.0, max_score=45.0, passed=False))
        ids = list(conn.execute(select(attempts.c.id)).scalars())
    barrier = threading.Barrier(len(ids))
    outcomes = {}

    def worker(attempt_id: int) -> None:
        barrier.wait()
        outcomes[attempt_id] = record(engine, course, gradebook, attempt_id)

    threads = [threading.Thread(target=worker, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    engine.dispose()
    assert all(outcomes.values()), outcomes
    assert len(gradebook_submissions(data, db_url)) == len(ids)
