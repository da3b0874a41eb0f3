"""What can go wrong in the store, in words fit for the user.

Messages never quote patient data (names, MRNs, values): they may reach a log, and the
caller knows which patient it asked about.
"""

from __future__ import annotations


class StoreError(Exception):
    """A store operation refused or failed; the message is safe to show and to log."""


class NotFound(StoreError):
    """No course, cycle, dose or plan matches what was asked for."""


class ConflictError(StoreError):
    """Someone else saved the course since it was loaded: reload and redo, never overwrite."""

    def __init__(self, expected: int, actual: int) -> None:
        super().__init__(
            f"the course was changed by someone else (version {actual}, this window loaded "
            f"version {expected}); reload it and enter the change again"
        )
        self.expected = expected
        self.actual = actual


class RecordRefused(StoreError):
    """A record (a dose, a double check, an import) breaks a rule and was not saved."""


class NewerDatabase(StoreError):
    """The database was written by a newer program version; refuse rather than guess."""
