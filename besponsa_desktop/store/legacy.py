"""Courses kept before the event log (schema versions 1 and 2, and export format 1): their
rows turned into events, in the order they were recorded, and their audit trail verified.

The older layout kept the latest state of each dose and each cycle; the events made from it
are what was recorded, oldest first: every plan revision (``saved_at``), each dose record
(``recorded_at``), each double check (``checked_at``) and the response after each cycle
(after the cycle's last record: its time was not kept). Doses the old store marked omitted
by itself ("not in the latest plan") are left to the core, which derives them from the
plan. Nothing here judges the events: loading replays them through the core.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from besponsa_desktop.core.clinical_content import NOT_CLINICAL

AUTO_OMITTED = "not in the latest plan"
NOT_RECORDED = "(name not recorded)"  # the older layout allowed a plan saved without a name
MIGRATED_HOLD = "held for toxicity before it was given (recorded with the dose; migrated)"


def _utc(text: str | None) -> str:
    """An ISO time as UTC with a Z; a time without a zone is taken as UTC."""
    if not text:
        return "1970-01-01T00:00:00Z"
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def course_events(course: dict[str, Any],
                  paths: list[str] | None = None) -> list[dict[str, Any]]:
    """Event payloads (dicts, in recorded order) for a course in the older layout: the
    shape ``export`` format 1 wrote (patient, cycles with plans, doses and checks).

    Items may carry ``_order``: the id of the old audit entry that recorded them, which
    orders them better than their own times (a dose's ``recorded_at`` could be entered);
    items without one (an imported course) sort by time after ``course["_order"]``.
    ``paths``, when given, receives where in the course each event came from."""
    timed: list[tuple[int, str, int, dict[str, Any], str]] = []
    where = ""
    order = 0
    default_rank = int(course.get("_order") or 0)

    def add(at: str, event: dict[str, Any], item: dict[str, Any] | None = None) -> None:
        nonlocal order
        order += 1
        rank = (item or {}).get("_order")
        timed.append((default_rank if rank is None else int(rank), at, order, event, where))

    for c_index, cycle in enumerate(course.get("cycles", [])):
        number = cycle["number"]
        revisions: dict[int, int] = {}
        cycle_times: list[str] = []
        for p_index, plan in enumerate(cycle.get("plans", [])):
            where = f"cycles[{c_index}].plans[{p_index}]"
            day = plan["dose_day"]
            revisions[day] = revisions.get(day, 0) + 1
            at = _utc(plan.get("saved_at"))
            cycle_times.append(at)
            add(at, {"kind": "plan_saved",
                     "by": plan.get("saved_by") or plan.get("os_user") or NOT_RECORDED,
                     "at": at, "plan": current_plan(plan["plan"])}, plan)
            for k_index, check in enumerate(plan.get("double_checks", [])):
                where = f"cycles[{c_index}].plans[{p_index}].double_checks[{k_index}]"
                checked = _utc(check.get("checked_at"))
                cycle_times.append(checked)
                add(checked, {"kind": "double_checked", "by": check["checked_by"],
                              "at": checked, "cycle": number, "day": day,
                              "revision": revisions[day], "checked_by": check["checked_by"],
                              "height_cm": check["height_cm"],
                              "weight_kg": check["weight_kg"]}, check)
        for d_index, dose in enumerate(cycle.get("doses", [])):
            where = f"cycles[{c_index}].doses[{d_index}]"
            status = dose["status"]
            reason = dose.get("reason") or ""
            if status == "planned" or (status == "omitted" and reason.startswith(AUTO_OMITTED)):
                continue
            at = _utc(dose.get("recorded_at") or dose.get("given_at"))
            cycle_times.append(at)
            base = {"by": dose.get("recorded_by") or NOT_RECORDED, "at": at, "cycle": number,
                    "day": dose["day"]}
            days = dose.get("toxicity_interruption_days") or 0
            if status == "given":
                if days:
                    add(at, {"kind": "dose_held", **base, "reason": MIGRATED_HOLD,
                             "toxicity_days": days}, dose)
                add(at, {"kind": "dose_given", **base, "given_at": dose["given_at"]}, dose)
            elif status == "held":
                add(at, {"kind": "dose_held", **base, "reason": reason,
                         "toxicity_days": days}, dose)
            elif status == "moved":
                add(at, {"kind": "dose_moved", **base, "to": dose["scheduled_date"],
                         "reason": reason}, dose)
            elif status == "omitted":
                add(at, {"kind": "dose_omitted", **base, "reason": reason}, dose)
        if cycle.get("response_after"):
            where = f"cycles[{c_index}].response_after"
            at = max(cycle_times, default="1970-01-01T00:00:00Z")
            add(at, {"kind": "response_recorded",
                     "by": cycle.get("_response_by") or NOT_RECORDED, "at": at, "cycle": number,
                     "response": cycle["response_after"],
                     "mrd_negative": bool(cycle.get("mrd_negative_after"))},
                {"_order": cycle.get("_response_order")} if cycle.get("_response_order")
                else None)
    timed.sort(key=lambda item: (item[0], item[1], item[2]))
    if paths is not None:
        paths.extend(item[4] for item in timed)
    return [item[3] for item in timed]


# ---------------------------------------------------------------- the older audit trail

AUDIT_FIELDS = ("id", "at", "os_user", "signed_by", "action", "entity", "before_json",
                "after_json", "prev_hash")
GENESIS = "0" * 64


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def verify_audit(rows: Any) -> tuple[bool, int, str, str]:
    """Walk the older audit chain (rows as mappings in id order): (intact, entries, problem,
    head)."""
    prev = GENESIS
    expected = 1
    for row in rows:
        entry = {name: row[name] for name in AUDIT_FIELDS}
        body = _canonical(entry) + prev
        if (entry["id"] != expected or entry["prev_hash"] != prev
                or hashlib.sha256(body.encode("utf-8")).hexdigest() != row["hash"]):
            return False, expected - 1, f"entry {expected} of the pre-migration audit trail " \
                "does not fit its chain", prev
        prev = row["hash"]
        expected += 1
    return True, expected - 1, "", prev


# ---------------------------------------------------------------- plans of older versions


def first_difference(stated: Any, derived: Any, path: str, *,
                     subset: bool = False) -> str | None:
    """Where two JSON values first differ, in words; None when they agree. The program
    version is not compared (it is not clinical content). ``subset``: keys the stated value
    lacks are not differences (a plan from an older version, which computed fewer)."""
    if isinstance(stated, dict) and isinstance(derived, dict):
        for key in sorted(set(stated) | set(derived)):
            if key in NOT_CLINICAL and not path.count("."):
                continue
            if key not in stated:
                if subset:
                    continue
                return f"{path}.{key}: missing from the file (the rules give {derived[key]!r})"
            if key not in derived:
                return f"{path}.{key}: not part of a plan"
            found = first_difference(stated[key], derived[key], f"{path}.{key}", subset=subset)
            if found:
                return found
        return None
    if isinstance(stated, list) and isinstance(derived, list):
        for index, (a, b) in enumerate(zip(stated, derived, strict=False)):
            found = first_difference(a, b, f"{path}[{index}]", subset=subset)
            if found:
                return found
        if len(stated) != len(derived):
            return f"{path}: the file has {len(stated)} items, the rules give {len(derived)}"
        return None
    if subset and isinstance(stated, str) and isinstance(derived, str) and _prose(path):
        return None  # an older version's wording: neither a number nor a decision
    both_numbers = all(isinstance(v, int | float) and not isinstance(v, bool)
                       for v in (stated, derived))
    if stated != derived or (type(stated) is not type(derived) and not both_numbers):
        return f"{path}: the file says {stated!r}, the rules give {derived!r}"
    return None


# Text a plan carries for people, whose wording may change between versions. Codes, numbers,
# dates and decisions are always compared.
PROSE_KEYS = ("message", "source", "label_document", "bsa_formula_text")
PROSE_LISTS = ("before_dose", "report_signs")


def _prose(path: str) -> bool:
    last = path.rsplit(".", 1)[-1]
    if last in PROSE_KEYS:
        return True
    return any(last.startswith(f"{name}[") for name in PROSE_LISTS)


def current_plan(stated: Any) -> Any:
    """A plan kept by an older version, in today's shape: recomputed by the core from its
    own request, and used when everything the older version recorded agrees with it.
    Otherwise the plan is kept as it was recorded, with only the keys it lacks filled in
    from the recomputation (loading it reports the entry for review if it still cannot be
    read)."""
    from besponsa_desktop.core.planner import make_plan
    from besponsa_desktop.core.validation import InvalidRequest

    if not isinstance(stated, dict) or "request" not in stated:
        return stated
    try:
        derived = make_plan(stated["request"]).model_dump(mode="json")
    except (InvalidRequest, TypeError, ValueError):
        return stated
    if first_difference(stated, derived, "plan", subset=True) is not None:
        # Today's rules give other numbers (a later rounding convention, say): the plan
        # stays as that version recorded and printed it; only what it did not compute is
        # taken from today's computation of the same request, so that it can be read.
        return _filled(stated, derived)
    return derived


def _filled(stated: Any, derived: Any) -> Any:
    """``stated`` with the keys it lacks taken from ``derived`` (recursively; lists item by
    item when both have as many). What ``stated`` holds is never changed."""
    if isinstance(stated, dict) and isinstance(derived, dict):
        out = dict(stated)
        for key, value in derived.items():
            out[key] = _filled(stated[key], value) if key in stated else value
        return out
    if isinstance(stated, list) and isinstance(derived, list) and len(stated) == len(derived):
        return [_filled(a, b) for a, b in zip(stated, derived, strict=True)]
    return stated
