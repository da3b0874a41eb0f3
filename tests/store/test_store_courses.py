"""The course: saving plans, the administration record, rescheduling, the next cycle."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest

from besponsa_desktop.core.models import Response
from besponsa_desktop.core.planner import make_plan
from besponsa_desktop.store import audit, courses
from besponsa_desktop.store.errors import ConflictError, NotFound, RecordRefused
from tests.store.store_helpers import MRN, cycle1_request, later_request, plan_for


def _given(conn, cycle: int, day: int, when: str) -> None:
    courses.record_dose(
        conn, MRN, cycle, day, "given", by="Nora Nurse", at=datetime.fromisoformat(when)
    )


def test_saving_a_plan_records_the_request_the_plan_and_its_doses(conn) -> None:
    plan = plan_for(cycle1_request())
    saved = courses.save_plan(conn, plan, signed_by="Ann Pharmacist", expected_version=0)
    assert saved.course_version == 1
    data = courses.history(conn, MRN)
    assert data["version"] == 1
    (cycle,) = data["cycles"]
    assert cycle["number"] == 1 and cycle["start_date"] == "2026-12-01"
    (stored,) = cycle["plans"]
    assert stored["plan"] == json.loads(plan.model_dump_json())
    assert stored["request"] == json.loads(plan.request.model_dump_json())
    assert stored["plan"]["reasons"] == [] and stored["decision"] == "proceed"
    assert stored["saved_by"] == "Ann Pharmacist"
    doses = {d["day"]: d for d in cycle["doses"]}
    assert sorted(doses) == [1, 8, 15]
    assert doses[8]["planned_date"] == "2026-12-08"
    assert doses[1]["planned_mg"] == plan.doses[0].dose_mg
    assert all(d["status"] == "planned" for d in doses.values())
    assert stored["verification"]["text"] == "NOT YET VERIFIED"


def test_a_second_save_from_a_stale_window_is_a_conflict_not_an_overwrite(conn) -> None:
    plan = plan_for(cycle1_request())
    courses.save_plan(conn, plan, expected_version=0)
    loaded_by_both = courses.course_version(conn, MRN)
    courses.save_plan(conn, plan, signed_by="window A", expected_version=loaded_by_both)
    with pytest.raises(ConflictError):
        courses.save_plan(conn, plan, signed_by="window B", expected_version=loaded_by_both)
    with pytest.raises(ConflictError):
        courses.record_dose(
            conn, MRN, 1, 1, "held", by="B", reason="x", expected_version=loaded_by_both
        )
    plans = courses.history(conn, MRN)["cycles"][0]["plans"]
    assert [p["saved_by"] for p in plans] == [None, "window A"]


def test_a_new_course_saved_twice_from_scratch_conflicts(conn) -> None:
    plan = plan_for(cycle1_request())
    courses.save_plan(conn, plan, expected_version=0)
    with pytest.raises(ConflictError):
        courses.save_plan(conn, plan, expected_version=0)


def test_the_same_mrn_with_another_patients_details_is_refused(conn) -> None:
    courses.save_plan(conn, plan_for(cycle1_request()))
    other = cycle1_request()
    other["patient"] = dict(other["patient"], name="John Roe")
    with pytest.raises(RecordRefused, match=r"patient\.mrn") as refused:
        courses.save_plan(conn, plan_for(other))
    assert "John" not in str(refused.value) and MRN not in str(refused.value)
    assert len(courses.history(conn, MRN)["cycles"][0]["plans"]) == 1


def test_a_reduced_dose_level_is_never_raised_again(conn) -> None:
    courses.save_plan(conn, plan_for(cycle1_request()))
    reduced = plan_for(
        later_request(2, "2026-12-22", response="none", longest_toxicity_interruption_days=14)
    )
    assert reduced.dose_level == 1
    courses.save_plan(conn, reduced)
    back_to_full = plan_for(later_request(3, "2027-01-19", response="none", dose_level=0))
    with pytest.raises(RecordRefused, match="never re-escalated"):
        courses.save_plan(conn, back_to_full)
    assert courses.next_cycle_request(conn, MRN)["dose_level"] == 1


def test_recording_given_held_moved_and_omitted_doses(conn) -> None:
    courses.save_plan(conn, plan_for(cycle1_request()))
    _given(conn, 1, 1, "2026-12-01T10:30")
    courses.record_dose(
        conn,
        MRN,
        1,
        8,
        "moved",
        by="Nora Nurse",
        moved_to=date(2026, 12, 9),
        reason="patient could not attend",
    )
    _given(conn, 1, 8, "2026-12-09T11:00")
    courses.record_dose(
        conn,
        MRN,
        1,
        15,
        "omitted",
        by="Nora Nurse",
        reason="grade 3 toxicity",
        toxicity_interruption_days=9,
    )
    cycle = courses.history(conn, MRN)["cycles"][0]
    doses = {d["day"]: d for d in cycle["doses"]}
    assert doses[1]["status"] == "given" and doses[1]["given_at"] == "2026-12-01T10:30"
    assert doses[8]["status"] == "given" and doses[8]["scheduled_date"] == "2026-12-09"
    assert doses[8]["planned_date"] == "2026-12-08"  # the plan as made is kept
    assert doses[15]["status"] == "omitted" and doses[15]["reason"] == "grade 3 toxicity"
    assert cycle["longest_toxicity_interruption_days"] == 9
    actions = [e["action"] for e in courses.history(conn, MRN)["audit"]]
    assert actions[-4:] == ["dose.given", "dose.moved", "dose.given", "dose.omitted"]
    moved = next(e for e in courses.history(conn, MRN)["audit"] if e["action"] == "dose.moved")
    assert moved["before"]["scheduled_date"] == "2026-12-08"
    assert moved["after"]["scheduled_date"] == "2026-12-09"
    assert moved["signed_by"] == "Nora Nurse" and moved["os_user"]


@pytest.mark.parametrize(
    ("status", "kwargs", "field"),
    [
        ("given", {}, "at"),
        ("held", {}, "reason"),
        ("moved", {"reason": "away"}, "moved_to"),
        ("omitted", {"reason": " "}, "reason"),
        ("given", {"at": datetime(2026, 12, 8, 9), "moved_to": date(2026, 12, 9)}, "moved_to"),
        ("paused", {"reason": "x"}, "status"),
    ],
)
def test_a_dose_record_missing_what_it_needs_is_refused(conn, status, kwargs, field) -> None:
    courses.save_plan(conn, plan_for(cycle1_request()))
    version = courses.course_version(conn, MRN)
    with pytest.raises(RecordRefused, match=f"^{field}:"):
        courses.record_dose(conn, MRN, 1, 8, status, by="Nora Nurse", **kwargs)
    assert courses.course_version(conn, MRN) == version


def test_a_dose_can_only_move_to_a_date_the_rules_allow(conn) -> None:
    courses.save_plan(conn, plan_for(cycle1_request()))
    _given(conn, 1, 1, "2026-12-02T10:00")  # Day 1 given a day late
    options = courses.reschedule_options(conn, MRN, 1, 8)
    # Window 6-10 Dec, and at least 6 days after 2 Dec.
    assert options.dates == [date(2026, 12, d) for d in (8, 9, 10)]
    with pytest.raises(RecordRefused, match="moved_to: 2026-12-07 is not allowed"):
        courses.record_dose(
            conn, MRN, 1, 8, "moved", by="N", moved_to=date(2026, 12, 7), reason="away"
        )


def test_when_no_date_fits_the_reason_is_given(conn) -> None:
    courses.save_plan(conn, plan_for(cycle1_request()))
    _given(conn, 1, 1, "2026-12-01T10:00")
    _given(conn, 1, 8, "2026-12-10T10:00")  # Day 8 at the end of its window
    options = courses.reschedule_options(conn, MRN, 1, 15)
    # Day 15 window is 13-17 Dec; 6 days after 10 Dec is 16 Dec.
    assert options.dates == [date(2026, 12, 16), date(2026, 12, 17)]
    courses.record_dose(conn, MRN, 1, 8, "given", by="N", at=datetime(2026, 12, 12, 10))
    none = courses.reschedule_options(conn, MRN, 1, 15)
    assert none.dates == []
    assert "no date fits" in none.reason and "Fri 18 Dec 2026" in none.reason


def test_day_1_has_no_window(conn) -> None:
    courses.save_plan(conn, plan_for(cycle1_request()))
    options = courses.reschedule_options(conn, MRN, 1, 1)
    assert options.dates == [] and "Day 1 has no window" in options.reason


def test_an_unknown_mrn_or_cycle_is_not_found_without_quoting_the_mrn(conn) -> None:
    with pytest.raises(NotFound) as missing:
        courses.history(conn, "X999")
    assert "X999" not in str(missing.value)
    courses.save_plan(conn, plan_for(cycle1_request()))
    with pytest.raises(NotFound, match="cycle 4"):
        courses.reschedule_options(conn, MRN, 4, 8)


def test_a_replanned_day_keeps_doses_already_given(conn) -> None:
    courses.save_plan(conn, plan_for(cycle1_request()))
    _given(conn, 1, 1, "2026-12-01T10:30")
    day8 = cycle1_request(dose_day=8, weight_kg=70, measured_on="2026-12-07")
    day8["labs"] = dict(day8["labs"], taken_on="2026-12-07")
    courses.save_plan(conn, plan_for(day8))
    doses = {d["day"]: d for d in courses.history(conn, MRN)["cycles"][0]["doses"]}
    first = plan_for(cycle1_request())
    assert doses[1]["planned_mg"] == first.doses[0].dose_mg  # given: never changed
    assert doses[8]["planned_mg"] == plan_for(day8).doses[1].dose_mg  # replanned
    replans = [e for e in courses.history(conn, MRN)["audit"] if e["action"] == "dose.replan"]
    assert {e["entity"].rsplit("/", 1)[1] for e in replans} == {"8", "15"}


def test_the_next_cycle_is_prefilled_from_the_course(conn) -> None:
    courses.save_plan(conn, plan_for(cycle1_request()), signed_by="Ann")
    _given(conn, 1, 1, "2026-12-01T10:30")
    courses.record_dose(
        conn, MRN, 1, 8, "held", by="N", reason="grade 2 mucositis", toxicity_interruption_days=15
    )
    courses.record_response(conn, MRN, 1, Response.CRI, mrd_negative=True, by="Dr Lee")
    nxt = courses.next_cycle_request(conn, MRN)
    assert nxt["cycle"] == {"number": 2, "start_date": "2026-12-22", "extend_to_28_days": False}
    assert nxt["dose_day"] == 1
    assert nxt["response"] == "cri" and nxt["mrd_negative"] is True
    assert nxt["longest_toxicity_interruption_days"] == 15
    assert nxt["dose_level"] == 0
    assert nxt["baseline"] == {"anc": 2.1, "platelets": 140.0}
    assert nxt["prior_cycle_start"] == {"anc": 2.1, "platelets": 140.0}
    assert nxt["height_cm"] == 165.0 and nxt["previous_weight_kg"] == 62.0
    for left_for_the_pharmacist in ("weight_kg", "measured_on", "labs"):
        assert left_for_the_pharmacist not in nxt

    # Completed by the pharmacist, it is a valid request, and the core applies Table 4
    # and warns about the weight change.
    labs = dict(cycle1_request()["labs"], taken_on="2026-12-21")
    labs.pop("peripheral_blasts_per_mm3")
    plan = make_plan(dict(nxt, weight_kg=55.0, measured_on="2026-12-21", labs=labs))
    assert plan.dose_level == 1
    assert "weight_changed" in [w.code for w in plan.warnings]
    courses.save_plan(conn, plan, signed_by="Ann")
    assert courses.next_cycle_request(conn, MRN)["dose_level"] == 1


def test_next_cycle_needs_a_saved_plan(conn) -> None:
    with pytest.raises(NotFound):
        courses.next_cycle_request(conn, MRN)


def test_every_change_is_in_the_audit_trail_with_who_and_what(conn) -> None:
    courses.save_plan(conn, plan_for(cycle1_request()), signed_by="Ann Pharmacist")
    _given(conn, 1, 1, "2026-12-01T10:30")
    entries = audit.entries(conn)
    assert [e["action"] for e in entries] == [
        "course.create",
        "plan.save",
        "dose.plan",
        "dose.plan",
        "dose.plan",
        "dose.given",
    ]
    saved = entries[1]
    assert saved["signed_by"] == "Ann Pharmacist" and saved["os_user"]
    assert saved["before"] is None and saved["after"]["decision"] == "proceed"
    assert len(saved["after"]["plan_sha256"]) == 64
    assert entries[-1]["before"]["status"] == "planned"
    assert entries[-1]["after"]["status"] == "given"
    assert audit.verify(conn).intact


def test_two_windows_on_two_connections_cannot_overwrite_each_other(db_path) -> None:
    from besponsa_desktop.store import database

    courses_a, courses_b = database.connect(db_path), database.connect(db_path)
    courses.save_plan(courses_a, plan_for(cycle1_request()), expected_version=0)
    loaded_a = courses.history(courses_a, MRN)["version"]
    loaded_b = courses.history(courses_b, MRN)["version"]
    courses.record_dose(
        courses_a, MRN, 1, 8, "held", by="A", reason="fever", expected_version=loaded_a
    )
    with pytest.raises(ConflictError, match="reload"):
        courses.record_dose(
            courses_b, MRN, 1, 8, "omitted", by="B", reason="x", expected_version=loaded_b
        )
    dose8 = courses.history(courses_b, MRN)["cycles"][0]["doses"][1]
    assert (dose8["status"], dose8["recorded_by"]) == ("held", "A")
    courses_a.close()
    courses_b.close()


def test_a_writer_waits_for_another_writers_transaction(db_path) -> None:
    import sqlite3
    import threading

    from besponsa_desktop.store import database

    waiter = database.connect(db_path)
    holder = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")  # another workstation in the middle of a save
    release = threading.Timer(0.5, lambda: holder.execute("COMMIT"))
    release.start()
    saved = courses.save_plan(waiter, plan_for(cycle1_request()))
    release.join()
    assert saved.course_version == 1
    holder.close()
    waiter.close()


def test_a_day_1_replan_at_two_doses_per_cycle_omits_the_planned_day_15(conn) -> None:
    courses.save_plan(conn, plan_for(cycle1_request()))
    courses.save_plan(
        conn, plan_for(later_request(2, "2026-12-22", response="none")), signed_by="Ann"
    )
    assert [d["status"] for d in courses.history(conn, MRN)["cycles"][1]["doses"]] == [
        "planned",
        "planned",
        "planned",
    ]
    # Replanned Day 1: the previous cycle's interruption was longer than first entered.
    redo = plan_for(
        later_request(
            2, "2026-12-22", response="none", dose_level=1, longest_toxicity_interruption_days=20
        )
    )
    assert redo.dose_level == 2 and [d.day for d in redo.doses] == [1, 8]
    courses.save_plan(conn, redo, signed_by="Ann")
    doses = courses.history(conn, MRN)["cycles"][1]["doses"]
    assert [(d["day"], d["status"]) for d in doses] == [
        (1, "planned"),
        (8, "planned"),
        (15, "omitted"),
    ]
    assert "dose level 2" in doses[2]["reason"] and doses[2]["recorded_by"] == "Ann"
    assert audit.verify(conn).intact


def test_the_next_cycle_leaves_the_response_empty_until_it_is_recorded(conn) -> None:
    data = dict(cycle1_request(), response="none")  # a response entered before cycle 1
    courses.save_plan(conn, plan_for(data), signed_by="Ann")
    assert courses.next_cycle_request(conn, MRN)["response"] is None
    courses.record_response(conn, MRN, 1, Response.CR, mrd_negative=False, by="Dr Lee")
    assert courses.next_cycle_request(conn, MRN)["response"] == "cr"


def test_cycle_1_day_1_counts_are_the_baseline_when_none_was_entered(conn) -> None:
    data = cycle1_request()
    data.pop("baseline", None)
    courses.save_plan(conn, plan_for(data), signed_by="Ann")
    nxt = courses.next_cycle_request(conn, MRN)
    assert nxt["baseline"] == {"anc": data["labs"]["anc"], "platelets": data["labs"]["platelets"]}


def test_a_dose_given_after_a_hold_keeps_the_interruption_recorded_with_the_hold(conn) -> None:
    courses.save_plan(conn, plan_for(cycle1_request()), signed_by="Ann")
    courses.record_dose(conn, MRN, 1, 8, "held", by="N", reason="grade 2 rash",
                        toxicity_interruption_days=3)
    courses.record_dose(conn, MRN, 1, 8, "given", by="N", at=datetime(2026, 12, 10, 10))
    assert courses.next_cycle_request(conn, MRN)["longest_toxicity_interruption_days"] == 3
