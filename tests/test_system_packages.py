"""`make test` checks the system packages before any test: installs them, or stops with one message.

The real script (.ci/system-packages.sh) and the real Makefile run here. What cannot happen
in a test (a package really missing, a real apt-get) is simulated: CHROMIUM_PATH points at a
file that does not exist, NO_APT_INSTALL=1 forbids installing, and for the install path small
`apt-get`, `sudo` and `id` programs placed first on PATH record what they were asked to do.
`make test` runs in a copy of the Makefile whose `.venv/bin/python` only records that it ran,
so a preflight that wrongly passed could never start the real suite.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from conftest import ROOT

SCRIPT = ROOT / ".ci" / "system-packages.sh"


def run_script(env: dict[str, str], cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(SCRIPT)], cwd=cwd, env={**os.environ, **env},
                          capture_output=True, text=True, timeout=30)


def fake_program(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    path.chmod(0o755)


def test_everything_present_is_silent():
    result = run_script({"NO_APT_INSTALL": "1"})
    assert result.returncode == 0, result.stderr
    assert result.stderr == "" and result.stdout == ""


def test_missing_browser_without_install_gives_one_message(tmp_path):
    result = run_script({"CHROMIUM_PATH": str(tmp_path / "khong-co" / "chromium"),
                         "NO_APT_INSTALL": "1"})
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    message = lines[0]
    assert "sudo apt-get update && sudo apt-get install -y chromium rồi chạy lại make test" \
        in message
    assert str(tmp_path / "khong-co" / "chromium") in message
    assert "CHROMIUM_PATH" in message


def test_several_missing_packages_are_named_in_one_command(tmp_path):
    # A PATH without pdftotext, node, npm or soffice: only the few tools the script uses.
    bare = tmp_path / "bin"
    bare.mkdir()
    for tool in ("sed", "id", "bash"):
        os.symlink(shutil.which(tool), bare / tool)
    result = subprocess.run(
        [str(bare / "bash"), str(SCRIPT)], capture_output=True, text=True, timeout=30,
        env={"PATH": str(bare), "NO_APT_INSTALL": "1",
             "CHROMIUM_PATH": str(tmp_path / "chromium"), "PG_BIN": str(tmp_path / "pg")})
    assert result.returncode == 1
    assert ("sudo apt-get install -y chromium poppler-utils nodejs npm libreoffice-calc-nogui "
            "postgresql rồi") in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def install_fakes(tmp_path: Path, uid: int, sudo_ok: bool) -> tuple[dict[str, str], Path]:
    """apt-get that 'installs' chromium at CHROMIUM_PATH; id and sudo as asked; a call log."""
    fakes, log = tmp_path / "fakes", tmp_path / "calls.log"
    fakes.mkdir()
    chromium = tmp_path / "chromium"
    fake_program(fakes, "apt-get", f'echo "apt-get $*" >> {log}\n'
                 f'case "$1" in install) touch {chromium}; chmod +x {chromium};; esac')
    fake_program(fakes, "id", f"echo {uid}")
    fake_program(fakes, "sudo", f'echo "sudo $*" >> {log}\n'
                 + ('shift; [ "$1" = true ] && exit 0; exec "$@"' if sudo_ok else "exit 1"))
    env = {"PATH": f"{fakes}{os.pathsep}{os.environ['PATH']}", "CHROMIUM_PATH": str(chromium)}
    return env, log


def test_root_installs_what_is_missing(tmp_path):
    env, log = install_fakes(tmp_path, uid=0, sudo_ok=False)
    result = run_script(env)
    assert result.returncode == 0, result.stderr
    calls = log.read_text().splitlines()
    assert calls == ["apt-get update -q",
                     "apt-get install -y -q --no-install-recommends chromium"]
    assert "Cài các gói hệ thống còn thiếu: chromium" in result.stderr


def test_passwordless_sudo_installs_what_is_missing(tmp_path):
    env, log = install_fakes(tmp_path, uid=1000, sudo_ok=True)
    result = run_script(env)
    assert result.returncode == 0, result.stderr
    calls = log.read_text().splitlines()
    assert "sudo -n apt-get install -y -q --no-install-recommends chromium" in calls
    assert "apt-get install -y -q --no-install-recommends chromium" in calls


def test_no_root_and_no_sudo_explains_instead(tmp_path):
    env, log = install_fakes(tmp_path, uid=1000, sudo_ok=False)
    result = run_script(env)
    assert result.returncode == 1
    assert log.read_text().splitlines() == ["sudo -n true"]  # asked, refused, nothing run
    assert "sudo apt-get install -y chromium" in result.stderr


def make_copy(tmp_path: Path) -> Path:
    """The Makefile and the script in a folder whose .venv and node stamps are up to date."""
    copy = tmp_path / "repo"
    (copy / ".ci").mkdir(parents=True)
    shutil.copy(ROOT / "Makefile", copy / "Makefile")
    shutil.copy(SCRIPT, copy / ".ci" / SCRIPT.name)
    for name in ("requirements.txt", "pyproject.toml", "package.json", "package-lock.json"):
        (copy / name).write_text("", encoding="utf-8")
        os.utime(copy / name, (1_000_000_000, 1_000_000_000))
    (copy / ".venv" / "bin").mkdir(parents=True)
    fake_program(copy / ".venv" / "bin", "python", f'echo "python $*" >> {copy / "ran.log"}')
    (copy / ".venv" / ".installed").touch()
    (copy / "node_modules").mkdir()
    (copy / "node_modules" / ".package-lock.json").touch()
    return copy


def test_make_test_stops_before_pytest_with_the_message(tmp_path):
    copy = make_copy(tmp_path)
    result = subprocess.run(
        ["make", "test"], cwd=copy, capture_output=True, text=True, timeout=60,
        env={**os.environ, "CHROMIUM_PATH": str(tmp_path / "khong-co"), "NO_APT_INSTALL": "1"})
    assert result.returncode != 0
    assert "sudo apt-get install -y chromium" in result.stderr
    assert not (copy / "ran.log").exists(), "pytest ran although a package is missing"


def test_make_test_runs_pytest_after_the_check(tmp_path):
    copy = make_copy(tmp_path)
    result = subprocess.run(["make", "test"], cwd=copy, capture_output=True, text=True,
                            timeout=60, env={**os.environ, "NO_APT_INSTALL": "1"})
    assert result.returncode == 0, result.stderr
    assert (copy / "ran.log").read_text().splitlines() == ["python -m pytest"]
    assert result.stdout.index("system-packages.sh") < result.stdout.index("-m pytest")
