"""Random sequences of what happens to a course — plans saved for any day, doses given
(on time or not), held, moved, omitted, corrected, responses, double checks and next
cycles — driven through the application services against a real SQLite database, as the
command line and the window drive them. After every step:

- no dose is scheduled or given after a permanent stop;
- the dose level never falls;
- any two doses (given or still to come) are at least 6 days apart, and within windows;
- no cycles overlap, and the cycle limits hold;
- the command line's ``history`` prints exactly what the service returns, and the
  window's timeline shows the same schedule.

A short run is in the test command; ``-m slow`` runs a long one.
"""

from __future__ import annotations

import io
import itertools
import json
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from besponsa_desktop import cli
from besponsa_desktop.app.courses import CourseService, ward_time
from besponsa_desktop.app.errors import Refused
from besponsa_desktop.core.course_rules import CLOCK_TOLERANCE
from besponsa_desktop.core.validation import InvalidRequest
from tests.store.store_helpers import (
    CHECKER,
    MRN,
    NURSE,
    PHARMACIST,
    completed,
    cycle1_request,
)
from tests.ward_clock import patch_clock

MIN_GAP = timedelta(days=6)
PENDING = ("scheduled", "held", "moved")
EVENTS = st.sampled_from([
    {}, {}, {}, {"vod": True}, {"severe_infusion_reaction": True},
    {"nonhematologic_grade": 2},
])


def _pending(history: dict[str, Any]) -> list[tuple[int, int, str]]:
    return [(c["number"], d["day"], d["date"]) for c in history["cycles"] for d in c["doses"]
            if d["status"] in PENDING and d["date"]]


class CourseMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.folder = tempfile.TemporaryDirectory(prefix="besponsa-machine-")
        self.db = Path(self.folder.name) / "course.sqlite3"
        self.service = CourseService(db=self.db)
        self.history: dict[str, Any] = {}
        self.window: Any = None
        # the ward's clock, set by each rule to when its record is made
        self.patches = pytest.MonkeyPatch()
        self.clock = patch_clock(self.patches)

    def teardown(self) -> None:
        self.patches.undo()
        self.service.close()
        if self.window is not None:
            self.window.close()
        self.folder.cleanup()

    def _try(self, work: Any, refused_for: str | None = None) -> None:
        """Do the work; ``refused_for``: the code the core must refuse it with."""
        before = self.service.version(MRN)
        try:
            work()
        except Refused as refused:
            assert refused.findings and all(f.code and f.source for f in refused.findings)
            assert self.service.version(MRN) == before  # a refusal stores nothing
            if refused_for is not None:
                assert [f.code for f in refused.findings] == [refused_for]
                refused_for = None
        except InvalidRequest:
            assert self.service.version(MRN) == before
        assert refused_for is None, f"not refused: {refused_for}"
        self.history = self.service.history(MRN)

    @initialize()
    def start(self) -> None:
        self.service.save_plan(self.service.plan(cycle1_request()), by=PHARMACIST)
        self.history = self.service.history(MRN)

    # ---------------------------------------------------------------- the rules
    @rule(data=st.data(), offset=st.sampled_from([0, 0, 0, 0, 1, -1, 2, -3]),
          recorded=st.sampled_from([10, 10, 10, 60 * 24, -4, -60 * 24 * 2]))
    def give(self, data: st.DataObject, offset: int, recorded: int) -> None:
        """Given on or off its date; recorded ``recorded`` minutes after the time given —
        or before it, which is refused beyond the clocks' tolerance."""
        pending = _pending(self.history)
        if not pending:
            return
        cycle, day, when = data.draw(st.sampled_from(pending[:2]))  # mostly the next dose
        on = date.fromisoformat(when) + timedelta(days=offset)
        given_at = datetime(on.year, on.month, on.day, 10)
        self.clock.set(ward_time(given_at) + timedelta(minutes=recorded))
        ahead = timedelta(minutes=-recorded) > CLOCK_TOLERANCE
        self._try(lambda: self.service.record_dose(MRN, cycle, day, "given", by=NURSE,
                                                   at=given_at),
                  "given_after_recorded" if ahead else None)

    @rule(events=EVENTS)
    def next_dose_as_planned(self, events: dict[str, Any]) -> None:
        """The usual day: the next dose planned that day (Day 8/15: its own plan) and given
        on its date — so that courses run on through cycles."""
        pending = _pending(self.history)
        if not pending:
            return
        cycle, day, when = pending[0]
        found = next(c for c in self.history["cycles"] if c["number"] == cycle)
        planned = any(p["dose_day"] == day for p in found["plans"])

        def plan() -> None:
            nominal = date.fromisoformat(next(
                d["nominal_date"] for d in found["doses"] if d["day"] == day))
            request = completed(self.service.day_request(MRN, cycle, day),
                                min(nominal, date.fromisoformat(when)), events=events)
            self.service.save_plan(self.service.plan(request), by=PHARMACIST)

        def give() -> None:
            on = date.fromisoformat(when)
            given_at = datetime(on.year, on.month, on.day, 10)
            self.clock.set(ward_time(given_at) + timedelta(minutes=20))
            self.service.record_dose(MRN, cycle, day, "given", by=NURSE, at=given_at)

        if not planned:
            self._try(plan)
        self._try(give)

    @rule(data=st.data(), toxicity=st.sampled_from([0, 3, 8, 15]))
    def hold(self, data: st.DataObject, toxicity: int) -> None:
        pending = _pending(self.history)
        if pending:
            cycle, day, _ = data.draw(st.sampled_from(pending))
            self._try(lambda: self.service.record_dose(
                MRN, cycle, day, "held", by=PHARMACIST, reason="grade 2 nausea",
                toxicity_days=toxicity))

    @rule(data=st.data(), shift=st.integers(-4, 4), recorded=st.sampled_from([-3, -1, -1, 0, 1]))
    def move(self, data: st.DataObject, shift: int, recorded: int) -> None:
        """Moved, recorded ``recorded`` days from the new date: after it (a day already
        past) is refused."""
        pending = _pending(self.history)
        if pending:
            cycle, day, when = data.draw(st.sampled_from(pending))
            to = date.fromisoformat(when) + timedelta(days=shift)
            on = to + timedelta(days=recorded)
            self.clock.set(datetime(on.year, on.month, on.day, 8, 0))
            self._try(lambda: self.service.record_dose(
                MRN, cycle, day, "moved", by=PHARMACIST, moved_to=to, reason="clinic closed"),
                "moved_before_recorded" if recorded > 0 else None)

    @rule(data=st.data())
    def omit(self, data: st.DataObject) -> None:
        pending = _pending(self.history)
        if pending:
            cycle, day, _ = data.draw(st.sampled_from(pending))
            self._try(lambda: self.service.record_dose(
                MRN, cycle, day, "omitted", by=PHARMACIST, reason="patient declined"))

    @rule(data=st.data())
    def correct(self, data: st.DataObject) -> None:
        live = [(c["number"], d["day"], e["entry"]) for c in self.history["cycles"]
                for d in c["doses"] for e in d["entries"] if not e["voided"]]
        if live:
            cycle, day, entry = data.draw(st.sampled_from(live))
            self._try(lambda: self.service.void_record(
                MRN, cycle, day, entry, by=PHARMACIST, reason="entered in error"))

    @rule(data=st.data(), events=EVENTS)
    def plan_a_day(self, data: st.DataObject, events: dict[str, Any]) -> None:
        pending = _pending(self.history)
        if not pending:
            return
        cycle, day, _ = data.draw(st.sampled_from(pending[:2]))
        found = next(c for c in self.history["cycles"] if c["number"] == cycle)
        nominal = date.fromisoformat(next(
            d["nominal_date"] for d in found["doses"] if d["day"] == day))

        def save() -> None:
            request = completed(self.service.day_request(MRN, cycle, day), nominal,
                                events=events)
            self.service.save_plan(self.service.plan(request), by=PHARMACIST)

        self._try(save)

    @rule(response=st.sampled_from(["cr", "cri", "none"]), mrd=st.booleans())
    def respond(self, response: str, mrd: bool) -> None:
        cycle = self.history["cycles"][-1]["number"]
        self._try(lambda: self.service.record_response(MRN, cycle, response, by=PHARMACIST,
                                                       mrd_negative=mrd))

    @rule(checker=st.sampled_from([CHECKER, PHARMACIST]), weight=st.sampled_from([62, 62.05, 70]))
    def double_check(self, checker: str, weight: float) -> None:
        cycle = self.history["cycles"][-1]
        days = sorted({p["dose_day"] for p in cycle["plans"]})
        self._try(lambda: self.service.double_check(
            MRN, cycle["number"], days[-1], checked_by=checker, height=165, weight=weight))

    @rule(events=EVENTS, hsct=st.booleans(), response=st.sampled_from(["cr", "cri", "none"]))
    def next_cycle(self, events: dict[str, Any], hsct: bool, response: str) -> None:
        def plan_next() -> None:
            request = self.service.next_cycle_request(MRN)
            number = request["cycle"]["number"]
            if number > 1 and request["response"] is None:
                self.service.record_response(MRN, number - 1, response, by=PHARMACIST)
                request = self.service.next_cycle_request(MRN)
            on = date.fromisoformat(request["cycle"]["start_date"])
            request = completed(request, on, events=events, hsct_planned=hsct)
            self.service.save_plan(self.service.plan(request), by=PHARMACIST)

        self._try(plan_next)

    # ---------------------------------------------------------------- the invariants
    @invariant()
    def nothing_after_a_permanent_stop(self) -> None:
        if self.history["state"]["status"] != "discontinued":
            return
        for cycle in self.history["cycles"]:
            for dose in cycle["doses"]:
                assert dose["status"] not in PENDING, dose

    @invariant()
    def the_dose_level_never_falls(self) -> None:
        levels = [c["dose_level"] for c in self.history["cycles"]]
        assert levels == sorted(levels), levels
        highest = 0
        for plan in sorted((p for c in self.history["cycles"] for p in c["plans"]),
                           key=lambda p: p["seq"]):
            if plan["decision"] == "proceed":
                assert plan["plan"]["dose_level"] >= highest, (plan["seq"], highest)
                highest = max(highest, plan["plan"]["dose_level"])

    @invariant()
    def doses_six_days_apart_and_in_their_windows(self) -> None:
        dated = [d for c in self.history["cycles"] for d in c["doses"] if d["date"]]
        days = [date.fromisoformat(d["date"]) for d in dated]
        for before, after in itertools.pairwise(days):
            assert after - before >= MIN_GAP, (before, after)
        for dose in dated:
            if dose["day"] != 1:
                assert dose["window_start"] <= dose["date"] <= dose["window_end"], dose

    @invariant()
    def cycles_never_overlap_and_limits_hold(self) -> None:
        cycles = self.history["cycles"]
        for before, after in itertools.pairwise(cycles):
            assert after["start_date"] >= before["next_cycle_due"]
            assert after["number"] == before["number"] + 1
        assert len(cycles) <= 6

    @invariant()
    def the_command_line_and_the_window_show_the_same_schedule(self) -> None:
        out, err = io.StringIO(), io.StringIO()
        assert cli.main(["history", MRN, "--db", str(self.db)], out, err) == 0, err.getvalue()
        printed = json.loads(out.getvalue())
        assert printed == json.loads(json.dumps(self.history))
        assert window_rows(self, printed) == expected_rows(printed)


def expected_rows(history: dict[str, Any]) -> list[tuple[int, int, str, str]]:
    from besponsa_desktop.ui.course_panel import STATUS_LOOK, _date_text, _when_text

    return [
        (c["number"], d["day"], STATUS_LOOK[d["status"]][0],
         _when_text(d["given_at"]) if d["status"] == "given" else _date_text(d["date"]))
        for c in history["cycles"] for d in c["doses"]
    ]


def window_rows(machine: CourseMachine, printed: dict[str, Any]) -> list[tuple]:
    """What the window's timeline shows after it reloads the course (its own path:
    controller -> service -> store)."""
    from PySide6.QtWidgets import QApplication

    from besponsa_desktop.controller import PlanController
    from besponsa_desktop.settings import Settings
    from besponsa_desktop.ui.course_panel import ROLE_DOSE, CoursePanel

    if machine.window is None:
        QApplication.instance() or QApplication([])
        folder = Path(machine.folder.name)
        chosen = Settings(folder / "user.ini", folder / "system.ini")
        chosen.set("database_path", str(machine.db))
        controller = PlanController(chosen)
        machine.window = CoursePanel(controller.course, lambda _values: None)
        machine.window.course.course = printed  # the patient is open in the window
    panel = machine.window
    assert panel.course.reload()
    rows = []
    tree = panel.tree
    for index in range(tree.topLevelItemCount()):
        top = tree.topLevelItem(index)
        for child in range(top.childCount()):
            item = top.child(child)
            found = item.data(0, ROLE_DOSE)
            if found:
                rows.append((found[0], found[1], item.text(2), item.text(1)))
    return rows


MACHINE_SETTINGS = settings(max_examples=10, stateful_step_count=15, deadline=None,
                            suppress_health_check=[HealthCheck.too_slow])
CourseMachine.TestCase.settings = MACHINE_SETTINGS
test_course_through_the_services_keeps_every_rule = CourseMachine.TestCase


@pytest.mark.slow
def test_course_state_machine_long_run() -> None:
    from hypothesis.stateful import run_state_machine_as_test

    run_state_machine_as_test(CourseMachine, settings=settings(
        max_examples=200, stateful_step_count=30, deadline=None,
        suppress_health_check=[HealthCheck.too_slow]))
