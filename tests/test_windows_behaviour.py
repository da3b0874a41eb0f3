"""How the program behaves where Windows differs, simulated here: output into a pipe in
the ANSI code page (cp1252), and a window that fails to start under pythonw.exe (no stdout,
no stderr: only a message box and the log can tell the user)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "cycle1-day1-proceed.json"


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "QT_QPA_PLATFORM": "offscreen",
        "BESPONSA_LOG_DIR": str(tmp_path / "logs"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        **extra,
    }


def test_the_command_line_writes_utf8_into_a_cp1252_pipe(tmp_path):
    # Windows encodes a pipe in the ANSI code page; the plan holds √ and ≤, not in cp1252.
    done = subprocess.run(
        [sys.executable, "-m", "besponsa_desktop", "plan", str(EXAMPLE)],
        env=_env(tmp_path, PYTHONIOENCODING="cp1252"), capture_output=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    text = done.stdout.decode("utf-8")  # strict: every byte is UTF-8
    assert "≤" in text and "√" in text
    assert json.loads(text)["decision"] == "proceed"


def test_problems_go_to_a_cp1252_stderr_as_utf8(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**json.loads(EXAMPLE.read_text()), "weight_kg": "sixty≥"}),
                   encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "besponsa_desktop", "plan", str(bad)],
        env=_env(tmp_path, PYTHONIOENCODING="cp1252"), capture_output=True, timeout=120,
    )
    assert done.returncode == 2
    assert "weight_kg" in done.stderr.decode("utf-8")


# pythonw.exe: no console, so sys.stdout and sys.stderr are None. The message box is
# recorded to a file instead of shown (it would wait for a click).
PYTHONW = """
import sys
from pathlib import Path
record = Path(sys.argv[1])
sys.stdout = sys.stderr = None
from PySide6.QtWidgets import QMessageBox
QMessageBox.critical = staticmethod(lambda parent, title, text: record.write_text(text))
{break_it}
from besponsa_desktop.__main__ import main
raise SystemExit(main({args}))
"""

FAILING_WINDOW = """
import besponsa_desktop.ui.app as app
def broken(**_):
    raise RuntimeError("the main window could not be built")
app.run = broken
"""
MISSING_MODULE = "sys.modules['besponsa_desktop.ui.app'] = None  # an incomplete installation"


def _pythonw(tmp_path: Path, break_it: str, args: list[str]) -> tuple[int, str, str]:
    record = tmp_path / "message-box.txt"
    done = subprocess.run(
        [sys.executable, "-c", PYTHONW.format(break_it=break_it, args=args), str(record)],
        env=_env(tmp_path), capture_output=True, text=True, timeout=120,
    )
    assert done.stdout == done.stderr == ""  # nothing reaches a console that is not there
    log = tmp_path / "logs" / "besponsa-desktop.log"
    return (done.returncode, record.read_text() if record.exists() else "",
            log.read_text() if log.exists() else "")


def test_a_window_that_fails_to_start_under_pythonw_shows_a_message_and_logs(tmp_path):
    code, message, log = _pythonw(tmp_path, FAILING_WINDOW, [])
    assert code == 1
    assert "cannot start" in message and str(tmp_path / "logs") in message
    assert "RuntimeError" in log
    assert "could not be built" not in log  # messages may quote patient data: never logged


def test_a_broken_installation_under_pythonw_says_reinstall(tmp_path):
    code, message, log = _pythonw(tmp_path, MISSING_MODULE, [])
    assert code == 1
    assert "reinstall the program" in message
    assert "ModuleNotFoundError" in log


def test_smoke_check_fails_without_a_message_box(tmp_path):
    # --smoke is run by scripts and IT checks: exit 1, and nothing waits for a click
    code, message, log = _pythonw(tmp_path, FAILING_WINDOW, ["--smoke"])
    assert code == 1
    assert message == ""
    assert "RuntimeError" in log


def test_every_window_carries_the_program_icon(tmp_path):
    # the Start-menu shortcut has it from the MSI; the windows (and the taskbar) from Qt
    code = ("from besponsa_desktop.ui.app import application\n"
            "icon = application().windowIcon()\n"
            "print(icon.isNull(), max(s.width() for s in icon.availableSizes()))")
    done = subprocess.run([sys.executable, "-c", code], env=_env(tmp_path),
                          capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["False", "256"], done.stderr
