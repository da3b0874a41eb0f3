"""Starting the window: the QApplication, ``run`` and the ``--smoke`` check.

Only what the first paint needs is imported before it: the dosing rules (pydantic) load
just after the window is painted; reportlab and the store only when printing or saving.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

_STARTED = time.perf_counter()


def seconds_since_launch() -> float:
    """Wall time since this process started (Linux: from /proc), else since import."""
    try:
        with open("/proc/self/stat", encoding="ascii") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        import os

        ticks = os.sysconf("SC_CLK_TCK")
        started = int(fields[19]) / ticks
        with open("/proc/uptime", encoding="ascii") as handle:
            uptime = float(handle.read().split()[0])
        return max(uptime - started, time.perf_counter() - _STARTED)
    except (OSError, ValueError, IndexError):
        return time.perf_counter() - _STARTED


class FirstPaint(QObject):
    """Calls ``done`` once, when the first paint of the window's widgets has finished."""

    def __init__(self, window: QObject, done: Callable[[], None]) -> None:
        super().__init__(window)
        self.window = window
        self.done = done
        self.fired = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self.fired and event.type() == QEvent.Type.Paint:
            self.fired = True
            # the rest of this paint pass runs first; then the window is on screen
            QTimer.singleShot(0, self.done)
        return False


def application() -> QApplication:
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    app = QApplication(sys.argv[:1])
    app.setOrganizationName("besponsa-desktop")
    app.setApplicationName("besponsa-desktop")
    app.setApplicationDisplayName("besponsa-desktop")
    return app


def read_request_file(path: str) -> tuple[dict[str, object] | None, str]:
    """The request in a JSON file for ``--load``, or None and why it could not be read."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, f"{path}: no such file"
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        return None, f"{path}: not a readable JSON request ({type(error).__name__})"
    if not isinstance(data, dict):
        return None, f"{path}: a JSON object (a plan request) is expected"
    return data, ""


def run(smoke: bool = False, load: str | None = None) -> int:
    """Show the window; returns the exit code. ``smoke``: print the time to the first paint
    and exit 0 (and 1 if the dosing rules then fail to load)."""
    app = application()
    from besponsa_desktop.controller import PlanController
    from besponsa_desktop.settings import Settings
    from besponsa_desktop.ui.main_window import MainWindow

    controller = PlanController(Settings())
    window = MainWindow(controller, staged=True)
    window.remember_geometry = not smoke
    if load:
        data, problem = read_request_file(load)
        if data is None:
            window.statusBar().showMessage(problem)
        else:
            window.load_values(controller.load_request(data))
    outcome = {"code": 0}

    def painted() -> None:
        if smoke:
            print(f"besponsa-desktop: window painted {seconds_since_launch() * 1000:.0f} ms "
                  "after launch", flush=True)
        try:
            window.finish_startup()
        except Exception as error:  # an installation problem: say so, never a traceback
            from besponsa_desktop.logs import log_internal_error

            log_internal_error(error)
            print("besponsa-desktop: the dosing rules could not be loaded", file=sys.stderr)
            outcome["code"] = 1
            if not smoke:
                window.statusBar().showMessage(
                    "The dosing rules could not be loaded: please contact IT.")
        if smoke:
            window.close()
            app.quit()

    watcher = FirstPaint(window, painted)
    app.installEventFilter(watcher)
    window.show()
    code = app.exec()
    app.removeEventFilter(watcher)
    return outcome["code"] or code
