"""The window at the end of a long shift (issue 14): a wheel that scrolls never changes a
value, focus starts on Name, the warnings that bear on the decision sit with the banner,
unsaved work is never dropped without asking, error messages do not move the fields, the
double check is blind from every entry point, a failure inside the rules withdraws the
plan, dates never follow the machine's locale, and an upgrade keeps a course's check."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QLocale, QPoint, QPointF, Qt
from PySide6.QtGui import QTextDocument, QWheelEvent
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QWidget

from besponsa_desktop.ui.main_window import MainWindow
from tests.ui.helpers import load, request

PREPARER = "Ann Pharmacist"
CHECKER = "Ben Nurse"


def wheel(widget: QWidget, notches: int = -1) -> None:
    """One notch of the mouse wheel over ``widget`` (negative: towards the user)."""
    centre = QPointF(widget.rect().center())
    event = QWheelEvent(
        centre, QPointF(widget.mapToGlobal(centre.toPoint())), QPoint(0, 0),
        QPoint(0, 120 * notches), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase, False,
    )
    QApplication.sendEvent(widget, event)


def cycle2(window: MainWindow) -> None:
    data = request()
    data["cycle"]["number"] = 2
    data["response"] = "cr"
    data["baseline"] = {"anc": 2.1, "platelets": 140}
    del data["labs"]["peripheral_blasts_per_mm3"]
    load(window, data)


def retype(qtbot, editor, text: str) -> None:
    editor.setFocus()
    editor.selectAll()
    qtbot.keyClick(editor, Qt.Key.Key_Delete)
    qtbot.keyClicks(editor, text)


def plain(html: str) -> str:
    document = QTextDocument()
    document.setHtml(html)
    return document.toPlainText()


# ---------------------------------------------------------------- 1. the mouse wheel


def test_the_wheel_over_a_hovered_drop_down_changes_nothing(qtbot, window):
    cycle2(window)
    window.form.fields["patient.name"].line.setFocus()
    for key in ("dose_level", "bsa_formula", "response", "units.weight", "patient.sex"):
        box = window.form.fields[key].editors[key]
        assert box.isVisible(), key
        before = box.currentIndex()
        wheel(box, -1)
        wheel(box, +1)
        wheel(box, -1)
        assert box.currentIndex() == before, key
    assert window.controller.values["dose_level"] == "0"
    assert window.controller.values["bsa_formula"] == "mosteller"
    assert window.plan_view.decision == "proceed"


def test_no_drop_down_in_the_form_is_left_to_the_wheel(qtbot, window):
    # the form guards its editors as it makes them: every drop-down in it, units included
    from PySide6.QtWidgets import QAbstractSpinBox, QComboBox

    cycle2(window)
    window.form.fields["patient.name"].line.setFocus()
    boxes = [*window.form.findChildren(QComboBox), *window.form.findChildren(QAbstractSpinBox)]
    assert len(boxes) >= 12
    for box in boxes:
        before = box.currentIndex() if isinstance(box, QComboBox) else box.text()
        wheel(box, -1)
        wheel(box, +1)
        wheel(box, -1)
        after = box.currentIndex() if isinstance(box, QComboBox) else box.text()
        assert after == before, box.accessibleName()
    assert window.plan_view.decision == "proceed"


def test_the_wheel_still_scrolls_the_form_over_a_drop_down(qtbot, window):
    cycle2(window)
    window.resize(1024, 500)
    bar = window.form.verticalScrollBar()
    assert bar.maximum() > 0
    bar.setValue(0)
    box = window.form.fields["dose_level"].box
    wheel(box, -3)
    assert bar.value() > 0
    assert box.currentIndex() == 0


def test_the_wheel_changes_a_drop_down_only_once_it_has_keyboard_focus(qtbot, window):
    cycle2(window)
    box = window.form.fields["dose_level"].box
    box.setFocus()
    qtbot.waitUntil(box.hasFocus)
    wheel(box, -1)
    assert box.currentIndex() == 1  # the pharmacist chose to: the control is in focus


def test_the_wheel_changes_nothing_in_the_settings_dialog(qtbot, window):
    dialog = window.open_settings()
    before = {key: dialog.value(key) for key in dialog.editors}
    for editor in dialog.editors.values():
        wheel(editor, -1)
        wheel(editor, +1)
        wheel(editor, +1)
    assert {key: dialog.value(key) for key in dialog.editors} == before
    dialog.reject()


# ---------------------------------------------------------------- 1. focus and warnings


def test_name_has_the_keyboard_focus_when_the_window_opens(qtbot, controller):
    made = MainWindow(controller)
    qtbot.addWidget(made)
    with qtbot.waitExposed(made):
        made.show()
    made.activateWindow()
    name = made.form.fields["patient.name"].line
    qtbot.waitUntil(lambda: QApplication.focusWidget() is name)


def test_stale_labs_and_measurements_show_at_the_top_with_the_banner(qtbot, window):
    data = request()
    data["labs"]["taken_on"] = "2026-09-01"  # 91 days before Day 1
    data["measured_on"] = "2025-06-01"  # 548 days before
    load(window, data)
    view = window.plan_view
    top = view.top_warnings
    assert top.isVisible()
    text = plain(top.text())
    assert "labs were taken 91 days before the dose" in text
    assert "measured 548 days before the dose" in text
    # above the dose table and the calendar: read before the numbers, without scrolling
    assert top.mapTo(view.widget(), QPoint(0, 0)).y() < view.table.mapTo(
        view.widget(), QPoint(0, 0)).y()
    assert top.mapTo(view.widget(), QPoint(0, 0)).y() < 200
    assert "91 days" not in plain(view.warnings.text())  # said once, at the top


def test_the_dose_level_note_shows_an_apostrophe_not_its_html_code(qtbot, window):
    data = request()
    data["cycle"]["number"] = 2
    data["response"] = "cr"
    data["dose_level"] = 1  # "each day's mg/m² × 0.75"
    data["baseline"] = {"anc": 2.1, "platelets": 140}
    del data["labs"]["peripheral_blasts_per_mm3"]
    load(window, data)
    summary = plain(window.plan_view.summary.text())
    assert "day's mg/m²" in summary
    for label in (window.plan_view.summary, window.plan_view.table_note,
                  window.plan_view.banner_reasons, window.plan_view.reminders,
                  window.plan_view.warnings):
        assert "&#x27;" not in plain(label.text())


# ---------------------------------------------------------------- 1. unsaved work


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """What the test answers to each question the window asks; the questions asked."""
    asked: list[Any] = []

    def question(_parent, title, text, buttons=None, default=None):
        asked.append((title, text))
        return asked_answer[0]

    asked_answer = [QMessageBox.StandardButton.Cancel]
    monkeypatch.setattr(QMessageBox, "question", question)
    asked.append(asked_answer)  # asked[0]: the answer to give
    return asked


def test_new_patient_with_unsaved_changes_asks_first_and_cancel_keeps_them(
        qtbot, window, answers):
    load(window, request())
    retype(qtbot, window.form.fields["weight_kg"].line, "63")
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert len(answers) == 2 and "not saved" in answers[1][1]
    assert window.form.fields["patient.name"].value() == "Jane Doe"
    assert window.form.fields["weight_kg"].value() == "63"
    answers[0][0] = QMessageBox.StandardButton.Discard
    window.new_patient()
    assert window.form.fields["patient.name"].value() == ""


def test_new_patient_on_an_untouched_form_does_not_ask(qtbot, window, answers):
    window.new_patient()
    assert len(answers) == 1


def test_quit_with_unsaved_changes_asks_first(qtbot, window, answers):
    load(window, request())
    retype(qtbot, window.form.fields["weight_kg"].line, "63")
    assert window.close() is False  # cancelled: the window stays open
    assert window.isVisible() and len(answers) == 2
    answers[0][0] = QMessageBox.StandardButton.Discard
    assert window.close() is True


def test_open_patient_with_unsaved_changes_asks_first(qtbot, window, answers, settings,
                                                      tmp_path: Path):
    settings.set("database_path", str(tmp_path / "courses.sqlite3"))
    load(window, request())
    retype(qtbot, window.form.fields["weight_kg"].line, "63")
    assert window.open_patient() is None  # cancelled: no dialog opened
    assert len(answers) == 2 and "not saved" in answers[1][1]


# ---------------------------------------------------------------- 1. messages in place


def test_an_error_message_does_not_move_the_fields_below(qtbot, window):
    load(window, request())
    below = window.form.fields["measured_on"].line
    before = below.mapTo(window.form.widget(), QPoint(0, 0))
    retype(qtbot, window.form.fields["weight_kg"].line, "abc")
    assert window.form.fields["weight_kg"].problem_text()
    qtbot.wait(10)
    assert below.mapTo(window.form.widget(), QPoint(0, 0)) == before


# ---------------------------------------------------------------- 2. the blind check


def _save_cycle1(qtbot, window: MainWindow, settings, tmp_path: Path) -> None:
    settings.set("database_path", str(tmp_path / "courses.sqlite3"))
    load(window, request())
    panel = window.course_panel()
    retype(qtbot, panel.signer, PREPARER)
    assert window.save()


def _values_in_sight(window: MainWindow) -> bool:
    """Is any entered height or weight on screen beside the dialog?"""
    return any(
        w.isVisible() for w in (window.form.fields["height_cm"].line,
                                window.form.fields["weight_kg"].line,
                                window.plan_view.summary)
    )


def test_the_double_check_from_the_course_tab_button_is_blind(
        qtbot, window, settings, tmp_path):
    _save_cycle1(qtbot, window, settings, tmp_path)
    panel = window.show_course()
    qtbot.mouseClick(panel.check_button, Qt.MouseButton.LeftButton)
    dialog = panel.dialog
    assert dialog is not None and dialog.isVisible()
    assert not _values_in_sight(window)
    dialog.reject()
    assert window.form.fields["height_cm"].line.isVisible()


def test_the_double_check_from_the_course_menu_is_blind(qtbot, window, settings, tmp_path):
    _save_cycle1(qtbot, window, settings, tmp_path)
    item = next(a for a in window.course_menu.actions() if "Double check" in a.text())
    item.trigger()
    dialog = window.course_panel().dialog
    assert dialog is not None and dialog.isVisible()
    assert not _values_in_sight(window)
    dialog.reject()
    assert window.form.fields["height_cm"].line.isVisible()


# ---------------------------------------------------------------- 6. dates


def test_dates_in_the_window_do_not_follow_the_machines_locale(qtbot, window,
                                                               foreign_locales):
    import locale

    previous = QLocale()
    saved = locale.setlocale(locale.LC_TIME)
    try:
        for name in foreign_locales:
            QLocale.setDefault(QLocale(name.split(".")[0]))
            locale.setlocale(locale.LC_TIME, name)
            data = request()
            data["measured_on"] = "2026-12-02"  # after Day 1: the core's message dates it
            load(window, data)
            problem = window.form.fields["measured_on"].problem_text()
            assert "Wed 2 Dec 2026" in problem and "Tue 1 Dec 2026" in problem, name
            load(window, request())
            assert window.plan_view.table.item(0, 1).text() == "Tue 1 Dec 2026", name
            assert "Tue 1 Dec 2026" in plain(window.plan_view.banner_title.text()), name
    finally:
        QLocale.setDefault(previous)
        locale.setlocale(locale.LC_TIME, saved)


# ---------------------------------------------------------------- 7. upgrades


def test_a_course_reopened_after_an_upgrade_keeps_its_double_check(
        qtbot, window, settings, tmp_path, monkeypatch):
    _save_cycle1(qtbot, window, settings, tmp_path)
    dialog = window.double_check()
    qtbot.keyClicks(dialog.checker, CHECKER)
    qtbot.keyClicks(dialog.height_edit, "165")
    qtbot.keyClicks(dialog.weight_edit, "62")
    dialog.compare()
    verified = window.controller.double_check
    assert verified is not None
    monkeypatch.setattr("besponsa_desktop.core.planner.__version__", "9.9.9")  # an upgrade
    window.load_values(window.controller.course.open_course("H1234567"))
    assert window.controller.plan.program_version == "9.9.9"
    assert window.controller.double_check == verified
    assert "differs" not in window.course_panel().notice.text.text()
    # a plan that differs clinically is still not the one checked
    settings.set("volume_rounding_ml", 0.01)
    window.controller.recompute()
    assert window.controller.double_check is None


# ---------------------------------------------------------------- 5. failures


def test_a_failure_inside_the_rules_withdraws_the_plan_and_logs_no_patient_data(
        qtbot, window, monkeypatch, tmp_path):
    monkeypatch.setenv("BESPONSA_LOG_DIR", str(tmp_path / "logs"))
    load(window, request())
    assert window.controller.valid and window.print_action.isEnabled()

    def broken(_request):
        raise ZeroDivisionError("Jane Doe H1234567 80 kg")

    monkeypatch.setattr(window.controller, "_make_plan", broken)
    retype(qtbot, window.form.fields["weight_kg"].line, "80")
    controller = window.controller
    assert controller.plan is None and not controller.valid
    assert not window.print_action.isEnabled() and not window.save_action.isEnabled()
    assert controller.print_plan() is None
    view = window.plan_view
    assert view.decision == "failed"
    assert "could not be made" in plain(view.banner_text())
    assert not view.table.isVisible()
    log = (tmp_path / "logs" / "besponsa-desktop.log").read_text(encoding="utf-8")
    assert "ZeroDivisionError" in log
    for secret in ("Jane", "H1234567", "80 kg", "62"):
        assert secret not in log


def test_the_window_has_one_global_exception_hook(qtbot, window, monkeypatch, tmp_path):
    import sys

    from besponsa_desktop.ui.main_window import install_exception_hook

    monkeypatch.setenv("BESPONSA_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    load(window, request())
    install_exception_hook(window)
    try:
        raise RuntimeError("Jane Doe")
    except RuntimeError as error:
        sys.excepthook(type(error), error, error.__traceback__)
    assert window.controller.plan is None and not window.print_action.isEnabled()
    assert "internal error" in window.statusBar().currentMessage()
    log = (tmp_path / "logs" / "besponsa-desktop.log").read_text(encoding="utf-8")
    assert "RuntimeError" in log and "Jane" not in log


# ---------------------------------------------------------------- 4. plausibility


@pytest.mark.parametrize(("height", "weight", "unit"), [
    ("170", "178.6", "kg"),  # pounds typed into the kg box
    ("175", "81", "lb"),  # 81 lb chosen by mistake: 36.7 kg, BMI 12
])
def test_an_implausible_height_and_weight_is_marked_and_must_be_confirmed(
        qtbot, window, height, weight, unit):
    load(window, request())
    form = window.form
    confirm = form.fields["confirm_body_size"].check
    assert not confirm.isVisible()
    retype(qtbot, form.fields["height_cm"].line, height)
    form.fields["weight_kg"].unit_box.setCurrentIndex(1 if unit == "lb" else 0)
    retype(qtbot, form.fields["weight_kg"].line, weight)
    assert window.plan_view.decision == "incomplete"  # no PROCEED, nothing printable
    assert not window.print_action.isEnabled()
    message = form.fields["weight_kg"].problem_text()
    assert "BMI" in message and "confirm" in message
    assert form.fields["weight_kg"].line.property("problem") == "error"
    assert confirm.isVisible()
    qtbot.mouseClick(confirm, Qt.MouseButton.LeftButton, pos=QPoint(5, confirm.height() // 2))
    assert window.plan_view.decision == "proceed"
    assert "confirmed as right" in plain(window.plan_view.top_warnings.text())
    assert window.plan_view.top_warnings.isVisible()
    # a later change of the weight voids the confirmation
    retype(qtbot, form.fields["weight_kg"].line, weight + "1")
    assert not confirm.isChecked()
    assert window.plan_view.decision == "incomplete"


# ---------------------------------------------------------------- 8. HOLD in the window


def test_under_hold_the_calendar_shows_no_day_as_a_dose_to_give(qtbot, window):
    from besponsa_desktop.ui.calendar_view import DOSE, NEXT_CYCLE, WINDOW

    load(window, request("hold-two-reasons"))
    view = window.plan_view
    assert view.decision == "hold"
    cells = view.calendar.cells
    assert cells
    assert not any(c.marks & {DOSE, NEXT_CYCLE, WINDOW} for c in cells)
    assert not any("due" in c.text for c in cells)
    assert [c.text for c in cells if c.text] == ["D1 on hold", "D8 on hold", "D15 on hold"]
    assert "no dose to give" in view.calendar_title.text()
    assert "due" not in view.calendar.accessibleDescription()
    load(window, request())  # and a plan that proceeds shows its doses again
    assert any(DOSE in c.marks for c in view.calendar.cells)


# ---------------------------------------------------------------- 4 (issue). wrong patient


def test_new_patient_clears_the_previous_patients_course_from_the_screen(
        qtbot, window, settings, tmp_path):
    _save_cycle1(qtbot, window, settings, tmp_path)
    panel = window.course_panel()
    assert panel.tree.topLevelItemCount() == 1
    assert "Jane Doe" in window.course_tabs.tabText(1)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert window.form.fields["patient.name"].value() == ""
    assert panel.tree.topLevelItemCount() == 0
    assert "Jane Doe" not in panel.patient.text()
    assert window.course_tabs.tabText(1) == "Course timeline"
    assert window.controller.course.mrn is None
    assert panel.record_selected() is None  # no dose of hers can be recorded now
    retype(qtbot, window.form.fields["patient.name"].line, "John Smith")
    assert panel.tree.topLevelItemCount() == 0


# ---------------------------------------------------------------- 9. keyboard and reader


def test_the_plan_is_readable_with_the_keyboard_and_by_a_screen_reader(qtbot, window):
    load(window, request("hold-two-reasons"))
    view = window.plan_view
    for widget in (view.banner_title, view.banner_reasons, view.table):
        assert widget.focusPolicy() & Qt.FocusPolicy.TabFocus, widget.objectName()
    assert view.banner_title.accessibleDescription().startswith("HOLD")
    assert "total bilirubin 40" in view.banner_reasons.accessibleDescription()
    assert "<" not in view.banner_reasons.accessibleDescription()
    table = view.table.accessibleDescription()
    assert table.startswith("ON HOLD") and "Day 1 Tue 1 Dec 2026: " in table
    assert "Dose 1.35 mg" in table and "Withdraw 5.4 mL" in table


def test_the_course_menu_has_shortcuts_and_record_dose(qtbot, window):
    shortcuts = {a.text(): a.shortcut().toString() for a in window.course_menu.actions()}
    assert shortcuts["Plan &next cycle"] == "Ctrl+Shift+N"
    assert shortcuts["&Double check…"] == "Ctrl+D"
    assert shortcuts["&Record dose…"] == "Ctrl+R"
    assert window.record_dose() is None  # nothing selected: the timeline is shown instead
    assert window.course_tabs.currentWidget() is window.course_panel()
    assert "select a dose" in window.statusBar().currentMessage()


def test_the_double_check_dialog_names_the_patient_mrn_cycle_and_day(
        qtbot, window, settings, tmp_path):
    _save_cycle1(qtbot, window, settings, tmp_path)
    dialog = window.double_check()
    text = " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert "Jane Doe · MRN H1234567" in text and "Cycle 1 Day 1" in text
    assert "165" not in text and "62" not in text  # still blind
    dialog.reject()
