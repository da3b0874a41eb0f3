"""Issue 15, finding 2: a small dose is decided by the label alone and prepared honestly.

A dose that fits the 50 mL bag within 0.01–0.1 mg/mL gets the label's bag instructions. A
smaller dose gets no invented numbers: it is marked "small dose", prepared by the
institution's small-volume (syringe) protocol, and the pharmacist confirms it before
printing. An institution may configure its protocol; it is validated against the labelled
concentration range and printed as the institution's.
"""

import pytest

from besponsa_desktop.core.models import Decision
from besponsa_desktop.core.validation import InvalidRequest
from tests.factories import codes, plan_of, request

CHILD = {"patient": {"date_of_birth": "2020-01-01"}, "labs": {"serum_creatinine_umol_l": 30}}
# BSA 0.7 m² (Mosteller: √(98 × 18 / 3600) = 0.7): Day 1 0.56 mg, Days 8 and 15 0.35 mg
BSA_0_7 = {"height_cm": 98, "weight_kg": 18}
PROTOCOL = {
    "reference": "Children's Hospital pharmacy SOP 7.2",
    "total_volume_ml": 10,
    "min_concentration_mg_per_ml": 0.025,
    "infusion_minutes": 60,
}


def test_child_at_0_7_m2_proceeds_on_day_1_the_label_decides_not_the_preparation():
    plan = plan_of(request(CHILD, **BSA_0_7))
    assert plan.bsa_m2 == 0.7
    assert plan.decision is Decision.PROCEED
    assert "preparation_outside_label_range" not in codes(plan.reasons + plan.warnings)


def test_each_dose_has_its_own_preparation_status():
    plan = plan_of(request(CHILD, **BSA_0_7))
    d1, d8, d15 = plan.doses
    assert (d1.dose_mg, d8.dose_mg, d15.dose_mg) == (0.56, 0.35, 0.35)
    assert d1.preparation == "bag"
    assert (d1.diluent_total_ml, d1.sodium_chloride_ml, d1.rate_ml_per_h) == (50, 47.8, 50)
    for dose in (d8, d15):
        assert dose.preparation == "small_dose"
        assert "small dose: prepare by the institution's small-volume (syringe) protocol" in (
            dose.preparation_text)
        # nothing invented: no bag, no diluent volume, no rate, no time
        assert dose.diluent_total_ml is None
        assert dose.sodium_chloride_ml is None
        assert dose.final_concentration_mg_per_ml is None
        assert dose.rate_ml_per_h is None
        assert dose.infusion_minutes is None
        assert dose.preparation_protocol is None
    assert "small_dose" in codes(plan.warnings)


def test_day_8_small_dose_is_decided_by_the_label_and_not_held():
    plan = plan_of(request(CHILD, **BSA_0_7, dose_day=8))
    assert plan.decision is Decision.PROCEED


def test_a_bag_dose_is_not_held_because_of_another_days_small_dose():
    # Day 1 fits the bag; only Days 8 and 15 are small: Day 1 is decided on its own
    plan = plan_of(request(CHILD, **BSA_0_7))
    assert plan.dose_day == 1 and plan.decision is Decision.PROCEED


def test_adult_doses_are_all_bag_doses():
    plan = plan_of(request())
    assert {d.preparation for d in plan.doses} == {"bag"}
    assert "small_dose" not in codes(plan.warnings)


def test_the_institution_protocol_gives_syringe_numbers_printed_as_the_institutions():
    plan = plan_of(request(CHILD, **BSA_0_7, small_dose_protocol=PROTOCOL))
    d1, d8, _ = plan.doses
    assert d1.preparation == "bag" and d1.diluent_total_ml == 50  # the bag still applies
    assert d8.preparation == "small_dose"
    assert d8.preparation_protocol == "Children's Hospital pharmacy SOP 7.2"
    assert d8.volume_ml == 1.4
    assert d8.diluent_total_ml == 10
    assert d8.sodium_chloride_ml == 8.6
    assert d8.final_concentration_mg_per_ml == 0.035
    assert d8.infusion_minutes == 60
    assert d8.rate_ml_per_h == 10
    assert "institution's small-volume (syringe) protocol" in d8.preparation_text
    assert "Children's Hospital pharmacy SOP 7.2" in d8.preparation_text
    assert "not the label's" in d8.preparation_text


def test_a_dose_too_small_even_for_the_institution_protocol_gets_no_numbers():
    # BSA 0.45 m²: Days 8 and 15 are 0.23 mg, below 0.025 mg/mL × 10 mL = 0.25 mg
    plan = plan_of(request(CHILD, height_cm=70, weight_kg=10.4, small_dose_protocol=PROTOCOL))
    small = [d for d in plan.doses if d.dose_mg < 0.25]
    assert small
    for dose in small:
        assert dose.preparation == "small_dose"
        assert dose.preparation_protocol is None
        assert dose.diluent_total_ml is None
        assert "outside the institution's protocol" in dose.preparation_text
    assert plan.decision is Decision.PROCEED


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"min_concentration_mg_per_ml": 0.005}, "small_dose_protocol.min_concentration_mg_per_ml"),
        ({"min_concentration_mg_per_ml": 0.2}, "small_dose_protocol.min_concentration_mg_per_ml"),
        ({"total_volume_ml": 50}, "small_dose_protocol.total_volume_ml"),
        ({"total_volume_ml": 0}, "small_dose_protocol.total_volume_ml"),
        ({"infusion_minutes": 0}, "small_dose_protocol.infusion_minutes"),
        ({"reference": " "}, "small_dose_protocol.reference"),
    ],
)
def test_an_institution_protocol_outside_the_labelled_range_is_refused(change, path):
    with pytest.raises(InvalidRequest) as caught:
        plan_of(request(CHILD, **BSA_0_7, small_dose_protocol={**PROTOCOL, **change}))
    assert path in [p.path for p in caught.value.problems]
