"""Plan requests for tests: a valid base request and deep overrides of it."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

from besponsa_desktop.core.models import Plan
from besponsa_desktop.core.planner import make_plan

BASE: dict[str, Any] = {
    "label": "US",
    "patient": {
        "name": "Jane Doe",
        "mrn": "H1234567",
        "date_of_birth": "1980-03-15",
        "sex": "female",
    },
    "height_cm": 165,
    "weight_kg": 62,
    "measured_on": "2026-11-30",
    "bsa_formula": "mosteller",
    "cycle": {"number": 1, "start_date": "2026-12-01", "extend_to_28_days": False},
    "dose_day": 1,
    "labs": {
        "taken_on": "2026-11-30",
        "anc": 2.1,
        "platelets": 140,
        "total_bilirubin": 10,
        "total_bilirubin_uln": 21,
        "ast": 25,
        "ast_uln": 40,
        "alt": 30,
        "alt_uln": 40,
        "serum_creatinine_umol_l": 70,
        "peripheral_blasts_per_mm3": 4000,
    },
}

LATER_CYCLE: dict[str, Any] = {
    "cycle": {"number": 2, "start_date": "2026-12-01"},
    "response": "cr",
    "baseline": {"anc": 2.1, "platelets": 140},
    "labs": {"peripheral_blasts_per_mm3": None},
}

DELETE = object()


def merge(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in overrides.items():
        if value is DELETE:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def request(*layers: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    data = BASE
    for layer in (*layers, overrides):
        data = merge(data, layer)
    return data


def later(*layers: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    """A valid cycle-2 request (CR, normal baseline counts), with overrides."""
    return request(LATER_CYCLE, *layers, **overrides)


def plan_of(data: dict[str, Any]) -> Plan:
    return make_plan(data)


def codes(items: list[Any]) -> list[str]:
    return [item.code for item in items]


def labs_on(day: date, **overrides: Any) -> dict[str, Any]:
    """The base request's labs, taken on ``day`` (no blast count: that is cycle 1 Day 1's)."""
    labs = {key: value for key, value in BASE["labs"].items()
            if key != "peripheral_blasts_per_mm3"}
    return merge(dict(labs, taken_on=day.isoformat()), overrides)


def completed(data: dict[str, Any], on: date, **overrides: Any) -> dict[str, Any]:
    """A request pre-filled by the course, with what the pharmacist enters that day."""
    filled = {"weight_kg": 62, "measured_on": on.isoformat(), "labs": labs_on(on)}
    return merge(merge(data, filled), overrides)
