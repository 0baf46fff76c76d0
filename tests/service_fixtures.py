"""Pytest plugin for the online service's tests (registered in conftest.py).

``db_url`` is the service's database: SQLite in a temporary folder and PostgreSQL (a fresh
database of tests/pg.py's server), so every test that takes ``db_url`` runs on both
(``SERVICE_TEST_DATABASES=sqlite`` runs only one, for a quick local run). ``service`` builds
the app (real Flask app, real Alembic migrations, real nbgrader gradebook in the data
folder), imports a roster through the real command and gives a ``Client`` that signs in and
posts forms with their CSRF token.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from assessment.cli import main

from conftest import ROOT

SERVICE_DATABASES = os.environ.get("SERVICE_TEST_DATABASES", "sqlite,postgresql").split(",")
ROSTER = """STT,Mã cán bộ,Họ và tên,Đơn vị,Cấp,Nhóm,Giới tính
1,CB001,Nguyễn Thị An,Sở Tư pháp,Cấp tỉnh,nhan-quyen,Nữ
2,CB002,Trần Văn Bình,Sở Tư pháp,tỉnh,nhan-quyen,Nam
3,CB003,<script>alert('x')</script> Lê <b>Cúc</b>,Báo Bắc Giang,tỉnh,doi-ngoai-bao-chi,Nữ
"""
TRAINER, TRAINER_PASSWORD = "gv.lan", "mat-khau-giang-vien"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def run_cli(*args: str, input: str | None = None) -> str:  # noqa: A002
    result = CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(params=SERVICE_DATABASES)
def db_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'service.db'}"
    return request.getfixturevalue("pg_url")


@dataclass
class Service:
    data: Path
    db_url: str
    roster: Path
    codes: dict[str, str]  # cadre id -> one-time code
    app: object = None
    clients: list = field(default_factory=list)

    def args(self) -> list[str]:
        return ["--data", str(self.data), "--db", self.db_url,
                "--gradebook", f"sqlite:///{self.data / 'gradebook.db'}"]

    def open_round(self, quiz: str = "phan-1", *extra: str) -> str:
        return run_cli("rounds", "open", quiz, *self.args(), "--course-dir",
                       str(ROOT / "quizzes"), "--book-root", str(ROOT), *extra).strip()

    def client(self) -> Client:
        return Client(self.app.test_client())


class Client:
    """The Flask test client, with the CSRF token of the last page shown."""

    def __init__(self, client) -> None:
        self.http = client
        self.token = ""

    def get(self, url: str, **kwargs):
        response = self.http.get(url, **kwargs)
        found = TOKEN.search(response.get_data(as_text=True))
        if found:
            self.token = found.group(1)
        return response

    def post(self, url: str, data: dict | None = None, csrf: bool = True, **kwargs):
        data = dict(data or {})
        if csrf:
            data.setdefault("csrf_token", self.token)
        return self.http.post(url, data=data, **kwargs)

    def sign_in(self, login: str, password: str):
        self.get("/hoc-vien/dang-nhap")
        return self.post("/hoc-vien/dang-nhap", {"ma_can_bo": login, "mat_khau": password})

    def first_sign_in(self, login: str, code: str, password: str = "mat-khau-rieng-1"):
        response = self.sign_in(login, code)
        assert response.status_code == 302, response.get_data(as_text=True)
        assert response.headers["Location"].startswith("/hoc-vien/doi-mat-khau")
        self.get("/hoc-vien/doi-mat-khau")
        response = self.post("/hoc-vien/doi-mat-khau",
                             {"mat_khau_moi": password, "nhap_lai": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return response


@pytest.fixture
def service(tmp_path, db_url) -> Service:
    from assessment.service.app import create_app

    data = tmp_path / "du-lieu"
    roster = tmp_path / "danh-sach.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    codes_file = tmp_path / "ma.xlsx"
    svc = Service(data=data, db_url=db_url, roster=roster, codes={})
    run_cli("accounts", "import", str(roster), *svc.args(), "--out", str(codes_file),
            "--targets", str(ROOT / "quizzes/targets.yml"))
    rows = list(load_workbook(codes_file).active.values)
    assert rows[0] == ("Mã cán bộ", "Họ và tên", "Đơn vị", "Mã đăng nhập")
    svc.codes = {row[0]: row[3] for row in rows[1:]}
    run_cli("accounts", "add-trainer", TRAINER, *svc.args(), "--password-stdin",
            input=TRAINER_PASSWORD + "\n")
    book = tmp_path / "book"
    (book / "book").mkdir(parents=True)
    (book / "index.html").write_text('<meta http-equiv="Refresh" content="0; url=book/index.html">')
    (book / "book" / "index.html").write_text(
        '<html><head><title>Sách</title></head><body><div class="bd-header-article d-print-none">'
        "</div><p>Trang sách</p></body></html>", encoding="utf-8")
    svc.app = create_app({
        "DATA_DIR": data, "DATABASE_URL": db_url,
        "GRADEBOOK_URL": f"sqlite:///{data / 'gradebook.db'}",
        "COURSE_DIR": ROOT / "quizzes", "BOOK_ROOT": ROOT, "BOOK_HTML": book, "TESTING": True,
        "MAX_FAILED_LOGINS": 3, "LOCK_SECONDS": 60})
    yield svc
    svc.app.extensions["service_engine"].dispose()
