"""`make demo-report`'s own recipe, run for real, checked against nbgrader's API; and the
benchmark script on a small size (its timings are not asserted)."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from nbgrader.api import Gradebook
from openpyxl import load_workbook
from report_fixtures import readme_outputs

from conftest import ROOT

BIN = Path(sys.executable).parent
CUTOFF = dt.date(2024, 11, 30)
VIETNAM = dt.timedelta(hours=7)


def recipe(target: str) -> str:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    match = re.search(rf"^{re.escape(target)}:.*\n((?:\t.*\n)+)", makefile, flags=re.M)
    assert match, f"no recipe for {target}"
    return match.group(1).strip().replace("$(PYTHON)", sys.executable)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    """Run the recipe in an empty folder whose quizzes/ is the project's course (read only)."""
    folder = tmp_path_factory.mktemp("demo")
    (folder / "quizzes").symlink_to(ROOT / "quizzes")
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(recipe("demo-report"), shell=True, cwd=folder, env=env,
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Kết quả tập huấn đến hết ngày 30/11/2024" in result.stdout
    return folder


def expected_from_nbgrader(gradebooks: list[Path], roster_ids: set[str], folder: Path):
    """Trained cadres and unmatched submissions, read through nbgrader's own ORM."""
    trained, unmatched, submissions = set(), 0, 0
    for path in gradebooks:
        copy = folder / f"copy-{path.name}"  # nbgrader's Gradebook may write; use a copy
        shutil.copyfile(path, copy)
        with Gradebook(f"sqlite:///{copy}") as gb:
            for assignment in gb.assignments:
                for sub in assignment.submissions:
                    submissions += 1
                    key = sub.student.id.strip().casefold()
                    if key not in roster_ids:
                        unmatched += 1
                        continue
                    local_day = (sub.timestamp + VIETNAM).date()
                    counted = assignment.name.startswith("kiem-tra-cuoi-khoa")
                    if counted and sub.score >= 0.7 * sub.max_score and local_day <= CUTOFF:
                        trained.add(key)
    return trained, unmatched, submissions


def test_demo_report_is_complete_and_right(demo, tmp_path):
    out, data = demo / "reports" / "demo", demo / "reports" / "demo-data"
    assert sorted(p.name for p in out.iterdir()) == sorted(readme_outputs()[0])  # as promised
    gradebooks = sorted(data.glob("*.db"))
    assert len(gradebooks) == 2
    sheet = load_workbook(data / "danh-sach-can-bo.xlsx").active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert len(rows) == 150
    roster = {r[1].casefold(): r[7] for r in rows}  # id → group
    trained, unmatched, submissions = expected_from_nbgrader(gradebooks, set(roster), tmp_path)
    assert submissions == 20  # the documented size of the demo
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["counts"]["cadres"] == 150
    assert summary["counts"]["trained"] == len(trained) > 0
    assert summary["counts"]["unmatched_submissions"] == unmatched == 2
    for group in summary["groups"]:
        expected = sum(1 for key in trained if roster[key] == group["group"])
        assert group["trained"] == expected, group["group"]
    assert summary["items"], "question analysis from real autograded submissions"


def test_demo_data_is_synthetic_and_reproducible():
    from assessment.demo import synthetic_roster

    first, again = synthetic_roster(150), synthetic_roster(150)
    assert first.equals(again)
    assert first["Email"].str.endswith("@example.org").all()
    assert first["Mã cán bộ"].is_unique


def test_benchmark_script_runs_small(tmp_path):
    """bench/bench_report.py end to end on 300 cadres (figures printed, not asserted)."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench_report.py"), "--cadres", "300",
         "--samples", "3", "6", "--work", str(tmp_path)],
        capture_output=True, text=True, timeout=600,
        env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "assessment report (full, 300 cadres):" in result.stdout
    assert "ESTIMATE for all 300 cadres" in result.stdout
    phases = ["imports: command line start-up", "imports: report modules",
              "reading the targets and roster", "reading the gradebooks", "computing",
              "report.xlsx", "report.html",
              "summary.json, .csv, .md", "moving into place", "sum of the phases",
              "openpyxl write-only", "XlsxWriter constant_memory"]
    for phase in phases:  # each phase on its own line, with its figures in seconds
        assert re.search(rf"^  {re.escape(phase)}\s+\d+\.\d\ds", result.stdout, re.M), phase
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["counts"]["cadres"] == 300
    assert summary["counts"]["unmatched_submissions"] == 3
