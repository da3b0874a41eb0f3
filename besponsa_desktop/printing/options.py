"""What the person printing chooses: hospital name, paper size, time stamp, double check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal


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
