"""Every command of the trainer's workflow (README and the trainer page) runs, for real.

The commands are read from the ```bash blocks of the README section "Giảng viên: tổ chức
kiểm tra" and of book/giang-vien/to-chuc-kiem-tra.md. Both must list the same commands; they
then run once, in order, in one bash session on a temporary copy of the course, with
simulated trainees handing in their files between "release" and "collect". `make quizzes`
runs on a copy that holds the real bank.
"""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from nbgrader.api import Gradebook
from quiz_helpers import all_strings, control_feedback, visible_text

from assessment.quiz.bank import load_bank
from assessment.quiz.notebook import key_literal
from assessment.quiz.simulate import copy_course, question_ids, write_synthetic_bank
from assessment.quiz.spec import load_quizzes

from conftest import ROOT

BIN = Path(sys.executable).parent
FENCE = re.compile(r"^(?P<indent>[ ]*)```bash\n(?P<body>.*?)^(?P=indent)```", re.M | re.S)
PAGE = ROOT / "book" / "giang-vien" / "to-chuc-kiem-tra.md"

HAND_IN = '''
import sys
from pathlib import Path
from assessment.quiz.bank import load_bank
from assessment.quiz.simulate import correct_answers, fill_answers, question_ids

name = sys.argv[1]
archive = Path("downloaded") / name / "archive"
archive.mkdir(parents=True, exist_ok=True)
released = Path("release") / name / f"{name}.ipynb"
ids = question_ids(released)
key = correct_answers(load_bank(Path("bank"), Path("..")), ids)
for student, answered in {"CB0001": ids, "CB0002": [], "CB0003": ids[::2]}.items():
    path = archive / f"{student}_{name}.ipynb"
    path.write_bytes(released.read_bytes())
    fill_answers(path, {qid: key[qid] for qid in answered})
'''


def bash_blocks(text: str) -> list[str]:
    return [textwrap.dedent(m.group("body")) for m in FENCE.finditer(text)]


def section(text: str, title: str) -> str:
    return text.split(title, 1)[1].split("\n## ", 1)[0].split("\n### ", 1)[0]


def command_lines(blocks: list[str]) -> list[str]:
    return [line.split("  #")[0].strip() for block in blocks for line in block.splitlines()
            if line.strip() and not line.strip().startswith("#")]


def readme_workflow() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return bash_blocks(section(readme, "## Giảng viên: tổ chức kiểm tra"))


def page_workflow() -> list[str]:
    return bash_blocks(PAGE.read_text(encoding="utf-8"))


def run_bash(script: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    return subprocess.run(["bash", "-c", "set -euo pipefail\n" + script], cwd=cwd, env=env,
                          capture_output=True, text=True)


def test_readme_and_trainer_page_give_the_same_commands():
    assert command_lines(readme_workflow()) == command_lines(page_workflow())
    steps = " ".join(command_lines(page_workflow()))
    for step in ("quiz generate", "generate_assignment", "zip_collect", "assessment grade",
                 "generate_feedback", "export"):
        assert step in steps


@pytest.fixture(scope="module")
def workflow(tmp_path_factory):
    """Run the documented commands, in order, with trainees handing in after the release."""
    root = tmp_path_factory.mktemp("lop-that")
    course = copy_course(ROOT, root, with_bank=False)
    (root / ".venv").symlink_to(ROOT / ".venv")  # the page starts with `source .venv/bin/activate`
    write_synthetic_bank(course)
    blocks = page_workflow()
    name = re.search(r"--name (\S+)", "\n".join(blocks)).group(1)
    release = next(i for i, b in enumerate(blocks) if "generate_assignment" in b)
    script_path = root / "nop_bai.py"
    script_path.write_text(HAND_IN, encoding="utf-8")
    hand_in = f'"{sys.executable}" "{script_path}" {name}\n'
    script = "\n".join(blocks[: release + 1] + [hand_in] + blocks[release + 1 :])
    result = run_bash(script, root)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    return {"course": course, "name": name, "log": result.stdout + result.stderr}


def test_documented_workflow_grades_every_trainee(workflow):
    course, name = workflow["course"], workflow["name"]
    total = len(load_quizzes(course / "quizzes.yml").quiz("kiem-tra-cuoi-khoa").draw) * 10
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        scores = {s.student.id: s.score for s in gb.assignment_submissions(name)}
    assert scores == {"CB0001": total, "CB0002": 0, "CB0003": total / 2}
    assert "Ngân hàng hợp lệ" in workflow["log"] and "kiem-tra-cuoi-khoa:" in workflow["log"]


def test_documented_workflow_gives_feedback_and_a_grade_sheet(workflow):
    course, name = workflow["course"], workflow["name"]
    bank = load_bank(course / "bank", course.parent).by_id()
    released = course / "release" / name / f"{name}.ipynb"
    questions = [bank[qid] for qid in question_ids(released)]

    def leaked(html: str) -> list[str]:  # what a person sees, not the HTML source
        text = visible_text(html)
        return ([key_literal(q) for q in questions if key_literal(q) in text]
                + [m for m in ("BEGIN HIDDEN TESTS", "globals().get(") if m in text])

    for student in ("CB0001", "CB0002", "CB0003"):
        html = (course / "feedback" / student / name / f"{name}.html").read_text(encoding="utf-8")
        assert "Phản hồi bài kiểm tra" in visible_text(html)
        assert leaked(html) == [], student
    # Positive control: without ClearHiddenTests the same check finds every key.
    control_feedback(course, name)
    html = (course / "phan-hoi-kiem-soat" / "CB0001" / name / f"{name}.html").read_text("utf-8")
    assert set(leaked(html)) >= {key_literal(q) for q in questions} | {"BEGIN HIDDEN TESTS"}
    with open(course / "diem-kiem-tra.csv", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["assignment"] == name]
    full = {r["student_id"]: (float(r["score"]), float(r["max_score"])) for r in rows}
    assert full["CB0001"][0] == full["CB0001"][1] == sum(q.points for q in questions)
    assert len(rows) == 3


def test_documented_bank_commands(tmp_path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = bash_blocks(section(readme, "### Ngân hàng câu hỏi kiểm tra"))
    assert command_lines(blocks) == ["assessment bank merge-drafts", "assessment bank check"]
    course = copy_course(ROOT, tmp_path, with_bank=False)
    write_synthetic_bank(course, per_page=2)
    drafts = course / "bank" / "drafts"
    drafts.mkdir()
    for path in (course / "bank").glob("*.yml"):  # the synthetic bank becomes the drafts
        path.rename(drafts / path.name)
    result = run_bash("\n".join(blocks), tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Đã gộp xong" in result.stdout and "Ngân hàng hợp lệ" in result.stdout
    parts = sorted(p.stem for p in (course / "bank").glob("*.yml"))
    assert parts == sorted(load_bank(course / "bank", tmp_path).part_titles)
    assert len(parts) >= 4


def test_make_quizzes_releases_every_quiz_of_the_real_bank_without_key(tmp_path):
    """`make` (its `quizzes` target) on a copy of the course holding the real bank."""
    course = copy_course(ROOT, tmp_path, with_bank=True)
    result = subprocess.run(
        ["make", "-f", str(ROOT / "Makefile"), "-C", str(tmp_path), "quizzes", f"BIN={BIN}",
         "STAMP="], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    bank = load_bank(course / "bank", tmp_path)
    for quiz in load_quizzes(course / "quizzes.yml").quizzes:
        path = course / "release" / quiz.id / f"{quiz.id}.ipynb"
        text = all_strings(json.loads(path.read_text(encoding="utf-8")))
        assert "BEGIN HIDDEN TESTS" not in text and "BEGIN SOLUTION" not in text
        leaked = [q.id for q in bank.questions
                  if key_literal(q) in text or q.explanation in text]
        assert not leaked, f"{quiz.id}: keys or explanations in the release: {leaked}"
