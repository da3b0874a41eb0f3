"""What the services return: typed, plain results for the command line and the window."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Saved:
    """A plan stored in the patient's course."""

    version: int  # the course version after the save
    cycle: int
    day: int
    revision: int  # revisions of this cycle and day count from 1
    decision: str
    by: str


@dataclass(frozen=True)
class Recorded:
    """A change recorded in a course (a dose record, a response, a correction)."""

    version: int
    text: str  # what was recorded, in words (no patient data)


@dataclass(frozen=True)
class MoveOptions:
    dates: list[date]
    reason: str  # why these dates, or why there are none


@dataclass(frozen=True)
class CheckOutcome:
    """An independent double check, as recorded."""

    version: int
    matched: bool
    mismatches: tuple[str, ...]
    cycle: int
    day: int
    revision: int
    prepared_by: str
    checked_by: str


@dataclass(frozen=True)
class Verification:
    """Whether the plan in force for a cycle and day has been double-checked."""

    verified: bool
    revision: int
    prepared_by: str | None = None
    checked_by: str | None = None
    checked_at: str | None = None  # ISO

    @property
    def text(self) -> str:
        if not self.verified:
            return "NOT YET VERIFIED"
        return f"independently double-checked by {self.checked_by}"

    def as_data(self) -> dict[str, object]:
        return {"verified": self.verified, "text": self.text, "revision": self.revision,
                "prepared_by": self.prepared_by, "checked_by": self.checked_by,
                "checked_at": self.checked_at}


@dataclass(frozen=True)
class AuditResult:
    intact: bool
    entries: int
    head: str  # the chain head, in full
    head_short: str  # as printed and shown
    broken_id: int | None = None
    problem: str = ""


@dataclass(frozen=True)
class PatientFound:
    mrn: str
    name: str
    date_of_birth: str  # ISO date
    sex: str
    cycles: int  # cycles in the course
    last_cycle_start: str | None  # ISO date of the latest cycle's Day 1
    state: str = ""


@dataclass(frozen=True)
class Imported:
    mrn: str
    events: int
    plans: int
    version: int
    notes: list[str] = field(default_factory=list)
