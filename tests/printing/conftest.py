"""Plans and PDF text for the printout tests."""

from __future__ import annotations

import copy
import io
from datetime import datetime
from typing import Any

import pytest

from besponsa_desktop.core.models import Plan
from besponsa_desktop.core.planner import make_plan

PRINTED_AT = datetime(2026, 11, 23, 8, 34)

BASE: dict[str, Any] = {
    "label": "US",
    "patient": {
        "name": "Jane Doe",
        "mrn": "H1234567",
        "date_of_birth": "1980-03-15",
        "sex": "female",
    },
    "height_cm": 165,
    "weight_kg": 62,
    "measured_on": "2026-11-30",
    "bsa_formula": "mosteller",
    "cycle": {"number": 1, "start_date": "2026-12-01", "extend_to_28_days": False},
    "dose_day": 1,
    "labs": {
        "taken_on": "2026-11-30",
        "anc": 2.1,
        "platelets": 140,
        "total_bilirubin": 10,
        "total_bilirubin_uln": 21,
        "ast": 25,
        "ast_uln": 40,
        "alt": 30,
        "alt_uln": 40,
        "serum_creatinine_umol_l": 70,
        "peripheral_blasts_per_mm3": 4000,
    },
}

LATER_CYCLE: dict[str, Any] = {
    "cycle": {"number": 2, "start_date": "2026-12-20"},
    "response": "cr",
    "baseline": {"anc": 2.1, "platelets": 140},
    "measured_on": "2026-12-19",
    "labs": {"taken_on": "2026-12-19", "peripheral_blasts_per_mm3": None},
}


def merge(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def request(*overrides: dict[str, Any]) -> dict[str, Any]:
    data = BASE
    for layer in overrides:
        data = merge(data, layer)
    return data


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
