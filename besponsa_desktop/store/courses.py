"""A patient's course: cycles, the plans computed for them, and the doses as planned and as
given. Every change is one transaction with its audit entry, and bumps the course version
so that a second window saving the same course notices (ConflictError) instead of
overwriting.

Patients are found by MRN. Row ids are this database's own; the exchange format (see
``exchange``) does without them.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from besponsa_desktop.core import schedule
from besponsa_desktop.core.models import Plan, Response
from besponsa_desktop.store import audit, double_check
from besponsa_desktop.store.database import transaction
from besponsa_desktop.store.errors import ConflictError, NotFound, RecordRefused

DOSE_STATUSES = ("planned", "given", "held", "moved", "omitted")
RECORDED_STATUSES = ("given", "held", "moved", "omitted")


@dataclass(frozen=True)
class SavedPlan:
    plan_id: int
    course_version: int
    cycle_number: int
    dose_day: int


def _clean_name(name: str | None, what: str, required: bool) -> str | None:
    if name is None or not name.strip():
        if required:
            raise RecordRefused(f"{what}: a name is required")
        return None
    cleaned = " ".join(name.split())
    if len(cleaned) > 200:
        raise RecordRefused(f"{what}: at most 200 characters")
    return cleaned


# ---------------------------------------------------------------- finding rows


def _course_row(conn: sqlite3.Connection, mrn: str) -> sqlite3.Row | None:
    row: sqlite3.Row | None = conn.execute(
        "SELECT courses.id AS id, courses.version AS version, patients.id AS patient_id, "
        "patients.mrn AS mrn, patients.name AS name, patients.date_of_birth AS "
        "date_of_birth, patients.sex AS sex FROM courses JOIN patients ON "
        "patients.id = courses.patient_id WHERE patients.mrn = ?",
        (mrn,),
    ).fetchone()
    return row


def _require_course(conn: sqlite3.Connection, mrn: str) -> sqlite3.Row:
    row = _course_row(conn, mrn)
    if row is None:
        raise NotFound("no course is stored for this MRN")
    return row


def _cycle_row(conn: sqlite3.Connection, course_id: int, number: int) -> sqlite3.Row:
    row: sqlite3.Row | None = conn.execute(
        "SELECT * FROM cycles WHERE course_id = ? AND number = ?", (course_id, number)
    ).fetchone()
    if row is None:
        raise NotFound(f"cycle {number} is not stored in this course")
    return row


def _check_version(course: sqlite3.Row, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != course["version"]:
        raise ConflictError(expected_version, int(course["version"]))


def _bump(conn: sqlite3.Connection, course_id: int) -> int:
    conn.execute(
        "UPDATE courses SET version = version + 1, updated_at = ? WHERE id = ?",
        (audit.now_utc(), course_id),
    )
    return int(conn.execute("SELECT version FROM courses WHERE id = ?", (course_id,)).fetchone()[0])


def course_version(conn: sqlite3.Connection, mrn: str) -> int:
    """The version to pass back as expected_version; 0 when the MRN has no course yet."""
    row = _course_row(conn, mrn)
    return 0 if row is None else int(row["version"])


# ---------------------------------------------------------------- saving a plan


def _ensure_course(conn: sqlite3.Connection, plan: Plan, signed_by: str | None) -> sqlite3.Row:
    patient = plan.patient
    row = _course_row(conn, patient.mrn)
    if row is not None:
        stored = (row["name"], row["date_of_birth"], row["sex"])
        if stored != (patient.name, patient.date_of_birth.isoformat(), patient.sex.value):
            # Same MRN, different person (or a typo in either): never mix two records.
            raise RecordRefused(
                "patient.mrn: a course with this MRN belongs to a patient with a different "
                "name, date of birth or sex; check the MRN and the patient's details"
            )
        return row
    now = audit.now_utc()
    patient_id = conn.execute(
        "INSERT INTO patients (mrn, name, date_of_birth, sex, created_at) VALUES (?, ?, ?, ?, ?)",
        (patient.mrn, patient.name, patient.date_of_birth.isoformat(), patient.sex.value, now),
    ).lastrowid
    course_id = conn.execute(
        "INSERT INTO courses (patient_id, version, created_at, updated_at) VALUES (?, 0, ?, ?)",
        (patient_id, now, now),
    ).lastrowid
    audit.append(
        conn,
        action="course.create",
        entity=f"course/{course_id}",
        before=None,
        after={"patient": patient.model_dump(mode="json")},
        signed_by=signed_by,
    )
    created = _course_row(conn, patient.mrn)
    assert created is not None
    return created


def _plan_summary(
    plan_id: int, dose_day: int, decision: str, request_json: str, plan_json: str
) -> dict[str, Any]:
    return {
        "dose_day": dose_day,
        "decision": decision,
        **audit.plan_hashes(plan_id, request_json, plan_json),
    }


def save_plan(
    conn: sqlite3.Connection,
    plan: Plan,
    *,
    signed_by: str | None = None,
    expected_version: int | None = None,
) -> SavedPlan:
    """Record a plan as computed (its request and the plan itself) in the patient's course,
    and the doses it plans. ``expected_version`` is the course version the caller loaded
    (0 for a new course); None means "whatever is stored" (a one-shot command).

    A plan for the same cycle and day is kept as a new revision; the latest counts.
    Doses already given, held, moved or omitted are never changed by a new plan.
    """
    signed_by = _clean_name(signed_by, "signed_by", required=False)
    request_json = plan.request.model_dump_json()
    plan_json = plan.model_dump_json()
    number = plan.cycle.number
    with transaction(conn):
        course = _ensure_course(conn, plan, signed_by)
        _check_version(course, expected_version)
        course_id = int(course["id"])
        highest = conn.execute(
            "SELECT MAX(dose_level) FROM cycles WHERE course_id = ? AND number < ?",
            (course_id, number),
        ).fetchone()[0]
        if highest is not None and plan.dose_level < highest and plan.doses:
            raise RecordRefused(
                f"dose_level: cycle {number} is planned at dose level {plan.dose_level}, but "
                f"level {highest} was in force in an earlier cycle; a reduced dose is never "
                "re-escalated"
            )
        cycle = conn.execute(
            "SELECT * FROM cycles WHERE course_id = ? AND number = ?", (course_id, number)
        ).fetchone()
        entity = f"course/{course_id}/cycle/{number}"
        if cycle is None:
            cycle_id = conn.execute(
                "INSERT INTO cycles (course_id, number, start_date, dose_level) "
                "VALUES (?, ?, ?, ?)",
                (course_id, number, plan.cycle.start_date.isoformat(), plan.dose_level),
            ).lastrowid
            assert cycle_id is not None
        else:
            cycle_id = int(cycle["id"])
            before = {"start_date": cycle["start_date"], "dose_level": cycle["dose_level"]}
            after = {"start_date": plan.cycle.start_date.isoformat(), "dose_level": plan.dose_level}
            if before != after:
                conn.execute(
                    "UPDATE cycles SET start_date = ?, dose_level = ? WHERE id = ?",
                    (after["start_date"], after["dose_level"], cycle_id),
                )
                audit.append(
                    conn,
                    action="cycle.update",
                    entity=entity,
                    before=before,
                    after=after,
                    signed_by=signed_by,
                )
        previous = conn.execute(
            "SELECT id, dose_day, decision, request_json, plan_json FROM plans "
            "WHERE cycle_id = ? AND dose_day = ? ORDER BY id DESC LIMIT 1",
            (cycle_id, plan.dose_day),
        ).fetchone()
        plan_id = conn.execute(
            "INSERT INTO plans (cycle_id, dose_day, decision, saved_at, saved_by, os_user, "
            "request_json, plan_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                cycle_id,
                plan.dose_day,
                plan.decision.value,
                audit.now_utc(),
                signed_by,
                audit.os_user(),
                request_json,
                plan_json,
            ),
        ).lastrowid
        assert plan_id is not None
        audit.append(
            conn,
            action="plan.save",
            entity=f"{entity}/day/{plan.dose_day}",
            before=None if previous is None else _plan_summary(*previous),
            after=_plan_summary(
                plan_id, plan.dose_day, plan.decision.value, request_json, plan_json
            ),
            signed_by=signed_by,
        )
        _plan_doses(conn, plan, cycle_id, entity, signed_by)
        version = _bump(conn, course_id)
    return SavedPlan(plan_id, version, number, plan.dose_day)


def _plan_doses(
    conn: sqlite3.Connection, plan: Plan, cycle_id: int, entity: str, signed_by: str | None
) -> None:
    for dose in plan.doses:
        values = {
            "planned_date": dose.date.isoformat(),
            "planned_mg": dose.dose_mg,
            "planned_volume_ml": dose.volume_ml,
        }
        row = conn.execute(
            "SELECT * FROM doses WHERE cycle_id = ? AND day = ?", (cycle_id, dose.day)
        ).fetchone()
        if row is None:
            conn.execute(
                "INSERT INTO doses (cycle_id, day, planned_date, planned_mg, planned_volume_ml, "
                "status, scheduled_date) VALUES (?, ?, ?, ?, ?, 'planned', ?)",
                (
                    cycle_id,
                    dose.day,
                    values["planned_date"],
                    values["planned_mg"],
                    values["planned_volume_ml"],
                    values["planned_date"],
                ),
            )
            audit.append(
                conn,
                action="dose.plan",
                entity=f"{entity}/day/{dose.day}",
                before=None,
                after=values,
                signed_by=signed_by,
            )
            continue
        if row["status"] != "planned":
            continue
        before = {name: row[name] for name in values}
        if before != values:
            conn.execute(
                "UPDATE doses SET planned_date = ?, planned_mg = ?, planned_volume_ml = ?, "
                "scheduled_date = ? WHERE id = ?",
                (
                    values["planned_date"],
                    values["planned_mg"],
                    values["planned_volume_ml"],
                    values["planned_date"],
                    row["id"],
                ),
            )
            audit.append(
                conn,
                action="dose.replan",
                entity=f"{entity}/day/{dose.day}",
                before=before,
                after=values,
                signed_by=signed_by,
            )
    if not plan.doses:
        return  # discontinue / not eligible: the pharmacist records what happens to the rest
    # A new Day 1 plan at dose level 2 has no Day 15: a still-planned Day 15 is omitted.
    days = tuple(d.day for d in plan.doses)
    marks = ",".join("?" * len(days))
    for row in conn.execute(
        f"SELECT * FROM doses WHERE cycle_id = ? AND status = 'planned' AND day NOT IN ({marks})",
        (cycle_id, *days),
    ).fetchall():
        reason = f"not in the latest plan (dose level {plan.dose_level})"
        conn.execute(
            "UPDATE doses SET status = 'omitted', reason = ?, recorded_by = ?, recorded_at = ? "
            "WHERE id = ?",
            (reason, signed_by, audit.now_utc(), row["id"]),
        )
        audit.append(
            conn,
            action="dose.omitted",
            entity=f"{entity}/day/{row['day']}",
            before=_dose_values(row),
            after=dict(_dose_values(row), status="omitted", reason=reason, recorded_by=signed_by),
            signed_by=signed_by,
        )


# ---------------------------------------------------------------- the administration record


def _dose_row(conn: sqlite3.Connection, cycle_id: int, day: int) -> sqlite3.Row:
    row: sqlite3.Row | None = conn.execute(
        "SELECT * FROM doses WHERE cycle_id = ? AND day = ?", (cycle_id, day)
    ).fetchone()
    if row is None:
        raise NotFound(f"Day {day} has no planned dose in this cycle")
    return row


def _previous_given(conn: sqlite3.Connection, cycle_id: int, day: int) -> date | None:
    row = conn.execute(
        "SELECT MAX(substr(given_at, 1, 10)) FROM doses WHERE cycle_id = ? AND day < ? "
        "AND status = 'given'",
        (cycle_id, day),
    ).fetchone()
    return None if row[0] is None else date.fromisoformat(row[0])


def reschedule_options(conn: sqlite3.Connection, mrn: str, cycle: int, day: int) -> schedule.Replan:
    """Dates a Day 8 or 15 dose may move to: inside its ±2-day window and at least 6 days
    after the previous dose actually given (the core's rule), or why there is none."""
    course = _require_course(conn, mrn)
    cycle_row = _cycle_row(conn, int(course["id"]), cycle)
    _dose_row(conn, int(cycle_row["id"]), day)
    return schedule.reschedule_options(
        date.fromisoformat(cycle_row["start_date"]),
        day,
        _previous_given(conn, int(cycle_row["id"]), day),
    )


def _dose_values(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "status": row["status"],
        "scheduled_date": row["scheduled_date"],
        "given_at": row["given_at"],
        "reason": row["reason"],
        "recorded_by": row["recorded_by"],
        "toxicity_interruption_days": row["toxicity_interruption_days"],
    }


def record_dose(
    conn: sqlite3.Connection,
    mrn: str,
    cycle: int,
    day: int,
    status: str,
    *,
    by: str,
    at: datetime | None = None,
    moved_to: date | None = None,
    reason: str | None = None,
    toxicity_interruption_days: int | None = None,
    expected_version: int | None = None,
) -> int:
    """Record what happened to a planned dose: given (at a date and time), held, moved (to
    a date the rules allow) or omitted, with the reason. Returns the new course version.

    ``toxicity_interruption_days``: how long dosing was interrupted for toxicity; the
    longest in a cycle sets the next cycle's dose level (Table 4).
    """
    if status not in RECORDED_STATUSES:
        raise RecordRefused(f"status: must be one of {', '.join(RECORDED_STATUSES)}")
    by = _clean_name(by, "by", required=True)  # type: ignore[assignment]
    reason = None if reason is None or not reason.strip() else " ".join(reason.split())
    if status == "given":
        if at is None:
            raise RecordRefused("at: the date and time the dose was given is required")
        if moved_to is not None:
            raise RecordRefused("moved_to: only for a moved dose")
    else:
        if at is not None:
            raise RecordRefused("at: only for a given dose")
        if reason is None:
            raise RecordRefused(f"reason: a {status} dose needs the reason")
    if status == "moved" and moved_to is None:
        raise RecordRefused("moved_to: the new date is required")
    if status != "moved" and moved_to is not None:
        raise RecordRefused("moved_to: only for a moved dose")
    if toxicity_interruption_days is not None and not 0 <= toxicity_interruption_days <= 365:
        raise RecordRefused("toxicity_interruption_days: must be 0 to 365")

    with transaction(conn):
        course = _require_course(conn, mrn)
        _check_version(course, expected_version)
        cycle_row = _cycle_row(conn, int(course["id"]), cycle)
        cycle_id = int(cycle_row["id"])
        row = _dose_row(conn, cycle_id, day)
        scheduled = row["scheduled_date"]
        given_at = None
        if status == "moved":
            assert moved_to is not None
            options = schedule.reschedule_options(
                date.fromisoformat(cycle_row["start_date"]),
                day,
                _previous_given(conn, cycle_id, day),
            )
            if moved_to not in options.dates:
                allowed = ", ".join(d.isoformat() for d in options.dates) or "none"
                raise RecordRefused(
                    f"moved_to: {moved_to.isoformat()} is not allowed ({options.reason}; "
                    f"allowed: {allowed})"
                )
            scheduled = moved_to.isoformat()
        if status == "given":
            assert at is not None
            given_at = at.isoformat(timespec="minutes")
        if toxicity_interruption_days is None:
            # not given this time: keep what an earlier record said (held for 3 days, then given)
            toxicity_interruption_days = row["toxicity_interruption_days"]
        before = _dose_values(row)
        after = {
            "status": status,
            "scheduled_date": scheduled,
            "given_at": given_at,
            "reason": reason,
            "recorded_by": by,
            "toxicity_interruption_days": toxicity_interruption_days,
        }
        conn.execute(
            "UPDATE doses SET status = ?, scheduled_date = ?, given_at = ?, reason = ?, "
            "recorded_by = ?, recorded_at = ?, toxicity_interruption_days = ? WHERE id = ?",
            (
                status,
                scheduled,
                given_at,
                reason,
                by,
                audit.now_utc(),
                toxicity_interruption_days,
                row["id"],
            ),
        )
        audit.append(
            conn,
            action=f"dose.{status}",
            entity=f"course/{course['id']}/cycle/{cycle}/day/{day}",
            before=before,
            after=after,
            signed_by=by,
        )
        return _bump(conn, int(course["id"]))


def record_response(
    conn: sqlite3.Connection,
    mrn: str,
    cycle: int,
    response: Response,
    *,
    mrd_negative: bool = False,
    by: str,
    expected_version: int | None = None,
) -> int:
    """Record the response assessed at the end of a cycle (it decides the next cycle's
    regimen and whether treatment continues). Returns the new course version."""
    by = _clean_name(by, "by", required=True)  # type: ignore[assignment]
    with transaction(conn):
        course = _require_course(conn, mrn)
        _check_version(course, expected_version)
        row = _cycle_row(conn, int(course["id"]), cycle)
        before = {
            "response_after": row["response_after"],
            "mrd_negative_after": row["mrd_negative_after"],
        }
        after = {"response_after": response.value, "mrd_negative_after": int(mrd_negative)}
        conn.execute(
            "UPDATE cycles SET response_after = ?, mrd_negative_after = ? WHERE id = ?",
            (after["response_after"], after["mrd_negative_after"], row["id"]),
        )
        audit.append(
            conn,
            action="cycle.response",
            entity=f"course/{course['id']}/cycle/{cycle}",
            before=before,
            after=after,
            signed_by=by,
        )
        return _bump(conn, int(course["id"]))


# ---------------------------------------------------------------- reading a course


def _dose_out(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "day": row["day"],
        "planned_date": row["planned_date"],
        "planned_mg": row["planned_mg"],
        "planned_volume_ml": row["planned_volume_ml"],
        "status": row["status"],
        "scheduled_date": row["scheduled_date"],
        "given_at": row["given_at"],
        "reason": row["reason"],
        "recorded_by": row["recorded_by"],
        "recorded_at": row["recorded_at"],
        "toxicity_interruption_days": row["toxicity_interruption_days"],
    }


def course_data(conn: sqlite3.Connection, mrn: str, *, with_ids: bool) -> dict[str, Any]:
    """The whole course as plain JSON data, cycles in order, plans oldest first."""
    course = _require_course(conn, mrn)
    cycles = []
    for cycle in conn.execute(
        "SELECT * FROM cycles WHERE course_id = ? ORDER BY number", (course["id"],)
    ).fetchall():
        plans = []
        for row in conn.execute(
            "SELECT * FROM plans WHERE cycle_id = ? ORDER BY id", (cycle["id"],)
        ).fetchall():
            item: dict[str, Any] = {"id": row["id"]} if with_ids else {}
            item.update(
                {
                    "dose_day": row["dose_day"],
                    "decision": row["decision"],
                    "saved_at": row["saved_at"],
                    "saved_by": row["saved_by"],
                    "os_user": row["os_user"],
                    "request": json.loads(row["request_json"]),
                    "plan": json.loads(row["plan_json"]),
                    "double_checks": double_check.checks_data(conn, int(row["id"])),
                }
            )
            if with_ids:
                item["verification"] = double_check.status(conn, int(row["id"])).as_data()
            plans.append(item)
        doses = [
            _dose_out(row)
            for row in conn.execute(
                "SELECT * FROM doses WHERE cycle_id = ? ORDER BY day", (cycle["id"],)
            ).fetchall()
        ]
        interruptions = [d["toxicity_interruption_days"] or 0 for d in doses]
        cycles.append(
            {
                "number": cycle["number"],
                "start_date": cycle["start_date"],
                "dose_level": cycle["dose_level"],
                "response_after": cycle["response_after"],
                "mrd_negative_after": None
                if cycle["mrd_negative_after"] is None
                else bool(cycle["mrd_negative_after"]),
                "longest_toxicity_interruption_days": max(interruptions, default=0),
                "plans": plans,
                "doses": doses,
            }
        )
    data: dict[str, Any] = {
        "patient": {
            "name": course["name"],
            "mrn": course["mrn"],
            "date_of_birth": course["date_of_birth"],
            "sex": course["sex"],
        }
    }
    if with_ids:
        data["version"] = course["version"]
    data["cycles"] = cycles
    return data


def history(conn: sqlite3.Connection, mrn: str) -> dict[str, Any]:
    """The course as the window and ``history`` show it: with row ids, the version to save
    against, each plan's verification status and the course's audit entries."""
    data = course_data(conn, mrn, with_ids=True)
    course = _require_course(conn, mrn)
    data["audit"] = audit.entries(conn, f"course/{course['id']}")
    return data


# ---------------------------------------------------------------- the next cycle


def next_cycle_request(conn: sqlite3.Connection, mrn: str) -> dict[str, Any]:
    """A PlanRequest-shaped dict for Day 1 of the next cycle, filled from the course.

    Filled: label, patient, formula and institutional settings, cycle number and start
    date (the last cycle's next-cycle due date), the dose level in force (never lower than
    any before), the baseline counts (before treatment began), the counts at the start of
    the last cycle, the last cycle's longest toxicity interruption, the response recorded after the
    last cycle (empty until recorded),
    the last height, and the last weight as ``previous_weight_kg`` so the core warns
    ``weight_changed`` when today's weight differs by the threshold.
    Left for the pharmacist: ``weight_kg``, ``measured_on`` (weigh again) and ``labs``.
    """
    data = course_data(conn, mrn, with_ids=False)
    cycles = [c for c in data["cycles"] if c["plans"]]
    if not cycles:
        raise NotFound("this course has no saved plan to continue from")
    last = cycles[-1]
    last_plan = last["plans"][-1]
    request: dict[str, Any] = dict(last_plan["request"])
    plan_out = last_plan["plan"]

    baseline = next(
        (p["request"]["baseline"] for c in cycles for p in c["plans"] if p["request"]["baseline"]),
        None,
    ) or _cycle_1_day_1_counts(cycles)
    day1 = [p for p in last["plans"] if p["dose_day"] == 1]
    prior_start = (
        {
            "anc": day1[-1]["request"]["labs"]["anc"],
            "platelets": day1[-1]["request"]["labs"]["platelets"],
        }
        if day1
        else None  # no Day 1 plan in the last cycle: the pharmacist enters them
    )
    # The response after the last cycle must be assessed and entered, never assumed from
    # what was entered before that cycle: left empty until recorded.
    response = last["response_after"]
    mrd_negative = (
        last["mrd_negative_after"]
        if last["mrd_negative_after"] is not None
        else request.get("mrd_negative", False)
    )
    level = max(c["dose_level"] for c in data["cycles"])

    for key in ("weight_kg", "measured_on", "labs", "events"):
        request.pop(key, None)
    request.update(
        {
            "cycle": {
                "number": last["number"] + 1,
                "start_date": plan_out["cycle"]["next_cycle_due"],
                "extend_to_28_days": False,
            },
            "dose_day": 1,
            "response": response,
            "mrd_negative": mrd_negative,
            "dose_level": level,
            "longest_toxicity_interruption_days": last["longest_toxicity_interruption_days"],
            "baseline": baseline,
            "prior_cycle_start": prior_start,
            "height_cm": plan_out["height_cm"],
            "previous_weight_kg": plan_out["weight_kg"],
        }
    )
    return request


def _cycle_1_day_1_counts(cycles: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The counts before treatment began: cycle 1 Day 1's labs, where no separate baseline
    was entered (in cycle 1 the day's counts are the baseline)."""
    for cycle in cycles:
        if cycle["number"] != 1:
            continue
        day1 = [plan for plan in cycle["plans"] if plan["dose_day"] == 1]
        if day1:
            labs = day1[0]["request"]["labs"]
            return {"anc": labs["anc"], "platelets": labs["platelets"]}
    return None


def latest_plan_id(conn: sqlite3.Connection, mrn: str, cycle: int, day: int) -> int:
    """The plan in force for a cycle and dose day (the latest saved)."""
    course = _require_course(conn, mrn)
    cycle_row = _cycle_row(conn, int(course["id"]), cycle)
    row = conn.execute(
        "SELECT MAX(id) FROM plans WHERE cycle_id = ? AND dose_day = ?", (cycle_row["id"], day)
    ).fetchone()
    if row[0] is None:
        raise NotFound(f"no plan is stored for cycle {cycle} Day {day}")
    return int(row[0])
