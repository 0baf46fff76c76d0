"""`make bench-online`'s script runs end to end on a small size, on both databases, paced and
with no pause (its timings are not asserted), and leaves no server, database or folder
behind."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from conftest import ROOT


def test_bench_online_runs_on_a_small_size(tmp_path):
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^bench-online:.*\n\t\$\(PYTHON\) bench/bench_online.py$", makefile, re.M)
    # The script's own temp folder, so other test runs' servers don't count (short path:
    # PostgreSQL's unix socket lives there; readable by the `postgres` user under root).
    own_tmp = Path(tempfile.mkdtemp(prefix="bo-"))
    own_tmp.chmod(0o755)
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench_online.py"), "--cadres", "3",
         "--workers", "1", "--databases", "sqlite,postgresql", "--time-limit", "240",
         "--think", "0.02", "--ramp", "0.5", "--saturation-workers", "1",
         "--json", str(tmp_path / "ket-qua.json")],
        capture_output=True, text=True, timeout=900, cwd=ROOT,
        env=dict(os.environ, TMPDIR=str(own_tmp),
                 PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"))
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    for database in ("sqlite", "postgresql"):
        for pace in ("nghỉ 0.02 s", "không nghỉ"):
            assert re.search(rf"cadres\s+{database}\s+1 tiến trình\s+3 đồng thời, {pace}: "
                             r".* lỗi\s+0 .*\n\s+xong 3/3", out), (database, pace, out)
    figures = json.loads((tmp_path / "ket-qua.json").read_text(encoding="utf-8"))
    cadres = [f for f in figures if f["kind"] == "cadres"]
    assert [(f["database"], f["think_s"]) for f in cadres] == [
        ("sqlite", 0.02), ("postgresql", 0.02), ("sqlite", 0.0), ("postgresql", 0.0)]
    # each cadre: sign-in page, sign in, my quizzes, start, the quiz, 40 saves, submit, result
    assert all(f["requests"] == 3 * 47 and f["confirmed"] == 3 for f in cadres), cadres
    # the CPU of each side is counted: the service, PostgreSQL only when it serves
    assert all(f["cpu_service_s"] > 0 and f["service_ms_per_quiz"] > 0 for f in cadres)
    assert [f["cpu_postgresql_s"] > 0 for f in cadres] == [False, True, False, True]
    # the paced cadres really pause: 43 pauses of at least 0.01 s each
    paced_wall = min(f["seconds"] for f in cadres if f["think_s"])
    assert paced_wall >= 43 * 0.01, cadres
    if (ROOT / "_build/html/book/cong-uoc/quyen-tre-em.html").is_file():
        assert [f["kind"] for f in figures].count("static") == 1
    assert list(own_tmp.glob("assessment-pg-*")) == []
    shutil.rmtree(own_tmp)
