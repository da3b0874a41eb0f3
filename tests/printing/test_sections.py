"""What the nurse must find on the PROCEED sheet, section by section (text from the PDF)."""

from __future__ import annotations

import re
from datetime import datetime

from besponsa_desktop.printing.document import render_pdf
from besponsa_desktop.printing.options import DoubleCheck, PrintOptions
from tests.printing.conftest import PRINTED_AT, flat, pdf_pages, plan_for


def test_every_page_carries_the_header(proceed_pages):
    total = len(proceed_pages)
    assert total >= 5  # decision/basis/calendar, three doses, counselling
    for number, page in enumerate(proceed_pages, start=1):
        text = flat(page)
        assert "St Mary General Hospital" in text
        assert "Inotuzumab ozogamicin (BESPONSA)" in text
        assert "Jane Doe" in text and "MRN H1234567" in text
        assert "born Sat 15 Mar 1980" in text and "sex female" in text
        assert "Cycle 1 (21 days): Tue 1 Dec 2026 – Mon 21 Dec 2026" in text
        assert f"Page {number} of {total}" in text
        assert "Printed Mon 23 Nov 2026 08:34" in text
        assert "besponsa-desktop 0.1.0" in text
        assert "label profile US: US Prescribing Information" in text
        assert "NOT YET VERIFIED" in text


def test_a_verified_plan_names_who_double_checked():
    check = DoubleCheck("R. Patel", datetime(2026, 11, 23, 7, 50))
    pages = pdf_pages(
        render_pdf(plan_for(), PrintOptions(printed_at=PRINTED_AT, double_check=check))
    )
    for page in pages:
        text = flat(page)
        assert "Height and weight re-entered blind by R. Patel at Mon 23 Nov 2026 07:50" in text
        assert "NOT YET VERIFIED" not in text


def test_first_page_says_proceed(proceed_pages):
    text = flat(proceed_pages[0])
    assert "PROCEED Prepare and give the doses" in text
    assert "do not prepare" not in text


def test_dosing_basis(proceed_pages):
    text = flat(proceed_pages[0])
    for phrase in (
        "Height 165 cm",
        "Weight 62 kg",
        "Measured on Mon 30 Nov 2026",
        "1.69 m² — Mosteller: √(height cm × weight kg / 3600)",
        "Dose level 0 — cycle 1: full dose",
        "Day 1 Tue 1 Dec 2026 0.8 mg/m² 1.35 mg 5.4 mL 2",
        "Day 8 Tue 8 Dec 2026 0.5 mg/m² 0.85 mg 3.4 mL 1",
        "Day 15 Tue 15 Dec 2026 0.5 mg/m² 0.85 mg 3.4 mL 1",
        "Cycle total 3 doses 1.8 mg/m² 3.05 mg",
        "Rounding convention: Dose = printed BSA × mg/m², half-up to 0.01 mg; volume = dose ÷ "
        "0.25 mg/mL, half-up to 0.1 mL",
    ):
        assert phrase in text, phrase


def dose_pages(pages):
    """The one page per dose (after the decision, basis and calendar pages)."""
    return [page for page in pages if re.search(r"A\. Preparation", flat(page))]


def test_infusion_calendar_in_words_and_grid(proceed_pages):
    text = flat(" ".join(p for p in proceed_pages if "Infusion calendar" in flat(p)))
    assert "Infusion calendar — cycle 1" in text
    assert "Day 8: Tue 8 Dec 2026 — 0.85 mg; may be given Mon 7 Dec 2026 – Thu 10 Dec 2026" in text
    assert (
        "Day 15: Tue 15 Dec 2026 — 0.85 mg; may be given Mon 14 Dec 2026 – Thu 17 Dec 2026" in text
    )
    assert "Dose-free interval: none in a 21-day cycle 1" in text
    assert "Next cycle (cycle 2) Day 1 due: Tue 22 Dec 2026" in text
    assert "December 2026" in text
    assert "DOSE Day 1 1.35 mg" in text and "DOSE Day 15 0.85 mg" in text
    # 7, 9, 10 December: never Day 6, only 5 days after Day 1
    assert text.count("window for Day 8 dose") == 3
    assert "Cycle 2 Day 1 due" in text


def test_calendar_of_a_cycle_crossing_the_year_shows_both_months():
    plan = plan_for(
        {
            "cycle": {"number": 2, "start_date": "2026-12-20"},
            "response": "cr",
            "baseline": {"anc": 2.1, "platelets": 140},
            "measured_on": "2026-12-19",
            "labs": {"taken_on": "2026-12-19", "peripheral_blasts_per_mm3": None},
        }
    )
    text = flat(" ".join(pdf_pages(render_pdf(plan, PrintOptions(printed_at=PRINTED_AT)))))
    assert "December 2026" in text and "January 2027" in text
    assert "Dose-free interval: Sat 9 Jan 2027 – Sat 16 Jan 2027" in text
    assert len(re.findall(r"no dose(?! reduction)", text)) == 8  # Days 21 to 28
    assert "Next cycle (cycle 3) Day 1 due: Sun 17 Jan 2027" in text


def test_each_dose_has_its_preparation(proceed_pages):
    day1 = flat(dose_pages(proceed_pages)[0])
    assert "Day 1 — Tue 1 Dec 2026" in day1
    assert "inotuzumab ozogamicin 1.35 mg" in day1
    assert "Open 2 vials of inotuzumab ozogamicin (counted by 0.9 mg" in day1
    assert "Reconstitute each vial with 4 mL Sterile Water for Injection to 0.25 mg/mL" in day1
    assert "Swirl gently; do not shake." in day1
    assert "Withdraw 5.4 mL (1.35 mg)" in day1
    assert "Into an empty infusion bag, put 44.6 mL of 0.9% sodium chloride" in day1
    assert "50 mL in all" in day1
    assert "44.6 mL of 0.9% sodium chloride" in day1
    assert "Protect from light." in day1
    assert "Reconstituted at" in day1
    assert "Dilute by reconstituted + 4 h" in day1
    assert "Infusion must end by reconstituted + 8 h" in day1
    day8 = flat(dose_pages(proceed_pages)[1])
    assert "Day 8 — Tue 8 Dec 2026" in day8 and "Open 1 vial of" in day8
    assert "Withdraw 3.4 mL (0.85 mg)" in day8


def test_each_dose_has_its_administration_checklist(proceed_pages):
    for page in dose_pages(proceed_pages):
        text = flat(page)
        assert (
            "Liver tests reviewed: total bilirubin at most 1.5 × ULN; AST and ALT at most 2.5 × ULN"
            in text
        )
        assert "Given Premedication Time given Initials" in text
        for premedication in ("Corticosteroid", "Antipyretic", "Antihistamine"):
            assert premedication in text
        assert "Intravenous infusion only — never an intravenous push or bolus" in text
        assert "50 mL/h over 1 hour" in text
        assert "Infusion started at" in text and "Infusion ended at" in text
        assert "Patient observed for at least 1 hour after the end of the infusion" in text
        assert "Observation ended at" in text
        assert "Infusion reaction? No Yes → action taken:" in text
        for role in ("Prepared by", "Independent double check (second person)", "Administered by"):
            assert role in text
    day1, day8 = (flat(page) for page in dose_pages(proceed_pages)[:2])
    assert "Cycle 1 Day 1: peripheral blasts at most 10,000/mm³" in day1
    assert "Days 8 and 15 are not held for low ANC or platelets" in day8


def test_later_cycle_day_1_prints_the_count_criteria():
    plan = plan_for(
        {
            "cycle": {"number": 2, "start_date": "2026-12-20"},
            "response": "cr",
            "baseline": {"anc": 2.1, "platelets": 140},
            "measured_on": "2026-12-19",
            "labs": {"taken_on": "2026-12-19", "peripheral_blasts_per_mm3": None},
        }
    )
    pages = pdf_pages(render_pdf(plan, PrintOptions(printed_at=PRINTED_AT)))
    day1 = next(flat(p) for p in pages if "Day 1 — Sun 20 Dec 2026" in flat(p))
    assert "start of a cycle: ANC at least 1 ×10⁹/L; platelets at least 50 ×10⁹/L" in day1


def test_a_plan_for_day_8_prints_only_the_doses_still_to_give():
    plan = plan_for(
        {"dose_day": 8, "measured_on": "2026-12-07", "labs": {"taken_on": "2026-12-07"}}
    )
    pages = [flat(p) for p in pdf_pages(render_pdf(plan, PrintOptions(printed_at=PRINTED_AT)))]
    titles = [t for p in pages for t in re.findall(r"Day (\d+) — \w{3} \d+ Dec 2026 inotuzumab", p)]
    assert titles == ["8", "15"]
    assert (
        "the dose pages are for Day 8 and Day 15 only (Day 1 was planned on an earlier sheet)"
        in pages[0]
    )


def test_counselling_prints_the_core_dates(proceed_plan, proceed_pages):
    text = flat(proceed_pages[-1])
    c = proceed_plan.counselling
    assert c.contraception_until.isoformat() == "2027-08-15"  # the core's date, printed as is
    assert (
        "Contraception: effective contraception during treatment and until Sun 15 Aug 2027 "
        "(8 months after the last planned dose, Tue 15 Dec 2026)" in text
    )
    assert "No breastfeeding during treatment and until Mon 15 Feb 2027 (2 months" in text
    for sign in ("rapid weight gain", "right upper quadrant", "jaundice", "ascites"):
        assert sign in text


def test_counselling_for_a_man_has_his_contraception_and_no_breastfeeding():
    plan = plan_for({"patient": {"sex": "male"}})
    text = flat(pdf_pages(render_pdf(plan, PrintOptions(printed_at=PRINTED_AT)))[-1])
    assert "(a man with a female partner)" in text and "until Sat 15 May 2027 (5 months" in text
    assert "breastfeeding" not in text


def test_letter_paper_is_us_letter_portrait():
    import io

    from pypdf import PdfReader

    data = render_pdf(plan_for(), PrintOptions(page_size="Letter", printed_at=PRINTED_AT))
    for page in PdfReader(io.BytesIO(data)).pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (612, 792)


def test_a4_is_portrait(proceed_pdf):
    import io

    from pypdf import PdfReader

    for page in PdfReader(io.BytesIO(proceed_pdf)).pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)


def test_each_dose_is_exactly_one_page_on_both_paper_sizes():
    long_name = {
        "patient": {
            "name": "Maria-Fernanda de los Santos Rodriguez-Villanueva y "
            "Castellanos O'Brien-Featherstonehaugh"
        }
    }
    day8 = {"dose_day": 8, "measured_on": "2026-12-07", "labs": {"taken_on": "2026-12-07"}}
    for size in ("A4", "Letter"):
        for overrides in ({}, day8, long_name):
            plan = plan_for(overrides)
            pages = [
                flat(p)
                for p in pdf_pages(
                    render_pdf(plan, PrintOptions(page_size=size, printed_at=PRINTED_AT))
                )
            ]
            dose_pages = [p for p in pages if "A. Preparation" in p]
            assert len(dose_pages) == (2 if overrides is day8 else 3), size
            for text in dose_pages:
                assert "E. Signatures" in text and "Administered by" in text, size


def test_a_reduced_dose_prints_its_mg_per_m2_unrounded_so_the_mg_can_be_checked():
    plan = plan_for({"cycle": {"number": 2, "start_date": "2026-12-20"}, "response": "cr",
                     "baseline": {"anc": 2.1, "platelets": 140}, "measured_on": "2026-12-19",
                     "longest_toxicity_interruption_days": 14,
                     "labs": {"taken_on": "2026-12-19", "peripheral_blasts_per_mm3": None}})
    assert plan.dose_level == 1
    text = flat(" ".join(pdf_pages(render_pdf(plan, PrintOptions(printed_at=PRINTED_AT)))))
    assert "0.375 mg/m²" in text and "0.38 mg/m²" not in text
