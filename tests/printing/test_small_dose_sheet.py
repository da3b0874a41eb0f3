"""Issue 15 on paper (findings 1, 2, 5 and 7): the values used print on their side of a
limit; a small dose's page invents no numbers and says how it is prepared; every printed
number can be recomputed from the printed ones; the calendar's windows hold only allowed
days."""

from __future__ import annotations

from besponsa_desktop.printing.document import render_pdf
from besponsa_desktop.printing.options import PrintOptions
from tests.printing.conftest import PRINTED_AT, flat, pdf_pages, plan_for

CHILD = {"patient": {"date_of_birth": "2020-01-01"}, "height_cm": 98, "weight_kg": 18,
         "labs": {"serum_creatinine_umol_l": 30}}
PROTOCOL = {"small_dose_protocol": {"reference": "Children's Hospital pharmacy SOP 7.2",
                                    "total_volume_ml": 10, "min_concentration_mg_per_ml": 0.025,
                                    "infusion_minutes": 60}}


def _pages(*overrides):
    plan = plan_for(*overrides)
    return [flat(p) for p in pdf_pages(render_pdf(plan, PrintOptions(printed_at=PRINTED_AT)))]


def test_small_dose_page_says_how_and_invents_no_numbers():
    pages = _pages(CHILD)
    day1 = next(p for p in pages if "Day 1 — " in p and "A. Preparation" in p)
    day8 = next(p for p in pages if "Day 8 — " in p and "A. Preparation" in p)
    # Day 1 fits the bag: the label's instructions as before
    assert "put 47.8 mL of 0.9% sodium chloride and add the 2.2 mL" in day1
    assert "50 mL in all" in day1
    assert "SMALL DOSE" not in day1
    # Day 8 is 0.35 mg: no bag, no diluent volume, no rate
    assert "A. Preparation — SMALL DOSE: institution's small-volume (syringe) protocol" in day8
    assert "Small dose: prepare by the institution's small-volume (syringe) protocol." in day8
    assert "Withdraw 1.4 mL (0.35 mg)" in day8
    assert "50 mL in all" not in day8 and "50 mL/h" not in day8
    assert "The pharmacist writes the protocol, its total volume, infusion time and rate" in day8
    assert "Protocol" in day8 and "Total mL" in day8
    assert "Rate and duration as the institution's small-volume (syringe) protocol says" in day8
    assert "Pharmacist confirmed the small-dose preparation" in day8


def test_institution_protocol_is_printed_as_the_institutions():
    pages = _pages(CHILD, PROTOCOL)
    day8 = next(p for p in pages if "Day 8 — " in p and "A. Preparation" in p)
    assert "Add to 0.9% sodium chloride to a total of 10 mL in a syringe" in day8
    assert "8.6 mL of 0.9% sodium chloride + 1.4 mL; 0.035 mg/mL" in day8
    assert "Children's Hospital pharmacy SOP 7.2" in day8
    assert "the institution's protocol, not the label's" in day8
    assert "10 mL/h over 1 hour (10 mL), at room temperature; syringe protected" in day8


def test_the_calculation_is_printed_from_the_printed_numbers():
    # BSA 1.8936 printed 1.89 m²: 1.89 × 0.8 = 1.512 → 1.51 mg; 1.51 ÷ 0.25 = 6.04 → 6 mL
    pages = _pages({"height_cm": 177.8, "weight_kg": 72.6})
    day1 = next(p for p in pages if "Day 1 — " in p and "A. Preparation" in p)
    assert "Withdraw 6 mL (= 1.5 mg; the dose is 1.51 mg)" in day1
    assert "1.89 m² × 0.8 mg/m² = 1.51 mg; 1.51 mg ÷ 0.25 mg/mL rounded to 0.1 mL = 6 mL" in day1
    assert "which delivers 1.5 mg: -0.98% from the 1.5149 mg calculated from the unrounded" in (
        day1)


def test_the_values_used_are_printed_on_their_side_of_the_limits():
    # 1.7999 with ULN 1.2 is 1.49992 × ULN: within 1.5 × ULN, so never printed "1.5"; the
    # ANC as entered, never rounded up to the limit
    pages = _pages({"labs": {"total_bilirubin": 1.7999, "total_bilirubin_uln": 1.2,
                             "anc": 0.999}})
    day1 = next(p for p in pages if "Day 1 — " in p and "A. Preparation" in p)
    assert "total bilirubin 1.7999 = 1.4999 × ULN (ULN 1.2)" in day1
    assert "ANC 0.999 ×10⁹/L" in day1
