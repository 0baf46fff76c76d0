"""Every command of the `assessment` CLI is documented, and every option has help text."""

from __future__ import annotations

import click

from assessment.cli import main

from conftest import ROOT


def all_commands(group: click.Group, prefix: str = "assessment") -> list[tuple[str, click.Command]]:
    """Every command under ``group``, lazily registered ones included (loaded here)."""
    found = []
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, f"{prefix} {name} is listed but cannot be loaded"
        path = f"{prefix} {name}"
        found.append((path, command))
        if isinstance(command, click.Group):
            found.extend(all_commands(command, path))
    return found


def documentation() -> str:
    pages = [ROOT / "README.md", *sorted((ROOT / "book").rglob("*.md"))]
    return "\n".join(page.read_text(encoding="utf-8") for page in pages)


def test_every_command_is_documented():
    assert {"assessment quiz generate", "assessment report"} <= {p for p, _ in all_commands(main)}
    docs = documentation()
    missing = [path for path, _ in all_commands(main) if path not in docs]
    assert not missing, f"commands not in README.md or the book: {missing}"


def test_every_command_and_option_has_help():
    for path, command in all_commands(main):
        assert command.help, f"{path} has no help text"
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"{path} {param.opts} has no help text"
