"""Opening the database: where it lives, private file modes, WAL, and one write
transaction per save.

The default location is the platform's user data directory. The file and its -wal/-shm
companions are private to the user (0600 on POSIX): they hold patient records.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from besponsa_desktop.files import PRIVATE_FILE_MODE, private_dir
from besponsa_desktop.store import schema
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


def _tighten(path: Path) -> None:
    if os.name != "posix":
        return
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        with contextlib.suppress(FileNotFoundError, PermissionError):
            if name.stat().st_mode & 0o077:
                os.chmod(name, PRIVATE_FILE_MODE)


def connect(path: Path | str | None = None) -> sqlite3.Connection:
    """Open (creating if needed) and migrate the database. Autocommit mode: every write
    goes through ``transaction``."""
    target = Path(path) if path is not None else default_path()
    if target.is_dir():
        raise StoreError(f"{target}: is a folder, not a database file")
    try:
        _create_private(target)
    except OSError as error:
        raise StoreError(f"{target}: cannot create the database ({error.strerror})") from None
    conn = sqlite3.connect(target, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise StoreError(f"{target}: cannot use write-ahead logging (mode {mode})")
        # FULL: a save that reported success survives a power cut, not just a crash.
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        schema.migrate(conn)
    except sqlite3.DatabaseError as error:
        conn.close()
        if "not a database" in str(error) or "malformed" in str(error):
            raise StoreError(f"{target}: is not a besponsa-desktop database") from None
        raise
    except BaseException:
        conn.close()
        raise
    _tighten(target)
    return conn


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One save = one transaction. IMMEDIATE takes the write lock at the start, so a
    version check made inside it still holds at COMMIT."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
