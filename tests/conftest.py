"""Shared fixtures: the repository root, the table of contents, and one real book build."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

# One headless Chromium and one local web server for all browser tests (tests/site_browser.py).
pytest_plugins = ["site_browser", "report_fixtures", "pg", "service_fixtures"]

# nbgrader's Gradebook runs `alembic`: the venv's bin/ must be on PATH for every test.
os.environ["PATH"] = f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


def toc_parts() -> list[dict]:
    return yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))["parts"]


def toc_files() -> list[str]:
    """Every page of the table of contents, root first, as paths without extension."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    return [toc["root"]] + [ch["file"] for part in toc["parts"] for ch in part["chapters"]]


def content_pages() -> list[str]:
    """Pages of the numbered parts: the ones held to the full page standard."""
    return [ch["file"] for part in toc_parts() if part.get("numbered") for ch in part["chapters"]]


@pytest.fixture(scope="session")
def book_build(tmp_path_factory) -> tuple[Path, str]:
    """Build the real book once, as CI does (-n -W --keep-going); return (html dir, log)."""
    out = tmp_path_factory.mktemp("book")
    result = subprocess.run(
        [str(BIN / "jupyter-book"), "build", str(ROOT), "--path-output", str(out),
         "-n", "-W", "--keep-going"],
        capture_output=True, text=True, cwd=ROOT,
    )
    log = result.stdout + result.stderr
    assert result.returncode == 0, f"jupyter-book build failed:\n{log[-5000:]}"
    return out / "_build" / "html", log


@pytest.fixture(scope="session")
def book_html(book_build) -> Path:
    return book_build[0]
