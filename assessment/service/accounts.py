"""Accounts: cadres from the roster (with one-time sign-in codes), trainers, passwords.

Passwords and one-time codes are stored only as argon2 hashes (argon2-cffi). A code is
handed out on paper; at first sign-in it works as the password and the cadre must then
choose a password of their own::

    result = import_roster(engine, Path("danh-sach.xlsx"), Path("quizzes/targets.yml"))
    write_codes(result.codes, Path("ma-dang-nhap.xlsx"))
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, insert, select, update

from assessment.service.db import utcnow
from assessment.service.models import accounts, sessions

# No 0/O, 1/I/L: codes are read from paper and typed on a phone.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10
MIN_PASSWORD = 8


class AccountError(Exception):
    """A problem with accounts (message in Vietnamese)."""


def _hasher():
    """argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane).

    argon2-cffi's default (64 MiB, 3 passes, 4 lanes) costs ten times more CPU per sign-in;
    at an exam's start hundreds of cadres sign in at once on a 2-core server, and sign-in is
    also throttled. ``verify`` reads the parameters stored in each hash, so hashes made with
    other settings keep working.
    """
    from argon2 import PasswordHasher

    return PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


def hash_secret(secret: str) -> str:
    return _hasher().hash(secret)


def verify_secret(stored: str | None, secret: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    if not stored:
        return False
    try:
        return _hasher().verify(stored, secret)
    except (VerificationError, InvalidHashError):
        return False


def new_code() -> str:
    """A one-time code such as ``K7PM-Q2XC-9A`` (dashes are ignored when typed)."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def normalise_code(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch.isalnum())


def login_key(cadre_id: str) -> str:
    return cadre_id.strip().casefold()


@dataclass
class Issued:
    cadre_id: str
    name: str
    unit: str
    code: str


@dataclass
class ImportResult:
    codes: list[Issued] = field(default_factory=list)  # new (or reset) accounts only
    kept: int = 0  # accounts that existed and were left as they were
    notices: list[str] = field(default_factory=list)


def import_roster(engine: Engine, roster_path: Path, targets_path: Path,
                  reset_existing: bool = False, encoding: str = "auto") -> ImportResult:
    """One account per roster row; existing accounts keep their password unless reset."""
    from assessment.report.roster import read_roster
    from assessment.report.targets import load_targets

    roster = read_roster(roster_path, load_targets(targets_path), encoding=encoding)
    result = ImportResult(notices=list(roster.notices))
    now = utcnow()
    with engine.begin() as conn:
        existing = {row.login: row for row in conn.execute(
            select(accounts.c.login, accounts.c.id, accounts.c.role))}
        for record in roster.frame.itertuples(index=False):
            key = login_key(record.id)
            code = new_code()
            values = {"cadre_id": record.id, "name": record.name, "unit": record.unit,
                      "group_code": record.group}
            old = existing.get(key)
            if old is not None and old.role != "cadre":
                raise AccountError(f"{roster_path}, dòng {record.row}: mã «{record.id}» đang là "
                                   "tài khoản giảng viên; đổi mã cán bộ hoặc tên giảng viên.")
            if old is None:
                conn.execute(insert(accounts).values(
                    login=key, role="cadre", password_hash=None,
                    code_hash=hash_secret(normalise_code(code)), created_at=now, **values))
            elif reset_existing:
                conn.execute(update(accounts).where(accounts.c.id == old.id).values(
                    password_hash=None, code_hash=hash_secret(normalise_code(code)), **values))
                conn.execute(sessions.delete().where(sessions.c.account_id == old.id))
            else:
                conn.execute(update(accounts).where(accounts.c.id == old.id).values(**values))
                result.kept += 1
                continue
            result.codes.append(Issued(record.id, record.name, record.unit, code))
    return result


def reset_code(engine: Engine, cadre_id: str) -> Issued:
    """Give a cadre a new one-time code (their password and sessions stop working)."""
    code = new_code()
    with engine.begin() as conn:
        row = conn.execute(select(accounts).where(
            accounts.c.login == login_key(cadre_id), accounts.c.role == "cadre")).first()
        if row is None:
            raise AccountError(f"Không có cán bộ mã «{cadre_id}». Kiểm tra lại mã, hoặc nhập "
                               "danh sách bằng `assessment accounts import`.")
        conn.execute(update(accounts).where(accounts.c.id == row.id).values(
            password_hash=None, code_hash=hash_secret(normalise_code(code))))
        conn.execute(sessions.delete().where(sessions.c.account_id == row.id))
    return Issued(row.cadre_id, row.name, row.unit, code)


def add_trainer(engine: Engine, name: str, password: str) -> None:
    """Create a trainer account (or change its password); NAME is what they sign in with."""
    name = name.strip()
    if not name:
        raise AccountError("Tên đăng nhập của giảng viên đang trống.")
    check_password(password, password)
    key = login_key(name)
    with engine.begin() as conn:
        row = conn.execute(select(accounts).where(accounts.c.login == key)).first()
        if row is not None and row.role != "trainer":
            raise AccountError(f"«{name}» đang là mã của một cán bộ; chọn tên khác.")
        if row is None:
            conn.execute(insert(accounts).values(
                login=key, cadre_id=name, name=name, unit="", group_code="", role="trainer",
                password_hash=hash_secret(password), code_hash=None, created_at=utcnow()))
        else:
            conn.execute(update(accounts).where(accounts.c.id == row.id).values(
                password_hash=hash_secret(password)))


def check_password(password: str, again: str) -> None:
    if password != again:
        raise AccountError("Hai lần nhập mật khẩu mới không giống nhau.")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"Mật khẩu cần ít nhất {MIN_PASSWORD} ký tự.")


def write_codes(codes: list[Issued], out: Path) -> None:
    """The codes as .xlsx: "Mã cán bộ", "Họ và tên", "Đơn vị", "Mã đăng nhập" (written whole)."""
    import os
    import tempfile

    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Mã đăng nhập"
    sheet.append(["Mã cán bộ", "Họ và tên", "Đơn vị", "Mã đăng nhập"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for item in codes:
        sheet.append([item.cadre_id, item.name, item.unit, item.code])
    for letter, width in zip("ABCD", (14, 30, 30, 18), strict=True):
        sheet.column_dimensions[letter].width = width
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, suffix=".xlsx")
    os.close(fd)
    try:
        book.save(tmp)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
