"""Preparation: mg, mL of 0.25 mg/mL, vials by 0.9 mg deliverable, 50 mL, 50 mL/h."""

import pytest

from besponsa_desktop.core.models import Decision
from besponsa_desktop.core.preparation import vials_needed
from tests.factories import codes, plan_of, request


@pytest.mark.parametrize(("volume", "vials"), [(0.4, 1), (3.6, 1), (3.7, 2), (7.2, 2), (7.3, 3)])
def test_vials_are_counted_by_3_6_ml_deliverable(volume, vials):
    assert vials_needed(volume) == vials


def test_a_dose_just_over_0_9_mg_needs_two_vials_never_counted_by_1_mg():
    # 0.5 mg/m² × 1.9 m² = 0.95 mg: one "1 mg" vial would look enough, but a vial delivers 0.9
    plan = plan_of(request(height_cm=177.8, weight_kg=73.1))
    d8 = plan.doses[1]
    assert 0.9 < d8.dose_mg < 1.0
    assert d8.vials == 2


def test_volume_is_printed_dose_over_0_25_rounded_to_0_1_ml_and_deviation_is_shown():
    plan = plan_of(request())
    d8 = plan.doses[1]
    assert plan.bsa_m2 == 1.69
    assert d8.dose_mg == 0.85  # 0.5 × 1.69 = 0.845, half-up
    assert d8.volume_ml == 3.4
    assert d8.delivered_mg == 0.85
    # from the unrounded 0.5 × 1.68572 = 0.84286 mg
    assert d8.deviation_pct == 0.85
    assert d8.sodium_chloride_ml == 46.6
    assert d8.diluent_total_ml == 50
    assert d8.reconstitution_water_ml_per_vial == 4


def test_finer_rounding_step_is_honoured():
    # BSA 1.89 m²: Day 1 1.51 mg = 6.04 mL, 6 mL at the 0.1 mL step
    plan = plan_of(request(height_cm=177.8, weight_kg=72.6, volume_rounding_ml=0.01))
    assert plan.doses[0].volume_ml == 6.04


def test_dose_is_never_rounded_to_whole_vials():
    plan = plan_of(request())
    assert plan.doses[0].dose_mg == 1.35  # not 1.8 mg (two whole vials)


def test_small_child_dose_below_labelled_bag_concentration_proceeds_without_invented_numbers():
    plan = plan_of(request(patient={"date_of_birth": "2023-01-01"}, height_cm=80,
                           weight_kg=10, labs={"serum_creatinine_umol_l": 25}))
    assert plan.decision is Decision.PROCEED
    assert "small_dose" in codes(plan.warnings)
    assert all(d.diluent_total_ml is None for d in plan.doses)
