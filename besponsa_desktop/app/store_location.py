"""Where the course database lives by default (the user's data folder)."""

from __future__ import annotations

from pathlib import Path


def default_database() -> Path:
    from besponsa_desktop.store.dialect import default_path

    return default_path()
