"""Table 4 [verify], applied from the recorded holds and their toxicity days.

The program reads "the next dose" as the dose that was due when dosing was interrupted,
that is the dose held: under 7 days it is held (given later within its ±2-day window, at
least 6 days after the previous dose); 7 days or more omits it, and dosing resumes with the
following dose of the cycle; 14 days or more also reduces the next cycle by one level."""

from __future__ import annotations

from datetime import date

import pytest

from besponsa_desktop.core import course as c
from tests.core.course_helpers import (
    completed,
    first_plan,
    given,
    held,
    plan_day,
    plan_next,
    respond,
    save,
    status,
)


def _day_1_given() -> c.Course:
    return given(first_plan(), 1, 1)


def test_a_day_8_held_3_days_for_toxicity_stays_held_and_may_move_in_its_window():
    course = held(_day_1_given(), 1, 8, toxicity_days=3)
    assert status(course, 1, 8) is c.DoseStatus.HELD
    assert c.allowed_dates(course, 1, 8).dates == [date(2026, 12, d) for d in (7, 8, 9, 10)]


def test_a_day_8_held_7_days_for_toxicity_is_omitted_and_day_15_stays_on_its_day():
    course = held(_day_1_given(), 1, 8, toxicity_days=7)
    schedule = c.course_schedule(course)[0]
    day8, day15 = schedule.doses[1], schedule.doses[2]
    assert day8.status is c.DoseStatus.OMITTED and day8.date is None
    assert "Table 4" in (day8.reason or "")
    assert day15.status is c.DoseStatus.SCHEDULED and day15.date == date(2026, 12, 15)
    with pytest.raises(c.CourseRefused) as refused:
        given(course, 1, 8, date(2026, 12, 10))
    assert "dose_already_recorded" in refused.value.codes


def test_a_day_1_held_10_days_for_toxicity_is_not_omitted_it_delays_the_cycle():
    course = first_plan()
    course = given(course, 1, 1)
    for day in (8, 15):
        course = given(plan_day(course, 1, day), 1, day)
    course = plan_next(respond(course, 1))
    planned = course.cycle(2).start_date  # type: ignore[union-attr]
    course = held(course, 2, 1, toxicity_days=10)
    assert status(course, 2, 1) is c.DoseStatus.HELD
    assert course.state.status is c.CourseStatus.ON_HOLD
    data = c.next_cycle_request(course)
    assert data["cycle"]["number"] == 2
    assert date.fromisoformat(data["cycle"]["start_date"]) > planned
    with pytest.raises(c.CourseRefused) as refused:
        c.apply(
            course,
            c.DoseOmitted(cycle=2, day=1, reason="x", by="P", at=course.cycle(2).plans[0].at),
        )  # type: ignore[union-attr]
    assert "day_1_cannot_be_omitted" in refused.value.codes


def test_a_14_day_interruption_reduces_the_next_cycle_by_one_level():
    course = held(_day_1_given(), 1, 8, toxicity_days=14)
    course = given(plan_day(course, 1, 15), 1, 15)
    data = c.next_cycle_request(respond(course, 1))
    assert data["longest_toxicity_interruption_days"] == 14
    course = plan_next(respond(course, 1))
    assert course.cycle(2).dose_level == 1  # type: ignore[union-attr]


def test_a_request_whose_interruption_differs_from_the_recorded_holds_is_refused():
    course = held(_day_1_given(), 1, 8, toxicity_days=14)
    course = respond(given(plan_day(course, 1, 15), 1, 15), 1)
    data = c.next_cycle_request(course)
    data["longest_toxicity_interruption_days"] = 0  # would keep full dose
    with pytest.raises(c.CourseRefused) as refused:
        save(course, completed(data, date.fromisoformat(data["cycle"]["start_date"])))
    assert "interruption_not_the_course" in refused.value.codes
    assert "cycle 1 Day 8 was held for toxicity for 14 days" in str(refused.value)


def test_a_cycle_2_day_1_held_14_days_must_be_planned_again_at_the_reduced_level():
    course = first_plan()
    course = given(course, 1, 1)
    for day in (8, 15):
        course = given(plan_day(course, 1, day), 1, day)
    course = plan_next(respond(course, 1))
    assert course.cycle(2).dose_level == 0  # type: ignore[union-attr]
    course = held(course, 2, 1, toxicity_days=14)
    # The old Day 1 plan no longer answers the record: giving it is refused ...
    with pytest.raises(c.CourseRefused) as refused:
        given(course, 2, 1, course.cycle(2).start_date)  # type: ignore[union-attr]
    assert "plan_does_not_proceed" in refused.value.codes or (
        "replan_after_interruption" in refused.value.codes
    )
    # ... and next offers the same cycle, later, at the reduced level.
    data = c.next_cycle_request(course)
    assert data["cycle"]["number"] == 2
    assert data["longest_toxicity_interruption_days"] == 14
    course = plan_next(course)
    assert course.cycle(2).dose_level == 1  # type: ignore[union-attr]
    assert [p.plan.dose_level for p in course.cycle(2).revisions(1)] == [0, 1]  # type: ignore[union-attr]
