"""The rows the hash chain does not cover, checked against the rows it does.

The chain covers every event; ``patients`` and ``courses`` are indexes over them (to find
a course by MRN). So ``audit verify`` also checks that each patient row says what the
course's own events say (MRN, name, date of birth, sex, as in every saved plan), that each
course belongs to one patient and has events, that every event belongs to a course that
exists, and that the append-only guards are in place. A patient row edited, inserted or
deleted, a course moved to another patient or a trigger dropped is then named, like a
broken entry.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, select

from besponsa_desktop.store import chain, dialect, tables

PATIENT_FIELDS = ("mrn", "name", "date_of_birth", "sex")


def _patient_in_events(payloads: list[dict[str, Any]]) -> dict[str, Any] | None:
    for payload in payloads:
        plan = payload.get("plan")
        patient = plan.get("patient") if isinstance(plan, dict) else None
        if isinstance(patient, dict):
            return patient
    return None


def check(conn: Connection, result: chain.Verification) -> chain.Verification:
    """``result`` (an intact chain), or the first row outside the chain that disagrees."""

    def broken(problem: str, entry: int | None = None) -> chain.Verification:
        return chain.Verification(False, result.entries, entry, problem, result.head)

    patients = {row.id: row for row in conn.execute(select(tables.patients))}
    courses = {row.id: row for row in conn.execute(select(tables.courses))}
    events: dict[int, list[tuple[int, dict[str, Any]]]] = {}
    for row in conn.execute(select(tables.events.c.id, tables.events.c.course_id,
                                   tables.events.c.payload).order_by(tables.events.c.id)):
        if row.course_id is None:
            continue  # a change to the database itself (a migration)
        if row.course_id not in courses:
            return broken(f"entry {row.id} belongs to course {row.course_id}, which is "
                          "missing (the course was deleted)", row.id)
        events.setdefault(row.course_id, []).append((row.id, json.loads(row.payload)))
    owners: dict[int, int] = {}
    for course in courses.values():
        if course.patient_id not in patients:
            return broken(f"course {course.id} belongs to patient row {course.patient_id}, "
                          "which is missing")
        if course.patient_id in owners:
            return broken(f"patient row {course.patient_id} has two courses")
        owners[course.patient_id] = course.id
        own = events.get(course.id)
        if not own:
            return broken(f"course {course.id} has no entries (it was inserted outside the "
                          "program)")
        recorded = _patient_in_events([payload for _, payload in own])
        row = patients[course.patient_id]
        if recorded is not None:
            for field in PATIENT_FIELDS:
                if str(getattr(row, field)) != str(recorded.get(field)):
                    return broken(f"the patient row of course {course.id} differs from the "
                                  f"patient in its entries ({field}; entry {own[0][0]})",
                                  own[0][0])
    for patient_id in patients:
        if patient_id not in owners:
            return broken(f"patient row {patient_id} has no course (it was inserted outside "
                          "the program)")
    missing = dialect.missing_guards(conn)
    if missing:
        return broken(f"the append-only guard {missing[0]} was removed (the database was "
                      "changed outside the program)")
    return result
