"""Height and weight that cannot both be right for the patient's age, and a weight far from
the previous cycle's: a problem on the field that asks to correct or confirm (never a
clamp); a confirmed value plans, with the confirmation at the top of the warnings."""

from __future__ import annotations

import pytest

from besponsa_desktop.core import plausibility as pl
from besponsa_desktop.core.patient_checks import CHECK_BEFORE_DECIDING
from besponsa_desktop.core.planner import make_plan
from besponsa_desktop.core.validation import InvalidRequest
from tests.factories import BASE, codes, merge


def problems(data) -> dict[str, str]:
    with pytest.raises(InvalidRequest) as refused:
        make_plan(data)
    return {p.path: p.message for p in refused.value.problems}


def test_weight_in_pounds_typed_as_kg_for_an_adult_asks_to_confirm():
    found = problems(merge(BASE, {"height_cm": 170, "weight_kg": 178.6}))
    message = found["weight_kg"]
    assert "BMI 61.8 kg/m²" in message and "170 cm" in message
    assert "13–60 kg/m²" in message and "adult" in message
    assert "81 kg" in message  # what it is if it was typed in pounds
    assert "confirm" in message


def test_81_lb_chosen_by_mistake_gives_a_bmi_of_12_and_asks_to_confirm():
    found = problems(merge(BASE, {"height_cm": 175, "weight_kg": 36.7}))
    assert "BMI 12 kg/m²" in found["weight_kg"]


def test_a_combination_no_body_has_cannot_be_confirmed():
    data = merge(BASE, {"height_cm": 45, "weight_kg": 350, "confirm_body_size": True})
    found = problems(data)
    assert "BMI 1,728.4 kg/m²" in found["weight_kg"]
    assert "cannot be confirmed" in found["weight_kg"]


def test_a_confirmed_unusual_body_size_plans_with_the_confirmation_at_the_top():
    plan = make_plan(merge(BASE, {"height_cm": 175, "weight_kg": 36.7,
                                  "confirm_body_size": True}))
    assert "body_size_confirmed" in codes(plan.warnings)
    assert "body_size_confirmed" in CHECK_BEFORE_DECIDING
    assert plan.weight_kg == 36.7  # never clamped


def test_children_have_their_own_limits():
    child = merge(BASE, {"patient": {"date_of_birth": "2020-06-01"}, "height_cm": 110,
                         "weight_kg": 19})  # age 6, BMI 15.7
    assert make_plan(child).weight_kg == 19
    found = problems(merge(child, {"weight_kg": 60}))  # BMI 49.6
    assert f"{pl.CHILD_BMI_PLAUSIBLE[0]:g}–{pl.CHILD_BMI_PLAUSIBLE[1]:g} kg/m²" in found[
        "weight_kg"]
    assert "child" in found["weight_kg"]


def test_an_unusual_but_plausible_bmi_is_a_warning_at_the_top():
    plan = make_plan(merge(BASE, {"height_cm": 170, "weight_kg": 130}))  # BMI 45
    assert "unusual_body_size" in codes(plan.warnings)
    assert "unusual_body_size" in CHECK_BEFORE_DECIDING


def test_a_weight_far_from_the_previous_cycles_asks_to_confirm():
    data = merge(BASE, {"weight_kg": 62, "previous_weight_kg": 136.7})  # 62 kg in lb?
    found = problems(data)
    assert "previous cycle's 136.7 kg" in found["weight_kg"]
    assert "-54.6%" in found["weight_kg"]
    plan = make_plan(merge(data, {"confirm_weight_change": True}))
    assert "weight_change_confirmed" in codes(plan.warnings)


def test_an_ordinary_weight_change_is_only_the_usual_warning():
    plan = make_plan(merge(BASE, {"weight_kg": 62, "previous_weight_kg": 70}))
    assert "weight_changed" in codes(plan.warnings)
