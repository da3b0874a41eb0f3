"""Who may be treated, cytoreduction before C1D1, and the patient warnings."""

from datetime import date

import pytest

from besponsa_desktop.core.models import Decision, Sex
from besponsa_desktop.core.patient_checks import add_months, cockcroft_gault
from tests.factories import codes, later, plan_of, request

CHILD = {
    "patient": {"date_of_birth": "2014-06-01"},
    "height_cm": 140,
    "weight_kg": 35,
    "labs": {"serum_creatinine_umol_l": 40},
}


def test_us_child_of_one_year_or_more_is_eligible():
    plan = plan_of(request(CHILD))
    assert plan.decision is Decision.PROCEED
    assert plan.age_years == 12
    assert "crcl_not_calculated_pediatric" in codes(plan.warnings)


def test_us_infant_under_one_year_is_not_eligible():
    plan = plan_of(
        request(
            patient={"date_of_birth": "2026-01-10"},
            height_cm=70,
            weight_kg=8,
            labs={"serum_creatinine_umol_l": 20},
        )
    )
    assert plan.decision is Decision.NOT_ELIGIBLE
    assert codes(plan.reasons) == ["age_below_minimum"]
    assert "age 0 years" in plan.reasons[0].message
    assert plan.doses == []


def test_eu_child_is_not_eligible():
    plan = plan_of(request(CHILD, label="EU", ph_positive=False))
    assert plan.decision is Decision.NOT_ELIGIBLE
    assert codes(plan.reasons) == ["age_below_minimum"]
    assert "minimum of 18 years" in plan.reasons[0].message


def test_eu_ph_positive_without_tki_failure_is_not_eligible():
    plan = plan_of(request(label="EU", ph_positive=True, tki_failed=False))
    assert codes(plan.reasons) == ["ph_positive_without_tki_failure"]


def test_eu_ph_positive_after_tki_failure_is_eligible():
    assert plan_of(request(label="EU", ph_positive=True, tki_failed=True)).decision is (
        Decision.PROCEED
    )


@pytest.mark.parametrize(
    ("field", "code"),
    [
        ("hypersensitivity", "contraindicated_hypersensitivity"),
        ("prior_severe_or_ongoing_vod", "contraindicated_prior_vod"),
        ("serious_ongoing_liver_disease", "contraindicated_liver_disease"),
    ],
)
def test_eu_contraindications(field, code):
    plan = plan_of(request(label="EU", ph_positive=False, contraindications={field: True}))
    assert plan.decision is Decision.NOT_ELIGIBLE
    assert codes(plan.reasons) == [code]
    assert plan.reasons[0].source == "EU SmPC Section 4.3"


def test_us_reported_hypersensitivity_reaches_the_prescriber_as_a_warning():
    plan = plan_of(request(contraindications={"hypersensitivity": True}))
    assert plan.decision is Decision.PROCEED
    assert "contraindicated_hypersensitivity_reported" in codes(plan.warnings)


def test_blasts_above_10000_before_c1d1_require_cytoreduction():
    plan = plan_of(request(labs={"peripheral_blasts_per_mm3": 10001}))
    assert plan.decision is Decision.HOLD
    assert codes(plan.reasons) == ["cytoreduction_required"]
    assert "10,001/mm³" in plan.reasons[0].message


def test_blasts_of_exactly_10000_proceed():
    plan = plan_of(request(labs={"peripheral_blasts_per_mm3": 10000}))
    assert plan.decision is Decision.PROCEED


def test_blasts_do_not_gate_later_days():
    plan = plan_of(request(dose_day=8, labs={"peripheral_blasts_per_mm3": 50000}))
    assert plan.decision is Decision.PROCEED


def test_cockcroft_gault_reference_formula():
    assert cockcroft_gault(60, 70, Sex.MALE, 1.0) == pytest.approx(77.78, abs=0.01)
    assert cockcroft_gault(60, 70, Sex.FEMALE, 1.0) == pytest.approx(66.11, abs=0.01)


def test_creatinine_clearance_below_15_warns():
    plan = plan_of(request(labs={"serum_creatinine_umol_l": 600}))
    assert "crcl_below_15" in codes(plan.warnings)
    assert plan.crcl_ml_min is not None and plan.crcl_ml_min < 15


def test_creatinine_in_mg_dl_gives_the_same_clearance():
    a = plan_of(request(labs={"serum_creatinine_umol_l": 88.4}))
    b = plan_of(request(labs={"serum_creatinine_umol_l": None, "serum_creatinine_mg_dl": 1.0}))
    assert a.crcl_ml_min == b.crcl_ml_min


@pytest.mark.parametrize(
    ("bili", "ast", "category"),
    [
        (10, 30, "normal"),
        (10, 50, "mild"),
        (25, 30, "mild"),
        (40, 30, "moderate"),
        (70, 30, "severe"),
    ],
)
def test_hepatic_category_nci_odwg(bili, ast, category):
    plan = plan_of(
        request(
            labs={"total_bilirubin": bili, "ast": ast, "bilirubin_from_gilbert_or_hemolysis": True}
        )
    )
    assert plan.hepatic_category.startswith(category)


def test_contraception_and_breastfeeding_end_dates_for_a_woman():
    plan = plan_of(request())
    c = plan.counselling
    assert c.last_planned_dose == date(2026, 12, 15)
    assert c.contraception_until == date(2027, 8, 15)
    assert c.breastfeeding_until == date(2027, 2, 15)


def test_contraception_end_date_for_a_man_is_5_months():
    plan = plan_of(request(patient={"sex": "male"}))
    assert plan.counselling.contraception_until == date(2027, 5, 15)
    assert plan.counselling.breastfeeding_until is None


def test_add_months_clamps_to_month_end():
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)


def test_weight_change_at_threshold_asks_to_reverify():
    plan = plan_of(later(previous_weight_kg=70, weight_kg=63))
    assert "weight_changed" in codes(plan.warnings)
    assert "-10%" in next(w for w in plan.warnings if w.code == "weight_changed").message


def test_weight_change_below_threshold_is_quiet():
    assert "weight_changed" not in codes(plan_of(later(previous_weight_kg=65)).warnings)


def test_old_labs_warn():
    plan = plan_of(request(labs={"taken_on": "2026-11-20"}))
    assert "labs_old" in codes(plan.warnings)


def test_hsct_reminder_explains_the_two_cycles():
    plan = plan_of(request(hsct_planned=True))
    assert "vod_risk_hsct" in codes(plan.reminders)


def test_eu_reminds_of_tumour_lysis():
    assert "tumour_lysis" in codes(plan_of(request(label="EU", ph_positive=False)).reminders)


def test_a_child_weight_change_of_5_percent_asks_to_reverify():
    plan = plan_of(later(CHILD, previous_weight_kg=36.9))
    assert "weight_changed" in codes(plan.warnings)
    assert "5% threshold" in next(w for w in plan.warnings if w.code == "weight_changed").message


def test_an_adult_weight_change_of_5_percent_is_quiet():
    assert "weight_changed" not in codes(plan_of(later(previous_weight_kg=65.5)).warnings)
