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


def _cli(*argv: str) -> tuple[int, str, str]:
    import io

    from besponsa_desktop import cli

    out, err = io.StringIO(), io.StringIO()
    return cli.main(list(argv), out, err), out.getvalue(), err.getvalue()


def test_db_status_and_upgrade_on_a_version_1_file(db_path: Path) -> None:
    raw = sqlite3.connect(db_path)
    raw.executescript((FIXTURES / "schema_v1.sql").read_text(encoding="utf-8"))
    raw.close()
    code, out, _ = _cli("db", "status", "--db", str(db_path))
    assert code == 1 and "schema: version 1, from before the event log" in out
    assert f"{schema_history.HEAD}: The course store as an append-only event log" in out
    code, out, err = _cli("db", "upgrade", "--db", str(db_path))
    assert code == 0 and f"schema version 1 -> revision {schema_history.HEAD}" in out, err
    code, out, _ = _cli("db", "status", "--db", str(db_path))
    assert code == 0 and "up to date" in out
    code, out, _ = _cli("db", "upgrade", "--db", str(db_path))
    assert code == 0 and out.startswith("up to date")


def test_db_init_creates_a_new_file_and_refuses_one_set_up(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    code, out, err = _cli("db", "init", "--db", str(path))
    assert code == 0 and f"schema revision {schema_history.HEAD}" in out, err
    assert path.stat().st_mode & 0o077 == 0
    code, _, err = _cli("db", "init", "--db", str(path))
    assert code == 2 and "set up already" in err
    code, _, err = _cli("db", "status", "--db", str(tmp_path / "missing.sqlite3"))
    assert code == 2 and "no such database" in err
