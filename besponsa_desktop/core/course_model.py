"""The course as the core keeps it: the events that change it and the record they build.

A course is the ordered list of its events; everything else (cycles, plan revisions, dose
records, responses, double checks, the state) is derived by applying them in turn
(``course.apply``). Records are only ever appended: a correction voids an entry with a
reason and the entry stays in the history.

Events carry who (``by``, supplied by the application from an authenticated identity) and
when (``at``, supplied by the application with the ward's UTC offset; earlier versions gave
it in UTC): the core reads no clock. A time given (``given_at``) is the ward's time; earlier
versions stored it as typed, without its offset (see ``course_rules``, "times of a record").
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, TypeAdapter

from besponsa_desktop.core.models import Finding, Label, Patient, Plan, Response

DoseDay = Literal[1, 8, 15]
CycleNumber = Annotated[int, Field(ge=1, le=99)]
MAX_NAME = 200
MAX_REASON = 500


def _name(value: str) -> str:
    cleaned = " ".join(value.split())
    if not cleaned:
        raise ValueError("a name is required")
    if len(cleaned) > MAX_NAME:
        raise ValueError(f"at most {MAX_NAME} characters")
    return cleaned


def _reason(value: str) -> str:
    cleaned = " ".join(value.split())
    if not cleaned:
        raise ValueError("the reason is required")
    if len(cleaned) > MAX_REASON:
        raise ValueError(f"at most {MAX_REASON} characters")
    return cleaned


def _with_offset(value: datetime) -> datetime:
    # A moment without its UTC offset cannot be placed in time: comparing it with one that
    # has an offset would fail, and guessing the offset could move it by hours.
    if value.utcoffset() is None:
        raise ValueError(
            "the moment a record is made needs its UTC offset (e.g. 2026-12-08T10:30:00+01:00)"
        )
    return value


Name = Annotated[str, AfterValidator(_name)]
Reason = Annotated[str, AfterValidator(_reason)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class CourseRefused(Exception):
    """An event the rules do not allow, or a query they cannot answer; nothing changed.
    Each reason has a stable ``code``, a message with the numbers and the label ``source``."""

    def __init__(self, reasons: list[Finding]) -> None:
        super().__init__("; ".join(r.message for r in reasons))
        self.reasons = reasons

    @property
    def codes(self) -> list[str]:
        return [r.code for r in self.reasons]


# ---------------------------------------------------------------- events


class _Event(_Frozen):
    by: Name
    at: Annotated[datetime, AfterValidator(_with_offset)]


class PlanSaved(_Event):
    """A plan for a cycle and dose day, as ``planner.make_plan`` returned it."""

    kind: Literal["plan_saved"] = "plan_saved"
    plan: Plan


class DoseGiven(_Event):
    kind: Literal["dose_given"] = "dose_given"
    cycle: CycleNumber
    day: DoseDay
    given_at: datetime


class DoseHeld(_Event):
    """Not given on its day. ``toxicity_days``: how long dosing has been interrupted for
    toxicity (0 when held for another reason); Table 4 acts on it."""

    kind: Literal["dose_held"] = "dose_held"
    cycle: CycleNumber
    day: DoseDay
    reason: Reason
    toxicity_days: int = Field(default=0, ge=0, le=365)


class DoseMoved(_Event):
    kind: Literal["dose_moved"] = "dose_moved"
    cycle: CycleNumber
    day: DoseDay
    to: date
    reason: Reason


class DoseOmitted(_Event):
    kind: Literal["dose_omitted"] = "dose_omitted"
    cycle: CycleNumber
    day: DoseDay
    reason: Reason


class RecordVoided(_Event):
    """Voids one dose-record entry (numbered from 1 per dose); it stays in the history."""

    kind: Literal["record_voided"] = "record_voided"
    cycle: CycleNumber
    day: DoseDay
    entry: int = Field(ge=1)
    reason: Reason


class ResponseRecorded(_Event):
    """The response assessed after a cycle; the latest recorded for a cycle counts."""

    kind: Literal["response_recorded"] = "response_recorded"
    cycle: CycleNumber
    response: Response
    mrd_negative: bool = False


class DoubleChecked(_Event):
    """A second person's blind re-entry of height and weight for one plan revision, already
    converted to cm and kg (see ``double_check``)."""

    kind: Literal["double_checked"] = "double_checked"
    cycle: CycleNumber
    day: DoseDay
    revision: int = Field(ge=1)
    checked_by: Name
    height_cm: float = Field(gt=0)
    weight_kg: float = Field(gt=0)


CourseEvent = Annotated[
    PlanSaved
    | DoseGiven
    | DoseHeld
    | DoseMoved
    | DoseOmitted
    | RecordVoided
    | ResponseRecorded
    | DoubleChecked,
    Field(discriminator="kind"),
]

# Reading an event from stored JSON: ``EVENT.validate_json(text)``.
EVENT: TypeAdapter[CourseEvent] = TypeAdapter(CourseEvent)


# ---------------------------------------------------------------- the record


class EntryKind(StrEnum):
    GIVEN = "given"
    HELD = "held"
    MOVED = "moved"
    OMITTED = "omitted"


class Void(_Frozen):
    by: str
    at: datetime
    reason: str


class DoseEntry(_Frozen):
    """One thing recorded about one dose. ``number`` counts from 1 per cycle and day;
    ``seq`` is the course version the entry made."""

    day: int
    number: int
    kind: EntryKind
    by: str
    at: datetime
    seq: int
    given_at: datetime | None = None
    moved_to: date | None = None
    reason: str | None = None
    toxicity_days: int | None = None
    void: Void | None = None

    @property
    def live(self) -> bool:
        return self.void is None


class PlanRevision(_Frozen):
    """A plan saved for a cycle and day; revisions count from 1 per cycle and day, and the
    latest is the plan in force."""

    day: int
    revision: int
    plan: Plan
    by: str
    at: datetime
    seq: int


class CheckRecord(_Frozen):
    day: int
    revision: int
    prepared_by: str
    checked_by: str
    height_cm: float
    weight_kg: float
    matched: bool
    mismatches: tuple[str, ...]
    by: str
    at: datetime


class ResponseRecord(_Frozen):
    response: Response
    mrd_negative: bool
    by: str
    at: datetime


class CycleRecord(_Frozen):
    number: int
    plans: tuple[PlanRevision, ...] = ()
    entries: tuple[DoseEntry, ...] = ()
    responses: tuple[ResponseRecord, ...] = ()
    checks: tuple[CheckRecord, ...] = ()

    def revisions(self, day: int) -> list[PlanRevision]:
        return [p for p in self.plans if p.day == day]

    def latest_plan(self, day: int) -> PlanRevision | None:
        found = self.revisions(day)
        return found[-1] if found else None

    @property
    def day1(self) -> PlanRevision:
        """The Day 1 plan in force: a cycle begins with one (see the rules)."""
        found = self.latest_plan(1)
        assert found is not None
        return found

    @property
    def start_date(self) -> date:
        return self.day1.plan.cycle.start_date

    @property
    def length_days(self) -> int:
        return self.day1.plan.cycle.length_days

    @property
    def next_cycle_due(self) -> date:
        return self.day1.plan.cycle.next_cycle_due

    @property
    def dose_level(self) -> int:
        """The level of this cycle: its Day 1 plan in force (the one given, once the cycle
        has started; a Day 1 plan is never below the level of the cycles before)."""
        return self.day1.plan.dose_level

    @property
    def days(self) -> tuple[int, ...]:
        """The dose days of this cycle, from the latest Day 1 plan that planned doses."""
        for revision in reversed(self.revisions(1)):
            if revision.plan.doses:
                return tuple(d.day for d in revision.plan.doses)
        return ()

    def live_entries(self, day: int) -> list[DoseEntry]:
        return [e for e in self.entries if e.day == day and e.live]

    def given(self, day: int) -> DoseEntry | None:
        return next((e for e in self.live_entries(day) if e.kind is EntryKind.GIVEN), None)

    @property
    def started(self) -> bool:
        """A cycle starts when its Day 1 is given."""
        return self.given(1) is not None

    @property
    def response(self) -> ResponseRecord | None:
        return self.responses[-1] if self.responses else None


class CourseStatus(StrEnum):
    ACTIVE = "active"
    ON_HOLD = "on_hold"
    DISCONTINUED = "discontinued"
    COMPLETE = "complete"


class CourseState(_Frozen):
    status: CourseStatus
    # Why the course is on hold, discontinued or complete (None while active).
    reason: Finding | None = None
    cycle: int | None = None
    day: int | None = None


class Stop(_Frozen):
    """A permanent stop: the saved plan that discontinued treatment, and its reasons."""

    cycle: int
    day: int
    revision: int
    reasons: tuple[Finding, ...]
    by: str
    at: datetime

    @property
    def reason(self) -> Finding:
        return self.reasons[0]


class Course(_Frozen):
    patient: Patient
    label: Label
    cycles: tuple[CycleRecord, ...]
    version: int  # the number of events applied
    stop: Stop | None = None
    state: CourseState = CourseState(status=CourseStatus.ACTIVE)

    def cycle(self, number: int) -> CycleRecord | None:
        return next((c for c in self.cycles if c.number == number), None)

    @property
    def last(self) -> CycleRecord:
        return self.cycles[-1]
