"""Every command the README and the trainer pages show works when pasted into a new terminal.

A trainer opens a new terminal at the repository root of a machine where `make` has run and
pastes, in order, the commands of the ```bash (or ```shell) blocks of one page: README.md,
book/giang-vien/to-chuc-kiem-tra.md or book/giang-vien/hoat-dong-tren-lop.md. This test does
exactly that, page by page, on a temporary copy of the repository (its files, the suite's build
of the site and the generated quizzes; the virtual environment is the real one, linked as
`.venv`), in an environment whose PATH holds only the system folders: no `.venv/bin`, so the
page itself must say how to get `assessment` and `nbgrader` (the convention:
`source .venv/bin/activate` first).

The commands run one by one in bash; the working folder and exported variables carry over
from one command to the next, as in a terminal. Each must exit 0. The commands are read from
the pages at test time, so the test follows their changes; what a command needs from outside
(trainees' files, a roster, a typed answer sheet) is prepared by the small PREPARE mapping
below, servers are started on a free local port until they answer, and the few commands that
cannot run here are listed in SKIP with the reason.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import textwrap
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import ROOT

FENCE = re.compile(r"^(?P<indent>[ ]*)```(?:bash|shell|sh)\n(?P<body>.*?)^(?P=indent)```",
                   re.M | re.S)
PAGES = ["README.md", "book/giang-vien/to-chuc-kiem-tra.md",
         "book/giang-vien/hoat-dong-tren-lop.md"]
CLEAN_PATH = "/usr/local/bin:/usr/bin:/bin"

# Commands shown on the pages that this test does not run, and why (exact command lines).
SKIP = {
    "make": "dựng toàn bộ (phút): bản sao đã có kết quả của `make` (_build/html, quizzes/)",
    "make test": "chính là bộ kiểm thử này",
    "make pdf": "dựng lại sách (phút); `assessment handouts --part ...` ngay sau đó được chạy",
    "make serve": "máy chủ chạy mãi trên cổng cố định 8000",
    "make demo-report": "vài phút; tests/test_report_demo.py",
    "make lint": "cài lại .venv nếu requirements.txt mới hơn; CI chạy",
    "make bench": "đo đạc, không phải kiểm thử",
    "make bench-report": "đo đạc, không phải kiểm thử",
    "make bench-autograde": "đo đạc, không phải kiểm thử",
    "make bench-size": "đo đạc, không phải kiểm thử",
    "make bench-startup": "đo đạc, không phải kiểm thử",
    "make bench-make": "đo đạc, không phải kiểm thử",
    "make bench-grade": "đo đạc, không phải kiểm thử",
}
# Commands that start a server. Their `--host`/`--port` are rewritten to 127.0.0.1 and a free
# port (the page's port may be taken on a shared machine); they pass once the server answers
# HTTP on that port (or, without --port, if still running after SERVER_SECONDS), then stop.
SERVERS = ("assessment serve", "python3 -m http.server", "python -m http.server")
SERVER_SECONDS = 60
# Cadre codes the pages use in examples (`reset-code CB0001`); the synthetic roster has them.
PAGE_CADRES = ["CB0001", "CB0002", "CB0003"]


def page_commands(text: str) -> list[str]:
    """Command lines of the page's shell blocks: continuations joined, comments dropped."""
    found = []
    for match in FENCE.finditer(text):
        body = re.sub(r"\s*\\\n\s*", " ", textwrap.dedent(match.group("body")))
        for line in body.splitlines():
            line = re.split(r"\s+#\s", line, maxsplit=1)[0].strip()
            if line and not line.startswith("#"):
                found.append(line)
    return found


# --- what commands need from outside ------------------------------------------------------

def hand_in(cwd: Path, args: list[str]) -> None:
    """Trainees hand in the released notebook (one right, one empty) before collection."""
    from assessment.quiz.bank import load_bank
    from assessment.quiz.simulate import correct_answers, fill_answers, question_ids

    name = args[2]
    released = cwd / "release" / name / f"{name}.ipynb"
    archive = cwd / "downloaded" / name / "archive"
    archive.mkdir(parents=True, exist_ok=True)
    ids = question_ids(released)
    key = correct_answers(load_bank(cwd / "bank", cwd.parent), ids)
    for student, answered in {PAGE_CADRES[0]: ids, PAGE_CADRES[1]: []}.items():
        path = archive / f"{student}_{name}.ipynb"
        path.write_bytes(released.read_bytes())
        fill_answers(path, {qid: key[qid] for qid in answered})


def write_roster(path: Path) -> None:
    """A synthetic roster of 40 invented cadres (the page's example codes among them)."""
    from assessment.demo import synthetic_roster, write_roster_xlsx

    frame = synthetic_roster(40)
    frame.loc[: len(PAGE_CADRES) - 1, "Mã cán bộ"] = PAGE_CADRES
    if "2025" in path.name:  # the two-level structure: provinces and communes
        frame["Cấp"] = frame["Cấp"].replace("Cấp huyện", "Cấp xã")
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".csv":
        frame.to_csv(path, index=False)
    else:
        write_roster_xlsx(frame, path)


def roster_argument(cwd: Path, args: list[str]) -> None:
    """`assessment accounts import ROSTER ...`: the roster file it reads."""
    if len(args) > 3 and not args[3].startswith("-") and not (cwd / args[3]).exists():
        write_roster(cwd / args[3])


def report_inputs(cwd: Path, args: list[str]) -> None:
    """The gradebooks and the (synthetic) roster an `assessment report` example names."""
    from nbgrader.api import Gradebook

    def option(name: str) -> list[str]:
        return [args[i + 1] for i, arg in enumerate(args[:-1]) if arg == name]

    graded = cwd / "quizzes" / "gradebook.db"  # graded earlier on the same page, if at all
    for source in option("--gradebook"):
        path = cwd / source.removeprefix("sqlite:///")
        if path.exists():
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if graded.exists():
            shutil.copyfile(graded, path)
        else:
            Gradebook(f"sqlite:///{path}").close()
    for roster in option("--roster"):
        if not (cwd / roster).exists():
            write_roster(cwd / roster)


def type_paper_answers(cwd: Path, args: list[str]) -> None:
    """The trainer types one paper answer sheet (letter A everywhere) into the template."""
    from openpyxl import load_workbook

    if "--answers" not in args:
        return
    path = cwd / args[args.index("--answers") + 1]
    book = load_workbook(path)
    sheet = book["Trả lời"] if "Trả lời" in book.sheetnames else book.worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    for column, header in enumerate(headers, start=1):
        if header == "Mã cán bộ":
            sheet.cell(row=2, column=column, value=PAGE_CADRES[2])
        elif str(header).startswith("Câu "):
            sheet.cell(row=2, column=column, value="A")
    book.save(path)


PREPARE: dict[str, Callable[[Path, list[str]], None]] = {
    "nbgrader zip_collect": hand_in,
    "assessment grade": type_paper_answers,
    "assessment accounts import": roster_argument,
    "assessment report": report_inputs,
}


# --- a terminal -----------------------------------------------------------------------------

class Terminal:
    """One bash 'session': each command runs in a new bash that resumes the previous state."""

    def __init__(self, cwd: Path, home: Path) -> None:
        self.state = home / ".terminal"
        self.state.mkdir(parents=True)
        (self.state / "cwd").write_text(str(cwd))
        (self.state / "env").write_text("")
        self.env = {"PATH": CLEAN_PATH, "HOME": str(home), "LANG": "C.UTF-8", "TERM": "dumb"}

    @property
    def cwd(self) -> Path:
        return Path((self.state / "cwd").read_text().strip())

    def run(self, command: str, timeout: float) -> subprocess.CompletedProcess:
        """Run ``command``; on timeout, stop it and all it started, then raise TimeoutExpired."""
        script = (f'source "{self.state}/env"; cd "$(cat "{self.state}/cwd")"\n'
                  f"{command}\nrc=$?\n"
                  f'pwd > "{self.state}/cwd"; export -p > "{self.state}/env"; exit $rc\n')
        with subprocess.Popen(["bash", "-c", script], env=self.env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True,
                              start_new_session=True) as process:
            try:
                out, err = process.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGTERM)
                process.communicate()
                raise
        return subprocess.CompletedProcess(command, process.returncode, out, err)

    def serve(self, command: str, port: int | None) -> str | None:
        """Start a server command; None once it answers on ``port``, else what went wrong."""
        script = f'source "{self.state}/env"; cd "$(cat "{self.state}/cwd")"\n{command}\n'
        with subprocess.Popen(["bash", "-c", script], env=self.env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True,
                              start_new_session=True) as process:
            try:
                deadline = time.monotonic() + SERVER_SECONDS
                while time.monotonic() < deadline:
                    if process.poll() is not None:
                        return f"exited with {process.returncode}:\n{process.stdout.read()}"
                    if port is None:
                        time.sleep(1)
                        continue
                    try:
                        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5):
                            return None
                    except urllib.error.HTTPError:
                        return None  # it answered (a 404 at / is still a server)
                    except OSError:
                        time.sleep(0.5)
                return None if port is None else f"no answer on port {port}"
            finally:
                if process.poll() is None:
                    os.killpg(process.pid, signal.SIGTERM)
                process.communicate()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def local_server(command: str) -> tuple[str, int | None]:
    """``command`` bound to 127.0.0.1 and a free port; the port (None if it names none)."""
    command = re.sub(r"--host[ =]\S+", "--host 127.0.0.1", command)
    if re.search(r"--port[ =]\d+", command):
        port = free_port()
        return re.sub(r"--port[ =]\d+", f"--port {port}", command), port
    match = re.search(r"http\.server(?:\s+--\S+\s+\S+)*\s+(\d+)\b", command)
    if match:
        port = free_port()
        return command[: match.start(1)] + str(port) + command[match.end(1):], port
    return command, None


def repository_copy(dest: Path, html: Path) -> Path:
    """The repository's files, what `make` makes (site, quizzes) and a link to the real .venv.

    The site is the suite's own build of the current pages (``html``); the quizzes are
    `make`'s if it has run, else made here by `make quizzes`.
    """
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard",
                             "-z"], cwd=ROOT, capture_output=True, text=True, check=True)
    for name in filter(None, listed.stdout.split("\0")):
        source = ROOT / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    shutil.copytree(html, dest / "_build" / "html")
    (dest / ".venv").symlink_to(ROOT / ".venv")
    # `make` has run: its install stamp is newer than what it depends on (a `make` target a
    # page shows must never reinstall the shared environment).
    for name in ("requirements.txt", "pyproject.toml"):
        os.utime(dest / name, (1_000_000_000, 1_000_000_000))
    for built in ("quizzes/source", "quizzes/release"):
        if (ROOT / built).is_dir():
            shutil.copytree(ROOT / built, dest / built)
    if not (dest / "quizzes" / "release").is_dir():
        subprocess.run(["make", "quizzes"], cwd=dest, check=True, capture_output=True)
    return dest


@pytest.mark.parametrize("page", PAGES)
def test_page_commands_work_in_a_new_terminal(page, tmp_path, book_html):
    commands = page_commands((ROOT / page).read_text(encoding="utf-8"))
    assert any(c.startswith(("assessment ", "nbgrader ")) for c in commands), commands
    repo = repository_copy(tmp_path / "repo", book_html)
    terminal = Terminal(repo, tmp_path / "home")
    ran, log = [], []
    for command in commands:
        if command in SKIP:
            continue
        words = shlex.split(command)
        for prefix, prepare in PREPARE.items():
            if command.startswith(prefix):
                prepare(terminal.cwd, words)
        if command.startswith(SERVERS):
            problem = terminal.serve(*local_server(command))
            assert problem is None, f"{page}: server `{command}` {problem}"
            ran.append(command)
            continue
        result = terminal.run(command, timeout=600)
        log.append(f"$ {command}\n{result.stdout[-1500:]}{result.stderr[-3000:]}")
        assert result.returncode == 0, f"{page}: `{command}` failed:\n" + "\n".join(log[-3:])
        ran.append(command)
    assert ran, f"{page}: no command ran"


def test_activation_comes_before_the_first_tool_on_each_page():
    for page in PAGES:
        commands = page_commands((ROOT / page).read_text(encoding="utf-8"))
        first_tool = next(i for i, c in enumerate(commands)
                          if c.startswith(("assessment ", "nbgrader ")))
        assert "source .venv/bin/activate" in commands[:first_tool], page


def test_page_commands_reads_blocks_as_a_terminal_would():
    text = ("Xem:\n\n```bash\nmake   # dựng\nassessment report --gradebook a.db \\\n"
            "    --out b\n# chú thích\n```\n\n1. Bước\n\n   ```bash\n   cd quizzes\n   ```\n")
    assert page_commands(text) == ["make", "assessment report --gradebook a.db --out b",
                                   "cd quizzes"]


def test_servers_run_on_a_free_local_port(tmp_path):
    command, port = local_server("python3 -m http.server --directory . 8000")
    assert command == f"python3 -m http.server --directory . {port}" and port != 8000
    command, port = local_server("assessment serve --host 0.0.0.0 --port 8000 --data d")
    assert command == f"assessment serve --host 127.0.0.1 --port {port} --data d"
    terminal = Terminal(tmp_path, tmp_path / "home")
    assert terminal.serve(*local_server("python3 -m http.server 8000")) is None
    assert "exited with" in terminal.serve("python3 -m http.server --bad-option 8000", None)


def test_a_failing_command_is_reported(tmp_path):
    terminal = Terminal(tmp_path, tmp_path / "home")
    assert terminal.run("cd /; export X=1", timeout=10).returncode == 0
    result = terminal.run('echo "$X $PWD"; assessment --help', timeout=10)
    assert result.stdout.strip() == "1 /"
    assert result.returncode == 127  # no .venv/bin on the clean PATH
    assert ".venv" not in terminal.env["PATH"]
