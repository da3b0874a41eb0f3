"""Shared fixtures for the store tests: a fresh database per test, and the log folder
redirected so nothing reaches the real one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from besponsa_desktop.store import database


@pytest.fixture(autouse=True)
def _private_log_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    logs = tmp_path / "logs"
    monkeypatch.setenv("BESPONSA_LOG_DIR", str(logs))
    return logs


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "course.sqlite3"


@pytest.fixture
def conn(db_path: Path) -> Iterator[Any]:
    connection = database.connect(db_path)
    yield connection
    connection.close()
