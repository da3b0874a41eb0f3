"""What makes two plans the same plan, for a double check: their clinical content.

A plan stored before an upgrade and the same plan made again by the new program differ in
``program_version``, and in the request fields the upgrade added, which the stored one
lacks and the new one holds at their default (False, "" or None: a field is only ever
added with a default that keeps the old behaviour). The check a second person did still
holds. Any other difference (a dose, a date, a rounding step, a reason, a confirmation,
the request behind it) makes it another plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Keys of a plan's JSON dump that say which program made it, not what it orders.
NOT_CLINICAL = frozenset({"program_version"})
_ADDED_DEFAULTS = (False, "", None)


def clinical_content(plan: Mapping[str, Any]) -> dict[str, Any]:
    """A plan's JSON dump without what is not clinical."""
    return {key: value for key, value in plan.items() if key not in NOT_CLINICAL}


def _same(first: Any, second: Any) -> bool:
    if isinstance(first, Mapping) and isinstance(second, Mapping):
        for key in first.keys() | second.keys():
            if key not in first or key not in second:
                present = first.get(key, second.get(key))
                if not any(present is d or (present == d and type(present) is type(d))
                           for d in _ADDED_DEFAULTS):
                    return False
                continue
            if not _same(first[key], second[key]):
                return False
        return True
    if isinstance(first, list) and isinstance(second, list):
        return len(first) == len(second) and all(
            _same(a, b) for a, b in zip(first, second, strict=True))
    return bool(first == second and type(first) is type(second))


def same_clinical_content(first: Mapping[str, Any], second: Mapping[str, Any]) -> bool:
    return _same(clinical_content(first), clinical_content(second))
