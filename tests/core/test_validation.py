"""Invalid and implausible input: refused, never clamped or ignored, and each problem names
its field by JSON path."""

import pytest

from besponsa_desktop.core.planner import make_plan
from besponsa_desktop.core.validation import InvalidRequest, parse_request_json
from tests.factories import DELETE, later, request


def problems(data):
    with pytest.raises(InvalidRequest) as caught:
        make_plan(data)
    return {p.path: p.message for p in caught.value.problems}


CASES = [
    # (overrides, path, words in the message)
    ({"heigth_cm": 165}, "heigth_cm", "not a known field"),
    ({"height_cm": 1.7}, "height_cm", "looks like metres"),
    ({"height_cm": 1650}, "height_cm", "millimetres"),
    ({"height_cm": 20}, "height_cm", "outside"),
    ({"height_cm": "165"}, "height_cm", "must be a number"),
    ({"height_cm": DELETE}, "height_cm", "is required"),
    ({"weight_kg": 62000}, "weight_kg", "looks like grams"),
    ({"weight_kg": 400}, "weight_kg", "pounds"),
    ({"weight_kg": 1}, "weight_kg", "below"),
    ({"weight_kg": -5}, "weight_kg", "below"),
    ({"measured_on": "30/11/2026"}, "measured_on", "YYYY-MM-DD"),
    ({"measured_on": "2026-12-05"}, "measured_on", "after the dose"),
    ({"label": "UK"}, "label", "'US' or 'EU'"),
    ({"bsa_formula": "boyd"}, "bsa_formula", "mosteller"),
    ({"bsa_cap_m2": 5}, "bsa_cap_m2", "outside"),
    ({"dose_day": 9}, "dose_day", "1, 8 or 15"),
    ({"dose_level": 3}, "dose_level", "less than or equal to 2"),
    ({"dose_level": 1}, "dose_level", "cycle 1 is always given at full dose"),
    (
        {"longest_toxicity_interruption_days": 5},
        "longest_toxicity_interruption_days",
        "cycle 1 has none",
    ),
    ({"response": "partial"}, "response", "'cr', 'cri' or 'none'"),
    ({"mrd_negative": "yes"}, "mrd_negative", "true or false"),
    ({"hsct_planned": 1}, "hsct_planned", "true or false"),
    ({"volume_rounding_ml": 0.2}, "volume_rounding_ml", "one of"),
    ({"weight_change_threshold_pct": 0}, "weight_change_threshold_pct", "between 1 and 50"),
    ({"previous_weight_kg": 62000}, "previous_weight_kg", "grams"),
    ({"patient": {"name": ""}}, "patient.name", "at least 1 character"),
    ({"patient": {"name": "  "}}, "patient.name", "blank"),
    ({"patient": {"mrn": DELETE}}, "patient.mrn", "is required"),
    ({"patient": {"sex": "f"}}, "patient.sex", "'female' or 'male'"),
    ({"patient": {"date_of_birth": "2027-01-01"}}, "patient.date_of_birth", "after"),
    ({"patient": {"date_of_birth": "1880-01-01"}}, "patient.date_of_birth", "above 120"),
    ({"patient": {"nickname": "J"}}, "patient.nickname", "not a known field"),
    ({"cycle": {"number": 0}}, "cycle.number", "greater than or equal to 1"),
    ({"cycle": {"number": 21}}, "cycle.number", "less than or equal to 20"),
    ({"cycle": {"number": 1.5}}, "cycle.number", "whole number"),
    (
        {
            "cycle": {"start_date": "1999-12-01"},
            "measured_on": "1999-11-30",
            "labs": {"taken_on": "1999-11-30"},
        },
        "cycle.start_date",
        "not a plausible date",
    ),
    ({"cycle": {"start_date": "2026-02-30"}}, "cycle.start_date", "YYYY-MM-DD"),
    ({"labs": DELETE}, "labs", "is required"),
    ({"labs": {"taken_on": "2026-12-02"}}, "labs.taken_on", "after the dose"),
    ({"labs": {"anc": 2100}}, "labs.anc", "per mm³"),
    ({"labs": {"anc": -1}}, "labs.anc", "negative"),
    ({"labs": {"platelets": 140000}}, "labs.platelets", "140 ×10⁹/L"),
    ({"labs": {"platelets": DELETE}}, "labs.platelets", "is required"),
    ({"labs": {"total_bilirubin": -1}}, "labs.total_bilirubin", "negative"),
    ({"labs": {"total_bilirubin_uln": 0}}, "labs.total_bilirubin_uln", "greater than 0"),
    (
        {"labs": {"total_bilirubin": 10, "total_bilirubin_uln": 0.3}},
        "labs.total_bilirubin",
        "same unit",
    ),
    ({"labs": {"ast": 5000}}, "labs.ast", "same unit"),
    ({"labs": {"alt_uln": -40}}, "labs.alt_uln", "greater than 0"),
    ({"labs": {"serum_creatinine_umol_l": 0.9}}, "labs.serum_creatinine_umol_l", "mg/dL"),
    ({"labs": {"serum_creatinine_umol_l": None}}, "labs.serum_creatinine_umol_l", "required"),
    ({"labs": {"serum_creatinine_mg_dl": 1.0}}, "labs.serum_creatinine_mg_dl", "once"),
    (
        {"labs": {"serum_creatinine_umol_l": None, "serum_creatinine_mg_dl": 80}},
        "labs.serum_creatinine_mg_dl",
        "µmol/L",
    ),
    (
        {"labs": {"peripheral_blasts_per_mm3": None}},
        "labs.peripheral_blasts_per_mm3",
        "required before cycle 1 Day 1",
    ),
    ({"labs": {"peripheral_blasts_per_mm3": -3}}, "labs.peripheral_blasts_per_mm3", "negative"),
    (
        {"labs": {"low_counts_duration_days": -1}},
        "labs.low_counts_duration_days",
        "greater than or equal to 0",
    ),
    (
        {"labs": {"platelets_after_transfusion": "no"}},
        "labs.platelets_after_transfusion",
        "true or false",
    ),
    (
        {"events": {"nonhematologic_grade": 5}},
        "events.nonhematologic_grade",
        "less than or equal to 4",
    ),
    ({"events": {"vod": None}}, "events.vod", "true or false"),
    ({"events": {"anaphylaxis": True}}, "events.anaphylaxis", "not a known field"),
    ({"label": "EU"}, "ph_positive", "required under the EU label"),
    ({"label": "EU", "ph_positive": True}, "tki_failed", "required for a Ph+"),
    (
        {"contraindications": {"pregnancy": True}},
        "contraindications.pregnancy",
        "not a known field",
    ),
]


@pytest.mark.parametrize(
    ("overrides", "path", "words"), CASES, ids=[c[1] + ":" + c[2][:20] for c in CASES]
)
def test_invalid_field_is_named_with_what_is_wrong(overrides, path, words):
    found = problems(request(overrides))
    assert path in found, found
    assert words in found[path], found[path]


LATER_CASES = [
    ({"response": DELETE}, "response", "required from cycle 2"),
    ({"baseline": DELETE}, "baseline", "required from cycle 2"),
    ({"baseline": {"anc": 5000}}, "baseline.anc", "per mm³"),
    ({"baseline": {"anc": 0.5}, "cycle": {"number": 3}}, "prior_cycle_start", "is required"),
    ({"cycle": {"extend_to_28_days": True}}, "cycle.extend_to_28_days", "only cycle 1"),
    ({"prior_cycle_start": {"anc": 1, "platelets": -1}}, "prior_cycle_start.platelets", "negative"),
]


@pytest.mark.parametrize(
    ("overrides", "path", "words"), LATER_CASES, ids=[c[1] for c in LATER_CASES]
)
def test_invalid_later_cycle_field_is_named(overrides, path, words):
    found = problems(later(**overrides))
    assert path in found, found
    assert words in found[path]


def test_all_problems_are_reported_together():
    found = problems(request(height_cm=1.7, weight_kg=62000, labs={"anc": 2100}))
    assert {"height_cm", "weight_kg", "labs.anc"} <= set(found)


@pytest.mark.parametrize("text", ["", "{", "[]", "null", '{"height_cm": NaN}', "42"])
def test_malformed_json_is_a_validation_error_not_a_crash(text):
    with pytest.raises(InvalidRequest) as caught:
        parse_request_json(text)
    assert caught.value.problems


def test_non_finite_numbers_are_refused():
    found = problems(request(height_cm=float("inf")))
    assert "height_cm" in found


def test_a_later_cycle_missing_response_is_reported_together_with_field_problems():
    found = problems(later(response=DELETE, baseline=DELETE, weight_kg=DELETE))
    assert {"weight_kg", "response", "baseline"} <= set(found)
