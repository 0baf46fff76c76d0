"""The paper route as the trainer page shows it: its commands run, in order, for real.

The ```shell blocks of the section "Lớp không có máy tính: làm bài trên giấy" of
book/giang-vien/to-chuc-kiem-tra.md run in one bash session on a temporary copy of the course
(synthetic bank), from the project's root as the page says; between printing and grading, the
answers of three trainees are typed into the template as the page describes.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
import subprocess
import textwrap
from pathlib import Path

from nbgrader.api import Gradebook
from openpyxl import load_workbook

from assessment.grading.key import key_from_source
from assessment.quiz.simulate import copy_course, write_synthetic_bank

from conftest import ROOT

PAGE = ROOT / "book" / "giang-vien" / "to-chuc-kiem-tra.md"
TITLE = "## Lớp không có máy tính: làm bài trên giấy"
FENCE = re.compile(r"^```shell\n(?P<body>.*?)^```", re.M | re.S)


def paper_blocks() -> list[str]:
    text = PAGE.read_text(encoding="utf-8")
    assert TITLE in text
    section = text.split(TITLE, 1)[1].split("\n## ", 1)[0]
    return [textwrap.dedent(m.group("body")) for m in FENCE.finditer(section)]


def run_bash(script: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run in a new terminal: the venv's commands are found only through the page's own steps."""
    env = dict(os.environ, PATH="/usr/local/bin:/usr/bin:/bin")
    return subprocess.run(["bash", "-c", "set -euo pipefail\n" + script], cwd=cwd, env=env,
                          capture_output=True, text=True)


def test_readme_points_to_the_paper_route():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    trainer = readme.split("## Giảng viên: tổ chức kiểm tra", 1)[1].split("\n## ", 1)[0]
    flat = " ".join(trainer.split())
    assert "`assessment quiz print kiem-tra-cuoi-khoa-dot-2`" in flat and "--answers" in flat
    assert TITLE.removeprefix("## ") in flat


def test_the_documented_paper_commands_grade_a_class(tmp_path):
    blocks = paper_blocks()
    assert len(blocks) == 2
    assert "assessment quiz print" in blocks[0] and "--answers" in blocks[1]
    course = copy_course(ROOT, tmp_path, with_bank=False)
    write_synthetic_bank(course)
    (tmp_path / ".venv").symlink_to(ROOT / ".venv")  # `source .venv/bin/activate` works
    printed = run_bash(blocks[0], tmp_path)
    assert printed.returncode == 0, printed.stdout[-3000:] + printed.stderr[-3000:]
    name = re.search(r"assessment quiz print (\S+)", blocks[0]).group(1)
    answers = tmp_path / re.search(r"--answers (\S+)", blocks[1]).group(1).replace(
        "print/", "quizzes/print/", 1)
    for suffix in ("-de-bai.pdf", "-phieu-tra-loi.pdf"):
        assert (course / "print" / name / f"{name}{suffix}").stat().st_size > 10_000

    key = key_from_source(course, name)  # the trainer types what three trainees marked
    book = load_workbook(answers)
    sheet = book["Trả lời"]
    typed = {"CB0001": [q.key for q in key.questions],
             "CB0002": [", ".join(q.key) for q in key.questions[:10]],
             "CB0003": []}
    for row, (student, letters) in enumerate(typed.items(), start=2):
        sheet.cell(row=row, column=1).value = student
        for column, value in enumerate(letters, start=3):
            sheet.cell(row=row, column=column).value = value
    book.save(answers)

    activate = blocks[0].splitlines()[0]
    assert activate == "source .venv/bin/activate"
    graded = run_bash(f"{activate}\n{blocks[1]}", tmp_path)  # the same terminal, still active
    assert graded.returncode == 0, graded.stdout[-3000:] + graded.stderr[-3000:]
    assert "đã ghi 3 phiếu trả lời" in graded.stdout
    total = key.max_score
    day = dt.date.fromisoformat(re.search(r"--date (\S+)", blocks[1]).group(1))
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        subs = gb.assignment_submissions(name)
        scores = {s.student.id: s.score for s in subs}
        stamps = {s.timestamp.date() for s in subs}
    first_ten = sum(q.points for q in key.questions[:10])
    assert scores == {"CB0001": total, "CB0002": first_ten, "CB0003": 0}
    assert stamps == {day}
    with (course / "diem-kiem-tra.csv").open(encoding="utf-8") as handle:
        exported = {r["student_id"]: float(r["raw_score"]) for r in csv.DictReader(handle)}
    assert exported == scores
