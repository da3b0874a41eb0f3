"""The store suite on both backends: a SQLite file, and the test ward database where every
person signs in with a login of their own.

A test that asks for ``store``, ``service`` or ``other`` (and not for ``db_path``, the
SQLite file itself) runs twice, ``[sqlite]`` and ``[postgresql]``. On the ward database
``service`` is a ``WardService``: each change goes through a service signed in as the
person the test names (``by=...``), as at their own workstation, and a double check logs
the second person in; the server then enforces who signs, as it would on a ward.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from besponsa_desktop.app.courses import CourseService

BACKENDS = ("sqlite", "postgresql")
FIXTURES_ON_BOTH = frozenset({"store", "service", "other"})

# The people of the store tests (tests/store/store_helpers.py) and their ward logins.
PEOPLE = ("Ann Pharmacist", "Ben Nurse", "Nora Nurse", "Nora", "Ann", "Bob")
PASSWORD = "ward-test-secret"  # every person's password on the test server
DEFAULT_PERSON = "Ann Pharmacist"


class WardService:
    """Looks like a CourseService; each person's changes are made by their own login."""

    def __init__(self, url_for: Callable[[str], str],
                 settings: dict[str, Any] | None = None) -> None:
        self._url_for = url_for
        self._settings = settings
        self._services: dict[str, CourseService] = {}

    def as_person(self, person: str) -> CourseService:
        if person not in self._services:
            self._services[person] = CourseService(self._settings, db=self._url_for(person))
        return self._services[person]

    def __getattr__(self, name: str) -> Any:
        default = self.as_person(DEFAULT_PERSON)
        found = getattr(default, name)
        if name == "double_check":
            def check(*args: Any, **kwargs: Any) -> Any:
                kwargs.setdefault("login", (kwargs.get("checked_by"), PASSWORD))
                return found(*args, **kwargs)

            return check
        if not callable(found):
            return found

        def as_signer(*args: Any, **kwargs: Any) -> Any:
            person = kwargs.get("by") or DEFAULT_PERSON
            return getattr(self.as_person(person), name)(*args, **kwargs)

        return as_signer

    def close(self) -> None:
        for service in self._services.values():
            service.close()
        self._services.clear()


def ward_login_sql() -> list[str]:
    """Statements that create the people's logins (run once per test session)."""
    return [f"CREATE ROLE \"{person}\" LOGIN PASSWORD '{PASSWORD}' IN ROLE besponsa_app"
            for person in PEOPLE]
