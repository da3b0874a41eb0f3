"""Every test reads settings from its own folders: the command line reads the user's and
IT's settings files (XDG locations, as Qt does), never the real ones of this machine."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _private_settings_files(tmp_path_factory: pytest.TempPathFactory,
                            monkeypatch: pytest.MonkeyPatch) -> Path:
    base = tmp_path_factory.mktemp("settings")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(base / "user"))
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(base / "system"))
    return base
