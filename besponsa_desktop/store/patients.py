"""Finding a stored patient by MRN or name, for the window's "Open patient" search."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

MAX_MATCHES = 50


@dataclass(frozen=True)
class PatientMatch:
    mrn: str
    name: str
    date_of_birth: str  # ISO date
    sex: str
    cycles: int  # cycles stored in the course
    last_cycle_start: str | None  # ISO date of the latest cycle's Day 1


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def find_patients(
    conn: sqlite3.Connection, text: str, limit: int = MAX_MATCHES
) -> list[PatientMatch]:
    """Patients whose MRN or name contains ``text`` (case-insensitive; every word of a
    name must appear, in any order), exact MRN first, then by name. Empty text: none."""
    words = text.split()
    if not words:
        return []
    whole = " ".join(words)
    clauses = ["(patients.mrn LIKE ? ESCAPE '\\' OR (" + " AND ".join(
        ["patients.name LIKE ? ESCAPE '\\'"] * len(words)) + "))"]
    params: list[object] = [_like(whole), *[_like(word) for word in words]]
    rows = conn.execute(
        "SELECT patients.mrn, patients.name, patients.date_of_birth, patients.sex, "
        "COUNT(cycles.id) AS cycles, MAX(cycles.start_date) AS last_start "
        "FROM patients JOIN courses ON courses.patient_id = patients.id "
        "LEFT JOIN cycles ON cycles.course_id = courses.id "
        f"WHERE {clauses[0]} GROUP BY patients.id "
        "ORDER BY (upper(patients.mrn) = upper(?)) DESC, patients.name COLLATE NOCASE, "
        "patients.mrn LIMIT ?",
        (*params, whole, limit),
    ).fetchall()
    return [
        PatientMatch(row[0], row[1], row[2], row[3], int(row[4]), row[5]) for row in rows
    ]
