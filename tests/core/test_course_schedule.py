"""The schedule follows what was given (Table 1: Days 8 and 15 ±2 days, two doses always
at least 6 days apart; the next cycle is due from the actual Day 1 plus the cycle's length).

Convention: Day 1 has no window, so a Day 1 given on another day than planned is refused;
a late Day 1 is held and planned again with the new start date (the cycle keeps its number),
which re-bases Days 8 and 15 and the next cycle's due date."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from besponsa_desktop.core import course as c
from tests.core.course_helpers import (
    completed,
    date_of,
    first_plan,
    given,
    held,
    plan_day,
    plan_next,
    respond,
    save,
    whole_cycle,
)

AT = datetime(2026, 12, 1, 12, tzinfo=UTC)


def _moved(course: c.Course, cycle: int, day: int, to: date) -> c.Course:
    return c.apply(course, c.DoseMoved(cycle=cycle, day=day, to=to, reason="bed", by="Pat", at=AT))


def _refused(call: object, *args: object) -> c.CourseRefused:
    with pytest.raises(c.CourseRefused) as refused:
        call(*args)  # type: ignore[operator]
    return refused.value


def test_with_day_8_moved_to_day_10_day_15_is_offered_no_date_under_6_days_later():
    course = _moved(given(first_plan(), 1, 1), 1, 8, date(2026, 12, 10))
    assert date_of(course, 1, 15) == date(2026, 12, 16)  # re-based: 6 days after Day 8
    assert c.allowed_dates(course, 1, 15).dates == [date(2026, 12, 16), date(2026, 12, 17)]
    refused = _refused(_moved, course, 1, 15, date(2026, 12, 13))
    assert "doses_too_close" in refused.codes
    assert "Wed 16 Dec 2026" in str(refused)


def test_a_day_8_given_3_days_after_day_1_is_refused():
    course = plan_day(given(first_plan(), 1, 1), 1, 8)
    refused = _refused(given, course, 1, 8, date(2026, 12, 4))
    assert "outside_window" in refused.codes
    assert "Table 1" in refused.reasons[0].source


def test_a_day_8_given_on_day_10_moves_day_15_to_6_days_later():
    course = given(plan_day(given(first_plan(), 1, 1), 1, 8), 1, 8, date(2026, 12, 10))
    assert date_of(course, 1, 15) == date(2026, 12, 16)
    course = plan_day(course, 1, 15)
    refused = _refused(given, course, 1, 15, date(2026, 12, 15))
    assert "doses_too_close" in refused.codes


def test_a_day_15_given_on_day_17_of_a_21_day_cycle_1_puts_cycle_2_six_days_later():
    course = given(plan_day(given(first_plan(), 1, 1), 1, 8), 1, 8, date(2026, 12, 10))
    course = given(plan_day(course, 1, 15), 1, 15, date(2026, 12, 17))
    course = respond(course, 1)
    data = c.next_cycle_request(course)
    assert data["cycle"]["start_date"] == "2026-12-23"  # not the due date, 22 Dec
    early = {**data, "cycle": {**data["cycle"], "start_date": "2026-12-22"}}
    with pytest.raises(c.CourseRefused) as refused:
        save(course, completed(early, date(2026, 12, 22), response="cr"))
    assert "cycle_starts_too_early" in refused.value.codes
    assert "at least 6 days" in str(refused.value)


def test_a_day_1_given_2_days_late_is_refused_and_replanning_it_rebases_day_8():
    course = first_plan()
    refused = _refused(given, course, 1, 1, date(2026, 12, 3))
    assert "day_1_not_on_its_date" in refused.codes
    course = held(course, 1, 1)
    data = c.day_request(course, 1, 1)
    data["cycle"] = {**data["cycle"], "start_date": "2026-12-03"}
    data["labs"] = {"peripheral_blasts_per_mm3": 4000}
    course = save(course, completed(data, date(2026, 12, 3)))
    course = given(course, 1, 1, date(2026, 12, 3))
    assert date_of(course, 1, 8) == date(2026, 12, 10)
    assert c.course_schedule(course)[0].next_cycle_due == date(2026, 12, 24)


def test_the_next_cycle_is_due_from_its_actual_day_1_plus_its_length():
    course = respond(whole_cycle(first_plan(), 1), 1)
    course = plan_next(course)
    schedule = c.course_schedule(course)[1]
    assert (schedule.start_date, schedule.length_days) == (date(2026, 12, 22), 28)
    assert schedule.next_cycle_due == date(2027, 1, 19)


def test_a_move_that_would_crowd_the_next_cycles_planned_day_1_is_refused():
    course = given(plan_day(given(first_plan(), 1, 1), 1, 8), 1, 8)
    course = plan_day(course, 1, 15)
    course = respond(course, 1)
    # Next cycle planned on its due date, 22 Dec, while Day 15 (15 Dec) is still to come.
    course = plan_next(course)
    assert c.allowed_dates(course, 1, 15).dates == [date(2026, 12, d) for d in (14, 15, 16)]
    refused = _refused(_moved, course, 1, 15, date(2026, 12, 17))
    assert "doses_too_close" in refused.codes


def test_day_1_cannot_be_moved_it_is_planned_again():
    course = first_plan()
    refused = _refused(_moved, course, 1, 1, date(2026, 12, 2))
    assert "day_1_has_no_window" in refused.codes
    assert c.allowed_dates(course, 1, 1).dates == []


def test_every_offered_date_is_accepted_and_every_other_refused():
    course = given(first_plan(), 1, 1)
    allowed = c.allowed_dates(course, 1, 8).dates
    for day in range(3, 14):
        on = date(2026, 12, day)
        if on in allowed:
            _moved(course, 1, 8, on)
        else:
            _refused(_moved, course, 1, 8, on)


def test_a_day_8_moved_to_day_10_is_planned_for_day_10_with_that_days_labs():
    course = _moved(given(first_plan(), 1, 1), 1, 8, date(2026, 12, 10))
    data = c.day_request(course, 1, 8)
    assert data["dose_date"] == "2026-12-10"
    course = plan_day(course, 1, 8)  # labs and weight of 10 Dec
    plan = course.cycle(1).latest_plan(8).plan  # type: ignore[union-attr]
    assert plan.request.labs.taken_on == date(2026, 12, 10)
    assert not [w for w in plan.warnings if w.code == "labs_old"]
    course = given(course, 1, 8, date(2026, 12, 10))
    assert date_of(course, 1, 15) == date(2026, 12, 16)
    assert c.day_request(course, 1, 15)["dose_date"] == "2026-12-16"


def test_a_day_15_planned_for_a_date_under_6_days_after_day_8_is_refused():
    course = given(plan_day(given(first_plan(), 1, 1), 1, 8), 1, 8, date(2026, 12, 10))
    data = c.day_request(course, 1, 15)
    data["dose_date"] = "2026-12-14"
    with pytest.raises(c.CourseRefused) as refused:
        save(course, completed(data, date(2026, 12, 14)))
    assert refused.value.codes == ["dose_date_too_early"]


def test_a_dose_cannot_be_recorded_as_given_before_the_labs_its_plan_used():
    course = given(first_plan(), 1, 1)
    data = c.day_request(course, 1, 8)
    data["dose_date"] = "2026-12-09"
    course = save(course, completed(data, date(2026, 12, 9)))  # labs of 9 Dec
    refused = _refused(given, course, 1, 8, date(2026, 12, 8))
    assert refused.codes == ["given_before_its_labs"]
    moved = _moved(course, 1, 8, date(2026, 12, 10))
    assert _refused(given, moved, 1, 8, date(2026, 12, 9)).codes == ["before_its_moved_date"]


def test_a_dose_date_outside_the_days_window_is_a_field_problem():
    from besponsa_desktop.core import plausibility, regimen
    from besponsa_desktop.core.planner import make_plan
    from besponsa_desktop.core.validation import InvalidRequest
    from tests.factories import request

    assert plausibility.DOSE_DATE_WINDOW_DAYS == regimen.DAY_WINDOW
    for day, on in ((8, "2026-12-11"), (8, "2026-12-05"), (1, "2026-12-01")):
        with pytest.raises(InvalidRequest) as invalid:
            make_plan(request(dose_day=day, dose_date=on))
        assert [p.path for p in invalid.value.problems] == ["dose_date"]
    plan = make_plan(
        request(
            dose_day=8,
            dose_date="2026-12-10",
            labs={"taken_on": "2026-12-10", "peripheral_blasts_per_mm3": None},
        )
    )
    assert plan.decision.value == "proceed"
