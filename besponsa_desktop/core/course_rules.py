"""The rules across doses and cycles: how each event changes a course, or why it may not.

Every refusal is a list of Findings (code, message with the numbers, label source), as a
plan's reasons are. After an event is applied the whole schedule is checked again
(``course_schedule.schedule_problems``), so no event, correction included, can leave two
doses under six days apart, a dose outside its window or two cycles overlapping.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

from besponsa_desktop.core import course_schedule as cs
from besponsa_desktop.core import cycle_limits, dose_levels, double_check, schedule
from besponsa_desktop.core.course_model import (
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
from besponsa_desktop.core.findings import finding
from besponsa_desktop.core.models import Counts, Decision, Finding, Response
from besponsa_desktop.core.numbers import fmt_date
from besponsa_desktop.core.profiles import LabelProfile, Rule, profile_for

PROGRAM_SOURCE = "program convention (not a label rule)"


def _refuse(profile: LabelProfile, rule: Rule, code: str, message: str) -> CourseRefused:
    return CourseRefused([finding(profile, rule, code, message)])


# ---------------------------------------------------------------- what the course says


def level_before(course: Course, number: int) -> tuple[int, str]:
    """The dose level in force before cycle ``number``: the highest of the earlier cycles
    (a reduced dose is never re-escalated), and which cycle set it."""
    level, where = 0, "no earlier cycle was reduced"
    for cycle in course.cycles:
        if cycle.number < number and cycle.dose_level > level:
            level = cycle.dose_level
            where = f"cycle {cycle.number} was given at dose level {level}"
    return level, where


def interruption_for(course: Course, number: int) -> tuple[int, str]:
    """The longest toxicity interruption that decides cycle ``number``'s level (Table 4):
    the recorded holds of the previous cycle's Days 8 and 15, and the holds that delayed
    this cycle's own Day 1 (the previous cycle's Day 1 holds counted for that cycle)."""
    if number == 1:
        return 0, "cycle 1 is always given at full dose"
    holds: list[tuple[int, int, int]] = []
    previous = course.cycle(number - 1)
    if previous is not None:
        holds += [
            (e.toxicity_days or 0, previous.number, e.day)
            for e in previous.entries
            if e.live and e.kind is EntryKind.HELD and e.day != 1
        ]
    this = course.cycle(number)
    if this is not None:
        holds += [
            (e.toxicity_days or 0, number, 1)
            for e in this.entries
            if e.live and e.kind is EntryKind.HELD and e.day == 1
        ]
    if not holds or max(holds)[0] == 0:
        return 0, "no toxicity interruption is recorded"
    days, cycle, day = max(holds)
    return days, f"cycle {cycle} Day {day} was held for toxicity for {days} days"


def baseline_counts(course: Course) -> Counts | None:
    """The counts before treatment began: the baseline given with cycle 1 Day 1, or that
    day's own counts (in cycle 1 the day's counts are the baseline)."""
    first = course.cycle(1)
    if first is None:
        return None
    request = first.day1.plan.request
    if request.baseline is not None:
        return request.baseline
    return Counts(anc=request.labs.anc, platelets=request.labs.platelets)


def start_counts(course: Course, number: int) -> Counts | None:
    """The counts at the start of cycle ``number`` (its Day 1 plan's labs)."""
    cycle = course.cycle(number)
    if cycle is None:
        return None
    labs = cycle.day1.plan.request.labs
    return Counts(anc=labs.anc, platelets=labs.platelets)


def _replace_cycle(course: Course, cycle: CycleRecord) -> tuple[CycleRecord, ...]:
    others = [c for c in course.cycles if c.number != cycle.number]
    return tuple(sorted([*others, cycle], key=lambda c: c.number))


def _cycle(course: Course, number: int) -> CycleRecord:
    found = course.cycle(number)
    if found is None:
        raise _refuse(
            profile_for(course.label),
            Rule.PROGRAM,
            "no_such_cycle",
            f"cycle {number} is not in this course (cycles planned: "
            f"{', '.join(str(c.number) for c in course.cycles)})",
        )
    return found


def _stopped(course: Course, what: str) -> CourseRefused:
    assert course.stop is not None
    stop = course.stop
    return CourseRefused(
        [
            Finding(
                code="course_discontinued",
                message=f"{what}: treatment was discontinued permanently at cycle "
                f"{stop.cycle} Day {stop.day} ({stop.reason.message})",
                source=stop.reason.source,
            )
        ]
    )


# ---------------------------------------------------------------- plans


def _plan_saved(course: Course | None, event: PlanSaved) -> Course:
    plan = event.plan
    number, day = plan.cycle.number, plan.dose_day
    profile = profile_for(plan.label)
    if course is None:
        if (number, day) != (1, 1):
            raise _refuse(
                profile,
                Rule.PROGRAM,
                "course_starts_with_cycle_1_day_1",
                f"a course begins with cycle 1 Day 1; this plan is for cycle {number} Day {day}",
            )
        course = Course(patient=plan.patient, label=plan.label, cycles=(), version=0)
    problems = _plan_problems(course, event)
    if problems:
        raise CourseRefused(problems)
    cycle = course.cycle(number) or CycleRecord(number=number)
    revision = PlanRevision(
        day=day,
        revision=len(cycle.revisions(day)) + 1,
        plan=plan,
        by=event.by,
        at=event.at,
        seq=course.version + 1,
    )
    cycle = cycle.model_copy(update={"plans": (*cycle.plans, revision)})
    stop = course.stop
    if plan.decision is Decision.DISCONTINUE:
        stop = Stop(
            cycle=number,
            day=day,
            revision=revision.revision,
            reasons=tuple(plan.reasons),
            by=event.by,
            at=event.at,
        )
    return course.model_copy(update={"cycles": _replace_cycle(course, cycle), "stop": stop})


def _plan_problems(course: Course, event: PlanSaved) -> list[Finding]:
    plan = event.plan
    number, day = plan.cycle.number, plan.dose_day
    profile = profile_for(course.label)
    out: list[Finding] = []

    def add(rule: Rule, code: str, message: str) -> None:
        out.append(finding(profile, rule, code, message))

    if plan.patient != course.patient:
        add(
            Rule.PROGRAM,
            "patient_mismatch",
            "patient: this course belongs to a patient with another name, MRN, date of "
            "birth or sex; check the patient's details",
        )
    if plan.label is not course.label:
        add(
            Rule.PROGRAM,
            "label_mismatch",
            f"label: this course is planned under the {course.label.value} label, this plan "
            f"under the {plan.label.value} label",
        )
    if course.stop is not None:
        return [*out, *_stopped(course, f"cycle {number} Day {day} cannot be planned").reasons]
    if out:
        return out

    existing = course.cycle(number)
    last = course.last if course.cycles else None
    if existing is None and last is not None:
        if number != last.number + 1:
            add(
                Rule.PROGRAM,
                "cycle_not_consecutive",
                f"cycle {number}: cycles are numbered consecutively; the next cycle of this "
                f"course is cycle {last.number + 1 if last.started else last.number}",
            )
            return out
        if not last.started:
            add(
                Rule.PROGRAM,
                "cycle_not_started",
                f"cycle {number}: cycle {last.number} has not started (its Day 1 is not "
                f"given); plan cycle {last.number} Day 1 again with its new start date — a "
                "cycle keeps its number until it starts",
            )
            return out
        if day != 1:
            add(
                Rule.PROGRAM,
                "plan_day_1_first",
                f"cycle {number} Day {day}: a cycle begins with its Day 1 plan",
            )
            return out
    elif last is not None and number < last.number and not _still_to_come(
        course, last, number, day
    ):
        add(
            Rule.PROGRAM,
            "cycle_closed",
            f"cycle {number}: cycle {last.number} has been planned since; an earlier cycle "
            "cannot be planned again",
        )
        return out

    if day == 1:
        out += _day1_problems(course, event)
    elif existing is not None:
        out += _later_day_problems(course, existing, event)
    return out


def _still_to_come(course: Course, last: CycleRecord, number: int, day: int) -> bool:
    """A Day 8 or 15 of the cycle before ``last`` that is still to come, while ``last`` (the
    next cycle, planned ahead) has not started: it may still be planned, or it could never
    be given. The next cycle's Day 1 is checked against how it ended when it is given."""
    if day == 1 or number != last.number - 1 or last.started:
        return False
    dose = cs.dose_in(course, number, day)
    return dose is not None and dose.status.pending


def _day1_problems(course: Course, event: PlanSaved) -> list[Finding]:
    plan = event.plan
    request = plan.request
    number = plan.cycle.number
    profile = profile_for(course.label)
    out: list[Finding] = []

    def add(rule: Rule, code: str, message: str) -> None:
        out.append(finding(profile, rule, code, message))

    existing = course.cycle(number)
    if existing is not None:
        given = existing.given(1)
        if given is not None and given.given_at is not None:
            add(
                Rule.PROGRAM,
                "day_1_already_given",
                f"cycle {number} Day 1 was given on {fmt_date(given.given_at.date())}; to "
                "plan it again, first void that record with the reason",
            )
            return out
    # The level in force is what the cycles before were given at. An earlier Day 1 plan of
    # this cycle, never given, sets nothing: a hold voided since (entered in error) must
    # not keep a reduction nobody received, nor leave the cycle unplannable.
    in_force, where = level_before(course, number)
    if plan.dose_level < in_force:
        add(
            Rule.INTERRUPTION,
            "dose_level_falls",
            f"dose level {in_force} is in force for cycle {number} ({where}); this plan is "
            f"at level {plan.dose_level}: a reduced dose is never re-escalated",
        )
    if number >= 2:
        if request.dose_level != in_force:
            add(
                Rule.INTERRUPTION,
                "dose_level_not_the_course",
                f"dose_level: the level in force before cycle {number} is {in_force} "
                f"({where}); the request says {request.dose_level}",
            )
        days, why = interruption_for(course, number)
        if request.longest_toxicity_interruption_days != days:
            add(
                Rule.INTERRUPTION,
                "interruption_not_the_course",
                f"longest_toxicity_interruption_days: the recorded holds give {days} days "
                f"({why}); the request says {request.longest_toxicity_interruption_days}",
            )
        out += _response_problems(course, event)
        out += _counts_problems(course, event)
        earliest, why = cs.earliest_start(course, number)
        assert earliest is not None
        if plan.cycle.start_date < earliest:
            add(
                Rule.REGIMEN,
                "cycle_starts_too_early",
                f"cycle {number} cannot start {fmt_date(plan.cycle.start_date)}: the "
                f"earliest is {fmt_date(earliest)} ({why})",
            )
    return out


def _response_problems(course: Course, event: PlanSaved) -> list[Finding]:
    request = event.plan.request
    number = event.plan.cycle.number
    profile = profile_for(course.label)
    previous = course.cycle(number - 1)
    assert previous is not None
    recorded = previous.response
    if recorded is None:
        return [
            finding(
                profile,
                Rule.REGIMEN,
                "response_not_recorded",
                f"response: record the response after cycle {previous.number} first; the "
                f"regimen and the cycle limits of cycle {number} depend on it",
            )
        ]
    if request.response is not recorded.response or request.mrd_negative != (recorded.mrd_negative):
        return [
            finding(
                profile,
                Rule.REGIMEN,
                "response_not_the_course",
                f"response: after cycle {previous.number} the course records "
                f"{_response_text(recorded)}; the request says "
                f"{_response_words(request.response, request.mrd_negative)}",
            )
        ]
    return []


def _response_words(response: Response | None, mrd_negative: bool) -> str:
    if response is None:
        return "no response"
    return f"{response.value}" + (", MRD negative" if mrd_negative else "")


def _response_text(record: ResponseRecord) -> str:
    return _response_words(record.response, record.mrd_negative)


def _counts_problems(course: Course, event: PlanSaved) -> list[Finding]:
    request = event.plan.request
    number = event.plan.cycle.number
    profile = profile_for(course.label)
    out: list[Finding] = []
    baseline = baseline_counts(course)
    if baseline is not None and request.baseline != baseline:
        out.append(
            finding(
                profile,
                Rule.COUNTS,
                "baseline_not_the_course",
                f"baseline: the counts before treatment began were ANC {baseline.anc:g} and "
                f"platelets {baseline.platelets:g} ×10⁹/L (cycle 1 Day 1); the request says "
                + (
                    "none"
                    if request.baseline is None
                    else f"ANC {request.baseline.anc:g} and platelets "
                    f"{request.baseline.platelets:g}"
                ),
            )
        )
    prior = start_counts(course, number - 1)
    given = request.prior_cycle_start
    if given is not None and prior is not None and given != prior:
        out.append(
            finding(
                profile,
                Rule.COUNTS,
                "prior_cycle_start_not_the_course",
                f"prior_cycle_start: cycle {number - 1} started with ANC {prior.anc:g} and "
                f"platelets {prior.platelets:g} ×10⁹/L; the request says ANC {given.anc:g} "
                f"and platelets {given.platelets:g}",
            )
        )
    return out


def _later_day_problems(course: Course, cycle: CycleRecord, event: PlanSaved) -> list[Finding]:
    plan = event.plan
    request = plan.request
    number, day = plan.cycle.number, plan.dose_day
    profile = profile_for(course.label)
    out: list[Finding] = []

    def add(rule: Rule, code: str, message: str) -> None:
        out.append(finding(profile, rule, code, message))

    if not cycle.started:
        add(
            Rule.PROGRAM,
            "cycle_not_started",
            f"cycle {number} Day {day}: Day 1 of cycle {number} has not been given",
        )
        return out
    if day not in cycle.days:
        add(
            Rule.INTERRUPTION,
            "day_not_in_cycle",
            f"cycle {number} has no Day {day} dose: "
            f"{dose_levels.LEVELS[cycle.dose_level].description}",
        )
        return out
    dose = cs.dose_in(course, number, day)
    assert dose is not None
    if not dose.status.pending:
        add(
            Rule.PROGRAM,
            "dose_already_recorded",
            f"cycle {number} Day {day} is already {dose.status_text}"
            + (f" ({dose.reason})" if dose.reason else "")
            + "; void that record first to plan it again",
        )
        return out
    planned_on = request.dose_date
    if planned_on is not None and dose.date is not None and planned_on < dose.date:
        add(
            Rule.REGIMEN,
            "dose_date_too_early",
            f"dose_date: cycle {number} Day {day} cannot be planned for "
            f"{fmt_date(planned_on)}; the earliest date is {fmt_date(dose.date)} (at least "
            "6 days after the previous dose, within the ±2-day window)",
        )
    if plan.cycle.start_date != cycle.start_date:
        add(
            Rule.PROGRAM,
            "start_date_not_the_course",
            f"cycle.start_date: cycle {number} started {fmt_date(cycle.start_date)}; the "
            f"request says {fmt_date(plan.cycle.start_date)}",
        )
    if request.cycle.extend_to_28_days != cycle.day1.plan.request.cycle.extend_to_28_days:
        add(
            Rule.REGIMEN,
            "cycle_length_not_the_course",
            f"cycle.extend_to_28_days: cycle {number} is {cycle.length_days} days long, as "
            "planned on its Day 1",
        )
    if plan.dose_level != cycle.dose_level:
        add(
            Rule.INTERRUPTION,
            "dose_level_falls"
            if plan.dose_level < cycle.dose_level
            else "dose_level_not_the_cycle",
            f"cycle {number} is at dose level {cycle.dose_level} (set on its Day 1); this "
            f"Day {day} plan comes out at level {plan.dose_level}. A Day {day} plan takes the "
            "cycle's level: give dose_level and longest_toxicity_interruption_days as the "
            f"cycle's Day 1 plan did ({cycle.day1.plan.request.dose_level} and "
            f"{cycle.day1.plan.request.longest_toxicity_interruption_days})",
        )
    day1_request = cycle.day1.plan.request
    if (request.response, request.mrd_negative, request.hsct_planned) != (
        day1_request.response,
        day1_request.mrd_negative,
        day1_request.hsct_planned,
    ):
        add(
            Rule.REGIMEN,
            "cycle_inputs_not_the_cycle",
            f"response, mrd_negative and hsct_planned: a Day {day} plan takes those of cycle "
            f"{number}'s Day 1 plan",
        )
    return out


# ---------------------------------------------------------------- times of a record
#
# A record never claims what cannot yet have happened: a dose is recorded as given once it
# has been given, and a move plans a dose for a day to come. The core compares the event's
# own times: ``at`` (when the record is made, with the ward's UTC offset) and the time given
# or the date moved to. Where the ward's offset is not known (a time given stored without
# it, or an ``at`` in UTC, as earlier versions kept every ``at``), only what is certain in
# every time zone is refused: a course stored before these rules loads as it was, unless
# one of its records is later than its own moment wherever it was made.

# Workstations' clocks differ by a few minutes, and a nurse may read the infusion's start
# from another clock than the one the record is made on: a time given up to 5 minutes after
# the record is the same moment. More is a dose recorded ahead of its time.
CLOCK_TOLERANCE = timedelta(minutes=5)
# The UTC offsets in use run from -12 to +14 hours.
_WEST, _EAST = timedelta(hours=-12), timedelta(hours=14)


def _moment(when: datetime) -> str:
    return f"{fmt_date(when.date())} {when:%H:%M}"


def given_after_record(where: str, given_at: datetime, at: datetime) -> str | None:
    """Why a dose may not be recorded as given at ``given_at`` by a record made at ``at``
    (None: it may). With its offset the time given is compared with the record as a moment;
    without (as typed, stored by earlier versions) it is refused only when it is later than
    the record's moment in every time zone."""
    if given_at.utcoffset() is not None:
        if given_at <= at + CLOCK_TOLERANCE:
            return None
        recorded = _moment(at.astimezone(given_at.tzinfo))  # both in the ward's time
    else:
        latest = at.astimezone(UTC).replace(tzinfo=None) + _EAST
        if given_at <= latest + CLOCK_TOLERANCE:
            return None
        recorded = _moment(at.astimezone(UTC)) + " UTC"
    return (
        f"{where} cannot be recorded as given at {_moment(given_at)}: this record is made "
        f"{recorded}, before that time; record it once it has been given"
    )


def record_day(at: datetime) -> date:
    """The ward's date when a record is made at ``at``: ``at``'s own date, as it carries the
    ward's offset. An ``at`` in UTC may be an earlier version's, whose ward's offset is not
    known: then the earliest date anywhere at that moment."""
    if at.utcoffset() == timedelta(0):
        return (at + _WEST).date()
    return at.date()


# What to record instead of a move to a day already past.
_NOT_A_MOVE = (
    "If it was given, record it as given with the time it was given; if it was not, record "
    "it as omitted with the reason"
)


def moved_before_record(to: date, at: datetime) -> bool:
    """A move recorded at ``at`` may not plan the dose for a day already past there."""
    return to < record_day(at)


# ---------------------------------------------------------------- dose records


class _DoseEvent(Protocol):
    """What every dose-record event has: which dose, who and when."""

    @property
    def cycle(self) -> int: ...
    @property
    def day(self) -> int: ...
    @property
    def by(self) -> str: ...
    @property
    def at(self) -> datetime: ...


def _entry(
    course: Course, cycle: CycleRecord, event: _DoseEvent, kind: EntryKind, **values: Any
) -> Course:
    number = 1 + sum(1 for e in cycle.entries if e.day == event.day)
    entry = DoseEntry(
        day=event.day,
        number=number,
        kind=kind,
        by=event.by,
        at=event.at,
        seq=course.version + 1,
        **values,
    )
    updated = cycle.model_copy(update={"entries": (*cycle.entries, entry)})
    return course.model_copy(update={"cycles": _replace_cycle(course, updated)})


def _pending_dose(
    course: Course, event: _DoseEvent, what: str
) -> tuple[CycleRecord, cs.ScheduledDose]:
    profile = profile_for(course.label)
    cycle = _cycle(course, event.cycle)
    if course.stop is not None:
        raise _stopped(course, f"cycle {event.cycle} Day {event.day} cannot be {what}")
    if event.day not in cycle.days:
        raise _refuse(
            profile,
            Rule.INTERRUPTION,
            "day_not_in_cycle",
            f"cycle {event.cycle} has no Day {event.day} dose"
            + (
                f" ({dose_levels.LEVELS[cycle.dose_level].description})"
                if cycle.days
                else " (its Day 1 plan planned no doses)"
            ),
        )
    dose = cs.dose_in(course, event.cycle, event.day)
    assert dose is not None
    if not dose.status.pending:
        raise _refuse(
            profile,
            Rule.PROGRAM,
            "dose_already_recorded",
            f"cycle {event.cycle} Day {event.day} is already {dose.status_text}"
            + (f" ({dose.reason})" if dose.reason else "")
            + "; a record is never overwritten: void the entry with the reason to correct it",
        )
    return cycle, dose


def _dose_given(course: Course, event: DoseGiven) -> Course:
    profile = profile_for(course.label)
    cycle, dose = _pending_dose(course, event, "recorded as given")
    on = event.given_at.date()
    where = f"cycle {event.cycle} Day {event.day}"
    ahead = given_after_record(where, event.given_at, event.at)
    if ahead is not None:
        raise _refuse(profile, Rule.PROGRAM, "given_after_recorded", ahead)
    plan = cycle.latest_plan(event.day)
    if plan is None:
        raise _refuse(
            profile,
            Rule.TOXICITY,
            "no_plan_for_day",
            f"{where} has no plan of its own: liver tests and counts are checked before "
            "every dose, so plan the day before recording it as given",
        )
    if plan.plan.decision is not Decision.PROCEED:
        raise _refuse(
            profile,
            Rule.PROGRAM,
            "plan_does_not_proceed",
            f"{where}: its latest plan (revision {plan.revision}) says "
            f"{plan.plan.decision.value.upper()}"
            + (f" ({plan.plan.reasons[0].message})" if plan.plan.reasons else ""),
        )
    pending = [
        d
        for c in cs.course_schedule(course)
        for d in c.doses
        if d.status.pending and (d.cycle, d.day) < (event.cycle, event.day)
    ]
    if pending:
        first = pending[0]
        raise _refuse(
            profile,
            Rule.PROGRAM,
            "earlier_dose_pending",
            f"{where}: cycle {first.cycle} Day {first.day} is still {first.status_text}; "
            "record it as given or omitted first",
        )
    if event.day == 1:
        previous = course.cycle(event.cycle - 1)
        recorded = None if previous is None else previous.response
        planned_response = cycle.day1.plan.request.response
        if recorded is not None and (planned_response, cycle.day1.plan.request.mrd_negative) != (
            recorded.response,
            recorded.mrd_negative,
        ):
            raise _refuse(
                profile,
                Rule.REGIMEN,
                "replan_after_response",
                f"{where}: its plan used the response "
                f"{_response_words(planned_response, cycle.day1.plan.request.mrd_negative)}, "
                f"but {_response_text(recorded)} was recorded after cycle {event.cycle - 1} "
                "since; plan Day 1 again",
            )
        if on != cycle.start_date:
            raise _refuse(
                profile,
                Rule.REGIMEN,
                "day_1_not_on_its_date",
                f"{where} is planned for {fmt_date(cycle.start_date)}, not "
                f"{fmt_date(on)}: Day 1 has no window. Hold it and plan Day 1 again with "
                "the new start date (the cycle keeps its number)",
            )
        days, why = interruption_for(course, event.cycle)
        planned = cycle.day1.plan.request.longest_toxicity_interruption_days
        if event.cycle >= 2 and planned != days:
            raise _refuse(
                profile,
                Rule.INTERRUPTION,
                "replan_after_interruption",
                f"{where}: its plan used a toxicity interruption of {planned} days, but "
                f"{why} since; plan Day 1 again (Table 4)",
            )
    else:
        assert dose.date is not None
        if (plan.plan.cycle.start_date, plan.plan.dose_level) != (
            cycle.start_date,
            cycle.dose_level,
        ):
            raise _refuse(
                profile,
                Rule.PROGRAM,
                "plan_out_of_date",
                f"{where}: its plan (revision {plan.revision}) was made for a cycle starting "
                f"{fmt_date(plan.plan.cycle.start_date)} at dose level {plan.plan.dose_level}; "
                f"the cycle started {fmt_date(cycle.start_date)} at level {cycle.dose_level}. "
                "Plan the day again",
            )
        if not dose.window_start <= on <= dose.window_end:
            raise _refuse(
                profile,
                Rule.REGIMEN,
                "outside_window",
                f"{where} cannot be given on {fmt_date(on)}: its window is "
                f"{fmt_date(dose.window_start)} to {fmt_date(dose.window_end)} (±2 days)",
            )
        before = [d for d in cs.dated_doses(course) if (d.cycle, d.day) < (event.cycle, event.day)]
        if before and before[-1].date is not None and on < before[-1].date + cs.MIN_GAP:
            raise _refuse(
                profile,
                Rule.REGIMEN,
                "doses_too_close",
                f"{where} cannot be given on {fmt_date(on)}: the previous dose (cycle "
                f"{before[-1].cycle} Day {before[-1].day}, {fmt_date(before[-1].date)}) was "
                f"{(on - before[-1].date).days} days before; the earliest date is "
                f"{fmt_date(before[-1].date + cs.MIN_GAP)}",
            )
        if on < dose.date:
            raise _refuse(
                profile,
                Rule.PROGRAM,
                "before_its_moved_date",
                f"{where} was moved to {fmt_date(dose.date)} ({dose.reason}); move it again "
                f"to give it on {fmt_date(on)}",
            )
    measured = max(plan.plan.request.labs.taken_on, plan.plan.request.measured_on)
    if on < measured:
        raise _refuse(
            profile,
            Rule.MONITORING,
            "given_before_its_labs",
            f"{where} cannot be recorded as given on {fmt_date(on)}: its plan (revision "
            f"{plan.revision}) used labs or a measurement of {fmt_date(measured)}, after it",
        )
    return _entry(course, cycle, event, EntryKind.GIVEN, given_at=event.given_at)


def _dose_held(course: Course, event: DoseHeld) -> Course:
    cycle, _ = _pending_dose(course, event, "recorded as held")
    return _entry(
        course,
        cycle,
        event,
        EntryKind.HELD,
        reason=event.reason,
        toxicity_days=event.toxicity_days,
    )


def move_problems(course: Course, cycle_number: int, day: int, to: date) -> list[Finding]:
    """Why a dose may not move to ``to`` (empty: it may)."""
    profile = profile_for(course.label)
    where = f"cycle {cycle_number} Day {day}"
    if day == 1:
        return [
            finding(
                profile,
                Rule.REGIMEN,
                "day_1_has_no_window",
                f"{where} has no window: hold it and plan Day 1 again with the new start "
                "date (the cycle keeps its number)",
            )
        ]
    dose = cs.dose_in(course, cycle_number, day)
    assert dose is not None
    if not dose.window_start <= to <= dose.window_end:
        return [
            finding(
                profile,
                Rule.REGIMEN,
                "outside_window",
                f"{where} cannot move to {fmt_date(to)}: its window is "
                f"{fmt_date(dose.window_start)} to {fmt_date(dose.window_end)} (±2 days)",
            )
        ]
    cycle = _cycle(course, cycle_number)
    trial = _entry(
        course,
        cycle,
        _Trial(cycle=cycle_number, day=day),
        EntryKind.MOVED,
        moved_to=to,
        reason="trial",
    )
    moved = cs.dose_in(trial, cycle_number, day)
    assert moved is not None
    if moved.date != to:
        return [
            finding(
                profile,
                Rule.REGIMEN,
                "doses_too_close",
                f"{where} cannot move to {fmt_date(to)}: the previous dose leaves "
                f"{fmt_date(moved.date) if moved.date else 'no date'} as the earliest (at "
                "least 6 days after it)",
            )
        ]
    return cs.schedule_problems(trial)


@dataclass(frozen=True)
class _Trial:
    """A stand-in for trying a move: the course it makes is only looked at."""

    cycle: int
    day: int
    by: str = "trial"
    at: datetime = datetime(2000, 1, 1, tzinfo=UTC)


def allowed_dates(
    course: Course, cycle_number: int, day: int, at: datetime | None = None
) -> schedule.Replan:
    """The dates a Day 8 or 15 dose may move to, or why there are none; ``at``: the moment
    the move would be recorded (days already past then are left out)."""
    cycle = _cycle(course, cycle_number)
    if day == 1:
        return schedule.Replan(
            [],
            "Day 1 has no window: hold it and plan Day 1 again with the new start date "
            "(the cycle keeps its number)",
        )
    if course.stop is not None:
        return schedule.Replan([], _stopped(course, "no date").reasons[0].message)
    dose = cs.dose_in(course, cycle_number, day)
    if dose is None or day not in cycle.days:
        return schedule.Replan([], f"cycle {cycle_number} has no Day {day} dose")
    if not dose.status.pending:
        return schedule.Replan([], f"cycle {cycle_number} Day {day} is already {dose.status_text}")
    span = (dose.window_end - dose.window_start).days
    candidates = [dose.window_start + timedelta(days=i) for i in range(span + 1)]
    window = f"{fmt_date(dose.window_start)} to {fmt_date(dose.window_end)}"
    if at is not None:
        candidates = [d for d in candidates if not moved_before_record(d, at)]
        if not candidates:
            return schedule.Replan(
                [],
                f"the Day {day} window ({window}) is past: every date in it is before "
                f"{fmt_date(at.date())}, the day this is recorded. {_NOT_A_MOVE}",
            )
    dates = [d for d in candidates if not move_problems(course, cycle_number, day, d)]
    if not dates:
        return schedule.Replan(
            [],
            f"no date fits: the Day {day} window is {window} and every date in it is under "
            "6 days from the dose before it or the dose after it. For a delay caused by "
            "toxicity, Table 4 applies: 7 days or more omits the dose",
        )
    return schedule.Replan(
        dates,
        f"within the Day {day} window ({window}) and at least 6 days from the doses before "
        "and after it",
    )


def _dose_moved(course: Course, event: DoseMoved) -> Course:
    cycle, _ = _pending_dose(course, event, "moved")
    if moved_before_record(event.to, event.at):
        raise _refuse(
            profile_for(course.label),
            Rule.PROGRAM,
            "moved_before_recorded",
            f"cycle {event.cycle} Day {event.day} cannot be moved to {fmt_date(event.to)}: "
            f"that is before {fmt_date(event.at.date())}, the day this is recorded, and a "
            f"move plans a dose for a day to come. {_NOT_A_MOVE}",
        )
    problems = move_problems(course, event.cycle, event.day, event.to)
    if problems:
        allowed = allowed_dates(course, event.cycle, event.day, at=event.at)
        listed = ", ".join(fmt_date(d) for d in allowed.dates) or "none"
        first = problems[0]
        raise CourseRefused(
            [
                first.model_copy(update={"message": f"{first.message} (allowed: {listed})"}),
                *problems[1:],
            ]
        )
    return _entry(course, cycle, event, EntryKind.MOVED, moved_to=event.to, reason=event.reason)


def _dose_omitted(course: Course, event: DoseOmitted) -> Course:
    cycle, _ = _pending_dose(course, event, "omitted")
    if event.day == 1:
        raise _refuse(
            profile_for(course.label),
            Rule.PROGRAM,
            "day_1_cannot_be_omitted",
            f"cycle {event.cycle} Day 1 cannot be omitted: hold it and plan Day 1 again "
            "with a new start date (the cycle keeps its number)",
        )
    return _entry(course, cycle, event, EntryKind.OMITTED, reason=event.reason)


def _record_voided(course: Course, event: RecordVoided) -> Course:
    profile = profile_for(course.label)
    cycle = _cycle(course, event.cycle)
    target = next(
        (e for e in cycle.entries if e.day == event.day and e.number == event.entry), None
    )
    if target is None:
        raise _refuse(
            profile,
            Rule.PROGRAM,
            "no_such_entry",
            f"cycle {event.cycle} Day {event.day} has no record entry {event.entry}",
        )
    if target.void is not None:
        raise _refuse(
            profile,
            Rule.PROGRAM,
            "already_voided",
            f"cycle {event.cycle} Day {event.day} entry {event.entry} was already voided "
            f"by {target.void.by} ({target.void.reason})",
        )
    voided = target.model_copy(update={"void": Void(by=event.by, at=event.at, reason=event.reason)})
    updated = cycle.model_copy(
        update={"entries": tuple(voided if e is target else e for e in cycle.entries)}
    )
    return course.model_copy(update={"cycles": _replace_cycle(course, updated)})


# ---------------------------------------------------------------- responses, checks


def _response_recorded(course: Course, event: ResponseRecorded) -> Course:
    cycle = _cycle(course, event.cycle)
    if not cycle.started:
        raise _refuse(
            profile_for(course.label),
            Rule.PROGRAM,
            "cycle_not_started",
            f"cycle {event.cycle} has not started (its Day 1 is not given): there is no "
            "response to it yet",
        )
    following = course.cycle(event.cycle + 1)
    if following is not None and following.started:
        # The next cycle was planned and given on the response recorded then: a later one
        # would leave the course running on a response it no longer holds.
        planned = following.day1.plan.request
        raise _refuse(
            profile_for(course.label),
            Rule.PROGRAM,
            "next_cycle_started",
            f"the response after cycle {event.cycle} can no longer be recorded: cycle "
            f"{event.cycle + 1} started on {fmt_date(following.start_date)} on the response "
            f"then recorded ({_response_words(planned.response, planned.mrd_negative)}); "
            f"record the response after cycle {event.cycle + 1} instead",
        )
    record = ResponseRecord(
        response=event.response, mrd_negative=event.mrd_negative, by=event.by, at=event.at
    )
    updated = cycle.model_copy(update={"responses": (*cycle.responses, record)})
    return course.model_copy(update={"cycles": _replace_cycle(course, updated)})


def _double_checked(course: Course, event: DoubleChecked) -> Course:
    profile = profile_for(course.label)
    cycle = _cycle(course, event.cycle)
    revision = next((p for p in cycle.revisions(event.day) if p.revision == event.revision), None)
    if revision is None:
        raise _refuse(
            profile,
            Rule.PROGRAM,
            "no_such_revision",
            f"cycle {event.cycle} Day {event.day} has no plan revision {event.revision}",
        )
    if double_check.same_person(revision.by, event.checked_by):
        raise CourseRefused(
            [
                Finding(
                    code="checker_is_preparer",
                    message="checked_by: the double check must be done by a second person, "
                    f"not {revision.by}, who prepared the plan",
                    source=double_check.SOURCE,
                )
            ]
        )
    mismatches = double_check.mismatches(
        revision.plan, height_cm=event.height_cm, weight_kg=event.weight_kg
    )
    record = CheckRecord(
        day=event.day,
        revision=event.revision,
        prepared_by=revision.by,
        checked_by=event.checked_by,
        height_cm=event.height_cm,
        weight_kg=event.weight_kg,
        matched=not mismatches,
        mismatches=mismatches,
        by=event.by,
        at=event.at,
    )
    updated = cycle.model_copy(update={"checks": (*cycle.checks, record)})
    return course.model_copy(update={"cycles": _replace_cycle(course, updated)})


# ---------------------------------------------------------------- the state


def course_state(course: Course) -> CourseState:
    profile = profile_for(course.label)
    if course.stop is not None:
        return CourseState(
            status=CourseStatus.DISCONTINUED,
            reason=course.stop.reason,
            cycle=course.stop.cycle,
            day=course.stop.day,
        )
    last = course.last
    doses = cs.course_schedule(course)[-1].doses
    pending = [d for d in doses if d.status.pending]
    if last.started and not pending:
        limit = next_cycle_limit(course)
        if limit is not None:
            status = (
                CourseStatus.DISCONTINUED
                if limit.code == "no_response_by_cycle_3"
                else CourseStatus.COMPLETE
            )
            return CourseState(status=status, reason=limit, cycle=last.number)
    if not last.started and last.day1.plan.decision is not Decision.PROCEED:
        reasons = last.day1.plan.reasons
        return CourseState(
            status=CourseStatus.ON_HOLD,
            reason=reasons[0] if reasons else None,
            cycle=last.number,
            day=1,
        )
    if pending:
        dose = pending[0]
        plan = last.latest_plan(dose.day)
        if dose.status.value == "held":
            return CourseState(
                status=CourseStatus.ON_HOLD,
                reason=finding(
                    profile,
                    Rule.PROGRAM,
                    "dose_held",
                    f"cycle {dose.cycle} Day {dose.day} held: {dose.reason}",
                ),
                cycle=dose.cycle,
                day=dose.day,
            )
        if plan is not None and plan.plan.decision is not Decision.PROCEED and plan.plan.reasons:
            return CourseState(
                status=CourseStatus.ON_HOLD,
                reason=plan.plan.reasons[0],
                cycle=dose.cycle,
                day=dose.day,
            )
    return CourseState(status=CourseStatus.ACTIVE)


def next_cycle_limit(course: Course) -> Finding | None:
    """Why no further cycle may be given (Table 1 footnotes), from the cycles that started
    and the response recorded after the last one; None when one may."""
    profile = profile_for(course.label)
    started = [c for c in course.cycles if c.started]
    if not started:
        return None
    last = started[-1]
    request = last.day1.plan.request
    recorded = last.response
    # Without a recorded response only the limits that do not depend on it are known.
    response = recorded.response if recorded is not None else Response.CR
    mrd = recorded.mrd_negative if recorded is not None else False
    number = last.number + 1
    codes = cycle_limits.limit_codes(number, response, mrd, request.hsct_planned)
    if not codes:
        return None
    words = {
        "no_response_by_cycle_3": f"no CR or CRi after {last.number} cycles (response "
        f"recorded after cycle {last.number}: {response.value}): stop treatment",
        "hsct_cycles_complete": f"going on to HSCT: {last.number} cycles given"
        + (" with CR/CRi and MRD negativity" if number == 3 else "")
        + "; 2 cycles are recommended, a 3rd only without CR/CRi and MRD negativity, never "
        "more than 3",
        "max_cycles": f"not going on to HSCT: {last.number} cycles given, at most "
        f"{cycle_limits.MAX_CYCLES}",
    }
    code = codes[0]
    return finding(profile, Rule.CYCLE_LIMITS, code, words[code])


# ---------------------------------------------------------------- applying


_HANDLERS: dict[type[Any], Callable[[Course, Any], Course]] = {
    DoseGiven: _dose_given,
    DoseHeld: _dose_held,
    DoseMoved: _dose_moved,
    DoseOmitted: _dose_omitted,
    RecordVoided: _record_voided,
    ResponseRecorded: _response_recorded,
    DoubleChecked: _double_checked,
}


def apply(course: Course | None, event: CourseEvent) -> Course:
    """The course after ``event``, or CourseRefused with the reasons; ``course`` is never
    changed (models are frozen)."""
    if isinstance(event, PlanSaved):
        updated = _plan_saved(course, event)
    else:
        if course is None:
            raise CourseRefused(
                [
                    Finding(
                        code="no_course",
                        message="there is no course yet: it begins with a saved plan for "
                        "cycle 1 Day 1",
                        source=PROGRAM_SOURCE,
                    )
                ]
            )
        updated = _HANDLERS[type(event)](course, event)
    problems = cs.schedule_problems(updated)
    if problems:
        raise CourseRefused(problems)
    updated = updated.model_copy(update={"version": updated.version + 1})
    return updated.model_copy(update={"state": course_state(updated)})
