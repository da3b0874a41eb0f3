"""The yardstick for start-up: an empty PySide6 main window, started and timed exactly like
``besponsa-desktop --smoke`` (time from launch to the first finished paint).

``--label`` puts one line of text in it: the first text a Qt window shows costs about
100 ms here (the font system starts), which an empty window never pays."""

from __future__ import annotations

import sys

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow


def main() -> int:
    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.resize(1340, 740)
    if "--label" in sys.argv[1:]:
        window.setCentralWidget(QLabel("besponsa-desktop"))

    def painted() -> None:
        from besponsa_desktop.ui.app import seconds_since_launch

        print(f"yardstick window: painted {seconds_since_launch() * 1000:.0f} ms after launch",
              flush=True)
        app.quit()

    class FirstPaint(QObject):
        fired = False

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if not self.fired and event.type() == QEvent.Type.Paint:
                self.fired = True
                QTimer.singleShot(0, painted)
            return False

    watcher = FirstPaint()
    app.installEventFilter(watcher)
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
