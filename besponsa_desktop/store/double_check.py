"""The independent double check (ASCO/ONS): a second person re-enters height and weight
without seeing the originals; the program compares them and records both names.

Values are compared after converting to cm and kg, within a small stated tolerance (a
pound-to-kilogram conversion, or 0.5 cm on a stadiometer, must not fail a true match).
A mismatch is recorded too, and the plan stays NOT YET VERIFIED.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from besponsa_desktop.store import audit
from besponsa_desktop.store.database import transaction
from besponsa_desktop.store.errors import NotFound, RecordRefused

HEIGHT_TOLERANCE_CM = 0.5
WEIGHT_TOLERANCE_KG = 0.1
TOLERANCE_TEXT = (
    f"re-entered values match when within {HEIGHT_TOLERANCE_CM:g} cm and "
    f"{WEIGHT_TOLERANCE_KG:g} kg of the originals, after unit conversion"
)
NOT_VERIFIED = "NOT YET VERIFIED"

_TO_CM = {"cm": 1.0, "m": 100.0, "in": 2.54}
_TO_KG = {"kg": 1.0, "g": 0.001, "lb": 0.45359237}


def to_cm(value: float, unit: str) -> float:
    if unit not in _TO_CM:
        raise RecordRefused(f"height unit: must be one of {', '.join(_TO_CM)}")
    return value * _TO_CM[unit]


def to_kg(value: float, unit: str) -> float:
    if unit not in _TO_KG:
        raise RecordRefused(f"weight unit: must be one of {', '.join(_TO_KG)}")
    return value * _TO_KG[unit]


def same_person(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


@dataclass(frozen=True)
class VerificationStatus:
    """What the printout shows: who checked and when, or NOT YET VERIFIED.

    The controller turns a verified status into printing's
    DoubleCheck(checked_by=..., checked_at=...)."""

    plan_id: int
    verified: bool
    prepared_by: str | None = None
    checked_by: str | None = None
    checked_at: datetime | None = None

    @property
    def text(self) -> str:
        if not self.verified:
            return NOT_VERIFIED
        assert self.checked_at is not None
        return f"independently double-checked by {self.checked_by}"

    def as_data(self) -> dict[str, Any]:
        return {
            "verified": self.verified,
            "text": self.text,
            "prepared_by": self.prepared_by,
            "checked_by": self.checked_by,
            "checked_at": None if self.checked_at is None else self.checked_at.isoformat(),
        }


@dataclass(frozen=True)
class CheckResult:
    matched: bool
    mismatches: tuple[str, ...]
    status: VerificationStatus


def _plan(conn: sqlite3.Connection, plan_id: int) -> sqlite3.Row:
    row: sqlite3.Row | None = conn.execute(
        "SELECT plans.id, plans.saved_by, plans.plan_json, cycles.course_id, cycles.number, "
        "plans.dose_day FROM plans JOIN cycles ON cycles.id = plans.cycle_id "
        "WHERE plans.id = ?",
        (plan_id,),
    ).fetchone()
    if row is None:
        raise NotFound(f"plan {plan_id} is not stored")
    return row


def record_check(
    conn: sqlite3.Connection,
    plan_id: int,
    *,
    checked_by: str,
    height: float,
    weight: float,
    height_unit: str = "cm",
    weight_unit: str = "kg",
    prepared_by: str | None = None,
) -> CheckResult:
    """Compare a blind re-entry with the plan's height and weight and record the check.

    ``prepared_by`` defaults to the name the plan was saved under; the checker must be a
    different person. Refused (nothing recorded) for a missing or identical name.
    """
    height_cm = to_cm(height, height_unit)
    weight_kg = to_kg(weight, weight_unit)
    if not (height_cm > 0 and weight_kg > 0):
        raise RecordRefused("height and weight: must be positive numbers")
    if not checked_by or not checked_by.strip():
        raise RecordRefused("checked_by: the second person's name is required")
    checked_by = " ".join(checked_by.split())
    with transaction(conn):
        row = _plan(conn, plan_id)
        preparer = prepared_by if prepared_by and prepared_by.strip() else row["saved_by"]
        if not preparer:
            raise RecordRefused(
                "prepared_by: the plan was saved without a name; give the name of the "
                "person who prepared it"
            )
        preparer = " ".join(preparer.split())
        if same_person(preparer, checked_by):
            raise RecordRefused(
                "checked_by: the double check must be done by a second person, not the one "
                "who prepared the plan"
            )
        plan = json.loads(row["plan_json"])
        mismatches = []
        if abs(height_cm - plan["height_cm"]) > HEIGHT_TOLERANCE_CM:
            mismatches.append("height")
        if abs(weight_kg - plan["weight_kg"]) > WEIGHT_TOLERANCE_KG:
            mismatches.append("weight")
        checked_at = datetime.now().astimezone().replace(microsecond=0)
        conn.execute(
            "INSERT INTO double_checks (plan_id, prepared_by, checked_by, checked_at, "
            "height_cm, weight_kg, matched, mismatch) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                plan_id,
                preparer,
                checked_by,
                checked_at.isoformat(),
                height_cm,
                weight_kg,
                int(not mismatches),
                ",".join(mismatches) or None,
            ),
        )
        audit.append(
            conn,
            action="plan.double_check",
            entity=f"course/{row['course_id']}/cycle/{row['number']}/day/{row['dose_day']}",
            before=None,
            after={
                "plan_id": plan_id,
                "prepared_by": preparer,
                "checked_by": checked_by,
                "height_cm": height_cm,
                "weight_kg": weight_kg,
                "matched": not mismatches,
                "mismatch": mismatches,
            },
            signed_by=checked_by,
        )
        conn.execute(
            "UPDATE courses SET version = version + 1, updated_at = ? WHERE id = ?",
            (audit.now_utc(), row["course_id"]),
        )
    return CheckResult(not mismatches, tuple(mismatches), status(conn, plan_id))


def status(conn: sqlite3.Connection, plan_id: int) -> VerificationStatus:
    _plan(conn, plan_id)
    row = conn.execute(
        "SELECT prepared_by, checked_by, checked_at FROM double_checks WHERE plan_id = ? "
        "AND matched = 1 ORDER BY id LIMIT 1",
        (plan_id,),
    ).fetchone()
    if row is None:
        return VerificationStatus(plan_id, False)
    return VerificationStatus(
        plan_id,
        True,
        row["prepared_by"],
        row["checked_by"],
        datetime.fromisoformat(row["checked_at"]),
    )


def checks_data(conn: sqlite3.Connection, plan_id: int) -> list[dict[str, Any]]:
    return [
        {
            "prepared_by": row["prepared_by"],
            "checked_by": row["checked_by"],
            "checked_at": row["checked_at"],
            "height_cm": row["height_cm"],
            "weight_kg": row["weight_kg"],
            "matched": bool(row["matched"]),
            "mismatch": row["mismatch"],
        }
        for row in conn.execute(
            "SELECT * FROM double_checks WHERE plan_id = ? ORDER BY id", (plan_id,)
        )
    ]
