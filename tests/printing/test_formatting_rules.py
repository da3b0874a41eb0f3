"""ISMP number text and unmistakable dates, over many generated plans: every string the
sheet prints is checked, whatever the patient, cycle, response or decision."""

from __future__ import annotations

import re
from datetime import date, timedelta

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from besponsa_desktop.core.planner import make_plan
from besponsa_desktop.core.validation import InvalidRequest
from besponsa_desktop.printing.document import render_pdf
from besponsa_desktop.printing.options import PrintOptions
from tests.printing.conftest import PRINTED_AT, flat, pdf_pages, request

TRAILING_ZERO = re.compile(r"(?<![\d.])\d+\.\d*0(?![\d])")
NAKED_DECIMAL = re.compile(r"(?<![\d])\.\d")
NUMERIC_DATE = re.compile(r"\b\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\b|\b\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}\b")
NO_SPACE_BEFORE_UNIT = re.compile(r"\d(?:mg|mL|kg|cm|m²|mcg|h\b)")
FORBIDDEN_UNITS = re.compile(r"\b(?:cc|µg|IU|QD)\b|\d ml\b")


def problems_in(text: str, version: str) -> list[str]:
    text = text.replace(f"besponsa-desktop {version}", "besponsa-desktop")
    found = []
    for name, pattern in (
        ("trailing zero", TRAILING_ZERO),
        ("naked decimal", NAKED_DECIMAL),
        ("numeric date", NUMERIC_DATE),
        ("no space before unit", NO_SPACE_BEFORE_UNIT),
        ("forbidden unit", FORBIDDEN_UNITS),
    ):
        found += [f"{name}: {m.group()!r}" for m in pattern.finditer(text)]
    return found


def test_the_checks_catch_what_they_should():
    bad = "1.0 mg, .5 mg, 1.50 mL, 01/12/2026, 2026-12-01, 5mg, 3 cc"
    kinds = {p.split(":")[0] for p in problems_in(bad, "0.1.0")}
    assert kinds == {
        "trailing zero",
        "naked decimal",
        "numeric date",
        "no space before unit",
        "forbidden unit",
    }
    assert (
        problems_in(
            "0.5 mg, 1 mg, 1.35 mg, Tue 1 Dec 2026, 10,000/mm³, 1 ×10⁹/L, besponsa-desktop 0.1.0",
            "0.1.0",
        )
        == []
    )


@st.composite
def requests(draw):
    start = date(2026, 1, 1) + timedelta(days=draw(st.integers(0, 730)))
    number = draw(st.integers(1, 6))
    sex = draw(st.sampled_from(["female", "male"]))
    label = draw(st.sampled_from(["US", "EU"]))
    overrides = {
        "label": label,
        "patient": {
            "sex": sex,
            "date_of_birth": draw(
                st.sampled_from(["1950-02-28", "1980-03-15", "2001-12-31", "2016-07-04"])
            ),
        },
        "height_cm": draw(st.floats(100, 210).map(lambda v: round(v, 1))),
        "weight_kg": draw(st.floats(25, 160).map(lambda v: round(v, 1))),
        "measured_on": (start - timedelta(days=1)).isoformat(),
        "bsa_formula": draw(st.sampled_from(["mosteller", "dubois", "haycock", "gehan_george"])),
        "volume_rounding_ml": draw(st.sampled_from([0.01, 0.05, 0.1])),
        "cycle": {
            "number": number,
            "start_date": start.isoformat(),
            "extend_to_28_days": number == 1 and draw(st.booleans()),
        },
        "labs": {
            "taken_on": (start - timedelta(days=1)).isoformat(),
            "total_bilirubin": draw(st.sampled_from([10, 10, 10, 35])),
            "anc": draw(st.sampled_from([2.1, 0.6])),
        },
    }
    if label == "EU":
        overrides["ph_positive"] = False
    if number >= 2:
        overrides |= {
            "response": draw(st.sampled_from(["cr", "cri", "none"])),
            "hsct_planned": draw(st.booleans()),
            "baseline": {"anc": 2.1, "platelets": 140},
            "dose_level": draw(st.integers(0, 2)),
            "longest_toxicity_interruption_days": draw(st.sampled_from([0, 0, 10, 15])),
        }
        overrides["labs"]["peripheral_blasts_per_mm3"] = None
    if draw(st.booleans()):
        overrides["bsa_cap_m2"] = 2.0
    return request(overrides)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=requests(), size=st.sampled_from(["A4", "Letter"]))
def test_every_printed_number_and_date_follows_the_rules(data, size):
    try:
        plan = make_plan(data)
    except InvalidRequest:
        assume(False)
    pages = pdf_pages(render_pdf(plan, PrintOptions(page_size=size, printed_at=PRINTED_AT)))
    text = "\n".join(pages)
    assert problems_in(text, plan.program_version) == []
    assert "inotuzumab ozogamicin" in flat(text).lower()
    assert not re.search(r"\bInO\b", text)  # the drug is never abbreviated
    assert len(pages) >= 1
