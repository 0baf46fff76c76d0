"""Every command that the README section and the officer's book page document, run for real."""

from __future__ import annotations

import json
import re
import shlex
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook
from report_fixtures import ROSTER_HEADER, ROSTER_ROWS, encode_tcvn3

from assessment.cli import main

from conftest import ROOT

README_SECTION = "## Cán bộ tổng hợp: báo cáo thống kê"
BOOK_PAGE = ROOT / "book" / "giang-vien" / "tong-hop-bao-cao.md"


def readme_section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(README_SECTION)
    end = text.find("\n## ", start + len(README_SECTION))
    return text[start:end]


def commands(markdown: str) -> list[str]:
    """Shell commands of the ```bash blocks, continuation lines joined."""
    found = []
    for block in re.findall(r"```bash\n(.*?)```", markdown, flags=re.S):
        joined = re.sub(r"\\\n\s*", " ", block)
        found += [line.strip() for line in joined.splitlines() if line.strip()]
    return found


DOCUMENTED = commands(readme_section()) + commands(BOOK_PAGE.read_text(encoding="utf-8"))


def test_docs_document_the_report():
    assert sum(c.startswith("assessment report") for c in DOCUMENTED) >= 4
    page = BOOK_PAGE.read_text(encoding="utf-8")
    body = re.sub(r"\A---\n.*?\n---\n", "", page, flags=re.S)  # after any front matter
    assert body.startswith("(tong-hop-bao-cao)=\n# ") and body.count("\n# ") == 1
    for key in ("kh-bac-giang-2023", "qd-1079-2022"):
        assert "{cite:p}`" + key in page
    for option in ("--gradebook", "--roster", "--targets", "--as-of", "--out",
                   "--roster-encoding", "--quiet"):
        assert option in readme_section() and option in page


def option(args: list[str], name: str) -> list[str]:
    return [args[i + 1] for i, a in enumerate(args) if a == name]


def prepare(args: list[str], case, folder: Path) -> None:
    """Create, in ``folder``, the files a documented command names."""
    shutil.copytree(ROOT / "quizzes", folder / "quizzes",
                    ignore=shutil.ignore_patterns("source", "release", "submitted",
                                                  "autograded", "feedback", "*.db", "bank"),
                    dirs_exist_ok=True)
    for i, source in enumerate(option(args, "--gradebook")):
        path = folder / source.removeprefix("sqlite:///")
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(case.gradebooks[i % 2], path)
    roster = folder / option(args, "--roster")[0]
    rows = [list(r) for r in ROSTER_ROWS]
    if "2025" in roster.name:  # the two-level structure: no district level any more
        for r in rows:
            r[4] = r[4].replace("huyện", "xã").replace("huyen", "xa")
    if roster.suffix == ".xlsx":
        book = Workbook()
        book.active.append(ROSTER_HEADER)
        for r in rows:
            book.active.append(r)
        book.save(roster)
    else:
        text = "\n".join(",".join(str(c) for c in r) for r in [ROSTER_HEADER, *rows]) + "\n"
        encoding = option(args, "--roster-encoding")
        roster.write_bytes(encode_tcvn3(text) if encoding == ["tcvn3"] else text.encode())


@pytest.mark.parametrize("command", [c for c in DOCUMENTED if c.startswith("assessment ")])
def test_documented_report_command_runs(command, report_case, tmp_path, monkeypatch):
    args = shlex.split(command)[1:]
    prepare(args, report_case, tmp_path)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    out = tmp_path / option(args, "--out")[0]
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["counts"]["cadres"] == len(ROSTER_ROWS)
    targets = option(args, "--targets") or ["quizzes/targets.yml"]
    levels = {r["level"] for r in summary["by_level"]}
    assert levels == ({"tinh", "xa"} if "2025" in targets[0] else {"tinh", "huyen"})
    assert "Kết quả tập huấn đến hết ngày" in result.output


@pytest.mark.parametrize("command", [c for c in DOCUMENTED if c.startswith("make ")])
def test_documented_make_target_exists(command):
    """The recipe itself runs in tests/test_report_demo.py."""
    target = command.split()[1]
    assert re.search(rf"^{re.escape(target)}:", (ROOT / "Makefile").read_text(), flags=re.M)


def test_no_other_kind_of_command_is_documented():
    assert all(c.startswith(("assessment ", "make ")) for c in DOCUMENTED), DOCUMENTED
