"""The course repository: what the application asks of a store, and its implementation on
SQLAlchemy Core (SQLite first; engine-specific code in ``dialect``).

A course is its patient and its events, oldest first. The repository keeps them and hands
them back; it never judges them (the core does, when the application replays and applies
them). Every change is one transaction, appended against the version the caller loaded:
a writer that loaded an older version gets ConflictError (reload), never an overwrite.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, func, insert, select
from sqlalchemy.exc import DatabaseError, IntegrityError, OperationalError

from besponsa_desktop.store import chain, consistency, dialect, identity, migrations, tables
from besponsa_desktop.store.errors import ConflictError, StoreError
from besponsa_desktop.store.location import Location

MAX_MATCHES = 50


@dataclass(frozen=True)
class StoredEvent:
    seq: int
    kind: str
    payload: dict[str, Any]  # the event as the core wrote it (kind, by, at, ...)
    by: str | None
    os_user: str  # who was logged in to the computer (from the login session)
    at: str  # when it was stored (UTC, ISO)
    hash: str


@dataclass(frozen=True)
class StoredCourse:
    course_id: int
    patient: dict[str, str]  # mrn, name, date_of_birth, sex: as the course was created
    events: list[StoredEvent] = field(default_factory=list)

    @property
    def version(self) -> int:
        """The number of events: what a change is appended against."""
        return len(self.events)


@dataclass(frozen=True)
class PatientMatch:
    mrn: str
    name: str
    date_of_birth: str  # ISO date
    sex: str


class CourseRepository(Protocol):
    """What the application needs of a store; SQLite and a server database alike."""

    def load(self, mrn: str) -> StoredCourse | None: ...

    def append(self, patient: Mapping[str, str], expected_version: int,
               events: Sequence[Mapping[str, Any]], *, imported: bool = False) -> int: ...

    def signed_in_user(self) -> str | None: ...

    def find_patients(self, text: str, limit: int = MAX_MATCHES) -> list[PatientMatch]: ...

    def verify(self) -> chain.Verification: ...

    def chain_contains(self, head: str) -> bool: ...

    def close(self) -> None: ...


def open_store(location: Location | Path | str | None = None, *,
               read_only: bool = False) -> SqlCourseStore:
    """Open the store: a SQLite file (created and migrated if needed; None: the default
    file) or a ward database (a ``postgresql://`` URL, which must be at this program's
    schema revision: IT upgrades it). ``read_only``: for commands that only read; a file
    this user cannot write is then opened for reading instead of refused (it must be at
    the current schema version)."""
    from besponsa_desktop.store import location as locations

    if not isinstance(location, locations.Location):
        location = locations.parse(location, dialect.default_path())
    if location.url is not None:
        from besponsa_desktop.store import postgres

        store = SqlCourseStore(postgres.engine(location.url))
        try:
            with store._connect() as conn:
                migrations.check_server(conn)
        except BaseException:
            store.close()
            raise
        return store
    assert location.path is not None
    path = location.path
    if read_only and path.exists() and not dialect.writable(path):
        store = SqlCourseStore(dialect.sqlite_read_only_engine(path))
        try:
            with store._connect() as conn:
                if dialect.schema_version(conn) != tables.SCHEMA_VERSION:
                    raise StoreError(f"{path}: the database can only be read and is from an "
                                     "older version; open it once where it can be written")
        except BaseException:
            store.close()
            raise
        return store
    if path.exists() and not dialect.writable(path):
        raise StoreError(f"{path}: the database can only be read (its file or folder is "
                         "read-only); nothing was saved")
    engine = dialect.sqlite_engine(path)
    store = SqlCourseStore(engine)
    try:
        store.migrate()
    except BaseException:
        store.close()
        raise
    dialect.tighten(path)
    return store


class SqlCourseStore:
    """The repository on SQLAlchemy Core."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._user: str | None = None

    @property
    def is_server(self) -> bool:
        return self.engine.dialect.name != "sqlite"

    def signed_in_user(self) -> str | None:
        """Who the ward database says is logged in: every change there is signed with
        this name, checked by the server. None for a SQLite file (no users of its own)."""
        if self.is_server and self._user is None:
            with self._connect() as conn, conn.begin():
                self._user = dialect.signed_in_user(conn)
        return self._user

    def as_user(self, user: str, password: str) -> SqlCourseStore:
        """The same ward database, logged in as another person (the second person of a
        double check). The password serves this connection only; it is not kept."""
        if not self.is_server:
            raise StoreError("a database login is only asked for on a ward database")
        url = self.engine.url.set(username=user, password=password)
        from besponsa_desktop.store import postgres

        other = SqlCourseStore(postgres.engine(url, pooled=False))
        try:
            other.signed_in_user()
        except BaseException:
            other.close()
            raise
        return other

    def watch(self) -> Any:
        """A watcher that tells when another window or workstation changed a course
        (``changes.Watcher``)."""
        from besponsa_desktop.store import changes

        return changes.watch(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _connect(self) -> Iterator[Connection]:
        try:
            with self.engine.connect() as conn:
                yield conn
        except OperationalError as error:
            raise StoreError(dialect.words(error) or _words(
                error, Path(str(self.engine.url.database or "")))) from None
        except DatabaseError as error:
            said = dialect.words(error)
            if said is not None:
                raise StoreError(said) from None
            if dialect.is_not_a_database(error):
                raise StoreError("the file is not a besponsa-desktop database") from None
            raise

    def migrate(self) -> tuple[int, int]:
        with self._connect() as conn:
            return migrations.migrate(conn)

    # ---------------------------------------------------------------- reading
    def _course_row(self, conn: Connection, mrn: str) -> Any:
        query = (
            select(tables.courses.c.id, tables.patients.c.mrn, tables.patients.c.name,
                   tables.patients.c.date_of_birth, tables.patients.c.sex)
            .join(tables.patients, tables.patients.c.id == tables.courses.c.patient_id)
            .where(tables.patients.c.mrn == mrn)
        )
        return conn.execute(query).mappings().first()

    def load(self, mrn: str) -> StoredCourse | None:
        with self._connect() as conn, conn.begin():
            row = self._course_row(conn, mrn)
            if row is None:
                return None
            events = [
                StoredEvent(int(e["seq"]), str(e["kind"]), json.loads(e["payload"]), e["by"],
                            str(e["os_user"]), str(e["at"]), str(e["hash"]))
                for e in conn.execute(
                    select(tables.events).where(tables.events.c.course_id == row["id"])
                    .order_by(tables.events.c.seq)
                ).mappings()
            ]
        patient = {key: str(row[key]) for key in ("mrn", "name", "date_of_birth", "sex")}
        return StoredCourse(int(row["id"]), patient, events)

    def find_patients(self, text: str, limit: int = MAX_MATCHES) -> list[PatientMatch]:
        """Patients whose MRN or name contains ``text`` (case-insensitive; every word of a
        name must appear, in any order), exact MRN first, then by name. Empty text: none."""
        words = text.split()
        if not words:
            return []
        whole = " ".join(words)
        p = tables.patients.c
        name_has_every_word = [p.name.icontains(word, autoescape=True) for word in words]
        query = (
            select(p.mrn, p.name, p.date_of_birth, p.sex)
            .join(tables.courses, tables.courses.c.patient_id == p.id)
            .where(p.mrn.icontains(whole, autoescape=True) | _all(name_has_every_word))
            .order_by((func.upper(p.mrn) == whole.upper()).desc(), func.lower(p.name), p.mrn)
            .limit(limit)
        )
        with self._connect() as conn, conn.begin():
            return [PatientMatch(*row) for row in conn.execute(query)]

    def verify(self) -> chain.Verification:
        with self._connect() as conn, conn.begin():
            rows = conn.execute(select(tables.events).order_by(tables.events.c.id)).mappings()
            result = chain.verify_rows(rows)
            if result.intact:
                legacy = migrations.verify_legacy(conn)
                if legacy is not None:
                    return legacy
                result = consistency.check(conn, result)
            return result

    def chain_contains(self, head: str) -> bool:
        """True when a row of the log has this hash (in full, or its first characters)."""
        if len(head) < chain.SHORT or any(c not in "0123456789abcdef" for c in head):
            return False
        with self._connect() as conn, conn.begin():
            found = conn.execute(select(tables.events.c.id).where(
                tables.events.c.hash.startswith(head, autoescape=True)).limit(1)).first()
        return found is not None or head == chain.GENESIS[: len(head)]

    # ---------------------------------------------------------------- writing
    def append(self, patient: Mapping[str, str], expected_version: int,
               events: Sequence[Mapping[str, Any]], *, imported: bool = False) -> int:
        """Append events to the patient's course in one transaction, creating the course
        when ``expected_version`` is 0 and none is stored. Returns the new version.
        ``imported``: the events come from a file and keep the authors it names (a ward
        database allows that only for a course created by this append)."""
        try:
            with self._connect() as conn, conn.begin():
                dialect.lock_chain(conn)
                stored_by = None
                if imported:
                    dialect.mark_import(conn)
                    stored_by = dialect.signed_in_user(conn)
                row = self._course_row(conn, patient["mrn"])
                if row is None:
                    if expected_version != 0:
                        raise ConflictError(expected_version, 0)
                    course_id = _create_course(conn, patient)
                    version = 0
                else:
                    course_id = int(row["id"])
                    version = int(conn.execute(
                        select(func.count()).select_from(tables.events)
                        .where(tables.events.c.course_id == course_id)
                    ).scalar_one())
                    if version != expected_version:
                        raise ConflictError(expected_version, version)
                for event in events:
                    version += 1
                    append_row(conn, course_id, version, event, stored_by)
                return version
        except IntegrityError:
            # another writer took the same (course, seq) or created the same patient
            raise ConflictError(expected_version, -1) from None


def _all(clauses: list[Any]) -> Any:
    from sqlalchemy import and_

    return and_(*clauses)


def _create_course(conn: Connection, patient: Mapping[str, str]) -> int:
    now = chain.now_utc()
    made = conn.execute(insert(tables.patients).values(
        mrn=patient["mrn"], name=patient["name"], date_of_birth=patient["date_of_birth"],
        sex=patient["sex"], created_at=now)).inserted_primary_key
    assert made is not None
    course = conn.execute(insert(tables.courses).values(
        patient_id=made[0], created_at=now)).inserted_primary_key
    assert course is not None
    return int(course[0])


def append_row(conn: Connection, course_id: int | None, seq: int,
               event: Mapping[str, Any], stored_by: str | None = None) -> None:
    """One event row, chained to the last row of the log (inside the caller's transaction).
    The row's ``by`` is the event's, or ``stored_by`` (on a ward database, an imported
    event is stored by the importing user and keeps its author in the event)."""
    last = conn.execute(
        select(tables.events.c.id, tables.events.c.hash)
        .order_by(tables.events.c.id.desc()).limit(1)
    ).first()
    prev_hash = last[1] if last else chain.GENESIS
    row: dict[str, Any] = {
        "id": (int(last[0]) + 1) if last else 1,
        "course_id": course_id,
        "seq": seq,
        "kind": str(event["kind"]),
        "payload": chain.canonical(dict(event)),
        "by": event.get("by") if stored_by is None else stored_by,
        "os_user": identity.os_user(),
        "at": chain.now_utc(),
        "prev_hash": prev_hash,
    }
    row["hash"] = chain.row_hash(row, prev_hash)
    conn.execute(insert(tables.events).values(**row))


def _words(error: OperationalError, path: Path) -> str:
    text = str(error.orig) if error.orig is not None else str(error)
    name = str(getattr(error.orig, "sqlite_errorname", "") or "")
    if name == "SQLITE_FULL" or (name.startswith("SQLITE_IOERR")
                                 and dialect.disk_nearly_full(path)):
        text = "disk is full"
    if "locked" in text or "busy" in text:
        return "the database is busy (another window or workstation is saving); try again"
    if "readonly" in text or "read-only" in text:
        return "the database can only be read (its file or folder is read-only)"
    if "disk" in text and "full" in text:
        return "the disk is full: nothing was saved; free some space and try again"
    if dialect.is_not_a_database(error):
        return "the file is not a besponsa-desktop database"
    return "the database could not be used (" + text.split("\n")[0][:120] + ")"
