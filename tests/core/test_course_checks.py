"""Responses and double checks belong to the cycle and the plan revision they were made
for. A double check of a revision that is no longer the latest does not verify the latest.
The check compares clinical content (height ±0.5 cm, weight ±0.1 kg), never the program
version, and is done by a second person (ASCO/ONS 2024)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from besponsa_desktop.core import course as c
from besponsa_desktop.core import double_check
from tests.core.course_helpers import (
    CHECKER,
    PHARMACIST,
    completed,
    first_plan,
    given,
    plan_next,
    respond,
    save,
    whole_cycle,
)

AT = datetime(2026, 11, 30, 12, tzinfo=UTC)
BLASTS = {"peripheral_blasts_per_mm3": 4000}


def _check(course: c.Course, revision: int, by: str = CHECKER, **values: float) -> c.Course:
    return c.apply(
        course,
        c.DoubleChecked(
            cycle=1,
            day=1,
            revision=revision,
            checked_by=by,
            height_cm=values.get("height_cm", 165),
            weight_kg=values.get("weight_kg", 62),
            by=by,
            at=AT,
        ),
    )


def test_a_matching_blind_re_entry_verifies_the_plan_in_force():
    course = _check(first_plan(), 1)
    found = c.verification(course, 1, 1)
    assert found is not None and found.verified and found.checked_by == CHECKER
    assert found.text == f"independently double-checked by {CHECKER}"


def test_weight_entered_in_pounds_within_0_1_kg_matches():
    pounds = double_check.to_kg(136.7, "lb")  # 62.006 kg
    course = _check(first_plan(), 1, height_cm=double_check.to_cm(65, "in"), weight_kg=pounds)
    assert course.cycle(1).checks[0].matched  # type: ignore[union-attr]


def test_a_mismatch_is_recorded_and_leaves_the_plan_not_yet_verified():
    course = _check(first_plan(), 1, weight_kg=62.2)
    record = course.cycle(1).checks[0]  # type: ignore[union-attr]
    assert not record.matched and record.mismatches == ("weight",)
    assert c.verification(course, 1, 1).text == "NOT YET VERIFIED"  # type: ignore[union-attr]


def test_the_preparer_cannot_double_check_their_own_plan():
    with pytest.raises(c.CourseRefused) as refused:
        _check(first_plan(), 1, by=f"  {PHARMACIST.upper()} ")
    assert refused.value.codes == ["checker_is_preparer"]
    assert "ASCO/ONS" in refused.value.reasons[0].source


def test_a_check_of_an_earlier_revision_does_not_verify_the_revision_in_force():
    course = _check(first_plan(), 1)
    data = c.day_request(course, 1, 1)
    course = save(course, completed(data, course.cycle(1).start_date, weight_kg=63, labs=BLASTS))  # type: ignore[union-attr]
    found = c.verification(course, 1, 1)
    assert found is not None and found.revision == 2 and not found.verified
    with pytest.raises(c.CourseRefused):
        _check(course, 3)


def test_the_comparison_ignores_the_program_version():
    plan = first_plan().cycle(1).day1.plan  # type: ignore[union-attr]
    other = plan.model_copy(update={"program_version": "99.0"})
    assert double_check.clinical_content(plan) == double_check.clinical_content(other)
    assert double_check.clinical_content(plan) != double_check.clinical_content(
        plan.model_copy(update={"weight_kg": 70.0})
    )


def test_unknown_units_are_refused_naming_the_field():
    with pytest.raises(double_check.UnitError, match="height unit"):
        double_check.to_cm(65, "ft")
    with pytest.raises(double_check.UnitError, match="weight unit"):
        double_check.to_kg(62, "st")


def test_a_response_belongs_to_a_cycle_that_started():
    with pytest.raises(c.CourseRefused) as refused:
        respond(first_plan(), 1)
    assert refused.value.codes == ["cycle_not_started"]


def test_cycle_2_needs_the_response_after_cycle_1_recorded_and_must_carry_it():
    course = whole_cycle(first_plan(), 1)
    data = c.next_cycle_request(course)
    assert data["response"] is None
    with pytest.raises(c.CourseRefused) as refused:
        save(course, completed(data, course.cycle(1).next_cycle_due, response="cr"))  # type: ignore[union-attr]
    assert "response_not_recorded" in refused.value.codes
    course = respond(course, 1, "cri")
    with pytest.raises(c.CourseRefused) as refused:
        save(course, completed(data, course.cycle(1).next_cycle_due, response="cr"))  # type: ignore[union-attr]
    assert "response_not_the_course" in refused.value.codes
    assert plan_next(course).cycle(2).day1.plan.request.response.value == "cri"  # type: ignore[union-attr]


def test_the_latest_response_recorded_for_a_cycle_counts_and_the_earlier_stays():
    course = respond(respond(whole_cycle(first_plan(), 1), 1, "none"), 1, "cr")
    assert [r.response.value for r in course.cycle(1).responses] == ["none", "cr"]  # type: ignore[union-attr]
    assert c.next_cycle_request(course)["response"] == "cr"


def test_a_response_recorded_after_the_next_cycle_was_planned_requires_a_new_day_1_plan():
    course = respond(whole_cycle(first_plan(), 1), 1, "cr")
    course = plan_next(course)
    course = respond(course, 1, "none")  # the marrow result came back later
    with pytest.raises(c.CourseRefused) as refused:
        given(course, 2, 1)
    assert refused.value.codes == ["replan_after_response"]
