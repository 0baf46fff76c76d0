"""The service's database: a SQLAlchemy URL (SQLite in ``--data`` by default), its schema
brought up to date by Alembic, and the paths of everything kept in the data folder.

>>> url = database_url(Path("du-lieu"))        # doctest: +SKIP
'sqlite:////…/du-lieu/service.db'
>>> upgrade(url)                                # doctest: +SKIP
"""

from __future__ import annotations

import os
import secrets
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, create_engine, event

MIGRATIONS = Path(__file__).with_name("migrations")


def utcnow() -> datetime:
    """Now in UTC, without tzinfo (how every time is stored)."""
    return datetime.now(UTC).replace(tzinfo=None)


def database_url(data_dir: Path) -> str:
    return f"sqlite:///{data_dir.resolve() / 'service.db'}"


def gradebook_url(data_dir: Path) -> str:
    return f"sqlite:///{data_dir.resolve() / 'gradebook.db'}"


def make_engine(url: str) -> Engine:
    """An engine; SQLite gets WAL and a busy timeout so several workers can share the file."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def reader(engine: Engine) -> Engine:
    """For single reads that need no transaction (who is signed in, which attempt is theirs):
    on PostgreSQL the same pool in autocommit, which saves the BEGIN and ROLLBACK round trips
    of each read; SQLite begins no transaction for a read anyway."""
    if engine.dialect.name == "postgresql":
        return engine.execution_options(isolation_level="AUTOCOMMIT")
    return engine


def upgrade(url: str) -> None:
    """Create or migrate the schema to the newest revision (safe to run every start)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    finally:
        engine.dispose()


def prepare_data_dir(data_dir: Path) -> Path:
    """Create the data folder (private to this user) and its secret key; return the folder."""
    data_dir.mkdir(parents=True, exist_ok=True)
    key_path = data_dir / "secret_key"
    if not key_path.exists():
        try:
            fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return data_dir
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return data_dir


def secret_key(data_dir: Path) -> str:
    prepare_data_dir(data_dir)
    return (data_dir / "secret_key").read_text().strip()
