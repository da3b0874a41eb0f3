"""The course model: events applied in order build the course; replay gives the same."""

from __future__ import annotations

from besponsa_desktop.core import course as c
from tests.core.course_helpers import first_plan, plan_next, respond, whole_cycle


def _events_of_two_cycles() -> tuple[c.Course, list[c.CourseEvent]]:
    events: list[c.CourseEvent] = []
    original = c.apply

    def recording(course: c.Course | None, event: c.CourseEvent) -> c.Course:
        out = original(course, event)
        events.append(event)
        return out

    c.apply = recording  # type: ignore[assignment]
    try:
        course = whole_cycle(first_plan(), 1)
        course = plan_next(respond(course, 1))
    finally:
        c.apply = original  # type: ignore[assignment]
    return course, events


def test_a_course_is_the_replay_of_its_events_through_json():
    course, events = _events_of_two_cycles()
    stored = [c.EVENT.dump_json(e) for e in events]
    again = c.replay(c.EVENT.validate_json(text) for text in stored)
    assert again == course
    assert again.version == len(events)


def test_a_full_first_cycle_is_given_on_days_1_8_and_15():
    course = whole_cycle(first_plan(), 1)
    doses = c.course_schedule(course)[0].doses
    assert [(d.day, d.status, d.date.day if d.date else None) for d in doses] == [
        (1, c.DoseStatus.GIVEN, 1),
        (8, c.DoseStatus.GIVEN, 8),
        (15, c.DoseStatus.GIVEN, 15),
    ]
    assert course.state.status is c.CourseStatus.ACTIVE
