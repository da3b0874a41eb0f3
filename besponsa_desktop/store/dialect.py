"""Everything specific to one database engine, in one place. SQLite (the embedded default)
is the first: a private file (0600, -wal and -shm too), write-ahead logging,
``synchronous=FULL``, writers serialised by ``BEGIN IMMEDIATE``, the schema version in
``PRAGMA user_version`` beside the schema revision.

PostgreSQL (the ward database) has its own module, ``postgres``; the functions here send a
server connection there. The repository, the application and the core do not change.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.pool import NullPool

from besponsa_desktop.files import PRIVATE_FILE_MODE, private_dir
from besponsa_desktop.store.errors import StoreError

DB_NAME = "besponsa-desktop.sqlite3"
BUSY_TIMEOUT_MS = 15_000  # another window or workstation may be saving: wait, then fail

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
            recognise(cursor, path)
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


# The tables each schema version has; a file that claims a version without them is not ours.
OUR_TABLES = {1: {"patients", "courses", "plans", "audit"},
              2: {"patients", "courses", "plans", "audit"},
              3: {"patients", "courses", "events"}}


def recognise(cursor: Any, path: Path) -> int:
    """The schema version of this program's database (0: an empty file). Anything else is
    refused before a byte of it changes: another program's database, a damaged one (the
    error propagates), one from a newer version."""
    from besponsa_desktop.store.errors import NewerDatabase
    from besponsa_desktop.store.tables import SCHEMA_VERSION

    version = int(cursor.execute("PRAGMA user_version").fetchone()[0])
    names = {str(row[0]) for row in cursor.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()}
    if version > SCHEMA_VERSION:
        raise NewerDatabase(f"{path}: this database has schema version {version}; this program "
                            f"knows up to {SCHEMA_VERSION}. Use a newer besponsa-desktop")
    if version == 0 and names:
        raise StoreError(f"{path}: is not a besponsa-desktop database (it holds other "
                         "tables); it was not changed")
    if version and not OUR_TABLES[version] <= names:
        raise StoreError(f"{path}: is not a besponsa-desktop database (it lacks the course "
                         "tables); it was not changed")
    return version


def writable(path: Path) -> bool:
    """True when this user may change the database (the file, and its folder for -wal)."""
    folder = path.parent if str(path.parent) else Path(".")
    return os.access(folder, os.W_OK) and (not path.exists() or os.access(path, os.W_OK))


def sqlite_read_only_engine(path: Path) -> Engine:
    """An engine that only reads a database this user cannot write (a read-only file,
    folder or mount), for history, export, next, reschedule and ``audit verify``.

    SQLite writes a WAL database's -shm file even to read it. Where it cannot (a read-only
    folder) and there is no -wal file (the database was closed cleanly, so its main file
    holds every change) the file is opened as immutable."""
    uri = path.resolve().as_uri()

    def connect() -> sqlite3.Connection:
        conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, isolation_level=None)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError:
            conn.close()
            if Path(f"{path}-wal").exists():
                raise StoreError(f"{path}: the database is read-only and was not closed "
                                 "cleanly (a -wal file is left); it cannot be read here") from None
            conn = sqlite3.connect(f"{uri}?immutable=1", uri=True, isolation_level=None)
        try:
            recognise(conn, path)
            conn.execute("PRAGMA query_only = ON")
        except BaseException:
            conn.close()
            raise
        return conn

    return create_engine("sqlite://", creator=connect, poolclass=NullPool)


def disk_nearly_full(path: Path) -> bool:
    """True when the database's disk has (almost) no room left: SQLite reports a full disk
    as an I/O error when it cannot grow its -shm file."""
    try:
        stats = os.statvfs(path.parent if str(path.parent) else Path("."))
    except (OSError, AttributeError):  # statvfs is POSIX only
        return False
    return stats.f_bavail * stats.f_frsize < 256 * 1024


def schema_version(conn: Connection) -> int:
    return int(conn.exec_driver_sql("PRAGMA user_version").scalar_one())


def set_schema_version(conn: Connection, number: int) -> None:
    conn.exec_driver_sql(f"PRAGMA user_version = {int(number)}")


def table_names(conn: Connection) -> set[str]:
    from sqlalchemy import inspect

    return set(inspect(conn).get_table_names())


GUARD_NAMES = ("events_no_update", "events_no_delete")


SERVER_GUARD_NAMES = ("events_no_change", "events_no_truncate")


def missing_guards(conn: Connection) -> list[str]:
    """The append-only triggers that are not in the database (dropped by hand)."""
    if conn.dialect.name == "postgresql":
        rows = conn.execute(text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"))
        wanted = SERVER_GUARD_NAMES
    else:
        rows = conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
        wanted = GUARD_NAMES
    present = {str(row[0]) for row in rows}
    return [name for name in wanted if name not in present]


def lock_chain(conn: Connection) -> None:
    """Serialise writers of the hash chain. SQLite: BEGIN IMMEDIATE already holds the
    database's write lock. PostgreSQL: a transaction-level advisory lock."""
    if conn.dialect.name == "postgresql":
        from besponsa_desktop.store import postgres

        postgres.lock_chain(conn)


def mark_import(conn: Connection) -> None:
    """This transaction imports a course from a file (its events keep their authors). The
    ward database checks it; SQLite needs nothing."""
    if conn.dialect.name == "postgresql":
        from besponsa_desktop.store import postgres

        postgres.mark_import(conn)


def signed_in_user(conn: Connection) -> str | None:
    """Who the database says is logged in (PostgreSQL: ``session_user``), or None for a
    SQLite file, which has no users of its own."""
    if conn.dialect.name == "postgresql":
        from besponsa_desktop.store import postgres

        return postgres.session_user(conn)
    return None


def words(error: BaseException) -> str | None:
    """A server's refusal or a lost connection in words for the user; None otherwise."""
    from besponsa_desktop.store import postgres

    return postgres.refusal(error) or postgres.connection_words(error)


def is_not_a_database(error: BaseException) -> bool:
    words = str(error)
    return "not a database" in words or "malformed" in words
