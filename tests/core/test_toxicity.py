"""Table 3: non-hematologic toxicity at any dose day."""

import pytest

from besponsa_desktop.core.models import Decision
from tests.factories import codes, later, plan_of, request


@pytest.mark.parametrize("day", [1, 8, 15])
def test_vod_discontinues_permanently_on_any_day(day):
    plan = plan_of(request(dose_day=day, events={"vod": True}))
    assert plan.decision is Decision.DISCONTINUE
    assert codes(plan.reasons) == ["vod"]
    assert plan.doses == []
    assert plan.reasons[0].source == "US PI Section 2, Table 3"


def test_severe_liver_toxicity_discontinues():
    plan = plan_of(request(events={"severe_liver_toxicity": True}))
    assert codes(plan.reasons) == ["severe_liver_toxicity"]


def test_severe_infusion_reaction_discontinues():
    plan = plan_of(later(events={"severe_infusion_reaction": True}))
    assert plan.decision is Decision.DISCONTINUE
    assert codes(plan.reasons) == ["severe_infusion_reaction"]


def test_bilirubin_above_1_5_uln_holds_and_names_value_and_limit():
    plan = plan_of(request(labs={"total_bilirubin": 35, "total_bilirubin_uln": 21}))
    assert plan.decision is Decision.HOLD
    assert codes(plan.reasons) == ["hepatic_limits"]
    msg = plan.reasons[0].message
    assert "total bilirubin 35 is above 1.5 × ULN (31.5; ULN 21)" in msg


def test_bilirubin_exactly_1_5_uln_proceeds():
    plan = plan_of(request(labs={"total_bilirubin": 31.5, "total_bilirubin_uln": 21}))
    assert plan.decision is Decision.PROCEED


@pytest.mark.parametrize("enzyme", ["ast", "alt"])
def test_transaminase_above_2_5_uln_alone_holds(enzyme):
    plan = plan_of(request(labs={enzyme: 101, f"{enzyme}_uln": 40}))
    assert plan.decision is Decision.HOLD
    assert f"{enzyme.upper()} 101 is above 2.5 × ULN (100; ULN 40)" in plan.reasons[0].message


def test_transaminase_exactly_2_5_uln_proceeds():
    assert plan_of(request(labs={"ast": 100, "alt": 100})).decision is Decision.PROCEED


def test_both_limits_broken_are_both_shown():
    plan = plan_of(request(labs={"total_bilirubin": 40, "ast": 120}))
    msg = plan.reasons[0].message
    assert "total bilirubin 40" in msg and "AST 120" in msg


def test_bilirubin_from_gilbert_or_hemolysis_does_not_hold():
    plan = plan_of(
        request(labs={"total_bilirubin": 50, "bilirubin_from_gilbert_or_hemolysis": True})
    )
    assert plan.decision is Decision.PROCEED


def test_gilbert_does_not_excuse_transaminases():
    plan = plan_of(
        request(
            labs={"total_bilirubin": 50, "ast": 150, "bilirubin_from_gilbert_or_hemolysis": True}
        )
    )
    assert plan.decision is Decision.HOLD
    assert "bilirubin" not in plan.reasons[0].message.split(".")[0]


@pytest.mark.parametrize("day", [1, 8, 15])
def test_grade_2_nonhematologic_toxicity_holds_any_day(day):
    plan = plan_of(request(dose_day=day, events={"nonhematologic_grade": 2}))
    assert plan.decision is Decision.HOLD
    assert codes(plan.reasons) == ["nonhematologic_toxicity"]


def test_grade_1_does_not_hold():
    assert plan_of(request(events={"nonhematologic_grade": 1})).decision is Decision.PROCEED


def test_grade_back_to_pretreatment_grade_does_not_hold():
    plan = plan_of(
        request(events={"nonhematologic_grade": 2, "nonhematologic_pretreatment_grade": 2})
    )
    assert plan.decision is Decision.PROCEED


def test_discontinue_outranks_hold_and_the_hold_becomes_a_warning():
    plan = plan_of(request(events={"vod": True, "nonhematologic_grade": 3}))
    assert plan.decision is Decision.DISCONTINUE
    assert codes(plan.reasons) == ["vod"]
    assert "nonhematologic_toxicity" in codes(plan.warnings)
