"""Benchmark: the full `assessment report` for a region-sized gradebook, against `nbgrader export`.

Builds (once per run, in bench/out/report/) a gradebook whose schema nbgrader itself creates,
filled by bulk SQL inserts: CADRES students, each with a submission of the final quiz
(QUESTIONS grade cells), some with a retake, plus a few students not in the roster; and the
matching synthetic roster (.xlsx). Then it times, as separate processes:

- the full report (`assessment report ... -q`): wall time and peak memory (max RSS);
- `nbgrader export` on the same gradebook, restricted with ``--student`` to two bounded
  samples; a straight line through the two timings gives nbgrader's fixed cost and its cost
  per student, and so an ESTIMATE for all cadres (labelled as such; running it in full would
  take most of an hour).

Run: ``make bench-report`` or ``python bench/bench_report.py [--cadres 20000]``.
Target (issue 4): the full report for 20,000 cadres under 10 s and under 1 GiB.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

from nbgrader.api import Gradebook

from assessment.demo import synthetic_roster, write_roster_xlsx

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
os.environ["PATH"] = f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"


def uid() -> str:
    return uuid.uuid4().hex


def build_gradebook(path: Path, student_ids: list[str], questions: int, seed: int) -> int:
    """Fill a fresh nbgrader gradebook with bulk inserts; return the number of submissions."""
    path.unlink(missing_ok=True)
    Gradebook(f"sqlite:///{path}").close()  # nbgrader creates its own schema
    rng = random.Random(seed)
    db = sqlite3.connect(path)
    quizzes = {}
    for name in ("kiem-tra-cuoi-khoa", "kiem-tra-cuoi-khoa-dot-2"):
        a_id, n_id = uid(), uid()
        db.execute("INSERT INTO assignment (id, name, course_id) VALUES (?, ?, 'default_course')",
                   (a_id, name))
        db.execute("INSERT INTO notebook (id, name, assignment_id) VALUES (?, ?, ?)",
                   (n_id, name, a_id))
        cells = [(uid(), f"cau-{q + 1:02d}") for q in range(questions)]
        db.executemany("INSERT INTO base_cell (id, name, notebook_id, type) "
                       "VALUES (?, ?, ?, 'GradeCell')", [(c, n, n_id) for c, n in cells])
        db.executemany("INSERT INTO grade_cells (id, max_score, cell_type) VALUES (?, 1.0, 'code')",
                       [(c,) for c, _ in cells])
        quizzes[name] = (a_id, n_id, [c for c, _ in cells])
    db.executemany("INSERT INTO student (id, first_name, last_name) VALUES (?, ?, ?)",
                   [(s, "", "") for s in student_ids])
    subs, notebooks, grades = [], [], []
    for student in student_ids:
        ability = rng.betavariate(5, 2)
        sittings = ["kiem-tra-cuoi-khoa"] + (["kiem-tra-cuoi-khoa-dot-2"]
                                             if rng.random() < 0.15 else [])
        for quiz in sittings:
            a_id, n_id, cells = quizzes[quiz]
            s_id, sn_id = uid(), uid()
            day = f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} 02:00:00.000000"
            subs.append((s_id, a_id, student, day))
            notebooks.append((sn_id, s_id, n_id))
            grades += [(uid(), sn_id, c, float(rng.random() < ability), 0) for c in cells]
    db.executemany("INSERT INTO submitted_assignment (id, assignment_id, student_id, timestamp) "
                   "VALUES (?, ?, ?, ?)", subs)
    db.executemany("INSERT INTO submitted_notebook (id, assignment_id, notebook_id, flagged) "
                   "VALUES (?, ?, ?, 0)", notebooks)
    db.executemany("INSERT INTO grade (id, notebook_id, cell_id, auto_score, needs_manual_grade) "
                   "VALUES (?, ?, ?, ?, ?)", grades)
    db.commit()
    db.close()
    return len(subs)


def run_measured(command: list[str], cwd: Path) -> tuple[float, float]:
    """(wall seconds, peak RSS in MiB) of one child process."""
    start = time.perf_counter()
    with open(os.devnull, "w") as sink:
        child = subprocess.Popen(command, cwd=cwd, stdout=sink, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        error = child.stderr.read().decode()
        child.stderr.close()
    elapsed = time.perf_counter() - start
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{error}")
    return elapsed, usage.ru_maxrss / 1024  # Linux reports KiB


def time_export(gradebook: Path, students: list[str], work: Path) -> float:
    """Seconds of `nbgrader export` restricted to ``students`` (set in a config file)."""
    folder = work / f"export-{len(students)}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    (folder / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.ExportPlugin.student = {students!r}\n", encoding="utf-8")
    seconds, _ = run_measured([str(BIN / "nbgrader"), "export", f"--db=sqlite:///{gradebook}",
                               f"--to={folder / 'grades.csv'}", "--log-level=ERROR"], folder)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cadres", type=int, default=20_000)
    parser.add_argument("--questions", type=int, default=20)
    parser.add_argument("--samples", type=int, nargs=2, default=(50, 200),
                        help="two sample sizes for nbgrader export")
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "out" / "report")
    args = parser.parse_args()
    work = args.work
    work.mkdir(parents=True, exist_ok=True)

    t0 = time.perf_counter()
    roster = synthetic_roster(args.cadres, seed=7)
    roster_path = write_roster_xlsx(roster, work / "danh-sach.xlsx")
    ids = roster["Mã cán bộ"].tolist()
    strangers = [f"KHACH{i:04d}" for i in range(max(1, args.cadres // 100))]
    gradebook = work / "gradebook.db"
    count = build_gradebook(gradebook, ids + strangers, args.questions, seed=7)
    print(f"Built in {time.perf_counter() - t0:.1f} s: roster of {args.cadres} cadres (.xlsx), "
          f"gradebook with {len(ids) + len(strangers)} students, {count} submissions, "
          f"{count * args.questions} grades ({gradebook.stat().st_size / 2**20:.0f} MiB).")

    report_cmd = [str(BIN / "assessment"), "report", "--gradebook", str(gradebook),
                  "--roster", str(roster_path), "--targets", str(ROOT / "quizzes/targets.yml"),
                  "--as-of", "2024-11-30", "--out", str(work / "out"), "-q"]
    seconds, peak = run_measured(report_cmd, ROOT)
    print(f"assessment report (full, {args.cadres} cadres): {seconds:.2f} s, "
          f"peak memory {peak:.0f} MiB")

    rng = random.Random(1)
    small, large = sorted(args.samples)
    t_small = time_export(gradebook, rng.sample(ids, small), work)
    t_large = time_export(gradebook, rng.sample(ids, large), work)
    per_student = max((t_large - t_small) / (large - small), 0.0)
    fixed = max(t_small - per_student * small, 0.0)
    estimate = fixed + per_student * args.cadres
    print(f"nbgrader export, --student sample of {small}: {t_small:.1f} s; of {large}: "
          f"{t_large:.1f} s")
    print(f"nbgrader export, ESTIMATE for all {args.cadres} cadres (fixed {fixed:.1f} s + "
          f"{per_student:.3f} s/student, extrapolated from the two samples): "
          f"{estimate:.0f} s ({estimate / 60:.1f} min)")
    print(f"ratio (estimated nbgrader export / full report): {estimate / seconds:.0f}×")


if __name__ == "__main__":
    main()
