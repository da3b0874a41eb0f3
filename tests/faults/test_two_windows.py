"""Concurrent use: two windows on one course, and a window with another process writing
underneath it. Window A saves a PROCEED plan; window B (or another process) saves a newer
revision that HOLDs. A, never reloaded, must not have its double check accepted for the
plan it shows, must never print "double-checked" for a plan that is not the latest stored
revision, and its next save must not replace B's HOLD without saying so."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from besponsa_desktop.controller import PlanController
from besponsa_desktop.course_controller import CONFLICT
from besponsa_desktop.settings import Settings
from besponsa_desktop.ui.main_window import MainWindow
from tests.ui.conftest import no_modal_dialogs  # noqa: F401
from tests.ui.helpers import ROOT, request
from tests.ui.test_course_window import (  # noqa: F401
    CHECKER,
    PREPARER,
    _pdf_text,
    check,
    no_input_dialogs,
    retype,
    save_cycle1,
    sign_in,
)

MRN = "H1234567"


def _window(qtbot, tmp_path: Path, name: str, db: Path) -> MainWindow:
    settings = Settings(tmp_path / f"{name}-user.ini", tmp_path / "system.ini")
    settings.set("database_path", str(db))
    controller = PlanController(settings)
    window = MainWindow(controller)
    qtbot.addWidget(window, before_close_func=lambda w: setattr(w, "unsaved", False))
    with qtbot.waitExposed(window):
        window.show()
    controller.load_core()
    return window


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "courses.sqlite3"


@pytest.fixture
def window_a(qtbot, tmp_path: Path, db: Path) -> MainWindow:
    window = _window(qtbot, tmp_path, "a", db)
    save_cycle1(qtbot, window)
    assert window.plan_view.decision == "proceed"
    return window


def _hold_request() -> dict:
    held = request()
    held["labs"]["total_bilirubin"] = 40  # above 1.5 × ULN 21: hold (Table 3)
    return held


def _saved_hold_in_window_b(qtbot, tmp_path: Path, db: Path) -> MainWindow:
    window = _window(qtbot, tmp_path, "b", db)
    window.load_values(window.controller.course.open_course(MRN))
    retype(qtbot, window.form.fields["labs.total_bilirubin"].line, "40")
    sign_in(qtbot, window, "Other Pharmacist")
    assert window.plan_view.decision == "hold"
    assert window.save() is True
    return window


def _saved_hold_by_another_process(db: Path, tmp_path: Path) -> None:
    path = tmp_path / "hold.json"
    path.write_text(json.dumps(_hold_request()))
    done = subprocess.run(
        [sys.executable, "-m", "besponsa_desktop", "plan", str(path), "--save", "--by",
         "Other Pharmacist", "--db", str(db)],
        capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["decision"] == "hold"


def _stored_decisions(db: Path) -> list[str]:
    from besponsa_desktop.app.courses import CourseService

    service = CourseService(db=db)
    try:
        plans = service.history(MRN)["cycles"][0]["plans"]
        return [p["decision"] for p in plans]
    finally:
        service.close()


def _a_is_told_and_never_prints_double_checked(qtbot, window_a: MainWindow, db: Path) -> None:
    check(qtbot, window_a, CHECKER, "165", "62")
    notice = window_a.course_panel().notice
    assert notice.kind == CONFLICT, notice.text.text()
    assert "changed elsewhere" in notice.text.text() and "not recorded" in notice.text.text()
    verified = window_a.controller.double_check
    printed = _pdf_text(window_a.controller.render_printout())
    # never "double-checked" for a plan that is not the latest stored revision
    if window_a.plan_view.decision == "proceed":
        assert verified is None
        assert "double-checked by" not in printed and "re-entered blind by" not in printed
        assert "NOT YET VERIFIED" in printed
    # A's next save does not replace B's HOLD without a conflict
    stored_before = _stored_decisions(db)
    assert stored_before == ["proceed", "hold"]
    window_a.save()
    stored = _stored_decisions(db)
    assert stored[:2] == ["proceed", "hold"]
    assert len(stored) == 2 or notice.kind == CONFLICT


def test_two_windows_a_stale_double_check_is_refused_and_never_printed(
    qtbot, tmp_path: Path, db: Path, window_a: MainWindow
) -> None:
    _saved_hold_in_window_b(qtbot, tmp_path, db)
    _a_is_told_and_never_prints_double_checked(qtbot, window_a, db)


def test_another_process_a_stale_double_check_is_refused_and_never_printed(
    qtbot, tmp_path: Path, db: Path, window_a: MainWindow
) -> None:
    _saved_hold_by_another_process(db, tmp_path)
    _a_is_told_and_never_prints_double_checked(qtbot, window_a, db)


def test_a_window_whose_course_changed_says_so_before_any_action_and_reloads(
    qtbot, tmp_path: Path, db: Path, window_a: MainWindow
) -> None:
    _saved_hold_by_another_process(db, tmp_path)
    course = window_a.controller.course
    with qtbot.waitSignal(course.notice, timeout=5000) as said:
        course.record_dose(1, 1, "given", by=PREPARER, at=datetime(2026, 12, 1, 10, 30))
    assert "changed elsewhere" in said.args[0].text
    panel = window_a.course_panel()
    qtbot.mouseClick(panel.notice.reload_button, Qt.MouseButton.LeftButton)
    assert window_a.plan_view.decision == "hold"  # the course and the form reloaded


def test_the_window_shows_the_chain_head_that_the_printout_and_export_carry(
    qtbot, tmp_path: Path, db: Path, window_a: MainWindow
) -> None:
    from besponsa_desktop.app.courses import CourseService

    service = CourseService(db=db)
    try:
        head = service.verify(None).head_short
        exported = service.export(MRN)
    finally:
        service.close()
    window_a.load_values(window_a.controller.course.open_course(MRN))
    assert f"Record chain {head}" in window_a.course_panel().patient.text()
    assert str(exported["source_chain_head"]).startswith(head)
    printed = " ".join(_pdf_text(window_a.controller.render_printout()).split())
    assert f"Record chain head {head}" in printed
