"""Setting up and upgrading the course database (``besponsa-desktop db …``): which database
the command means (``--db``, else the settings), and the store's schema work on it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from besponsa_desktop.store import admin
from besponsa_desktop.store.admin import SchemaStatus
from besponsa_desktop.store.location import Location as Location
from besponsa_desktop.store.location import choose


def location(db: str | None, settings: Mapping[str, Any]) -> Location:
    from besponsa_desktop.store.dialect import default_path

    return choose(db, dict(settings), default_path())


def status(where: Location) -> SchemaStatus:
    return admin.status(where)


def init(where: Location) -> SchemaStatus:
    return admin.init(where)


def upgrade(where: Location) -> tuple[SchemaStatus, SchemaStatus]:
    return admin.upgrade(where)


def roles_sql() -> str:
    return admin.roles_sql()


def describe(found: SchemaStatus) -> str:
    """The status in words, one fact a line."""
    lines = [f"database: {found.database} ({found.kind})"]
    if found.empty:
        lines.append("schema: none (an empty database: `db init` creates it)")
    elif found.legacy_version is not None:
        lines.append(f"schema: version {found.legacy_version}, from before the event log "
                     "(converted by `db upgrade`, or when the program opens it)")
    else:
        lines.append(f"schema revision: {found.revision or 'none'}")
    lines.append(f"this program's revision: {found.head}")
    if found.up_to_date:
        lines.append("up to date")
    elif found.revision is not None and not found.pending:
        lines.append("newer than this program: use a newer besponsa-desktop")
    else:
        lines.append("an upgrade would apply:")
        lines.extend(f"  {revision}: {does}" for revision, does in found.pending)
    return "\n".join(lines) + "\n"
