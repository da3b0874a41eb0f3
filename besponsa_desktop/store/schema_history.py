"""The schema's history: Alembic revisions (``revisions/versions``), one history for SQLite
and PostgreSQL. The database records the revision it is at (table ``alembic_version``).

The revisions run on a connection the caller has opened, inside the caller's transaction,
so an upgrade is whole or not at all (both engines have transactional DDL). Reading the
revision needs no Alembic import: opening a database that is up to date stays quick.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, inspect, text

FIRST = "0001"  # the event log's tables, as schema version 3 made them
HEAD = "0001"  # the newest revision; a test checks it is Alembic's head
REVISIONS = Path(__file__).resolve().parent / "revisions"
VERSION_TABLE = "alembic_version"
OWNER_ROLE = "besponsa_owner"
UPGRADE_LOCK_KEY = 0x62657370_75706772  # one schema upgrade at a time on a server


def current(conn: Connection) -> str | None:
    """The revision the database is at; None when it has none (new, or older than the
    revisions)."""
    if not inspect(conn).has_table(VERSION_TABLE):
        return None
    rows = [str(row[0]) for row in conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}"))]
    return rows[0] if rows else None


def _config(conn: Connection) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(REVISIONS))
    config.attributes["connection"] = conn
    return config


def known(revision: str) -> bool:
    """Is ``revision`` one of this program's (an unknown one is from a newer program)?"""
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    scripts = ScriptDirectory(str(REVISIONS))
    try:
        return scripts.get_revision(revision) is not None
    except CommandError:
        return False


def alembic_head() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory(str(REVISIONS)).get_current_head()
    assert head is not None
    return head


def pending(conn: Connection) -> list[tuple[str, str]]:
    """The revisions an upgrade would apply, oldest first: (revision, what it does)."""
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory(str(REVISIONS))
    at = current(conn)
    steps = list(scripts.iterate_revisions("head", at or "base"))
    steps.reverse()
    return [(s.revision, (s.doc or "").strip().splitlines()[0]) for s in steps
            if s.revision != at]


def _as_owner(conn: Connection) -> None:
    """On a server, act as the owner role for the upgrade (when it exists and the user who
    logged in may), so the tables belong to it and not to an administrator's own role; and
    take the upgrade lock, so two upgrades never run at once."""
    if conn.dialect.name != "postgresql":
        return
    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": UPGRADE_LOCK_KEY})
    may = conn.execute(
        text("SELECT pg_has_role(session_user, oid, 'MEMBER') FROM pg_roles "
             "WHERE rolname = :owner"), {"owner": OWNER_ROLE}).scalar()
    if may:
        conn.execute(text(f"SET LOCAL ROLE {OWNER_ROLE}"))


def upgrade(conn: Connection, target: str = "head") -> None:
    """Run the revisions up to ``target``, inside the caller's transaction."""
    from alembic import command

    _as_owner(conn)
    command.upgrade(_config(conn), target)


def stamp(conn: Connection, revision: str) -> None:
    """Record that the database is at ``revision`` without running anything (a database
    whose tables were made by the conversion of an older file)."""
    from alembic import command

    command.stamp(_config(conn), revision)
