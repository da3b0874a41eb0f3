"""Tampering with the database in a SQLite tool, triggers dropped: every insertion, edit
or deletion of a stored clinical fact is found by ``audit verify``, which names the entry;
a chain rewritten consistently (re-hashed) or cut short is found against the chain head
kept outside the database (``audit verify --expect HEAD``; the head is printed on every
printout, written in every export and shown in the window).

Each case in the list is one kind of change a person with the file could make; the test
counts how many ``audit verify`` detects (all of them, or the test fails)."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.faults.conftest import EXAMPLE, MRN, run
from tests.ward_clock import patch_clock

Tamper = Callable[[sqlite3.Connection], None]


@pytest.fixture(scope="module")
def course_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A course with a plan, a double check, a dose given, a dose held (7 toxicity days)
    and a response: one event of each kind. Returns the database and its chain head."""
    db = tmp_path_factory.mktemp("tamper") / "course.sqlite3"
    steps = [
        ["plan", str(EXAMPLE), "--save", "--by", "Ann"],
        ["check", MRN, "--cycle", "1", "--day", "1", "--by", "Bea", "--height", "165",
         "--weight", "62"],
        ["record", MRN, "--cycle", "1", "--day", "1", "--status", "given", "--at",
         "2026-12-01T10:30", "--by", "Nora"],
        ["record", MRN, "--cycle", "1", "--day", "8", "--status", "held", "--reason",
         "platelets low", "--toxicity-days", "7", "--by", "Nora"],
        ["response", MRN, "--cycle", "1", "--response", "cr", "--by", "Doc"],
    ]
    with pytest.MonkeyPatch.context() as monkeypatch:  # the module's: no test's clock yet
        patch_clock(monkeypatch)
        for step in steps:
            code, _, err = run(*step, "--db", str(db))
            assert code == 0, (step, err)
    code, out, err = run("audit", "verify", "--db", str(db))
    assert code == 0, err
    head = out.rsplit("chain head ", 1)[1].strip()
    return db, head


def _copy(course_db: tuple[Path, str], tmp_path: Path) -> Path:
    db = tmp_path / "tampered.sqlite3"
    shutil.copy(course_db[0], db)
    return db


def _tamper_in_a_sqlite_tool(db: Path, tamper: Tamper, *, restore_guards: bool) -> None:
    """What a person with the file can do: drop every trigger, change anything, and (if
    careful) put the triggers back so that nothing looks amiss."""
    raw = sqlite3.connect(db, isolation_level=None)
    triggers = raw.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
                           ).fetchall()
    assert triggers, "the store has append-only guards to drop"
    for name, _ in triggers:
        raw.execute(f'DROP TRIGGER "{name}"')
    tamper(raw)
    if restore_guards:
        for _, sql in triggers:
            raw.execute(sql)
    raw.close()


def _payload(raw: sqlite3.Connection, kind: str) -> tuple[int, dict]:
    row = raw.execute("SELECT id, payload FROM events WHERE kind = ? ORDER BY id LIMIT 1",
                      (kind,)).fetchone()
    return int(row[0]), json.loads(row[1])


def _edit(kind: str, change: Callable[[dict], None]) -> Tamper:
    def tamper(raw: sqlite3.Connection) -> None:
        entry, payload = _payload(raw, kind)
        change(payload)
        raw.execute("UPDATE events SET payload = ? WHERE id = ?",
                    (json.dumps(payload, sort_keys=True, separators=(",", ":"),
                                ensure_ascii=False), entry))
    return tamper


def _set(path: tuple[str | int, ...], to: object) -> Callable[[dict], None]:
    def change(payload: dict) -> None:
        target = payload
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = to
    return change


# Each: (what a person changed, the change, words the verdict must contain)
CASES: dict[str, tuple[Tamper, str]] = {
    "the plan's dose level (full dose restored after a reduction)": (
        _edit("plan_saved", _set(("plan", "dose_level",), 1)), "entry 1"),
    "a dose in the plan (mg)": (
        _edit("plan_saved", _set(("plan", "doses", 0, "dose_mg",), 13.5)), "entry 1"),
    "the plan's decision": (_edit("plan_saved", _set(("plan", "decision",), "hold")), "entry 1"),
    "the plan's request (platelets)": (
        _edit("plan_saved", _set(("plan", "request", "labs", "platelets",), 10)), "entry 1"),
    "the double check's values": (
        _edit("double_checked", _set(("height_cm",), 1.0)), "entry 2"),
    "the double check's checker": (
        _edit("double_checked", _set(("checked_by",), "Ann")), "entry 2"),
    "when a dose was given": (
        _edit("dose_given", _set(("given_at",), "2026-12-03T10:30:00")), "entry 3"),
    "the toxicity days of a held dose": (
        _edit("dose_held", _set(("toxicity_days",), 0)), "entry 4"),
    "the response": (_edit("response_recorded", _set(("response",), "none")), "entry 5"),
    "who signed an entry": (
        lambda raw: raw.execute("UPDATE events SET by = 'Zed' WHERE id = 3"), "entry 3"),
    "an entry's time": (
        lambda raw: raw.execute("UPDATE events SET at = '2026-01-01T00:00:00Z' WHERE id = 4"),
        "entry 4"),
    "a plan revision deleted": (lambda raw: raw.execute("DELETE FROM events WHERE id = 1"),
                                "entry 1"),
    "an entry in the middle deleted": (
        lambda raw: raw.execute("DELETE FROM events WHERE id = 3"), "entry 3"),
    "two entries swapped": (
        lambda raw: raw.executescript(
            "UPDATE events SET id = 100 WHERE id = 3; UPDATE events SET id = 3 WHERE id = 4;"
            "UPDATE events SET id = 4 WHERE id = 100;"), "entry 3"),
    "a forged double check inserted (without its hash)": (
        lambda raw: raw.execute(
            "INSERT INTO events (id, course_id, seq, kind, payload, by, os_user, at, "
            "prev_hash, hash) SELECT 6, course_id, 6, 'double_checked', payload, 'Bea', "
            "os_user, at, hash, 'f00d' FROM events WHERE id = 5"), "entry 6"),
    "an entry moved to another course": (
        lambda raw: raw.executescript(
            "INSERT INTO patients (id, mrn, name, date_of_birth, sex, created_at) VALUES "
            "(2, 'X2', 'Other Person', '1970-01-01', 'male', '2026-01-01');"
            "INSERT INTO courses (id, patient_id, created_at) VALUES (2, 2, '2026-01-01');"
            "UPDATE events SET course_id = 2 WHERE id = 4;"), "entry 4"),
    "the patient's name": (
        lambda raw: raw.execute("UPDATE patients SET name = 'John Roe'"), "patient"),
    "the patient's MRN": (
        lambda raw: raw.execute("UPDATE patients SET mrn = 'H7654321'"), "patient"),
    "the patient's date of birth": (
        lambda raw: raw.execute("UPDATE patients SET date_of_birth = '2010-03-15'"),
        "patient"),
    "a patient inserted with no course": (
        lambda raw: raw.execute(
            "INSERT INTO patients (mrn, name, date_of_birth, sex, created_at) VALUES "
            "('H0000001', 'New Person', '1990-01-01', 'female', '2026-01-01')"), "patient"),
    "a course inserted with no entries": (
        lambda raw: raw.executescript(
            "INSERT INTO patients (id, mrn, name, date_of_birth, sex, created_at) VALUES "
            "(2, 'H0000002', 'New Person', '1990-01-01', 'female', '2026-01-01');"
            "INSERT INTO courses (id, patient_id, created_at) VALUES (2, 2, '2026-01-01');"),
        "course"),
    "the course given to another patient": (
        lambda raw: raw.executescript(
            "INSERT INTO patients (id, mrn, name, date_of_birth, sex, created_at) VALUES "
            "(2, 'H0000002', 'New Person', '1990-01-01', 'female', '2026-01-01');"
            "UPDATE courses SET patient_id = 2 WHERE id = 1;"), "patient"),
    "the course deleted with its patient": (
        lambda raw: raw.executescript("DELETE FROM courses; DELETE FROM patients;"), "course"),
    "the triggers dropped, nothing else": (lambda raw: None, "guard"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_change_made_in_a_sqlite_tool_is_detected_naming_the_entry(
    course_db: tuple[Path, str], tmp_path: Path, case: str
) -> None:
    tamper, named = CASES[case]
    db = _copy(course_db, tmp_path)
    _tamper_in_a_sqlite_tool(db, tamper, restore_guards=named != "guard")
    code, out, err = run("audit", "verify", "--db", str(db))
    assert code == 1, (case, out, err)
    assert "broken" in err or "not intact" in err, err
    assert named in err, (case, err)


def _rehash(raw: sqlite3.Connection) -> None:
    """What someone who knows the program does after a change: recompute every hash."""
    from besponsa_desktop.store import chain

    rows = raw.execute(f"SELECT {', '.join(chain.FIELDS)} FROM events ORDER BY id").fetchall()
    prev = chain.GENESIS
    for values in rows:
        row = dict(zip(chain.FIELDS, values, strict=True))
        row["prev_hash"] = prev
        digest = chain.row_hash(row, prev)
        raw.execute("UPDATE events SET prev_hash = ?, hash = ? WHERE id = ?",
                    (prev, digest, row["id"]))
        prev = digest


def _rehashed_edit(raw: sqlite3.Connection) -> None:
    _edit("dose_held", _set(("toxicity_days",), 0))(raw)
    _rehash(raw)


def _truncated(raw: sqlite3.Connection) -> None:
    raw.execute("DELETE FROM events WHERE id >= 4")


def _renumbered_after_delete(raw: sqlite3.Connection) -> None:
    raw.executescript("DELETE FROM events WHERE id = 1; UPDATE events SET id = id - 1, "
                      "seq = seq - 1;")
    _rehash(raw)


CHAIN_CASES: dict[str, Tamper] = {
    "an edit, then the chain re-hashed consistently": _rehashed_edit,
    "the chain cut short (the last entries deleted)": _truncated,
    "an entry deleted, the rest renumbered and re-hashed": _renumbered_after_delete,
}


@pytest.mark.parametrize("case", list(CHAIN_CASES))
def test_a_chain_rewritten_or_cut_short_is_detected_against_the_head_kept_outside(
    course_db: tuple[Path, str], tmp_path: Path, case: str
) -> None:
    db = _copy(course_db, tmp_path)
    head = course_db[1]
    _tamper_in_a_sqlite_tool(db, CHAIN_CASES[case], restore_guards=True)
    code, out, err = run("audit", "verify", "--db", str(db))
    assert code == 0, (case, err)  # consistent in itself: only the head kept outside tells
    code, out, err = run("audit", "verify", "--expect", head, "--db", str(db))
    assert code == 1, (case, out, err)
    assert head in err, err


def test_the_head_kept_outside_is_on_the_printout_and_in_the_export(
    course_db: tuple[Path, str], tmp_path: Path
) -> None:
    db = _copy(course_db, tmp_path)
    head = course_db[1]
    code, exported, err = run("export", MRN, "--db", str(db))
    assert code == 0, err
    assert json.loads(exported)["source_chain_head"].startswith(head)
    code, _, err = run("audit", "verify", "--expect", head, "--db", str(db))
    assert code == 0, err
