"""Table 2: counts gate Day 1 of a later cycle only, by baseline row."""

import pytest

from besponsa_desktop.core.models import Decision
from tests.factories import codes, later, plan_of


def test_row1_baseline_anc_normal_and_anc_below_1_holds_with_numbers():
    plan = plan_of(later(labs={"anc": 0.8}))
    assert plan.decision is Decision.HOLD
    assert codes(plan.reasons) == ["anc_low"]
    message = plan.reasons[0].message
    assert "ANC 0.8 ×10⁹/L" in message and "below 1 ×10⁹/L" in message
    assert "baseline was 2.1" in message
    assert plan.reasons[0].source == "US PI Section 2, Table 2"


def test_row1_anc_fallen_but_still_at_least_1_proceeds():
    assert plan_of(later(labs={"anc": 1.0})).decision is Decision.PROCEED


def test_row2_baseline_platelets_normal_and_platelets_below_50_holds():
    plan = plan_of(later(labs={"platelets": 40}))
    assert plan.decision is Decision.HOLD
    assert codes(plan.reasons) == ["platelets_low"]
    assert "platelets 40 ×10⁹/L are below 50 ×10⁹/L; baseline was 140" in plan.reasons[0].message


def test_rows_1_and_2_together_give_two_reasons():
    plan = plan_of(later(labs={"anc": 0.5, "platelets": 30}))
    assert codes(plan.reasons) == ["anc_low", "platelets_low"]


def test_transfused_platelet_count_cannot_start_a_cycle():
    plan = plan_of(later(labs={"platelets_after_transfusion": True}))
    assert plan.decision is Decision.HOLD
    assert codes(plan.reasons) == ["platelets_transfused"]


LOW = {"baseline": {"anc": 0.6, "platelets": 30}}


def test_row3_low_baseline_counts_fallen_since_prior_cycle_holds():
    plan = plan_of(
        later(
            **LOW,
            prior_cycle_start={"anc": 0.9, "platelets": 45},
            labs={"anc": 0.7, "platelets": 40},
        )
    )
    assert plan.decision is Decision.HOLD
    # both fell and both are below their limits: each is named
    assert codes(plan.reasons) == ["anc_low", "platelets_low"]
    assert "0.9 → 0.7" in plan.reasons[0].message


def test_row3_release_1_counts_back_to_prior_cycle_levels():
    plan = plan_of(
        later(
            **LOW,
            prior_cycle_start={"anc": 0.7, "platelets": 40},
            labs={"anc": 0.7, "platelets": 41},
        )
    )
    assert plan.decision is Decision.PROCEED


def test_row3_release_2_anc_at_least_1_and_platelets_at_least_50():
    plan = plan_of(
        later(
            **LOW, prior_cycle_start={"anc": 3, "platelets": 200}, labs={"anc": 1, "platelets": 50}
        )
    )
    assert plan.decision is Decision.PROCEED


def test_row3_release_3_low_counts_attributed_to_the_disease():
    plan = plan_of(
        later(
            **LOW,
            prior_cycle_start={"anc": 0.9, "platelets": 45},
            labs={"anc": 0.5, "platelets": 20, "low_counts_attributed_to_disease": True},
        )
    )
    assert plan.decision is Decision.PROCEED


def test_row3_platelets_fallen_only_gives_platelets_low():
    plan = plan_of(
        later(
            **LOW,
            prior_cycle_start={"anc": 0.5, "platelets": 45},
            labs={"anc": 0.6, "platelets": 30},
        )
    )
    assert codes(plan.reasons) == ["platelets_low"]


def test_low_baseline_without_prior_cycle_counts_is_refused_as_input_from_cycle_3():
    from besponsa_desktop.core.validation import InvalidRequest

    with pytest.raises(InvalidRequest) as caught:
        plan_of(later(**LOW, cycle={"number": 3}))
    assert [p.path for p in caught.value.problems] == ["prior_cycle_start"]


def test_us_low_counts_over_28_days_drug_related_discontinue():
    plan = plan_of(later(labs={"anc": 0.5, "low_counts_duration_days": 29}))
    assert plan.decision is Decision.DISCONTINUE
    assert codes(plan.reasons) == ["cytopenia_over_28_days"]
    assert "29 days" in plan.reasons[0].message


def test_us_low_counts_for_exactly_28_days_still_only_hold():
    plan = plan_of(later(labs={"anc": 0.5, "low_counts_duration_days": 28}))
    assert plan.decision is Decision.HOLD


def test_eu_has_no_28_day_discontinuation():
    plan = plan_of(
        later(label="EU", ph_positive=False, labs={"anc": 0.5, "low_counts_duration_days": 40})
    )
    assert plan.decision is Decision.HOLD
    assert codes(plan.reasons) == ["anc_low"]
    assert plan.reasons[0].source.startswith("EU SmPC")


@pytest.mark.parametrize("day", [8, 15])
def test_days_8_and_15_are_never_held_for_counts(day):
    plan = plan_of(
        later(dose_day=day, labs={"anc": 0.2, "platelets": 10, "taken_on": "2026-12-07"})
    )
    assert plan.decision is Decision.PROCEED
    assert "counts_low_not_gating" in codes(plan.warnings)


def test_cycle_1_day_1_is_not_gated_by_table_2():
    from tests.factories import request

    plan = plan_of(request(labs={"anc": 0.3, "platelets": 20}))
    assert plan.decision is Decision.PROCEED
