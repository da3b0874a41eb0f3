"""Export and import: a course moves between databases unchanged."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from besponsa_desktop.core.models import Response
from besponsa_desktop.store import audit, courses, database, double_check, exchange
from besponsa_desktop.store.errors import RecordRefused
from tests.store.store_helpers import MRN, cycle1_request, later_request, plan_for


@pytest.fixture
def full_course(conn):
    saved = courses.save_plan(conn, plan_for(cycle1_request()), signed_by="Ann Pharmacist")
    double_check.record_check(conn, saved.plan_id, checked_by="Bob", height=165, weight=61)
    double_check.record_check(conn, saved.plan_id, checked_by="Bob", height=165, weight=62)
    courses.record_dose(conn, MRN, 1, 1, "given", by="Nora", at=datetime(2026, 12, 1, 10, 30))
    courses.record_dose(
        conn, MRN, 1, 8, "held", by="Nora", reason="grade 2 rash", toxicity_interruption_days=3
    )
    courses.record_response(conn, MRN, 1, Response.CR, by="Dr Lee")
    courses.save_plan(conn, plan_for(later_request(2, "2026-12-22", response="cr")))
    return conn


def test_export_import_export_is_identical(full_course, tmp_path) -> None:
    first = exchange.export_text(full_course, MRN)
    other = database.connect(tmp_path / "other.sqlite3")
    assert exchange.import_course(other, json.loads(first), signed_by="Ann") == MRN
    second = exchange.export_text(other, MRN)
    assert second == first
    data = json.loads(second)
    assert [c["number"] for c in data["cycles"]] == [1, 2]
    assert len(data["cycles"][0]["plans"][0]["double_checks"]) == 2
    assert double_check.status(other, courses.latest_plan_id(other, MRN, 1, 1)).verified
    assert audit.verify(other).intact
    assert audit.entries(other)[-1]["action"] == "course.import"
    other.close()


def test_import_refuses_a_course_the_database_already_has(full_course) -> None:
    data = exchange.export_course(full_course, MRN)
    before = audit.verify(full_course).entries
    with pytest.raises(RecordRefused, match="already has a course"):
        exchange.import_course(full_course, data)
    assert audit.verify(full_course).entries == before


@pytest.mark.parametrize(
    ("damage", "path"),
    [
        (lambda d: d.update(format="something else"), "format"),
        (lambda d: d["cycles"][1]["plans"][0]["plan"].update(dose_day=8), "cycles[1].plans[0]"),
        (lambda d: d["cycles"][0]["doses"][1].update(status="lost"), "cycles[0].doses[1].status"),
        (
            lambda d: d["cycles"][0]["plans"][0]["request"].update(height_cm=16.5),
            "cycles[0].plans[0].request",
        ),
        (lambda d: d["cycles"][1].update(number=1), "cycles"),
        (lambda d: d["patient"].update(name=""), "patient.name"),
    ],
)
def test_a_damaged_file_imports_nothing(full_course, tmp_path, damage, path) -> None:
    data = exchange.export_course(full_course, MRN)
    damage(data)
    other = database.connect(tmp_path / "other.sqlite3")
    with pytest.raises(RecordRefused) as refused:
        exchange.import_course(other, data)
    assert str(refused.value).startswith(path)
    assert "nothing was imported" in str(refused.value)
    assert other.execute("SELECT COUNT(*) FROM patients").fetchone()[0] == 0
    assert other.execute("SELECT COUNT(*) FROM audit").fetchone()[0] == 0
    other.close()
