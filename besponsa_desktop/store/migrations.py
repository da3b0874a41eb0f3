"""Bringing a database to the current schema (version 3, the event log; Alembic revisions
from there on, see ``schema_history``), in one transaction: a crash leaves the old version
or the new one, never half-way. A SQLite file is upgraded when opened; a ward database
(PostgreSQL) only by IT's ``besponsa-desktop db upgrade``.

Version 1 and 2 databases (tables of cycles, plans, doses, double checks and an audit
table) are converted with nothing lost: their tables are kept, renamed ``legacy_*``; each
course's rows become events in the order they were recorded (``legacy.course_events``); a
first event row records the migration and the head of the old audit chain, so the new
chain vouches for the old one, which ``audit verify`` still walks.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, select, text

from besponsa_desktop.store import chain, dialect, legacy, legacy_schema, schema_history, tables
from besponsa_desktop.store.errors import NewerDatabase, StoreError

LEGACY_TABLES = ("courses", "cycles", "plans", "doses", "double_checks", "audit")
MIGRATION_KIND = "schema_migrated"


def migrate(conn: Connection) -> tuple[int, int]:
    """Bring a SQLite file to the newest schema revision. Returns (schema version before,
    after): ``PRAGMA user_version`` is kept at SCHEMA_VERSION beside Alembic's revision, so
    that a program older than the event log refuses the file instead of misreading it."""
    latest = tables.SCHEMA_VERSION
    with conn.begin():
        before = dialect.schema_version(conn)
        if before > latest:
            raise NewerDatabase(
                f"this database has schema version {before}; this program knows up to "
                f"{latest}. Use a newer besponsa-desktop"
            )
        revision = schema_history.current(conn)
        if before == latest and revision == schema_history.HEAD:
            return before, before
        if revision is not None:
            _refuse_unknown(revision)
        found = dialect.table_names(conn)
        if before == 0 and found:
            raise StoreError("the file is not a besponsa-desktop database (it holds other "
                             "tables); it was not changed")
        if before in (1, 2):
            _convert_legacy(conn, before)
        elif before == latest and revision is None:
            # made by this program before its schema had revisions: the same tables
            schema_history.stamp(conn, schema_history.FIRST)
        schema_history.upgrade(conn)
        dialect.set_schema_version(conn, latest)
    return before, latest


def check_server(conn: Connection) -> None:
    """A ward database is upgraded by IT (``db upgrade``), never by a workstation: refuse
    one that is not at this program's revision, saying what to do."""
    with conn.begin():
        revision = schema_history.current(conn)
    if revision == schema_history.HEAD:
        return
    if revision is None:
        raise StoreError("the ward database has no course tables yet: IT creates them with "
                         "`besponsa-desktop db init` (see docs/ward-deployment.md)")
    _refuse_unknown(revision)
    raise StoreError(f"the ward database is at schema revision {revision}; this program "
                     f"needs {schema_history.HEAD}: IT upgrades it with "
                     "`besponsa-desktop db upgrade` (see docs/ward-deployment.md)")


def _refuse_unknown(revision: str) -> None:
    if not schema_history.known(revision):
        raise NewerDatabase(f"this database has schema revision {revision}, unknown to this "
                            "program. Use a newer besponsa-desktop")


def _convert_legacy(conn: Connection, before: int) -> None:
    """A version 1 or 2 file: its tables kept as legacy_*, its courses turned into events
    at the first revision's tables (its patients table has their shape already)."""
    for number in range(before + 1, len(legacy_schema.MIGRATIONS) + 1):
        for statement in legacy_schema.statements(legacy_schema.MIGRATIONS[number - 1]):
            conn.exec_driver_sql(statement)
    courses = _legacy_courses(conn)
    legacy_head = legacy.verify_audit(
        conn.execute(text("SELECT * FROM audit ORDER BY id")).mappings())
    for name in LEGACY_TABLES:
        conn.exec_driver_sql(f"ALTER TABLE {name} RENAME TO legacy_{name}")
    schema_history.upgrade(conn, schema_history.FIRST)
    conn.exec_driver_sql(
        "INSERT INTO courses (id, patient_id, created_at) "
        "SELECT id, patient_id, created_at FROM legacy_courses ORDER BY id")
    _append(conn, None, 1, {
        "kind": MIGRATION_KIND, "by": None, "at": chain.now_utc(),
        "schema_version_before": before, "schema_version_after": tables.SCHEMA_VERSION,
        "legacy_audit_entries": legacy_head[1], "legacy_audit_head": legacy_head[3],
        "legacy_audit_intact": legacy_head[0],
    })
    for course_id, data in courses:
        for seq, event in enumerate(legacy.course_events(data), start=1):
            _append(conn, course_id, seq, event)


def _append(conn: Connection, course_id: int | None, seq: int, event: dict[str, Any]) -> None:
    from besponsa_desktop.store.repository import append_row

    append_row(conn, course_id, seq, event)


def _legacy_courses(conn: Connection) -> list[tuple[int, dict[str, Any]]]:
    """Each stored course in the older layout, as export format 1 wrote it."""
    found = []
    entries = [dict(e) for e in conn.execute(
        text("SELECT id, action, entity, after_json, signed_by FROM audit ORDER BY id")).mappings()]
    for course in conn.execute(text("SELECT * FROM courses ORDER BY id")).mappings():
        patient = conn.execute(text("SELECT * FROM patients WHERE id = :id"),
                               {"id": course["patient_id"]}).mappings().one()
        cycles = []
        for cycle in conn.execute(text("SELECT * FROM cycles WHERE course_id = :id "
                                       "ORDER BY number"), {"id": course["id"]}).mappings():
            plans = []
            for plan in conn.execute(text("SELECT * FROM plans WHERE cycle_id = :id ORDER BY id"),
                                     {"id": cycle["id"]}).mappings():
                checks = [dict(c) for c in conn.execute(
                    text("SELECT * FROM double_checks WHERE plan_id = :id ORDER BY id"),
                    {"id": plan["id"]}).mappings()]
                plans.append({"_id": plan["id"], "dose_day": plan["dose_day"],
                              "saved_at": plan["saved_at"],
                              "saved_by": plan["saved_by"], "os_user": plan["os_user"],
                              "request": json.loads(plan["request_json"]),
                              "plan": json.loads(plan["plan_json"]),
                              "double_checks": checks})
            doses = [dict(d) for d in conn.execute(
                text("SELECT * FROM doses WHERE cycle_id = :id ORDER BY day"),
                {"id": cycle["id"]}).mappings()]
            cycles.append({"number": cycle["number"], "start_date": cycle["start_date"],
                           "dose_level": cycle["dose_level"],
                           "response_after": cycle["response_after"],
                           "mrd_negative_after": cycle["mrd_negative_after"],
                           "plans": plans, "doses": doses})
        data = {
            "patient": {k: patient[k] for k in ("mrn", "name", "date_of_birth", "sex")},
            "cycles": cycles,
        }
        _audit_order(data, int(course["id"]), entries)
        found.append((int(course["id"]), data))
    return found


def _audit_order(data: dict[str, Any], course_id: int, entries: list[dict[str, Any]]) -> None:
    """Mark each plan, check, dose record and response with the id of the old audit entry
    that recorded it (``_order``): the order things were recorded in."""
    prefix = f"course/{course_id}"
    mine = [e for e in entries if e["entity"] == prefix or e["entity"].startswith(prefix + "/")]
    imported = [e["id"] for e in mine if e["action"] == "course.import"]
    data["_order"] = imported[0] if imported else 0
    saved: dict[Any, int] = {}
    checks: dict[Any, list[int]] = {}
    for entry in mine:
        after = json.loads(entry["after_json"]) if entry["after_json"] else {}
        if entry["action"] == "plan.save":
            saved[after.get("plan_id")] = entry["id"]
        elif entry["action"] == "plan.double_check":
            checks.setdefault(after.get("plan_id"), []).append(entry["id"])
    for cycle in data["cycles"]:
        where = f"{prefix}/cycle/{cycle['number']}"
        responses = [e for e in mine if e["entity"] == where
                     and e["action"] == "cycle.response"]
        if responses:
            cycle["_response_order"] = responses[-1]["id"]
            cycle["_response_by"] = responses[-1]["signed_by"]
        for plan in cycle["plans"]:
            plan_id = plan.pop("_id", None)
            if plan_id in saved:
                plan["_order"] = saved[plan_id]
            for check, entry_id in zip(plan["double_checks"], checks.get(plan_id, []),
                                       strict=False):
                check["_order"] = entry_id
        for dose in cycle["doses"]:
            records = [e["id"] for e in mine if e["entity"] == f"{where}/day/{dose['day']}"
                       and e["action"] == f"dose.{dose['status']}"]
            if records:
                dose["_order"] = records[-1]


def verify_legacy(conn: Connection) -> chain.Verification | None:
    """After a migration: the old audit chain must still end where the migration recorded
    it did. None when there is nothing to check (or it holds)."""
    if "legacy_audit" not in dialect.table_names(conn):
        return None
    row = conn.execute(select(tables.events).where(tables.events.c.kind == MIGRATION_KIND)
                       .order_by(tables.events.c.id).limit(1)).mappings().first()
    if row is None:
        return chain.Verification(False, 0, None, "the migration entry is missing")
    recorded = json.loads(row["payload"])
    intact, entries, problem, head = legacy.verify_audit(
        conn.execute(text("SELECT * FROM legacy_audit ORDER BY id")).mappings())
    if not intact or head != recorded["legacy_audit_head"] \
            or entries != recorded["legacy_audit_entries"]:
        return chain.Verification(
            False, 0, int(row["id"]),
            problem or f"the pre-migration audit trail no longer ends where entry "
            f"{row['id']} recorded it did")
    return None
