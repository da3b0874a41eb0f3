"""Screenshots of the dialogs that act on a course (record dose, correct a record, record
the response, double check), each over the window with the course open, for the docs and
for review. Run under Xvfb on a 1366×768 screen, like the ward PCs:

    XDG_CONFIG_HOME=$(mktemp -d) xvfb-run -a -s "-screen 0 1366x768x24" \\
        python scripts/screenshot-dialogs.py docs/screenshots
"""

from __future__ import annotations

import json
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtGui import QGuiApplication  # noqa: E402

from besponsa_desktop.app import courses  # noqa: E402
from besponsa_desktop.app.courses import CourseService  # noqa: E402
from besponsa_desktop.controller import PlanController  # noqa: E402
from besponsa_desktop.settings import Settings  # noqa: E402
from besponsa_desktop.ui.app import application  # noqa: E402
from besponsa_desktop.ui.main_window import MainWindow  # noqa: E402

PHARMACIST = "A. Okafor"


# The ward's clock for the shots: Monday 30 Nov 2026, 16:00 (UTC+1), the day before the
# course's Day 1, so that recording Day 1 as given shows the refusal a nurse would see.
NOW = datetime(2026, 11, 30, 16, 0, tzinfo=timezone(timedelta(hours=1)))


def main(out: Path) -> int:
    courses.now = lambda: NOW  # type: ignore[assignment]
    app = application()
    work = Path(tempfile.mkdtemp())
    request = json.loads((ROOT / "scripts/screenshot-states/proceed.json").read_text())
    for key in ("response", "baseline"):  # cycle 1: as the window sends it
        request.pop(key, None)
    service = CourseService(db=work / "course.sqlite3")
    service.save_plan(service.plan(request), by=PHARMACIST, expected_version=0)
    service.record_dose("H1234567", 1, 1, "held", by=PHARMACIST, reason="platelets 40")
    service.close()
    settings = Settings(work / "user.ini", work / "system.ini")
    settings.set("database_path", str(work / "course.sqlite3"))
    controller = PlanController(settings)
    window = MainWindow(controller)
    window.remember_geometry = False
    window.show()
    controller.load_core()
    panel = window.course_panel()
    panel.signer.setText(PHARMACIST)
    controller.course.set_signer(PHARMACIST)
    window.load_values(controller.course.open_course("H1234567") or {})
    window.show_course()

    def given_ahead() -> None:
        """Day 1 recorded on Monday as given on Tuesday at 10:30: refused by the core."""
        panel.select_dose(1, 1)
        window.record_dose()
        dialog = panel.dialog
        dialog.choose("given")
        dialog.given_on.setText("1 Dec 2026")
        dialog.given_at.setText("10:30")
        dialog.record()

    def response_refused() -> None:
        """A response after cycle 1 while its Day 1 is still held: refused by the core."""
        panel.select_dose(1, 1)
        window.record_response()
        dialog = panel.dialog
        dialog.choose("cr")
        dialog.record()

    shots = [
        ("dialog-record-dose", lambda: (panel.select_dose(1, 8), window.record_dose())),
        ("dialog-record-dose-given-ahead", given_ahead),
        ("dialog-correct-record", lambda: (panel.select_dose(1, 1), window.correct_record())),
        ("dialog-response", lambda: (panel.select_dose(1, 1), window.record_response())),
        ("dialog-response-refused", response_refused),
    ]
    out.mkdir(parents=True, exist_ok=True)

    def next_shot() -> None:
        if panel.dialog is not None:
            QGuiApplication.primaryScreen().grabWindow(0).save(str(out / f"{shots[0][0]}.png"))
            print(out / f"{shots[0][0]}.png")
            panel.dialog.reject()
            shots.pop(0)
        if not shots:
            app.quit()
            return
        shots[0][1]()
        QTimer.singleShot(1200, next_shot)

    QTimer.singleShot(1500, next_shot)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("screenshots")))
