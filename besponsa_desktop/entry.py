"""Reading what a person types into a field: numbers, dates and units.

Pure Python and quick to import (no Qt, no pydantic): the window uses it on every keystroke
and before the dosing rules have loaded. A value that could be read two ways is refused with
a message, never guessed: "1,5" (a decimal comma or a thousands comma?) and "01/12/2026"
(1 December or January 12?).
"""

from __future__ import annotations

import re
from datetime import date

from besponsa_desktop.core.dates import MONTHS as MONTHS
from besponsa_desktop.core.dates import WEEKDAYS as WEEKDAYS
from besponsa_desktop.core.dates import date_text, short_date_text

CM_PER_INCH = 2.54
KG_PER_LB = 0.45359237


MONTH_NAMES = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)


class EntryError(ValueError):
    """Text that is not a value of the field's kind; the message is for the person typing."""


# Patterns as text: re compiles each on first use and caches it, so the window does not
# pay for them at start-up.
_THOUSANDS = r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$"
_NUMBER = r"^[+-]?(\d+(\.\d*)?|\.\d+)$"


def parse_number(text: str) -> float | None:
    """The number typed, or None for an empty field."""
    cleaned = text.strip().replace(" ", "").replace("\u00a0", "")
    if not cleaned:
        return None
    if re.match(_THOUSANDS, cleaned):
        cleaned = cleaned.replace(",", "")
    elif "," in cleaned:
        raise EntryError("use a decimal point (1.5), not a comma")
    if not re.match(_NUMBER, cleaned):
        raise EntryError(f"“{text.strip()}” is not a number")
    return float(cleaned)


def parse_whole(text: str) -> int | None:
    value = parse_number(text)
    if value is None:
        return None
    if value != int(value):
        raise EntryError("must be a whole number")
    return int(value)


_ISO = r"^(\d{4})-(\d{1,2})-(\d{1,2})$"
_DAY_MONTH_YEAR = r"^(?:[a-z]{3,9},?\s+)?(\d{1,2})[\s-]+([a-z]{3,9})\.?[\s-]+(\d{4})$"


def parse_date(text: str) -> date | None:
    """A date typed as 2026-12-01 or 1 Dec 2026 (a weekday in front is allowed); None for
    an empty field. Dates with slashes or dots are refused: 01/12/2026 is read differently
    in the US and in Europe."""
    cleaned = " ".join(text.strip().lower().split())
    if not cleaned:
        return None
    try:
        match = re.match(_ISO, cleaned)
        if match:
            return date(int(match[1]), int(match[2]), int(match[3]))
        match = re.match(_DAY_MONTH_YEAR, cleaned)
        if match:
            month = _month_number(match[2])
            if month:
                return date(int(match[3]), month, int(match[1]))
    except ValueError:
        raise EntryError(f"“{text.strip()}” is not a date in the calendar") from None
    if "/" in cleaned or "." in cleaned:
        raise EntryError(
            "write the date as 2026-12-01 or 1 Dec 2026 "
            "(with slashes it can be read as day/month or month/day)"
        )
    raise EntryError("write the date as 2026-12-01 or 1 Dec 2026")


def _month_number(word: str) -> int | None:
    for index, full in enumerate(MONTH_NAMES, start=1):
        if len(word) >= 3 and full.startswith(word):
            return index
    return None


def human_date(value: date) -> str:
    """A date nobody can misread: Tue 1 Dec 2026 (the program's one date text)."""
    return date_text(value)


def short_date(value: date) -> str:
    """1 Dec 2026 (for fields, where the weekday is shown separately)."""
    return short_date_text(value)


def to_cm(value: float, unit: str) -> float:
    return value * CM_PER_INCH if unit == "in" else value


def to_kg(value: float, unit: str) -> float:
    return value * KG_PER_LB if unit == "lb" else value
