"""Opening the database: where it lives, private file modes, WAL, and one write
transaction per save.

The default location is the platform's user data directory. The file and its -wal/-shm
companions are private to the user (0600 on POSIX): they hold patient records.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from besponsa_desktop.files import PRIVATE_FILE_MODE, private_dir
from besponsa_desktop.store import schema
from besponsa_desktop.store.errors import NewerDatabase, StoreError

DB_NAME = "besponsa-desktop.sqlite3"
BUSY_TIMEOUT_MS = 15_000  # another window or workstation may be saving: wait, then fail


def default_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("besponsa-desktop", appauthor=False)) / DB_NAME


# scheme:// or scheme:path, with a scheme of two letters or more (C:\\ is a Windows drive)
_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+):")
# The tables every version of this program's database has (a foreign file lacks them).
OUR_TABLES = frozenset({"patients", "courses", "cycles", "plans", "audit"})


def database_target(value: Path | str | None) -> Path:
    """Where the database is, from --db or the settings. Database URLs are refused here
    (with their scheme named, never the rest, which may hold a password) until a server
    store supports them; nothing is created for them."""
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


def sqlite_problem(error: sqlite3.Error, target: Path | None) -> StoreError:
    """An SQLite error in words for the user (never with patient data)."""
    name = str(getattr(error, "sqlite_errorname", "") or "")
    where = f"{target}: " if target is not None else ""
    folder = target.parent if target is not None else Path(".")
    if name == "SQLITE_FULL" or (name.startswith("SQLITE_IOERR") and _disk_nearly_full(folder)):
        # SQLite reports a full disk as FULL, or as an I/O error when it cannot grow -shm
        return DiskFull()
    if name.startswith("SQLITE_READONLY"):
        return StoreError(f"{where}the database is read-only; nothing was saved")
    if name.startswith("SQLITE_IOERR"):
        return StoreError(f"{where}the database could not be read or written (a disk error); "
                          "nothing was saved")
    if name in ("SQLITE_NOTADB", "SQLITE_CORRUPT") or name.startswith("SQLITE_CORRUPT"):
        return StoreError(
            f"{where}is not a besponsa-desktop database, or it is damaged; it was left as it was"
        )
    if name.startswith("SQLITE_BUSY") or name.startswith("SQLITE_LOCKED"):
        return StoreError(f"{where}the database is busy (another program is saving); try again")
    return StoreError(f"{where}the database could not be used ({name or type(error).__name__})")


class DiskFull(StoreError):
    def __init__(self) -> None:
        super().__init__(
            "the disk is full: nothing was saved (free some space, then save again; what was "
            "saved before is intact)"
        )


def _recognise(conn: sqlite3.Connection, target: Path) -> int:
    """The schema version of our database, 0 for an empty file; refuse anything else before
    a single byte of it is changed (no WAL switch, no tables added)."""
    names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version > schema.LATEST:
        raise NewerDatabase(
            f"{target}: this database has schema version {version}; this program knows up to "
            f"{schema.LATEST}. Use a newer besponsa-desktop"
        )
    if not names and version == 0:
        return 0
    if not names >= OUR_TABLES or version == 0:
        raise StoreError(f"{target}: is not a besponsa-desktop database; it was left as it was")
    return version


def _create_private(path: Path) -> None:
    """Create an empty file 0600 before SQLite opens it, so it is never readable by others,
    not even for a moment; SQLite gives -wal and -shm the database file's mode."""
    if not path.parent.exists():
        private_dir(path.parent)
    with contextlib.suppress(FileExistsError):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
        os.close(fd)


def _tighten(path: Path) -> None:
    if os.name != "posix":
        return
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        with contextlib.suppress(FileNotFoundError, PermissionError):
            if name.stat().st_mode & 0o077:
                os.chmod(name, PRIVATE_FILE_MODE)


def connect(path: Path | str | None = None, *, read_only: bool = False) -> sqlite3.Connection:
    """Open (creating if needed) and migrate the database. Autocommit mode: every write
    goes through ``transaction``. ``read_only``: for commands that only read; a database
    this user cannot write is then opened read-only instead of refused."""
    target = database_target(path)
    if target.is_dir():
        raise StoreError(f"{target}: is a folder, not a database file")
    if read_only and target.exists() and not writable(target):
        return _connect_read_only(target)
    if not writable(target) and (target.exists() or target.parent.exists()):
        raise StoreError(f"{target}: the database is read-only; nothing was saved")
    try:
        _create_private(target)
    except OSError as error:
        if error.errno == errno.ENOSPC:
            raise DiskFull() from None
        raise StoreError(f"{target}: cannot create the database ({error.strerror})") from None
    conn = sqlite3.connect(target, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        _recognise(conn, target)  # before anything is written
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise StoreError(f"{target}: cannot use write-ahead logging (mode {mode})")
        # FULL: a save that reported success survives a power cut, not just a crash.
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        schema.migrate(conn)
    except sqlite3.DatabaseError as error:
        conn.close()
        raise sqlite_problem(error, target) from None
    except BaseException:
        conn.close()
        raise
    _tighten(target)
    return conn


def _connect_read_only(target: Path) -> sqlite3.Connection:
    """Open a database this user cannot write, for reading. SQLite needs to write the -shm
    file of a WAL database even to read it; where there is no -wal file (the database was
    closed cleanly, so the main file holds everything) and the folder is read-only, the file
    is opened as immutable instead."""
    uri = target.resolve().as_uri()
    conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, isolation_level=None)
    try:
        conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
    except sqlite3.OperationalError:
        conn.close()
        if Path(f"{target}-wal").exists():
            raise StoreError(
                f"{target}: the database is read-only and was not closed cleanly; it cannot be "
                "read here"
            ) from None
        conn = sqlite3.connect(f"{uri}?immutable=1", uri=True, isolation_level=None)
    try:
        conn.row_factory = sqlite3.Row
        version = _recognise(conn, target)
        if version < schema.LATEST:
            raise StoreError(
                f"{target}: the database is read-only and from an older version; open it once "
                "where it can be written so that it is upgraded"
            )
        conn.execute("PRAGMA query_only = ON")
    except sqlite3.DatabaseError as error:
        conn.close()
        raise sqlite_problem(error, target) from None
    except BaseException:
        conn.close()
        raise
    return conn


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One save = one transaction. IMMEDIATE takes the write lock at the start, so a
    version check made inside it still holds at COMMIT."""
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            if conn.in_transaction:  # SQLite may have rolled back already (a full disk)
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    except sqlite3.OperationalError as error:
        target = None
        with contextlib.suppress(sqlite3.Error, TypeError):
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            target = Path(conn.execute("PRAGMA database_list").fetchone()[2])
        raise sqlite_problem(error, target) from None
