"""The independent double check: blind re-entry of height and weight by a second person."""

from __future__ import annotations

import pytest

from besponsa_desktop.store import audit, courses, double_check
from besponsa_desktop.store.errors import RecordRefused
from tests.store.store_helpers import cycle1_request, plan_for


@pytest.fixture
def plan_id(conn) -> int:
    # The example: 165 cm, 62 kg.
    return courses.save_plan(conn, plan_for(cycle1_request()), signed_by="Ann Pharmacist").plan_id


def test_a_plan_is_not_yet_verified_until_checked(conn, plan_id: int) -> None:
    status = double_check.status(conn, plan_id)
    assert not status.verified and status.text == "NOT YET VERIFIED"
    assert status.checked_by is None and status.checked_at is None


def test_matching_re_entry_by_a_second_person_verifies_the_plan(conn, plan_id: int) -> None:
    result = double_check.record_check(
        conn, plan_id, checked_by="Bob Checker", height=165, weight=62
    )
    assert result.matched and result.mismatches == ()
    status = double_check.status(conn, plan_id)
    assert status.verified
    assert status.prepared_by == "Ann Pharmacist" and status.checked_by == "Bob Checker"
    assert status.checked_at is not None and status.checked_at.tzinfo is not None
    entry = audit.entries(conn)[-1]
    assert entry["action"] == "plan.double_check"
    assert entry["after"]["prepared_by"] == "Ann Pharmacist"
    assert entry["after"]["checked_by"] == "Bob Checker"


def test_values_in_other_units_match_after_conversion(conn, plan_id: int) -> None:
    # 62 kg = 136.69 lb; 165 cm = 64.96 in
    result = double_check.record_check(
        conn,
        plan_id,
        checked_by="Bob",
        height=64.96,
        height_unit="in",
        weight=136.7,
        weight_unit="lb",
    )
    assert result.matched


@pytest.mark.parametrize(
    ("height", "weight", "mismatches"),
    [(165, 62.2, ("weight",)), (156, 62, ("height",)), (156, 26, ("height", "weight"))],
)
def test_a_mismatch_is_recorded_and_leaves_the_plan_unverified(
    conn, plan_id: int, height: float, weight: float, mismatches: tuple[str, ...]
) -> None:
    result = double_check.record_check(
        conn, plan_id, checked_by="Bob", height=height, weight=weight
    )
    assert not result.matched and result.mismatches == mismatches
    assert not double_check.status(conn, plan_id).verified
    assert double_check.checks_data(conn, plan_id)[0]["matched"] is False


def test_within_the_stated_tolerance_is_a_match(conn, plan_id: int) -> None:
    assert double_check.record_check(
        conn, plan_id, checked_by="Bob", height=165.4, weight=62.09
    ).matched


@pytest.mark.parametrize("checker", ["Ann Pharmacist", "  ann   PHARMACIST ", ""])
def test_the_checker_must_be_a_second_named_person(conn, plan_id: int, checker: str) -> None:
    with pytest.raises(RecordRefused, match="checked_by"):
        double_check.record_check(conn, plan_id, checked_by=checker, height=165, weight=62)
    assert double_check.checks_data(conn, plan_id) == []


def test_a_plan_saved_without_a_name_needs_the_preparer_named(conn) -> None:
    plan_id = courses.save_plan(conn, plan_for(cycle1_request())).plan_id
    with pytest.raises(RecordRefused, match="prepared_by"):
        double_check.record_check(conn, plan_id, checked_by="Bob", height=165, weight=62)
    result = double_check.record_check(
        conn, plan_id, checked_by="Bob", prepared_by="Ann", height=165, weight=62
    )
    assert result.status.prepared_by == "Ann"


def test_a_new_revision_of_the_plan_needs_its_own_check(conn, plan_id: int) -> None:
    double_check.record_check(conn, plan_id, checked_by="Bob", height=165, weight=62)
    newer = courses.save_plan(conn, plan_for(cycle1_request(weight_kg=64)), signed_by="Ann")
    assert courses.latest_plan_id(conn, "H1234567", 1, 1) == newer.plan_id
    assert not double_check.status(conn, newer.plan_id).verified
    history = courses.history(conn, "H1234567")["cycles"][0]["plans"]
    assert [p["verification"]["verified"] for p in history] == [True, False]
