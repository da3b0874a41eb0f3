"""The hash chain over the event rows: append-only, each row hash-chained to the one
before, so that changing, removing or reordering any row breaks the chain from that row
on. Triggers refusing UPDATE and DELETE are a second layer, for mistakes; the chain is what
shows deliberate tampering, and its head, kept outside the database (printed, exported,
``audit verify --expect``), shows a chain rewritten or cut short.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64
FIELDS = ("id", "course_id", "seq", "kind", "payload", "by", "os_user", "at", "prev_hash")
SHORT = 12  # characters of the head shown to people


def canonical(value: Any) -> str:
    """The one JSON spelling of a value: sorted keys, no spaces, UTF-8 text kept."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)


def now_utc() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def row_hash(row: dict[str, Any], prev_hash: str) -> str:
    body = {name: row[name] for name in FIELDS}
    return hashlib.sha256((canonical(body) + prev_hash).encode("utf-8")).hexdigest()


def short(head: str) -> str:
    return head[:SHORT]


@dataclass(frozen=True)
class Verification:
    intact: bool
    entries: int
    broken_id: int | None = None
    problem: str = ""
    head: str = GENESIS

    @property
    def head_short(self) -> str:
        return short(self.head)


def verify_rows(rows: Any, legacy_head: str | None = None) -> Verification:
    """Walk the chain from the first row (rows as mappings, in id order). The first row that
    does not fit is named; what follows it cannot be trusted either."""
    prev_hash = GENESIS
    expected_id = 1
    count = 0
    for row in rows:
        entry = {name: row[name] for name in FIELDS}
        if entry["id"] != expected_id:
            return Verification(False, count, expected_id,
                                f"entry {expected_id} is missing (the next entry is "
                                f"{entry['id']})", prev_hash)
        if entry["prev_hash"] != prev_hash:
            return Verification(False, count, entry["id"],
                                f"entry {entry['id']} does not follow entry {expected_id - 1} "
                                "(its link to the previous entry was changed, or an entry "
                                "was removed)", prev_hash)
        if row_hash(entry, prev_hash) != row["hash"]:
            return Verification(False, count, entry["id"],
                                f"entry {entry['id']} was changed after it was written",
                                prev_hash)
        prev_hash = row["hash"]
        expected_id += 1
        count += 1
    return Verification(True, count, head=prev_hash)
