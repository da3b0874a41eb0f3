"""Building courses in tests: plans made by the real planner from the course's own
requests, and dose events with who and when."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from besponsa_desktop.core import course as c
from besponsa_desktop.core.planner import make_plan
from tests.factories import completed, request

PHARMACIST = "Pat Pharmacist"
CHECKER = "Chris Checker"
NURSE = "Nora Nurse"
AT = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
C1_START = date(2026, 12, 1)


def save(course: c.Course | None, data: dict[str, Any], by: str = PHARMACIST) -> c.Course:
    return c.apply(course, c.PlanSaved(plan=make_plan(data), by=by, at=AT))


def first_plan(**overrides: Any) -> c.Course:
    data = request(cycle={"number": 1, "start_date": C1_START.isoformat()}, **overrides)
    return save(None, data)


def plan_day(course: c.Course, cycle: int, day: int, **overrides: Any) -> c.Course:
    found = course.cycle(cycle)
    assert found is not None
    data = c.day_request(course, cycle, day)
    on = found.start_date + timedelta(days=day - 1)
    if data.get("dose_date"):
        on = date.fromisoformat(data["dose_date"])
    data = completed(data, on, **overrides)
    return save(course, data)


def plan_next(course: c.Course, **overrides: Any) -> c.Course:
    data = c.next_cycle_request(course)
    on = date.fromisoformat(data["cycle"]["start_date"])
    if data.get("response") is None and data["cycle"]["number"] > 1:
        data["response"] = "cr"
    return save(course, completed(data, on, **overrides))


def given(course: c.Course, cycle: int, day: int, on: date | None = None) -> c.Course:
    if on is None:
        found = c.course_schedule(course)[cycle - 1]
        dose = next(d for d in found.doses if d.day == day)
        assert dose.date is not None
        on = dose.date
    at = datetime(on.year, on.month, on.day, 10, 0, tzinfo=UTC)
    return c.apply(course, c.DoseGiven(cycle=cycle, day=day, given_at=at, by=NURSE, at=at))


def held(course: c.Course, cycle: int, day: int, toxicity_days: int = 0) -> c.Course:
    return c.apply(
        course,
        c.DoseHeld(
            cycle=cycle,
            day=day,
            reason="grade 2 nausea",
            toxicity_days=toxicity_days,
            by=PHARMACIST,
            at=AT,
        ),
    )


def respond(course: c.Course, cycle: int, response: str = "cr", mrd: bool = False) -> c.Course:
    return c.apply(
        course,
        c.ResponseRecorded(
            cycle=cycle,
            response=response,
            mrd_negative=mrd,
            by=PHARMACIST,
            at=AT,  # type: ignore[arg-type]
        ),
    )


def whole_cycle(course: c.Course, cycle: int) -> c.Course:
    """Give Day 1 and plan and give Days 8 and 15 of a cycle already planned."""
    course = given(course, cycle, 1)
    for day in course.cycle(cycle).days[1:]:  # type: ignore[union-attr]
        course = plan_day(course, cycle, day)
        course = given(course, cycle, day)
    return course


def status(course: c.Course, cycle: int, day: int) -> c.DoseStatus:
    found = c.course_schedule(course)[cycle - 1]
    return next(d for d in found.doses if d.day == day).status


def date_of(course: c.Course, cycle: int, day: int) -> date | None:
    found = c.course_schedule(course)[cycle - 1]
    return next(d for d in found.doses if d.day == day).date
