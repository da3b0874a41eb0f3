"""Moving a course between databases as JSON: export, then import elsewhere.

The file holds the patient, every cycle with every plan as computed (request and plan), the
administration record and the double checks; not this database's row ids, course version
or audit trail (the receiving database records the import in its own trail). Export,
import into another database, export again gives the same file.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError

from besponsa_desktop.core.models import Patient, Plan, Response
from besponsa_desktop.core.validation import InvalidRequest, parse_request, problems_from
from besponsa_desktop.store import audit
from besponsa_desktop.store.courses import DOSE_STATUSES, course_data
from besponsa_desktop.store.database import transaction
from besponsa_desktop.store.errors import RecordRefused

FORMAT = "besponsa-desktop course"
FORMAT_VERSION = 1


def export_course(conn: sqlite3.Connection, mrn: str) -> dict[str, Any]:
    data = course_data(conn, mrn, with_ids=False)
    return {"format": FORMAT, "format_version": FORMAT_VERSION, **data}


def export_text(conn: sqlite3.Connection, mrn: str) -> str:
    return json.dumps(export_course(conn, mrn), indent=2, ensure_ascii=False) + "\n"


class _Refuse(RecordRefused):
    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}; nothing was imported")


def _get(obj: Any, key: str, path: str) -> Any:
    if not isinstance(obj, dict):
        raise _Refuse(path, "must be an object")
    if key not in obj:
        raise _Refuse(f"{path}.{key}" if path else key, "is required")
    return obj[key]


def _list(obj: Any, key: str, path: str) -> list[Any]:
    value = _get(obj, key, path)
    if not isinstance(value, list):
        raise _Refuse(f"{path}.{key}", "must be a list")
    return value


def _check(path: str, ok: bool, message: str) -> None:
    if not ok:
        raise _Refuse(path, message)


def _iso(value: Any, path: str, kind: type[date] | type[datetime], optional: bool) -> Any:
    if value is None and optional:
        return None
    try:
        if not isinstance(value, str):
            raise ValueError
        kind.fromisoformat(value)
    except ValueError:
        raise _Refuse(
            path, "must be an ISO date" + (" and time" if kind is datetime else "")
        ) from None
    return value


def _text(value: Any, path: str, optional: bool = True) -> str | None:
    if value is None and optional:
        return None
    _check(path, isinstance(value, str) and 0 < len(value) <= 2000, "must be text")
    return str(value)


def _number(value: Any, path: str) -> float:
    _check(path, isinstance(value, int | float) and not isinstance(value, bool), "must be a number")
    return float(value)


def _first_problem(error: InvalidRequest) -> str:
    problem = error.problems[0]
    return f"{problem.path}: {problem.message}" if problem.path else problem.message


def import_course(conn: sqlite3.Connection, data: Any, *, signed_by: str | None = None) -> str:
    """Load an exported course. Refused whole (nothing saved) if anything does not validate,
    or if this database already has a course for the MRN. Returns the MRN."""
    _check(
        "format", isinstance(data, dict) and data.get("format") == FORMAT, f"is not a {FORMAT} file"
    )
    _check(
        "format_version",
        data.get("format_version") == FORMAT_VERSION,
        f"must be {FORMAT_VERSION} (this program reads version {FORMAT_VERSION})",
    )
    try:
        patient = Patient.model_validate_json(json.dumps(_get(data, "patient", "")))
    except ValidationError as error:
        problem = problems_from(error)[0]
        raise _Refuse(f"patient.{problem.path}", problem.message) from None
    cycles = _list(data, "cycles", "")
    prepared = [_cycle(patient, c, f"cycles[{i}]") for i, c in enumerate(cycles)]
    numbers = [c["number"] for c in prepared]
    _check("cycles", len(set(numbers)) == len(numbers), "a cycle number appears twice")
    digest = hashlib.sha256(audit.canonical(data).encode("utf-8")).hexdigest()

    with transaction(conn):
        exists = conn.execute("SELECT 1 FROM patients WHERE mrn = ?", (patient.mrn,)).fetchone()
        if exists:
            raise RecordRefused(
                "patient.mrn: this database already has a course for this MRN; nothing was imported"
            )
        now = audit.now_utc()
        patient_id = conn.execute(
            "INSERT INTO patients (mrn, name, date_of_birth, sex, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (patient.mrn, patient.name, patient.date_of_birth.isoformat(), patient.sex.value, now),
        ).lastrowid
        course_id = conn.execute(
            "INSERT INTO courses (patient_id, version, created_at, updated_at) VALUES (?, 1, ?, ?)",
            (patient_id, now, now),
        ).lastrowid
        plan_hashes = []
        for cycle in prepared:
            plan_hashes += _insert_cycle(conn, int(course_id or 0), cycle)
        audit.append(
            conn,
            action="course.import",
            entity=f"course/{course_id}",
            before=None,
            after={
                "file_sha256": digest,
                "cycles": len(prepared),
                "plans": sum(len(c["plans"]) for c in prepared),
                "plan_hashes": plan_hashes,
            },
            signed_by=signed_by,
        )
    return patient.mrn


def _cycle(patient: Patient, raw: Any, path: str) -> dict[str, Any]:
    number = _get(raw, "number", path)
    _check(
        f"{path}.number",
        isinstance(number, int) and not isinstance(number, bool) and number >= 1,
        "must be a whole number from 1",
    )
    level = _get(raw, "dose_level", path)
    _check(
        f"{path}.dose_level",
        level in (0, 1, 2) and not isinstance(level, bool),
        "must be 0, 1 or 2",
    )
    response = _get(raw, "response_after", path)
    _check(
        f"{path}.response_after",
        response is None or response in tuple(r.value for r in Response),
        "must be cr, cri, none or null",
    )
    mrd = _get(raw, "mrd_negative_after", path)
    _check(
        f"{path}.mrd_negative_after",
        mrd is None or isinstance(mrd, bool),
        "must be true, false or null",
    )
    cycle = {
        "number": number,
        "start_date": _iso(_get(raw, "start_date", path), f"{path}.start_date", date, False),
        "dose_level": level,
        "response_after": response,
        "mrd_negative_after": None if mrd is None else int(mrd),
        "plans": [],
        "doses": [],
    }
    for index, plan in enumerate(_list(raw, "plans", path)):
        cycle["plans"].append(_plan(patient, number, plan, f"{path}.plans[{index}]"))
    days = set()
    for index, dose in enumerate(_list(raw, "doses", path)):
        item = _dose(dose, f"{path}.doses[{index}]")
        _check(f"{path}.doses[{index}].day", item["day"] not in days, "appears twice")
        days.add(item["day"])
        cycle["doses"].append(item)
    return cycle


def _plan(patient: Patient, number: int, raw: Any, path: str) -> dict[str, Any]:
    try:
        request = parse_request(_get(raw, "request", path))
    except InvalidRequest as error:
        raise _Refuse(f"{path}.request", _first_problem(error)) from None
    try:
        plan = Plan.model_validate_json(json.dumps(_get(raw, "plan", path)))
    except ValidationError as error:
        problem = problems_from(error)[0]
        raise _Refuse(f"{path}.plan.{problem.path}", problem.message) from None
    _check(
        f"{path}.plan.patient",
        plan.patient == patient and request.patient == patient,
        "is not the course's patient",
    )
    _check(f"{path}.plan.request", plan.request == request, "differs from the request")
    _check(
        f"{path}.plan.cycle.number",
        plan.cycle.number == number,
        "differs from the cycle it is filed under",
    )
    day = _get(raw, "dose_day", path)
    _check(f"{path}.dose_day", day == plan.dose_day, "differs from the plan's dose day")
    decision = _get(raw, "decision", path)
    _check(f"{path}.decision", decision == plan.decision.value, "differs from the plan's")
    checks = [
        {
            "prepared_by": _text(_get(c, "prepared_by", p), f"{p}.prepared_by", False),
            "checked_by": _text(_get(c, "checked_by", p), f"{p}.checked_by", False),
            "checked_at": _iso(_get(c, "checked_at", p), f"{p}.checked_at", datetime, False),
            "height_cm": _number(_get(c, "height_cm", p), f"{p}.height_cm"),
            "weight_kg": _number(_get(c, "weight_kg", p), f"{p}.weight_kg"),
            "matched": _get(c, "matched", p),
            "mismatch": _text(_get(c, "mismatch", p), f"{p}.mismatch"),
        }
        for i, c in enumerate(_list(raw, "double_checks", path))
        for p in [f"{path}.double_checks[{i}]"]
    ]
    for i, c in enumerate(checks):
        _check(
            f"{path}.double_checks[{i}].matched",
            isinstance(c["matched"], bool),
            "must be true or false",
        )
    return {
        "dose_day": plan.dose_day,
        "decision": plan.decision.value,
        "saved_at": _iso(_get(raw, "saved_at", path), f"{path}.saved_at", datetime, False),
        "saved_by": _text(_get(raw, "saved_by", path), f"{path}.saved_by"),
        "os_user": _text(_get(raw, "os_user", path), f"{path}.os_user", False),
        "request_json": request.model_dump_json(),
        "plan_json": plan.model_dump_json(),
        "double_checks": checks,
    }


def _dose(raw: Any, path: str) -> dict[str, Any]:
    day = _get(raw, "day", path)
    _check(f"{path}.day", day in (1, 8, 15) and not isinstance(day, bool), "must be 1, 8 or 15")
    status = _get(raw, "status", path)
    _check(f"{path}.status", status in DOSE_STATUSES, f"must be one of {', '.join(DOSE_STATUSES)}")
    days = _get(raw, "toxicity_interruption_days", path)
    _check(
        f"{path}.toxicity_interruption_days",
        days is None or (isinstance(days, int) and not isinstance(days, bool) and 0 <= days <= 365),
        "must be 0 to 365 or null",
    )
    return {
        "day": day,
        "planned_date": _iso(_get(raw, "planned_date", path), f"{path}.planned_date", date, False),
        "planned_mg": _number(_get(raw, "planned_mg", path), f"{path}.planned_mg"),
        "planned_volume_ml": _number(
            _get(raw, "planned_volume_ml", path), f"{path}.planned_volume_ml"
        ),
        "status": status,
        "scheduled_date": _iso(
            _get(raw, "scheduled_date", path), f"{path}.scheduled_date", date, False
        ),
        "given_at": _iso(_get(raw, "given_at", path), f"{path}.given_at", datetime, True),
        "reason": _text(_get(raw, "reason", path), f"{path}.reason"),
        "recorded_by": _text(_get(raw, "recorded_by", path), f"{path}.recorded_by"),
        "recorded_at": _iso(_get(raw, "recorded_at", path), f"{path}.recorded_at", datetime, True),
        "toxicity_interruption_days": days,
    }


def _insert_cycle(
    conn: sqlite3.Connection, course_id: int, cycle: dict[str, Any]
) -> list[dict[str, Any]]:
    """Insert a cycle; returns each plan's id and hashes for the audit entry."""
    hashes = []
    cycle_id = conn.execute(
        "INSERT INTO cycles (course_id, number, start_date, dose_level, response_after, "
        "mrd_negative_after) VALUES (?, ?, ?, ?, ?, ?)",
        (
            course_id,
            cycle["number"],
            cycle["start_date"],
            cycle["dose_level"],
            cycle["response_after"],
            cycle["mrd_negative_after"],
        ),
    ).lastrowid
    for plan in cycle["plans"]:
        plan_id = conn.execute(
            "INSERT INTO plans (cycle_id, dose_day, decision, saved_at, saved_by, os_user, "
            "request_json, plan_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                cycle_id,
                plan["dose_day"],
                plan["decision"],
                plan["saved_at"],
                plan["saved_by"],
                plan["os_user"],
                plan["request_json"],
                plan["plan_json"],
            ),
        ).lastrowid
        hashes.append(audit.plan_hashes(int(plan_id or 0), plan["request_json"], plan["plan_json"]))
        for check in plan["double_checks"]:
            conn.execute(
                "INSERT INTO double_checks (plan_id, prepared_by, checked_by, checked_at, "
                "height_cm, weight_kg, matched, mismatch) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    plan_id,
                    check["prepared_by"],
                    check["checked_by"],
                    check["checked_at"],
                    check["height_cm"],
                    check["weight_kg"],
                    int(check["matched"]),
                    check["mismatch"],
                ),
            )
    for dose in cycle["doses"]:
        conn.execute(
            "INSERT INTO doses (cycle_id, day, planned_date, planned_mg, planned_volume_ml, "
            "status, scheduled_date, given_at, reason, recorded_by, recorded_at, "
            "toxicity_interruption_days) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                cycle_id,
                dose["day"],
                dose["planned_date"],
                dose["planned_mg"],
                dose["planned_volume_ml"],
                dose["status"],
                dose["scheduled_date"],
                dose["given_at"],
                dose["reason"],
                dose["recorded_by"],
                dose["recorded_at"],
                dose["toxicity_interruption_days"],
            ),
        )
    return hashes
