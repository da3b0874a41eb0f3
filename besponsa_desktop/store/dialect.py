"""Everything specific to one database engine, in one place. SQLite (the embedded default)
is the first: a private file (0600, -wal and -shm too), write-ahead logging,
``synchronous=FULL``, writers serialised by ``BEGIN IMMEDIATE``, the schema version in
``PRAGMA user_version`` beside the schema revision.

PostgreSQL (the ward database) has its own module, ``postgres``; the functions here send a
server connection there. The repository, the application and the core do not change.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.pool import NullPool

from besponsa_desktop.files import PRIVATE_FILE_MODE, private_dir
from besponsa_desktop.store.errors import DiskFull, NewerDatabase, StoreError

DB_NAME = "besponsa-desktop.sqlite3"
BUSY_TIMEOUT_MS = 15_000  # another window or workstation may be saving: wait, then fail

def default_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("besponsa-desktop", appauthor=False)) / DB_NAME


# scheme:// or scheme:path, with a scheme of two letters or more (C:\\ is a Windows drive)
_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+):")
# The tables each schema version has: a file without them is not this program's.
OUR_TABLES = {
    1: frozenset({"patients", "courses", "cycles", "plans", "doses", "audit"}),
    2: frozenset({"patients", "courses", "cycles", "plans", "doses", "audit"}),
    3: frozenset({"patients", "courses", "events"}),
}


def database_target(value: Path | str | None) -> Path:
    """Where the database is, from --db or the settings. Database URLs are refused here
    (their scheme named, never the rest, which may hold a password) until a server store
    supports them; nothing is created for them."""
    if value is None or value == "":
        return default_path()
    if isinstance(value, str):
        match = _URL.match(value)
        if match:
            raise StoreError(
                f"a database given as {match[1]}:… is not supported; give the path of a "
                "database file"
            )
    return Path(value)


def writable(path: Path) -> bool:
    """True when this user may change the database file (and its folder, for -wal/-shm)."""
    folder = path.parent if str(path.parent) else Path(".")
    return os.access(folder, os.W_OK) and (not path.exists() or os.access(path, os.W_OK))


def _disk_nearly_full(folder: Path) -> bool:
    try:
        stats = os.statvfs(folder)
    except (OSError, AttributeError):  # statvfs is POSIX only
        return False
    return stats.f_bavail * stats.f_frsize < 256 * 1024


def problem(error: BaseException, target: Path | None = None) -> StoreError:
    """An SQLite error in words for the user (never with patient data)."""
    original = getattr(error, "orig", None) or error
    name = str(getattr(original, "sqlite_errorname", "") or "")
    where = f"{target}: " if target is not None else ""
    folder = target.parent if target is not None else Path(".")
    if isinstance(original, StoreError):
        return original
    if name == "SQLITE_FULL" or (name.startswith("SQLITE_IOERR") and _disk_nearly_full(folder)):
        return DiskFull()  # SQLite reports a full disk as FULL, or as an I/O error (-shm)
    if name.startswith("SQLITE_READONLY"):
        return StoreError(f"{where}the database is read-only; nothing was saved")
    if name.startswith("SQLITE_IOERR"):
        return StoreError(f"{where}the database could not be read or written (a disk error); "
                          "nothing was saved")
    if name in ("SQLITE_NOTADB",) or name.startswith("SQLITE_CORRUPT") or \
            is_not_a_database(original):
        return StoreError(f"{where}is not a besponsa-desktop database, or it is damaged; it "
                          "was left as it was")
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return StoreError(f"{where}the database is busy (another window or workstation is "
                          "saving); try again")
    if name == "SQLITE_CANTOPEN":
        return StoreError(f"{where}the database cannot be opened (its folder or file cannot "
                          "be read or written)")
    return StoreError(f"{where}the database could not be used ({name or type(original).__name__})")


def recognise(cursor: Any, path: Path, latest: int) -> int:
    """The schema version of our database, 0 for an empty file; anything else is refused
    before a single byte of it is changed (no WAL switch, no tables added)."""
    version = int(cursor.execute("PRAGMA user_version").fetchone()[0])
    names = {str(row[0]) for row in cursor.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'")}
    if version > latest:
        raise NewerDatabase(
            f"{path}: this database has schema version {version}; this program knows up to "
            f"{latest}. Use a newer besponsa-desktop"
        )
    if version == 0 and not names:
        return 0
    legacy = {f"legacy_{name}" for name in ("courses", "cycles", "plans", "audit")}
    wanted = OUR_TABLES.get(version)
    if wanted is None or not (names >= wanted or (version == 3 and names >= legacy | wanted)):
        raise StoreError(f"{path}: is not a besponsa-desktop database (it holds other "
                         "tables); it was not changed")
    return version


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


def sqlite_engine(path: Path, latest: int) -> Engine:
    """An engine on a SQLite file: created private if missing; every connection first
    recognises the file (another program's, a newer one's: refused unchanged), then WAL,
    ``synchronous=FULL``, foreign keys on, and each transaction ``BEGIN IMMEDIATE`` (the
    write lock from the start, so a version read inside it still holds at COMMIT)."""
    if path.is_dir():
        raise StoreError(f"{path}: is a folder, not a database file")
    if not writable(path) and (path.exists() or path.parent.exists()):
        raise StoreError(f"{path}: the database is read-only; nothing was saved")
    try:
        _create_private(path)
    except OSError as error:
        if error.errno == errno.ENOSPC:
            raise DiskFull() from None
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
            recognise(cursor, path, latest)  # before anything is written
            mode = cursor.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise StoreError(f"{path}: cannot use write-ahead logging (mode {mode})")
            # FULL: a save that reported success survives a power cut, not just a crash.
            cursor.execute("PRAGMA synchronous = FULL")
            cursor.execute("PRAGMA foreign_keys = ON")
        except sqlite3.DatabaseError as error:
            raise problem(error, path) from None
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def sqlite_read_only_engine(path: Path, latest: int) -> Engine:
    """An engine that only reads a database this user cannot write. SQLite writes the -shm
    file of a WAL database even to read it; where there is no -wal file (the database was
    closed cleanly, so the main file holds everything) and the folder is read-only, the
    file is opened as immutable instead."""
    uri = path.resolve().as_uri()
    probe = sqlite3.connect(f"{uri}?mode=ro", uri=True)
    how = "mode=ro"
    try:
        probe.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
    except sqlite3.OperationalError:
        if Path(f"{path}-wal").exists():
            raise StoreError(f"{path}: the database is read-only and was not closed cleanly; "
                             "it cannot be read here") from None
        how = "immutable=1"
    except sqlite3.DatabaseError as error:
        raise problem(error, path) from None
    finally:
        probe.close()

    def connect() -> sqlite3.Connection:
        conn = sqlite3.connect(f"{uri}?{how}", uri=True, isolation_level=None)
        try:
            version = recognise(conn, path, latest)
            if version < latest:
                raise StoreError(f"{path}: the database is read-only and from an older "
                                 "version; open it once where it can be written so that it "
                                 "is upgraded")
            conn.execute("PRAGMA query_only = ON")
        except sqlite3.DatabaseError as error:
            conn.close()
            raise problem(error, path) from None
        except BaseException:
            conn.close()
            raise
        return conn

    return create_engine("sqlite://", creator=connect, poolclass=NullPool)


def schema_version(conn: Connection) -> int:
    return int(conn.exec_driver_sql("PRAGMA user_version").scalar_one())


def set_schema_version(conn: Connection, number: int) -> None:
    conn.exec_driver_sql(f"PRAGMA user_version = {int(number)}")


def table_names(conn: Connection) -> set[str]:
    from sqlalchemy import inspect

    return set(inspect(conn).get_table_names())


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
    return "not a database" in words or "malformed" in words or "file is not a" in words
