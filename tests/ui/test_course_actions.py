"""Course actions in the window (issue 14, "work easy to lose or get wrong"): every dialog
acting on a course names the patient, MRN, cycle and day; the record dialog refuses a
given date outside what the rules allow and says honestly who records; the Move list
never says "no date allowed" while holding dates; the response after a cycle and a
correction of a dose record (voided with a reason, the original kept) are done here. The
rules are the core's, reached through the course controller."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from besponsa_desktop.ui.main_window import MainWindow
from tests.ui.helpers import assert_shown_whole, load, request

PREPARER = "Ann Pharmacist"


@pytest.fixture
def saved(qtbot, window: MainWindow, settings, tmp_path: Path) -> MainWindow:
    settings.set("database_path", str(tmp_path / "courses.sqlite3"))
    load(window, request())  # Jane Doe, H1234567, cycle 1 from Tue 1 Dec 2026
    panel = window.course_panel()
    panel.signer.setFocus()
    qtbot.keyClicks(panel.signer, PREPARER)
    assert window.save()
    window.show_course()
    return window


def texts(dialog) -> str:
    return " ".join(label.text() for label in dialog.findChildren(QLabel))


def rows(window: MainWindow) -> list[list[str]]:
    tree = window.course_panel().tree
    out = []
    for index in range(tree.topLevelItemCount()):
        top = tree.topLevelItem(index)
        out.append([top.text(c) for c in range(5)])
        for child in range(top.childCount()):
            out.append([top.child(child).text(c) for c in range(5)])
    return out


def give(qtbot, window: MainWindow, day: int, on: str, at: str = "10:30"):
    panel = window.course_panel()
    assert panel.select_dose(1, day)
    dialog = panel.record_selected()
    dialog.choose("given")
    dialog.given_on.setText(on)
    dialog.given_at.setText(at)
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    return dialog



def response_dialog(window: MainWindow):
    """Record response… from the Course menu; returns its dialog."""
    item = next(a for a in window.course_menu.actions()
                if "response" in a.text().replace("&", "").lower())
    item.trigger()
    return window.course_panel().dialog


def hold_day_1_and_correct_it(qtbot, window: MainWindow):
    """Day 1 recorded as held (platelets 40), then Correct a dose record… on it; returns
    the correction dialog."""
    panel = window.course_panel()
    assert panel.select_dose(1, 1)
    dialog = panel.record_selected()
    dialog.choose("held")
    dialog.reason.setText("platelets 40")
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert panel.status_of(1, 1) == "HELD"
    item = next(a for a in window.course_menu.actions() if "Correct" in a.text())
    assert panel.select_dose(1, 1)
    item.trigger()
    return panel.dialog

def test_the_record_dialog_names_the_patient_mrn_cycle_and_day(qtbot, saved):
    panel = saved.course_panel()
    assert panel.select_dose(1, 8)
    dialog = panel.record_selected()
    words = texts(dialog)
    assert "Jane Doe" in words and "MRN H1234567" in words
    assert "Cycle 1 Day 8" in words
    assert "Jane Doe" in dialog.windowTitle()
    dialog.reject()


def test_a_given_date_outside_what_the_rules_allow_is_refused(qtbot, saved):
    dialog = give(qtbot, saved, 1, "28 Nov 2026")  # Day 1 is Tue 1 Dec: it has no window
    assert dialog.isVisible() and dialog.problem.isVisible()
    assert "no window" in dialog.problem.text()
    assert saved.course_panel().status_of(1, 1) == "PLANNED"
    dialog.reject()


def test_the_given_date_is_not_guessed_as_today(qtbot, saved):
    panel = saved.course_panel()
    assert panel.select_dose(1, 1)
    dialog = panel.record_selected()
    assert dialog.given_on.text() == "" and dialog.given_at.text() == ""
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "required" in dialog.problem.text()
    dialog.reject()


def test_the_timeline_says_who_recorded_a_dose_not_who_gave_it(qtbot, saved):
    give(qtbot, saved, 1, "1 Dec 2026")
    day1 = next(r for r in rows(saved) if r[0] == "Day 1")
    assert f"recorded by {PREPARER}" in day1[4]
    assert f"given ({PREPARER})" not in day1[4]


def test_the_move_list_holding_dates_asks_to_choose_one(qtbot, saved, ward_clock):
    ward_clock.set(datetime(2026, 11, 30, 9, 0))  # before the course: every date is to come
    panel = saved.course_panel()
    assert panel.select_dose(1, 8)
    dialog = panel.record_selected()
    dialog.choose("moved")
    assert dialog.move_to.count() >= 1
    assert dialog.move_to.placeholderText() != "no date allowed"
    assert "choose" in dialog.move_to.placeholderText()
    dialog.reject()


def test_the_response_after_a_cycle_is_recorded_from_the_course_menu(qtbot, saved):
    item = next(a for a in saved.course_menu.actions()
                if "response" in a.text().replace("&", "").lower())
    assert item.shortcut().toString() == "Ctrl+Shift+R"
    dialog = response_dialog(saved)
    assert dialog is not None and dialog.isVisible()
    words = texts(dialog)
    assert "Jane Doe" in words and "MRN H1234567" in words and "after cycle 1" in words
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "Response" in dialog.problem.text()  # nothing chosen
    dialog.choose("cr")
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    # the core's rule, said as it is: no response to a cycle not yet started
    assert dialog.isVisible() and "has not started" in dialog.problem.text()
    dialog.reject()
    give(qtbot, saved, 1, "1 Dec 2026")
    dialog = response_dialog(saved)
    dialog.choose("cr")
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    cycle = next(r for r in rows(saved) if r[0] == "Cycle 1")
    assert "response: CR" in cycle[4]


def test_a_wrong_dose_record_is_voided_with_a_reason_and_kept(qtbot, saved):
    dialog = hold_day_1_and_correct_it(qtbot, saved)
    words = texts(dialog)
    assert "Jane Doe" in words and "MRN H1234567" in words and "Cycle 1 Day 1" in words
    chosen = dialog.record_box.currentText()  # the record to be voided, in words
    assert chosen.startswith("held") and f"recorded by {PREPARER}" in chosen
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "Reason" in dialog.problem.text()
    dialog.reason.setText("recorded on the wrong patient's sheet")
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert saved.course_panel().status_of(1, 1) == "PLANNED"
    day1 = next(r for r in rows(saved) if r[0] == "Day 1")
    assert "1 record voided" in day1[4]
    data = saved.controller.course.course
    entries = data["cycles"][0]["doses"][0]["entries"]
    assert entries[0]["kind"] == "held" and entries[0]["voided"]["reason"].startswith(
        "recorded on")


def test_the_course_menu_holds_record_dose_and_record_response(qtbot, window):
    texts_ = [a.text() for a in window.course_menu.actions()]
    assert "&Record dose…" in texts_
    assert any("response" in t.replace("&", "").lower() for t in texts_)
    assert any("Correct" in t for t in texts_)


def test_the_response_dialog_shows_a_long_refusal_whole(qtbot, saved):
    dialog = response_dialog(saved)
    qtbot.waitExposed(dialog)
    dialog.choose("cr")
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)  # cycle 1 has not started
    assert "has not started" in dialog.problem.text()
    assert_shown_whole(dialog, [dialog.by])
    dialog.reject()


def test_the_correction_dialog_shows_a_long_refusal_whole(qtbot, saved):
    dialog = hold_day_1_and_correct_it(qtbot, saved)
    qtbot.waitExposed(dialog)
    dialog.by.setText("")
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert "Reason" in dialog.problem.text()
    assert_shown_whole(dialog, [dialog.reason, dialog.by])
    dialog.reject()
