"""The independent double check (ASCO/ONS 2024 administration safety standard): a second
person re-enters height and weight without seeing the originals, and the program compares
them with the plan revision being checked.

Values are compared in cm and kg within a small stated tolerance (a pound-to-kilogram
conversion, or 0.5 cm on a stadiometer, must not fail a true match). Only clinical content
is compared, never the program version that computed the plan. The checker must be another
person than the one who saved the plan.
"""

from __future__ import annotations

from besponsa_desktop.core.models import Plan

SOURCE = "ASCO/ONS chemotherapy administration safety standards (2024): independent double check"
HEIGHT_TOLERANCE_CM = 0.5
WEIGHT_TOLERANCE_KG = 0.1
TOLERANCE_TEXT = (
    f"re-entered values match when within {HEIGHT_TOLERANCE_CM:g} cm and "
    f"{WEIGHT_TOLERANCE_KG:g} kg of the originals, after unit conversion"
)
NOT_VERIFIED = "NOT YET VERIFIED"

HEIGHT_UNITS = {"cm": 1.0, "m": 100.0, "in": 2.54}
WEIGHT_UNITS = {"kg": 1.0, "g": 0.001, "lb": 0.45359237}


class UnitError(ValueError):
    """An unknown unit; the message names the field."""


def to_cm(value: float, unit: str) -> float:
    if unit not in HEIGHT_UNITS:
        raise UnitError(f"height unit: must be one of {', '.join(HEIGHT_UNITS)}")
    return value * HEIGHT_UNITS[unit]


def to_kg(value: float, unit: str) -> float:
    if unit not in WEIGHT_UNITS:
        raise UnitError(f"weight unit: must be one of {', '.join(WEIGHT_UNITS)}")
    return value * WEIGHT_UNITS[unit]


def same_person(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def mismatches(plan: Plan, *, height_cm: float, weight_kg: float) -> tuple[str, ...]:
    """Which re-entered values differ from the plan's beyond the tolerance."""
    out: list[str] = []
    if abs(height_cm - plan.height_cm) > HEIGHT_TOLERANCE_CM:
        out.append("height")
    if abs(weight_kg - plan.weight_kg) > WEIGHT_TOLERANCE_KG:
        out.append("weight")
    return tuple(out)


def clinical_content(plan: Plan) -> dict[str, object]:
    """A plan as data without the program version: two plans with the same clinical
    content are the same plan for a double check, whichever version computed them."""
    from besponsa_desktop.core.clinical_content import clinical_content as without_program

    return without_program(plan.model_dump(mode="json"))
