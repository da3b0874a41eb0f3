"""Where the course database is: by default the user's data folder."""

from __future__ import annotations

from pathlib import Path

from besponsa_desktop.store.location import Location


def default_database() -> Path:
    from besponsa_desktop.store.dialect import default_path

    return default_path()


def database_target(value: Path | str | None) -> Location:
    """The database a --db value or setting names: a file or a ward database URL (a URL
    the program cannot use refused)."""
    from besponsa_desktop.store.dialect import database_target as target

    return target(value)
