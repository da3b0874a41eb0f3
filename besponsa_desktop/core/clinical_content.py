"""What makes two plans the same plan, for a double check: their clinical content.

A plan stored before an upgrade and the same plan made again by the new program differ in
``program_version`` only; the check a second person did still holds. Any other difference
(a dose, a date, a rounding step, a reason, the request behind it) makes it another plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Keys of a plan's JSON dump that say which program made it, not what it orders.
NOT_CLINICAL = frozenset({"program_version"})


def clinical_content(plan: Mapping[str, Any]) -> dict[str, Any]:
    """A plan's JSON dump without what is not clinical."""
    return {key: value for key, value in plan.items() if key not in NOT_CLINICAL}


def same_clinical_content(first: Mapping[str, Any], second: Mapping[str, Any]) -> bool:
    return clinical_content(first) == clinical_content(second)
