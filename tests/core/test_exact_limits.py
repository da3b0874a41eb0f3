"""Issue 15, finding 1: a measured value exactly at a limit is within it, whatever the unit.

A ULN such as 1.2 mg/dL is not exact in binary floating point (1.5 × 1.2 is
1.7999999999999998), so limits are compared on the decimals as entered. The printed
comparison agrees with the decision at the printed precision.
"""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from besponsa_desktop.core.models import Decision
from besponsa_desktop.core.patient_checks import hepatic_category
from tests.factories import codes, later, plan_of, request


def _liver(**labs):
    return plan_of(request(labs=labs))


@pytest.mark.parametrize(
    ("labs", "unit"),
    [
        ({"total_bilirubin": 1.8, "total_bilirubin_uln": 1.2}, "mg/dL, 1.5 × ULN"),
        ({"total_bilirubin": 1.65, "total_bilirubin_uln": 1.1}, "mg/dL, 1.5 × ULN"),
        ({"total_bilirubin": 0.51, "total_bilirubin_uln": 0.34}, "µkat/L, 1.5 × ULN"),
        ({"ast": 1.4, "ast_uln": 0.56}, "µkat/L, 2.5 × ULN"),
        ({"alt": 1.75, "alt_uln": 0.7}, "µkat/L, 2.5 × ULN"),
        ({"ast": 0.85, "ast_uln": 0.34}, "µkat/L, 2.5 × ULN"),
    ],
)
def test_value_exactly_at_the_liver_limit_is_within_it(labs, unit):
    plan = _liver(**labs)
    assert plan.decision is Decision.PROCEED, (unit, plan.reasons)


def test_bilirubin_just_above_1_5_uln_holds_and_the_message_shows_it_above():
    plan = _liver(total_bilirubin=1.801, total_bilirubin_uln=1.2)
    assert codes(plan.reasons) == ["hepatic_limits"]
    message = plan.reasons[0].message
    # 1.801 and its ratio 1.50083 are printed with the places that show them above the limit
    assert "total bilirubin 1.801 is above 1.5 × ULN (1.8; ULN 1.2), 1.501 × ULN" in message


# ULNs as laboratories report them, in several units (decimal places as printed).
_UNITS = {
    "mg/dL": st.decimals("0.8", "1.5", places=2),
    "µmol/L": st.decimals("15", "26", places=1),
    "µkat/L": st.decimals("0.3", "0.9", places=2),
    "U/L": st.integers(20, 60).map(Decimal),
}


@st.composite
def _uln(draw):
    unit = draw(st.sampled_from(sorted(_UNITS)))
    return unit, draw(_UNITS[unit])


@settings(max_examples=150, deadline=None)
@given(uln=_uln(), which=st.sampled_from(["total_bilirubin", "ast", "alt"]),
       bump=st.sampled_from(["0", "0.0001", "-0.0001"]))
def test_exact_multiples_of_any_uln_are_within_and_a_hair_above_holds(uln, which, bump):
    unit, value_uln = uln
    factor = Decimal("1.5") if which == "total_bilirubin" else Decimal("2.5")
    value = factor * value_uln + Decimal(bump)
    plan = _liver(**{which: float(value), f"{which}_uln": float(value_uln)})
    if Decimal(bump) <= 0:
        assert plan.decision is Decision.PROCEED, (unit, value, value_uln, plan.reasons)
        return
    assert codes(plan.reasons) == ["hepatic_limits"], (unit, value, value_uln)
    # the printed value and the printed limit show the value above the limit
    message = plan.reasons[0].message
    shown = message.split(" is above ")[0].split()[-1]
    limit = message.split("× ULN (")[1].split(";")[0]
    ratio = message.split("), ")[1].split(" × ULN")[0]
    assert Decimal(shown) > Decimal(limit), message
    assert Decimal(ratio) > factor, message


def test_hepatic_category_at_exactly_1_5_uln_is_mild_not_moderate():
    plan = _liver(total_bilirubin=0.27, total_bilirubin_uln=0.18)  # 0.27 / 0.18 > 1.5 in floats
    assert hepatic_category(plan.request.labs).startswith("mild")
    assert "hepatic_impairment_moderate_or_severe" not in codes(plan.warnings)


def test_hepatic_category_at_exactly_3_uln_is_moderate_not_severe():
    plan = _liver(total_bilirubin=0.54, total_bilirubin_uln=0.18)  # 0.54 / 0.18 > 3 in floats
    assert hepatic_category(plan.request.labs).startswith("moderate")


def test_anc_just_below_1_is_printed_with_the_places_that_show_it_below():
    plan = plan_of(later(labs={"anc": 0.999}))
    assert codes(plan.reasons) == ["anc_low"]
    assert "ANC 0.999 ×10⁹/L is below 1 ×10⁹/L" in plan.reasons[0].message


def test_platelets_just_below_50_are_printed_below_50():
    plan = plan_of(later(labs={"platelets": 49.996}))
    assert "platelets 49.996 ×10⁹/L are below 50 ×10⁹/L" in plan.reasons[0].message


def test_blasts_just_above_10000_are_printed_above_10000():
    plan = plan_of(request(labs={"peripheral_blasts_per_mm3": 10000.4}))
    assert codes(plan.reasons) == ["cytoreduction_required"]
    assert "peripheral blasts 10,000.4/mm³ are above 10,000/mm³" in plan.reasons[0].message


def test_creatinine_clearance_exactly_15_is_not_below_15():
    # (140 − 40) × 54 / (72 × 5) = 15 exactly; in floats 0.85 × … is 14.999999999999998
    plan = plan_of(request(patient={"date_of_birth": "1986-01-01", "sex": "male"},
                           height_cm=165, weight_kg=54, labs={"serum_creatinine_umol_l": None,
                                                              "serum_creatinine_mg_dl": 5}))
    assert "crcl_below_15" not in codes(plan.warnings)
    assert plan.crcl_ml_min == 15


def test_creatinine_clearance_just_below_15_is_printed_below_15():
    plan = plan_of(request(patient={"date_of_birth": "1986-01-01", "sex": "male"},
                           height_cm=165, weight_kg=53.99, labs={"serum_creatinine_umol_l": None,
                                                                 "serum_creatinine_mg_dl": 5}))
    warning = next(w for w in plan.warnings if w.code == "crcl_below_15")
    shown = warning.message.split("creatinine clearance ")[1].split(" mL/min")[0]
    assert Decimal(shown) < 15, warning.message
    assert plan.crcl_ml_min is not None and plan.crcl_ml_min < 15


def test_weight_change_of_exactly_10_percent_warns():
    # 30.1 → 33.11 kg is 10%; in floats (33.11 − 30.1) / 30.1 × 100 is 9.999999999999993
    plan = plan_of(request(weight_kg=33.11, previous_weight_kg=30.1, confirm_body_size=True))
    warning = next(w for w in plan.warnings if w.code == "weight_changed")
    assert "changed by 10% since the previous cycle (30.1 kg)" in warning.message


def test_weight_change_just_under_10_percent_is_printed_under_10():
    plan = plan_of(request(weight_kg=33.1099, previous_weight_kg=30.1, confirm_body_size=True))
    assert "weight_changed" not in codes(plan.warnings)
