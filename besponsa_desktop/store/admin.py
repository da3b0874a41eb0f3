"""Looking after a database's schema: where it stands (``status``), creating it (``init``)
and bringing it up to this program's revision (``upgrade``). For IT on a ward database,
where the program itself never changes the schema; on a SQLite file the program upgrades
when it opens it, and these commands do the same on request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib.resources import files
from typing import Any

from sqlalchemy import Connection, Engine

from besponsa_desktop.store import dialect, migrations, schema_history
from besponsa_desktop.store.errors import StoreError
from besponsa_desktop.store.location import Location


@dataclass(frozen=True)
class SchemaStatus:
    database: str  # the file, or the URL without its password
    kind: str  # "sqlite" or "postgresql"
    revision: str | None  # where the database is (None: no schema revision yet)
    head: str  # this program's revision
    pending: list[tuple[str, str]] = field(default_factory=list)
    legacy_version: int | None = None  # a SQLite file of schema version 1 or 2
    empty: bool = False  # no tables at all: ``init`` creates them

    @property
    def up_to_date(self) -> bool:
        return self.revision == self.head

    def as_data(self) -> dict[str, Any]:
        return {
            "database": self.database, "kind": self.kind, "revision": self.revision,
            "program_revision": self.head, "up_to_date": self.up_to_date,
            "pending": [{"revision": r, "does": d} for r, d in self.pending],
            "legacy_schema_version": self.legacy_version, "empty": self.empty,
        }


def roles_sql() -> str:
    """The ward database's roles (``sql/roles.sql``), for IT to run with psql."""
    return files("besponsa_desktop.store").joinpath("sql/roles.sql").read_text("utf-8")


def _engine(location: Location, create: bool) -> Engine:
    if location.url is not None:
        from besponsa_desktop.store import postgres

        return postgres.engine(location.url, pooled=False)
    assert location.path is not None
    if not create and not location.path.exists():
        raise StoreError(f"{location.path}: no such database")
    return dialect.sqlite_engine(location.path)


def _run(location: Location, work: Any, create: bool = False) -> Any:
    from besponsa_desktop.store.repository import SqlCourseStore

    store = SqlCourseStore(_engine(location, create))
    try:
        with store._connect() as conn:
            return work(conn)
    finally:
        store.close()


def _status(conn: Connection, location: Location) -> SchemaStatus:
    with conn.begin():
        revision = schema_history.current(conn)
        names = dialect.table_names(conn)
        legacy = None
        if conn.dialect.name == "sqlite" and revision is None:
            version = dialect.schema_version(conn)
            legacy = version if version in (1, 2) else None
        pending = [] if revision is not None and not schema_history.known(revision) \
            else schema_history.pending(conn)
    return SchemaStatus(location.display(), location.dialect, revision, schema_history.HEAD,
                        pending, legacy, empty=not names)


def status(location: Location) -> SchemaStatus:
    return _run(location, lambda conn: _status(conn, location))  # type: ignore[no-any-return]


def init(location: Location) -> SchemaStatus:
    """Create the schema in an empty database (a new ward database after ``roles.sql``).
    Refused for a database that holds tables: that is ``upgrade``'s work, or not ours."""

    def work(conn: Connection) -> SchemaStatus:
        found = _status(conn, location)
        if not found.empty:
            if found.up_to_date:
                raise StoreError("the database is set up already (schema revision "
                                 f"{found.revision})")
            raise StoreError("the database is not empty: `db upgrade` brings a course "
                             "database up to date; another program's database is left alone")
        _upgrade(conn)
        return _status(conn, location)

    return _run(location, work, create=True)  # type: ignore[no-any-return]


def upgrade(location: Location) -> tuple[SchemaStatus, SchemaStatus]:
    """Bring the database to this program's revision, in one transaction. Returns the
    status before and after."""

    def work(conn: Connection) -> tuple[SchemaStatus, SchemaStatus]:
        before = _status(conn, location)
        if before.revision is not None and not schema_history.known(before.revision):
            migrations.check_server(conn)  # raises NewerDatabase
        if before.empty and location.is_server:
            raise StoreError("the database is empty: create the schema with `db init`")
        if not before.up_to_date:
            _upgrade(conn)
        return before, _status(conn, location)

    return _run(location, work)  # type: ignore[no-any-return]


def _upgrade(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        migrations.migrate(conn)  # a version 1/2 file is converted on the way
        return
    with conn.begin():
        schema_history.upgrade(conn)

