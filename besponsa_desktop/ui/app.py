"""Starting the window: the QApplication, ``run`` and the ``--smoke`` check.

The dosing rules are loaded before the window is shown (``__main__`` imports them first,
before Qt); reportlab and the store load only when printing or saving.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QApplication

from besponsa_desktop.clock import seconds_since_launch

if TYPE_CHECKING:
    from datetime import date

    from besponsa_desktop.controller import PlanController
    from besponsa_desktop.ui.main_window import MainWindow


def application() -> QApplication:
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    app = QApplication(sys.argv[:1])
    app.setOrganizationName("besponsa-desktop")
    app.setApplicationName("besponsa-desktop")
    app.setApplicationDisplayName("besponsa-desktop")
    icon = icon_path()
    if icon is not None:
        from PySide6.QtGui import QIcon

        app.setWindowIcon(QIcon(str(icon)))  # every window's, and the taskbar's
    return app


def icon_path() -> Path | None:
    """The program's icon: resources/ beside the package (source tree, Windows payload)
    or inside a PyInstaller bundle."""
    bundle = getattr(sys, "_MEIPASS", None)
    for root in [Path(bundle)] if bundle else [Path(__file__).resolve().parents[2]]:
        path = root / "resources" / "icons" / "besponsa-desktop.png"
        if path.is_file():
            return path
    return None


def read_request_file(path: str) -> tuple[dict[str, object] | None, str]:
    """The request in a JSON file for ``--load``, or None and why it could not be read."""
    import json  # only --load needs it: not at every start-up
    from pathlib import Path

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, f"{path}: no such file"
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        return None, f"{path}: not a readable JSON request ({type(error).__name__})"
    if not isinstance(data, dict):
        return None, f"{path}: a JSON object (a plan request) is expected"
    return data, ""


def smoke_request(today: date) -> dict[str, object]:
    """A complete cycle-1 request dated from today, which the rules must plan (proceed)."""
    from datetime import timedelta

    day = today.isoformat()
    return {
        "label": "US",
        "patient": {"name": "Smoke Check", "mrn": "SMOKE1", "date_of_birth": "1980-03-15",
                    "sex": "female"},
        "height_cm": 165, "weight_kg": 62, "measured_on": day, "bsa_formula": "mosteller",
        "cycle": {"number": 1, "start_date": (today + timedelta(days=1)).isoformat(),
                  "extend_to_28_days": False},
        "dose_day": 1, "response": "none", "mrd_negative": False, "hsct_planned": False,
        "dose_level": 0, "longest_toxicity_interruption_days": 0,
        "baseline": {"anc": 2.1, "platelets": 140},
        "labs": {"taken_on": day, "anc": 2.1, "platelets": 140,
                 "platelets_after_transfusion": False,
                 "low_counts_attributed_to_disease": False, "total_bilirubin": 10,
                 "total_bilirubin_uln": 21, "bilirubin_from_gilbert_or_hemolysis": False,
                 "ast": 25, "ast_uln": 40, "alt": 30, "alt_uln": 40,
                 "serum_creatinine_umol_l": 70, "peripheral_blasts_per_mm3": 4000},
        "events": {"vod": False, "severe_infusion_reaction": False, "nonhematologic_grade": 0},
    }


def smoke_plan(window: MainWindow, controller: PlanController) -> str:
    """--smoke's last step: the form filled as a user would and planned by the rules; the
    decision shown. Raises if no plan comes out (a broken installation)."""
    from datetime import date

    window.load_values(controller.load_request(smoke_request(date.today())))
    if controller.plan is None:
        raise RuntimeError("the smoke check's request was not planned")
    return str(controller.plan.decision)


def run(smoke: bool = False, load: str | None = None) -> int:
    """Show the window; returns the exit code. ``smoke``: once the window is painted, plan
    a complete request through it, print the times and exit 0 (1 if no plan comes out).

    The window is built whole, with the dosing rules loaded, before it is first shown:
    what is painted can be used at once. (``__main__`` imports the rules before Qt.)"""
    app = application()
    from besponsa_desktop.controller import PlanController
    from besponsa_desktop.settings import Settings
    from besponsa_desktop.ui.main_window import MainWindow, install_exception_hook

    controller = PlanController(Settings())
    window = MainWindow(controller)
    window.remember_geometry = not smoke
    install_exception_hook(window)
    controller.load_core()
    if load:
        data, problem = read_request_file(load)
        if data is None:
            window.statusBar().showMessage(problem)
        else:
            window.load_values(controller.load_request(data))
    outcome = {"code": 0}

    def painted() -> None:
        painted_ms = seconds_since_launch() * 1000
        try:
            decision = smoke_plan(window, controller)
            # one line: the paint, then a plan made through the window
            print(f"besponsa-desktop: window painted {painted_ms:.0f} ms, usable "
                  f"(dosing rules loaded, a plan made: {decision}) "
                  f"{seconds_since_launch() * 1000:.0f} ms after launch", flush=True)
        except Exception as error:  # an installation problem: say so, never a traceback
            from besponsa_desktop.logs import log_internal_error

            log_internal_error(error)
            print("besponsa-desktop: the smoke check's request could not be planned",
                  file=sys.stderr)
            outcome["code"] = 1
        window.close()
        app.quit()

    if smoke:
        window.after_first_paint(painted)
    window.show()
    code = app.exec()
    return outcome["code"] or code
