"""``besponsa-desktop --smoke`` that stops at the first paint, for counting instructions.

``--smoke`` goes on, after the paint, to load the dosing rules (the installation check),
so its process does more work than the window's start-up. This runs the same start-up
and quits as soon as the window is painted, so that a whole-process count (valgrind)
measures launch to first paint only."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication

from besponsa_desktop.__main__ import main
from besponsa_desktop.ui.main_window import MainWindow


def _quit(window: MainWindow) -> None:
    window.close()
    QApplication.quit()


MainWindow.finish_startup = _quit  # type: ignore[method-assign]

if __name__ == "__main__":
    sys.exit(main(["--smoke"]))
