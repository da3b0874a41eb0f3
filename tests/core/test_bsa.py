"""Body surface area: the reference's check values for each formula."""

import math

import pytest

from besponsa_desktop.core.bsa import body_surface_area
from besponsa_desktop.core.models import BsaFormula
from tests.factories import plan_of, request


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        (BsaFormula.MOSTELLER, 1.893),
        (BsaFormula.DUBOIS, 1.898),
        (BsaFormula.HAYCOCK, 1.895),
        (BsaFormula.GEHAN_GEORGE, 1.901),
    ],
)
def test_reference_check_values_177_8_cm_72_6_kg(formula, expected):
    # The reference gives its check values truncated to three decimals (Mosteller is
    # 1.89358..., printed 1.893), so compare the truncated value.
    value = body_surface_area(formula, 177.8, 72.6)
    assert math.floor(value * 1000) / 1000 == pytest.approx(expected)


def test_plan_shows_bsa_to_0_01_and_keeps_the_unrounded_value():
    plan = plan_of(request())
    assert plan.bsa_m2 == 1.69
    assert plan.bsa_m2_exact == pytest.approx(1.68572, abs=1e-5)
    assert plan.bsa_formula_text.startswith("Mosteller")


def test_chosen_formula_is_used_and_named():
    plan = plan_of(request(height_cm=177.8, weight_kg=72.6, bsa_formula="dubois"))
    assert plan.bsa_m2 == 1.9
    assert plan.bsa_formula_text.startswith("DuBois")


def test_no_silent_cap_for_a_large_patient():
    plan = plan_of(request(height_cm=190, weight_kg=150))
    assert plan.bsa_m2 == pytest.approx(2.81, abs=0.005)
    assert plan.bsa_m2_used == plan.bsa_m2_exact
    assert "bsa_capped" not in [w.code for w in plan.warnings]


def test_an_institutional_cap_is_explicit_and_printed_as_a_warning():
    plan = plan_of(request(height_cm=190, weight_kg=150, bsa_cap_m2=2.0))
    assert plan.bsa_m2_used == 2.0
    assert plan.doses[0].dose_mg == 1.6
    capped = [w for w in plan.warnings if w.code == "bsa_capped"]
    assert capped and "2.81 m²" in capped[0].message and "2 m²" in capped[0].message
