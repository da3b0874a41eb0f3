"""The nurses' printout for a plan, with the institution's settings (hospital name, paper
size) and, for a stored plan, what its course says: the double check of the plan in force
(never of an older revision) and the course's real schedule and state."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

# The printout's options, for the window's controllers (which do not import printing).
from besponsa_desktop.printing.options import CourseDose, CourseRecord, DoubleCheck, PrintOptions

if TYPE_CHECKING:
    from pathlib import Path

    from besponsa_desktop.core.models import Plan

__all__ = ["CourseRecord", "DoubleCheck", "PrintOptions", "course_plan", "course_record",
           "double_check_of", "options", "render", "render_with", "write_with"]

STATE_WORDS = {"discontinued": "TREATMENT DISCONTINUED", "complete": "COURSE COMPLETE",
               "on_hold": "ON HOLD"}
NOT_TO_GIVE = ("omitted", "not_given_discontinued")


def options(settings: Mapping[str, Any], history: Mapping[str, Any] | None = None,
            which: tuple[int, int] | None = None, *, printed_at: datetime | None = None,
            double_check: Any = None, pharmacist: str = "",
            course: CourseRecord | None = None) -> PrintOptions:
    """The printout's options from the institution's settings: hospital name, paper size,
    premedication order set, how the 50 mL bag is made; the pharmacist; the double check
    and the course record of a stored plan. ValueError when the order set in the settings
    cannot be read (never half-printed)."""
    from besponsa_desktop.core.premedication import parse_premedications
    from besponsa_desktop.printing.options import FROM_50_ML_BAG

    check = double_check
    record = course
    if history is not None and which is not None:
        check = double_check_of(history, *which)
        record = course_record(history, which[0])
    dilution = settings.get("dilution_method")
    return PrintOptions(
        hospital_name=str(settings.get("hospital_name") or ""),
        page_size="Letter" if settings.get("page_size") == "Letter" else "A4",
        printed_at=printed_at,
        double_check=check,
        pharmacist=pharmacist,
        premedications=parse_premedications(str(settings.get("premedication") or "")),
        dilution="from_50_ml_bag" if dilution == FROM_50_ML_BAG else "empty_bag",
        course=record,
    )


def course_record(history: Mapping[str, Any], cycle: int) -> CourseRecord | None:
    """The cycle as the course records it (from the application's history data)."""
    from datetime import date

    found = next((c for c in history.get("cycles", []) if c["number"] == cycle), None)
    if found is None:
        return None
    doses = tuple(
        CourseDose(
            day=int(d["day"]), status=str(d["status"]), status_text=str(d["status_text"]),
            date=None if d["date"] is None else date.fromisoformat(d["date"]),
            given_at=None if d["given_at"] is None else datetime.fromisoformat(d["given_at"]),
            reason=d.get("reason"),
        )
        for d in found["doses"]
    )
    state = history.get("state") or {}
    words = STATE_WORDS.get(str(state.get("status", "")), "")
    reason = (state.get("reason") or {}).get("message")
    text = f"{words}: {reason}" if words and reason else words
    return CourseRecord(cycle=cycle, doses=doses, state=text,
                        chain_head=str(history.get("chain_head_short") or ""))


def course_plan(plan: Plan, record: CourseRecord | None) -> Plan:
    """The plan with its doses as the course has them: on the dates given, moved or
    re-based; a dose omitted or not to be given (discontinued) has no page and no calendar
    mark as a dose (the course record on the sheet says why)."""
    if record is None or record.cycle != plan.cycle.number:
        return plan
    by_day = {d.day: d for d in record.doses}
    doses = []
    for dose in plan.doses:
        found = by_day.get(dose.day)
        if found is None:
            doses.append(dose)
        elif found.status not in NOT_TO_GIVE and found.date is not None:
            doses.append(dose.model_copy(update={"date": found.date}))
    return plan.model_copy(update={"doses": doses})


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
    return render_with(plan, options(settings, history, which, **kwargs))


def render_with(plan: Plan, chosen: PrintOptions) -> bytes:
    from besponsa_desktop.printing.document import render_pdf

    data: bytes = render_pdf(course_plan(plan, chosen.course), chosen)
    return data


def write_with(plan: Plan, path: Path, chosen: PrintOptions) -> None:
    """Render first, then write atomically and privately: a failure leaves no file."""
    from besponsa_desktop.printing.document import write_pdf

    write_pdf(course_plan(plan, chosen.course), path, chosen)
