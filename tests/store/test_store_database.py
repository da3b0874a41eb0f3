"""Opening the database: private files, write-ahead logging, migrations."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from besponsa_desktop.store import audit, courses, database, schema
from besponsa_desktop.store.errors import NewerDatabase, StoreError
from tests.store.store_helpers import MRN, cycle1_request, plan_for

FIXTURE_V1 = Path(__file__).parent / "fixtures" / "schema_v1.sql"


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_database_and_its_wal_files_are_private_to_the_user(db_path: Path) -> None:
    old = os.umask(0o022)  # a permissive umask must not leak patient records
    try:
        conn = database.connect(db_path)
        courses.save_plan(conn, plan_for(cycle1_request()))
        files = [db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm")]
        assert all(f.exists() for f in files)
        for f in files:
            assert stat.S_IMODE(f.stat().st_mode) == 0o600, f.name
        conn.close()
    finally:
        os.umask(old)


def test_database_uses_write_ahead_logging_and_waits_for_other_writers(conn) -> None:
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == database.BUSY_TIMEOUT_MS
    assert schema.version(conn) == schema.LATEST


def test_default_location_is_the_user_data_folder() -> None:
    import platformdirs

    folder = platformdirs.user_data_dir("besponsa-desktop", appauthor=False)
    assert database.default_path() == Path(folder) / database.DB_NAME


def test_a_file_that_is_not_a_database_is_refused_in_words(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    path.write_text("this is not a database\n" * 100)
    with pytest.raises(StoreError, match="is not a besponsa-desktop database"):
        database.connect(path)


def test_a_database_from_a_newer_program_is_refused(db_path: Path) -> None:
    raw = sqlite3.connect(db_path)
    raw.execute(f"PRAGMA user_version = {schema.LATEST + 1}")
    raw.close()
    with pytest.raises(NewerDatabase):
        database.connect(db_path)


def _load_v1(path: Path) -> None:
    raw = sqlite3.connect(path)
    raw.executescript(FIXTURE_V1.read_text(encoding="utf-8"))
    raw.close()


def _rows(path: Path, table: str, columns: str) -> list[tuple]:
    raw = sqlite3.connect(path)
    try:
        return raw.execute(f"SELECT {columns} FROM {table} ORDER BY id").fetchall()
    finally:
        raw.close()


V1_COLUMNS = {
    "patients": "id, mrn, name, date_of_birth, sex, created_at",
    "courses": "id, patient_id, version, created_at, updated_at",
    "cycles": "id, course_id, number, start_date, dose_level",
    "plans": "id, cycle_id, dose_day, decision, saved_at, saved_by, os_user, request_json, "
    "plan_json",
    "doses": "id, cycle_id, day, planned_date, planned_mg, planned_volume_ml, status, "
    "scheduled_date, given_at, reason, recorded_by, recorded_at",
    "audit": "id, at, os_user, signed_by, action, entity, before_json, after_json, prev_hash, hash",
}


def test_migrating_a_version_1_database_keeps_every_record(db_path: Path) -> None:
    _load_v1(db_path)
    before = {table: _rows(db_path, table, cols) for table, cols in V1_COLUMNS.items()}
    assert all(before[t] for t in before), "the fixture must hold rows in every table"

    conn = database.connect(db_path)
    assert schema.version(conn) == schema.LATEST
    conn.close()

    after = {table: _rows(db_path, table, cols) for table, cols in V1_COLUMNS.items()}
    for table in ("patients", "courses", "cycles", "plans", "doses"):
        assert after[table] == before[table], table
    # The audit trail keeps every entry and gains one for the migration itself.
    assert after["audit"][: len(before["audit"])] == before["audit"]
    assert len(after["audit"]) == len(before["audit"]) + 1
    conn = database.connect(db_path)
    assert audit.verify(conn).intact
    last = audit.entries(conn)[-1]
    assert last["action"] == "schema.migrate"
    assert last["before"] == {"schema_version": 1}
    # The migrated course reads and continues like any other.
    data = courses.history(conn, MRN)
    assert [c["number"] for c in data["cycles"]] == [1, 2]
    assert [d["status"] for d in data["cycles"][0]["doses"]] == ["given", "held", "planned"]
    nxt = courses.next_cycle_request(conn, MRN)
    assert nxt["cycle"]["number"] == 3
    conn.close()


def test_migration_is_all_or_nothing(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _load_v1(db_path)
    broken = (*schema.MIGRATIONS[:1], schema.MIGRATIONS[1] + "\nCREATE TABLE patients (x);\n")
    monkeypatch.setattr(schema, "MIGRATIONS", broken)
    with pytest.raises(StoreError, match="could not be used"):
        database.connect(db_path)
    raw = sqlite3.connect(db_path)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == 1
    tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "double_checks" not in tables
    raw.close()


def test_splitting_a_migration_keeps_trigger_bodies_whole() -> None:
    parts = schema.statements(schema.V1)
    triggers = [p for p in parts if p.startswith("CREATE TRIGGER")]
    assert len(triggers) == 2
    assert all(p.rstrip().endswith("END;") for p in triggers)
