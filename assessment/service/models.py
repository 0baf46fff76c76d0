"""The service's tables (SQLAlchemy 2 Core), created and changed only by Alembic migrations.

Everything a worker needs to know lives here, none of it in process memory, so several
gunicorn workers (or machines on one PostgreSQL) can serve the same cadres.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

accounts = Table(
    "accounts", metadata,
    Column("id", Integer, primary_key=True),
    Column("login", String(100), nullable=False, unique=True),  # cadre id, casefolded
    Column("cadre_id", String(100), nullable=False),  # as written in the roster
    Column("name", String(300), nullable=False),
    Column("unit", String(300), nullable=False, default=""),
    Column("group_code", String(100), nullable=False, default=""),
    Column("role", String(20), nullable=False, default="cadre"),  # cadre | trainer
    Column("password_hash", String(300)),  # argon2; None until a password is set
    Column("code_hash", String(300)),  # argon2 of the one-time code; None once used
    Column("created_at", DateTime, nullable=False),
)

sessions = Table(
    "sessions", metadata,
    Column("token_hash", String(64), primary_key=True),  # sha256 of the cookie's token
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"),
           nullable=False, index=True),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
)

login_failures = Table(
    "login_failures", metadata,
    Column("login", String(100), primary_key=True),
    Column("failures", Integer, nullable=False, default=0),
    Column("locked_until", DateTime),
)

rounds = Table(
    "rounds", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),  # nbgrader assignment name
    Column("quiz_id", String(100), nullable=False),
    Column("title", String(300), nullable=False),
    Column("seed", Integer, nullable=False),
    Column("starts_at", DateTime, nullable=False),
    Column("ends_at", DateTime, nullable=False),
    Column("minutes", Integer),  # time limit of one attempt; None = until the round ends
    Column("attempts_allowed", Integer, nullable=False, default=1),
    Column("groups", Text, nullable=False, default=""),  # "" = everyone; else codes/units
    Column("closed_at", DateTime),
    Column("created_at", DateTime, nullable=False),
)

attempts = Table(
    "attempts", metadata,
    Column("id", Integer, primary_key=True),
    Column("round_id", Integer, ForeignKey("rounds.id"), nullable=False),
    Column("account_id", Integer, ForeignKey("accounts.id"), nullable=False, index=True),
    Column("number", Integer, nullable=False),
    Column("layout", Text, nullable=False),  # JSON: [[question id, "CABD"], ...] as shown
    Column("started_at", DateTime, nullable=False),
    Column("deadline", DateTime, nullable=False),
    Column("state", String(20), nullable=False, default="in_progress"),  # or "finished"
    Column("finished_at", DateTime),
    Column("score", Float),
    Column("max_score", Float),
    Column("passed", Boolean),
    Column("results", Text),  # JSON: {question id: points}
    Column("recorded_at", DateTime),  # written to the nbgrader gradebook
    UniqueConstraint("round_id", "account_id", "number", name="uq_attempt_number"),
)

answers = Table(
    "answers", metadata,
    Column("attempt_id", Integer, ForeignKey("attempts.id", ondelete="CASCADE"),
           primary_key=True),
    Column("question_id", String(100), primary_key=True),
    Column("letters", String(20), nullable=False),  # bank letters, e.g. "AC"; "" = cleared
    Column("saved_at", DateTime, nullable=False),
)
