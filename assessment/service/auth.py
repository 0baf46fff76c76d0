"""Signing in: the one-time code as the first password, then a password of one's own.

Sessions live in the database (the cookie holds a random token; the table its SHA-256), so
any worker can serve any request and signing out ends the session everywhere. Repeated wrong
passwords lock that login for a while (``MAX_FAILED_LOGINS``, ``LOCK_SECONDS``), counted in
the database as NativeAuthenticator does, so the lock holds across workers. Each successful
sign-in deletes expired sessions and run-out locks, so neither table grows without end.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from datetime import timedelta

from flask import (
    Blueprint,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from assessment.service.accounts import (
    AccountError,
    check_password,
    hash_secret,
    login_key,
    normalise_code,
    verify_secret,
)
from assessment.service.current import engine, reader
from assessment.service.db import utcnow
from assessment.service.models import accounts, login_failures, sessions

bp = Blueprint("auth", __name__)
WRONG = "Mã cán bộ hoặc mật khẩu không đúng."


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# Built once: every request of a signed-in cadre runs it (see the bench's profile).
SIGNED_IN = select(accounts).join(sessions, sessions.c.account_id == accounts.c.id).where(
    sessions.c.token_hash == bindparam("token_hash"), sessions.c.expires_at > bindparam("now"))


def load_account() -> None:
    """Before each request of the service: ``g.account`` is the signed-in account, or None.
    The book's pages and static files need no account, so they cost no database query."""
    g.account = None
    token = session.get("sid")
    if not token or not request.blueprint:
        return
    with reader().connect() as conn:
        g.account = conn.execute(SIGNED_IN, {"token_hash": _token_hash(token),
                                             "now": utcnow()}).first()


def login_required(view):
    """Cadres and trainers; someone who still has to choose a password is sent to do so."""
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if g.account is None:
            return redirect(url_for("auth.login", next=request.path))
        if g.account.password_hash is None:
            return redirect(url_for("auth.set_password"))
        return view(*args, **kwargs)
    return wrapped


def trainer_required(view):
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if g.account is None:
            return redirect(url_for("auth.login", next=request.path))
        if g.account.role != "trainer":
            return render_template("error.html", title="Không có quyền", message=(
                "Trang này chỉ dành cho giảng viên.")), 403
        return view(*args, **kwargs)
    return wrapped


def _locked_seconds(conn, key: str) -> int:
    row = conn.execute(select(login_failures).where(login_failures.c.login == key)).first()
    if row is None or row.locked_until is None:
        return 0
    left = (row.locked_until - utcnow()).total_seconds()
    return max(0, int(left) + 1) if left > 0 else 0


def _count_failure(key: str) -> None:
    config = current_app.config
    for _ in range(3):
        with engine().begin() as conn:
            row = conn.execute(select(login_failures).where(
                login_failures.c.login == key).with_for_update()).first()
            if row is None:
                try:
                    conn.execute(insert(login_failures).values(login=key, failures=1))
                except IntegrityError:
                    continue
                failures = 1
            else:
                failures = row.failures + 1
            values = {"failures": failures}
            if failures >= config["MAX_FAILED_LOGINS"]:
                values = {"failures": 0,
                          "locked_until": utcnow() + timedelta(seconds=config["LOCK_SECONDS"])}
            conn.execute(update(login_failures).where(login_failures.c.login == key)
                         .values(**values))
            return


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("attempts.mine")


@bp.route("/dang-nhap", methods=["GET", "POST"])
def login():
    error, status = None, 200
    next_url = request.values.get("next")
    if request.method == "POST":
        cadre_id = request.form.get("ma_can_bo", "")
        password = request.form.get("mat_khau", "")
        key = login_key(cadre_id)
        with engine().connect() as conn:
            wait = _locked_seconds(conn, key)
            row = conn.execute(select(accounts).where(accounts.c.login == key)).first()
        if wait:
            minutes = (wait + 59) // 60
            error, status = (f"Bạn đã nhập sai quá nhiều lần. Hãy thử lại sau {minutes} phút, "
                             "hoặc nhờ giảng viên cấp lại mã đăng nhập."), 429
        elif row is not None and (
                verify_secret(row.password_hash, password)
                or (row.password_hash is None
                    and verify_secret(row.code_hash, normalise_code(password)))):
            with engine().begin() as conn:
                conn.execute(delete(login_failures).where(login_failures.c.login == key))
                token = secrets.token_urlsafe(32)
                now = utcnow()
                # rows past their time are never used again: each sign-in sweeps them (a
                # lock that ran out has no failures left, the same as no row)
                conn.execute(delete(sessions).where(sessions.c.expires_at <= now))
                conn.execute(delete(login_failures).where(
                    login_failures.c.locked_until <= now, login_failures.c.failures == 0))
                conn.execute(insert(sessions).values(
                    token_hash=_token_hash(token), account_id=row.id, created_at=now,
                    expires_at=now + current_app.config["PERMANENT_SESSION_LIFETIME"]))
            session.clear()
            session.permanent = True
            session["sid"] = token
            if row.password_hash is None:
                return redirect(url_for("auth.set_password", next=next_url))
            if row.role == "trainer" and not next_url:
                return redirect(url_for("trainer.index"))
            return redirect(_safe_next(next_url))
        else:
            _count_failure(key)
            error, status = WRONG, 401
    return render_template("login.html", error=error, next=next_url), status


@bp.route("/doi-mat-khau", methods=["GET", "POST"])
def set_password():
    if g.account is None:
        return redirect(url_for("auth.login"))
    error, status = None, 200
    first = g.account.password_hash is None
    if request.method == "POST":
        password = request.form.get("mat_khau_moi", "")
        again = request.form.get("nhap_lai", "")
        current = request.form.get("mat_khau_cu", "")
        try:
            if not first and not verify_secret(g.account.password_hash, current):
                raise AccountError("Mật khẩu hiện tại không đúng.")
            check_password(password, again)
        except AccountError as problem:
            error, status = str(problem), 400
        else:
            with engine().begin() as conn:
                conn.execute(update(accounts).where(accounts.c.id == g.account.id).values(
                    password_hash=hash_secret(password), code_hash=None))
            return redirect(_safe_next(request.values.get("next")))
    return render_template("set_password.html", error=error, first=first,
                           next=request.values.get("next")), status


@bp.post("/dang-xuat")
def logout():
    token = session.get("sid")
    if token:
        with engine().begin() as conn:
            conn.execute(delete(sessions).where(sessions.c.token_hash == _token_hash(token)))
    session.clear()
    return redirect(url_for("auth.login"))


@bp.get("/me.json")
def me():
    """Who is signed in, for the book's header (name only; nothing else about the account)."""
    if g.account is None:
        return jsonify({})
    return jsonify({"name": g.account.name, "trainer": g.account.role == "trainer"})
