"""Benchmark: the full `assessment report` for a region-sized gradebook, against `nbgrader export`.

Builds (once per run, in bench/out/report/) a gradebook whose schema nbgrader itself creates,
filled by bulk SQL inserts: CADRES students, 80% of them with a submission of the final quiz
(QUESTIONS grade cells), some with a retake, plus a few students not in the roster; and the
matching synthetic roster (.xlsx). Then it times, as separate processes:

- the full report (`assessment report ... -q`): wall time and peak memory (max RSS);
- the same report in phases (another process): imports (the command line's start-up, then
  the report's modules), reading the roster, reading the gradebooks, computing, each output;
- the workbook's two candidate writers side by side on the report's own tables, values and
  number formats only: openpyxl's write-only mode and XlsxWriter's constant-memory mode
  (the report uses XlsxWriter, chosen by these figures);
- `nbgrader export` on the same gradebook, restricted with ``--student`` to two bounded
  samples; a straight line through the two timings gives nbgrader's fixed cost and its cost
  per student, and so an ESTIMATE for all cadres (labelled as such; running it in full would
  take most of an hour).

Run: ``make bench-report`` or ``python bench/bench_report.py [--cadres 20000]``.
Target (issue 12): the full report for 20,000 cadres under 5 s and under 1 GiB.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
os.environ["PATH"] = f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"


def uid() -> str:
    return uuid.uuid4().hex


def build_gradebook(path: Path, student_ids: list[str], questions: int, seed: int,
                    submitted: float = 1.0, always: frozenset[str] = frozenset()) -> int:
    """Fill a fresh nbgrader gradebook with bulk inserts; return the number of submissions.

    A share ``submitted`` of the students sit the quiz (those in ``always`` all do).
    """
    from nbgrader.api import Gradebook

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
        if rng.random() >= submitted and student not in always:
            continue
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


def run_measured(command: list[str], cwd: Path) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds (user + system), peak RSS in MiB) of one child process."""
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
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024  # Linux: KiB


def time_export(gradebook: Path, students: list[str], work: Path) -> float:
    """Seconds of `nbgrader export` restricted to ``students`` (set in a config file)."""
    folder = work / f"export-{len(students)}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    (folder / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.ExportPlugin.student = {students!r}\n", encoding="utf-8")
    seconds, _, _ = run_measured([str(BIN / "nbgrader"), "export", f"--db=sqlite:///{gradebook}",
                               f"--to={folder / 'grades.csv'}", "--log-level=ERROR"], folder)
    return seconds


def phases_child(report_args: list[str]) -> None:
    """In a fresh process: time the imports, then each phase of build_report; print JSON."""
    timings: dict[str, tuple[float, float]] = {}
    start = time.perf_counter(), time.process_time()
    import assessment.cli  # noqa: F401  (what every `assessment` command loads first)

    middle = time.perf_counter(), time.process_time()
    timings["imports: command line start-up"] = (middle[0] - start[0], middle[1] - start[1])
    from assessment.report.build import build_report

    end = time.perf_counter(), time.process_time()
    timings["imports: report modules"] = (end[0] - middle[0], end[1] - middle[1])
    gradebook, roster, targets, as_of, out = report_args
    build_report([gradebook], roster, targets, as_of, Path(out), quiet=True, timings=timings)
    print(json.dumps(timings))


def _plain_rows(table) -> list[list[object]]:
    frame = table.frame.astype(object).where(table.frame.notna(), None)
    return frame.values.tolist()


def writers_child(report_args: list[str]) -> None:
    """In a fresh process: the report's tables written by each writer (values and number
    formats, no other styling), best of three; print JSON seconds."""
    import datetime as dt

    import openpyxl
    import xlsxwriter
    from openpyxl.cell import WriteOnlyCell

    from assessment.report.excel import FORMATS
    from assessment.report.gradebook import read_gradebooks
    from assessment.report.roster import read_roster
    from assessment.report.stats import compute
    from assessment.report.tables import all_tables
    from assessment.report.targets import load_targets

    gradebook, roster, targets_file, as_of, out = report_args
    targets = load_targets(targets_file)
    results = compute(read_roster(roster, targets).frame, read_gradebooks([gradebook]),
                      targets, dt.date.fromisoformat(as_of))
    tables = [(t.key, list(t.frame.columns), [t.kinds.get(h, "text") for h in t.frame.columns],
               _plain_rows(t)) for t in all_tables(results, targets)]
    folder = Path(out).parent

    def with_openpyxl(path: Path) -> None:
        book = openpyxl.Workbook(write_only=True)
        for key, headers, kinds, rows in tables:
            ws = book.create_sheet(key)
            ws.append(headers)
            for row in rows:
                cells = []
                for value, kind in zip(row, kinds, strict=True):
                    if kind in FORMATS and value is not None:
                        value = WriteOnlyCell(ws, value=value)
                        value.number_format = FORMATS[kind]
                    cells.append(value)
                ws.append(cells)
        book.save(path)

    def with_xlsxwriter(path: Path) -> None:
        book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
        formats = {k: book.add_format({"num_format": f}) for k, f in FORMATS.items()}
        for key, headers, kinds, rows in tables:
            ws = book.add_worksheet(key)
            ws.write_row(0, 0, headers)
            for r, row in enumerate(rows, start=1):
                for c, (value, kind) in enumerate(zip(row, kinds, strict=True)):
                    if value is not None:
                        ws.write(r, c, value, formats.get(kind))
        book.close()

    writers = {"openpyxl write-only": with_openpyxl, "XlsxWriter constant_memory": with_xlsxwriter}
    best = dict.fromkeys(writers, float("inf"))
    for _ in range(3):  # taking turns, so a busy moment of the machine hits both alike
        for name, write in writers.items():
            start = time.perf_counter()
            write(folder / "writer.xlsx")
            best[name] = min(best[name], time.perf_counter() - start)
    (folder / "writer.xlsx").unlink()
    print(json.dumps(best))


def run_child(mode: str, report_args: list[str]) -> dict:
    output = subprocess.run([sys.executable, __file__, mode, *report_args], cwd=ROOT,
                            capture_output=True, text=True)
    if output.returncode != 0:
        raise SystemExit(f"{mode} failed:\n{output.stderr}")
    return json.loads(output.stdout.splitlines()[-1])


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] in ("--phases-child", "--writers-child"):
        (phases_child if sys.argv[1] == "--phases-child" else writers_child)(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cadres", type=int, default=20_000)
    parser.add_argument("--questions", type=int, default=20)
    parser.add_argument("--submitted", type=float, default=0.8,
                        help="share of the cadres who sat the final quiz")
    parser.add_argument("--samples", type=int, nargs=2, default=(50, 200),
                        help="two sample sizes for nbgrader export")
    parser.add_argument("--no-export", action="store_true",
                        help="leave out the (slow) nbgrader export comparison")
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "out" / "report")
    args = parser.parse_args()
    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    from assessment.demo import synthetic_roster, write_roster_xlsx

    t0 = time.perf_counter()
    roster = synthetic_roster(args.cadres, seed=7)
    roster_path = write_roster_xlsx(roster, work / "danh-sach.xlsx")
    ids = roster["Mã cán bộ"].tolist()
    strangers = [f"KHACH{i:04d}" for i in range(max(1, args.cadres // 100))]
    gradebook = work / "gradebook.db"
    count = build_gradebook(gradebook, ids + strangers, args.questions, seed=7,
                            submitted=args.submitted, always=frozenset(strangers))
    print(f"Built in {time.perf_counter() - t0:.1f} s: roster of {args.cadres} cadres (.xlsx), "
          f"gradebook with {len(ids) + len(strangers)} students ({args.submitted:.0%} of the "
          f"cadres submitted), {count} submissions, "
          f"{count * args.questions} grades ({gradebook.stat().st_size / 2**20:.0f} MiB).")

    report_cmd = [str(BIN / "assessment"), "report", "--gradebook", str(gradebook),
                  "--roster", str(roster_path), "--targets", str(ROOT / "quizzes/targets.yml"),
                  "--as-of", "2024-11-30", "--out", str(work / "out"), "-q"]
    seconds, cpu, peak = run_measured(report_cmd, ROOT)
    print(f"assessment report (full, {args.cadres} cadres): {seconds:.2f} s wall, {cpu:.2f} s "
          f"CPU, peak memory {peak:.0f} MiB (goal: under 5 s and 1024 MiB)")
    print(f"  (load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; a busy "
          "machine inflates wall time, CPU time much less)")

    child_args = [str(gradebook), str(roster_path), str(ROOT / "quizzes/targets.yml"),
                  "2024-11-30", str(work / "out-phases")]
    phases = run_child("--phases-child", child_args)
    print(f"Phases of the same report (another process):  {'wall':>7} {'CPU':>7}")
    for phase, (wall, cpu) in phases.items():
        print(f"  {phase:<44} {wall:6.2f}s {cpu:6.2f}s")
    print(f"  {'sum of the phases':<44} {sum(w for w, _ in phases.values()):6.2f}s "
          f"{sum(c for _, c in phases.values()):6.2f}s")
    writers = run_child("--writers-child", child_args)
    print("Workbook writers on the report's tables (values and number formats), best of 3:")
    for writer, spent in writers.items():
        print(f"  {writer:<44} {spent:6.2f}s")
    if args.no_export:
        return

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
