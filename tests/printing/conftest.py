"""Plans and PDF text for the printout tests."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

import pytest

from besponsa_desktop.core.models import Plan
from besponsa_desktop.core.planner import make_plan
from tests.factories import request  # the shared valid base request

PRINTED_AT = datetime(2026, 11, 23, 8, 34)

LATER_CYCLE: dict[str, Any] = {
    "cycle": {"number": 2, "start_date": "2026-12-20"},
    "response": "cr",
    "baseline": {"anc": 2.1, "platelets": 140},
    "measured_on": "2026-12-19",
    "labs": {"taken_on": "2026-12-19", "peripheral_blasts_per_mm3": None},
}


def plan_for(*overrides: dict[str, Any]) -> Plan:
    return make_plan(request(*overrides))


def pdf_pages(data: bytes) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def flat(text: str) -> str:
    """Text with line breaks and runs of spaces folded, for phrase checks."""
    return " ".join(text.split())


@pytest.fixture(scope="session")
def proceed_plan() -> Plan:
    return plan_for()


@pytest.fixture(scope="session")
def proceed_pdf(proceed_plan: Plan) -> bytes:
    from besponsa_desktop.printing.document import render_pdf
    from besponsa_desktop.printing.options import PrintOptions

    return render_pdf(
        proceed_plan, PrintOptions(hospital_name="St Mary General Hospital", printed_at=PRINTED_AT)
    )


@pytest.fixture(scope="session")
def proceed_pages(proceed_pdf: bytes) -> list[str]:
    return pdf_pages(proceed_pdf)
