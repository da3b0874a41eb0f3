"""The ward's clock in tests: the moment the application records (``app.courses.now``)."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest

CLOCK = "besponsa_desktop.app.courses.now"


class WardClock:
    """By default well after every date the tests use, so that any dose may be recorded as
    given; a test that moves a dose sets it to a day before the new date (``set``), as a
    ward's clock would read then."""

    WARD = timezone(timedelta(hours=1))  # a ward's offset other than UTC
    DEFAULT = datetime(2030, 1, 1, 12, 0, tzinfo=WARD)

    def __init__(self, moment: datetime = DEFAULT) -> None:
        self.moment = moment

    def set(self, moment: datetime) -> None:
        """The clock reads ``moment`` (a time without an offset: the ward's)."""
        self.moment = moment if moment.tzinfo else moment.replace(tzinfo=self.WARD)

    def __call__(self) -> datetime:
        return self.moment


def patch_clock(monkeypatch: pytest.MonkeyPatch, clock: WardClock | None = None) -> WardClock:
    clock = clock or WardClock()
    monkeypatch.setattr(CLOCK, clock)
    return clock


# A ward in Central Europe, as a POSIX rule (no time zone database needed): UTC+1, summer
# time UTC+2 from the last Sunday of March to the last Sunday of October.
CENTRAL_EUROPE = "CET-1CEST,M3.5.0,M10.5.0/3"


@contextlib.contextmanager
def local_zone(rule: str = CENTRAL_EUROPE) -> Iterator[None]:
    """This process's local time zone (the workstation's) set to ``rule`` meanwhile."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = rule
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()
