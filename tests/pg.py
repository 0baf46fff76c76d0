"""A real, throwaway PostgreSQL server for tests and benchmarks (Debian's ``postgresql``).

``initdb`` into a temporary folder, ``pg_ctl start`` on a free port of 127.0.0.1 (its unix
socket in the same folder), trust authentication for the local user ``postgres``, and
``pg_ctl stop`` plus removal of the folder at the end. PostgreSQL refuses to run as root, so
under root the folder is given to the ``postgres`` system user and every server command runs
through ``runuser -u postgres``.

Pytest plugin (registered in conftest.py): ``postgres`` is one server per session,
``pg_url`` a fresh empty database of it per test. Benchmarks use ``running_postgres()``::

    with running_postgres() as server:
        url = server.create_database("bench")   # postgresql+psycopg://postgres@127.0.0.1:…/bench
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest


def _newest_pg_bin() -> Path:
    """Debian installs each PostgreSQL major version in /usr/lib/postgresql/<version>/bin."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin"),
                   key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0)
    return found[-1] if found else Path("/usr/lib/postgresql/15/bin")


PG_BIN = Path(os.environ.get("PG_BIN") or _newest_pg_bin())
INSTALL_HINT = ("PostgreSQL chưa được cài (không thấy {path}). Cài bằng: "
                "sudo apt-get install -y postgresql")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class PostgresServer:
    """A running cluster: ``url(name)`` gives the SQLAlchemy URL of one of its databases."""

    folder: Path
    port: int
    user_prefix: list[str]

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """Run one of PostgreSQL's programs (psql, pg_dump…) as the cluster's owner."""
        program, *rest = args
        return subprocess.run([*self.user_prefix, str(PG_BIN / program), *rest],
                              capture_output=True, text=True, check=check)

    def psql(self, sql: str, database: str = "postgres") -> str:
        result = self.run("psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                          "-d", database, "-v", "ON_ERROR_STOP=1", "-At", "-c", sql)
        return result.stdout

    def create_database(self, name: str) -> str:
        self.psql(f'CREATE DATABASE "{name}"')
        return self.url(name)

    @property
    def pid(self) -> int:
        """The postmaster's process id (the first line of postmaster.pid)."""
        return int((self.data / "postmaster.pid").read_text().split()[0])

    def log(self) -> str:
        path = self.folder / "server.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


def _owner_prefix(folder: Path) -> list[str]:
    """Under root: hand the folder to ``postgres`` and run its programs as that user."""
    if os.geteuid() != 0:
        return []
    shutil.chown(folder, "postgres", "postgres")
    return ["runuser", "-u", "postgres", "--"]


@contextmanager
def running_postgres(settings: dict[str, str] | None = None) -> Iterator[PostgresServer]:
    """Start a fresh cluster; stop it and delete every file of it on exit.

    ``settings`` are passed as ``-c name=value`` (e.g. ``{"fsync": "off"}`` for tests).
    """
    initdb = PG_BIN / "initdb"
    if not initdb.exists():
        raise RuntimeError(INSTALL_HINT.format(path=initdb))
    folder = Path(tempfile.mkdtemp(prefix="assessment-pg-"))
    folder.chmod(0o700)
    prefix = _owner_prefix(folder)
    server = PostgresServer(folder, free_port(), prefix)
    options = {"listen_addresses": "127.0.0.1", "unix_socket_directories": str(folder),
               "max_connections": "300", **(settings or {})}
    started = False
    try:
        subprocess.run([*prefix, str(initdb), "-D", str(server.data), "-U", "postgres",
                        "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"],
                       capture_output=True, text=True, check=True)
        flags = " ".join([f"-p {server.port}"] + [f"-c {k}={v}" for k, v in options.items()])
        result = subprocess.run(
            [*prefix, str(PG_BIN / "pg_ctl"), "-D", str(server.data), "-l",
             str(folder / "server.log"), "-o", flags, "-w", "-t", "60", "start"],
            capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"pg_ctl start failed:\n{result.stdout}{result.stderr}\n"
                               f"{server.log()}")
        started = True
        yield server
    finally:
        if started:
            subprocess.run([*prefix, str(PG_BIN / "pg_ctl"), "-D", str(server.data), "-m",
                            "fast", "-w", "stop"], capture_output=True, text=True)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """One real PostgreSQL server for the whole test session (fsync off: tests only)."""
    with running_postgres({"fsync": "off", "full_page_writes": "off"}) as server:
        yield server


_numbers = itertools.count(1)


@pytest.fixture
def pg_url(postgres: PostgresServer) -> str:
    """A fresh, empty database on the session's server, as a SQLAlchemy URL."""
    return postgres.create_database(f"test_{os.getpid()}_{next(_numbers)}")
