"""The dose level never falls (Table 4: a reduced dose is never re-escalated): not within a
cycle (Day 8/15 plans, a revised Day 1), not between cycles. A request's ``dose_level`` is
always "the level in force before this cycle", filled from the course; a plan that would
lower the level is refused, naming the level in force."""

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


def _cycle_2_at_level_1() -> c.Course:
    """Cycle 1 Day 8 held 14 days for toxicity: cycle 2 is planned and given at level 1."""
    course = given(first_plan(), 1, 1)
    course = held(course, 1, 8, toxicity_days=14)
    course = given(plan_day(course, 1, 15), 1, 15)
    course = plan_next(respond(course, 1))
    return given(course, 2, 1)


def _refused_codes(course: c.Course, data: dict[str, object]) -> c.CourseRefused:
    with pytest.raises(c.CourseRefused) as refused:
        save(course, data)
    return refused.value


def test_cycle_2_after_a_14_day_interruption_is_reduced_and_day_8_keeps_that_level():
    course = _cycle_2_at_level_1()
    assert course.cycle(2).dose_level == 1  # type: ignore[union-attr]
    course = plan_day(course, 2, 8)
    assert course.cycle(2).latest_plan(8).plan.dose_level == 1  # type: ignore[union-attr]


def test_a_day_8_plan_made_with_the_interruption_left_at_0_is_refused_not_re_escalated():
    course = _cycle_2_at_level_1()
    data = c.day_request(course, 2, 8)
    data.update(dose_level=0, longest_toxicity_interruption_days=0)
    refused = _refused_codes(course, completed(data, date(2026, 12, 29)))
    assert "dose_level_falls" in refused.codes
    assert "dose level 1" in str(refused)
    assert "Table 4" in refused.reasons[0].source


def test_a_day_8_plan_giving_the_cycles_level_as_the_level_in_force_cannot_lower_it_again():
    course = _cycle_2_at_level_1()
    data = c.day_request(course, 2, 8)
    # "dose_level 1" as history shows it, with the previous cycle's 14 days copied again:
    # the planner would step to level 2 and drop Day 15.
    data.update(dose_level=1, longest_toxicity_interruption_days=14)
    refused = _refused_codes(course, completed(data, date(2026, 12, 29)))
    assert "dose_level_not_the_cycle" in refused.codes
    assert 15 in course.cycle(2).days  # type: ignore[union-attr]


def test_the_next_cycle_after_a_reduced_cycle_is_filled_at_the_reduced_level():
    course = _cycle_2_at_level_1()
    for day in (8, 15):
        course = given(plan_day(course, 2, day), 2, day)
    data = c.next_cycle_request(respond(course, 2))
    assert data["dose_level"] == 1
    assert data["longest_toxicity_interruption_days"] == 0


def test_a_next_cycle_request_back_at_full_dose_is_refused_naming_the_level_in_force():
    course = _cycle_2_at_level_1()
    for day in (8, 15):
        course = given(plan_day(course, 2, day), 2, day)
    course = respond(course, 2)
    data = c.next_cycle_request(course)
    data["dose_level"] = 0
    on = date.fromisoformat(data["cycle"]["start_date"])
    refused = _refused_codes(course, completed(data, on))
    assert "dose_level_falls" in refused.codes
    assert "dose level 1 is in force for cycle 3" in str(refused)
    assert "cycle 2 was given at dose level 1" in str(refused)


def _cycle_2_reduced_on_a_hold_voided_since() -> c.Course:
    course = respond(whole_cycle(first_plan(), 1), 1)
    course = held(plan_next(course), 2, 1, toxicity_days=14)
    course = plan_next(course)  # cycle 2 again, later, at level 1
    assert course.cycle(2).dose_level == 1  # type: ignore[union-attr]
    return c.apply(
        course,
        c.RecordVoided(
            cycle=2,
            day=1,
            entry=1,
            reason="the hold was entered for another patient",
            by="Pat Pharmacist",
            at=course.cycle(2).plans[-1].at,  # type: ignore[union-attr]
        ),
    )


def test_a_day_1_planned_reduced_on_a_hold_voided_since_is_planned_again_at_full_dose():
    # Nobody was given the reduced dose: the error corrected, the cycle is planned at the
    # level in force (the cycles before), and given; the course is never left stuck.
    course = _cycle_2_reduced_on_a_hold_voided_since()
    with pytest.raises(c.CourseRefused) as refused:
        given(course, 2, 1)  # its plan counted a 14-day interruption the course no longer has
    assert "replan_after_interruption" in refused.value.codes
    data = c.next_cycle_request(course)  # "Plan next cycle": cycle 2 again, from the course
    assert (data["dose_level"], data["longest_toxicity_interruption_days"]) == (0, 0)
    course = plan_next(course)
    assert course.cycle(2).dose_level == 0  # type: ignore[union-attr]
    course = given(course, 2, 1)
    for day in (8, 15):
        course = given(plan_day(course, 2, day), 2, day)
    assert c.next_cycle_request(respond(course, 2))["dose_level"] == 0


def test_a_revised_day_1_still_cannot_go_below_the_level_the_cycles_before_were_given_at():
    course = _cycle_2_at_level_1()
    for day in (8, 15):
        course = given(plan_day(course, 2, day), 2, day)
    course = plan_next(respond(course, 2))  # cycle 3 at level 1, not started
    data = c.day_request(course, 3, 1)
    data["dose_level"] = 0
    start = course.cycle(3).start_date  # type: ignore[union-attr]
    refused = _refused_codes(course, completed(data, start))
    assert "dose_level_falls" in refused.codes
    assert "cycle 2 was given at dose level 1" in str(refused)


def test_cycle_1_is_always_full_dose_and_later_cycles_default_to_the_level_in_force():
    course = respond(whole_cycle(first_plan(), 1), 1)
    assert c.next_cycle_request(course)["dose_level"] == 0
    course = plan_next(course)
    assert course.cycle(2).dose_level == 0  # type: ignore[union-attr]
