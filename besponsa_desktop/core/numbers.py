"""Rounding, exact comparison and number text, kept in one place.

Values stay unrounded inside the core; they are rounded only when presented or dispensed.
Rounding is half-up on the decimal value (1.345 mg → 1.35 mg), as a pharmacist rounds by
hand, never banker's rounding. Number text follows ISMP: a leading zero (0.5), no trailing
zero (1, not 1.0), no exponent.

A measured value is compared with a limit exactly, on the decimal it was entered as: 1.5 ×
a ULN of 1.2 is 1.8, not the 1.7999999999999998 of binary floating point. ``exact`` gives
that decimal as a fraction; every product and quotient of such fractions is exact too.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import lru_cache

from besponsa_desktop.core.dates import date_text

Number = float | int | Fraction | Decimal


def exact(value: Number) -> Fraction:
    """The value as the decimal it was entered as (the shortest decimal that reads back as
    this float: 1.2, not 1.1999999999999999556)."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, float):
        return _float_fraction(value)
    return Fraction(value)


@lru_cache(maxsize=4096)
def _float_fraction(value: float) -> Fraction:
    # a plan converts the same few constants and inputs many times
    return Fraction(Decimal(repr(value)))


def _half_up(units: Fraction) -> int:
    """The nearest whole number, halves away from zero (as Decimal's ROUND_HALF_UP)."""
    magnitude = abs(units)
    whole = magnitude.numerator // magnitude.denominator
    if magnitude - whole >= Fraction(1, 2):
        whole += 1
    return -whole if units < 0 else whole


def to_decimal(value: Number, places: int) -> Decimal:
    """Half-up to ``places`` decimal places, computed on the exact value."""
    if isinstance(value, float | int | Decimal) and not isinstance(value, bool):
        # a decimal quantizes exactly, and far faster than a fraction
        d = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        return d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return Decimal(_half_up(exact(value) * 10**places)).scaleb(-places)


def round_to_step(value: Number, step: Number) -> float:
    """Round half-up to a multiple of ``step`` (0.01, 0.05, 0.1 ...). Never -0.0."""
    s = exact(step)
    result = _half_up(exact(value) / s) * s
    return float(Decimal(result.numerator) / Decimal(result.denominator)) + 0.0


def round_places(value: Number, places: int) -> float:
    return float(to_decimal(value, places)) + 0.0  # + 0.0 turns -0.0 into 0.0


def _text(d: Decimal) -> str:
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return text


def fmt(value: Number, places: int = 2) -> str:
    """ISMP text for a number: 0.5, 1, 1.35 — never .5, 1.0 or 1.350."""
    return _text(to_decimal(value, places))


MAX_PLACES = 9


def fmt_against(value: Number, limit: Number, places: int = 2) -> str:
    """``value`` to ``places`` places, or to as many more as it takes for the text to stand
    on the same side of ``limit`` (above, equal or below) as the value itself, so a printed
    comparison never contradicts the decision: 0.999 is "0.999", not "1", below 1."""
    v, lim = exact(value), exact(limit)
    side = (v > lim) - (v < lim)
    for p in range(places, MAX_PLACES + 1):
        d = to_decimal(v, p)
        shown = Fraction(d)
        if (shown > lim) - (shown < lim) == side:
            return _text(d)
    return _text(to_decimal(v, MAX_PLACES))


def fmt_exact(value: Number) -> str:
    """The value with all its decimal places (up to MAX_PLACES): a limit such as 1.5 × ULN
    1.23 is printed 1.845, as it is compared."""
    return _text(to_decimal(value, MAX_PLACES))


def fmt_thousands(value: Number) -> str:
    """Whole counts with thousands separators: 10,000."""
    return f"{round_places(value, 0):,.0f}"


def fmt_thousands_against(value: Number, limit: Number) -> str:
    """A count with thousands separators, with decimals only when needed to show its side of
    ``limit`` (10,000.4 is above 10,000)."""
    text = fmt_against(value, limit, 0)
    whole, _, decimals = text.partition(".")
    grouped = f"{int(whole):,}"
    return f"{grouped}.{decimals}" if decimals else grouped


def at_most(value: Number, factor: Number, reference: Number) -> bool:
    """value ≤ factor × reference, exactly."""
    return exact(value) <= exact(factor) * exact(reference)


def below(value: Number, limit: Number) -> bool:
    return exact(value) < exact(limit)


def above(value: Number, limit: Number) -> bool:
    return exact(value) > exact(limit)


def fmt_date(day: date) -> str:
    """A date that cannot be misread in any locale: Tue 1 Dec 2026 (see ``dates``)."""
    return date_text(day)
