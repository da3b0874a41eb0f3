"""Cycles are numbered consecutively and never overlap; a cycle held on Day 1 and never
given keeps its number; the cycle limits count the cycles that started (Day 1 given)."""

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
    whole_cycle,
)


def _after_cycle_1() -> c.Course:
    return respond(whole_cycle(first_plan(), 1), 1)


def _save_refused(course: c.Course, data: dict[str, object], on: date) -> c.CourseRefused:
    with pytest.raises(c.CourseRefused) as refused:
        save(course, completed(data, on))
    return refused.value


def test_after_a_cycle_2_held_on_day_1_and_never_given_next_offers_cycle_2_again():
    course = held(plan_next(_after_cycle_1()), 2, 1)
    data = c.next_cycle_request(course)
    assert data["cycle"]["number"] == 2
    assert data["cycle"]["start_date"] == "2026-12-23"  # a new start, the day after
    course = plan_next(course)
    assert [cy.number for cy in course.cycles] == [1, 2]
    assert len(course.cycle(2).revisions(1)) == 2  # type: ignore[union-attr]


def test_a_cycle_3_while_cycle_2_has_not_started_is_refused():
    course = held(plan_next(_after_cycle_1()), 2, 1)
    data = c.next_cycle_request(course)
    data["cycle"] = {"number": 3, "start_date": "2027-01-19"}
    refused = _save_refused(course, data, date(2027, 1, 19))
    assert "cycle_not_started" in refused.codes


def test_a_cycle_3_with_no_cycle_2_is_refused():
    course = _after_cycle_1()
    data = c.next_cycle_request(course)
    data["cycle"] = {"number": 3, "start_date": "2027-01-19"}
    data["response"] = "cr"
    refused = _save_refused(course, data, date(2027, 1, 19))
    assert "cycle_not_consecutive" in refused.codes
    assert "cycle 2" in str(refused)


def test_a_cycle_2_starting_on_day_12_of_cycle_1_is_refused():
    course = _after_cycle_1()
    data = c.next_cycle_request(course)
    data["cycle"] = {"number": 2, "start_date": "2026-12-12"}
    data["response"] = "cr"
    refused = _save_refused(course, data, date(2026, 12, 12))
    assert "cycle_starts_too_early" in refused.codes
    assert "Tue 22 Dec 2026" in str(refused)


def test_an_earlier_cycle_cannot_be_planned_again_once_a_later_one_exists():
    course = plan_next(_after_cycle_1())
    data = c.day_request(course, 1, 8)
    refused = _save_refused(course, data, date(2026, 12, 8))
    assert "cycle_closed" in refused.codes


def test_a_course_begins_with_cycle_1_day_1():
    from tests.factories import later

    with pytest.raises(c.CourseRefused) as refused:
        save(None, later())
    assert "course_starts_with_cycle_1_day_1" in refused.value.codes


def test_cycle_limits_count_cycles_that_started_not_plans_saved():
    # Cycle 2 held on Day 1 twice, then given: it is still cycle 2, and 4 more may follow.
    course = plan_next(_after_cycle_1())
    for _ in range(2):
        course = plan_next(held(course, 2, 1))
    course = respond(whole_cycle(course, 2), 2)
    assert [cy.number for cy in course.cycles] == [1, 2]
    for number in range(3, 7):
        course = respond(whole_cycle(plan_next(course), number), number)
    assert sum(cy.started for cy in course.cycles) == 6
    with pytest.raises(c.CourseRefused) as refused:
        c.next_cycle_request(course)
    assert refused.value.codes == ["max_cycles"]


def test_a_day_8_plan_before_day_1_is_given_is_refused():
    course = first_plan()
    data = c.day_request(course, 1, 8)
    refused = _save_refused(course, data, date(2026, 12, 8))
    assert "cycle_not_started" in refused.codes


def test_a_day_15_at_two_doses_per_cycle_is_not_in_the_cycle():
    course = given(first_plan(), 1, 1)
    course = held(course, 1, 8, toxicity_days=14)
    course = given(plan_day(course, 1, 15), 1, 15)
    course = respond(course, 1)
    for number in (2,):
        course = given(plan_next(course), number, 1)
        course = held(course, number, 8, toxicity_days=14)
        course = respond(given(plan_day(course, number, 15), number, 15), number)
    course = given(plan_next(course), 3, 1)
    schedule = c.course_schedule(course)[2]
    assert schedule.dose_level == 2
    assert [(d.day, d.status) for d in schedule.doses] == [
        (1, c.DoseStatus.GIVEN),
        (8, c.DoseStatus.SCHEDULED),
        (15, c.DoseStatus.OMITTED),
    ]
    with pytest.raises(c.CourseRefused) as refused:
        held(course, 3, 15)
    assert "day_not_in_cycle" in refused.value.codes
