"""The boundaries and the code's hygiene, checked on every run: import-linter contracts,
ruff, and mypy strict on the core."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    found = BIN / name
    return str(found) if found.exists() else (shutil.which(name) or name)


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_import_contracts_keep_the_core_free_of_qt_printing_and_storage():
    done = run(tool("lint-imports"), "--no-cache")
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_finds_nothing():
    folders = [f for f in ("besponsa_desktop", "tests", "scripts", "benchmarks", "packaging")
               if (ROOT / f).is_dir()]
    done = run(tool("ruff"), "check", *folders)
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_on_the_program_strict_on_the_core_and_the_store():
    done = run(sys.executable, "-m", "mypy", "besponsa_desktop")
    assert done.returncode == 0, done.stdout + done.stderr


def test_packaging_folder_is_not_a_python_package():
    # An __init__.py there would shadow the `packaging` library that pip and pytest import.
    assert not (ROOT / "packaging" / "__init__.py").exists()
