"""Fixtures for the application-layer tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from besponsa_desktop.app.courses import CourseService


@pytest.fixture
def sqlite_service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CourseService]:
    """The course services on a fresh SQLite database, logging into the test's folder (the
    root `service` fixture runs on every backend)."""
    monkeypatch.setenv("BESPONSA_LOG_DIR", str(tmp_path / "logs"))
    opened = CourseService(db=tmp_path / "course.sqlite3")
    yield opened
    opened.close()
