"""Courses for the store and application tests, built from the worked example (fictional
patient) through the application services, as the command line and the window build them."""

from __future__ import annotations

import copy
import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from besponsa_desktop.app.courses import CourseService
from besponsa_desktop.core.models import Plan
from besponsa_desktop.core.planner import make_plan
from tests.factories import completed

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "cycle1-day1-proceed.json"
MRN = "H1234567"
NAME = "Jane Doe"
PHARMACIST = "Ann Pharmacist"
CHECKER = "Ben Nurse"
NURSE = "Nora Nurse"
C1_START = date(2026, 12, 1)


def cycle1_request(**changes: Any) -> dict[str, Any]:
    request: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    request.update(copy.deepcopy(changes))
    return request


def plan_for(request: dict[str, Any]) -> Plan:
    return make_plan(request)


def start_course(service: CourseService, **changes: Any) -> None:
    service.save_plan(plan_for(cycle1_request(**changes)), by=PHARMACIST)


def dose_date(service: CourseService, cycle: int, day: int, *, nominal: bool = False) -> date:
    """When a dose is to be given (or, ``nominal``: its day in the cycle's calendar)."""
    history = service.history(MRN)
    found = next(c for c in history["cycles"] if c["number"] == cycle)
    dose = next(d for d in found["doses"] if d["day"] == day)
    return date.fromisoformat(dose["nominal_date" if nominal else "date"])


def give(service: CourseService, cycle: int, day: int, on: date | None = None) -> None:
    on = on or dose_date(service, cycle, day)
    service.record_dose(MRN, cycle, day, "given", by=NURSE, at=datetime(
        on.year, on.month, on.day, 10, 0))


def plan_day(service: CourseService, cycle: int, day: int, **overrides: Any) -> Plan:
    # measured and labs taken by the dose's day in the cycle (the request knows that day)
    on = min(dose_date(service, cycle, day), dose_date(service, cycle, day, nominal=True))
    plan = service.plan(completed(service.day_request(MRN, cycle, day), on, **overrides))
    service.save_plan(plan, by=PHARMACIST)
    return plan


def whole_cycle(service: CourseService, cycle: int) -> None:
    """Give Day 1, then plan and give the cycle's other days."""
    give(service, cycle, 1)
    history = service.history(MRN)
    found = next(c for c in history["cycles"] if c["number"] == cycle)
    for dose in found["doses"]:
        if dose["day"] != 1 and dose["status"] == "scheduled":
            plan_day(service, cycle, dose["day"])
            give(service, cycle, dose["day"])


def plan_next(service: CourseService, response: str | None = "cr", **overrides: Any) -> Plan:
    data = service.next_cycle_request(MRN)
    number = data["cycle"]["number"]
    if response is not None and data["response"] is None and number > 1:
        service.record_response(MRN, number - 1, response, by=PHARMACIST)
        data = service.next_cycle_request(MRN)
    on = date.fromisoformat(data["cycle"]["start_date"])
    plan = service.plan(completed(data, on, **overrides))
    service.save_plan(plan, by=PHARMACIST)
    return plan


def a_day_after(day: date, days: int = 1) -> date:
    return day + timedelta(days=days)
