"""Requests for the store tests, built from the worked example (fictional patient)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from besponsa_desktop.core.models import Plan
from besponsa_desktop.core.planner import make_plan

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "cycle1-day1-proceed.json"
MRN = "H1234567"
NAME = "Jane Doe"


def cycle1_request(**changes: Any) -> dict[str, Any]:
    request: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    request.update(copy.deepcopy(changes))
    return request


def later_request(number: int, start: str, **changes: Any) -> dict[str, Any]:
    """A Day 1 request for a later cycle of the example patient (labs normal)."""
    request = cycle1_request()
    request["cycle"] = {"number": number, "start_date": start, "extend_to_28_days": False}
    request["measured_on"] = start
    labs = dict(request["labs"], taken_on=start)
    labs.pop("peripheral_blasts_per_mm3")
    request["labs"] = labs
    request["prior_cycle_start"] = {"anc": 2.1, "platelets": 140}
    request.update(copy.deepcopy(changes))
    return request


def plan_for(request: dict[str, Any]) -> Plan:
    return make_plan(request)
