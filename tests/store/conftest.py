"""Shared fixtures for the store tests: the log folder redirected so nothing reaches the
real one. The databases (``db_path``, ``store``, ``service``, ``other``, on both backends)
come from tests/conftest.py."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _private_log_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    logs = tmp_path / "logs"
    monkeypatch.setenv("BESPONSA_LOG_DIR", str(logs))
    return logs
