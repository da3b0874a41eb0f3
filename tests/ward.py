"""The ward's next step for a course, for the course state machines: what a pharmacist and
a nurse would do next, so that random sequences reach later cycles instead of being
refused in cycle 1.

The ward reads the course (the core's model: its schedule and state) and asks a desk — the
core's queries, or the application's services over the same course — for the requests and
the dates the course allows; it never works a date out itself. Each step is drawn, mostly
the usual one (plan the day with normal labs, give it on its date, record the response,
plan the next cycle) and sometimes a mishap: a hold for toxicity (7 days or more omits the
dose, 14 or more reduces the next cycle), a move to another allowed date, an omission, a
dose given later in its window, a plan whose labs or events hold it or stop treatment. A
step the course refuses marks the day to be planned again, as the ward would.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol

from hypothesis import strategies as st

from besponsa_desktop.core import course as c
from besponsa_desktop.core.models import Decision
from tests.factories import completed

Draw = Callable[[st.SearchStrategy[Any]], Any]


def weighted(**weights: int) -> st.SearchStrategy[str]:
    """One of the names, as often as its weight (the first shrinks best: the usual one)."""
    return st.sampled_from([name for name, n in weights.items() for _ in range(n)])


# What the pharmacist enters on the day besides normal labs (tests.factories.completed).
ENTERED: dict[str, dict[str, Any]] = {
    "normal": {},
    "grade_2": {"events": {"nonhematologic_grade": 2}},  # hold (Table 3)
    "liver_high": {"labs": {"total_bilirubin": 40}},  # hold (Table 3)
    "low_counts": {"labs": {"anc": 0.5, "low_counts_duration_days": 10}},  # Table 2
    "vod": {"events": {"vod": True}},  # discontinue permanently
    "infusion_reaction": {"events": {"severe_infusion_reaction": True}},  # discontinue
}
DAY1_ENTERED = weighted(
    normal=90, grade_2=3, liver_high=2, low_counts=3, vod=1, infusion_reaction=1
)
LATER_DAY_ENTERED = weighted(normal=92, grade_2=3, liver_high=3, vod=1, infusion_reaction=1)
RESPONSES = weighted(cr=13, cri=5, none=2)
TOXICITY_DAYS = st.sampled_from([0, 3, 7, 14])


@dataclass(frozen=True)
class Plan:
    request: dict[str, Any]
    at: datetime
    entered: str = "normal"  # which of ENTERED


@dataclass(frozen=True)
class Give:
    cycle: int
    day: int
    on: date
    at: datetime
    late: bool = False  # later in its window than the date the course has for it

    @property
    def given_at(self) -> datetime:
        return datetime.combine(self.on, time(10), tzinfo=UTC)


@dataclass(frozen=True)
class Hold:
    cycle: int
    day: int
    toxicity_days: int
    at: datetime


@dataclass(frozen=True)
class Move:
    cycle: int
    day: int
    to: date
    at: datetime


@dataclass(frozen=True)
class Omit:
    cycle: int
    day: int
    at: datetime


@dataclass(frozen=True)
class Respond:
    cycle: int
    response: str
    mrd_negative: bool
    at: datetime


Action = Plan | Give | Hold | Move | Omit | Respond


class Desk(Protocol):
    """Where the ward asks: the core's queries or the application's services."""

    def next_cycle_request(self) -> dict[str, Any] | None:
        """Day 1 of the next cycle (or of the cycle not yet started), or None: no more."""

    def day_request(self, cycle: int, day: int) -> dict[str, Any]: ...

    def allowed_dates(self, cycle: int, day: int) -> list[date]: ...


def morning(on: date) -> datetime:
    return datetime.combine(on, time(8), tzinfo=UTC)


@dataclass
class Ward:
    draw: Draw
    replan: set[tuple[int, int]] = field(default_factory=set)  # refused: plan it again
    # A Day 8 or 15 whose plan was refused (its cycle closed by the next one's plan): omit
    unplannable: set[tuple[int, int]] = field(default_factory=set)

    def refused(self, action: Action) -> None:
        if isinstance(action, Give | Hold | Move | Omit):
            self.replan.add((action.cycle, action.day))
        elif isinstance(action, Plan) and action.request["dose_day"] != 1:
            self.unplannable.add((action.request["cycle"]["number"], action.request["dose_day"]))

    def done(self, action: Action) -> None:
        if isinstance(action, Plan):
            self.replan.discard((action.request["cycle"]["number"], action.request["dose_day"]))

    def next(self, course: c.Course, desk: Desk) -> Action | None:
        """The next step, or None when the course is over (stopped, or no cycle may
        follow)."""
        if course.stop is not None:
            return None
        doses = [d for cy in c.course_schedule(course) for d in cy.doses]
        pending = next((d for d in doses if d.status.pending), None)
        if pending is not None and pending.day != 1 and pending.date is not None:
            return self._later_day(course, pending, desk)
        last = course.last
        if not last.started:
            day1 = next((d for d in doses if (d.cycle, d.day) == (last.number, 1)), None)
            return self._day_1(last, day1, desk)
        if last.response is None:
            after = max((d.date for d in doses if d.date is not None), default=last.start_date)
            return Respond(
                last.number,
                self.draw(RESPONSES),
                self.draw(st.booleans()),
                morning(after + timedelta(days=1)),
            )
        return self._plan_day_1(desk)

    # ---------------------------------------------------------------- Day 1
    def _plan_day_1(self, desk: Desk) -> Plan | None:
        request = desk.next_cycle_request()
        if request is None:
            return None
        on = date.fromisoformat(request["cycle"]["start_date"])
        entered = self.draw(DAY1_ENTERED)
        filled = completed(request, on, **ENTERED[entered])
        if request["cycle"]["number"] == 1:
            filled["labs"]["peripheral_blasts_per_mm3"] = 4000
        return Plan(filled, morning(on), entered)

    def _day_1(
        self, cycle: c.CycleRecord, dose: c.ScheduledDose | None, desk: Desk
    ) -> Action | None:
        usable = (
            dose is not None
            and dose.status is c.DoseStatus.SCHEDULED
            and cycle.day1.plan.decision is Decision.PROCEED
            and (cycle.number, 1) not in self.replan
        )
        if not usable:
            return self._plan_day_1(desk)
        assert dose is not None and dose.date is not None
        if self.draw(weighted(give=19, hold=1)) == "hold":
            return Hold(cycle.number, 1, self.draw(TOXICITY_DAYS), morning(dose.date))
        return Give(cycle.number, 1, dose.date, morning(dose.date) + timedelta(hours=3))

    # ---------------------------------------------------------------- Days 8 and 15
    def _later_day(self, course: c.Course, dose: c.ScheduledDose, desk: Desk) -> Action:
        cycle = course.cycle(dose.cycle)
        assert cycle is not None and dose.date is not None
        where = (dose.cycle, dose.day)
        plan = cycle.latest_plan(dose.day)
        if (
            plan is not None
            and where not in self.replan
            and (plan.plan.decision is Decision.PROCEED)
        ):
            later = [d for d in desk.allowed_dates(*where) if d > dose.date]
            if later and self.draw(weighted(on_its_date=9, later_in_its_window=1)) != (
                "on_its_date"
            ):
                on = self.draw(st.sampled_from(later))
                return Give(*where, on, morning(on) + timedelta(hours=3), late=True)
            return Give(*where, dose.date, morning(dose.date) + timedelta(hours=3))
        if where in self.unplannable:
            return Omit(*where, morning(dose.date))
        if plan is not None and plan.plan.decision is not Decision.PROCEED:
            what = self.draw(weighted(plan=2, hold=2, omit=1))  # the plan says hold
        else:
            what = self.draw(weighted(plan=16, move=2, hold=2, omit=1))
        if what == "move":
            others = [d for d in desk.allowed_dates(*where) if d != dose.date]
            if others:
                to = self.draw(st.sampled_from(others))
                return Move(*where, to, morning(min(to, dose.date) - timedelta(days=1)))
        if what == "hold":
            return Hold(*where, self.draw(TOXICITY_DAYS), morning(dose.date))
        if what == "omit":
            return Omit(*where, morning(dose.date))
        request = desk.day_request(*where)
        entered = "normal" if where in self.replan else self.draw(LATER_DAY_ENTERED)
        return Plan(
            completed(request, dose.date, **ENTERED[entered]), morning(dose.date), entered
        )


def described(action: Action) -> str:
    """What kind of step it was, for the runs' figures."""
    match action:
        case Plan(request, _, entered):
            day = "Day 1" if request["dose_day"] == 1 else "Day 8/15"
            return f"plan {day} {entered}"
        case Give(_, day, _, _, late):
            return "give Day 1" if day == 1 else "give Day 8/15" + (" later" if late else "")
        case Hold(_, day, days, _):
            return f"hold {'Day 1' if day == 1 else 'Day 8/15'} {days} days"
        case Respond(_, response, _, _):
            return f"response {response}"
    return type(action).__name__.lower()


# ---------------------------------------------------------------- the core's desk and events
@dataclass
class CoreDesk:
    """The core's queries over a course."""

    course: c.Course

    def next_cycle_request(self) -> dict[str, Any] | None:
        try:
            return c.next_cycle_request(self.course)
        except c.CourseRefused:
            return None

    def day_request(self, cycle: int, day: int) -> dict[str, Any]:
        return c.day_request(self.course, cycle, day)

    def allowed_dates(self, cycle: int, day: int) -> list[date]:
        return list(c.allowed_dates(self.course, cycle, day).dates)


def core_event(action: Action, pharmacist: str, nurse: str) -> c.CourseEvent:
    """The event the action records, signed by the pharmacist (a dose given: by the nurse);
    a plan is made by the planner (InvalidRequest when its request is not valid)."""
    from besponsa_desktop.core.planner import make_plan

    match action:
        case Plan(request, at, _):
            return c.PlanSaved(plan=make_plan(request), by=pharmacist, at=at)
        case Give(cycle, day, _, at):
            return c.DoseGiven(cycle=cycle, day=day, given_at=action.given_at, by=nurse, at=at)
        case Hold(cycle, day, days, at):
            return c.DoseHeld(
                cycle=cycle,
                day=day,
                reason="grade 3 toxicity",
                toxicity_days=days,
                by=pharmacist,
                at=at,
            )
        case Move(cycle, day, to, at):
            return c.DoseMoved(
                cycle=cycle, day=day, to=to, reason="clinic closed", by=pharmacist, at=at
            )
        case Omit(cycle, day, at):
            return c.DoseOmitted(
                cycle=cycle, day=day, reason="patient declined", by=pharmacist, at=at
            )
        case Respond(cycle, response, mrd, at):
            return c.ResponseRecorded(
                cycle=cycle,
                response=response,  # type: ignore[arg-type]
                mrd_negative=mrd,
                by=pharmacist,
                at=at,
            )
    raise AssertionError(action)
