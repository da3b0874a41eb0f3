"""Everything specific to one database engine, in one place. SQLite (the embedded default)
is the first: a private file (0600, -wal and -shm too), write-ahead logging,
``synchronous=FULL``, writers serialised by ``BEGIN IMMEDIATE``, the schema version in
``PRAGMA user_version`` and triggers that refuse UPDATE and DELETE on the event log.

A server database (PostgreSQL for a ward) adds its own branch of these few functions; the
repository, the application and the core do not change.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.pool import NullPool

from besponsa_desktop.files import PRIVATE_FILE_MODE, private_dir
from besponsa_desktop.store.errors import StoreError

DB_NAME = "besponsa-desktop.sqlite3"
BUSY_TIMEOUT_MS = 15_000  # another window or workstation may be saving: wait, then fail

APPEND_ONLY_TRIGGERS = (
    "CREATE TRIGGER IF NOT EXISTS events_no_update BEFORE UPDATE ON events "
    "BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS events_no_delete BEFORE DELETE ON events "
    "BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END",
)


def default_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("besponsa-desktop", appauthor=False)) / DB_NAME


def _create_private(path: Path) -> None:
    """Create an empty file 0600 before SQLite opens it, so it is never readable by others,
    not even for a moment; SQLite gives -wal and -shm the database file's mode."""
    if not path.parent.exists():
        private_dir(path.parent)
    with contextlib.suppress(FileExistsError):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
        os.close(fd)


def tighten(path: Path) -> None:
    if os.name != "posix":
        return
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        with contextlib.suppress(FileNotFoundError, PermissionError):
            if name.stat().st_mode & 0o077:
                os.chmod(name, PRIVATE_FILE_MODE)


def sqlite_engine(path: Path) -> Engine:
    """An engine on a SQLite file: created private if missing; every connection in WAL,
    ``synchronous=FULL``, foreign keys on, and each transaction ``BEGIN IMMEDIATE`` (the
    write lock from the start, so a version read inside it still holds at COMMIT)."""
    if path.is_dir():
        raise StoreError(f"{path}: is a folder, not a database file")
    try:
        _create_private(path)
    except OSError as error:
        raise StoreError(f"{path}: cannot create the database ({error.strerror})") from None
    engine = create_engine(
        f"sqlite:///{path}",
        poolclass=NullPool,
        connect_args={"timeout": BUSY_TIMEOUT_MS / 1000},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi: Any, _record: Any) -> None:
        dbapi.isolation_level = None  # transactions are ours (BEGIN IMMEDIATE below)
        cursor = dbapi.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            # Another program's database is refused before anything (WAL included) changes.
            version = cursor.execute("PRAGMA user_version").fetchone()[0]
            others = cursor.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if version == 0 and others:
                raise StoreError(f"{path}: is not a besponsa-desktop database (it holds other "
                                 "tables); it was not changed")
            mode = cursor.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise StoreError(f"{path}: cannot use write-ahead logging (mode {mode})")
            # FULL: a save that reported success survives a power cut, not just a crash.
            cursor.execute("PRAGMA synchronous = FULL")
            cursor.execute("PRAGMA foreign_keys = ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def schema_version(conn: Connection) -> int:
    return int(conn.exec_driver_sql("PRAGMA user_version").scalar_one())


def set_schema_version(conn: Connection, number: int) -> None:
    conn.exec_driver_sql(f"PRAGMA user_version = {int(number)}")


def table_names(conn: Connection) -> set[str]:
    rows = conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'"))
    return {str(row[0]) for row in rows}


def create_guards(conn: Connection) -> None:
    for statement in APPEND_ONLY_TRIGGERS:
        conn.exec_driver_sql(statement)


def lock_chain(conn: Connection) -> None:
    """Serialise writers of the hash chain. SQLite: BEGIN IMMEDIATE already holds the
    database's write lock; a server database takes a lock here."""


def is_not_a_database(error: BaseException) -> bool:
    words = str(error)
    return "not a database" in words or "malformed" in words
