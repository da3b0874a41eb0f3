"""Rounding and number text, kept in one place.

Values stay unrounded inside the core; they are rounded only when presented or dispensed.
Rounding is half-up on the decimal value (1.345 mg → 1.35 mg), as a pharmacist rounds by
hand, never banker's rounding. Number text follows ISMP: a leading zero (0.5), no trailing
zero (1, not 1.0), no exponent.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from besponsa_desktop.core.dates import date_text


def round_to_step(value: float, step: float) -> float:
    """Round half-up to a multiple of ``step`` (0.01, 0.05, 0.1 ...)."""
    d_step = Decimal(str(step))
    units = (Decimal(repr(value)) / d_step).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return float(units * d_step)


def round_places(value: float, places: int) -> float:
    return round_to_step(value, 10.0**-places)


def fmt(value: float, places: int = 2) -> str:
    """ISMP text for a number: 0.5, 1, 1.35 — never .5, 1.0 or 1.350."""
    d = Decimal(repr(round_places(value, places))).quantize(
        Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP
    )
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return text


def fmt_thousands(value: float) -> str:
    """Whole counts with thousands separators: 10,000."""
    return f"{round_places(value, 0):,.0f}"


def fmt_date(day: date) -> str:
    """A date that cannot be misread in any locale: Tue 1 Dec 2026 (see ``dates``)."""
    return date_text(day)
