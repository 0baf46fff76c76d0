"""Dòng lệnh ``assessment``: mỗi nhóm lệnh nằm trong mô-đun riêng của nó.

The commands are registered lazily (click's documented ``LazyGroup`` pattern): the module of
a command is imported only when that command (or the list of commands, for ``--help``) is
needed. A command's module must itself stay light at import: heavy libraries (nbformat,
pandas, matplotlib, nbgrader, flask, sqlalchemy, playwright...) are imported inside the
command's function. ``tests/test_cli_startup.py`` checks this for every command.

To add a command, add one line to ``COMMANDS``: its name and ``"module:attribute"``.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

import click

from assessment import __version__

# name → "module:attribute" of the click command or group. Keep the modules light (see above).
COMMANDS: dict[str, str] = {
    "bank": "assessment.quiz.cli:bank",
    "quiz": "assessment.quiz.cli:quiz",
    "report": "assessment.report.cli:report",
    "grade": "assessment.grading.cli:grade",
    "handouts": "assessment.site.handouts:handouts",
    "serve": "assessment.service.cli:serve",
    "accounts": "assessment.service.cli:accounts",
    "rounds": "assessment.service.cli:rounds",
    "db": "assessment.service.dbcli:db",
}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use from ``module:attribute``."""

    def __init__(self, *args, lazy_commands: dict[str, str] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands = dict(lazy_commands or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy_commands and cmd_name not in self.commands:
            self.add_command(self._load(cmd_name), cmd_name)
        return super().get_command(ctx, cmd_name)

    def _load(self, cmd_name: str) -> click.Command:
        module_name, attribute = self.lazy_commands[cmd_name].split(":")
        command = getattr(importlib.import_module(module_name), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{self.lazy_commands[cmd_name]} is not a click command")
        return command


@click.group(cls=LazyGroup, lazy_commands=COMMANDS,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="assessment")
def main() -> None:
    """Công cụ của khóa học: bài kiểm tra (quiz), chấm bài (grade) và báo cáo thống kê (report)."""
    _own_bin_on_path()


def _own_bin_on_path() -> None:
    """Put this interpreter's bin/ first on PATH, for this process and what it starts.

    nbgrader's Gradebook runs the ``alembic`` command by name when it creates a gradebook, so
    ``.venv/bin/assessment serve`` (or ``grade``) run without ``source .venv/bin/activate``, as
    from a cron line, failed on a new gradebook; now every command finds it.
    """
    bin_dir = str(Path(sys.executable).parent)
    paths = os.environ.get("PATH", "").split(os.pathsep)
    if bin_dir not in paths:
        os.environ["PATH"] = os.pathsep.join([bin_dir, *paths])


if __name__ == "__main__":
    main()
