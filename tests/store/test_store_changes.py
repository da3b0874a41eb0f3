"""An open window hears that another workstation changed a course: LISTEN/NOTIFY on the
ward database (the course's row id, never patient data), PRAGMA data_version on SQLite."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from besponsa_desktop.store import changes, postgres, schema_history
from tests.pg_cluster import wait_until

LISTENER = Path(__file__).with_name("listener_process.py")


def _course_with_event(engine: sa.Engine, mrn: str = "T1") -> int:
    with engine.begin() as conn:
        postgres.lock_chain(conn)
        patient = conn.execute(sa.text(
            "INSERT INTO patients (mrn, name, date_of_birth, sex, created_at) VALUES "
            "(:mrn, 'Test Patient', '1970-01-01', 'female', 'now') RETURNING id"),
            {"mrn": mrn}).scalar_one()
        course = int(conn.execute(sa.text(
            "INSERT INTO courses (patient_id, created_at) VALUES (:p, 'now') RETURNING id"),
            {"p": patient}).scalar_one())
        next_id = conn.execute(sa.text("SELECT coalesce(max(id), 0) + 1 FROM events")).scalar()
        user = postgres.session_user(conn)
        conn.execute(
            sa.text("INSERT INTO events (id, course_id, seq, kind, payload, by, os_user, at, "
                    "prev_hash, hash) VALUES (:id, :course, 1, 'plan_saved', :payload, :by, "
                    "'x', 'now', 'x', 'x')"),
            {"id": next_id, "course": course, "by": user,
             "payload": json.dumps({"kind": "plan_saved", "by": user})})
    return course


def test_a_notify_reaches_a_second_process_with_only_the_course_id(ward, ward_db):
    url = ward.url(ward_db, "nurse_c")
    listener = subprocess.Popen(
        [sys.executable, str(LISTENER), url, "2", "30"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert listener.stdout is not None
        assert listener.stdout.readline().strip() == "listening"
        engine = sa.create_engine(ward.url(ward_db, "pharm_a"))
        first = _course_with_event(engine, "T1")
        second = _course_with_event(engine, "T2")
        engine.dispose()
        out, _ = listener.communicate(timeout=30)
    finally:
        listener.kill()
    assert out.split("\n")[:2] == [f"course {first}", f"course {second}"]
    assert "T1" not in out and "Test Patient" not in out


def test_a_change_rolled_back_is_not_announced_and_nothing_else_is(ward, ward_db):
    engine = sa.create_engine(ward.url(ward_db, "pharm_a"))
    watcher = changes.watch(engine)
    try:
        assert not watcher.poll()
        with engine.connect() as conn:
            transaction = conn.begin()
            conn.execute(sa.text("SELECT pg_notify(:channel, '99')"),
                         {"channel": postgres.NOTIFY_CHANNEL})
            transaction.rollback()
        course = _course_with_event(engine)
        assert wait_until(lambda: _heard(watcher, course))
        assert not watcher.poll()
    finally:
        watcher.close()
        engine.dispose()




def _heard(watcher: changes.Watcher, course: int) -> bool:
    found = watcher.poll()
    return found.touches(course) and not found.everything and 99 not in found.courses


def test_after_the_server_restarts_the_watcher_says_anything_may_have_changed(
    ward, ward_db, monkeypatch
):
    monkeypatch.setattr(changes, "HEALTH_CHECK_S", 0.0)
    monkeypatch.setattr(changes, "RECONNECT_S", 0.0)
    engine = sa.create_engine(ward.url(ward_db, "pharm_a"))
    watcher = changes.watch(engine)
    try:
        ward.cluster.restart_after_crash()
        assert wait_until(lambda: watcher.poll().everything, timeout=20)
        course = _course_with_event(engine)  # and it listens again
        assert wait_until(lambda: watcher.poll().touches(course), timeout=20)
    finally:
        watcher.close()
        engine.dispose()


def test_sqlite_data_version_tells_a_window_that_another_connection_saved(tmp_path):
    path = tmp_path / "course.sqlite3"
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        schema_history.upgrade(conn)
    watcher = changes.watch(engine)
    try:
        assert not watcher.poll()
        other = sqlite3.connect(path)
        with other:
            other.execute("INSERT INTO patients (mrn, name, date_of_birth, sex, created_at) "
                          "VALUES ('T1', 'x', '1970-01-01', 'female', 'now')")
        other.close()
        found = watcher.poll()
        assert found.everything and found.touches(1)
        assert not watcher.poll()  # told once
    finally:
        watcher.close()
        engine.dispose()
