"""One schema history for both backends (Alembic): a new file starts at the newest
revision, an event-log file made before the revisions existed is stamped, a version 1/2
file is converted and carried on, an unknown revision is refused."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from besponsa_desktop.store import schema_history, tables
from besponsa_desktop.store.errors import NewerDatabase
from besponsa_desktop.store.repository import open_store

FIXTURES = Path(__file__).with_name("fixtures")


def _revision(path: Path) -> tuple[str | None, int]:
    raw = sqlite3.connect(path)
    try:
        names = {r[0] for r in raw.execute("SELECT name FROM sqlite_master")}
        revision = (raw.execute("SELECT version_num FROM alembic_version").fetchone()[0]
                    if "alembic_version" in names else None)
        return revision, raw.execute("PRAGMA user_version").fetchone()[0]
    finally:
        raw.close()


def test_the_program_knows_alembics_newest_revision_as_head() -> None:
    assert schema_history.alembic_head() == schema_history.HEAD


def test_a_new_file_starts_at_the_newest_revision(db_path: Path) -> None:
    open_store(db_path).close()
    assert _revision(db_path) == (schema_history.HEAD, tables.SCHEMA_VERSION)


def test_an_event_log_file_from_before_the_revisions_is_stamped_not_rebuilt(
    db_path: Path,
) -> None:
    store = open_store(db_path)
    store.append({"mrn": "H1", "name": "A B", "date_of_birth": "1970-01-01", "sex": "male"},
                 0, [{"kind": "note", "by": "x", "at": "now"}])
    store.close()
    raw = sqlite3.connect(db_path)
    raw.execute("DROP TABLE alembic_version")  # as the event log's first version made it
    raw.commit()
    raw.close()
    store = open_store(db_path)
    assert store.verify().intact and store.load("H1") is not None
    store.close()
    assert _revision(db_path) == (schema_history.HEAD, tables.SCHEMA_VERSION)


@pytest.mark.parametrize("fixture", ["schema_v1.sql", "schema_v2.sql"])
def test_a_version_1_or_2_file_is_converted_and_carried_to_the_newest_revision(
    db_path: Path, fixture: str
) -> None:
    raw = sqlite3.connect(db_path)
    raw.executescript((FIXTURES / fixture).read_text(encoding="utf-8"))
    raw.close()
    store = open_store(db_path)
    assert store.verify().intact
    store.close()
    assert _revision(db_path) == (schema_history.HEAD, tables.SCHEMA_VERSION)


def test_a_file_at_a_revision_this_program_does_not_know_is_refused(db_path: Path) -> None:
    open_store(db_path).close()
    raw = sqlite3.connect(db_path)
    raw.execute("UPDATE alembic_version SET version_num = 'f00d'")
    raw.commit()
    raw.close()
    with pytest.raises(NewerDatabase, match="unknown to this program"):
        open_store(db_path)
