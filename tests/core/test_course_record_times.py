"""A dose record never claims what cannot yet have happened: a dose recorded as given at a
time after the record itself, or moved to a day before the one it is recorded on, is
refused (program rules, docs/course-rules.md "Times of a record").

The core compares the event's own two times: ``at`` (when the record is made, with the
ward's UTC offset) and ``given_at`` or ``to``. Where the ward's offset is not known (a time
given without one, or an ``at`` in UTC, as earlier versions stored every ``at``) only what
is certain in every time zone is refused, so that courses stored before these rules load
as they were."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from besponsa_desktop.core import course as c
from besponsa_desktop.core.course_rules import CLOCK_TOLERANCE
from tests.core.course_helpers import NURSE, PHARMACIST, first_plan, given, plan_day

PARIS = timezone(timedelta(hours=1))
NEW_YORK = timezone(timedelta(hours=-5))


def _day_8_due() -> c.Course:
    """Cycle 1 Day 1 given on Tue 1 Dec 2026; Day 8 planned for Tue 8 Dec (window 6-10 Dec)."""
    return plan_day(given(first_plan(), 1, 1), 1, 8)


def _give(course: c.Course, given_at: datetime, at: datetime) -> c.Course:
    return c.apply(course, c.DoseGiven(cycle=1, day=8, given_at=given_at, by=NURSE, at=at))


def _move(course: c.Course, to: date, at: datetime) -> c.Course:
    return c.apply(
        course, c.DoseMoved(cycle=1, day=8, to=to, reason="clinic closed", by=PHARMACIST, at=at)
    )


def _refused(call: object, *args: object) -> c.CourseRefused:
    with pytest.raises(c.CourseRefused) as refused:
        call(*args)  # type: ignore[operator]
    return refused.value


# ---------------------------------------------------------------- given after the record


def test_a_dose_recorded_as_given_two_days_ahead_is_refused_with_both_times():
    # Monday's record of Wednesday's Day 8 "given": the course would believe it
    course = _day_8_due()
    refused = _refused(
        _give,
        course,
        datetime(2026, 12, 9, 10, 30, tzinfo=PARIS),
        datetime(2026, 12, 7, 9, 0, tzinfo=PARIS),
    )
    assert refused.codes == ["given_after_recorded"]
    reason = refused.reasons[0]
    assert reason.source == "program convention (not a label rule)"
    assert "cycle 1 Day 8" in reason.message
    assert "Wed 9 Dec 2026 10:30" in reason.message
    assert "Mon 7 Dec 2026 09:00" in reason.message
    assert "record it once it has been given" in reason.message
    assert course.version == _day_8_due().version  # nothing changed


def test_a_given_time_a_few_minutes_ahead_is_accepted_as_a_clock_difference():
    course = _day_8_due()
    at = datetime(2026, 12, 8, 10, 30, tzinfo=PARIS)
    assert timedelta(minutes=5) == CLOCK_TOLERANCE
    done = _give(course, at + CLOCK_TOLERANCE, at)
    assert c.course_schedule(done)[0].doses[1].status is c.DoseStatus.GIVEN
    refused = _refused(_give, course, at + CLOCK_TOLERANCE + timedelta(minutes=1), at)
    assert refused.codes == ["given_after_recorded"]
    assert "Tue 8 Dec 2026 10:36" in str(refused) and "Tue 8 Dec 2026 10:30" in str(refused)


def test_the_times_are_compared_as_moments_whatever_their_offsets():
    course = _day_8_due()
    # 10:30 in Paris is 09:30 UTC: recorded at 09:32 UTC, it has been given
    _give(
        course,
        datetime(2026, 12, 8, 10, 30, tzinfo=PARIS),
        datetime(2026, 12, 8, 9, 32, tzinfo=UTC),
    )
    # 10:30 in New York is 15:30 UTC: not yet at 12:00 UTC; the message speaks the
    # ward's time (the time given's offset) for both
    refused = _refused(
        _give,
        course,
        datetime(2026, 12, 8, 10, 30, tzinfo=NEW_YORK),
        datetime(2026, 12, 8, 12, 0, tzinfo=UTC),
    )
    assert "Tue 8 Dec 2026 10:30" in str(refused) and "Tue 8 Dec 2026 07:00" in str(refused)


def test_a_time_given_without_its_offset_is_refused_only_when_ahead_in_every_time_zone():
    # as earlier versions stored it: the wall time typed, with no offset, and ``at`` in UTC
    course = _day_8_due()
    at = datetime(2026, 12, 8, 1, 0, tzinfo=UTC)
    # 10:30 on Tue 8 Dec is past in a ward at UTC+10 or later at 01:00 UTC: loaded as it was
    _give(course, datetime(2026, 12, 8, 10, 30), at)
    refused = _refused(_give, course, datetime(2026, 12, 9, 10, 30), at)
    assert refused.codes == ["given_after_recorded"]
    assert "Wed 9 Dec 2026 10:30" in str(refused) and "Tue 8 Dec 2026 01:00 UTC" in str(refused)


# ---------------------------------------------------------------- moved before the record


def test_a_dose_moved_to_a_day_before_the_record_is_refused_saying_what_to_record():
    course = _day_8_due()
    refused = _refused(_move, course, date(2026, 12, 7), datetime(2026, 12, 8, 9, 0, tzinfo=PARIS))
    assert refused.codes == ["moved_before_recorded"]
    message = refused.reasons[0].message
    assert "cycle 1 Day 8" in message and "Mon 7 Dec 2026" in message
    assert "Tue 8 Dec 2026" in message
    assert "given" in message and "the time it was given" in message and "omitted" in message
    assert refused.reasons[0].source == "program convention (not a label rule)"


def test_a_dose_may_move_to_the_day_it_is_recorded_or_later():
    course = _day_8_due()
    at = datetime(2026, 12, 8, 9, 0, tzinfo=PARIS)
    assert c.course_schedule(_move(course, date(2026, 12, 8), at))[0].doses[1].date == date(
        2026, 12, 8
    )
    assert c.course_schedule(_move(course, date(2026, 12, 9), at))[0].doses[1].date == date(
        2026, 12, 9
    )


def test_the_day_of_the_record_is_the_wards_day_from_its_offset():
    course = _day_8_due()
    # 23:30 on Tue 8 Dec in New York is already Wed 9 Dec in UTC: the ward's day is the 8th
    _move(course, date(2026, 12, 8), datetime(2026, 12, 8, 23, 30, tzinfo=NEW_YORK))
    # 00:30 on Wed 9 Dec in Paris is still Tue 8 Dec in UTC: the ward's day is the 9th
    refused = _refused(_move, course, date(2026, 12, 8), datetime(2026, 12, 9, 0, 30, tzinfo=PARIS))
    assert refused.codes == ["moved_before_recorded"]


def test_a_record_in_utc_refuses_only_a_day_that_is_past_in_every_time_zone():
    # an ``at`` in UTC may be an earlier version's (its ward's day unknown): at 04:30 UTC on
    # Wed 9 Dec it was still Tue 8 Dec west of UTC-4:30, so a move to the 8th loads as it was
    course = _day_8_due()
    _move(course, date(2026, 12, 8), datetime(2026, 12, 9, 4, 30, tzinfo=UTC))
    # from 12:00 UTC it is Wed 9 Dec or later everywhere
    refused = _refused(_move, course, date(2026, 12, 8), datetime(2026, 12, 9, 12, 0, tzinfo=UTC))
    assert refused.codes == ["moved_before_recorded"]


def test_the_dates_offered_for_a_move_leave_out_the_days_before_today():
    course = _day_8_due()
    assert c.allowed_dates(course, 1, 8).dates[0] == date(2026, 12, 7)
    offered = c.allowed_dates(course, 1, 8, at=datetime(2026, 12, 9, 8, 0, tzinfo=PARIS)).dates
    assert offered and min(offered) == date(2026, 12, 9)
    for day in offered:  # each one offered is accepted on that day
        _move(course, day, datetime(2026, 12, 9, 8, 0, tzinfo=PARIS))
    none_left = c.allowed_dates(course, 1, 8, at=datetime(2026, 12, 11, 8, 0, tzinfo=PARIS))
    assert none_left.dates == [] and "before Fri 11 Dec 2026" in none_left.reason


def test_the_moment_of_a_record_must_carry_its_offset():
    from pydantic import ValidationError

    with pytest.raises(ValidationError) as error:
        c.DoseMoved(
            cycle=1,
            day=8,
            to=date(2026, 12, 9),
            reason="x",
            by="Pat",
            at=datetime(2026, 12, 8, 9, 0),
        )
    assert "offset" in str(error.value)
