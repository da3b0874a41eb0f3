"""The audit trail: append-only, each entry hash-chained to the one before.

An entry's hash is sha256 over the canonical JSON of the entry (every column but the hash)
followed by the previous entry's hash. Changing, removing or reordering any entry breaks
the chain from that entry on. Triggers refusing UPDATE and DELETE are a second layer, for
mistakes; the chain is what shows deliberate tampering.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64
_FIELDS = (
    "id",
    "at",
    "os_user",
    "signed_by",
    "action",
    "entity",
    "before_json",
    "after_json",
    "prev_hash",
)


def canonical(value: Any) -> str:
    """The one JSON spelling of a value: sorted keys, no spaces, UTF-8 text kept."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def now_utc() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def os_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name (a service account without a passwd entry)
        return "unknown"


def entry_hash(entry: dict[str, Any], prev_hash: str) -> str:
    body = {name: entry[name] for name in _FIELDS}
    return hashlib.sha256((canonical(body) + prev_hash).encode("utf-8")).hexdigest()


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def plan_hashes(plan_id: int, request_json: str, plan_json: str) -> dict[str, Any]:
    """How the trail refers to a stored plan: by the hashes of its JSON, so that a plan
    changed in the database no longer matches its entry."""
    return {
        "plan_id": plan_id,
        "request_sha256": sha256_text(request_json),
        "plan_sha256": sha256_text(plan_json),
    }


def append(
    conn: sqlite3.Connection,
    *,
    action: str,
    entity: str,
    before: Any,
    after: Any,
    signed_by: str | None,
) -> int:
    """Add one entry; call inside the write transaction of the change it records."""
    last = conn.execute("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    prev_hash = last[1] if last else GENESIS
    entry: dict[str, Any] = {
        "id": (last[0] + 1) if last else 1,
        "at": now_utc(),
        "os_user": os_user(),
        "signed_by": signed_by,
        "action": action,
        "entity": entity,
        "before_json": None if before is None else canonical(before),
        "after_json": None if after is None else canonical(after),
        "prev_hash": prev_hash,
    }
    digest = entry_hash(entry, prev_hash)
    conn.execute(
        "INSERT INTO audit (id, at, os_user, signed_by, action, entity, before_json, "
        "after_json, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (*[entry[name] for name in _FIELDS], digest),
    )
    return int(entry["id"])


@dataclass(frozen=True)
class Verification:
    intact: bool
    entries: int
    broken_id: int | None = None
    problem: str = ""


def verify(conn: sqlite3.Connection) -> Verification:
    """Walk the chain from the first entry. The first entry that does not fit is named; what
    follows it cannot be trusted either."""
    prev_hash = GENESIS
    expected_id = 1
    count = 0
    rows = conn.execute(
        "SELECT id, at, os_user, signed_by, action, entity, before_json, after_json, "
        "prev_hash, hash FROM audit ORDER BY id"
    )
    for row in rows:
        entry = {name: row[index] for index, name in enumerate(_FIELDS)}
        stored = row[9]
        if entry["id"] != expected_id:
            return Verification(
                False,
                count,
                expected_id,
                f"entry {expected_id} is missing (the next entry is {entry['id']})",
            )
        if entry["prev_hash"] != prev_hash:
            return Verification(
                False,
                count,
                entry["id"],
                f"entry {entry['id']} does not follow entry {expected_id - 1} "
                "(its link to the previous entry was changed, or an entry was removed)",
            )
        if entry_hash(entry, prev_hash) != stored:
            return Verification(
                False,
                count,
                entry["id"],
                f"entry {entry['id']} was changed after it was written",
            )
        prev_hash = stored
        expected_id += 1
        count += 1
    return _verify_plans(conn, count)


def _verify_plans(conn: sqlite3.Connection, count: int) -> Verification:
    """Every stored plan must match the hashes its audit entry recorded (saved, or
    imported), so a plan edited in the database is found like an edited entry."""
    recorded: dict[int, tuple[int, dict[str, Any]]] = {}
    for entry_id, action, after_json in conn.execute(
        "SELECT id, action, after_json FROM audit WHERE action IN ('plan.save', "
        "'course.import') ORDER BY id"
    ):
        after = json.loads(after_json)
        for item in [after] if action == "plan.save" else after.get("plan_hashes", []):
            recorded[int(item["plan_id"])] = (entry_id, item)
    for plan_id, request_json, plan_json in conn.execute(
        "SELECT id, request_json, plan_json FROM plans ORDER BY id"
    ):
        if plan_id not in recorded:
            return Verification(
                False, count, None, f"plan {plan_id} has no audit entry (it was added directly)"
            )
        entry_id, item = recorded[plan_id]
        if plan_hashes(plan_id, request_json, plan_json) != {
            key: item[key] for key in ("plan_id", "request_sha256", "plan_sha256")
        }:
            return Verification(
                False,
                count,
                entry_id,
                f"plan {plan_id} differs from what entry {entry_id} recorded "
                "(the plan was changed in the database)",
            )
    return Verification(True, count)


def entries(conn: sqlite3.Connection, entity_prefix: str | None = None) -> list[dict[str, Any]]:
    """Entries as plain data (before/after decoded), oldest first."""
    query = (
        "SELECT id, at, os_user, signed_by, action, entity, before_json, after_json, hash "
        "FROM audit"
    )
    params: tuple[str, ...] = ()
    if entity_prefix is not None:
        query += " WHERE entity = ? OR entity LIKE ? ESCAPE '\\'"
        escaped = entity_prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params = (entity_prefix, escaped + "/%")
    result = []
    for row in conn.execute(query + " ORDER BY id", params):
        result.append(
            {
                "id": row[0],
                "at": row[1],
                "os_user": row[2],
                "signed_by": row[3],
                "action": row[4],
                "entity": row[5],
                "before": None if row[6] is None else json.loads(row[6]),
                "after": None if row[7] is None else json.loads(row[7]),
                "hash": row[8],
            }
        )
    return result
