"""Fixtures shared by every test folder. Every test reads settings from its own folders:
the command line reads the user's and IT's settings files (XDG locations, as Qt does),
never the real ones of this machine."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

FOREIGN = ("de_DE", "zh_CN")  # the locales whose dates were seen in the window


@pytest.fixture(scope="session")
def foreign_locales(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    """German and Chinese C-library locales, built here with localedef (a test machine
    rarely has them installed): their names for ``locale.setlocale``."""
    if shutil.which("localedef") is None:
        pytest.skip("localedef is not installed")
    folder = tmp_path_factory.mktemp("locales")
    names = []
    for name in FOREIGN:
        made = subprocess.run(
            ["localedef", "-i", name, "-f", "UTF-8", str(folder / f"{name}.UTF-8")],
            capture_output=True, check=False,
        )
        if (folder / f"{name}.UTF-8").exists():
            names.append(f"{name}.UTF-8")
        elif made.returncode:
            pytest.skip(f"localedef could not build {name}")
    previous = os.environ.get("LOCPATH")
    os.environ["LOCPATH"] = str(folder)  # glibc reads it at each setlocale
    yield names
    if previous is None:
        os.environ.pop("LOCPATH", None)
    else:
        os.environ["LOCPATH"] = previous


@pytest.fixture(autouse=True)
def _private_settings_files(tmp_path_factory: pytest.TempPathFactory,
                            monkeypatch: pytest.MonkeyPatch) -> Path:
    base = tmp_path_factory.mktemp("settings")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(base / "user"))
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(base / "system"))
    return base
