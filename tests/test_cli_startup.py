"""`assessment --help` starts fast: no heavy library is imported before a command needs it.

Each `assessment` command runs in a new process; importing nbformat (→ jsonschema, ~1 s),
pandas, matplotlib, nbgrader, flask, sqlalchemy or playwright at start-up made every command,
`--help` included, wait seconds before doing anything (issue 12). The speed itself is measured
by `make bench-startup` (bench/bench_startup.py), not asserted here.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import click
import pytest
from click.testing import CliRunner

from assessment.cli import COMMANDS, LazyGroup, main

from conftest import ROOT

HEAVY = ["nbformat", "jsonschema", "pandas", "numpy", "matplotlib", "nbgrader", "flask",
         "sqlalchemy", "playwright", "openpyxl", "bs4", "pypdf", "tqdm"]

# In a fresh interpreter: import the CLI, then show the help of every command and subcommand
# (each lazily registered module gets imported), and report which heavy packages got loaded.
PROBE = textwrap.dedent("""
    import json, sys
    import click
    from assessment.cli import main
    heavy = json.loads(sys.argv[1])
    def loaded():
        return sorted({name.split(".")[0] for name in sys.modules} & set(heavy))
    at_import = loaded()
    shown = []
    def walk(group, path):
        ctx = click.Context(group)
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            shown.append(" ".join(path + [name]))
            try:
                main.main(path + [name, "--help"], prog_name="assessment", standalone_mode=False)
            except SystemExit:
                pass
            if isinstance(command, click.Group):
                walk(command, path + [name])
    try:
        main.main(["--help"], prog_name="assessment", standalone_mode=False)
    except SystemExit:
        pass
    walk(main, [])
    print(json.dumps({"at_import": at_import, "after_help": loaded(), "shown": shown}))
""")


def probe() -> dict:
    result = subprocess.run([sys.executable, "-c", PROBE, json.dumps(HEAVY)], cwd=ROOT,
                            capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_no_heavy_import_at_start_up_or_for_any_help():
    found = probe()
    assert found["at_import"] == [], f"`import assessment.cli` loads {found['at_import']}"
    assert {"quiz generate", "bank check", "report", "handouts"} <= set(found["shown"])
    assert found["after_help"] == [], (
        f"`assessment ... --help` loads {found['after_help']}: import them inside the command "
        "function that needs them (see assessment/cli.py)")


def test_importtime_of_the_cli_lists_no_heavy_module():
    result = subprocess.run([sys.executable, "-X", "importtime", "-c", "import assessment.cli"],
                            cwd=ROOT, capture_output=True, text=True, check=True)
    names = {line.split("|")[-1].strip().split(".")[0] for line in result.stderr.splitlines()
             if line.startswith("import time:")}
    assert "click" in names  # the probe itself works
    assert not names & set(HEAVY), sorted(names & set(HEAVY))


def test_every_registered_command_loads_and_runs_its_help():
    runner = CliRunner()
    for name in COMMANDS:
        result = runner.invoke(main, [name, "--help"], prog_name="assessment")
        assert result.exit_code == 0, result.output
        assert result.output.startswith(f"Usage: assessment {name} ")


def test_lazy_group_rejects_an_attribute_that_is_not_a_command():
    group = LazyGroup(name="x", lazy_commands={"bad": "assessment.cli:COMMANDS"})
    with pytest.raises(TypeError, match="assessment.cli:COMMANDS"):
        group.get_command(click.Context(group), "bad")
    assert group.get_command(click.Context(group), "missing") is None
