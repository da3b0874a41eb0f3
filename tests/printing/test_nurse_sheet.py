"""The nurse prepares and gives the dose from the sheet without asking (issue 14):
premedication as the institution set it, the prescriber and the pharmacist named on every
page, boxes for allergies and for the vial's lot and expiry, how the 50 mL is made, the
values the plan used beside each check, and verification wording that says what the
second person checked."""

from __future__ import annotations

from datetime import datetime

import pytest

from besponsa_desktop.core.premedication import Premedication, parse_premedications
from besponsa_desktop.printing.document import render_pdf
from besponsa_desktop.printing.options import DoubleCheck, PrintOptions
from tests.printing.conftest import PRINTED_AT, flat, pdf_pages, plan_for

ORDER_SET = (
    "methylprednisolone; 100 mg; intravenous; 60\n"
    "paracetamol; 1,000 mg; oral; 60\n"
    "diphenhydramine; 50 mg; intravenous; 30\n"
)
PRESCRIBER = {"prescriber": "Dr Maria Lopez"}


def pages(plan, **options) -> list[str]:
    return [flat(p) for p in pdf_pages(render_pdf(plan, PrintOptions(
        printed_at=PRINTED_AT, **options)))]


def dose_pages_of(texts: list[str]) -> list[str]:
    return [t for t in texts if "A. Preparation" in t]


def test_the_order_set_from_settings_is_printed_on_every_dose_page():
    texts = pages(plan_for(PRESCRIBER), premedications=parse_premedications(ORDER_SET))
    doses = dose_pages_of(texts)
    assert len(doses) == 3
    for text in doses:
        assert "methylprednisolone 100 mg intravenous 60 minutes before the infusion" in text
        assert "paracetamol 1,000 mg oral 60 minutes before" in text
        assert "diphenhydramine 50 mg intravenous 30 minutes before" in text
        assert "as prescribed" not in text


def test_with_no_order_set_the_premedication_lines_say_as_prescribed():
    for text in dose_pages_of(pages(plan_for(PRESCRIBER))):
        assert text.count("as prescribed") >= 3


def test_an_order_set_that_breaks_the_rules_of_a_printed_order_is_refused():
    for bad, words in (
        ("methylprednisolone; .5 mg; intravenous; 30", "leading zero"),
        ("methylprednisolone; 1.0 mg; intravenous; 30", "trailing zero"),
        ("methylprednisolone; 100 mg; intravenous", "4 parts"),
        ("methylprednisolone; 100 mg; intravenous; soon", "minutes"),
        ("methylprednisolone; 100 mg; IV push; 30", "route"),
    ):
        with pytest.raises(ValueError, match=words):
            parse_premedications(bad)
    assert parse_premedications("") == ()
    assert parse_premedications("a; 1 mg; oral; 0") == (Premedication("a", "1 mg", "oral", 0),)


def test_the_prescriber_and_the_pharmacist_are_named_on_every_page():
    texts = pages(plan_for(PRESCRIBER), pharmacist="Ann Pharmacist")
    assert len(texts) >= 5
    for text in texts:
        assert "Prescriber: Dr Maria Lopez" in text
        assert "Pharmacist: Ann Pharmacist" in text


def test_without_names_every_page_leaves_them_to_write_in():
    for text in pages(plan_for()):
        assert "Prescriber: ____" in text and "Pharmacist: ____" in text


def test_every_dose_page_has_boxes_for_allergies_and_the_vials_lot_and_expiry():
    for text in dose_pages_of(pages(plan_for(PRESCRIBER))):
        assert "Allergies" in text and "none known" in text
        assert "Vial lot" in text and "Expiry" in text


def test_the_50_ml_is_made_as_the_institution_says():
    empty = dose_pages_of(pages(plan_for(PRESCRIBER), dilution="empty_bag"))[0]
    assert "empty infusion bag" in empty
    assert "44.6 mL of 0.9% sodium chloride" in empty  # 50 − 5.4 mL of drug
    from_bag = dose_pages_of(pages(plan_for(PRESCRIBER), dilution="from_50_ml_bag"))[0]
    assert "50 mL bag of 0.9% sodium chloride" in from_bag
    assert "first withdraw and discard 5.4 mL" in from_bag


def test_the_checks_before_the_dose_show_the_values_the_plan_used():
    text = dose_pages_of(pages(plan_for(PRESCRIBER)))[0]
    assert "total bilirubin 10 = 0.48 × ULN (ULN 21)" in text
    assert "AST 25 = 0.63 × ULN" in text and "ALT 30 = 0.75 × ULN" in text
    assert "ANC 2.1 ×10⁹/L" in text and "platelets 140 ×10⁹/L" in text
    assert "peripheral blasts 4,000/mm³" in text
    assert "labs of Mon 30 Nov 2026" in text
    later = dose_pages_of(pages(plan_for(PRESCRIBER)))[1]  # Day 8: new labs needed
    assert "new results are needed before this dose" in later


def test_the_verification_says_exactly_what_the_second_person_checked():
    check = DoubleCheck("Ben Nurse", datetime(2026, 11, 30, 9, 15).astimezone())
    for text in pages(plan_for(PRESCRIBER), double_check=check):
        assert "Height and weight re-entered blind by Ben Nurse" in text
        assert "Independently double-checked by" not in text


@pytest.mark.parametrize("overrides", [
    {"labs": {"total_bilirubin": 40, "ast": 150}},  # HOLD
    {"events": {"vod": True}},  # DISCONTINUE
    {"label": "EU", "ph_positive": False, "patient": {"date_of_birth": "2015-01-01"}},
], ids=["hold", "discontinue", "not-eligible"])
def test_a_sheet_that_does_not_proceed_shows_no_day_as_a_dose_to_give(overrides):
    text = " ".join(pages(plan_for(overrides)))
    for words in ("Day 1 —", "Day 8", "Day 15", "due", "DOSE", "A. Preparation"):
        assert words not in text
