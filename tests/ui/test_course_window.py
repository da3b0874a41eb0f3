"""The course in the window: save and reopen, the next cycle, the administration record, a
save that conflicts with another workstation, and the blind double check. The database is
in tmp_path; no modal dialog may block (see conftest)."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QInputDialog, QMessageBox

from besponsa_desktop.course_controller import CONFLICT, ERROR
from besponsa_desktop.printing.options import DoubleCheck
from besponsa_desktop.ui.main_window import MainWindow
from tests.ui.helpers import ROOT, assert_shown_whole, load, request

PREPARER = "Ann Pharmacist"
CHECKER = "Ben Nurse"


@pytest.fixture(autouse=True)
def no_input_dialogs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing here may ask through a blocking input box either (a name, a date)."""

    def refuse(*_args, **_kwargs):
        raise AssertionError("a modal input dialog was opened")

    for name in ("getText", "getInt", "getDouble", "getItem", "getMultiLineText"):
        monkeypatch.setattr(QInputDialog, name, refuse)


@pytest.fixture
def db(settings, tmp_path: Path) -> Path:
    path = tmp_path / "courses.sqlite3"
    settings.set("database_path", str(path))
    return path


def retype(qtbot, editor, text: str) -> None:
    editor.setFocus()
    editor.selectAll()
    qtbot.keyClick(editor, Qt.Key.Key_Delete)
    qtbot.keyClicks(editor, text)


def sign_in(qtbot, window: MainWindow, name: str = PREPARER) -> None:
    panel = window.course_panel()
    retype(qtbot, panel.signer, name)
    assert window.controller.course.signer == name


def save_cycle1(qtbot, window: MainWindow) -> None:
    load(window, request())  # Jane Doe, cycle 1 from Tue 1 Dec 2026, 165 cm, 62 kg
    sign_in(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert "Saved cycle 1 Day 1" in window.statusBar().currentMessage()


def timeline_rows(window: MainWindow) -> list[list[str]]:
    tree = window.course_panel().tree
    rows = []
    for index in range(tree.topLevelItemCount()):
        top = tree.topLevelItem(index)
        rows.append([top.text(c) for c in range(5)])
        for child in range(top.childCount()):
            rows.append([top.child(child).text(c) for c in range(5)])
    return rows


def value(window: MainWindow, key: str):
    return window.form.fields[key].value(key)


def test_save_then_reopen_by_mrn_shows_the_cycle_in_the_timeline(qtbot, window, db):
    save_cycle1(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert value(window, "patient.name") == ""

    dialog = window.open_patient()
    assert dialog.isVisible() and window.course_panel().dialog is dialog
    assert not dialog.unsaved.isVisible()
    qtbot.keyClicks(dialog.search, "h12345")
    assert dialog.table.rowCount() == 1
    assert dialog.table.item(0, 0).text() == "Jane Doe"
    assert dialog.table.item(0, 2).text() == "Sat 15 Mar 1980"
    qtbot.keyClick(dialog.search, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    assert window.course_tabs.currentWidget() is window.course_panel()  # the timeline

    assert value(window, "patient.name") == "Jane Doe"
    assert value(window, "weight_kg") == "62"
    assert window.plan_view.decision == "proceed"
    rows = timeline_rows(window)
    assert rows[0][:2] == ["Cycle 1", "Tue 1 Dec 2026"]
    assert rows[0][4] == "full dose; response: not recorded"
    doses = [r for r in rows if r[0].startswith("Day ")]
    assert [(r[0], r[1], r[2]) for r in doses] == [
        ("Day 1", "Tue 1 Dec 2026", "PLANNED"),
        ("Day 8", "Tue 8 Dec 2026", "PLANNED"),
        ("Day 15", "Tue 15 Dec 2026", "PLANNED"),
    ]
    plan_row = next(r for r in rows if r[0] == "Plan Day 1")
    assert plan_row[2] == "PROCEED" and plan_row[1].startswith("saved ")
    assert f"by {PREPARER}" in plan_row[4] and "NOT YET VERIFIED" in plan_row[4]
    assert [r[3] for r in doses] == ["1.35 mg", "0.85 mg", "0.85 mg"]  # 0.8, 0.5, 0.5 mg/m²
    assert QApplication.activeModalWidget() is None


def test_patients_are_found_by_any_part_of_the_name(qtbot, window, db, monkeypatch):
    save_cycle1(qtbot, window)
    retype(qtbot, window.form.fields["weight_kg"].line, "63")
    # the window asks before an edit not saved may be replaced (test_shift_safety)
    discard = QMessageBox.StandardButton.Discard
    monkeypatch.setattr(QMessageBox, "question", lambda *_a, **_k: discard)
    dialog = window.open_patient()
    assert dialog.unsaved.isVisible()  # opening would replace an edit not saved
    dialog.reject()
    course = window.controller.course
    assert [m.mrn for m in course.find_patients("doe jane")] == ["H1234567"]
    assert [m.mrn for m in course.find_patients("DOE")] == ["H1234567"]
    assert course.find_patients("Smith") == []
    assert course.find_patients("%") == []  # typed wildcards are text, not patterns


def test_save_without_a_name_points_at_signed_in_as_and_saves_nothing(qtbot, window, db):
    load(window, request())
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    panel = window.course_panel()
    assert panel.notice.isVisible() and panel.notice.kind == ERROR
    assert "Signed in as" in panel.notice.text.text()
    assert panel.signer.hasFocus()
    assert panel.signer.property("problem") == "missing"  # marked as the form's fields are
    assert "dashed" in panel.signer.styleSheet()
    assert window.controller.course.find_patients("H1234567") == []
    retype(qtbot, panel.signer, "A. Okafor")
    assert panel.signer.property("problem") == "" and panel.signer.styleSheet() == ""


def test_plan_next_cycle_fills_cycle_2_and_leaves_weight_and_labs_required(qtbot, window, db):
    save_cycle1(qtbot, window)
    panel = window.course_panel()
    # a 10-day interruption for toxicity in cycle 1 is carried into cycle 2
    assert window.controller.course.record_dose(
        1, 1, "given", by=PREPARER, at=datetime(2026, 12, 1, 10, 30))
    assert window.controller.course.record_dose(
        1, 8, "held", by=PREPARER, reason="platelets low", toxicity_interruption_days=10)
    assert panel.status_of(1, 8) == "OMITTED"  # 7 days or more omits the dose (Table 4)
    window.show_course()
    qtbot.mouseClick(panel.next_button, Qt.MouseButton.LeftButton)

    assert window.course_tabs.currentIndex() == 0  # the plan, beside the form
    assert value(window, "cycle.number") == "2"
    assert value(window, "cycle.start_date") == "22 Dec 2026"  # cycle 1's next-cycle due date
    assert value(window, "dose_level") == "0"
    assert value(window, "longest_toxicity_interruption_days") == "10"
    assert value(window, "baseline.anc") == "2.1"
    assert value(window, "baseline.platelets") == "140"
    assert value(window, "height_cm") == "165"
    assert value(window, "previous_weight_kg") == "62"
    assert value(window, "response") == ""  # not yet recorded after cycle 1
    assert "response" in panel.notice.text.text()
    for key in ("weight_kg", "measured_on", "labs.anc", "labs.platelets"):
        assert value(window, key) == "", key
        editor = window.form.fields[key].editor
        assert editor.property("problem") == "missing", key
    assert window.form.fields["weight_kg"].line.placeholderText() == "required"
    assert window.plan_view.decision == "incomplete"
    assert "weight" in panel.notice.text.text() and "labs" in panel.notice.text.text()

    # the pharmacist completes it; the weight-change warning comes from the core
    values = dict(window.controller.values)
    labs = request()["labs"]
    values.update({"measured_on": "2026-12-21", "response": "cr", "labs.taken_on": "2026-12-21",
                   "labs.anc": "2", "labs.platelets": "150",
                   "labs.total_bilirubin": str(labs["total_bilirubin"]),
                   "labs.total_bilirubin_uln": "21", "labs.ast": "25", "labs.ast_uln": "40",
                   "labs.alt": "30", "labs.alt_uln": "40", "labs.serum_creatinine": "70"})
    window.controller.set_values(values)
    window.load_values(values)
    retype(qtbot, window.form.fields["weight_kg"].line, "70")
    plan = window.controller.plan
    assert plan is not None, window.controller.problems
    assert "weight_changed" in [w.code for w in plan.warnings]
    assert "weight_changed" not in [w.code for w in _replanned(window, "63")]


def _replanned(window: MainWindow, weight: str):
    window.controller.set_value("weight_kg", weight)
    return window.controller.plan.warnings


def test_recording_given_and_moved_updates_the_timeline_and_offers_only_allowed_dates(
    qtbot, window, db, ward_clock
):
    save_cycle1(qtbot, window)
    panel = window.course_panel()
    assert panel.select_dose(1, 1)
    dialog = panel.record_selected()
    dialog.choose("given")
    dialog.given_on.setText("1 Dec 2026")
    dialog.given_at.setText("10:30")
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    ward_clock.set(datetime(2026, 12, 2, 9, 0))  # the next day: Day 8 may still move
    assert panel.status_of(1, 1) == "GIVEN"
    day1 = next(r for r in timeline_rows(window) if r[0] == "Day 1")
    assert day1[1] == "Tue 1 Dec 2026 10:30" and f"given; recorded by {PREPARER}" in day1[4]

    assert panel.select_dose(1, 8)
    dialog = panel.record_selected()
    dialog.choose("moved")
    assert dialog.move_dates() == [date(2026, 12, d) for d in (7, 8, 9, 10)]
    offered = [dialog.move_to.itemText(i) for i in range(dialog.move_to.count())]
    assert offered == ["Mon 7 Dec 2026", "Tue 8 Dec 2026", "Wed 9 Dec 2026", "Thu 10 Dec 2026"]
    dialog.move_to.setCurrentIndex(2)
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert dialog.problem.isVisible() and "Reason" in dialog.problem.text()  # a reason first
    dialog.reason.setText("clinic closed")
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    day8 = next(r for r in timeline_rows(window) if r[0] == "Day 8")
    assert day8[1:3] == ["Wed 9 Dec 2026", "MOVED"]
    assert "from Tue 8 Dec 2026: clinic closed" in day8[4]


def test_a_held_dose_given_later_keeps_its_interruption_for_the_next_dose_level(
    qtbot, window, db
):
    save_cycle1(qtbot, window)
    panel = window.course_panel()
    assert window.controller.course.record_dose(
        1, 1, "given", by=PREPARER, at=datetime(2026, 12, 1, 10, 30))
    dialog = panel.record_dose(1, 8)
    dialog.choose("held")
    dialog.reason.setText("platelets 38")
    dialog.interruption.setText("3")
    dialog.record()
    assert not dialog.isVisible() and panel.status_of(1, 8) == "HELD"
    dialog = panel.record_dose(1, 8)
    assert dialog.interruption.text() == "3"  # carried into the new record
    dialog.choose("given")
    dialog.given_on.setText("2026-12-10")
    dialog.given_at.setText("9:15")
    dialog.record()
    # "given" needs the day's own plan (labs are checked before every dose): plan Day 8
    assert dialog.isVisible() and "no plan of its own" in dialog.problem.text()
    dialog.reject()
    course = window.controller.course
    values = course.plan_dose_day(1, 8)
    assert values is not None and values["dose_day"] == "8"
    labs = request()["labs"]
    values.update({"weight_kg": "62", "measured_on": "2026-12-08", "labs.taken_on": "2026-12-08",
                   "labs.anc": "2", "labs.platelets": "150",
                   "labs.total_bilirubin": str(labs["total_bilirubin"]),
                   "labs.total_bilirubin_uln": "21", "labs.ast": "25", "labs.ast_uln": "40",
                   "labs.alt": "30", "labs.alt_uln": "40", "labs.serum_creatinine": "70"})
    window.controller.set_values(values)
    window.load_values(values)
    assert window.controller.plan is not None, window.controller.problems
    assert window.save()
    dialog = panel.record_dose(1, 8)
    dialog.choose("given")
    dialog.given_on.setText("2026-12-10")
    dialog.given_at.setText("9:15")
    dialog.record()
    assert not dialog.isVisible(), dialog.problem.text()
    assert panel.status_of(1, 8) == "GIVEN"
    entries = panel.dose_data(1, 8)["entries"]
    assert [(e["kind"], e["toxicity_days"]) for e in entries] == [("held", 3), ("given", None)]
    assert "interrupted 3 days for toxicity" in next(
        r for r in timeline_rows(window) if r[0] == "Day 8")[4]


def test_a_dose_that_cannot_move_says_why_and_cannot_be_recorded_as_moved(
    qtbot, window, db, ward_clock
):
    save_cycle1(qtbot, window)
    course = window.controller.course
    # Day 1 is given on its planned date only (a late Day 1 is a hold and a new plan)
    assert not course.record_dose(1, 1, "given", by=PREPARER, at=datetime(2026, 12, 5, 9, 0))
    assert course.record_dose(1, 1, "given", by=PREPARER, at=datetime(2026, 12, 1, 9, 0))
    ward_clock.set(datetime(2026, 12, 2, 9, 0))  # the next day: Days 8 and 15 may move
    assert course.record_dose(1, 8, "moved", by=PREPARER, moved_to=date(2026, 12, 10),
                              reason="clinic closed")
    dialog = window.course_panel().record_dose(1, 15)
    dialog.choose("moved")
    # Day 15's window is 13-17 Dec; Day 8 on 10 Dec leaves only 16 and 17 Dec
    assert dialog.move_dates() == [date(2026, 12, 16), date(2026, 12, 17)]
    dialog.reject()
    dialog = window.course_panel().record_dose(1, 1)  # given: it cannot move any more
    dialog.choose("moved")
    assert dialog.move_dates() == [] and dialog.move_to.count() == 0
    assert dialog.move_reason.text()
    assert not dialog.ok.isEnabled()
    dialog.choose("held")
    assert dialog.ok.isEnabled()
    dialog.reject()


def test_a_conflicting_save_from_another_connection_is_reported_and_left_intact(
    qtbot, window, db
):
    save_cycle1(qtbot, window)
    from besponsa_desktop.app.courses import CourseService

    other = CourseService(db=db)  # another workstation
    elsewhere = request()
    elsewhere["weight_kg"] = 63
    other.save_plan(other.plan(elsewhere), by="Other Pharmacist",
                    expected_version=other.version("H1234567"))

    retype(qtbot, window.form.fields["weight_kg"].line, "64")
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    panel = window.course_panel()
    assert panel.notice.isVisible() and panel.notice.kind == CONFLICT
    assert "changed elsewhere" in panel.notice.text.text()
    assert "Nothing was overwritten" in panel.notice.text.text()
    assert panel.notice.reload_button.isVisible()
    assert QApplication.activeModalWidget() is None
    stored = other.history("H1234567")["cycles"][0]["plans"]
    assert [p["request"]["weight_kg"] for p in stored] == [62, 63]
    assert stored[-1]["saved_by"] == "Other Pharmacist"

    qtbot.mouseClick(panel.notice.reload_button, Qt.MouseButton.LeftButton)
    assert value(window, "weight_kg") == "64"  # the form keeps what was typed
    assert "Other Pharmacist" in str(timeline_rows(window))
    assert window.save()  # a deliberate save after seeing the change: a new revision
    stored = other.history("H1234567")["cycles"][0]["plans"]
    assert [p["request"]["weight_kg"] for p in stored] == [62, 63, 64]
    other.close()


def test_a_new_plan_for_an_mrn_already_stored_asks_to_open_that_course_first(qtbot, window, db):
    save_cycle1(qtbot, window)
    window.controller.course.course = None  # as in a second window that never opened it
    assert window.save() is False
    panel = window.course_panel()
    assert panel.notice.kind == ERROR and "Open it first" in panel.notice.text.text()
    assert len(window.controller.course.find_patients("H1234567")) == 1
    window.controller.course.open_course("H1234567")
    assert window.save() is True


def test_store_refusals_name_the_field_in_the_window_words(qtbot, window, db):
    save_cycle1(qtbot, window)
    course = window.controller.course
    with qtbot.waitSignal(course.notice) as said:
        assert course.record_dose(1, 8, "held", by=PREPARER, reason=" ") is False
    assert said.args[0].text == "Not recorded: Reason: required for a dose recorded as held"
    assert window.course_panel().status_of(1, 8) == "PLANNED"


def _pdf_text(data: bytes) -> str:
    import io

    import pypdf

    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def _visible_texts(widget) -> str:
    from PySide6.QtWidgets import QLabel, QLineEdit

    texts = [label.text() for label in widget.findChildren(QLabel) if label.isVisible()]
    texts += [line.text() for line in widget.findChildren(QLineEdit)]
    return " ".join(texts)


def check(qtbot, window: MainWindow, name: str, height: str, weight: str):
    dialog = window.double_check()
    assert dialog is not None and dialog.isVisible()
    assert not window.splitter.isVisible()  # the form and the plan are out of sight
    shown = _visible_texts(dialog)
    assert "165" not in shown and "62" not in shown  # blind: no original values
    qtbot.keyClicks(dialog.checker, name)
    qtbot.keyClicks(dialog.height_edit, height)
    qtbot.keyClicks(dialog.weight_edit, weight)
    dialog.compare()
    return dialog


def test_a_matching_blind_double_check_names_the_checker_for_the_printout(
    qtbot, window, db, settings
):
    save_cycle1(qtbot, window)
    assert window.controller.double_check is None
    dialog = check(qtbot, window, CHECKER, "165", "62.05")
    assert not dialog.isVisible() and window.splitter.isVisible()
    verified = window.controller.double_check
    assert isinstance(verified, DoubleCheck)
    assert verified.checked_by == CHECKER and verified.checked_at.tzinfo is not None
    plan_row = next(r for r in timeline_rows(window) if r[0] == "Plan Day 1")
    assert f"double-checked by {CHECKER}" in plan_row[4]
    assert window.controller.print_options().double_check == verified
    printed = _pdf_text(window.controller.render_printout())
    assert f"Height and weight re-entered blind by {CHECKER}" in printed
    assert "NOT YET VERIFIED" not in printed

    # reopening the verified plan keeps the check; editing the form clears it
    values = window.controller.course.open_course("H1234567")
    window.load_values(values)
    assert window.controller.double_check == verified
    window.controller.recompute()  # the same plan again: still the one checked
    assert window.controller.double_check == verified
    assert window.save() is True  # nothing changed: no new revision, the check stands
    assert "Already saved" in window.course_panel().notice.text.text()
    assert window.controller.double_check == verified
    settings.set("volume_rounding_ml", 0.01)  # a different plan from the one checked
    window.controller.recompute()
    assert window.controller.double_check is None
    window.controller.course.open_course("H1234567")  # replanned at the new rounding
    assert window.controller.double_check is None
    assert "differs from the one stored" in window.course_panel().notice.text.text()
    settings.set("volume_rounding_ml", 0.1)
    window.load_values(window.controller.course.open_course("H1234567"))
    assert window.controller.double_check == verified
    retype(qtbot, window.form.fields["weight_kg"].line, "62.5")
    assert window.controller.double_check is None
    assert "NOT YET VERIFIED" in _pdf_text(window.controller.render_printout())
    assert window.controller.course.plan_id is None
    assert window.double_check() is None  # the edited form must be saved again first
    assert "Save the plan first" in window.course_panel().notice.text.text()


def test_a_mismatching_double_check_is_recorded_and_leaves_the_plan_unverified(
    qtbot, window, db
):
    save_cycle1(qtbot, window)
    dialog = check(qtbot, window, CHECKER, "165", "65")
    assert not dialog.isVisible()
    assert window.controller.double_check is None
    panel = window.course_panel()
    assert panel.notice.kind == ERROR and "weight" in panel.notice.text.text()
    assert "NOT YET VERIFIED" in panel.notice.text.text()
    assert "65" not in panel.notice.text.text() and "62" not in panel.notice.text.text()


def test_the_preparer_cannot_check_their_own_plan(qtbot, window, db):
    save_cycle1(qtbot, window)
    dialog = check(qtbot, window, PREPARER.upper(), "165", "62")
    assert dialog.isVisible() and "second person" in dialog.problem.text()
    assert_shown_whole(dialog, (dialog.checker, dialog.height_edit, dialog.weight_edit))
    assert window.controller.double_check is None
    dialog.reject()
    assert window.splitter.isVisible()


def test_a_database_that_cannot_be_opened_is_a_message_not_a_traceback(
    qtbot, window, settings, tmp_path
):
    settings.set("database_path", str(tmp_path))  # a folder
    load(window, request())
    sign_in(qtbot, window)
    assert window.save() is False
    panel = window.course_panel()
    assert panel.notice.kind == ERROR and "is a folder" in panel.notice.text.text()


def test_starting_the_window_loads_neither_sqlite_nor_the_store():
    code = ("import sys, besponsa_desktop.ui.app, besponsa_desktop.ui.main_window, "
            "besponsa_desktop.controller; "
            "print(sorted(m for m in sys.modules if m == 'sqlite3' or m.startswith("
            "'besponsa_desktop.store') or m == 'besponsa_desktop.course_controller'))")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_the_window_reaches_the_store_only_through_the_controller():
    for path in (ROOT / "besponsa_desktop" / "ui").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for name in names:
                assert not name.startswith("besponsa_desktop.store"), path.name
                assert name != "sqlite3", path.name


def test_new_patient_leaves_no_other_patients_course_on_screen(qtbot, window, db):
    save_cycle1(qtbot, window)
    panel = window.course_panel()
    assert timeline_rows(window)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert window.controller.course.course is None
    assert timeline_rows(window) == []
    assert panel.record_dose(1, 1) is None  # no dose of the previous patient to record
    assert window.controller.double_check is None


def test_a_record_dialog_never_records_on_another_patients_course(qtbot, window, db):
    save_cycle1(qtbot, window)
    other = request()
    other["patient"] = dict(other["patient"], mrn="M7654321", name="Rafael Ortiz")
    load(window, other)
    assert window.save()  # another MRN: a new course, now the one on screen
    assert window.controller.course.mrn == "M7654321"
    window.load_values(window.controller.course.open_course("H1234567"))
    panel = window.course_panel()
    dialog = panel.record_dose(1, 1)
    assert dialog.mrn == "H1234567"
    window.controller.course.open_course("M7654321")  # the window moves on meanwhile
    dialog.choose("given")
    dialog.given_on.setText("1 Dec 2026")
    dialog.given_at.setText("10:30")
    dialog.record()
    assert dialog.isVisible() and "another patient" in dialog.problem.text()
    assert panel.status_of(1, 1) == "PLANNED"
    dialog.reject()


def test_the_plan_view_and_the_printout_follow_the_course(qtbot, window, db, ward_clock):
    save_cycle1(qtbot, window)
    course = window.controller.course
    assert course.record_dose(1, 1, "given", by=PREPARER, at=datetime(2026, 12, 1, 10, 30))
    ward_clock.set(datetime(2026, 12, 2, 9, 0))  # the next day: Day 8 may move
    assert course.record_dose(1, 8, "moved", by=PREPARER, moved_to=date(2026, 12, 10),
                              reason="clinic closed")
    note = window.plan_view.course_note
    assert note.isVisible()
    assert "Day 1 given" in note.text() and "Day 8 moved" in note.text()
    assert "clinic closed" in note.text()
    marked = {c.day: c.text for c in window.plan_view.calendar.cells if c.text.startswith("Day")}
    assert marked[date(2026, 12, 10)] == "Day 8" and date(2026, 12, 8) not in marked
    assert marked[date(2026, 12, 16)] == "Day 15"  # re-based: 6 days after Day 8
    printed = _pdf_text(window.controller.render_printout())
    assert "Day 8 — Thu 10 Dec 2026" in printed and "Day 15 — Wed 16 Dec 2026" in printed
    assert "Cycle 1 in the patient's record" in printed


def test_plan_this_dose_fills_day_8_from_the_course(qtbot, window, db):
    save_cycle1(qtbot, window)
    course = window.controller.course
    assert course.record_dose(1, 1, "given", by=PREPARER, at=datetime(2026, 12, 1, 10, 30))
    panel = window.course_panel()
    assert panel.select_dose(1, 8)
    qtbot.mouseClick(panel.plan_day_button, Qt.MouseButton.LeftButton)
    assert value(window, "dose_day") == "8"
    assert value(window, "cycle.number") == "1"
    assert value(window, "cycle.start_date") == "1 Dec 2026"  # the cycle's, from the course
    assert value(window, "weight_kg") == "" and value(window, "labs.anc") == ""
    assert "Cycle 1 Day 8 filled in from the course" in panel.notice.text.text()


@pytest.mark.usefixtures("ward_zone")
def test_the_dose_dialog_shows_the_refusal_of_a_dose_given_ahead_and_records_nothing(
    qtbot, window, db, ward_clock
):
    """A nurse records tomorrow's Day 1 as given today: the dialog stays open with the
    core's message, and the course is as it was."""
    save_cycle1(qtbot, window)
    ward_clock.set(datetime(2026, 11, 30, 16, 0))  # Monday 16:00 at the ward (UTC+1)
    course = window.controller.course
    version = course.version
    panel = window.course_panel()
    dialog = panel.record_dose(1, 1)
    dialog.choose("given")
    dialog.given_on.setText("1 Dec 2026")
    dialog.given_at.setText("10:30")
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.problem.isVisible()
    text = dialog.problem.text()
    assert "cycle 1 Day 1 cannot be recorded as given at Tue 1 Dec 2026 10:30" in text
    assert "this record is made Mon 30 Nov 2026 16:00" in text
    assert "record it once it has been given" in text
    assert course.version == version and panel.status_of(1, 1) != "GIVEN"
    assert not panel.dose_data(1, 1)["entries"]  # type: ignore[index]
    ward_clock.set(datetime(2026, 12, 1, 10, 40))  # once given, it is recorded
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible() and panel.status_of(1, 1) == "GIVEN"
    assert course.version == version + 1


@pytest.mark.usefixtures("ward_zone")
def test_the_dose_dialog_offers_no_past_day_to_move_to_and_shows_the_refusal_after_midnight(
    qtbot, window, db, ward_clock
):
    save_cycle1(qtbot, window)
    course = window.controller.course
    assert course.record_dose(1, 1, "given", by=PREPARER, at=datetime(2026, 12, 1, 10, 30))
    ward_clock.set(datetime(2026, 12, 8, 23, 50))  # Tue 8 Dec, late: the 6th and 7th are past
    dialog = window.course_panel().record_dose(1, 8)
    dialog.choose("moved")
    assert dialog.move_dates() == [date(2026, 12, 8), date(2026, 12, 9), date(2026, 12, 10)]
    dialog.move_to.setCurrentIndex(0)
    dialog.reason.setText("chair unavailable")
    version = course.version
    ward_clock.set(datetime(2026, 12, 9, 0, 5))  # recorded after midnight: the 8th is past
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    text = dialog.problem.text()
    assert "cannot be moved to Tue 8 Dec 2026: that is before Wed 9 Dec 2026" in text
    assert "record it as given with the time it was given" in text
    assert course.version == version


def test_the_dose_dialog_grows_to_show_a_refusal_whole_beside_what_was_typed(
    qtbot, window, db, ward_clock
):
    save_cycle1(qtbot, window)
    ward_clock.set(datetime(2026, 11, 30, 16, 0))
    dialog = window.course_panel().record_dose(1, 1)
    qtbot.waitExposed(dialog)
    dialog.choose("given")
    dialog.given_on.setText("1 Dec 2026")
    dialog.given_at.setText("10:30")
    dialog.record()
    assert_shown_whole(dialog, (dialog.given_on, dialog.given_at, dialog.by))
