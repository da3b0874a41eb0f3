"""What the application layer reports instead of doing something: refusals by the core
(with its reasons), and the store's errors (re-exported so the command line and the window
need not import the store)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from besponsa_desktop.store.errors import (
    ConflictError,
    NewerDatabase,
    NotFound,
    RecordRefused,
    StoreError,
)

__all__ = [
    "ConflictError",
    "NewerDatabase",
    "NotFound",
    "RecordRefused",
    "Refused",
    "StoreError",
]


class Refused(StoreError):
    """The core refused a change (nothing was stored). ``findings``: the core's reasons,
    each with a ``code``, a message with the numbers and the label ``source``."""

    def __init__(self, findings: Sequence[Any], what: str = "") -> None:
        self.findings = list(findings)
        self.what = what
        super().__init__("; ".join(self.lines()))

    def lines(self) -> list[str]:
        def said(message: str) -> str:
            # the core's message often names the dose already ("cycle 1 Day 8 has no ...")
            if not self.what or message.startswith(self.what):
                return message
            return f"{self.what}: {message}"

        return [f"{said(f.message)} [{f.code}; {f.source}]" for f in self.findings]
