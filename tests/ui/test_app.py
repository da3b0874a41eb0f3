"""Starting the program: --smoke, --load, and never a traceback for a bad request file."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from besponsa_desktop.__main__ import _window_args
from besponsa_desktop.ui.app import read_request_file
from tests.ui.helpers import ROOT, STATES


@pytest.mark.parametrize("scale", ["1", "2"])  # 2: a high-DPI screen
def test_smoke_starts_the_real_window_prints_one_line_and_exits_0(tmp_path, scale):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path),
               PYTHONPATH=str(ROOT), QT_SCALE_FACTOR=scale)
    done = subprocess.run([sys.executable, "-m", "besponsa_desktop", "--smoke"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("besponsa-desktop: window painted ")
    assert lines[0].endswith(" ms after launch")
    assert not list(tmp_path.rglob("*.ini"))  # a start-up check writes no settings


def test_the_window_loads_the_dosing_rules_before_qt(tmp_path):
    # PySide6 reads the source of every module imported after it (its __feature__ hook):
    # the rules (pydantic and the models, ~100 modules) come first, as a start-up cost
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path),
               PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "besponsa_desktop",
                           "--smoke"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    imported = [line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines()
                if line.startswith("import time:") and "|" in line]
    assert imported.index("besponsa_desktop.core.models") < imported.index("PySide6.QtCore")
    assert "besponsa_desktop.ui.plan_view" in imported  # the plan view is there to be used


def test_window_arguments_are_told_apart_from_commands():
    assert _window_args([]) == (False, None)
    assert _window_args(["--smoke"]) == (True, None)
    assert _window_args(["--load", "r.json"]) == (False, "r.json")
    assert _window_args(["--smoke", "--load=r.json"]) == (True, "r.json")
    assert _window_args(["plan", "r.json"]) is None


def test_request_files_that_cannot_be_loaded_say_why(tmp_path):
    assert read_request_file(str(tmp_path / "missing.json")) == (
        None, f"{tmp_path / 'missing.json'}: no such file")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    data, why = read_request_file(str(bad))
    assert data is None and "not a readable JSON request" in why
    listed = tmp_path / "list.json"
    listed.write_text("[1, 2]")
    assert read_request_file(str(listed))[0] is None
    data, why = read_request_file(str(STATES / "proceed.json"))
    assert why == "" and data["patient"]["mrn"] == "H1234567"
