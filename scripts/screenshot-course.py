"""Screenshot of the window with a course open (the timeline beside the plan), for the docs.

Builds a worked course in a temporary database — cycle 1 given (Day 8 moved by two days),
the response recorded, cycle 2 Day 1 planned and double-checked — opens it in the real
window, and grabs the screen. Run under Xvfb on a 1366×768 screen, like the ward PCs:

    XDG_CONFIG_HOME=$(mktemp -d) xvfb-run -a -s "-screen 0 1366x768x24" \\
        python scripts/screenshot-course.py docs/screenshots/course.png
    convert docs/screenshots/course.png -colors 128 PNG8:docs/screenshots/course.png
"""

from __future__ import annotations

import json
import sys
import tempfile
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtGui import QGuiApplication  # noqa: E402

from besponsa_desktop.controller import PlanController  # noqa: E402
from besponsa_desktop.core.models import Response  # noqa: E402
from besponsa_desktop.core.planner import make_plan  # noqa: E402
from besponsa_desktop.settings import Settings  # noqa: E402
from besponsa_desktop.store import courses, database, double_check  # noqa: E402
from besponsa_desktop.ui.app import application  # noqa: E402
from besponsa_desktop.ui.main_window import MainWindow  # noqa: E402

PHARMACIST, NURSE, CHECKER = "A. Okafor", "R. Silva", "M. Chen"


def build_course(path: Path) -> None:
    request = json.loads((ROOT / "scripts/screenshot-states/proceed.json").read_text())
    conn = database.connect(path)
    courses.save_plan(conn, make_plan(request), signed_by=PHARMACIST, expected_version=0)
    mrn = request["patient"]["mrn"]
    courses.record_dose(conn, mrn, 1, 1, "given", by=NURSE, at=datetime(2026, 12, 1, 10, 30))
    courses.record_dose(conn, mrn, 1, 8, "moved", by=PHARMACIST,
                        moved_to=datetime(2026, 12, 10).date(),
                        reason="chair unavailable on Tue 8 Dec")
    courses.record_dose(conn, mrn, 1, 8, "given", by=NURSE, at=datetime(2026, 12, 10, 11, 5))
    courses.record_dose(conn, mrn, 1, 15, "held", by=PHARMACIST,
                        reason="platelets 38 on 15 Dec", toxicity_interruption_days=3)
    courses.record_dose(conn, mrn, 1, 15, "given", by=NURSE, at=datetime(2026, 12, 17, 9, 45),
                        toxicity_interruption_days=3)
    courses.record_response(conn, mrn, 1, Response.CR, by=PHARMACIST)
    following = courses.next_cycle_request(conn, mrn)
    following.update({
        "weight_kg": 60.5, "measured_on": "2026-12-21", "response": "cr",
        "labs": dict(request["labs"], taken_on="2026-12-21", anc=1.9, platelets=120),
    })
    following["labs"].pop("peripheral_blasts_per_mm3", None)
    if not following.get("baseline"):
        following["baseline"] = request["baseline"]
    saved = courses.save_plan(conn, make_plan(following), signed_by=PHARMACIST,
                              expected_version=courses.course_version(conn, mrn))
    double_check.record_check(conn, saved.plan_id, checked_by=CHECKER, height=165, weight=60.5)
    conn.close()


def main(out: str) -> int:
    app = application()
    work = Path(tempfile.mkdtemp())
    build_course(work / "course.sqlite3")
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
    values = controller.course.open_course("H1234567")
    if values is not None:
        window.load_values(values)
    window.show_course()
    panel.select_dose(2, 1)

    def shoot() -> None:
        screen = QGuiApplication.primaryScreen()
        screen.grabWindow(0).save(out)
        print(out)
        app.quit()

    QTimer.singleShot(2500, shoot)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "course.png"))
