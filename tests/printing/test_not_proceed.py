"""HOLD, DISCONTINUE and NOT ELIGIBLE: the sheet says so in large type, gives the numbered
reasons, and prints nothing a dose could be prepared from."""

from __future__ import annotations

import pytest

from besponsa_desktop.core.models import Decision
from besponsa_desktop.printing import document
from besponsa_desktop.printing.document import render_pdf
from besponsa_desktop.printing.options import PrintOptions
from besponsa_desktop.printing.styles import Kit, make_styles
from tests.printing.conftest import PRINTED_AT, flat, pdf_pages, plan_for

BILIRUBIN_HIGH = {"labs": {"total_bilirubin": 40, "ast": 150}}
VOD = {"events": {"vod": True}}
CHILD_UNDER_EU = {"label": "EU", "ph_positive": False, "patient": {"date_of_birth": "2015-01-01"}}

# Words that only preparation or administration instructions contain.
PREPARATION_WORDS = (
    "Reconstitute",
    "Sterile Water",
    "Withdraw",
    "sodium chloride",
    "Swirl",
    "vial",
    "mL/h",
    "Premedication before every dose",
    "Infusion started",
    "Prepared by",
    "Infusion calendar",
    "DOSE Day",
    "Dosing basis",
)

CASES = [
    pytest.param(BILIRUBIN_HIGH, Decision.HOLD, "HOLD — do not prepare", id="hold"),
    pytest.param(VOD, Decision.DISCONTINUE, "DISCONTINUE — do not prepare", id="discontinue"),
    pytest.param(
        CHILD_UNDER_EU, Decision.NOT_ELIGIBLE, "NOT ELIGIBLE — do not prepare", id="not-eligible"
    ),
]


@pytest.mark.parametrize(("overrides", "decision", "words"), CASES)
def test_first_page_says_do_not_prepare_with_numbered_reasons(overrides, decision, words):
    plan = plan_for(overrides)
    assert plan.decision is decision
    pages = [flat(p) for p in pdf_pages(render_pdf(plan, PrintOptions(printed_at=PRINTED_AT)))]
    first = pages[0]
    assert first.count(words) >= 2  # the banner and the header
    assert "This sheet carries no preparation or administration instructions" in first
    for number, reason in enumerate(plan.reasons, start=1):
        assert f"{number}. {flat(reason.message)}" in first
    for page in pages:
        assert f"Decision: {words}" in page


@pytest.mark.parametrize(("overrides", "decision", "words"), CASES)
def test_no_preparation_text_anywhere(overrides, decision, words):
    plan = plan_for(overrides)
    text = " ".join(
        flat(p) for p in pdf_pages(render_pdf(plan, PrintOptions(printed_at=PRINTED_AT)))
    )
    for word in PREPARATION_WORDS:
        assert word not in text, word
    # and no dose amount: a HOLD plan still holds doses in the core; none may be printed
    for dose in plan.doses:
        assert f"{dose.volume_ml:g} mL" not in text


def test_the_hold_banner_is_large_type():
    from reportlab.platypus import Table

    plan = plan_for(BILIRUBIN_HIGH)
    from besponsa_desktop.printing import fonts

    fonts.body_fonts()
    kit = Kit(make_styles(), None)
    story = document.story(plan, kit, 500)
    banner = story[0]
    assert isinstance(banner, Table)
    paragraph = banner._cellvalues[0][0]
    assert paragraph.getPlainText() == "HOLD — do not prepare"
    assert paragraph.style.fontSize >= 24
    assert len(story) < 10  # banner and reasons only: no calendar, no dose pages
