"""The yardstick for start-up: an empty PySide6 main window, started and timed exactly like
``besponsa-desktop --smoke`` (time from launch to the first finished paint).

``--label`` puts one line of text in it: the first text a Qt window shows starts the font
system (some 40 million instructions, 5–10 ms here), which an empty window never pays.

``--pydantic`` first imports pydantic and validates with one small strict model, as the
program's dosing rules must: the least any window whose rules are pydantic models can take.
"""

from __future__ import annotations

import sys

if "--pydantic" in sys.argv[1:]:  # before Qt, as the program loads its rules
    import os

    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    from pydantic import BaseModel, ConfigDict

    class _Request(BaseModel):
        model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
        height_cm: float

    _Request(height_cm=165.0)

from PySide6.QtCore import QTimer
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

from besponsa_desktop.clock import seconds_since_launch


class Window(QMainWindow):
    """Detects its first paint as the program's MainWindow does: a paintEvent override."""

    painted = False

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self.painted:
            self.painted = True
            QTimer.singleShot(0, done)


def done() -> None:
    print(f"yardstick window: painted {seconds_since_launch() * 1000:.0f} ms after launch",
          flush=True)
    QApplication.quit()


def main() -> int:
    app = QApplication(sys.argv[:1])
    window = Window()
    window.resize(1340, 740)
    if "--label" in sys.argv[1:]:
        window.setCentralWidget(QLabel("besponsa-desktop"))
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
