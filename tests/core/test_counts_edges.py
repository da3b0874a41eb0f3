"""Issue 15, findings 3 and 4: cycle 2 takes the prior cycle's start counts from the
baseline; each hold names the count that blocks, for every mixed baseline."""

import itertools

import pytest

from besponsa_desktop.core.models import Decision
from besponsa_desktop.core.validation import InvalidRequest
from tests.factories import codes, later, plan_of

LOW = {"baseline": {"anc": 0.6, "platelets": 30}}


def test_cycle_2_with_low_baseline_uses_the_baseline_as_prior_cycle_start():
    # cycle 1 began at the baseline: counts back to it release the hold (release 1)
    plan = plan_of(later(**LOW, labs={"anc": 0.6, "platelets": 30}))
    assert plan.decision is Decision.PROCEED
    plan = plan_of(later(**LOW, labs={"anc": 0.5, "platelets": 30}))
    assert plan.decision is Decision.HOLD
    assert "0.6 → 0.5" in plan.reasons[0].message
    assert "start of cycle 1 (the baseline)" in plan.reasons[0].message


def test_cycle_3_with_low_baseline_still_needs_the_prior_cycle_start():
    with pytest.raises(InvalidRequest) as caught:
        plan_of(later(**LOW, cycle={"number": 3}))
    assert [p.path for p in caught.value.problems] == ["prior_cycle_start"]


def test_issue_example_only_the_platelets_block():
    # baseline ANC 2.0 (normal) and platelets 30 (low); ANC 1.5 is normal, platelets 25 fell
    # below the prior cycle's 35 and are below 50
    plan = plan_of(later(baseline={"anc": 2.0, "platelets": 30},
                         prior_cycle_start={"anc": 1.6, "platelets": 35},
                         labs={"anc": 1.5, "platelets": 25}))
    assert plan.decision is Decision.HOLD
    assert codes(plan.reasons) == ["platelets_low"]


# Every mixed combination: baseline normal/low for each count, and each count now at or
# above / below its prior-cycle level and its recovery limit (ANC 1, platelets 50).
BASELINE = {"normal": (2.0, 140.0), "low": (0.6, 30.0)}
# (value now, prior-cycle level): "below both", "below prior only", "below limit only", "ok"
ANC_STATES = {"below_both": (0.5, 0.8), "below_prior": (1.2, 1.5), "below_limit": (0.8, 0.7),
              "ok": (1.5, 1.2)}
PLT_STATES = {"below_both": (25.0, 35.0), "below_prior": (60.0, 80.0),
              "below_limit": (40.0, 35.0), "ok": (80.0, 60.0)}


def _expected(anc_base, plt_base, anc_state, plt_state):
    """The Table 2 rows, stated on their own: which counts block the cycle."""
    anc, prior_anc = ANC_STATES[anc_state]
    plt, prior_plt = PLT_STATES[plt_state]
    blocked = set()
    # rows 1 and 2: a count with a normal baseline must be back to its limit
    if anc_base == "normal" and anc < 1:
        blocked.add("anc_low")
    if plt_base == "normal" and plt < 50:
        blocked.add("platelets_low")
    # row 3 (either baseline low): held unless both are back to the prior cycle's start
    # levels, or both at their limits; what blocks is the count below its limit (a count at
    # or above its limit is normal), and among those the ones that also fell, if any
    if "low" in (anc_base, plt_base):
        fell = anc < prior_anc or plt < prior_plt
        recovered = anc >= 1 and plt >= 50
        if fell and not recovered:
            below = {c for c, low in (("anc_low", anc < 1), ("platelets_low", plt < 50)) if low}
            fallen = {c for c in below
                      if (c == "anc_low" and anc < prior_anc)
                      or (c == "platelets_low" and plt < prior_plt)}
            blocked |= fallen or below
    return blocked


@pytest.mark.parametrize(
    ("anc_base", "plt_base", "anc_state", "plt_state"),
    list(itertools.product(BASELINE, BASELINE, ANC_STATES, PLT_STATES)),
)
def test_each_hold_names_the_counts_that_block(anc_base, plt_base, anc_state, plt_state):
    anc, prior_anc = ANC_STATES[anc_state]
    plt, prior_plt = PLT_STATES[plt_state]
    base_anc, base_plt = BASELINE[anc_base][0], BASELINE[plt_base][1]
    plan = plan_of(later(
        cycle={"number": 3},
        baseline={"anc": base_anc, "platelets": base_plt},
        prior_cycle_start={"anc": prior_anc, "platelets": prior_plt},
        labs={"anc": anc, "platelets": plt},
    ))
    expected = _expected(anc_base, plt_base, anc_state, plt_state)
    assert set(codes(plan.reasons)) == expected
    assert len(codes(plan.reasons)) == len(expected)  # never the same count twice
    assert (plan.decision is Decision.HOLD) == bool(expected)
