"""Dates: Days 1, 8 and 15, their ±2-day windows, the dose-free interval, the next cycle.

A dose that cannot be given on its day has no "missed dose" rule of its own in the label:
it may move within the ±2-day window of Days 8 and 15, always at least 6 days after the
previous dose; for a delay caused by toxicity, Table 4 applies (see dose_levels).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from besponsa_desktop.core.regimen import (
    DAY_WINDOW,
    DOSE_DAYS,
    DOSE_FREE_FROM_DAY,
    MIN_DAYS_BETWEEN_DOSES,
)


def day_date(start: date, day: int) -> date:
    return start + timedelta(days=day - 1)


def window(start: date, day: int) -> tuple[date, date]:
    """Day 1 has no window; Days 8 and 15 may move ±2 days."""
    on = day_date(start, day)
    if day == 1:
        return on, on
    return on - timedelta(days=DAY_WINDOW), on + timedelta(days=DAY_WINDOW)


def allowed_window(start: date, day: int) -> tuple[date, date]:
    """The days a dose of the plan may really move to, as the calendars show them: its
    ±2-day window, from at least 6 days after the previous dose given on its day (Day 6
    is inside Day 8's ±2 days, yet only 5 days after Day 1)."""
    first, last = window(start, day)
    if day == 1:
        return first, last
    previous = day_date(start, max(d for d in DOSE_DAYS if d < day))
    return max(first, previous + timedelta(days=MIN_DAYS_BETWEEN_DOSES)), last


def dose_free_from(start: date, length_days: int) -> date | None:
    """The 7-day dose-free interval starts on Day 21 of a 28-day cycle; a 21-day cycle 1
    has none."""
    if length_days < 28:
        return None
    return day_date(start, DOSE_FREE_FROM_DAY)


def next_cycle_due(start: date, length_days: int) -> date:
    return start + timedelta(days=length_days)


@dataclass(frozen=True)
class Replan:
    dates: list[date]
    reason: str  # why these dates, or why there are none
