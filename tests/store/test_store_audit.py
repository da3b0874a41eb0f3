"""The hash chain over the event log: a changed, removed, re-hashed or truncated entry is
found, and ``audit verify`` names the first broken entry."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from besponsa_desktop.app.courses import CourseService
from besponsa_desktop.store import chain
from besponsa_desktop.store.errors import StoreError
from tests.store.store_helpers import MRN, give, plan_day, start_course


@pytest.fixture
def filled(db_path: Path) -> Path:
    service = CourseService(db=db_path)
    start_course(service)
    give(service, 1, 1)
    plan_day(service, 1, 8)
    service.close()
    return db_path


class _Tool:
    """A SQLite tool on the file: the append-only triggers dropped while it is open, and
    put back when it is closed (as a careful person would), so that only the chain and the
    head kept outside can tell."""

    def __init__(self, path: Path) -> None:
        self.raw = sqlite3.connect(path, isolation_level=None)
        self.triggers = [sql for (sql,) in self.raw.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger'")]
        self.raw.execute("DROP TRIGGER IF EXISTS events_no_update")
        self.raw.execute("DROP TRIGGER IF EXISTS events_no_delete")

    def execute(self, *args: object) -> sqlite3.Cursor:
        return self.raw.execute(*args)  # type: ignore[arg-type]

    @property
    def row_factory(self) -> object:
        return self.raw.row_factory

    @row_factory.setter
    def row_factory(self, factory: object) -> None:
        self.raw.row_factory = factory  # type: ignore[assignment]

    def close(self) -> None:
        for statement in self.triggers:
            self.raw.execute(statement)
        self.raw.close()


def _raw(path: Path) -> _Tool:
    return _Tool(path)


def _verify(path: Path, expect: str | None = None):
    service = CourseService(db=path)
    try:
        return service.verify(expect)
    finally:
        service.close()


def test_an_intact_chain_verifies_and_reports_its_head(filled: Path) -> None:
    result = _verify(filled)
    assert result.intact and result.entries == 3
    assert result.head_short == result.head[:12]
    assert _verify(filled, result.head_short).intact


def test_an_edited_dose_record_is_named_by_audit_verify(filled: Path) -> None:
    raw = _raw(filled)
    payload = json.loads(raw.execute("SELECT payload FROM events WHERE id = 2").fetchone()[0])
    payload["given_at"] = "2026-12-03T10:00:00"
    raw.execute("UPDATE events SET payload = ? WHERE id = 2", (chain.canonical(payload),))
    raw.close()
    result = _verify(filled)
    assert not result.intact and result.broken_id == 2
    assert "entry 2 was changed" in result.problem


def test_an_edit_with_its_own_hash_recomputed_still_breaks_the_chain(filled: Path) -> None:
    raw = _raw(filled)
    raw.row_factory = sqlite3.Row
    row = dict(raw.execute("SELECT * FROM events WHERE id = 2").fetchone())
    row["by"] = "Someone Else"
    row["hash"] = chain.row_hash(row, row["prev_hash"])
    raw.execute("UPDATE events SET by = ?, hash = ? WHERE id = 2", (row["by"], row["hash"]))
    raw.close()
    result = _verify(filled)
    assert not result.intact and result.broken_id == 3  # the next entry no longer follows


def test_a_removed_entry_is_found(filled: Path) -> None:
    raw = _raw(filled)
    raw.execute("DELETE FROM events WHERE id = 2")
    raw.close()
    result = _verify(filled)
    assert not result.intact and result.broken_id == 2 and "missing" in result.problem


def test_a_consistently_rehashed_chain_is_found_against_the_head_kept_outside(
    filled: Path,
) -> None:
    kept = _verify(filled).head_short  # printed on the printout, in the export
    raw = _raw(filled)
    raw.row_factory = sqlite3.Row
    prev = chain.GENESIS
    for row in [dict(r) for r in raw.execute("SELECT * FROM events ORDER BY id")]:
        if row["id"] == 2:
            row["by"] = "Someone Else"
        row["prev_hash"] = prev
        row["hash"] = chain.row_hash(row, prev)
        raw.execute("UPDATE events SET by = ?, prev_hash = ?, hash = ? WHERE id = ?",
                    (row["by"], row["prev_hash"], row["hash"], row["id"]))
        prev = row["hash"]
    raw.close()
    assert _verify(filled).intact  # the chain alone cannot tell ...
    result = _verify(filled, kept)  # ... the head kept outside can
    assert not result.intact and "rewritten or cut short" in result.problem


def test_a_truncated_chain_is_found_against_the_head_kept_outside(filled: Path) -> None:
    kept = _verify(filled).head
    raw = _raw(filled)
    raw.execute("DELETE FROM events WHERE id = 3")
    raw.close()
    assert _verify(filled).intact
    assert not _verify(filled, kept).intact


def test_a_patient_row_changed_outside_the_program_is_refused_on_load(filled: Path) -> None:
    raw = sqlite3.connect(filled, isolation_level=None)
    raw.execute("UPDATE patients SET name = 'Joan Doe'")
    raw.close()
    service = CourseService(db=filled)
    with pytest.raises(StoreError, match="patient row differs"):
        service.history(MRN)
    service.close()


def test_the_hash_covers_canonical_json_and_the_previous_hash() -> None:
    row = {name: None for name in chain.FIELDS}
    row.update(id=1, seq=1, kind="k", payload="{}", os_user="u", at="t", prev_hash="0" * 64)
    assert chain.row_hash(row, "0" * 64) != chain.row_hash(row, "1" * 64)
    assert chain.row_hash(row, "0" * 64) != chain.row_hash(dict(row, by="x"), "0" * 64)
