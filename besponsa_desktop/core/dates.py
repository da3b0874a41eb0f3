"""How a date reads, everywhere in the program: "Tue 1 Dec 2026".

English abbreviations, written out here rather than taken from ``strftime``: the window's
toolkit sets the C library's locale from the machine, and a German or Chinese machine would
then print "Di 1 Dez 2026" or "二 1 12月 2026" in the core's messages. Pure Python and
quick to import: the window's fields echo dates before the dosing rules load.
"""

from __future__ import annotations

from datetime import date

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def date_text(day: date) -> str:
    """A date that cannot be misread in any locale: Tue 1 Dec 2026."""
    return f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]} {day.year}"


def short_date_text(day: date) -> str:
    """1 Dec 2026 (in a field, where the weekday is echoed beside it)."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def day_month_text(day: date) -> str:
    """Tue 1 Dec, where the year is printed next to it."""
    return f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]}"
