"""The audit trail: append-only by trigger, and tampering found by the hash chain."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from besponsa_desktop.store import audit, courses, database
from tests.store.store_helpers import ROOT, cycle1_request, plan_for


@pytest.fixture
def filled(db_path: Path) -> Path:
    conn = database.connect(db_path)
    courses.save_plan(conn, plan_for(cycle1_request()), signed_by="Ann Pharmacist")
    courses.save_plan(conn, plan_for(cycle1_request(weight_kg=63)), signed_by="Ann Pharmacist")
    conn.close()
    return db_path


def _verify_cli(db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "besponsa_desktop", "audit", "verify", "--db", str(db)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )


def _raw(db: Path) -> sqlite3.Connection:
    return sqlite3.connect(db, isolation_level=None)


def test_an_intact_trail_verifies(filled: Path) -> None:
    result = _verify_cli(filled)
    assert result.returncode == 0, result.stderr
    assert "intact" in result.stdout


def test_the_audit_table_refuses_update_and_delete(filled: Path) -> None:
    raw = _raw(filled)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        raw.execute("UPDATE audit SET signed_by = 'Mallory' WHERE id = 2")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        raw.execute("DELETE FROM audit WHERE id = 2")
    raw.close()


def test_a_changed_entry_is_named_by_audit_verify(filled: Path) -> None:
    raw = _raw(filled)
    raw.execute("DROP TRIGGER audit_no_update")
    raw.execute("UPDATE audit SET signed_by = 'Mallory' WHERE id = 3")
    raw.close()
    result = _verify_cli(filled)
    assert result.returncode == 1
    assert "entry 3" in result.stderr and "changed" in result.stderr


def test_a_changed_entry_with_a_recomputed_own_hash_still_breaks_the_chain(filled: Path) -> None:
    conn = database.connect(filled)
    rows = audit.entries(conn)
    conn.close()
    raw = _raw(filled)
    raw.execute("DROP TRIGGER audit_no_update")
    # A forger rewrites entry 2 and its hash; entry 3 still links to the old hash.
    row = raw.execute(
        "SELECT id, at, os_user, signed_by, action, entity, before_json, after_json, prev_hash "
        "FROM audit WHERE id = 2"
    ).fetchone()
    entry = dict(zip(audit._FIELDS, row, strict=True))
    entry["signed_by"] = "Mallory"
    forged = audit.entry_hash(entry, entry["prev_hash"])
    raw.execute("UPDATE audit SET signed_by = 'Mallory', hash = ? WHERE id = 2", (forged,))
    raw.close()
    assert rows[1]["hash"] != forged
    result = _verify_cli(filled)
    assert result.returncode == 1
    assert "entry 3" in result.stderr


def test_a_removed_entry_is_found(filled: Path) -> None:
    raw = _raw(filled)
    raw.execute("DROP TRIGGER audit_no_delete")
    raw.execute("DELETE FROM audit WHERE id = 4")
    raw.close()
    result = _verify_cli(filled)
    assert result.returncode == 1
    assert "entry 4 is missing" in result.stderr


def test_verify_reports_count_and_the_first_break(filled: Path) -> None:
    conn = database.connect(filled)
    good = audit.verify(conn)
    assert good.intact and good.entries == len(audit.entries(conn))
    conn.execute("DROP TRIGGER audit_no_update")
    conn.execute("UPDATE audit SET after_json = '{}' WHERE id IN (5, 6)")
    bad = audit.verify(conn)
    assert not bad.intact and bad.broken_id == 5 and bad.entries == 4
    conn.close()


def test_the_hash_covers_canonical_json_and_the_previous_hash() -> None:
    entry = {name: None for name in audit._FIELDS} | {"id": 1, "prev_hash": audit.GENESIS}
    assert audit.entry_hash(entry, audit.GENESIS) != audit.entry_hash(entry, "1" * 64)
    assert audit.canonical({"b": 1, "a": "é"}) == '{"a":"é","b":1}'


def test_a_plan_changed_in_the_database_no_longer_matches_its_entry(filled: Path) -> None:
    raw = _raw(filled)
    raw.execute("UPDATE plans SET plan_json = replace(plan_json, '\"proceed\"', '\"hold\"')")
    raw.close()
    result = _verify_cli(filled)
    assert result.returncode == 1
    assert "plan 1 differs from what entry 2 recorded" in result.stderr


def test_a_plan_added_behind_the_programs_back_is_found(filled: Path) -> None:
    raw = _raw(filled)
    raw.execute(
        "INSERT INTO plans (cycle_id, dose_day, decision, saved_at, saved_by, os_user, "
        "request_json, plan_json) SELECT cycle_id, dose_day, decision, saved_at, saved_by, "
        "os_user, request_json, plan_json FROM plans WHERE id = 1"
    )
    raw.close()
    result = _verify_cli(filled)
    assert result.returncode == 1
    assert "plan 3 has no audit entry" in result.stderr
