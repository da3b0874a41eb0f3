"""Issue 15, finding 2, in the window: a small dose is confirmed by the pharmacist before the
printout is made (the controller refuses it otherwise); the institution's protocol comes from
the settings."""

from __future__ import annotations

import io

import pypdf
from PySide6.QtWidgets import QFileDialog, QMessageBox

from besponsa_desktop.ui import print_preview
from tests.factories import request

# BSA 0.7 m²: Day 1 0.56 mg in the bag; Days 8 and 15 0.35 mg are small doses
CHILD = request(patient={"date_of_birth": "2020-01-01"}, height_cm=98, weight_kg=18,
                labs={"serum_creatinine_umol_l": 30})
PROTOCOL = {
    "small_dose_protocol_reference": "Children's Hospital pharmacy SOP 7.2",
    "small_dose_total_volume_ml": 10.0,
    "small_dose_min_concentration_mg_per_ml": 0.025,
    "small_dose_infusion_minutes": 60.0,
}


def _text(data: bytes) -> str:
    pages = pypdf.PdfReader(io.BytesIO(data)).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)


def test_a_small_dose_plan_is_not_printed_until_the_pharmacist_confirms(controller):
    controller.load_request(CHILD)
    assert controller.plan.decision.value == "proceed"
    messages: list[str] = []
    controller.statusMessage.connect(messages.append)
    question = controller.small_doses_question()
    assert question is not None and "Day 8: 0.35 mg" in question
    assert controller.print_plan() is None
    assert "confirm their preparation" in messages[-1]
    controller.confirm_small_doses()
    data = controller.print_plan()
    assert data is not None
    assert "small dose: prepare by the institution's small-volume (syringe) protocol" in (
        _text(data).lower())


def test_a_changed_plan_asks_again(controller):
    controller.load_request(CHILD)
    controller.confirm_small_doses()
    assert controller.small_doses_question() is None
    controller.set_value("weight_kg", "17.5")
    assert controller.small_doses_question() is not None


def test_a_plan_without_small_doses_asks_nothing(controller):
    controller.load_request(request())
    assert controller.small_doses_question() is None
    assert controller.print_plan() is not None


def test_export_refuses_an_unconfirmed_small_dose_plan(controller, tmp_path):
    controller.load_request(CHILD)
    assert controller.export_pdf(tmp_path / "out.pdf") is False
    assert not (tmp_path / "out.pdf").exists()


def test_the_window_asks_before_the_preview_and_no_means_nothing_is_shown(
    qtbot, window, monkeypatch
):
    window.controller.load_request(CHILD)
    asked: list[str] = []

    def answer(reply):
        def fake(_parent, _title, text, *_args):
            asked.append(text)
            return reply
        return staticmethod(fake)

    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.No))
    assert print_preview.preview(window, window.controller) is None
    assert len(asked) == 1 and "small-volume (syringe) protocol" in asked[0]
    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Yes))
    dialog = print_preview.preview(window, window.controller)
    assert dialog is not None
    dialog.close()
    assert len(asked) == 2


def test_the_window_asks_before_export(qtbot, window, monkeypatch, tmp_path):
    window.controller.load_request(CHILD)
    target = tmp_path / "sheet.pdf"
    asked: list[str] = []

    def yes(_parent, _title, text, *_args):
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", staticmethod(yes))
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *_a: (str(target), "PDF (*.pdf)")))
    assert print_preview.export(window, window.controller) == target
    assert target.exists()
    assert len(asked) == 1 and "Day 8: 0.35 mg" in asked[0]


def test_the_institution_protocol_comes_from_the_settings(settings, controller):
    for key, value in PROTOCOL.items():
        assert settings.set(key, value)
    controller.load_request(CHILD)
    d8 = controller.plan.doses[1]
    assert d8.preparation_protocol == "Children's Hospital pharmacy SOP 7.2"
    assert (d8.diluent_total_ml, d8.rate_ml_per_h) == (10, 10)
    controller.confirm_small_doses()
    text = _text(controller.print_plan())
    assert "in a syringe" in text and "Children's Hospital pharmacy SOP 7.2" in text
    assert "10 mL/h over 1 hour (10 mL)" in text


def test_an_incomplete_institution_protocol_is_refused_not_guessed(settings, controller):
    assert settings.set("small_dose_protocol_reference", "SOP 7.2")  # numbers left unset
    controller.load_request(CHILD)
    assert controller.plan is None
    assert any("small_dose_protocol" in p.message for p in controller.problems)


def test_the_plan_view_shows_small_doses_without_a_bag(qtbot, window):
    window.controller.load_request(CHILD)
    table = window.plan_view.table
    assert [table.item(0, c).text() for c in (7, 8)] == ["47.8 mL", "50 mL/h"]  # Day 1: bag
    assert [table.item(1, c).text() for c in (7, 8)] == ["syringe protocol", "protocol"]
    note = window.plan_view.table_note.text()
    assert "Day 8, Day 15: small dose — prepare by the institution's small-volume" in note
    # the calendar marks only days at least 6 days after the previous dose
    assert table.item(1, 2).text() == "7–10 Dec"
