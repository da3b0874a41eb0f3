"""How many cycles: Table 1 footnotes and Section 2.

- No CR/CRi within 3 cycles: stop (so a 4th cycle needs a response).
- Going on to HSCT: 2 cycles; a 3rd only if CR/CRi **and** MRD negativity were not both
  reached after 2 cycles; never a 4th.
- Not going on to HSCT: at most 6 cycles.
"""

from __future__ import annotations

from besponsa_desktop.core.models import Response

MAX_CYCLES_WITHOUT_RESPONSE = 3
HSCT_CYCLES = 2
HSCT_MAX_CYCLES = 3
MAX_CYCLES = 6


def limit_codes(
    cycle_number: int, response: Response | None, mrd_negative: bool, hsct_planned: bool
) -> list[str]:
    """Reason codes that forbid giving this cycle (empty when the cycle may be given)."""
    codes: list[str] = []
    responded = response is not None and response.achieved
    if cycle_number > MAX_CYCLES_WITHOUT_RESPONSE and not responded:
        codes.append("no_response_by_cycle_3")
    if hsct_planned:
        if cycle_number > HSCT_MAX_CYCLES or (
            cycle_number > HSCT_CYCLES and responded and mrd_negative
        ):
            codes.append("hsct_cycles_complete")
    elif cycle_number > MAX_CYCLES:
        codes.append("max_cycles")
    return codes


def is_third_hsct_cycle(cycle_number: int, hsct_planned: bool) -> bool:
    return hsct_planned and cycle_number == HSCT_MAX_CYCLES
