"""Shared fixtures for the store tests: a fresh database per test, and the log folder
redirected so nothing reaches the real one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from besponsa_desktop.app.courses import CourseService
from besponsa_desktop.store.repository import SqlCourseStore, open_store


@pytest.fixture(autouse=True)
def _private_log_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    logs = tmp_path / "logs"
    monkeypatch.setenv("BESPONSA_LOG_DIR", str(logs))
    return logs


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "course.sqlite3"


@pytest.fixture
def store(db_path: Path) -> Iterator[SqlCourseStore]:
    opened = open_store(db_path)
    yield opened
    opened.close()


@pytest.fixture
def service(db_path: Path) -> Iterator[CourseService]:
    opened = CourseService(db=db_path)
    yield opened
    opened.close()
