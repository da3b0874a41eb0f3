"""The repository: courses as append-only event logs, appended against a version so that
a concurrent writer gets a conflict, never an overwrite; the OS user from the login
session; patients found by MRN or name."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from besponsa_desktop.store import identity
from besponsa_desktop.store.errors import ConflictError
from besponsa_desktop.store.repository import SqlCourseStore, open_store

PATIENT = {"mrn": "H1234567", "name": "Jane Doe", "date_of_birth": "1980-03-15",
           "sex": "female"}


def event(n: int) -> dict[str, object]:
    return {"kind": "note", "by": "Ann Pharmacist", "at": f"2026-12-01T10:{n:02d}:00Z", "n": n}


def test_appended_events_load_back_in_order_with_who_and_when(store: SqlCourseStore) -> None:
    assert store.load(PATIENT["mrn"]) is None
    assert store.append(PATIENT, 0, [event(1), event(2)]) == 2
    assert store.append(PATIENT, 2, [event(3)]) == 3
    loaded = store.load(PATIENT["mrn"])
    assert loaded is not None and loaded.version == 3
    assert [e.payload["n"] for e in loaded.events] == [1, 2, 3]
    assert [e.seq for e in loaded.events] == [1, 2, 3]
    assert loaded.events[0].by == "Ann Pharmacist"
    assert loaded.events[0].os_user == identity.os_user()
    assert loaded.patient == PATIENT


def test_a_writer_that_loaded_an_older_version_gets_a_conflict(store: SqlCourseStore) -> None:
    store.append(PATIENT, 0, [event(1)])
    store.append(PATIENT, 1, [event(2)])  # another window saved meanwhile
    with pytest.raises(ConflictError) as conflict:
        store.append(PATIENT, 1, [event(3)])
    assert (conflict.value.expected, conflict.value.actual) == (1, 2)
    loaded = store.load(PATIENT["mrn"])
    assert loaded is not None and [e.payload["n"] for e in loaded.events] == [1, 2]


def test_a_new_course_created_twice_conflicts(store: SqlCourseStore) -> None:
    store.append(PATIENT, 0, [event(1)])
    with pytest.raises(ConflictError):
        store.append(PATIENT, 0, [event(1)])


def test_two_connections_cannot_overwrite_each_other(db_path: Path) -> None:
    first, second = open_store(db_path), open_store(db_path)
    try:
        first.append(PATIENT, 0, [event(1)])
        loaded = second.load(PATIENT["mrn"])
        assert loaded is not None
        first.append(PATIENT, 1, [event(2)])
        with pytest.raises(ConflictError):
            second.append(PATIENT, loaded.version, [event(3)])
    finally:
        first.close()
        second.close()


def test_a_writer_waits_for_another_writers_transaction(db_path: Path) -> None:
    store = open_store(db_path)
    store.append(PATIENT, 0, [event(1)])
    raw = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
    raw.execute("BEGIN IMMEDIATE")  # another process holds the write lock for a moment
    released = threading.Timer(0.5, lambda: raw.execute("COMMIT"))
    released.start()
    started = time.monotonic()
    assert store.append(PATIENT, 1, [event(2)]) == 2
    assert time.monotonic() - started >= 0.4
    released.join()
    raw.close()
    store.close()


def test_the_event_log_refuses_update_and_delete(store: SqlCourseStore, db_path: Path) -> None:
    store.append(PATIENT, 0, [event(1)])
    raw = sqlite3.connect(db_path)
    for statement in ("UPDATE events SET by = 'x'", "DELETE FROM events"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            raw.execute(statement)
    raw.close()


def test_the_os_user_comes_from_the_login_session_not_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import os
    import pwd

    real = pwd.getpwuid(os.geteuid()).pw_name
    for name in ("USER", "LOGNAME", "USERNAME", "LNAME"):
        monkeypatch.setenv(name, "somebody-else")
    assert identity.os_user() == real


def test_patients_are_found_by_mrn_or_every_word_of_the_name(store: SqlCourseStore) -> None:
    store.append(PATIENT, 0, [event(1)])
    store.append(dict(PATIENT, mrn="M7654321", name="Rafael Ortiz", sex="male"), 0,
                 [event(1)])
    store.append(dict(PATIENT, mrn="X_100%", name="Ortiz Jane"), 0, [event(1)])
    assert [m.mrn for m in store.find_patients("h1234567")] == ["H1234567"]
    assert [m.mrn for m in store.find_patients("jane ortiz")] == ["X_100%"]
    assert [m.name for m in store.find_patients("ortiz")] == ["Ortiz Jane", "Rafael Ortiz"]
    assert [m.mrn for m in store.find_patients("_100%")] == ["X_100%"]  # no wildcards
    assert store.find_patients("   ") == []
