"""The next cycle's request, pre-filled from the course (what ``next`` shows), and a Day 8
or 15 request taken from its cycle's Day 1 plan."""

from __future__ import annotations

from datetime import date

from besponsa_desktop.core import course as c
from besponsa_desktop.core.planner import make_plan
from tests.core.course_helpers import (
    completed,
    first_plan,
    given,
    held,
    plan_day,
    plan_next,
    respond,
    save,
    whole_cycle,
)


def test_the_next_cycle_is_filled_from_the_course_and_leaves_todays_values_empty():
    course = first_plan(height_cm=170, weight_kg=70)
    course = given(course, 1, 1)
    course = held(course, 1, 8, toxicity_days=5)
    course = given(plan_day(course, 1, 8, weight_kg=69), 1, 8, date(2026, 12, 10))
    course = given(plan_day(course, 1, 15), 1, 15)
    course = respond(course, 1, "cri", mrd=True)
    data = c.next_cycle_request(course)
    assert data["cycle"] == {"number": 2, "start_date": "2026-12-22", "extend_to_28_days": False}
    assert data["dose_day"] == 1
    assert (data["response"], data["mrd_negative"]) == ("cri", True)
    assert data["dose_level"] == 0
    assert data["longest_toxicity_interruption_days"] == 5
    assert data["baseline"] == {"anc": 2.1, "platelets": 140.0}  # cycle 1 Day 1's counts
    assert data["prior_cycle_start"] == {"anc": 2.1, "platelets": 140.0}
    assert data["height_cm"] == 170
    assert data["previous_weight_kg"] == 62  # the last plan's weight (Day 15's)
    for key in ("weight_kg", "measured_on", "labs", "events"):
        assert key not in data
    assert data["patient"]["mrn"] == "H1234567"


def test_a_filled_request_completed_with_todays_values_is_a_valid_plan_the_course_accepts():
    course = respond(whole_cycle(first_plan(), 1), 1)
    data = completed(c.next_cycle_request(course), date(2026, 12, 22))
    plan = make_plan(data)
    assert plan.decision.value == "proceed"
    assert save(course, data).cycle(2) is not None


def test_a_day_8_request_takes_the_cycles_start_level_and_response():
    course = respond(whole_cycle(first_plan(), 1), 1, "cr")
    course = given(plan_next(course), 2, 1)
    data = c.day_request(course, 2, 8)
    assert data["dose_day"] == 8
    assert data["cycle"]["start_date"] == "2026-12-22"
    assert data["response"] == "cr"
    assert data["dose_level"] == 0


def test_the_prior_cycle_start_counts_of_cycle_3_are_cycle_2_day_1s():
    course = respond(whole_cycle(first_plan(), 1), 1)
    course = plan_next(course, labs={"anc": 1.8, "platelets": 120})
    course = respond(whole_cycle(course, 2), 2)
    data = c.next_cycle_request(course)
    assert data["prior_cycle_start"] == {"anc": 1.8, "platelets": 120.0}
    assert data["baseline"] == {"anc": 2.1, "platelets": 140.0}
    data["prior_cycle_start"] = {"anc": 2.1, "platelets": 140}
    import pytest

    with pytest.raises(c.CourseRefused) as refused:
        save(course, completed(data, date.fromisoformat(data["cycle"]["start_date"])))
    assert "prior_cycle_start_not_the_course" in refused.value.codes
