"""The fault-injection suite: hostile input, damaged and foreign databases, kill -9, a full
disk. Every test here runs the program as a user would (the command line's ``main``, or a
child process) and asserts what the user sees: the exit code and the message."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from besponsa_desktop import cli

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "cycle1-day1-proceed.json"
MRN = "H1234567"


@pytest.fixture(autouse=True)
def _private_log_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The log, and the settings files the command line reads, in the test's folder (never
    the user's own)."""
    logs = tmp_path / "logs"
    monkeypatch.setenv("BESPONSA_LOG_DIR", str(logs))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "user-config"))
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(tmp_path / "system-config"))
    return logs


def run(*argv: str, stdin: str | None = None,
        monkeypatch: pytest.MonkeyPatch | None = None) -> tuple[int, str, str]:
    """The command line in-process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    if stdin is not None:
        assert monkeypatch is not None
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = cli.main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def example() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    return data


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "course.sqlite3"


@pytest.fixture
def saved(db: Path) -> Path:
    """A database holding the example patient's cycle 1 Day 1 plan."""
    code, _, err = run("plan", str(EXAMPLE), "--save", "--by", "Ann", "--db", str(db))
    assert code == 0, err
    return db
