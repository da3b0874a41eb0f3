"""Table 4: dose levels from toxicity interruptions; never re-escalated."""

import pytest

from besponsa_desktop.core.dose_levels import within_cycle_action
from besponsa_desktop.core.models import Decision
from besponsa_desktop.core.validation import InvalidRequest
from tests.factories import codes, later, plan_of


def per_day(plan):
    return {d.day: d.mg_per_m2 for d in plan.doses}


def test_interruption_under_14_days_keeps_the_level():
    plan = plan_of(later(longest_toxicity_interruption_days=13))
    assert plan.dose_level == 0
    assert per_day(plan) == {1: 0.5, 8: 0.5, 15: 0.5}


def test_interruption_of_14_days_decreases_the_total_by_25_percent():
    plan = plan_of(later(response="none", longest_toxicity_interruption_days=14))
    assert plan.dose_level == 1
    assert per_day(plan) == pytest.approx({1: 0.6, 8: 0.375, 15: 0.375})
    assert plan.total_mg_per_m2 == pytest.approx(1.8 * 0.75)
    assert "0.75" in plan.rounding_convention
    assert "14" in plan.dose_level_reason


def test_a_further_interruption_gives_two_doses_per_cycle_days_1_and_8():
    plan = plan_of(later(dose_level=1, longest_toxicity_interruption_days=20))
    assert plan.dose_level == 2
    assert per_day(plan) == pytest.approx({1: 0.375, 8: 0.375})


def test_after_two_doses_per_cycle_a_further_step_discontinues():
    plan = plan_of(later(dose_level=2, longest_toxicity_interruption_days=14))
    assert plan.decision is Decision.DISCONTINUE
    assert codes(plan.reasons) == ["dose_reduction_exhausted"]
    assert plan.doses == []


def test_level_in_force_is_never_re_escalated():
    plan = plan_of(later(dose_level=1, longest_toxicity_interruption_days=0))
    assert plan.dose_level == 1
    assert "never re-escalated" in plan.dose_level_reason


def test_interruption_over_28_days_warns_to_consider_discontinuation():
    plan = plan_of(later(longest_toxicity_interruption_days=29))
    assert "interruption_over_28_days" in codes(plan.warnings)
    assert plan.decision is Decision.PROCEED


def test_interruption_of_exactly_28_days_does_not_warn():
    plan = plan_of(later(longest_toxicity_interruption_days=28))
    assert "interruption_over_28_days" not in codes(plan.warnings)


def test_day_15_does_not_exist_at_two_doses_per_cycle():
    with pytest.raises(InvalidRequest) as caught:
        plan_of(later(dose_level=2, dose_day=15, labs={"taken_on": "2026-12-14"}))
    assert caught.value.problems[0].path == "dose_day"


@pytest.mark.parametrize(("days", "action"), [(0, "hold"), (6, "hold"), (7, "omit"), (13, "omit")])
def test_within_cycle_interruption_under_7_days_holds_7_or_more_omits(days, action):
    assert within_cycle_action(days) == action
