"""The nurses' printout for a plan, with the institution's settings (hospital name, paper
size) and, for a stored plan, what its course says: the double check of the plan in force
(never of an older revision) and the course's real schedule and state."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

# The printout's options, for the window's controllers (which do not import printing).
from besponsa_desktop.printing.options import DoubleCheck, PrintOptions

if TYPE_CHECKING:
    from pathlib import Path

    from besponsa_desktop.core.models import Plan

__all__ = ["DoubleCheck", "PrintOptions", "double_check_of", "options", "render",
           "render_with", "write_with"]


def options(settings: Mapping[str, Any], history: Mapping[str, Any] | None = None,
            which: tuple[int, int] | None = None, *, printed_at: datetime | None = None,
            double_check: Any = None, pharmacist: str = "") -> PrintOptions:
    """The printout's options from the institution's settings: hospital name, paper size,
    premedication order set, how the 50 mL bag is made. ValueError when the order set in
    the settings cannot be read (never half-printed)."""
    from besponsa_desktop.core.premedication import parse_premedications
    from besponsa_desktop.printing.options import FROM_50_ML_BAG

    check = double_check
    if history is not None and which is not None:
        check = double_check_of(history, *which)
    dilution = settings.get("dilution_method")
    return PrintOptions(
        hospital_name=str(settings.get("hospital_name") or ""),
        page_size="Letter" if settings.get("page_size") == "Letter" else "A4",
        printed_at=printed_at,
        double_check=check,
        pharmacist=pharmacist,
        premedications=parse_premedications(str(settings.get("premedication") or "")),
        dilution="from_50_ml_bag" if dilution == FROM_50_ML_BAG else "empty_bag",
    )


def double_check_of(history: Mapping[str, Any], cycle: int, day: int) -> Any:
    """The printout's double check: only for the plan in force for that cycle and day."""
    for item in history.get("cycles", []):
        if item["number"] != cycle:
            continue
        for plan in item["plans"]:
            verification = plan.get("verification") or {}
            if plan["dose_day"] == day and plan.get("current") and verification.get("verified"):
                return DoubleCheck(checked_by=str(verification["checked_by"]),
                                   checked_at=datetime.fromisoformat(
                                       str(verification["checked_at"])))
    return None


def render(plan: Plan, settings: Mapping[str, Any], history: Mapping[str, Any] | None = None,
           which: tuple[int, int] | None = None, **kwargs: Any) -> bytes:
    from besponsa_desktop.printing.document import render_pdf

    data: bytes = render_pdf(plan, options(settings, history, which, **kwargs))
    return data


def render_with(plan: Plan, chosen: PrintOptions) -> bytes:
    from besponsa_desktop.printing.document import render_pdf

    data: bytes = render_pdf(plan, chosen)
    return data


def write_with(plan: Plan, path: Path, chosen: PrintOptions) -> None:
    """Render first, then write atomically and privately: a failure leaves no file."""
    from besponsa_desktop.printing.document import write_pdf

    write_pdf(plan, path, chosen)
