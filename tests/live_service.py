"""The real online service for load, fault and multi-worker runs: ``assessment serve`` started
as a user starts it (gunicorn master and workers in their own process group), on a free port
of 127.0.0.1, stopped (or SIGKILLed) by process group.

Cadres for these runs are written straight into the service's accounts table with one shared
argon2 hash of one password (hashing 500 one-time codes would only slow the set-up); a roster
file with the same cadres lets ``assessment report`` count them.

    with running_service(data, workers=2, db_url=url) as service:
        ...  # service.url
"""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PASSWORD = "mat-khau-thu-tai-1"
GROUPS = ["nhan-quyen", "thong-tin-truyen-thong", "doi-ngoai-bao-chi", "chu-chot-ctxh"]


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cadre_id(n: int) -> str:
    return f"CB{n:05d}"


def urls(data: Path, db_url: str | None, gradebook_url: str | None) -> tuple[str, str]:
    """The service's (database, gradebook) URLs, as ``assessment serve`` chooses them."""
    from assessment.service import db

    service = db_url or db.database_url(data)
    return service, gradebook_url or db_url or db.gradebook_url(data)


def serve_args(data: Path, db_url: str | None, gradebook_url: str | None) -> list[str]:
    args = ["--data", str(data)]
    if db_url:
        args += ["--db", db_url]
    if gradebook_url:
        args += ["--gradebook", gradebook_url]
    return args


def prepare(data: Path, cadres: int, *, db_url: str | None = None,
            gradebook_url: str | None = None, minutes: int | None = None) -> tuple[str, Path]:
    """Schema, ``cadres`` accounts (password PASSWORD), a roster of them and one open round of
    the 40-question final quiz (through ``assessment rounds open``). Returns (round, roster)."""
    from click.testing import CliRunner
    from sqlalchemy import insert

    from assessment.cli import main
    from assessment.service import db
    from assessment.service.accounts import hash_secret
    from assessment.service.models import accounts

    db.prepare_data_dir(data)
    service_url, _ = urls(data, db_url, gradebook_url)
    db.upgrade(service_url)
    shared = hash_secret(PASSWORD)
    now = db.utcnow()
    rows = [{"login": cadre_id(n).casefold(), "cadre_id": cadre_id(n),
             "name": f"Cán Bộ Thử {n}", "unit": f"Đơn vị {n % 7}",
             "group_code": GROUPS[n % len(GROUPS)], "role": "cadre", "password_hash": shared,
             "code_hash": None, "created_at": now} for n in range(1, cadres + 1)]
    engine = db.make_engine(service_url)
    with engine.begin() as conn:
        conn.execute(insert(accounts), rows)
    engine.dispose()
    roster = data.parent / f"{data.name}-danh-sach.csv"
    with roster.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["STT", "Mã cán bộ", "Họ và tên", "Đơn vị", "Cấp", "Nhóm", "Giới tính"])
        for n, row in enumerate(rows, start=1):
            writer.writerow([n, row["cadre_id"], row["name"], row["unit"], "tỉnh",
                             row["group_code"], "Nữ" if n % 2 else "Nam"])
    args = ["rounds", "open", "kiem-tra-cuoi-khoa", *serve_args(data, db_url, gradebook_url),
            "--course-dir", str(ROOT / "quizzes"), "--book-root", str(ROOT)]
    if minutes:
        args += ["--minutes", str(minutes)]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output.strip(), roster


def tiny_book(folder: Path) -> Path:
    """A one-page stand-in for _build/html (``serve`` needs index.html)."""
    (folder / "book").mkdir(parents=True, exist_ok=True)
    (folder / "index.html").write_text(
        '<meta http-equiv="Refresh" content="0; url=book/index.html">', encoding="utf-8")
    (folder / "book" / "index.html").write_text(
        "<!doctype html><html lang=vi><head><title>Sách</title></head><body>"
        '<div class="header-article-items__end"></div><p>Trang sách</p></body></html>',
        encoding="utf-8")
    return folder


@dataclass
class LiveService:
    process: subprocess.Popen
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def kill(self) -> None:
        """SIGKILL the master and every worker at once: a crash, nothing is flushed."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


def start_service(data: Path, *, workers: int = 2, threads: int = 8, db_url: str | None = None,
                  gradebook_url: str | None = None, book: Path | None = None,
                  port: int | None = None, timeout: float = 90) -> LiveService:
    """``assessment serve`` in the background; returns once the sign-in page answers."""
    port = port or free_port()
    book = book or tiny_book(data.parent / f"{data.name}-sach")
    log = data.parent / f"{data.name}-serve-{port}.log"
    command = [str(BIN / "assessment"), "serve", "--port", str(port),
               *serve_args(data, db_url, gradebook_url), "--book", str(book),
               "--course-dir", str(ROOT / "quizzes"), "--book-root", str(ROOT),
               "--workers", str(workers), "--threads", str(threads)]
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    with log.open("ab") as handle:
        process = subprocess.Popen(command, stdout=handle, stderr=subprocess.STDOUT, env=env,
                                   cwd=ROOT, start_new_session=True)
    service = LiveService(process, port, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"assessment serve exited:\n{log.read_text(errors='replace')}")
        try:
            if httpx.get(f"{service.url}/hoc-vien/dang-nhap", timeout=2).status_code == 200:
                return service
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    service.kill()
    raise RuntimeError(f"assessment serve did not answer in {timeout} s:\n"
                       f"{log.read_text(errors='replace')}")


@contextmanager
def running_service(data: Path, **options) -> Iterator[LiveService]:
    service = start_service(data, **options)
    try:
        yield service
    finally:
        service.stop()
