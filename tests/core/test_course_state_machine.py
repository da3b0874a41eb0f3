"""Random sequences of what happens to a course — the ward's own steps (tests/ward.py:
each day planned with labs that allow it, given on a date the course allows, responses,
next cycles, with holds, moves, omissions and toxicity on the way; a run may begin with
some cycles of them) mixed with hostile ones: plans saved (by the real planner, from the
course's own pre-filled requests, sometimes with toxicity or a tampered level or date),
doses given, held, moved, omitted and voided, responses, double checks and next cycles at
random — with the invariants checked after every change:

- no dose is scheduled or given after a permanent stop, and no plan saved after it;
- the dose level never falls, within a cycle or across cycles;
- any two doses (given or scheduled) are at least 6 days apart, Days 8/15 in their window;
  a cycle's Day 1 is at least 6 days after the last dose before it;
- no cycles overlap, and a cycle follows only one that started;
- the cycle limits hold (6 cycles; 3 with HSCT, a 3rd only without CR/CRi and MRD
  negativity; a 4th only after CR/CRi); a later cycle starts only once the response to the
  one before is recorded; a dose given had a plan of its own that proceeds;
- the dates offered for moving the next Day 8/15 are exactly those a move is accepted for;
- before any random step, the ward's steps (the course's own requests and dates) are never
  refused.

How far the runs got (cycles started, highest dose level, changes refused and why) is
printed with ``-s``; the test fails when fewer than a quarter of the runs start cycle 3.
The default run is short; ``-m long_course_run`` runs many more sequences.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from besponsa_desktop.core import course as c
from besponsa_desktop.core import cycle_limits
from besponsa_desktop.core.course_rules import CLOCK_TOLERANCE
from besponsa_desktop.core.planner import make_plan
from besponsa_desktop.core.validation import InvalidRequest
from tests.core.course_helpers import PHARMACIST
from tests.factories import completed, labs_on, request
from tests.machine_tally import Tally
from tests.ward import CoreDesk, Ward, core_event, described

AT = datetime(2026, 11, 30, 9, tzinfo=UTC)
WARD = timezone(timedelta(hours=1))  # the ward's offset, which a record carries
# How long after the time given the record is made; negative: made before it
RECORDED_AFTER_GIVEN = [timedelta(0)] * 4 + [
    timedelta(minutes=m) for m in (30, 24 * 60, -5, -6, -2 * 24 * 60)
]
VARIANTS = {
    "clean": {},
    "liver_high": {"labs": {"total_bilirubin": 40}},
    "grade_2": {"events": {"nonhematologic_grade": 2}},
    "vod": {"events": {"vod": True}},
    "infusion_reaction": {"events": {"severe_infusion_reaction": True}},
    "low_counts": {"labs": {"anc": 0.5, "low_counts_duration_days": 10}},
    "long_cytopenia": {"labs": {"anc": 0.5, "low_counts_duration_days": 35}},
    "full_dose_again": {"dose_level": 0, "longest_toxicity_interruption_days": 0},
    "level_in_force_from_history": {"longest_toxicity_interruption_days": 14},
    "start_early": {"start_shift": -5},
}
VARIANT_NAMES = [
    "clean",
    "clean",
    "clean",
    "clean",
    "full_dose_again",
    "full_dose_again",
    "level_in_force_from_history",
    *sorted(VARIANTS),
]
PEOPLE = [PHARMACIST, "Chris Checker", "Nora Nurse"]

TALLY = Tally("core course machine")
WARD_TALLY = Tally("the ward's own steps")


class CourseMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.course: c.Course | None = None
        self.refusals = 0

    def teardown(self) -> None:
        if self.course is not None:
            started = sum(1 for cy in self.course.cycles if cy.started)
            level = max(cy.dose_level for cy in self.course.cycles)
            TALLY.run(started, stopped=self.course.stop is not None, level=level)

    # ------------------------------------------------------------ helpers
    def _try(self, event: c.CourseEvent, refused_for: str | None = None) -> None:
        """Apply the event; ``refused_for``: the code it must be refused with."""
        assert self.course is not None
        try:
            self.course = c.apply(self.course, event)
            TALLY.step()
        except c.CourseRefused as refused:
            TALLY.step([r.code for r in refused.reasons])
            assert refused.reasons, "a refusal always says why"
            for reason in refused.reasons:
                assert reason.code and reason.message and reason.source
            if refused_for is not None:
                assert refused.codes == [refused_for]
            self.refusals += 1
        else:
            assert refused_for is None, f"not refused: {refused_for}"

    def _save(self, data: dict[str, Any]) -> None:
        try:
            plan = make_plan(data)
        except InvalidRequest:
            return
        self._try(c.PlanSaved(plan=plan, by=PHARMACIST, at=AT))

    def _doses(self) -> list[c.ScheduledDose]:
        assert self.course is not None
        return [d for cy in c.course_schedule(self.course) for d in cy.doses]

    def _pick(self, doses: list[c.ScheduledDose], pick: int) -> c.ScheduledDose | None:
        return doses[pick % len(doses)] if doses else None

    @staticmethod
    def _variant(data: dict[str, Any], name: str, on: date) -> tuple[dict[str, Any], date]:
        change = dict(VARIANTS[name])
        shift = change.pop("start_shift", 0)
        if shift and data["dose_day"] == 1:
            start = date.fromisoformat(data["cycle"]["start_date"]) + timedelta(days=shift)
            data = {**data, "cycle": {**data["cycle"], "start_date": start.isoformat()}}
            on = start
        return completed(data, on, **change), on

    # ------------------------------------------------------------ rules
    @initialize(
        hsct=st.sampled_from([False, False, False, True]),
        blasts=st.sampled_from([4000, 4000, 4000, 20000]),
        data=st.data(),
    )
    def first_plan(self, hsct: bool, blasts: int, data: st.DataObject) -> None:
        """Cycle 1 Day 1 planned, then as far as the ward took the course before the
        random steps begin (none, or some cycles: so that runs reach later cycles even
        when the ward's own rule is not drawn)."""
        data_ = request(hsct_planned=hsct, labs={"peripheral_blasts_per_mm3": blasts})
        self.course = c.apply(None, c.PlanSaved(plan=make_plan(data_), by=PHARMACIST, at=AT))
        steps = data.draw(st.sampled_from([0, 0, 10, 20, 30, 45]), label="ward steps")
        self._ward(data, steps, alone=True)

    @rule(steps=st.integers(1, 12), data=st.data())
    def ward(self, steps: int, data: st.DataObject) -> None:
        """The ward's next steps (tests/ward.py): plan each day with labs that allow it,
        give it on a date the course allows, record the response, plan the next cycle —
        with holds, moves, omissions and toxicity on the way."""
        self._ward(data, steps)

    def _ward(self, data: st.DataObject, steps: int, alone: bool = False) -> None:
        """``alone``: no random step came before, so the ward takes only what the course
        offers (its requests, its dates): none of its steps may be refused."""
        ward_ = Ward(data.draw)
        for _ in range(steps):
            assert self.course is not None
            action = ward_.next(self.course, CoreDesk(self.course))
            if action is None:
                return
            try:
                event = core_event(action, PHARMACIST, "Nora Nurse")
                self.course = c.apply(self.course, event)
            except (c.CourseRefused, InvalidRequest) as refused:
                codes = [r.code for r in refused.reasons] if isinstance(
                    refused, c.CourseRefused) else ["invalid_request"]
                WARD_TALLY.step(codes)
                assert not alone, (f"the course refused what it offered: {action}", refused)
                ward_.refused(action)
            else:
                WARD_TALLY.step(kind=described(action))
                ward_.done(action)
            self._check()

    def _check(self) -> None:
        """Every invariant, after each change a compound step makes."""
        self.nothing_after_a_permanent_stop()
        self.the_dose_level_never_falls()
        self.doses_are_six_days_apart_and_in_their_windows()
        self.cycles_are_consecutive_and_never_overlap()
        self.cycle_limits_hold()
        self.later_cycles_follow_a_response_and_doses_a_plan()
        # (the dates offered for a move: checked after each step, not each change of one)

    @rule(pick=st.integers(0, 5), variant=st.sampled_from(VARIANT_NAMES))
    def plan_a_day(self, pick: int, variant: str) -> None:
        assert self.course is not None
        pending = [d for d in self._doses() if d.status.pending and d.date is not None]
        dose = self._pick(pending, pick)
        if dose is None or dose.date is None:
            return
        if dose.day == 1:
            try:
                data = c.next_cycle_request(self.course)
            except c.CourseRefused:
                return
            if data["cycle"]["number"] == 1:
                data["labs"] = {"peripheral_blasts_per_mm3": 4000}
            on = date.fromisoformat(data["cycle"]["start_date"])
        else:
            data = c.day_request(self.course, dose.cycle, dose.day)
            on = dose.date
        data, on = self._variant(data, variant, on)
        if data["cycle"]["number"] == 1 and data["dose_day"] == 1:
            data["labs"].setdefault("peripheral_blasts_per_mm3", 4000)
        self._save(data)

    @rule(variant=st.sampled_from(VARIANT_NAMES), response=st.sampled_from(["cr", "cri", "none"]))
    def next_cycle(self, variant: str, response: str) -> None:
        assert self.course is not None
        try:
            data = c.next_cycle_request(self.course)
        except c.CourseRefused:
            return
        if data["cycle"]["number"] == 1:
            data["labs"] = {"peripheral_blasts_per_mm3": 4000}
        if data.get("response") is None and data["cycle"]["number"] > 1:
            data["response"] = response  # not recorded: the core refuses it
        data, _ = self._variant(data, variant, date.fromisoformat(data["cycle"]["start_date"]))
        self._save(data)

    @rule(
        pick=st.integers(0, 5),
        offset=st.sampled_from([0, 0, 0, 0, -3, -1, 1, 2, 3]),
        recorded=st.sampled_from(RECORDED_AFTER_GIVEN),
        as_before=st.sampled_from([False, False, False, True]),
    )
    def give(
        self, pick: int, offset: int, recorded: timedelta = timedelta(0), as_before: bool = False
    ) -> None:
        """Given on or off its date, recorded at or after the time given — or before it
        (the record made ahead of the dose), which is refused. ``as_before``: as earlier
        versions stored it (the time as typed, ``at`` in UTC), refused only when ahead in
        every time zone."""
        dose = self._pick([d for d in self._doses() if d.status.pending], pick)
        if dose is None or dose.date is None:
            return
        on = dose.date + timedelta(days=offset)
        given_at = datetime(on.year, on.month, on.day, 10, tzinfo=WARD)
        at = given_at + recorded
        ahead = recorded < -CLOCK_TOLERANCE
        if as_before:
            given_at = given_at.replace(tzinfo=None)
            at = (given_at + recorded).replace(tzinfo=UTC)
            ahead = recorded < -(timedelta(hours=14) + CLOCK_TOLERANCE)
        self._try(
            c.DoseGiven(cycle=dose.cycle, day=dose.day, given_at=given_at, by="Nora Nurse", at=at),
            "given_after_recorded" if ahead else None,
        )

    @rule(pick=st.integers(0, 5), days=st.sampled_from([0, 2, 6, 7, 13, 14, 30]))
    def hold(self, pick: int, days: int) -> None:
        dose = self._pick([d for d in self._doses() if d.status.pending], pick)
        if dose is None:
            return
        self._try(
            c.DoseHeld(
                cycle=dose.cycle,
                day=dose.day,
                reason="toxicity",
                toxicity_days=days,
                by=PHARMACIST,
                at=AT,
            )
        )

    @rule(
        pick=st.integers(0, 5),
        offset=st.integers(-4, 4),
        recorded=st.sampled_from([None, None, None, -1, 0, 1, 3]),
    )
    def move(self, pick: int, offset: int, recorded: int | None) -> None:
        """Moved, recorded long before or on a day around the new date: after it (a
        dose planned for a day past) is always refused."""
        dose = self._pick([d for d in self._doses() if d.status.pending], pick)
        if dose is None:
            return
        to = dose.nominal_date + timedelta(days=offset)
        at = AT
        if recorded is not None:
            on = to + timedelta(days=recorded)
            at = datetime(on.year, on.month, on.day, 8, tzinfo=WARD)
        self._try(
            c.DoseMoved(cycle=dose.cycle, day=dose.day, to=to, reason="ward", by=PHARMACIST, at=at),
            "moved_before_recorded" if recorded is not None and recorded > 0 else None,
        )

    @rule(pick=st.integers(0, 5))
    def omit(self, pick: int) -> None:
        dose = self._pick([d for d in self._doses() if d.status.pending], pick)
        if dose is None:
            return
        self._try(
            c.DoseOmitted(cycle=dose.cycle, day=dose.day, reason="declined", by=PHARMACIST, at=AT)
        )

    @rule(pick=st.integers(0, 20))
    def void(self, pick: int) -> None:
        assert self.course is not None
        live = [(cy.number, e) for cy in self.course.cycles for e in cy.entries if e.live]
        if not live:
            return
        number, entry = live[pick % len(live)]
        self._try(
            c.RecordVoided(
                cycle=number,
                day=entry.day,
                entry=entry.number,
                reason="error",
                by=PHARMACIST,
                at=AT,
            )
        )

    @rule(
        response=st.sampled_from(["cr", "cri", "none"]),
        mrd=st.booleans(),
        back=st.sampled_from([0, 0, 0, 1, 2]),
    )
    def respond(self, response: str, mrd: bool, back: int) -> None:
        """A response to the last cycle, or (``back``) to an earlier one: a late one."""
        assert self.course is not None
        self._try(
            c.ResponseRecorded(
                cycle=max(1, self.course.last.number - back),
                response=response,  # type: ignore[arg-type]
                mrd_negative=mrd,
                by=PHARMACIST,
                at=AT,
            )
        )

    @rule(checker=st.sampled_from(PEOPLE), weight=st.sampled_from([62, 62.05, 63]))
    def double_check(self, checker: str, weight: float) -> None:
        assert self.course is not None
        cycle = self.course.last
        latest = cycle.plans[-1]
        before = c.verification(self.course, cycle.number, latest.day)
        self._try(
            c.DoubleChecked(
                cycle=cycle.number,
                day=latest.day,
                revision=latest.revision,  # type: ignore[arg-type]
                checked_by=checker,
                height_cm=latest.plan.height_cm,
                weight_kg=weight,
                by=checker,
                at=AT,
            )
        )
        after = c.verification(self.course, cycle.number, latest.day)
        assert after is not None and before is not None
        if checker == PHARMACIST or abs(weight - latest.plan.weight_kg) > 0.1:
            assert after.verified == before.verified

    # ------------------------------------------------------------ invariants
    @invariant()
    def nothing_after_a_permanent_stop(self) -> None:
        if self.course is None or self.course.stop is None:
            return
        stop = self.course.stop
        cycle = self.course.cycle(stop.cycle)
        assert cycle is not None
        stop_seq = next(
            p.seq for p in cycle.plans if (p.day, p.revision) == (stop.day, stop.revision)
        )
        assert not any(d.status.pending for d in self._doses())
        for cy in self.course.cycles:
            for entry in cy.entries:
                if entry.kind is c.EntryKind.GIVEN and entry.live:
                    assert entry.seq < stop_seq
            assert all(p.seq <= stop_seq for p in cy.plans)
        assert self.course.state.status is c.CourseStatus.DISCONTINUED

    @invariant()
    def the_dose_level_never_falls(self) -> None:
        if self.course is None:
            return
        # No Day 1 plan is below the level the cycle before was given at. (A Day 1 revision
        # never given sets nothing: after a hold voided as entered in error, the cycle may
        # be planned again at the level in force, below that revision.)
        floor = 0
        for cy in self.course.cycles:
            levels = [p.plan.dose_level for p in cy.revisions(1)]
            assert min(levels) >= floor, (cy.number, levels, floor)
            # A Day 8 or 15 is given at its cycle's level. (An older revision made before
            # Day 1 was voided and planned again may differ; it can no longer be used.)
            for entry in cy.entries:
                if entry.live and entry.kind is c.EntryKind.GIVEN and entry.day != 1:
                    used = [p for p in cy.revisions(entry.day) if p.seq < entry.seq][-1]
                    assert used.plan.dose_level == cy.dose_level
            floor = cy.dose_level
        started = [cy.dose_level for cy in self.course.cycles if cy.started]
        assert started == sorted(started), started

    @invariant()
    def doses_are_six_days_apart_and_in_their_windows(self) -> None:
        if self.course is None:
            return
        dated = [d for d in self._doses() if d.date is not None]
        for before, after in itertools.pairwise(dated):
            assert before.date is not None and after.date is not None
            assert (after.date - before.date).days >= 6, (before, after)
        for dose in dated:
            if dose.day != 1:
                assert dose.window_start <= dose.date <= dose.window_end  # type: ignore[operator]

    @invariant()
    def cycles_are_consecutive_and_never_overlap(self) -> None:
        if self.course is None:
            return
        cycles = self.course.cycles
        assert [cy.number for cy in cycles] == list(range(1, len(cycles) + 1))
        schedule = {cy.number: cy for cy in c.course_schedule(self.course)}
        for before, after in itertools.pairwise(cycles):
            assert before.started
            assert after.start_date >= before.next_cycle_due
            # Day 1 is at least 6 days after the last dose before it, given or to come
            earlier = [
                d.date for n in range(1, after.number) for d in schedule[n].doses if d.date
            ]
            assert after.start_date >= max(earlier) + timedelta(days=6)

    @invariant()
    def cycle_limits_hold(self) -> None:
        if self.course is None:
            return
        started = [cy for cy in self.course.cycles if cy.started]
        assert len(started) <= cycle_limits.MAX_CYCLES
        for cy in started:
            request_ = cy.day1.plan.request
            if request_.hsct_planned:
                assert cy.number <= cycle_limits.HSCT_MAX_CYCLES
            previous = self.course.cycle(cy.number - 1)
            if cy.number > cycle_limits.MAX_CYCLES_WITHOUT_RESPONSE:
                assert previous is not None and previous.response is not None
                assert previous.response.response.achieved
            if request_.hsct_planned and cy.number == cycle_limits.HSCT_MAX_CYCLES:
                # a 3rd cycle before HSCT only without CR/CRi and MRD negativity
                assert previous is not None and previous.response is not None
                response = previous.response
                assert not (response.response.achieved and response.mrd_negative)

    @invariant()
    def the_dates_offered_for_a_move_are_the_dates_a_move_may_take(self) -> None:
        """``allowed_dates`` (what the window and the command line offer) and the rule that
        records a move agree, for the next Day 8 or 15 still to come."""
        if self.course is None or self.course.stop is not None:
            return
        dose = next(
            (d for d in self._doses() if d.status.pending and d.day != 1 and d.date), None
        )
        if dose is None:
            return
        offered = set(c.allowed_dates(self.course, dose.cycle, dose.day).dates)
        span = (dose.window_end - dose.window_start).days
        for on in (dose.window_start + timedelta(days=i) for i in range(span + 1)):
            at = datetime.combine(on - timedelta(days=1), datetime.min.time(), tzinfo=UTC)
            move = c.DoseMoved(
                cycle=dose.cycle, day=dose.day, to=on, reason="ward", by=PHARMACIST, at=at
            )
            try:
                c.apply(self.course, move)
                accepted = True
            except c.CourseRefused:
                accepted = False
            assert accepted == (on in offered), (dose, on, offered)

    @invariant()
    def later_cycles_follow_a_response_and_doses_a_plan(self) -> None:
        """A cycle after the first starts only once the response to the one before is
        recorded; a dose given had a plan of its own that proceeds."""
        if self.course is None:
            return
        for before, after in itertools.pairwise(self.course.cycles):
            if after.started:
                assert before.response is not None, (after.number, "started without")
        for cy in self.course.cycles:
            for entry in cy.entries:
                if entry.live and entry.kind is c.EntryKind.GIVEN:
                    plans = [p for p in cy.revisions(entry.day) if p.seq < entry.seq]
                    assert plans and plans[-1].plan.decision.value == "proceed", entry


def _run(examples: int, steps: int) -> None:
    """Run the machine; at least a quarter of the runs must start cycle 3 (else the
    invariants across cycles went unexercised; typically over half do)."""
    # derandomize: the same runs every time, so the reach gate below cannot pass on one run
    # and fail on the next (a gate over random runs is a flaky test); new sequences come
    # from changing the machine, and the long run explores further.
    CourseMachine.TestCase.settings = settings(
        max_examples=examples,
        stateful_step_count=steps,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow],
    )
    TALLY.reset()
    WARD_TALLY.reset()
    CourseMachine.TestCase().runTest()
    print(TALLY.report(), WARD_TALLY.report())
    assert TALLY.reached(3) >= 1 / 4, TALLY.report()


def test_random_courses_keep_every_rule_across_doses_and_cycles():
    _run(examples=60, steps=50)


@pytest.mark.long_course_run
def test_random_courses_keep_every_rule_long_run():
    _run(examples=400, steps=80)


_ = labs_on  # the helpers' labs are what `completed` fills in
