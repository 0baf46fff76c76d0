"""The service's commands as the README shows them: accounts import (again: only new cadres),
reset-code, rounds open/list/close, serve's checks; every message in Vietnamese."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import httpx
from click.testing import CliRunner
from openpyxl import load_workbook
from pypdf import PdfReader
from service_fixtures import ROOT, run_cli

from assessment.cli import main

from conftest import BIN


def codes_of(path) -> dict[str, str]:
    return {row[0]: row[3] for row in list(load_workbook(path).active.values)[1:]}


def test_import_again_adds_only_new_cadres(service, tmp_path):
    client = service.client()
    client.first_sign_in("CB001", service.codes["CB001"], "mat-khau-cua-an")
    bigger = tmp_path / "them.csv"
    bigger.write_text(service.roster.read_text(encoding="utf-8")
                      + "4,CB004,Phạm Văn Dũng,UBND huyện Lục Ngạn,huyện,nhan-quyen,Nam\n",
                      encoding="utf-8")
    out, slips = tmp_path / "ma-2.xlsx", tmp_path / "phieu.pdf"
    # in its own process, as a trainer runs it (Playwright's sync API is one per process, and
    # the browser tests' one may be running in this one)
    done = subprocess.run(
        [str(BIN / "assessment"), "accounts", "import", str(bigger), *service.args(),
         "--out", str(out), "--slips", str(slips), "--address",
         "https://hoc.tinh.gov.vn/hoc-vien/"], capture_output=True, text=True, cwd=ROOT)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "Đã tạo 1 mã đăng nhập" in output and "giữ nguyên 3 tài khoản" in output
    assert list(codes_of(out)) == ["CB004"]
    assert (service.data / "secret_key").stat().st_mode & 0o077 == 0  # private to its user
    text = " ".join(page.extract_text() for page in PdfReader(slips).pages)
    assert codes_of(out)["CB004"] in text and "Phạm Văn Dũng" in text
    assert "https://hoc.tinh.gov.vn/hoc-vien/" in text and "CB001" not in text
    assert service.client().sign_in("CB001", "mat-khau-cua-an").status_code == 302
    assert service.client().sign_in("CB004", codes_of(out)["CB004"]).status_code == 302
    # asked explicitly: everyone gets a new code, old passwords stop working
    out_3 = tmp_path / "ma-3.xlsx"
    run_cli("accounts", "import", str(bigger), *service.args(), "--out", str(out_3),
            "--reset-existing")
    assert len(codes_of(out_3)) == 4
    assert service.client().sign_in("CB001", "mat-khau-cua-an").status_code == 401


def test_reset_code_command_and_trainer_page(service):
    cadre = service.client()
    cadre.first_sign_in("CB002", service.codes["CB002"], "mat-khau-cua-binh")
    line = run_cli("accounts", "reset-code", "cb002", *service.args()).strip()
    cadre_id, name, code = line.split("\t")
    assert (cadre_id, name) == ("CB002", "Trần Văn Bình")
    assert cadre.get("/hoc-vien/").status_code == 302  # the old session ended
    assert service.client().sign_in("CB002", "mat-khau-cua-binh").status_code == 401
    assert service.client().sign_in("CB002", code).headers["Location"].startswith(
        "/hoc-vien/doi-mat-khau")
    trainer = service.client()
    trainer.sign_in("gv.lan", "mat-khau-giang-vien")
    trainer.get("/hoc-vien/giang-vien/")
    page = trainer.post("/hoc-vien/giang-vien/cap-lai-ma", {"ma_can_bo": "CB002"})
    new = page.get_data(as_text=True).split('class="hv-code">')[1].split("<")[0]
    assert service.client().sign_in("CB002", new).status_code == 302
    # a cadre is not a trainer
    assert cadre.get("/hoc-vien/giang-vien/").status_code in (302, 403)


def test_serve_runs_without_the_venv_on_path(tmp_path):
    """`.venv/bin/assessment serve` from a shell that never activated the venv (a cron line,
    a new terminal): nbgrader runs `alembic` by name to create the gradebook, and finds it."""
    from live_service import free_port, tiny_book

    port, data = free_port(), tmp_path / "du-lieu"
    process = subprocess.Popen(
        [str(BIN / "assessment"), "serve", "--data", str(data), "--port", str(port),
         "--book", str(tiny_book(tmp_path / "sach")), "--course-dir", str(ROOT / "quizzes"),
         "--book-root", str(ROOT)], cwd=tmp_path, env={"HOME": str(tmp_path),
                                                       "PATH": "/usr/bin:/bin"},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline, status = time.monotonic() + 90, None
        while time.monotonic() < deadline and process.poll() is None and status != 200:
            time.sleep(0.3)
            try:
                status = httpx.get(f"http://127.0.0.1:{port}/hoc-vien/dang-nhap").status_code
            except httpx.HTTPError:
                pass
        assert status == 200, process.stdout.read().decode() if process.poll() is not None else ""
        assert (data / "gradebook.db").is_file()
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)



def test_serve_keeps_an_idle_connection_open_while_a_cadre_reads(tmp_path):
    """A connection left idle for 3 s (a cadre reading a question) still answers. With
    gunicorn's default of 2 s the service closed it, and under load it closed many at once,
    losing the requests sent on them just then (connection resets in the bench)."""
    import http.client

    from live_service import running_service

    with running_service(tmp_path / "du-lieu", workers=1, threads=2) as service:
        connection = http.client.HTTPConnection("127.0.0.1", service.port, timeout=10)
        statuses = []
        for pause in (0, 3):
            time.sleep(pause)
            connection.request("GET", "/hoc-vien/dang-nhap")
            response = connection.getresponse()
            response.read()
            statuses.append(response.status)
            if pause == 0:
                socket_used = connection.sock
        assert statuses == [200, 200] and connection.sock is socket_used
        connection.close()

def test_rounds_open_list_close(service):
    name = service.open_round("kiem-tra-cuoi-khoa", "--start", "2026-01-05T08:00",
                              "--end", "2026-01-05T17:00", "--attempts", "2", "--minutes", "45")
    assert name == "kiem-tra-cuoi-khoa-truc-tuyen-1"
    assert service.open_round("kiem-tra-cuoi-khoa") == "kiem-tra-cuoi-khoa-truc-tuyen-2"
    listing = run_cli("rounds", "list", *service.args())
    assert "kiem-tra-cuoi-khoa-truc-tuyen-1\tkiem-tra-cuoi-khoa\t05/01/2026 08:00\t" \
           "05/01/2026 17:00\tđã đóng" in listing
    assert "kiem-tra-cuoi-khoa-truc-tuyen-2" in listing and "đang mở" in listing
    output = run_cli("rounds", "close", "kiem-tra-cuoi-khoa-truc-tuyen-2", *service.args(),
                     "--course-dir", str(ROOT / "quizzes"), "--book-root", str(ROOT))
    assert "Đã đóng đợt kiem-tra-cuoi-khoa-truc-tuyen-2" in output


def test_command_errors_are_clear(service, tmp_path):
    runner = CliRunner()
    base = ["--course-dir", str(ROOT / "quizzes"), "--book-root", str(ROOT)]
    result = runner.invoke(main, ["rounds", "open", "khong-co", *service.args(), *base])
    assert result.exit_code == 1 and "không có bài kiểm tra 'khong-co'" in result.output
    result = runner.invoke(main, ["rounds", "open", "phan-1", *service.args(), *base,
                                  "--start", "2026-02-01 08:00", "--end", "2026-01-01"])
    assert result.exit_code == 1 and "kết thúc phải sau" in result.output
    result = runner.invoke(main, ["rounds", "close", "khong-co", *service.args(), *base])
    assert result.exit_code == 1 and "Không có đợt kiểm tra «khong-co»" in result.output
    # run outside the project folder without --book-root: no table of contents there
    elsewhere = ["--course-dir", str(ROOT / "quizzes"), "--book-root", str(tmp_path)]
    result = runner.invoke(main, ["rounds", "open", "phan-1", *service.args(), *elsewhere])
    assert result.exit_code == 1 and "Không đọc được mục lục" in result.output
    assert "Traceback" not in result.output and result.exception.__class__ is SystemExit
    result = runner.invoke(main, ["accounts", "add-trainer", "gv.ngan", *service.args(),
                                  "--password-stdin"], input="ngan\n")
    assert result.exit_code == 1 and "ít nhất 8 ký tự" in result.output
    result = runner.invoke(main, ["serve", "--data", str(tmp_path / "d"),
                                  "--book", str(tmp_path / "khong-co-sach")])
    assert result.exit_code == 1 and "make book" in result.output
    bad = tmp_path / "sai.csv"
    bad.write_text("Mã cán bộ,Họ và tên,Đơn vị,Cấp,Nhóm\nCB9,Tên,Đơn vị,xã,nhan-quyen\n",
                   encoding="utf-8")
    result = runner.invoke(main, ["accounts", "import", str(bad), *service.args(),
                                  "--out", str(tmp_path / "ma-loi.xlsx")])
    assert result.exit_code == 1 and "sai.csv" in result.output and "cấp «xã»" in result.output
    assert not (tmp_path / "ma-loi.xlsx").exists()
    (tmp_path / "thu-muc").mkdir()
    result = runner.invoke(main, ["accounts", "import", str(service.roster), *service.args(),
                                  "--out", str(tmp_path / "thu-muc")])
    assert result.exit_code == 1 and "Không ghi được" in result.output
