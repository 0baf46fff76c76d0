"""The online route as the trainer page shows it: its commands run, in order, for real.

The ```shell blocks of the section "Kiểm tra trực tuyến (học viên dùng điện thoại)" of
book/giang-vien/to-chuc-kiem-tra.md run in bash with only the system folders on PATH, on a
temporary copy of the course (real bank), from the project's root as the page says. Between
the commands, cadres and the trainer use the service's pages as the section describes them
(the real Flask app on the same data folder): a cadre signs in with the code from the file the
first command wrote and passes, another leaves an attempt half done; the trainer's page shows
the rounds and the buttons the section names and downloads the .xlsx. At the end the
documented `assessment report` counts the online pass.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import textwrap
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from openpyxl import load_workbook

from assessment.demo import synthetic_roster, write_roster_xlsx
from assessment.quiz.simulate import copy_course

from conftest import ROOT

PAGE = ROOT / "book" / "giang-vien" / "to-chuc-kiem-tra.md"
TITLE = "## Kiểm tra trực tuyến (học viên dùng điện thoại)"
# ```shell, not ```bash: tests/test_trainer_workflow.py runs the page's bash blocks as the
# notebook workflow (tests/test_new_terminal.py runs both kinds).
FENCE = re.compile(r"^```shell\n(?P<body>.*?)^```", re.M | re.S)
CADRES = ["CB0001", "CB0002", "CB0003"]
# What the section tells trainers and cadres to look for on the pages, as the pages show it.
TRAINER_LABELS = ["Mở đợt mới", ">Mở đợt</button>", "Cấp lại mã đăng nhập", "Mã cán bộ"]
ROUND_LABELS = ["Tải bảng bài làm (.xlsx)", ">Đóng đợt</button>", "Đạt", "Đang làm"]
CADRE_LABELS = ["Bài kiểm tra của tôi", ">Làm bài</button>"]


def section() -> str:
    text = PAGE.read_text(encoding="utf-8")
    assert TITLE in text
    return text.split(TITLE, 1)[1].split("\n## ", 1)[0]


def online_blocks() -> list[str]:
    return [textwrap.dedent(m.group("body")) for m in FENCE.finditer(section())]


def run_bash(script: str, cwd: Path) -> subprocess.CompletedProcess:
    """A new terminal: `assessment` is found only through the page's own first step."""
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(cwd), "LANG": "C.UTF-8"}
    result = subprocess.run(["bash", "-c", "set -euo pipefail\n" + script], cwd=cwd, env=env,
                            capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, f"{script}\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
    return result


def test_readme_and_page_agree():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    online = " ".join(readme.split("## Học trực tuyến", 1)[1].split("\n## ", 1)[0].split())
    assert TITLE.removeprefix("## ") in online and "to-chuc-kiem-tra.md" in online
    flat = " ".join(section().split())
    for shared in ("/hoc-vien/giang-vien/", "kiem-tra-cuoi-khoa-truc-tuyen-1-lan-2",
                   "--reset-existing", "Điểm: X/Y"):
        assert shared in online and shared in flat, shared


@pytest.fixture
def course_copy(tmp_path) -> Path:
    """The project's root as a trainer has it after `make`: course, roster, classroom book."""
    from nbgrader.api import Gradebook

    course = copy_course(ROOT, tmp_path, with_bank=True)
    for name in ("targets.yml",):
        (course / name).write_bytes((ROOT / "quizzes" / name).read_bytes())
    (tmp_path / ".venv").symlink_to(ROOT / ".venv")
    frame = synthetic_roster(12)
    frame.loc[: len(CADRES) - 1, "Mã cán bộ"] = CADRES
    write_roster_xlsx(frame, tmp_path / "danh-sach-can-bo.xlsx")
    Gradebook(f"sqlite:///{course / 'gradebook.db'}").close()  # the classes' own gradebook
    book = tmp_path / "_build" / "html"
    book.mkdir(parents=True)
    (book / "index.html").write_text("<html><body>Sách</body></html>", encoding="utf-8")
    return tmp_path


class Pages:
    """The service's pages on the data folder the commands use (real app, test client)."""

    def __init__(self, root: Path) -> None:
        from assessment.service.app import create_app

        self.app = create_app({
            "DATA_DIR": root / "du-lieu-hoc-vien", "COURSE_DIR": root / "quizzes",
            "BOOK_ROOT": root, "BOOK_HTML": root / "_build" / "html", "TESTING": True})
        self.token = ""

    def client(self):
        return self.app.test_client()

    def get(self, client, url: str, status: int = 200) -> str:
        response = client.get(url)
        assert response.status_code == status, (url, response.status_code)
        text = response.get_data(as_text=True)
        found = re.search(r'name="csrf_token" value="([^"]+)"', text)
        if found:
            self.token = found.group(1)
        return text

    def post(self, client, url: str, data: dict, status: int = 302):
        response = client.post(url, data={"csrf_token": self.token, **data})
        assert response.status_code == status, (url, response.get_data(as_text=True)[:2000])
        return response

    def sign_in(self, login: str, password: str, status: int = 302):
        client = self.client()
        self.get(client, "/hoc-vien/dang-nhap")
        response = self.post(client, "/hoc-vien/dang-nhap",
                             {"ma_can_bo": login, "mat_khau": password}, status)
        return client, response


def take(pages: Pages, client, round_name: str, finish: bool) -> str:
    """Start the round from "Bài kiểm tra của tôi", answer every question right, maybe submit."""
    from test_service_quiz import answer, quiz_form

    mine = pages.get(client, "/hoc-vien/")
    assert all(label in mine for label in CADRE_LABELS)
    url = pages.post(client, f"/hoc-vien/dot/{round_name}/lam-bai", {}).headers["Location"]
    form = quiz_form(pages.get(client, url))
    assert len(form) == 40
    action = "nop" if finish else "luu"
    done = pages.post(client, url, {**answer(form), "action": action}).headers["Location"]
    return pages.get(client, done)


def test_the_documented_online_commands_run_a_round(course_copy):
    root = course_copy
    blocks = online_blocks()
    assert len(blocks) == 5, blocks
    accounts, opening, reset, closing, report = blocks
    assert accounts.splitlines()[0] == "source .venv/bin/activate"
    activate = "source .venv/bin/activate\n"

    # 1. accounts: the codes file, the slips and the trainer's account
    run_bash(accounts, root)
    codes_file = root / re.search(r"--out (\S+)", accounts).group(1)
    rows = list(load_workbook(codes_file).active.values)
    assert rows[0] == ("Mã cán bộ", "Họ và tên", "Đơn vị", "Mã đăng nhập") and len(rows) == 13
    codes = {row[0]: row[3] for row in rows[1:]}
    slips = root / re.search(r"--slips (\S+)", accounts).group(1)
    assert slips.read_bytes().startswith(b"%PDF")
    trainer, password = re.search(r"echo '([^']+)' \| assessment accounts add-trainer (\S+)",
                                  accounts).group(2, 1)

    # 2. two rounds: one open now, one opened ahead for one group; the list shows both
    opened = run_bash(activate + opening, root).stdout.splitlines()
    names = ["kiem-tra-cuoi-khoa-truc-tuyen-1", "kiem-tra-cuoi-khoa-truc-tuyen-2"]
    assert opened[:2] == names
    listing = dict(line.split("\t", 1) for line in opened[2:])
    assert listing.keys() == set(names) and listing[names[0]].endswith("đang mở")

    # the trainer's page shows the rounds and what the section names
    pages = Pages(root)
    desk, landed = pages.sign_in(trainer, password)
    assert landed.headers["Location"] == "/hoc-vien/giang-vien/"
    index = pages.get(desk, "/hoc-vien/giang-vien/")
    assert all(label in index for label in TRAINER_LABELS + names), index

    # cadres: the first signs in with the code, sets a password and passes; the second leaves
    # an attempt half done
    cadre, first = pages.sign_in(CADRES[0], codes[CADRES[0]])
    assert first.headers["Location"].startswith("/hoc-vien/doi-mat-khau")
    pages.get(cadre, "/hoc-vien/doi-mat-khau")
    pages.post(cadre, "/hoc-vien/doi-mat-khau",
               {"mat_khau_moi": "mat-khau-rieng-1", "nhap_lai": "mat-khau-rieng-1"})
    result = take(pages, cadre, names[0], finish=True)
    assert re.search(r"Điểm: (\d+)/\1", result) and "Đạt" in result
    late, _ = pages.sign_in(CADRES[1], codes[CADRES[1]])
    pages.get(late, "/hoc-vien/doi-mat-khau")
    pages.post(late, "/hoc-vien/doi-mat-khau",
               {"mat_khau_moi": "mat-khau-rieng-2", "nhap_lai": "mat-khau-rieng-2"})
    take(pages, late, names[0], finish=False)

    # 3. a new code: the old password stops working, the new code signs in
    printed = run_bash(activate + reset, root).stdout.strip().split("\t")
    assert printed[0] == CADRES[0] and len(printed) == 3
    pages.sign_in(CADRES[0], "mat-khau-rieng-1", status=401)
    _client, again = pages.sign_in(CADRES[0], printed[2])
    assert again.headers["Location"].startswith("/hoc-vien/doi-mat-khau")

    # the round's page and its .xlsx
    round_page = pages.get(desk, f"/hoc-vien/giang-vien/dot/{names[0]}")
    assert all(label in round_page for label in ROUND_LABELS), round_page
    link = BeautifulSoup(round_page, "html.parser").find(
        "a", string="Tải bảng bài làm (.xlsx)")["href"]
    download = desk.get(link)
    assert download.status_code == 200
    xlsx = root / "bai-lam.xlsx"
    xlsx.write_bytes(download.get_data())
    table = list(load_workbook(xlsx).active.values)
    assert table[0][:3] == ("Mã cán bộ", "Họ và tên", "Đơn vị")
    results = {row[0]: row[8] or "" for row in table[1:]}
    assert results == {CADRES[0]: "Đạt", CADRES[1]: ""}

    # 4. closing: the half-done attempt is submitted with what was saved
    closed = run_bash(activate + closing, root).stdout
    assert f"Đã đóng đợt {names[0]}; 1 bài đang làm được nộp tự động." in closed
    assert "Đang làm" not in pages.get(desk, f"/hoc-vien/giang-vien/dot/{names[0]}")

    # 5. the report counts both online passes (the half-done attempt was all right too)
    run_bash(activate + report, root)
    out = root / re.search(r"--out (\S+)", report).group(1)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["counts"]["trained"] == 2, summary["counts"]
    assert summary["counts"]["unmatched_submissions"] == 0
    pages.app.extensions["service_engine"].dispose()
    assert os.path.exists(root / "du-lieu-hoc-vien" / "gradebook.db")
