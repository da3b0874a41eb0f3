"""Table 1: every regimen row, cycle lengths and dates."""

from datetime import date

import pytest

from besponsa_desktop.core.models import Decision
from tests.factories import later, plan_of, request


def per_day(plan):
    return {d.day: d.mg_per_m2 for d in plan.doses}


def test_cycle_1_every_patient_0_8_then_0_5_0_5_over_21_days():
    plan = plan_of(request())
    assert plan.decision is Decision.PROCEED
    assert per_day(plan) == {1: 0.8, 8: 0.5, 15: 0.5}
    assert plan.total_mg_per_m2 == 1.8
    assert plan.cycle.length_days == 21
    assert plan.cycle.next_cycle_due == date(2026, 12, 22)
    assert plan.cycle.dose_free_from is None


def test_cycle_1_extended_to_28_days_with_dose_free_interval_from_day_21():
    plan = plan_of(request(cycle={"extend_to_28_days": True}))
    assert plan.cycle.length_days == 28
    assert plan.cycle.dose_free_from == date(2026, 12, 21)
    assert plan.cycle.next_cycle_due == date(2026, 12, 29)
    assert per_day(plan) == {1: 0.8, 8: 0.5, 15: 0.5}
    assert "cycle_1_extended" in [w.code for w in plan.warnings]


@pytest.mark.parametrize("response", ["cr", "cri"])
def test_later_cycle_after_cr_or_cri_is_0_5_each_day_over_28_days(response):
    plan = plan_of(later(response=response))
    assert per_day(plan) == {1: 0.5, 8: 0.5, 15: 0.5}
    assert plan.total_mg_per_m2 == 1.5
    assert plan.cycle.length_days == 28
    assert plan.cycle.dose_free_from == date(2026, 12, 21)


def test_later_cycle_without_response_is_0_8_then_0_5_0_5_over_28_days():
    plan = plan_of(later(response="none"))
    assert per_day(plan) == {1: 0.8, 8: 0.5, 15: 0.5}
    assert plan.total_mg_per_m2 == 1.8
    assert plan.cycle.length_days == 28


def test_dose_dates_and_windows_of_days_8_and_15():
    plan = plan_of(request())
    d1, d8, d15 = plan.doses
    assert (d1.date, d1.window_start, d1.window_end) == (date(2026, 12, 1),) * 3
    assert (d8.date, d8.window_start, d8.window_end) == (
        date(2026, 12, 8),
        date(2026, 12, 7),  # at least 6 days after Day 1
        date(2026, 12, 10),
    )
    assert (d15.date, d15.window_start, d15.window_end) == (
        date(2026, 12, 15),
        date(2026, 12, 14),
        date(2026, 12, 17),
    )


def test_worked_example_from_the_contract():
    plan = plan_of(request())
    d1 = plan.doses[0]
    assert (d1.dose_mg, d1.volume_ml, d1.vials, d1.diluent_total_ml) == (1.35, 5.4, 2, 50)
    assert (d1.infusion_minutes, d1.rate_ml_per_h) == (60, 50)
