"""The window through its widgets: typing, units, decisions, errors, keyboard, settings."""

from __future__ import annotations

from itertools import pairwise

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from besponsa_desktop.controller import PlanController
from besponsa_desktop.settings import Settings
from besponsa_desktop.ui.main_window import MainWindow
from tests.ui.helpers import load, request


def field(window: MainWindow, key: str):
    return window.form.fields[key]


def retype(qtbot, window: MainWindow, key: str, text: str) -> None:
    editor = field(window, key).editors[key]
    editor.setFocus()
    editor.selectAll()
    qtbot.keyClick(editor, Qt.Key.Key_Delete)
    qtbot.keyClicks(editor, text)


def test_typing_height_and_weight_updates_bsa_doses_and_banner(qtbot, window):
    data = request()
    del data["height_cm"], data["weight_kg"]
    load(window, data)
    assert window.plan_view.decision == "incomplete"
    assert not window.print_action.isEnabled()
    retype(qtbot, window, "height_cm", "165")
    retype(qtbot, window, "weight_kg", "62")
    view = window.plan_view
    assert view.decision == "proceed"
    assert "BSA 1.69 m²" in view.summary.text()
    assert "Mosteller" in view.summary.text()
    assert view.table.item(0, 4).text() == "1.35 mg"  # 0.8 mg/m² × 1.69 m²
    assert view.table.item(0, 5).text() == "5.4 mL"
    assert view.table.item(0, 1).text() == "Tue 1 Dec 2026"
    retype(qtbot, window, "weight_kg", "80")
    assert "BSA 1.91 m²" in view.summary.text()
    assert view.table.item(0, 4).text() == "1.53 mg"


def test_each_decision_has_its_words_and_colour(qtbot, window):
    expected = {
        "proceed": ("PROCEED", "#1b6e34"),
        "hold-two-reasons": ("HOLD", "#f2b705"),
        "discontinue": ("DISCONTINUE", "#a4161a"),
        "not-eligible": ("NOT ELIGIBLE", "#4a1d6e"),
    }
    for name, (words, colour) in expected.items():
        load(window, request(name))
        view = window.plan_view
        assert view.banner_title.text().startswith(words), name
        assert colour in view.banner.styleSheet(), name
    load(window, request("hold-two-reasons"))
    reasons = window.plan_view.banner_reasons.text()
    assert reasons.count("<li>") == 2
    assert "bilirubin" in reasons and "Grade 3" in reasons and "Source:" in reasons


def test_invalid_values_are_marked_on_their_fields_and_printing_is_disabled(qtbot, window):
    load(window, request())
    assert window.print_action.isEnabled() and window.save_action.isEnabled()
    retype(qtbot, window, "height_cm", "1.7")
    assert "looks like metres" in field(window, "height_cm").problem_text()
    assert field(window, "height_cm").line.property("problem") == "error"
    assert window.plan_view.decision == "incomplete"
    assert "Height" in window.plan_view.banner_reasons.text()
    assert not window.print_action.isEnabled() and not window.save_action.isEnabled()
    qtbot.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert "Printing" not in window.statusBar().currentMessage()
    assert QApplication.activeModalWidget() is None
    retype(qtbot, window, "height_cm", "170")
    assert field(window, "height_cm").problem_text() == ""
    assert window.print_action.isEnabled()


def test_ctrl_s_without_a_signer_says_what_it_needs(qtbot, window):
    load(window, request())
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert "Signed in as" in window.statusBar().currentMessage()  # see test_course_window


def test_ctrl_n_empties_the_form_for_a_new_patient(qtbot, window):
    load(window, request())
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert field(window, "patient.name").value() == ""
    assert field(window, "height_cm").value() == ""
    assert window.plan_view.decision == "incomplete"
    assert not window.print_action.isEnabled()


def test_switching_to_inches_and_pounds_converts_to_metric(qtbot, window):
    load(window, request())
    retype(qtbot, window, "height_cm", "65")
    unit = field(window, "height_cm").unit_box
    unit.setCurrentIndex(unit.index_of("in"))
    assert field(window, "height_cm").echo_text() == "= 165.1 cm"
    retype(qtbot, window, "weight_kg", "150")
    weight_unit = field(window, "weight_kg").unit_box
    weight_unit.setCurrentIndex(weight_unit.index_of("lb"))
    assert field(window, "weight_kg").echo_text() == "= 68 kg"
    plan = window.controller.plan
    assert plan.height_cm == 165.1
    assert "height 165.1 cm, weight 68 kg" in window.plan_view.summary.text()


def assert_in_screen_order(window: MainWindow, editors: list[QWidget]) -> None:
    """Down the form, and left to right along a row (centres within 8 px: one row)."""
    centres = [editor.mapTo(window.form.widget(), editor.rect().center()) for editor in editors]
    for (a, b), (first, second) in zip(pairwise(centres), pairwise(editors), strict=True):
        same_row = abs(b.y() - a.y()) <= 8
        assert (same_row and b.x() > a.x()) or b.y() > a.y() + 8, (
            first.accessibleName(), second.accessibleName())


TREATMENT_IN_CYCLE_2 = [
    "Label profile", "Cycle number", "Day 1 date", "Dose being checked", "Response",
    "MRD negative", "HSCT planned", "Dose level in force", "Longest interruption",
]


def treatment_rows(window: MainWindow) -> list[str]:
    """The Treatment group's visible editors, top to bottom, by accessible name."""
    group = window.form.findChild(QWidget, "group_treatment")
    editors = [w for _k, w in window.form.editors_in_order()
               if group.isAncestorOf(w) and w.isVisibleTo(window)]
    editors.sort(key=lambda w: w.mapTo(group, w.rect().center()).y())
    return [w.accessibleName() for w in editors]


def test_tab_reaches_every_visible_field_in_order(qtbot, window):
    load(window, request("cycle2-hold-platelets"))  # the cycle-2 rows shown too
    editors = [w for _k, w in window.form.editors_in_order() if w.isVisibleTo(window)]
    assert window.form.fields["response"].editor in editors
    assert_in_screen_order(window, editors)
    assert treatment_rows(window) == TREATMENT_IN_CYCLE_2
    editors[0].setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is editors[0])
    reached = [QApplication.focusWidget()]
    for _ in editors[1:]:
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        reached.append(QApplication.focusWidget())
    assert reached == editors


def test_every_input_has_an_accessible_name_and_a_tooltip(window):
    for key, editor in window.form.editors_in_order():
        assert editor.accessibleName(), key
        assert editor.toolTip(), key
    assert "cm" in field(window, "height_cm").line.toolTip()
    assert "×10⁹/L" in field(window, "labs.anc").line.toolTip()


def test_fields_that_do_not_apply_are_hidden(qtbot, window):
    load(window, request())
    response = field(window, "response")
    assert not response.isVisibleTo(window)
    assert field(window, "labs.peripheral_blasts_per_mm3").isVisibleTo(window)
    assert not window.form._groups["eu"].isVisibleTo(window)
    retype(qtbot, window, "cycle.number", "2")
    assert response.isVisibleTo(window)
    assert not field(window, "labs.peripheral_blasts_per_mm3").isVisibleTo(window)


def test_settings_dialog_saves_and_applies(qtbot, window, settings):
    load(window, request())
    assert window.plan_view.table.item(0, 5).text() == "5.4 mL"
    dialog = window.open_settings()
    qtbot.addWidget(dialog)
    rounding = dialog.editors["volume_rounding_ml"]
    rounding.setCurrentIndex(rounding.findData(0.01))
    dialog.editors["hospital_name"].setText("St Mary's")
    dialog.save()
    assert settings.get("volume_rounding_ml") == 0.01
    assert settings.get("hospital_name") == "St Mary's"
    # the printed 1.35 mg at 0.25 mg/mL is 5.4 mL (mL follows from the printed mg)
    assert window.plan_view.table.item(0, 5).text() == "5.4 mL"
    assert window.controller.plan.request.volume_rounding_ml == 0.01


def test_a_setting_locked_by_it_cannot_be_edited(qtbot, tmp_path):
    (tmp_path / "it.ini").write_text("[General]\nlabel_profile=EU\n")
    controller = PlanController(Settings(tmp_path / "mine.ini", tmp_path / "it.ini"))
    window = MainWindow(controller)
    qtbot.addWidget(window)
    dialog = window.open_settings()
    qtbot.addWidget(dialog)
    assert not dialog.editors["label_profile"].isEnabled()
    assert dialog.editors["bsa_formula"].isEnabled()


def test_window_geometry_is_restored(qtbot, controller):
    first = MainWindow(controller)
    qtbot.addWidget(first)
    first.show()
    first.resize(760, 560)  # the offscreen screen is 800×600
    first.close()
    second = MainWindow(controller)
    qtbot.addWidget(second)
    assert (second.width(), second.height()) == (760, 560)


def test_problem_links_focus_the_field(qtbot, window):
    load(window, request("invalid"))
    window.plan_view.fieldActivated.emit("patient.mrn")
    qtbot.waitUntil(lambda: QApplication.focusWidget() is field(window, "patient.mrn").line)


def test_the_window_is_built_whole_before_it_is_shown(qtbot, controller):
    window = MainWindow(controller)
    qtbot.addWidget(window)
    assert "labs.anc" in window.form.fields  # below the first screen, made all the same
    assert [window.file_menu.title(), window.course_menu.title()] == ["&File", "&Course"]
    assert window.file_menu.actions()[0].text() == "&New patient"
    window.load_values(controller.load_request(request()))
    assert window.save_action.isEnabled()  # the plan is valid: Save is offered at once
    assert window.course_menu.actions()[0].text() == "&Open patient…"
    assert field(window, "labs.anc").value() == "2.1"
    assert field(window, "labs.total_bilirubin_uln").echo_text() == "= 0.5 × ULN"
    assert window.plan_view.decision == "proceed"
    editors = [w for _k, w in window.form.editors_in_order()]
    assert len(editors) == len({id(w) for w in editors}) > 50
    # the cycle-2 treatment rows, hidden for a new patient, are in their places
    with qtbot.waitExposed(window):
        window.show()
    window.load_values(controller.load_request(request("cycle2-hold-platelets")))
    assert_in_screen_order(window, [w for w in editors if w.isVisibleTo(window)])
    assert treatment_rows(window) == TREATMENT_IN_CYCLE_2
    with qtbot.waitActive(window):  # a window's shortcuts work while it is the active one
        window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert field(window, "patient.name").value() == ""  # Ctrl+N: a new patient


def test_no_doses_means_no_table_and_no_calendar(qtbot, window):
    load(window, request("discontinue"))
    view = window.plan_view
    assert view.banner_title.text().startswith("DISCONTINUE")
    assert not view.table.isVisibleTo(window)
    assert not view.calendar.isVisibleTo(window)
    assert "No doses" in view.table_note.text()
    assert "0 mg" not in view.summary.text()


def test_a_later_cycle_calendar_marks_the_dose_free_interval_and_next_cycle(qtbot, window):
    data = request("cycle2-hold-platelets")
    data["labs"]["platelets"] = 140  # proceeds: under HOLD no day reads as a dose to give
    load(window, data)
    plan = window.controller.plan
    assert plan.decision.value == "proceed"
    assert plan.cycle.length_days == 28
    cells = {c.day: c for c in window.plan_view.calendar.cells}
    free = plan.cycle.dose_free_from
    assert cells[free].text == "no dose" and "dose_free" in cells[free].marks
    assert cells[plan.cycle.next_cycle_due].text == "C3 due"
    for dose in plan.doses:
        assert cells[dose.date].text == f"Day {dose.day}"
    assert field(window, "response").isVisibleTo(window)
    assert field(window, "baseline.anc").isVisibleTo(window)


def test_a_reduced_dose_shows_its_mg_per_m2_unrounded_so_the_mg_can_be_checked(qtbot, window):
    data = request("cycle2-hold-platelets")
    data.update(longest_toxicity_interruption_days=14)
    data["labs"]["platelets"] = 140
    load(window, data)
    view = window.plan_view
    assert window.controller.plan.dose_level == 1
    assert view.table.item(1, 3).text() == "0.375 mg/m²"  # 0.5 × 0.75, not 0.38


def test_the_course_tab_asked_for_before_the_rules_load_is_made_once(qtbot, settings):
    # loading the rules builds the plan view and the course tab with it: the panel asked
    # for is that one, not a second made on top
    from besponsa_desktop.ui.course_panel import CoursePanel

    controller = PlanController(settings)
    window = MainWindow(controller)
    qtbot.addWidget(window)
    assert window.plan_view is None
    panel = window.course_panel()
    assert controller.core_loaded and window.plan_view is not None
    assert window.findChildren(CoursePanel) == [panel]
    assert window.course_tabs is not None and window.course_tabs.count() == 2
