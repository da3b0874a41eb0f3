"""A permanent stop is permanent (Table 1 footnotes, Tables 2, 3 and 4): once a saved plan
discontinues, no later plan may be saved, no dose given, ``next`` refuses and says why, and
every dose still to come is "not given — treatment discontinued"."""

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
    whole_cycle,
)


def _refused(codes: list[str], call: object, *args: object) -> c.CourseRefused:
    with pytest.raises(c.CourseRefused) as refused:
        call(*args)  # type: ignore[operator]
    assert set(codes) <= set(refused.value.codes), refused.value.codes
    return refused.value


def _discontinued_on_cycle_1_day_8(**events: bool) -> c.Course:
    course = given(first_plan(), 1, 1)
    return plan_day(course, 1, 8, events=events)


@pytest.mark.parametrize("event", ["vod", "severe_liver_toxicity", "severe_infusion_reaction"])
def test_a_day_8_plan_that_discontinues_for_toxicity_stops_the_course(event):
    course = _discontinued_on_cycle_1_day_8(**{event: True})
    assert course.state.status is c.CourseStatus.DISCONTINUED
    assert course.state.reason is not None and course.state.reason.code == event
    assert "Table 3" in course.state.reason.source
    assert (course.state.cycle, course.state.day) == (1, 8)
    assert status(course, 1, 1) is c.DoseStatus.GIVEN
    for day in (8, 15):
        assert status(course, 1, day) is c.DoseStatus.NOT_GIVEN_DISCONTINUED
    schedule = c.course_schedule(course)[0]
    assert all(d.date is None for d in schedule.doses if d.day != 1)
    assert "discontinue permanently" in (schedule.doses[1].reason or "")


def test_after_vod_next_refuses_and_says_why():
    course = _discontinued_on_cycle_1_day_8(vod=True)
    refused = _refused(["course_discontinued"], c.next_cycle_request, course)
    assert "cycle 1 Day 8" in str(refused) and "VOD" in str(refused)
    assert "Table 3" in refused.reasons[0].source


def test_after_vod_no_later_plan_may_be_saved_even_one_that_would_proceed():
    course = _discontinued_on_cycle_1_day_8(vod=True)
    # A Day 15 plan with clean labs and no event would PROCEED on its own.
    _refused(["course_discontinued"], plan_day, course, 1, 15)
    # Nor a new Day 8 revision that forgets the event.
    _refused(["course_discontinued"], plan_day, course, 1, 8)


def test_after_a_severe_infusion_reaction_no_dose_may_be_given_moved_or_held():
    course = _discontinued_on_cycle_1_day_8(severe_infusion_reaction=True)
    _refused(["course_discontinued"], given, course, 1, 8, date(2026, 12, 8))
    _refused(["course_discontinued"], held, course, 1, 15)
    assert c.allowed_dates(course, 1, 15).dates == []


def test_a_cycle_2_plan_made_without_the_event_after_vod_is_refused():
    course = respond(_discontinued_on_cycle_1_day_8(vod=True), 1)
    data = {
        **c.day_request(course, 1, 1),
        "cycle": {"number": 2, "start_date": "2026-12-22"},
        "response": "cr",
        "baseline": {"anc": 2.1, "platelets": 140},
    }
    _refused(["course_discontinued"], save, course, completed(data, date(2026, 12, 22)))


def _cycle_with_a_long_day_8_hold(course: c.Course, number: int) -> c.Course:
    course = given(course, number, 1)
    course = held(course, number, 8, toxicity_days=14)
    if 15 in course.cycles[-1].days:  # dose level 2 has no Day 15
        course = given(plan_day(course, number, 15), number, 15)
    return respond(course, number)


def test_when_dose_reductions_are_exhausted_the_course_stops():
    course = first_plan()
    for number in (1, 2, 3):
        course = _cycle_with_a_long_day_8_hold(course, number)
        course = plan_next(course)
    assert [cy.dose_level for cy in course.cycles] == [0, 1, 2, 2]
    assert course.state.status is c.CourseStatus.DISCONTINUED
    assert course.state.reason is not None
    assert course.state.reason.code == "dose_reduction_exhausted"
    assert "Table 4" in course.state.reason.source
    _refused(["course_discontinued"], c.next_cycle_request, course)


def test_without_cr_or_cri_after_3_cycles_next_refuses_and_the_course_is_discontinued():
    course = first_plan()
    for number in (1, 2, 3):
        course = respond(whole_cycle(course, number), number, "none")
        if number < 3:
            course = plan_next(course)
    assert course.state.status is c.CourseStatus.DISCONTINUED
    refused = _refused(["no_response_by_cycle_3"], c.next_cycle_request, course)
    assert "Table 1" in refused.reasons[0].source


def test_after_6_cycles_without_hsct_the_course_is_complete_and_next_refuses():
    course = first_plan()
    for number in range(1, 7):
        course = respond(whole_cycle(course, number), number)
        if number < 6:
            course = plan_next(course)
    assert course.state.status is c.CourseStatus.COMPLETE
    _refused(["max_cycles"], c.next_cycle_request, course)


def test_going_on_to_hsct_after_2_cycles_with_cr_and_mrd_negativity_next_refuses():
    course = first_plan(hsct_planned=True)
    course = respond(whole_cycle(course, 1), 1, "cr", mrd=True)
    course = respond(whole_cycle(plan_next(course), 2), 2, "cr", mrd=True)
    assert course.state.status is c.CourseStatus.COMPLETE
    _refused(["hsct_cycles_complete"], c.next_cycle_request, course)


def test_us_cytopenia_over_28_days_stops_the_course():
    course = respond(whole_cycle(first_plan(), 1), 1)
    data = c.next_cycle_request(course)
    on = date.fromisoformat(data["cycle"]["start_date"])
    low = {"labs": {"anc": 0.5, "low_counts_duration_days": 30}, "response": "cr"}
    course = save(course, completed(data, on, **low))
    assert course.state.status is c.CourseStatus.DISCONTINUED
    assert course.state.reason is not None
    assert course.state.reason.code == "cytopenia_over_28_days"
    _refused(["course_discontinued"], c.next_cycle_request, course)
    assert c.course_schedule(course)[1].doses == ()
