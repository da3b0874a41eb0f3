"""The first two schema versions (SQLite only), as released: tables of cycles, plans,
doses and double checks, and a hash-chained audit table. Kept to bring a database of
version 1 to version 2 before ``migrations`` turns it into the event log (version 3).
Never edit a released migration.
"""

from __future__ import annotations

import sqlite3

# Version 1: patients, one course each, cycles, planned/actual doses, every plan as computed
# (request and plan JSON), and the hash-chained audit trail guarded by triggers.
V1 = """
CREATE TABLE patients (
    id INTEGER PRIMARY KEY,
    mrn TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    date_of_birth TEXT NOT NULL,
    sex TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE courses (
    id INTEGER PRIMARY KEY,
    patient_id INTEGER NOT NULL UNIQUE REFERENCES patients(id),
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE cycles (
    id INTEGER PRIMARY KEY,
    course_id INTEGER NOT NULL REFERENCES courses(id),
    number INTEGER NOT NULL,
    start_date TEXT NOT NULL,
    dose_level INTEGER NOT NULL,
    UNIQUE (course_id, number)
);
CREATE TABLE plans (
    id INTEGER PRIMARY KEY,
    cycle_id INTEGER NOT NULL REFERENCES cycles(id),
    dose_day INTEGER NOT NULL,
    decision TEXT NOT NULL,
    saved_at TEXT NOT NULL,
    saved_by TEXT,
    os_user TEXT NOT NULL,
    request_json TEXT NOT NULL,
    plan_json TEXT NOT NULL
);
CREATE INDEX plans_by_cycle ON plans (cycle_id, dose_day);
CREATE TABLE doses (
    id INTEGER PRIMARY KEY,
    cycle_id INTEGER NOT NULL REFERENCES cycles(id),
    day INTEGER NOT NULL,
    planned_date TEXT NOT NULL,
    planned_mg REAL NOT NULL,
    planned_volume_ml REAL NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('planned', 'given', 'held', 'moved', 'omitted')),
    scheduled_date TEXT NOT NULL,
    given_at TEXT,
    reason TEXT,
    recorded_by TEXT,
    recorded_at TEXT,
    UNIQUE (cycle_id, day)
);
CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    os_user TEXT NOT NULL,
    signed_by TEXT,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
"""

# Version 2: the independent double check, the response assessed after a cycle, and the
# length of a dose interruption for toxicity (Table 4 needs the longest one per cycle).
V2 = """
CREATE TABLE double_checks (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plans(id),
    prepared_by TEXT NOT NULL,
    checked_by TEXT NOT NULL,
    checked_at TEXT NOT NULL,
    height_cm REAL NOT NULL,
    weight_kg REAL NOT NULL,
    matched INTEGER NOT NULL CHECK (matched IN (0, 1)),
    mismatch TEXT
);
CREATE INDEX double_checks_by_plan ON double_checks (plan_id);
ALTER TABLE cycles ADD COLUMN response_after TEXT;
ALTER TABLE cycles ADD COLUMN mrd_negative_after INTEGER;
ALTER TABLE doses ADD COLUMN toxicity_interruption_days INTEGER;
"""

MIGRATIONS: tuple[str, ...] = (V1, V2)


def statements(script: str) -> list[str]:
    """Split a script into statements; a trigger body's semicolons stay inside it."""
    found: list[str] = []
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            if pending.strip():
                found.append(pending.strip())
            pending = ""
    if pending.strip():
        raise ValueError("incomplete statement at the end of a migration")
    return found
