"""The dose record: "given" only for a day whose latest plan proceeds, on a date the
schedule allows, after every earlier dose is resolved; a record is never overwritten — a
correction voids the entry with a reason and keeps it in the history.

Convention: anything else is refused (never recorded as a deviation)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from besponsa_desktop.core import course as c
from tests.core.course_helpers import completed, first_plan, given, held, plan_day, save, status

AT = datetime(2026, 12, 8, 12, tzinfo=UTC)


def _refused(call: object, *args: object, **kwargs: object) -> c.CourseRefused:
    with pytest.raises(c.CourseRefused) as refused:
        call(*args, **kwargs)  # type: ignore[operator]
    return refused.value


def _void(course: c.Course, cycle: int, day: int, entry: int) -> c.Course:
    return c.apply(
        course,
        c.RecordVoided(
            cycle=cycle, day=day, entry=entry, reason="recorded in error", by="Pat", at=AT
        ),
    )


def test_given_is_refused_for_a_day_whose_only_plan_is_hold():
    course = given(first_plan(), 1, 1)
    course = plan_day(course, 1, 8, labs={"total_bilirubin": 40})  # > 1.5 × ULN: HOLD
    assert course.cycle(1).latest_plan(8).plan.decision.value == "hold"  # type: ignore[union-attr]
    refused = _refused(given, course, 1, 8)
    assert refused.codes == ["plan_does_not_proceed"]
    assert "HOLD" in str(refused)


def test_given_is_refused_for_a_cycle_1_day_1_plan_that_holds():
    course = first_plan(labs={"peripheral_blasts_per_mm3": 20000})  # cytoreduce first
    assert "plan_does_not_proceed" in _refused(given, course, 1, 1).codes


def test_given_is_refused_for_a_day_without_its_own_plan():
    course = given(first_plan(), 1, 1)
    refused = _refused(given, course, 1, 8)
    assert refused.codes == ["no_plan_for_day"]
    assert "Table 3" in refused.reasons[0].source


def test_given_outside_the_doses_window_or_cycle_is_refused():
    course = plan_day(given(first_plan(), 1, 1), 1, 8)
    assert "outside_window" in _refused(given, course, 1, 8, date(2026, 12, 11)).codes
    assert "outside_window" in _refused(given, course, 1, 8, date(2027, 1, 8)).codes


def test_a_later_dose_cannot_be_given_while_an_earlier_one_is_pending():
    course = given(first_plan(), 1, 1)
    course = held(course, 1, 8, toxicity_days=2)
    course = plan_day(course, 1, 15)
    refused = _refused(given, course, 1, 15)
    assert refused.codes == ["earlier_dose_pending"]


def test_a_second_record_never_overwrites_the_first():
    course = given(first_plan(), 1, 1)
    refused = _refused(given, course, 1, 1, date(2026, 12, 1))
    assert refused.codes == ["dose_already_recorded"]
    refused = _refused(held, course, 1, 1)
    assert "void the entry" in str(refused)


def test_a_correction_voids_the_entry_keeps_it_and_the_dose_can_be_recorded_again():
    course = given(first_plan(), 1, 1)
    course = _void(course, 1, 1, 1)
    entry = course.cycle(1).entries[0]  # type: ignore[union-attr]
    assert entry.kind is c.EntryKind.GIVEN and entry.void is not None
    assert entry.void.reason == "recorded in error"
    assert status(course, 1, 1) is c.DoseStatus.SCHEDULED
    course = given(course, 1, 1)
    assert [e.number for e in course.cycle(1).entries] == [1, 2]  # type: ignore[union-attr]
    assert _refused(_void, course, 1, 1, 1).codes == ["already_voided"]
    assert _refused(_void, course, 1, 1, 9).codes == ["no_such_entry"]


def test_voiding_day_1_while_day_8_is_given_is_refused():
    course = given(plan_day(given(first_plan(), 1, 1), 1, 8), 1, 8)
    refused = _refused(_void, course, 1, 1, 1)
    assert "earlier_dose_pending" in refused.codes


def test_an_omitted_dose_stays_omitted_with_its_reason():
    course = given(first_plan(), 1, 1)
    course = c.apply(
        course, c.DoseOmitted(cycle=1, day=8, reason="patient declined", by="Pat", at=AT)
    )
    assert status(course, 1, 8) is c.DoseStatus.OMITTED
    assert _refused(given, course, 1, 8, date(2026, 12, 8)).codes == ["dose_already_recorded"]


def test_an_event_without_a_name_or_reason_is_refused_by_the_model():
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        c.DoseHeld(cycle=1, day=8, reason="  ", by="Pat", at=AT)
    with pytest.raises(ValidationError):
        c.DoseGiven(cycle=1, day=8, given_at=AT, by=" ", at=AT)
    with pytest.raises(ValidationError):
        c.EVENT.validate_python(
            {"kind": "dose_given", "cycle": 1, "day": 9, "by": "a", "at": AT, "given_at": AT}
        )


def test_a_dose_cannot_be_recorded_as_given_days_before_it_happens():
    course = first_plan()
    given_at = datetime(2026, 12, 1, 10, tzinfo=UTC)
    event = c.DoseGiven(
        cycle=1, day=1, given_at=given_at, by="Nora", at=datetime(2026, 11, 28, tzinfo=UTC)
    )
    assert _refused(c.apply, course, event).codes == ["given_in_the_future"]


def test_a_day_8_plan_made_before_day_1_was_replanned_must_be_made_again():
    # Day 1 given, Day 8 planned; Day 1 voided and planned again later: the Day 8 plan is
    # for the old start and may not be used.
    course = plan_day(given(first_plan(), 1, 1), 1, 8)
    course = _void(course, 1, 1, 1)
    course = held(course, 1, 1)
    data = c.day_request(course, 1, 1)
    data["cycle"] = {**data["cycle"], "start_date": "2026-12-02"}
    course = save(course, completed(data, date(2026, 12, 2), labs={"peripheral_blasts_per_mm3": 1}))
    course = given(course, 1, 1, date(2026, 12, 2))
    assert _refused(given, course, 1, 8, date(2026, 12, 9)).codes == ["plan_out_of_date"]
    course = given(plan_day(course, 1, 8), 1, 8, date(2026, 12, 9))
    assert status(course, 1, 8) is c.DoseStatus.GIVEN


def test_a_cycle_1_not_eligible_or_on_hold_says_so_in_the_state():
    course = first_plan(labs={"peripheral_blasts_per_mm3": 20000})
    assert course.state.status is c.CourseStatus.ON_HOLD
    assert course.state.reason is not None and course.state.day == 1
