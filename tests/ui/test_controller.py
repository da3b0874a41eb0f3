"""The controller without widgets: from field values to a request, a plan and problems."""

from __future__ import annotations

from typing import Any

import pytest

from besponsa_desktop import settings as settings_module
from besponsa_desktop.controller import (
    FIELD_KINDS,
    PlanController,
    applicable,
    blank_values,
    build_request,
    values_from_request,
)
from besponsa_desktop.core.models import BsaFormula, Label, Response
from besponsa_desktop.core.planner import make_plan
from besponsa_desktop.core.plausibility import VOLUME_ROUNDING_STEPS_ML
from besponsa_desktop.ui import form
from tests.ui.helpers import request

DEFAULTS = {"volume_rounding_ml": 0.1, "weight_change_threshold_pct": 10.0}


def values_for(name: str = "proceed", **changes: Any) -> dict[str, Any]:
    values = blank_values({})
    values.update(values_from_request(request(name)))
    values.update(changes)
    return values


def problems_by_field(controller: PlanController) -> dict[str, str]:
    return {p.field: p.message for p in controller.problems}


def test_fields_of_an_example_request_plan_exactly_as_the_request_itself():
    built, problems = build_request(values_for(), DEFAULTS)
    assert problems == []
    assert make_plan(built).model_dump(exclude={"request"}) == make_plan(
        request()
    ).model_dump(exclude={"request"})


def test_inches_and_pounds_are_sent_to_the_core_in_cm_and_kg():
    values = values_for(**{"height_cm": "65", "units.height": "in", "weight_kg": "150",
                           "units.weight": "lb"})
    built, _ = build_request(values, DEFAULTS)
    assert built["height_cm"] == pytest.approx(165.1)
    assert built["weight_kg"] == pytest.approx(68.0389, abs=1e-4)


def test_creatinine_in_mg_dl_goes_to_the_mg_dl_field():
    values = values_for(**{"labs.serum_creatinine": "0.9", "units.creatinine": "mg_dl"})
    built, _ = build_request(values, DEFAULTS)
    assert built["labs"]["serum_creatinine_mg_dl"] == 0.9
    assert "serum_creatinine_umol_l" not in built["labs"]


def test_later_cycle_questions_do_not_apply_to_cycle_1_and_are_not_sent():
    values = values_for()
    assert "response" not in applicable(values)
    assert "baseline.anc" not in applicable(values)
    built, _ = build_request(values, DEFAULTS)
    assert "response" not in built and "baseline" not in built
    assert "labs.peripheral_blasts_per_mm3" in applicable(values)
    later = values_for(**{"cycle.number": "2"})
    assert {"response", "dose_level", "baseline.anc"} <= applicable(later)
    assert "labs.peripheral_blasts_per_mm3" not in applicable(later)
    assert "cycle.extend_to_28_days" not in applicable(later)


def test_eu_questions_apply_only_under_the_eu_label():
    assert "ph_positive" not in applicable(values_for())
    eu = values_for(label="EU")
    assert "ph_positive" in applicable(eu)
    assert "tki_failed" not in applicable(eu)
    assert "tki_failed" in applicable(values_for(label="EU", ph_positive="yes"))


def test_an_empty_form_lists_what_is_missing_without_calling_it_wrong(controller):
    assert not controller.valid
    assert controller.problems
    assert all(p.missing for p in controller.problems)
    assert {"patient.name", "height_cm", "labs.anc"} <= set(problems_by_field(controller))


def test_a_height_in_metres_is_marked_on_the_height_field(controller):
    controller.set_values(values_for(height_cm="1.7"))
    assert not controller.valid and controller.plan is None
    assert "looks like metres" in problems_by_field(controller)["height_cm"]


def test_a_converted_height_says_what_it_was_converted_to(controller):
    controller.set_values(values_for(**{"height_cm": "1.7", "units.height": "in"}))
    assert problems_by_field(controller)["height_cm"].startswith("1.7 in = 4.32 cm")


def test_text_that_is_not_a_number_is_marked_and_the_rest_still_checked(controller):
    controller.set_values(values_for(**{"weight_kg": "6O", "labs.anc": "2100"}))
    found = problems_by_field(controller)
    assert "not a number" in found["weight_kg"]
    assert "per mm³" in found["labs.anc"]


def test_an_ambiguous_date_is_refused(controller):
    controller.set_values(values_for(**{"cycle.start_date": "01/12/2026"}))
    assert "day/month or month/day" in problems_by_field(controller)["cycle.start_date"]


def test_cycle_2_without_a_response_names_the_response_field(controller):
    controller.set_values(values_for(**{"cycle.number": "2", "response": ""}))
    assert "CR, CRi or not achieved" in problems_by_field(controller)["response"]


def test_signals_carry_the_plan_and_validity(qtbot, controller):
    plans, validity = [], []
    controller.planChanged.connect(plans.append)
    controller.validityChanged.connect(validity.append)
    controller.set_values(values_for())
    assert [p.decision.value for p in plans] == ["proceed"]
    assert validity == [True]
    controller.set_value("height_cm", "1.7")
    assert plans[-1] is None and validity == [True, False]


def test_the_institution_rounding_step_reaches_the_plan(settings, controller):
    settings.set("volume_rounding_ml", 0.01)
    controller.set_values(values_for())
    assert controller.plan.request.volume_rounding_ml == 0.01


def test_save_needs_a_signer(qtbot, controller):
    controller.set_values(values_for())
    with qtbot.waitSignal(controller.course.notice) as said:
        assert controller.save() is False  # nobody signed in: nothing saved
    assert "Nothing saved" in said.args[0].text and "Signed in as" in said.args[0].text


def test_window_choices_match_the_core_vocabulary():
    assert {v for _t, v in form.BSA_FORMULAS} == {f.value for f in BsaFormula}
    assert {v for _t, v in form.LABELS} == {lab.value for lab in Label}
    option = settings_module.OPTION_BY_KEY
    assert set(option["bsa_formula"].choices) == {f.value for f in BsaFormula}
    assert set(option["label_profile"].choices) == {lab.value for lab in Label}
    assert set(option["volume_rounding_ml"].choices) == set(VOLUME_ROUNDING_STEPS_ML)
    responses = {"cr", "cri", "none"}
    assert responses == {r.value for r in Response}


def test_every_request_field_has_a_field_kind():
    for key in ("patient.name", "labs.alt_uln", "events.vod", "contraindications.hypersensitivity"):
        assert key in FIELD_KINDS
