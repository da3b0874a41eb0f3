"""The criteria printed before each dose are the core's, from the limits its rules use."""

from tests.factories import later, plan_of, request


def test_liver_criteria_name_the_limits():
    plan = plan_of(request())
    assert plan.doses[0].before_dose[0] == (
        "total bilirubin at most 1.5 × ULN; AST and ALT at most 2.5 × ULN"
    )


def test_gilbert_exemption_is_stated_when_recorded():
    plan = plan_of(request(labs={"bilirubin_from_gilbert_or_hemolysis": True}))
    assert plan.doses[0].before_dose[0].startswith("total bilirubin exempt")


def test_c1d1_criteria_name_the_blast_limit_and_days_8_15_are_not_gated_by_counts():
    d1, d8, _ = plan_of(request()).doses
    assert "peripheral blasts at most 10,000/mm³" in d1.before_dose[1]
    assert d8.before_dose[1].startswith("Days 8 and 15 are not held")


def test_later_cycle_day_1_states_the_count_rows_of_the_baseline():
    d1 = plan_of(later()).doses[0]
    assert "ANC at least 1 ×10⁹/L; platelets at least 50 ×10⁹/L" in d1.before_dose[1]
    low = plan_of(
        later(
            baseline={"anc": 0.5, "platelets": 140}, prior_cycle_start={"anc": 0.7, "platelets": 90}
        )
    ).doses[0]
    assert "platelets at least 50 ×10⁹/L; low baseline counts" in low.before_dose[1]
    assert "(ANC 0.7, platelets 90 ×10⁹/L)" in low.before_dose[1]


def test_cycle_last_day_and_vod_signs_come_from_the_core():
    plan = plan_of(request())
    assert plan.cycle.last_day.isoformat() == "2026-12-21"
    assert "yellow skin or eyes (jaundice)" in plan.counselling.report_signs
