"""A patient's course, governed by the core: the one place the application, the command line,
the window, import and the store go through.

- ``apply(course, event)`` returns the new course or raises ``CourseRefused`` with reasons;
  ``replay(events)`` rebuilds a course from its stored events.
- Queries: ``next_cycle_request``, ``day_request``, ``allowed_dates``, ``verification``,
  ``course_schedule`` (the real schedule per cycle) and ``Course.state``.

The rules themselves are in ``course_rules`` (events) and ``course_schedule`` (dates); the
models in ``course_model``. See docs/course-rules.md for every rule with its source and
the conventions the program chose where the label is silent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from besponsa_desktop.core import double_check
from besponsa_desktop.core.course_model import (
    EVENT,
    CheckRecord,
    Course,
    CourseEvent,
    CourseRefused,
    CourseState,
    CourseStatus,
    CycleRecord,
    DoseEntry,
    DoseGiven,
    DoseHeld,
    DoseMoved,
    DoseOmitted,
    DoubleChecked,
    EntryKind,
    PlanRevision,
    PlanSaved,
    RecordVoided,
    ResponseRecord,
    ResponseRecorded,
    Stop,
    Void,
)
from besponsa_desktop.core.course_rules import (
    allowed_dates,
    apply,
    baseline_counts,
    interruption_for,
    level_before,
    next_cycle_limit,
    start_counts,
)
from besponsa_desktop.core.course_schedule import (
    CycleSchedule,
    DoseStatus,
    ScheduledDose,
    course_schedule,
    earliest_start,
)
from besponsa_desktop.core.findings import finding
from besponsa_desktop.core.models import Finding
from besponsa_desktop.core.profiles import Rule, profile_for

__all__ = [
    "EVENT",
    "CheckRecord",
    "Course",
    "CourseEvent",
    "CourseRefused",
    "CourseState",
    "CourseStatus",
    "CycleRecord",
    "CycleSchedule",
    "DoseEntry",
    "DoseGiven",
    "DoseHeld",
    "DoseMoved",
    "DoseOmitted",
    "DoseStatus",
    "DoubleChecked",
    "EntryKind",
    "PlanRevision",
    "PlanSaved",
    "RecordVoided",
    "ResponseRecord",
    "ResponseRecorded",
    "ScheduledDose",
    "Stop",
    "Verification",
    "Void",
    "allowed_dates",
    "apply",
    "course_schedule",
    "day_request",
    "next_cycle_request",
    "replay",
    "verification",
]


def replay(events: Iterable[CourseEvent]) -> Course:
    """The course its events build, applied in order (each must be allowed)."""
    course: Course | None = None
    for event in events:
        course = apply(course, event)
    if course is None:
        raise CourseRefused(
            [
                Finding(
                    code="no_course",
                    message="a course has at least one event: the plan for cycle 1 Day 1",
                    source="program convention (not a label rule)",
                )
            ]
        )
    return course


# ---------------------------------------------------------------- requests from the course

# Left for the pharmacist: weigh again, today's labs and events.
_LEFT_FOR_THE_PHARMACIST = ("weight_kg", "measured_on", "labs", "events")


def _latest_revision(course: Course) -> PlanRevision:
    return max((p for c in course.cycles for p in c.plans), key=lambda p: p.seq)


def next_cycle_request(course: Course) -> dict[str, Any]:
    """A PlanRequest-shaped dict for Day 1 of the next cycle, filled from the course, or
    CourseRefused saying why there is none.

    The next cycle is the first that has not started: after a cycle whose Day 1 was held
    and never given, the same cycle again with a new start. Filled: label, patient,
    formula and institutional settings, the cycle number and its earliest start date, the
    dose level in force before it, the longest toxicity interruption from the recorded
    holds (Table 4), the baseline counts, the counts at the start of the previous cycle,
    the response recorded after the previous cycle (empty until recorded), the last height,
    and the last weight as ``previous_weight_kg`` (the core warns ``weight_changed``).
    Left for the pharmacist: ``weight_kg``, ``measured_on``, ``labs`` and ``events``.
    """
    if course.stop is not None:
        stop = course.stop
        raise CourseRefused(
            [
                Finding(
                    code="course_discontinued",
                    message=f"no next cycle: treatment was discontinued permanently at cycle "
                    f"{stop.cycle} Day {stop.day} ({stop.reason.message})",
                    source=stop.reason.source,
                )
            ]
        )
    last = course.last
    if last.started:
        limit = next_cycle_limit(course)
        if limit is not None:
            raise CourseRefused(
                [limit.model_copy(update={"message": f"no next cycle: {limit.message}"})]
            )
        number = last.number + 1
    else:
        number = last.number
    earliest, _ = earliest_start(course, number)
    if number == last.number:
        # The cycle that has not started, offered again: a held Day 1 moves on a day.
        held = any(e.kind is EntryKind.HELD and e.seq > last.day1.seq for e in last.live_entries(1))
        start = last.start_date + (timedelta(days=1) if held else timedelta(0))
        if earliest is not None:
            start = max(start, earliest)
    else:
        assert earliest is not None
        start = earliest
    latest = _latest_revision(course).plan
    request: dict[str, Any] = latest.request.model_dump(mode="json")
    for key in _LEFT_FOR_THE_PHARMACIST:
        request.pop(key, None)
    previous = course.cycle(number - 1)
    response = None if previous is None else previous.response
    level, _ = level_before(course, number)
    days, _ = interruption_for(course, number)
    baseline = baseline_counts(course)
    prior = start_counts(course, number - 1)
    request.update(
        {
            "cycle": {
                "number": number,
                "start_date": start.isoformat(),
                "extend_to_28_days": False,
            },
            "dose_day": 1,
            "dose_date": None,
            "response": None if response is None else response.response.value,
            "mrd_negative": False if response is None else response.mrd_negative,
            "dose_level": level,
            "longest_toxicity_interruption_days": days,
            "baseline": None if baseline is None else baseline.model_dump(mode="json"),
            "prior_cycle_start": None if prior is None else prior.model_dump(mode="json"),
            "height_cm": latest.height_cm,
            "previous_weight_kg": latest.weight_kg,
        }
    )
    if number == 1:
        for key in ("response", "baseline", "prior_cycle_start"):
            request[key] = None
        request["mrd_negative"] = False
    return request


def day_request(course: Course, cycle_number: int, day: int) -> dict[str, Any]:
    """A PlanRequest-shaped dict for a Day 8 or 15 plan (or a revised Day 1) of a cycle in
    the course: the cycle's own start, length, level inputs, response and HSCT intent come
    from its Day 1 plan, so a Day 8 or 15 plan cannot say something else; ``dose_date`` is
    the dose's date in the course when it is not its nominal day (moved, or re-based six
    days after the dose before it). Left for the pharmacist: ``weight_kg``,
    ``measured_on``, ``labs`` and ``events``."""
    cycle = course.cycle(cycle_number)
    if cycle is None:
        raise CourseRefused(
            [
                finding(
                    profile_for(course.label),
                    Rule.PROGRAM,
                    "no_such_cycle",
                    f"cycle {cycle_number} is not in this course",
                )
            ]
        )
    request: dict[str, Any] = cycle.day1.plan.request.model_dump(mode="json")
    for key in _LEFT_FOR_THE_PHARMACIST:
        request.pop(key, None)
    latest = _latest_revision(course).plan
    dose = next(
        (
            d
            for cy in course_schedule(course)
            if cy.number == cycle_number
            for d in cy.doses
            if d.day == day
        ),
        None,
    )
    if day != 1 and dose is not None and dose.date is not None and dose.date != dose.nominal_date:
        request["dose_date"] = dose.date.isoformat()  # moved, or re-based after the dose before
    else:
        request["dose_date"] = None
    request.update(
        {
            "dose_day": day,
            "height_cm": latest.height_cm,
            "previous_weight_kg": latest.weight_kg,
        }
    )
    return request


# ---------------------------------------------------------------- the double check


@dataclass(frozen=True)
class Verification:
    """Whether the plan in force for a cycle and day was independently double-checked.
    A check of an earlier revision does not verify a later one."""

    cycle: int
    day: int
    revision: int
    verified: bool
    prepared_by: str
    checked_by: str | None = None
    checked_at: datetime | None = None

    @property
    def text(self) -> str:
        if not self.verified:
            return double_check.NOT_VERIFIED
        return f"independently double-checked by {self.checked_by}"


def verification(course: Course, cycle_number: int, day: int) -> Verification | None:
    """The latest revision's verification; None when the day has no plan."""
    cycle = course.cycle(cycle_number)
    if cycle is None:
        return None
    latest = cycle.latest_plan(day)
    if latest is None:
        return None
    check = next(
        (c for c in cycle.checks if c.day == day and c.revision == latest.revision and c.matched),
        None,
    )
    if check is None:
        return Verification(cycle_number, day, latest.revision, False, latest.by)
    return Verification(
        cycle_number, day, latest.revision, True, latest.by, check.checked_by, check.at
    )
