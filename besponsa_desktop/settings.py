"""Institution-wide defaults, as the window reads and writes them (over QSettings).

Every option is declared once in ``besponsa_desktop.app.settings`` with its type, default
and allowed values (the command line reads the same files there, without Qt). The user's
values live in the user's settings file; hospital IT can write a system settings file whose
keys override the user's and lock them (the settings dialog shows them as set by IT and
cannot change them). See docs/settings.md for where the files are and how to preset them.

Settings carry a schema version; ``_UPGRADES`` turns an older file into the current shape,
one step at a time, so a key can be renamed without losing what a hospital has set.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings

# The registry itself is Qt-free, so that the command line reads the same settings.
from besponsa_desktop.app.settings import (
    APPLICATION,
    OPTION_BY_KEY,
    OPTIONS,
    ORGANIZATION,
    SCHEMA_VERSION,
    VERSION_KEY,
    Option,
    read_ini_all,
)

__all__ = [
    "OPTIONS",
    "OPTION_BY_KEY",
    "SCHEMA_VERSION",
    "VERSION_KEY",
    "Option",
    "Settings",
    "SettingsNotSaved",
]

# Each step takes the file at version N (as a QSettings) and leaves it at N + 1.
_UPGRADES: dict[int, Callable[[QSettings], None]] = {}


def _default_file(scope: QSettings.Scope) -> Path:
    return Path(
        QSettings(QSettings.Format.IniFormat, scope, ORGANIZATION, APPLICATION).fileName()
    )


def default_user_file() -> Path:
    return _default_file(QSettings.Scope.UserScope)


def default_system_file() -> Path:
    return _default_file(QSettings.Scope.SystemScope)


class SettingsNotSaved(OSError):
    """The user's settings file could not be written; the message says where."""


def _as_written(path: Path, key: str) -> list[str]:
    """The values of ``key`` in an INI file as written: QSettings splits an unquoted value
    at commas ("St Mary's, London" becomes two items) and keeps only the last of a key
    given twice."""
    return read_ini_all(path).get(key, [])


class Settings:
    """The registry's values for this user, with IT's system file on top."""

    def __init__(self, user_file: Path | None = None, system_file: Path | None = None) -> None:
        self.user_file = Path(user_file) if user_file else default_user_file()
        self.system_file = Path(system_file) if system_file else default_system_file()
        self._user = QSettings(str(self.user_file), QSettings.Format.IniFormat)
        self._system_store = QSettings(str(self.system_file), QSettings.Format.IniFormat)
        self.ignored: list[str] = []  # system keys IT set to values we cannot use
        self._upgrade(self._user)

    # ------------------------------------------------------------------ reading
    def _raw(self, store: QSettings, key: str) -> Any:
        raw = store.value(key)
        if isinstance(raw, list):  # an unquoted comma: read the text as written
            file = Path(store.fileName())
            written = _as_written(file, key)
            raw = written[-1] if written else ", ".join(str(item) for item in raw)
        return raw

    def _ignore(self, key: str, why: str) -> None:
        """Note, once, that IT's value for key is not used (never the value: it could be
        anything typed)."""
        if key not in self.ignored:
            self.ignored.append(key)
            from besponsa_desktop.logs import log_note

            log_note(f"system settings: {key} ignored ({why}); see docs/settings.md")

    def _system(self, key: str) -> tuple[bool, Any]:
        """(True, value) when IT's system file sets ``key`` to a usable value."""
        if not self._system_store.contains(key):
            return False, None
        if len(_as_written(self.system_file, key)) > 1:
            self._ignore(key, "given more than once")
            return False, None
        try:
            return True, OPTION_BY_KEY[key].coerce(self._raw(self._system_store, key))
        except (TypeError, ValueError):
            self._ignore(key, "not a value this option accepts")
            return False, None

    def locked(self, key: str) -> bool:
        """True when IT's system file sets this option (and it is a usable value)."""
        return self._system(key)[0]

    def get(self, key: str) -> Any:
        option = OPTION_BY_KEY[key]
        usable, value = self._system(key)
        if usable:
            return value
        if self._user.contains(key):
            try:
                return option.coerce(self._raw(self._user, key))
            except (TypeError, ValueError):
                pass  # an unusable stored value falls back to the default
        return option.default

    def values(self) -> dict[str, Any]:
        return {option.key: self.get(option.key) for option in OPTIONS}

    # ------------------------------------------------------------------ writing
    def set(self, key: str, value: Any) -> bool:
        """Store a user value. Returns False (and stores nothing) for a locked option."""
        option = OPTION_BY_KEY[key]
        if self.locked(key):
            return False
        value = option.coerce(value)
        self._user.setValue(key, value)
        self._user.setValue(VERSION_KEY, SCHEMA_VERSION)
        return True

    def sync(self) -> None:
        """Write the user's file; SettingsNotSaved if it could not be written."""
        self._user.sync()
        if self._user.status() != QSettings.Status.NoError:
            raise SettingsNotSaved(
                f"the settings could not be saved to {self.user_file} "
                "(the folder or the file cannot be written)"
            )
        # Qt writes the file atomically (QSaveFile) but with the umask's permissions.
        with contextlib.suppress(OSError):
            os.chmod(self.user_file, 0o600)

    # Window state is per user and never locked; it is not an institutional option.
    def window_state(self, key: str) -> Any:
        return self._user.value(f"window/{key}")

    def set_window_state(self, key: str, value: Any) -> None:
        self._user.setValue(f"window/{key}", value)

    # ------------------------------------------------------------------ versions
    @staticmethod
    def _upgrade(store: QSettings) -> None:
        raw = store.value(VERSION_KEY, 0)
        try:
            version = int(str(raw))
        except ValueError:
            version = 0
        if not store.allKeys():
            return  # a fresh file: nothing to upgrade
        while version < SCHEMA_VERSION:
            step = _UPGRADES.get(version)
            if step is not None:
                step(store)
            version += 1
        store.setValue(VERSION_KEY, SCHEMA_VERSION)
