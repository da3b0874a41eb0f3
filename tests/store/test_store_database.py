"""Opening the database: private files, WAL and synchronous=FULL, refusing what is not ours
or is newer, and migrating older databases with nothing lost."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from besponsa_desktop.app.courses import CourseService
from besponsa_desktop.store import dialect, legacy, legacy_schema, migrations, tables
from besponsa_desktop.store.errors import NewerDatabase, StoreError
from besponsa_desktop.store.repository import SqlCourseStore, open_store
from tests.store.store_helpers import MRN

FIXTURES = Path(__file__).with_name("fixtures")
FIXTURE_V1 = FIXTURES / "schema_v1.sql"
FIXTURE_V2 = FIXTURES / "schema_v2.sql"


def test_database_and_its_wal_files_are_private_to_the_user(db_path: Path) -> None:
    old = os.umask(0o022)
    try:
        store = open_store(db_path)
        store.append({"mrn": "X1", "name": "A B", "date_of_birth": "1980-01-01",
                      "sex": "female"}, 0, [{"kind": "note", "by": "x", "at": "now"}])
        for name in (db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm")):
            if name.exists():
                assert name.stat().st_mode & 0o077 == 0, name
        store.close()
    finally:
        os.umask(old)


def test_database_uses_write_ahead_logging_full_sync_and_waits_for_writers(
    store: SqlCourseStore, db_path: Path,
) -> None:
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar_one() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar_one() >= 10_000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1


def test_default_location_is_the_user_data_folder() -> None:
    import platformdirs

    folder = platformdirs.user_data_dir("besponsa-desktop", appauthor=False)
    assert dialect.default_path() == Path(folder) / dialect.DB_NAME


def test_a_file_that_is_not_a_database_is_refused_in_words(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    path.write_text("this is not a database\n" * 100)
    with pytest.raises(StoreError, match="not a besponsa-desktop database"):
        open_store(path)


def test_another_programs_database_is_refused_and_left_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite3"
    raw = sqlite3.connect(path)
    raw.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    raw.commit()
    raw.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="not a besponsa-desktop database"):
        open_store(path)
    assert path.read_bytes() == before  # no tables added, not switched to WAL
    assert not Path(f"{path}-wal").exists()


def test_a_database_from_a_newer_program_is_refused(db_path: Path) -> None:
    raw = sqlite3.connect(db_path)
    raw.execute(f"PRAGMA user_version = {tables.SCHEMA_VERSION + 1}")
    raw.close()
    with pytest.raises(NewerDatabase):
        open_store(db_path)


def _load(path: Path, fixture: Path) -> None:
    raw = sqlite3.connect(path)
    raw.executescript(fixture.read_text(encoding="utf-8"))
    raw.close()


def _rows(path: Path, table: str) -> list[tuple]:
    raw = sqlite3.connect(path)
    try:
        return raw.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
    finally:
        raw.close()


OLD_TABLES = ("courses", "cycles", "plans", "doses", "audit")


def test_migrating_a_version_1_database_keeps_every_record(db_path: Path) -> None:
    _load(db_path, FIXTURE_V1)
    before = {table: _rows(db_path, table) for table in (*OLD_TABLES, "patients")}
    assert all(before.values()), "the fixture must hold rows in every table"

    service = CourseService(db=db_path)
    assert service.verify().intact
    # Nothing lost: every old row is kept as it was, in a legacy_ table.
    for table in OLD_TABLES:  # (version 2 added columns at the end: the old ones are kept)
        kept = [row[: len(old)] for row, old in zip(_rows(db_path, f"legacy_{table}"),
                                                   before[table], strict=True)]
        assert kept == before[table], table
    assert _rows(db_path, "patients") == before["patients"]
    raw = sqlite3.connect(db_path)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == tables.SCHEMA_VERSION
    first = raw.execute("SELECT kind, course_id, payload FROM events ORDER BY id").fetchone()
    raw.close()
    assert first[0] == migrations.MIGRATION_KIND and first[1] is None
    recorded = json.loads(first[2])
    assert recorded["schema_version_before"] == 1
    assert recorded["legacy_audit_entries"] == len(before["audit"])
    assert recorded["legacy_audit_head"] == before["audit"][-1][-1]

    # The rows became events in the order they were recorded.
    loaded = service.store.load(MRN)
    assert loaded is not None
    assert [(e.kind, e.payload.get("day")) for e in loaded.events] == [
        ("plan_saved", None), ("dose_given", 1), ("dose_held", 8), ("plan_saved", None)]
    # Replayed through today's rules: cycle 1 as recorded; the cycle 2 plan, saved before
    # any response was recorded, is refused by the rules and named, never silently kept.
    history = service.history(MRN)
    assert [(d["day"], d["status"]) for d in history["cycles"][0]["doses"]] == [
        (1, "given"), (8, "held"), (15, "scheduled")]
    assert "entry 4 (plan_saved)" in history["refused_entries"]
    assert "response_not_recorded" in history["refused_entries"]
    with pytest.raises(StoreError, match="cannot be continued"):
        service.next_cycle_request(MRN)
    # The other patient's course passes today's rules and continues like any other.
    other = service.history("M7654321")
    assert other["refused_entries"] is None and other["state"]["status"] == "active"
    service.close()


def test_migrating_a_version_2_database_keeps_checks_responses_and_interruptions(
    db_path: Path,
) -> None:
    _load(db_path, FIXTURE_V2)
    service = CourseService(db=db_path)
    loaded = service.store.load(MRN)
    assert loaded is not None
    kinds = [e.kind for e in loaded.events]
    assert kinds == ["plan_saved", "double_checked", "dose_given", "dose_held", "dose_given",
                     "dose_given", "response_recorded", "plan_saved"]
    held = loaded.events[3].payload
    assert held["toxicity_days"] == 3 and held["day"] == 8
    check = loaded.events[1].payload
    assert (check["checked_by"], check["revision"]) == ("Ben Nurse", 1)
    assert loaded.events[6].payload["response"] == "cr"
    assert loaded.events[6].payload["by"] == "Ann Pharmacist"
    history = service.history(MRN)
    assert history["cycles"][0]["plans"][0]["verification"]["verified"] is True
    assert service.verify().intact
    service.close()


def test_an_old_audit_trail_changed_after_migration_is_found(db_path: Path) -> None:
    _load(db_path, FIXTURE_V1)
    open_store(db_path).close()
    raw = sqlite3.connect(db_path, isolation_level=None)
    raw.execute("DROP TRIGGER audit_no_update")
    raw.execute("UPDATE legacy_audit SET signed_by = 'Someone Else' WHERE id = 6")
    raw.close()
    result = CourseService(db=db_path).verify()
    assert not result.intact and "pre-migration audit trail" in result.problem


def test_migration_is_all_or_nothing(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _load(db_path, FIXTURE_V1)
    before = {table: _rows(db_path, table) for table in OLD_TABLES}

    def broken(*_args, **_kwargs):
        raise RuntimeError("power cut in the middle of the migration")

    monkeypatch.setattr(legacy, "course_events", broken)
    with pytest.raises(RuntimeError):
        open_store(db_path)
    raw = sqlite3.connect(db_path)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == 1
    names = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    raw.close()
    assert "events" not in names and "double_checks" not in names
    assert {table: _rows(db_path, table) for table in OLD_TABLES} == before


def test_an_empty_file_becomes_a_fresh_database(db_path: Path) -> None:
    db_path.write_bytes(b"")
    store = open_store(db_path)
    with store.engine.connect() as conn:
        assert dialect.schema_version(conn) == tables.SCHEMA_VERSION
        assert conn.execute(text("SELECT count(*) FROM events")).scalar_one() == 0
    store.close()


def test_splitting_a_migration_keeps_trigger_bodies_whole() -> None:
    parts = legacy_schema.statements(legacy_schema.V1)
    triggers = [p for p in parts if p.startswith("CREATE TRIGGER")]
    assert len(triggers) == 2
    assert all(p.rstrip().endswith("END;") for p in triggers)
