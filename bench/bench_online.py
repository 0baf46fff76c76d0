"""Benchmark: the online service under simulated cadres, beside the same server's static page.

For each database (SQLite in ``--data``; PostgreSQL: a throwaway server started here, as the
tests do) and each number of gunicorn workers, a fresh service is prepared (N accounts, one
open round of the 40-question final quiz) and started with ``assessment serve``. Then N
simulated cadres (tests/cadre_client.py) take the quiz at the same time over loopback, each:
opening the sign-in page, signing in (argon2), opening "Bài kiểm tra của tôi", starting the
quiz, saving each of the 40 answers as the page's script does, submitting with "Nộp bài" and
reading "Điểm: X/Y".

Two kinds of run:

* **paced** (``--think``, default 3 s): before each action a cadre pauses 1.5–4.5 s (typing,
  reading a question), and cadres arrive over ``--ramp`` seconds (default 30 s). The book's
  sample schedule gives the final quiz about 40 minutes, a minute a question, so these cadres
  work about 20 times faster than real ones: 500 of them send as many requests a second
  (about 137 over a run) as about 7,000 cadres at a real pace (47 requests in 40 minutes).
  p95 here is what a cadre feels during an exam round.
* **saturation** (``--saturation``, on by default): the same cadres with no pause at all, all
  at once, on 2 workers, beside the limit: the same number of clients each reading one static
  book page as many times as a cadre makes requests. This measures capacity (requests/s), not
  what a person feels: with no pause, N clients always queue (N / throughput seconds each).

Each run also reports the CPU seconds used by the service (gunicorn master and workers), by
PostgreSQL, and by this load generator, which shares the machine's 2 cores with them.

Bounded: N cadres, one pass each, and a time limit per run (cadres not done by then count as
errors). Nothing leaves 127.0.0.1.

Run: ``make bench-online`` or
``python bench/bench_online.py --cadres 200,500 --workers 1,2,4 --databases sqlite,postgresql``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import httpx  # noqa: E402
from cadre_client import CadreError, Stats, client, read_static, take_quiz  # noqa: E402
from live_service import PASSWORD, cadre_id, prepare, running_service  # noqa: E402
from pg import running_postgres  # noqa: E402

STATIC_PAGE = "/book/cong-uoc/quyen-tre-em.html"
LOGS = ROOT / "bench" / "out" / "online"  # the server's log of each run (git-ignored)


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def _stat(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def cpu_seconds(root: int) -> float:
    """CPU time of a process tree so far: every live process's own time and the time of its
    children that have already ended (cutime, cstime), e.g. PostgreSQL's closed backends."""
    tick = os.sysconf("SC_CLK_TCK")
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        try:
            fields = _stat(pid)
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        total += sum(int(fields[i]) for i in (11, 12, 13, 14)) / tick
        todo += [int(child) for child in children]
    return total


def own_cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


async def _load(url: str, cadres: int, limit: float, static: str | None,
                per_client: int, ramp: float = 0.0, think: float = 0.0) -> tuple[Stats, float]:
    """N clients (all at once, or arriving evenly over ``ramp`` seconds); the stats and the
    wall time."""
    stats = Stats()

    async def one(n: int) -> None:
        await asyncio.sleep(ramp * (n - 1) / cadres)
        async with client(url) as http:
            try:
                if static:
                    await read_static(http, stats, static, per_client)
                else:
                    await take_quiz(http, stats, cadre_id(n), PASSWORD, seed=n, think=think)
            except (CadreError, httpx.HTTPError, ValueError, KeyError) as error:
                stats.errors.append(f"{cadre_id(n)}: {type(error).__name__}: {error}")

    start = time.perf_counter()
    tasks = [asyncio.create_task(one(n)) for n in range(1, cadres + 1)]
    done, pending = await asyncio.wait(tasks, timeout=limit)
    for task in pending:
        task.cancel()
    if pending:
        await asyncio.gather(*pending, return_exceptions=True)
        stats.errors += [f"chưa xong sau {limit:.0f} s"] * len(pending)
    return stats, time.perf_counter() - start


def row(kind: str, database: str, workers: int, cadres: int, think: float, stats: Stats,
        wall: float, cpu: dict[str, float]) -> dict:
    submit = stats.by_kind.get("nộp bài", [])
    sign_in = stats.by_kind.get("đăng nhập", [])
    done = len(stats.confirmed)
    return {
        "kind": kind, "database": database, "workers": workers, "cadres": cadres,
        "think_s": think, "confirmed": done, "requests": len(stats.latencies),
        "seconds": round(wall, 1),
        "rps": round(len(stats.latencies) / wall, 1) if wall else 0.0,
        "p50_ms": round(1000 * percentile(stats.latencies, 0.50), 1),
        "p95_ms": round(1000 * percentile(stats.latencies, 0.95), 1),
        "p99_ms": round(1000 * percentile(stats.latencies, 0.99), 1),
        "p95_sign_in_ms": round(1000 * percentile(sign_in, 0.95), 1) if sign_in else None,
        "p95_submit_ms": round(1000 * percentile(submit, 0.95), 1) if submit else None,
        "cpu_service_s": round(cpu["service"], 1),
        "cpu_postgresql_s": round(cpu["postgresql"], 1),
        "cpu_load_generator_s": round(cpu["load"], 1),
        "service_ms_per_quiz": round(1000 * (cpu["service"] + cpu["postgresql"]) / done)
        if kind == "cadres" and done else None,
        "errors": len(stats.errors),
        "first_error": stats.errors[0] if stats.errors else "",
    }


def server_problems(log: Path) -> str:
    """What gunicorn's log says went wrong (worker timeouts, tracebacks), counted."""
    text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    marks = {"WORKER TIMEOUT": "worker quá giờ", "Traceback": "traceback",
             "Worker was sent SIGKILL": "worker bị SIGKILL"}
    found = [f"{label} ×{text.count(mark)}" for mark, label in marks.items() if mark in text]
    return ", ".join(found)


def show(result: dict) -> None:
    pace = f"nghỉ {result['think_s']:g} s" if result["think_s"] else "không nghỉ"
    print(f"{result['kind']:<7} {result['database']:<10} {result['workers']} tiến trình "
          f"{result['cadres']:>4} đồng thời, {pace}: {result['rps']:>6.1f} yêu cầu/s  "
          f"p50 {result['p50_ms']:>7.1f} ms  p95 {result['p95_ms']:>8.1f} ms  "
          f"lỗi {result['errors']:>4}  ({result['requests']} yêu cầu, {result['seconds']} s)",
          flush=True)
    if result["kind"] == "cadres":
        print(f"        xong {result['confirmed']}/{result['cadres']}  p99 {result['p99_ms']} ms"
              f"  p95 đăng nhập {result['p95_sign_in_ms']} ms"
              f"  p95 nộp bài {result['p95_submit_ms']} ms", flush=True)
    cores = 2 * result["seconds"] or 1
    print(f"        CPU: dịch vụ {result['cpu_service_s']} s, PostgreSQL "
          f"{result['cpu_postgresql_s']} s, máy tạo tải {result['cpu_load_generator_s']} s "
          f"(của {cores:.0f} giây-lõi)"
          + (f"; {result['service_ms_per_quiz']} ms CPU máy chủ một bài"
             if result["service_ms_per_quiz"] else ""), flush=True)
    if result["first_error"]:
        print(f"        lỗi đầu tiên: {result['first_error'][:300]}", flush=True)
    if result.get("server_log"):
        print(f"        nhật ký máy chủ: {result['server_log']}", flush=True)


def measured(service, server, load) -> tuple[Stats, float, dict[str, float]]:
    """Run ``load`` (a coroutine) and the CPU seconds it cost each side."""
    def sides() -> dict[str, float]:
        return {"service": cpu_seconds(service.process.pid),
                "postgresql": cpu_seconds(server.pid) if server else 0.0,
                "load": own_cpu_seconds()}
    before = sides()
    stats, wall = asyncio.run(load)
    after = sides()
    return stats, wall, {side: after[side] - before[side] for side in before}


def run(args) -> list[dict]:
    """The paced runs over every configuration, then the saturation runs (2 workers)."""
    book = ROOT / "_build" / "html"
    static = STATIC_PAGE if (book / STATIC_PAGE.lstrip("/")).is_file() else None
    if static is None:
        print(f"(không có {book / STATIC_PAGE.lstrip('/')}: bỏ qua phép đo trang tĩnh; "
              "chạy `make book` trước)", flush=True)
    plan = [(database, workers, cadres, args.think, args.ramp)
            for database in args.databases for workers in args.workers
            for cadres in args.cadres]
    if args.saturation and args.think:
        plan += [(database, args.saturation_workers, cadres, 0.0, 0.0)
                 for database in args.databases for cadres in args.cadres]
    results = []
    with ExitStack() as stack:
        scratch = Path(tempfile.mkdtemp(prefix="bench-online-"))
        stack.callback(shutil.rmtree, scratch, True)
        server = (stack.enter_context(running_postgres({"max_connections": "400"}))
                  if "postgresql" in args.databases else None)
        for number, (database, workers, cadres, think, ramp) in enumerate(plan, start=1):
            name = f"{database}-{workers}-{cadres}-{number}"
            data = scratch / name / "du-lieu"
            data.parent.mkdir(parents=True)
            db_url = (server.create_database(name.replace("-", "_"))
                      if database == "postgresql" else None)
            prepare(data, cadres, db_url=db_url)
            pg = server if database == "postgresql" else None
            with running_service(data, workers=workers, threads=args.threads, db_url=db_url,
                                 book=book if static else None, timeout=180) as service:
                stats, wall, cpu = measured(service, pg, _load(
                    service.url, cadres, args.time_limit, None, 0, ramp, think))
                result = row("cadres", database, workers, cadres, think, stats, wall, cpu)
                result["server_log"] = server_problems(service.log)
                show(result)
                results.append(result)
                if static and not think and database == args.databases[0]:
                    per_client = max(1, round(len(stats.latencies) / cadres))
                    stats, wall, cpu = measured(service, None, _load(
                        service.url, cadres, args.time_limit, static, per_client))
                    result = row("static", "-", workers, cadres, 0.0, stats, wall, cpu)
                    show(result)
                    results.append(result)
            if service.log.exists():  # kept for reading: bench/out/online/
                LOGS.mkdir(parents=True, exist_ok=True)
                shutil.copy(service.log, LOGS / f"{name}.log")
            shutil.rmtree(data.parent, ignore_errors=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    numbers = lambda text: [int(x) for x in text.split(",")]  # noqa: E731
    parser.add_argument("--cadres", type=numbers, default=[200, 500],
                        help="simulated cadres at the same time, e.g. 50,200,500")
    parser.add_argument("--workers", type=numbers, default=[1, 2, 4],
                        help="gunicorn worker processes, e.g. 1,2,4")
    parser.add_argument("--threads", type=int, default=8, help="threads per worker")
    parser.add_argument("--databases", type=lambda t: t.split(","),
                        default=["sqlite", "postgresql"], help="sqlite,postgresql")
    parser.add_argument("--think", type=float, default=3.0,
                        help="a cadre's mean pause before each action, seconds (0: none)")
    parser.add_argument("--ramp", type=float, default=30.0,
                        help="seconds over which the paced cadres arrive (0: all at once)")
    parser.add_argument("--saturation", action=argparse.BooleanOptionalAction, default=True,
                        help="also run each size with no pause, with the static-page limit")
    parser.add_argument("--saturation-workers", type=int, default=2,
                        help="workers for the saturation runs")
    parser.add_argument("--time-limit", type=float, default=400,
                        help="seconds per run; cadres not done by then count as errors")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    # `kill` (SIGTERM) stops the servers and removes the data like Ctrl+C does
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    print(f"bench-online: {args.cadres} cadres × {args.workers} workers × {args.databases}; "
          f"{args.threads} threads/worker; pause {args.think:g} s per action, arriving over "
          f"{args.ramp:.0f} s; saturation runs: {'yes' if args.saturation else 'no'}; "
          f"limit {args.time_limit:.0f} s per run", flush=True)
    started = time.perf_counter()
    results = run(args)
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    paced = [r for r in results if r["kind"] == "cadres" and r["think_s"] and not r["errors"]]
    if paced:
        best = max(paced, key=lambda r: (r["cadres"], -r["p95_ms"]))
        print(f"Nhiều nhất không lỗi (có nghỉ): {best['cadres']} cán bộ đồng thời "
              f"({best['database']}, {best['workers']} tiến trình, p95 {best['p95_ms']} ms).")
    print(f"Tổng thời gian đo: {time.perf_counter() - started:.0f} s"
          if results else "Không có kết quả.")


if __name__ == "__main__":
    main()
