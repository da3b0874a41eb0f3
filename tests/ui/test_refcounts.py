"""The window survives a long session despite PySide6 6.12.0's reference-count bug (see
besponsa_desktop/ui/refcounts.py): run in fresh processes, where None's count starts low,
as in the real program."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.ui.helpers import ROOT

MANY_CALLS = """
import pathlib, tempfile
from PySide6.QtWidgets import QApplication, QLineEdit
from besponsa_desktop.controller import PlanController
from besponsa_desktop.settings import Settings
from besponsa_desktop.ui.main_window import MainWindow
app = QApplication([])
folder = pathlib.Path(tempfile.mkdtemp())
window = MainWindow(PlanController(Settings(folder / "user.ini", folder / "system.ini")))
editor = QLineEdit()
for _ in range(100_000):  # about 20 times what aborted Python before the guard
    editor.setPlaceholderText("required")  # returns nothing: drops a None
    editor.blockSignals(False)  # returns a bool: drops a True or False
print("survived")
"""

LONG_SESSION = """
import json, pathlib, sys, tempfile
from PySide6.QtWidgets import QApplication
from besponsa_desktop.controller import PlanController
from besponsa_desktop.settings import Settings
from besponsa_desktop.ui.main_window import MainWindow
app = QApplication([])
folder = pathlib.Path(tempfile.mkdtemp())
controller = PlanController(Settings(folder / "user.ini", folder / "system.ini"))
window = MainWindow(controller, staged=True)  # as the program starts it
window.finish_startup()  # after the first paint: the guard and the dosing rules
request = json.loads(pathlib.Path(sys.argv[1]).read_text(encoding="utf-8"))
window.load_values(controller.load_request(request))
field = window.form.fields["weight_kg"]
for typed in ["6", "62", "62.", "62.5", "abc", ""] * 100:  # 600 edits, wrong ones too
    field.line.setText(typed)
    field._text_edited(typed)
print("survived", window.plan_view.decision)
"""


def run(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=240)


def test_a_hundred_thousand_calls_do_not_abort_python():
    done = run(MANY_CALLS)
    assert done.returncode == 0, done.stderr[-500:]
    assert done.stdout.strip() == "survived"


def test_six_hundred_edits_in_the_window_do_not_abort_python():
    done = run(LONG_SESSION, str(ROOT / "scripts" / "screenshot-states" / "proceed.json"))
    assert done.returncode == 0, done.stderr[-500:]
    assert done.stdout.strip() == "survived incomplete"  # the last edit emptied the weight
