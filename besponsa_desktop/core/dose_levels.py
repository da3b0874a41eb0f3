"""Table 4: dose levels after toxicity interruptions [verify].

Level 0 is the full Table 1 dose. An interruption for toxicity of 14 days or more in the
previous cycle moves the next cycle one level down: level 1 decreases the cycle's total dose
by 25%, level 2 gives two doses per cycle; one more step is permanent discontinuation. A
level never goes back (no re-escalation). More than 28 days: consider discontinuation.

The label leaves open how the 25% is spread over the days and which doses remain when there
are two. The program's convention, printed with every reduced plan:
  level 1 — every day's mg/m² × 0.75;
  level 2 — the level-1 amounts of Days 1 and 8; Day 15 is not given.
"""

from __future__ import annotations

from dataclasses import dataclass

LEVEL_STEP_INTERRUPTION_DAYS = 14
CONSIDER_DISCONTINUATION_OVER_DAYS = 28
HOLD_NEXT_DOSE_BELOW_DAYS = 7  # within a cycle: < 7 days hold; ≥ 7 days omit the next dose
REDUCTION_FACTOR = 0.75
MAX_LEVEL = 2


@dataclass(frozen=True)
class DoseLevel:
    level: int
    factor: float
    days: tuple[int, ...]
    description: str


LEVELS = {
    0: DoseLevel(0, 1.0, (1, 8, 15), "full dose (Table 1)"),
    1: DoseLevel(
        1,
        REDUCTION_FACTOR,
        (1, 8, 15),
        "total dose decreased by 25%: each day's mg/m² × 0.75 (program convention)",
    ),
    2: DoseLevel(
        2,
        REDUCTION_FACTOR,
        (1, 8),
        "two doses per cycle: Days 1 and 8 at the 25%-decreased amounts, no Day 15 "
        "(program convention)",
    ),
}

CONVENTION = (
    "Dose level 1 multiplies each day's mg/m² by 0.75; dose level 2 keeps Days 1 and 8 at "
    "those amounts and omits Day 15. The label does not say how the reduction is spread; "
    "this is the program's convention."
)


def next_level(level_in_force: int, longest_interruption_days: int) -> int:
    """The level for this cycle. May return MAX_LEVEL + 1: reductions are exhausted."""
    if longest_interruption_days >= LEVEL_STEP_INTERRUPTION_DAYS:
        return level_in_force + 1
    return level_in_force


def within_cycle_action(interruption_days: int) -> str:
    """What Table 4 says about the next dose within a cycle after a toxicity interruption."""
    if interruption_days < HOLD_NEXT_DOSE_BELOW_DAYS:
        return "hold"
    return "omit"
