"""The course's real schedule: each dose as planned, moved, held, given or omitted, and the
checks every schedule must pass (Table 1: ±2-day windows for Days 8 and 15, at least six
days between any two doses, a cycle never before the previous one's due date).

Day 1 is fixed by the cycle's Day 1 plan (a late Day 1 is planned again with its new
start date). Days 8 and 15 follow the doses before them: a dose still to come is on its
nominal day or the day it was moved to, and never earlier than six days after the previous
dose of the course, whether that dose was given or is still scheduled.
"""

from __future__ import annotations

import datetime as dt
import itertools
from datetime import date, datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from besponsa_desktop.core import dose_levels, schedule
from besponsa_desktop.core.course_model import Course, CycleRecord, DoseEntry, EntryKind
from besponsa_desktop.core.findings import finding
from besponsa_desktop.core.models import Decision, Finding
from besponsa_desktop.core.numbers import fmt_date
from besponsa_desktop.core.profiles import Rule, profile_for
from besponsa_desktop.core.regimen import MIN_DAYS_BETWEEN_DOSES

MIN_GAP = timedelta(days=MIN_DAYS_BETWEEN_DOSES)


class DoseStatus(StrEnum):
    SCHEDULED = "scheduled"
    HELD = "held"
    MOVED = "moved"
    GIVEN = "given"
    OMITTED = "omitted"
    NOT_GIVEN_DISCONTINUED = "not_given_discontinued"

    @property
    def pending(self) -> bool:
        return self in (DoseStatus.SCHEDULED, DoseStatus.HELD, DoseStatus.MOVED)


STATUS_WORDS = {
    DoseStatus.SCHEDULED: "scheduled",
    DoseStatus.HELD: "held",
    DoseStatus.MOVED: "moved",
    DoseStatus.GIVEN: "given",
    DoseStatus.OMITTED: "omitted",
    DoseStatus.NOT_GIVEN_DISCONTINUED: "not given — treatment discontinued",
}


class ScheduledDose(BaseModel):
    model_config = ConfigDict(frozen=True)

    cycle: int
    day: int
    status: DoseStatus
    # The date it was given, or the date it is scheduled for; None when not to be given.
    date: dt.date | None
    nominal_date: dt.date
    window_start: dt.date
    window_end: dt.date
    given_at: datetime | None = None
    reason: str | None = None
    # The latest plan for this day (None: no plan made for the day itself yet).
    decision: Decision | None = None
    dose_mg: float | None = None
    volume_ml: float | None = None

    @property
    def status_text(self) -> str:
        return STATUS_WORDS[self.status]


class CycleSchedule(BaseModel):
    model_config = ConfigDict(frozen=True)

    number: int
    start_date: date
    length_days: int
    next_cycle_due: date
    dose_level: int
    started: bool
    doses: tuple[ScheduledDose, ...]


def _superseded(cycle: CycleRecord, entry: DoseEntry) -> bool:
    """A Day 1 held or moved before the latest Day 1 plan: that plan replaces it (a held
    cycle is planned again with a new start, and keeps its number)."""
    return entry.day == 1 and entry.kind is not EntryKind.GIVEN and entry.seq < cycle.day1.seq


def effective_entries(cycle: CycleRecord, day: int) -> list[DoseEntry]:
    return [e for e in cycle.live_entries(day) if not _superseded(cycle, e)]


def table4_omission(entries: list[DoseEntry], day: int) -> DoseEntry | None:
    """A Day 8 or 15 held for toxicity for 7 days or more is omitted (Table 4)."""
    if day == 1:
        return None
    return next(
        (
            e
            for e in entries
            if e.kind is EntryKind.HELD
            and (e.toxicity_days or 0) >= dose_levels.HOLD_NEXT_DOSE_BELOW_DAYS
        ),
        None,
    )


def _dose(course: Course, cycle: CycleRecord, day: int, previous: date | None) -> ScheduledDose:
    start = cycle.start_date
    first, last = schedule.window(start, day)
    nominal = schedule.day_date(start, day)
    entries = effective_entries(cycle, day)
    plan = cycle.latest_plan(day)
    amounts = next(
        (d for rev in (plan, cycle.day1) if rev for d in rev.plan.doses if d.day == day), None
    )
    base = ScheduledDose(
        cycle=cycle.number,
        day=day,
        status=DoseStatus.SCHEDULED,
        date=None,
        nominal_date=nominal,
        window_start=first,
        window_end=last,
        decision=None if plan is None else plan.plan.decision,
        dose_mg=None if amounts is None else amounts.dose_mg,
        volume_ml=None if amounts is None else amounts.volume_ml,
    )

    def as_(status: DoseStatus, on: date | None, reason: str | None = None) -> ScheduledDose:
        return base.model_copy(update={"status": status, "date": on, "reason": reason})

    given = next((e for e in entries if e.kind is EntryKind.GIVEN), None)
    if given is not None:
        assert given.given_at is not None
        return base.model_copy(
            update={
                "status": DoseStatus.GIVEN,
                "date": given.given_at.date(),
                "given_at": given.given_at,
            }
        )
    omitted = next((e for e in entries if e.kind is EntryKind.OMITTED), None)
    if omitted is not None:
        return as_(DoseStatus.OMITTED, None, omitted.reason)
    long_hold = table4_omission(entries, day)
    if long_hold is not None:
        return as_(
            DoseStatus.OMITTED,
            None,
            f"omitted: dosing interrupted {long_hold.toxicity_days} days for toxicity "
            f"({dose_levels.HOLD_NEXT_DOSE_BELOW_DAYS} or more omits the dose within the "
            f"cycle, Table 4) — {long_hold.reason}",
        )
    if course.stop is not None:
        return as_(DoseStatus.NOT_GIVEN_DISCONTINUED, None, course.stop.reason.message)
    moved = next((e for e in reversed(entries) if e.kind is EntryKind.MOVED), None)
    on = moved.moved_to if moved is not None and moved.moved_to is not None else nominal
    if day != 1 and previous is not None:
        on = max(on, previous + MIN_GAP)
    if entries and entries[-1].kind is EntryKind.HELD:
        return as_(DoseStatus.HELD, on, entries[-1].reason)
    if moved is not None:
        return as_(DoseStatus.MOVED, on, moved.reason)
    return as_(DoseStatus.SCHEDULED, on)


def _level_2_day_15(cycle: CycleRecord) -> ScheduledDose:
    start = cycle.start_date
    first, last = schedule.window(start, 15)
    return ScheduledDose(
        cycle=cycle.number,
        day=15,
        status=DoseStatus.OMITTED,
        date=None,
        nominal_date=schedule.day_date(start, 15),
        window_start=first,
        window_end=last,
        reason=f"not in this cycle: {dose_levels.LEVELS[2].description} (Table 4)",
    )


def course_schedule(course: Course) -> tuple[CycleSchedule, ...]:
    """Every cycle with its doses in order, as recorded and as still to come."""
    out: list[CycleSchedule] = []
    previous: date | None = None
    for cycle in course.cycles:
        doses: list[ScheduledDose] = []
        for day in (1, 8, 15):
            if day not in cycle.days:
                if day == 15 and cycle.days and cycle.dose_level == dose_levels.MAX_LEVEL:
                    doses.append(_level_2_day_15(cycle))
                continue
            dose = _dose(course, cycle, day, previous)
            doses.append(dose)
            if dose.date is not None:
                previous = dose.date
        out.append(
            CycleSchedule(
                number=cycle.number,
                start_date=cycle.start_date,
                length_days=cycle.length_days,
                next_cycle_due=cycle.next_cycle_due,
                dose_level=cycle.dose_level,
                started=cycle.started,
                doses=tuple(doses),
            )
        )
    return tuple(out)


def dose_in(course: Course, cycle: int, day: int) -> ScheduledDose | None:
    for found in course_schedule(course):
        if found.number == cycle:
            return next((d for d in found.doses if d.day == day), None)
    return None


def dated_doses(course: Course) -> list[ScheduledDose]:
    """The doses given or still to come, in course order."""
    return [d for c in course_schedule(course) for d in c.doses if d.date is not None]


def last_dose_before(course: Course, cycle: int) -> ScheduledDose | None:
    earlier = [d for d in dated_doses(course) if d.cycle < cycle]
    return earlier[-1] if earlier else None


def earliest_start(course: Course, number: int) -> tuple[date | None, str]:
    """The earliest Day 1 of cycle ``number``: on or after the previous cycle's due date
    and at least six days after the last dose before it. (None for cycle 1.)"""
    previous_cycle = course.cycle(number - 1)
    if previous_cycle is None:
        return None, ""
    due = previous_cycle.next_cycle_due
    why = (
        f"cycle {previous_cycle.number} started {fmt_date(previous_cycle.start_date)} and lasts "
        f"{previous_cycle.length_days} days, so cycle {number} is due {fmt_date(due)}"
    )
    last = last_dose_before(course, number)
    if last is not None and last.date is not None and last.date + MIN_GAP > due:
        due = last.date + MIN_GAP
        why = (
            f"the last dose (cycle {last.cycle} Day {last.day}, {last.status_text} "
            f"{fmt_date(last.date)}) must be at least {MIN_DAYS_BETWEEN_DOSES} days before it"
        )
    return due, why


def schedule_problems(course: Course) -> list[Finding]:
    """What a course may never hold: doses under six days apart, a Day 8 or 15 outside its
    window, a cycle before the previous one's due date or after one that never started."""
    profile = profile_for(course.label)
    problems: list[Finding] = []
    cycles = course_schedule(course)
    dated = [d for c in cycles for d in c.doses if d.date is not None]
    for before, after in itertools.pairwise(dated):
        assert before.date is not None and after.date is not None
        if after.date - before.date < MIN_GAP:
            problems.append(
                finding(
                    profile,
                    Rule.REGIMEN,
                    "doses_too_close",
                    f"cycle {after.cycle} Day {after.day} ({after.status_text} "
                    f"{fmt_date(after.date)}) would be {(after.date - before.date).days} days "
                    f"after cycle {before.cycle} Day {before.day} ({before.status_text} "
                    f"{fmt_date(before.date)}); two doses are always at least "
                    f"{MIN_DAYS_BETWEEN_DOSES} days apart",
                )
            )
    for dose in dated:
        assert dose.date is not None
        if dose.day != 1 and not dose.window_start <= dose.date <= dose.window_end:
            problems.append(
                finding(
                    profile,
                    Rule.REGIMEN,
                    "outside_window",
                    f"cycle {dose.cycle} Day {dose.day} would be on {fmt_date(dose.date)}, "
                    f"outside its window {fmt_date(dose.window_start)} to "
                    f"{fmt_date(dose.window_end)} (±2 days)",
                )
            )
    pending = next((d for c in cycles for d in c.doses if d.status.pending), None)
    if pending is not None:
        later_given = [
            d
            for c in cycles
            for d in c.doses
            if d.status is DoseStatus.GIVEN and (d.cycle, d.day) > (pending.cycle, pending.day)
        ]
        if later_given:
            problems.append(
                finding(
                    profile,
                    Rule.PROGRAM,
                    "earlier_dose_pending",
                    f"cycle {later_given[0].cycle} Day {later_given[0].day} is recorded as "
                    f"given while cycle {pending.cycle} Day {pending.day} before it is "
                    f"{pending.status_text}; doses are given in order (void the later "
                    "record first)",
                )
            )
    for before_cycle, cycle in itertools.pairwise(cycles):
        if cycle.start_date < before_cycle.next_cycle_due:
            problems.append(
                finding(
                    profile,
                    Rule.REGIMEN,
                    "cycles_overlap",
                    f"cycle {cycle.number} would start {fmt_date(cycle.start_date)}, before "
                    f"cycle {before_cycle.number} ends (next cycle due "
                    f"{fmt_date(before_cycle.next_cycle_due)})",
                )
            )
        if not before_cycle.started:
            problems.append(
                finding(
                    profile,
                    Rule.PROGRAM,
                    "cycle_not_started",
                    f"cycle {cycle.number} follows cycle {before_cycle.number}, whose Day 1 "
                    "has not been given",
                )
            )
    return problems
