"""What the person printing chooses: hospital name, paper size, time stamp, double check;
and what the institution set: its premedication order set and how the 50 mL bag is made."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
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
class PrintOptions:
    hospital_name: str = ""
    page_size: Literal["A4", "Letter"] = "A4"
    printed_at: datetime | None = None  # None = now; fix it for reproducible output
    double_check: DoubleCheck | None = None
    pharmacist: str = ""  # the pharmacist who verified the plan (signed it); "" = write in
    premedications: tuple[Premedication, ...] = ()  # () = lines "as prescribed"
    dilution: Literal["empty_bag", "from_50_ml_bag"] = "empty_bag"
