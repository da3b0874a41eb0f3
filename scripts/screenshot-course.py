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
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtGui import QGuiApplication  # noqa: E402

from besponsa_desktop.app.courses import CourseService  # noqa: E402
from besponsa_desktop.controller import PlanController  # noqa: E402
from besponsa_desktop.settings import Settings  # noqa: E402
from besponsa_desktop.ui.app import application  # noqa: E402
from besponsa_desktop.ui.main_window import MainWindow  # noqa: E402

PHARMACIST, NURSE, CHECKER = "A. Okafor", "R. Silva", "M. Chen"


def _day_plan(service: CourseService, mrn: str, cycle: int, day: int, on: str,
              labs: dict) -> None:
    data = service.day_request(mrn, cycle, day)
    data.update({"weight_kg": 61, "measured_on": on, "labs": dict(labs, taken_on=on)})
    service.save_plan(service.plan(data), by=PHARMACIST)


def build_course(path: Path) -> None:
    """Through the application layer, as the window and the command line build courses."""
    request = json.loads((ROOT / "scripts/screenshot-states/proceed.json").read_text())
    labs = dict(request["labs"])
    labs.pop("peripheral_blasts_per_mm3", None)
    service = CourseService(db=path)
    service.save_plan(service.plan(request), by=PHARMACIST, expected_version=0)
    mrn = request["patient"]["mrn"]
    service.record_dose(mrn, 1, 1, "given", by=NURSE, at=datetime(2026, 12, 1, 10, 30))
    _day_plan(service, mrn, 1, 8, "2026-12-08", labs)
    service.record_dose(mrn, 1, 8, "moved", by=PHARMACIST, moved_to=date(2026, 12, 10),
                        reason="chair unavailable on Tue 8 Dec")
    service.record_dose(mrn, 1, 8, "given", by=NURSE, at=datetime(2026, 12, 10, 11, 5))
    _day_plan(service, mrn, 1, 15, "2026-12-15", labs)
    service.record_dose(mrn, 1, 15, "held", by=PHARMACIST, reason="platelets 38 on 15 Dec",
                        toxicity_days=3)
    service.record_dose(mrn, 1, 15, "given", by=NURSE, at=datetime(2026, 12, 17, 9, 45))
    service.record_response(mrn, 1, "cr", by=PHARMACIST)
    following = service.next_cycle_request(mrn)
    following.update({
        "weight_kg": 60.5, "measured_on": "2026-12-21",
        "labs": dict(labs, taken_on="2026-12-21", anc=1.9, platelets=120),
    })
    if not following.get("baseline"):
        following["baseline"] = request["baseline"]
    service.save_plan(service.plan(following), by=PHARMACIST)
    second = following["cycle"]["number"]
    service.double_check(mrn, second, 1, checked_by=CHECKER, height=165, weight=60.5)
    service.close()


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
