"""What the person printing chooses: hospital name, paper size, time stamp, double check;
and what the institution set: its premedication order set and how the 50 mL bag is made."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from besponsa_desktop.core.premedication import Premedication

# How the 50 mL is made (institution setting ``dilution_method``).
EMPTY_BAG = "empty_bag"  # an empty bag + the stated volume of sodium chloride 0.9%
FROM_50_ML_BAG = "from_50_ml_bag"  # a 50 mL bag, from which the drug's volume is removed


@dataclass(frozen=True)
class DoubleCheck:
    """A second person re-entered height and weight blind, and they matched."""

    checked_by: str
    checked_at: datetime


@dataclass(frozen=True)
class CourseDose:
    """One dose of the cycle as the patient's course records it."""

    day: int
    status: str  # scheduled, held, moved, given, omitted, not_given_discontinued
    status_text: str
    date: date | None  # when given, or when it is to be given; None when not to be given
    given_at: datetime | None = None
    reason: str | None = None


@dataclass(frozen=True)
class CourseRecord:
    """What the course says about the cycle printed: its doses as recorded and still to
    come, and the state of the course (a discontinued course says so, with its reason)."""

    cycle: int
    doses: tuple[CourseDose, ...]
    state: str = ""  # "" while active; else e.g. "TREATMENT DISCONTINUED: ..."
    chain_head: str = ""  # the course database's chain head (short form), for audit verify


@dataclass(frozen=True)
class PrintOptions:
    hospital_name: str = ""
    page_size: Literal["A4", "Letter"] = "A4"
    printed_at: datetime | None = None  # None = now; fix it for reproducible output
    double_check: DoubleCheck | None = None
    pharmacist: str = ""  # the pharmacist who verified the plan (signed it); "" = write in
    premedications: tuple[Premedication, ...] = ()  # () = lines "as prescribed"
    dilution: Literal["empty_bag", "from_50_ml_bag"] = "empty_bag"
    course: CourseRecord | None = None  # the patient's course, when the plan is stored
