"""Rows past their time do not pile up: a sign-in deletes expired sessions (and locks that ran
out), keeps every session still valid, and an expired session's cookie signs nobody in."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, insert, select, update

from assessment.service.db import utcnow
from assessment.service.models import accounts, login_failures, sessions


def count(conn, *where) -> int:
    return conn.execute(select(func.count()).select_from(sessions).where(*where)).scalar_one()


def test_sign_in_deletes_expired_sessions_only(service):
    engine = service.app.extensions["service_engine"]
    kept = service.client()
    kept.first_sign_in("CB002", service.codes["CB002"])  # a live session of someone else
    stale = service.client()
    stale.first_sign_in("CB003", service.codes["CB003"])
    now = utcnow()
    with engine.begin() as conn:
        ids = dict(conn.execute(select(accounts.c.login, accounts.c.id)).all())
        # CB003's session ran out a minute ago; 50 more from weeks ago
        conn.execute(update(sessions).where(sessions.c.account_id == ids["cb003"]).values(
            expires_at=now - timedelta(minutes=1)))
        conn.execute(insert(sessions), [
            {"token_hash": f"{n:064x}", "account_id": ids["cb001"],
             "created_at": now - timedelta(days=30), "expires_at": now - timedelta(days=23)}
            for n in range(50)])
        conn.execute(insert(login_failures), [
            {"login": "ai-do", "failures": 0, "locked_until": now - timedelta(minutes=5)},
            {"login": "cb002", "failures": 2, "locked_until": None}])
        assert count(conn, sessions.c.expires_at <= now) == 51
    assert stale.get("/hoc-vien/").status_code == 302  # an expired session signs nobody in

    response = service.client().first_sign_in("CB001", service.codes["CB001"])
    assert response.status_code == 302
    with engine.connect() as conn:
        assert count(conn, sessions.c.expires_at <= utcnow()) == 0
        live = set(conn.execute(select(sessions.c.account_id)).scalars())
        assert live == {ids["cb001"], ids["cb002"]}
        left = dict(conn.execute(select(login_failures.c.login, login_failures.c.failures)).all())
    assert left == {"cb002": 2}  # a count still running is kept; the run-out lock is gone
    assert kept.get("/hoc-vien/").status_code == 200
