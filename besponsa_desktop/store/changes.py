"""Has another window or workstation changed a course? An open window asks ``poll()`` now
and then (it never blocks) and reloads, or says it must, when its course changed.

- PostgreSQL: LISTEN on the channel the event log's trigger notifies with the course's row
  id (an opaque number, never patient data). While the connection is lost, changes may be
  missed: the first poll after reconnecting reports ``everything`` changed.
- SQLite: ``PRAGMA data_version`` on a connection of the watcher's own changes whenever
  another connection commits; it cannot say which course, so it reports ``everything``.

The caller compares the course's stored version with the one it shows: its own saves are
reported too.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Engine

from besponsa_desktop.store.postgres import NOTIFY_CHANNEL

HEALTH_CHECK_S = 10.0  # how often a quiet LISTEN connection is checked to be alive
RECONNECT_S = 30.0  # how often a lost LISTEN connection is tried again (a try may block)
WATCH_CONNECT_TIMEOUT_S = 3


@dataclass(frozen=True)
class Changes:
    courses: frozenset[int] = frozenset()  # course row ids changed since the last poll
    everything: bool = False  # unknown which: check every course shown

    def touches(self, course_id: int | None) -> bool:
        return self.everything or (course_id is not None and course_id in self.courses)

    def __bool__(self) -> bool:
        return self.everything or bool(self.courses)


NOTHING = Changes()


class Watcher(Protocol):
    def poll(self) -> Changes: ...

    def close(self) -> None: ...


class SqliteWatcher:
    """``PRAGMA data_version`` changes when another connection commits to the file."""

    def __init__(self, path: str) -> None:
        self._conn = sqlite3.connect(f"file:{path}?mode=rw", uri=True, timeout=1,
                                     check_same_thread=False)
        self._version = self._read()

    def _read(self) -> int | None:
        try:
            return int(self._conn.execute("PRAGMA data_version").fetchone()[0])
        except sqlite3.Error:
            return None

    def poll(self) -> Changes:
        version = self._read()
        if version == self._version:
            return NOTHING
        self._version = version
        return Changes(everything=True)

    def close(self) -> None:
        self._conn.close()


class PostgresWatcher:
    """A connection of its own, in autocommit, listening on the course channel."""

    def __init__(self, connect_args: tuple[Any, ...], connect_kwargs: dict[str, Any]) -> None:
        self._args = connect_args
        self._kwargs = connect_kwargs
        self._conn: Any = None
        self._checked = 0.0
        self._retry_at = 0.0
        self._connect()

    def _connect(self) -> bool:
        import psycopg

        now = time.monotonic()
        if now < self._retry_at:
            return False
        self._retry_at = now + RECONNECT_S
        try:
            conn = psycopg.connect(*self._args, autocommit=True, **self._kwargs)
            conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
        except psycopg.Error:
            self._conn = None
            return False
        self._conn = conn
        self._checked = time.monotonic()
        return True

    def poll(self) -> Changes:
        import psycopg

        if self._conn is None:
            # Lost before: whatever changed meanwhile was not heard.
            return Changes(everything=True) if self._connect() else NOTHING
        try:
            ids = {int(n.payload) for n in self._conn.notifies(timeout=0)
                   if n.payload.isdigit()}
            if not ids and time.monotonic() - self._checked > HEALTH_CHECK_S:
                self._conn.execute("SELECT 1")
                self._checked = time.monotonic()
                ids = {int(n.payload) for n in self._conn.notifies(timeout=0)
                       if n.payload.isdigit()}
        except psycopg.Error:
            with contextlib.suppress(Exception):
                self._conn.close()
            self._conn = None
            return Changes(everything=True) if self._connect() else NOTHING
        return Changes(courses=frozenset(ids)) if ids else NOTHING

    def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.close()
            self._conn = None


def watch(engine: Engine) -> Watcher:
    """A watcher for the database behind ``engine``."""
    if engine.dialect.name == "postgresql":
        args, kwargs = engine.dialect.create_connect_args(engine.url)
        kwargs = {k: v for k, v in kwargs.items() if k != "autocommit"}
        kwargs.setdefault("connect_timeout", WATCH_CONNECT_TIMEOUT_S)
        # A server gone silent (a network cut) must not hold the window for minutes: TCP
        # gives up on an unanswered health check within seconds.
        kwargs.setdefault("keepalives", 1)
        kwargs.setdefault("keepalives_idle", 10)
        kwargs.setdefault("keepalives_interval", 5)
        kwargs.setdefault("keepalives_count", 2)
        kwargs.setdefault("tcp_user_timeout", 5000)
        return PostgresWatcher(tuple(args), kwargs)
    database = engine.url.database
    if not database:
        raise ValueError("no database file to watch")
    return SqliteWatcher(database)
