"""The window on a ward database: saving and the double check signed by people who log in
(the second person's password asked in the dialog and never kept), and an open course that
follows changes made at another workstation — LISTEN/NOTIFY on the ward database,
PRAGMA data_version on a database file."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from besponsa_desktop.app.courses import CourseService
from besponsa_desktop.course_controller import CONFLICT, INFO
from besponsa_desktop.ui.main_window import MainWindow
from tests.backends import PASSWORD
from tests.pg_cluster import wait_until
from tests.ui.test_course_window import CHECKER, PREPARER, retype, save_cycle1, timeline_rows

MRN = "H1234567"


@pytest.fixture(autouse=True)
def _private_log_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BESPONSA_LOG_DIR", str(tmp_path / "logs"))


@pytest.fixture
def ward_url(ward, ward_db, settings) -> str:
    """The settings name the ward database; the window is signed in as the preparer."""
    url = ward.url(ward_db, PREPARER)
    settings.set("database_url", url)
    return url


def _open_dialog(qtbot, window: MainWindow, name: str, password: str):
    dialog = window.double_check()
    assert dialog is not None and dialog.ward
    assert dialog.password.isVisible()
    assert dialog.password.echoMode() == dialog.password.EchoMode.Password
    qtbot.keyClicks(dialog.checker, name)
    qtbot.keyClicks(dialog.password, password)
    qtbot.keyClicks(dialog.height_edit, "165")
    qtbot.keyClicks(dialog.weight_edit, "62")
    dialog.compare()
    return dialog


def test_the_window_saves_to_the_ward_database_and_the_second_person_logs_in(
    qtbot, window, ward_url
):
    save_cycle1(qtbot, window)
    # the preparer cannot sign the check, even with her own password
    dialog = _open_dialog(qtbot, window, PREPARER, PASSWORD)
    assert dialog.isVisible() and "second person" in dialog.problem.text()
    assert dialog.password.text() == ""  # never kept, not even in the field
    dialog.reject()
    # a wrong password records nothing
    dialog = _open_dialog(qtbot, window, CHECKER, "wrong password")
    assert dialog.isVisible() and "user name or password" in dialog.problem.text()
    dialog.reject()
    assert window.controller.double_check is None
    dialog = _open_dialog(qtbot, window, CHECKER, PASSWORD)
    assert not dialog.isVisible()
    assert window.controller.double_check.checked_by == CHECKER
    plan_row = next(r for r in timeline_rows(window) if r[0] == "Plan Day 1")
    assert f"double-checked by {CHECKER}" in plan_row[4]


def test_a_name_typed_for_someone_else_is_refused_on_the_ward_database(
    qtbot, window, ward_url
):
    from tests.ui.helpers import load, request

    load(window, request())
    panel = window.course_panel()
    retype(qtbot, panel.signer, "Nora Nurse")  # not who logged in to the database
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert f"signed by the database user who makes it ({PREPARER})" in (
        panel.notice.text.text())


def _elsewhere(db: str | Path) -> CourseService:
    return CourseService(db=db)


def _record_elsewhere(service: CourseService) -> None:
    service.record_dose(MRN, 1, 8, "held", by=None,  # type: ignore[arg-type]
                        reason="platelets low")


def test_a_change_at_another_workstation_appears_in_the_open_window(
    qtbot, window, ward, ward_db, ward_url
):
    save_cycle1(qtbot, window)
    course = window.controller.course
    nurse = _elsewhere(ward.url(ward_db, "Nora Nurse"))
    try:
        _record_elsewhere(nurse)
    finally:
        nurse.close()
    panel = window.course_panel()

    def heard() -> bool:
        course.check_for_changes()  # what the window's timer does every two seconds
        return "changed on another workstation" in panel.notice.text.text()

    assert wait_until(heard, timeout=10)
    assert panel.notice.kind == INFO
    day8 = next(r for r in timeline_rows(window) if r[0].startswith("Day 8"))
    assert "held" in " ".join(day8).lower()


def test_unsaved_entries_are_kept_and_the_window_says_it_must_reload(
    qtbot, window, tmp_path, settings
):
    path = tmp_path / "courses.sqlite3"
    settings.set("database_path", str(path))
    save_cycle1(qtbot, window)
    retype(qtbot, window.form.fields["weight_kg"].line, "63")  # unsaved entries
    other = _elsewhere(path)
    try:
        other.record_dose(MRN, 1, 1, "given", by="Nora Nurse",
                          at=datetime(2026, 12, 1, 10, 0))
    finally:
        other.close()
    window.controller.course.check_for_changes()  # the timer's work, at once
    panel = window.course_panel()
    assert panel.notice.kind == CONFLICT
    assert "reload the course" in panel.notice.text.text()
    assert panel.notice.reload_button.isVisibleTo(panel)
    assert window.form.fields["weight_kg"].line.text() == "63"


def test_the_window_checks_for_changes_only_while_a_course_is_open(qtbot, window, settings,
                                                                  tmp_path):
    settings.set("database_path", str(tmp_path / "courses.sqlite3"))
    course = window.controller.course
    assert not course._watch_timer.isActive()
    save_cycle1(qtbot, window)
    assert course._watch_timer.isActive()
    course.clear()
    assert not course._watch_timer.isActive()
