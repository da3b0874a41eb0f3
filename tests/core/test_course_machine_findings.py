"""What the course state machines found, each as the smallest course that shows it (it
failed before the rules were fixed). A finding the rules do not handle yet is marked
``xfail(strict=True)`` with the reason, and the mark removed with the fix."""

from __future__ import annotations

from besponsa_desktop.core import course as c
from tests.core.course_helpers import (
    AT,
    PHARMACIST,
    first_plan,
    given,
    held,
    plan_day,
    plan_next,
    respond,
    whole_cycle,
)


def _cycle_2_planned_while_cycle_1_day_15_is_to_come() -> c.Course:
    course = first_plan()
    course = given(course, 1, 1)
    course = plan_day(course, 1, 8)
    course = given(course, 1, 8)
    course = respond(course, 1)
    return plan_next(course)  # accepted: cycle 1 Day 15 is still scheduled


def test_a_dose_still_scheduled_can_still_be_planned_once_the_next_cycle_is():
    """The next cycle's Day 1 may be planned while a Day 8/15 of the cycle before is still
    scheduled; that dose was then refused a plan (cycle_closed), so it could never be
    given although the course still scheduled it and offered dates to move it to. Either
    the next cycle waits for the doses before it (its plan refused), or the dose still
    scheduled can be planned and given: never a scheduled dose nobody can give."""
    try:
        course = _cycle_2_planned_while_cycle_1_day_15_is_to_come()
    except c.CourseRefused:
        return
    assert c.allowed_dates(course, 1, 15).dates  # the course offers it dates
    course = plan_day(course, 1, 15)
    course = given(course, 1, 15)
    assert [d.status for d in c.course_schedule(course)[0].doses] == [c.DoseStatus.GIVEN] * 3


def test_a_late_response_without_cr_after_cycle_3_stops_the_course_or_is_refused():
    """A response to an earlier cycle could be recorded after the next cycle started:
    'none' after cycle 3, recorded once cycle 4 was given on the strength of a CR, was
    accepted and the course stayed active (cycles 5 and 6 could follow), although the label
    stops treatment without CR/CRi within 3 cycles. (The machines' random responses are
    for the last cycle only, so this path is tested here.)"""
    course = first_plan()
    for number in (1, 2, 3):
        course = whole_cycle(course, number)
        course = respond(course, number, "cr")
        course = plan_next(course)
    course = given(course, 4, 1)
    try:
        course = respond(course, 3, "none")
    except c.CourseRefused:
        return
    assert course.state.status is c.CourseStatus.DISCONTINUED


def test_a_cycle_planned_on_a_hold_voided_since_can_still_be_given_or_planned_again():
    """A cycle whose Day 1 was planned reduced because of a hold later voided (entered in
    error) could go no further: giving its Day 1 was refused (replan_after_interruption:
    'plan Day 1 again'), and planning it again from the course's own request was refused
    (dose_level_falls: the earlier Day 1 revision set the cycle's level). Found by the
    course state machine (the ward's steps refused after a random correction)."""
    course = first_plan()
    course = given(course, 1, 1)
    course = held(course, 1, 8, toxicity_days=14)  # Day 8 omitted; cycle 2 one level lower
    course = respond(course, 1, "cr")
    course = plan_next(course)
    assert course.cycle(2).dose_level == 1  # type: ignore[union-attr]
    hold = next(e for e in course.cycle(1).entries if e.day == 8)  # type: ignore[union-attr]
    course = c.apply(
        course,
        c.RecordVoided(
            cycle=1, day=8, entry=hold.number, reason="entered in error", by=PHARMACIST, at=AT
        ),
    )
    for day in (8, 15):
        course = given(plan_day(course, 1, day), 1, day)
    ways = []
    for way in (lambda: given(course, 2, 1), lambda: plan_next(course)):
        try:
            way()
            ways.append(way)
        except c.CourseRefused:
            pass
    assert ways, "cycle 2 Day 1 can be neither given nor planned again"
