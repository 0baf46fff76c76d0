"""Benchmark: how long `assessment --help` (and a few other help pages) take before they print.

Runs each command REPEAT times as a fresh process (as a user's terminal does) and prints
the minimum, median and maximum wall time, hyperfine-style, then the ten slowest imports of
``python -X importtime -c "import assessment.cli"`` (cumulative microseconds).

Run: ``make bench-startup`` or ``python bench/bench_startup.py [--repeat 10]``.
Goal (issue 12): `assessment --help` and `assessment report --help` under 0.5 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
COMMANDS = [
    ["--help"],
    ["report", "--help"],
    ["quiz", "--help"],
    ["quiz", "generate", "--help"],
    ["handouts", "--help"],
]


def time_command(args: list[str], repeat: int) -> list[float]:
    """Wall times (seconds) of `assessment ARGS`, run ``repeat`` times after one warm-up."""
    command = [str(BIN / "assessment"), *args]
    subprocess.run(command, cwd=ROOT, capture_output=True, check=True)  # warm the disk cache
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, cwd=ROOT, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return times


def slowest_imports(count: int = 10) -> list[tuple[int, str]]:
    """The ``count`` largest cumulative import times (µs) of ``import assessment.cli``."""
    result = subprocess.run([sys.executable, "-X", "importtime", "-c", "import assessment.cli"],
                            cwd=ROOT, capture_output=True, text=True, check=True,
                            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    rows = []
    for line in result.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = line.removeprefix("import time:").split("|")
        rows.append((int(cumulative), name.strip()))
    return sorted(rows, reverse=True)[:count]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10, help="runs per command (default 10)")
    options = parser.parse_args()
    print(f"{'command':34} {'min':>7} {'median':>7} {'max':>7}   ({options.repeat} runs)")
    for args in COMMANDS:
        times = time_command(args, options.repeat)
        print(f"{'assessment ' + ' '.join(args):34} {min(times):6.3f}s "
              f"{statistics.median(times):6.3f}s {max(times):6.3f}s")
    print("\nslowest imports of `import assessment.cli` (cumulative):")
    for micros, name in slowest_imports():
        print(f"  {micros / 1000:8.1f} ms  {name}")


if __name__ == "__main__":
    main()
