"""Table 1: the dosing regimen, as data.

Each regimen row gives mg/m² for Days 1, 8 and 15 and the cycle length. Cycle 1 is 21 days
and may be extended to 28 (a 7-day dose-free interval from Day 21) for CR/CRi or recovery
from toxicity; later cycles are 28 days with the dose-free interval from Day 21.
"""

from __future__ import annotations

from dataclasses import dataclass

from besponsa_desktop.core.models import Response

DOSE_DAYS = (1, 8, 15)
DOSE_FREE_FROM_DAY = 21
DAY_WINDOW = 2  # Days 8 and 15 may move ±2 days
MIN_DAYS_BETWEEN_DOSES = 6


@dataclass(frozen=True)
class RegimenRow:
    name: str
    mg_per_m2: dict[int, float]
    length_days: int

    @property
    def total_mg_per_m2(self) -> float:
        return sum(self.mg_per_m2.values())


CYCLE_1 = RegimenRow("Cycle 1, every patient", {1: 0.8, 8: 0.5, 15: 0.5}, 21)
CYCLE_1_EXTENDED = RegimenRow("Cycle 1, extended to 28 days", {1: 0.8, 8: 0.5, 15: 0.5}, 28)
LATER_WITH_RESPONSE = RegimenRow("Later cycles, CR or CRi achieved", {1: 0.5, 8: 0.5, 15: 0.5}, 28)
LATER_WITHOUT_RESPONSE = RegimenRow(
    "Later cycles, CR/CRi not achieved", {1: 0.8, 8: 0.5, 15: 0.5}, 28
)

# The highest amount any day can have: no plan may exceed it (a property the tests check).
MAX_MG_PER_M2_PER_DOSE = 0.8
MAX_MG_PER_M2_PER_CYCLE = 1.8


def regimen_for(cycle_number: int, response: Response | None, extend_cycle_1: bool) -> RegimenRow:
    if cycle_number == 1:
        return CYCLE_1_EXTENDED if extend_cycle_1 else CYCLE_1
    if response is not None and response.achieved:
        return LATER_WITH_RESPONSE
    return LATER_WITHOUT_RESPONSE
