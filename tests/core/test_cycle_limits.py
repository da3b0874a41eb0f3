"""How many cycles: no response by cycle 3, HSCT 2 (a 3rd only without CR/CRi and MRD
negativity, never a 4th), otherwise at most 6."""

import pytest

from besponsa_desktop.core.models import Decision
from tests.factories import codes, later, plan_of


@pytest.mark.parametrize("number", [2, 3])
def test_cycles_2_and_3_without_response_may_be_given(number):
    plan = plan_of(later(cycle={"number": number}, response="none"))
    assert plan.decision is Decision.PROCEED


def test_cycle4_without_response_discontinues():
    plan = plan_of(later(cycle={"number": 4}, response="none"))
    assert plan.decision is Decision.DISCONTINUE
    assert codes(plan.reasons) == ["no_response_by_cycle_3"]
    assert plan.doses == []
    assert "cycle 4" in plan.reasons[0].message
    assert plan.reasons[0].source.startswith("US PI")


@pytest.mark.parametrize("number", [4, 5, 6])
def test_cycles_4_to_6_with_response_and_no_hsct_proceed(number):
    assert plan_of(later(cycle={"number": number}, response="cri")).decision is Decision.PROCEED


def test_cycle7_without_hsct_discontinues_max_cycles():
    plan = plan_of(later(cycle={"number": 7}, response="cr"))
    assert plan.decision is Decision.DISCONTINUE
    assert codes(plan.reasons) == ["max_cycles"]


def test_hsct_cycle_2_proceeds():
    assert plan_of(later(hsct_planned=True)).decision is Decision.PROCEED


def test_hsct_third_cycle_after_cr_and_mrd_negativity_is_not_given():
    plan = plan_of(later(cycle={"number": 3}, hsct_planned=True, response="cr", mrd_negative=True))
    assert plan.decision is Decision.DISCONTINUE
    assert codes(plan.reasons) == ["hsct_cycles_complete"]


@pytest.mark.parametrize(
    ("response", "mrd"), [("cr", False), ("cri", False), ("none", True), ("none", False)]
)
def test_hsct_third_cycle_may_be_considered_without_cr_and_mrd_negativity(response, mrd):
    plan = plan_of(
        later(cycle={"number": 3}, hsct_planned=True, response=response, mrd_negative=mrd)
    )
    assert plan.decision is Decision.PROCEED
    assert "hsct_third_cycle" in codes(plan.warnings)


def test_hsct_never_a_fourth_cycle():
    plan = plan_of(later(cycle={"number": 4}, hsct_planned=True, response="cr"))
    assert plan.decision is Decision.DISCONTINUE
    assert codes(plan.reasons) == ["hsct_cycles_complete"]


def test_hsct_fourth_cycle_without_response_gives_both_reasons():
    plan = plan_of(later(cycle={"number": 4}, hsct_planned=True, response="none"))
    assert set(codes(plan.reasons)) == {"no_response_by_cycle_3", "hsct_cycles_complete"}
