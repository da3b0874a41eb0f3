"""What the ward database itself enforces, whatever a client sends: changes signed by the
role that logged in, a double check by a second role, an event log that cannot be changed
by anyone, and the privileges of the application and read-only roles.

The rows here are written by hand (as a client that bypasses the program would), so the
refusals seen are the server's own.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from besponsa_desktop.store import postgres

PLAN_PAYLOAD = {"kind": "plan_saved", "at": "2026-12-01T09:00:00Z",
                "plan": {"cycle": {"number": 1}, "dose_day": 1}}


@pytest.fixture
def engines(ward, ward_db) -> Iterator[dict[str, sa.Engine]]:
    made = {role: sa.create_engine(ward.url(ward_db, role), poolclass=sa.pool.NullPool)
            for role in ("pharm_a", "pharm_b", "nurse_c", "reader", "dba")}
    yield made
    for engine in made.values():
        engine.dispose()


def _next_id(conn: sa.Connection) -> int:
    return int(conn.execute(sa.text("SELECT coalesce(max(id), 0) + 1 FROM events")).scalar_one())


def _insert(engine: sa.Engine, *, course_id: int, seq: int, kind: str, by: str | None,
            payload: dict[str, Any]) -> None:
    with engine.begin() as conn:
        postgres.lock_chain(conn)
        conn.execute(
            sa.text("INSERT INTO events (id, course_id, seq, kind, payload, by, os_user, at, "
                    "prev_hash, hash) VALUES (:id, :course, :seq, :kind, :payload, :by, "
                    "'someone', '2026-12-01T09:00:00Z', :zero, :zero)"),
            {"id": _next_id(conn), "course": course_id, "seq": seq, "kind": kind,
             "payload": json.dumps(payload), "by": by, "zero": "0" * 64},
        )


def _course(engine: sa.Engine) -> int:
    with engine.begin() as conn:
        patient = conn.execute(sa.text(
            "INSERT INTO patients (mrn, name, date_of_birth, sex, created_at) VALUES "
            "('T1', 'Test Patient', '1970-01-01', 'female', 'now') RETURNING id")).scalar_one()
        return int(conn.execute(sa.text(
            "INSERT INTO courses (patient_id, created_at) VALUES (:p, 'now') RETURNING id"),
            {"p": patient}).scalar_one())


def _plan(engine: sa.Engine, course_id: int, seq: int, by: str) -> None:
    _insert(engine, course_id=course_id, seq=seq, kind="plan_saved", by=by,
            payload=dict(PLAN_PAYLOAD, by=by))


def _check(engine: sa.Engine, course_id: int, seq: int, by: str, checked_by: str,
           revision: int = 1) -> None:
    payload = {"kind": "double_checked", "by": by, "at": "2026-12-01T10:00:00Z", "cycle": 1,
               "day": 1, "revision": revision, "checked_by": checked_by,
               "height_cm": 170.0, "weight_kg": 70.0}
    _insert(engine, course_id=course_id, seq=seq, kind="double_checked", by=by,
            payload=payload)


def _refusal(error: pytest.ExceptionInfo[DBAPIError]) -> str:
    words = postgres.refusal(error.value)
    assert words is not None, str(error.value)
    return words


def test_a_change_signed_as_the_logged_in_role_is_stored(engines):
    course = _course(engines["pharm_a"])
    _plan(engines["pharm_a"], course, 1, "pharm_a")
    with engines["reader"].connect() as conn:
        assert conn.execute(sa.text("SELECT by FROM events")).scalar_one() == "pharm_a"


@pytest.mark.parametrize(
    ("row_by", "event_by"),
    [("pharm_b", "pharm_b"),  # claims to be a colleague
     ("pharm_a", "pharm_b"),  # the row is honest, the event it carries is not
     ("pharm_b", "pharm_a"),
     (None, "pharm_a")],
)
def test_a_client_that_lies_about_its_user_is_refused_by_the_database(
    engines, row_by, event_by
):
    course = _course(engines["pharm_a"])
    with pytest.raises(DBAPIError) as refused:
        _insert(engines["pharm_a"], course_id=course, seq=1, kind="plan_saved", by=row_by,
                payload=dict(PLAN_PAYLOAD, by=event_by))
    assert "the database user is \"pharm_a\"" in _refusal(refused)
    with engines["reader"].connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM events")).scalar_one() == 0


def test_a_preparer_signing_their_own_double_check_is_refused_by_the_database(engines):
    course = _course(engines["pharm_a"])
    _plan(engines["pharm_a"], course, 1, "pharm_a")
    with pytest.raises(DBAPIError) as refused:
        _check(engines["pharm_a"], course, 2, "pharm_a", "pharm_a")
    assert "must be made by a second person" in _refusal(refused)


def test_a_double_check_naming_someone_else_as_checker_is_refused(engines):
    course = _course(engines["pharm_a"])
    _plan(engines["pharm_a"], course, 1, "pharm_a")
    with pytest.raises(DBAPIError) as refused:
        _check(engines["pharm_a"], course, 2, "pharm_a", "pharm_b")  # pharm_b never logged in
    assert "signed by the database user who makes it" in _refusal(refused)


def test_a_second_role_may_double_check_and_the_revision_decides_the_preparer(engines):
    course = _course(engines["pharm_a"])
    _plan(engines["pharm_a"], course, 1, "pharm_a")   # revision 1 by A
    _plan(engines["pharm_b"], course, 2, "pharm_b")   # revision 2 by B
    _check(engines["pharm_b"], course, 3, "pharm_b", "pharm_b", revision=1)  # B checks A's
    with pytest.raises(DBAPIError) as refused:  # B may not check B's own revision 2
        _check(engines["pharm_b"], course, 4, "pharm_b", "pharm_b", revision=2)
    assert "second person" in _refusal(refused)
    _check(engines["nurse_c"], course, 4, "nurse_c", "nurse_c", revision=2)
    with pytest.raises(DBAPIError) as missing:  # there is no revision 3
        _check(engines["nurse_c"], course, 5, "nurse_c", "nurse_c", revision=3)
    assert "not stored" in _refusal(missing)


@pytest.mark.parametrize("role", ["pharm_a", "dba"])
@pytest.mark.parametrize(
    "statement",
    ["UPDATE events SET payload = '{}'", "DELETE FROM events", "TRUNCATE events"],
)
def test_nobody_can_change_or_remove_the_event_log(engines, role, statement):
    course = _course(engines["pharm_a"])
    _plan(engines["pharm_a"], course, 1, "pharm_a")
    with pytest.raises(DBAPIError) as refused, engines[role].begin() as conn:
        conn.execute(sa.text(statement))
    assert refused.value.orig.sqlstate == postgres.SIGNATURE_REFUSED  # type: ignore[union-attr]
    with engines["reader"].connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM events")).scalar_one() == 1


@pytest.mark.parametrize(
    "statement",
    ["UPDATE events SET payload = '{}'", "DELETE FROM events", "TRUNCATE events",
     "UPDATE patients SET name = 'x'", "DELETE FROM patients", "DROP TABLE events",
     "ALTER TABLE events DISABLE TRIGGER events_signed",
     "CREATE TABLE notes (x int)"],
)
def test_the_application_role_has_no_privilege_to_change_anything_but_append(
    engines, statement
):
    course = _course(engines["pharm_a"])
    _plan(engines["pharm_a"], course, 1, "pharm_a")
    with pytest.raises(DBAPIError) as refused, engines["pharm_a"].begin() as conn:
        conn.execute(sa.text(statement))
    # refused for want of privilege (or ownership), before any trigger runs
    assert "permission denied" in str(refused.value) or "must be owner" in str(
        refused.value)


@pytest.mark.parametrize(
    "statement",
    ["INSERT INTO patients (mrn, name, date_of_birth, sex, created_at) VALUES "
     "('R', 'R', '1970-01-01', 'male', 'now')",
     "INSERT INTO events (id, seq, kind, payload, by, os_user, at, prev_hash, hash) VALUES "
     "(99, 1, 'x', '{\"by\": \"reader\"}', 'reader', 'x', 'x', 'x', 'x')",
     "UPDATE events SET payload = '{}'"],
)
def test_the_read_only_role_reads_and_writes_nothing(engines, statement):
    course = _course(engines["pharm_a"])
    _plan(engines["pharm_a"], course, 1, "pharm_a")
    with engines["reader"].connect() as conn:
        assert conn.execute(sa.text(
            "SELECT count(*) FROM events JOIN courses ON courses.id = events.course_id "
            "JOIN patients ON patients.id = courses.patient_id")).scalar_one() == 1
    with pytest.raises(DBAPIError, match="permission denied"), \
            engines["reader"].begin() as conn:
        conn.execute(sa.text(statement))


def test_an_unknown_password_is_refused_in_words_for_the_user(ward, ward_db):
    engine = sa.create_engine(ward.cluster.url("pharm_a", "wrong", ward_db))
    with pytest.raises(DBAPIError) as refused, engine.connect():
        pass
    assert postgres.connection_words(refused.value) == (
        "the ward database refused the user name or password")
    assert "wrong" not in (postgres.connection_words(refused.value) or "")


def test_tls_with_verify_full_reaches_the_ward_database(ward, ward_db):
    engine = sa.create_engine(ward.cluster.tls_url("pharm_a", "pharm-a-secret", ward_db))
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text(
                "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")).scalar_one()
            assert postgres.session_user(conn) == "pharm_a"
    finally:
        engine.dispose()


def test_a_server_certificate_from_another_authority_is_refused(ward, ward_db, tmp_path):
    import shutil

    # The test CA's certificate is fine; a different trust store (the system's) is not.
    other = tmp_path / "other-ca.crt"
    shutil.copy("/etc/ssl/certs/ca-certificates.crt", other)
    engine = sa.create_engine(ward.cluster.tls_url("pharm_a", "pharm-a-secret", ward_db,
                                                   sslrootcert=str(other)))
    with pytest.raises(DBAPIError) as refused, engine.connect():
        pass
    words = postgres.connection_words(refused.value) or ""
    assert words.startswith("cannot connect to the ward database securely (TLS)")


def test_a_connection_without_tls_over_the_network_is_refused(ward, ward_db):
    engine = sa.create_engine(ward.cluster.tls_url("pharm_a", "pharm-a-secret", ward_db,
                                                   sslmode="disable"))
    with pytest.raises(DBAPIError, match="no encryption"), engine.connect():
        pass


def _import_course(engine: sa.Engine, rows: list[tuple[str, dict[str, Any]]],
                   existing: int | None = None) -> int:
    """Rows (kind, payload) appended as an import does: into a course created in the same
    transaction (or, to show it is refused, into ``existing``)."""
    with engine.begin() as conn:
        postgres.lock_chain(conn)
        postgres.mark_import(conn)
        if existing is None:
            patient = conn.execute(sa.text(
                "INSERT INTO patients (mrn, name, date_of_birth, sex, created_at) VALUES "
                "('I1', 'Imported Patient', '1970-01-01', 'male', 'now') RETURNING id")
            ).scalar_one()
            course = int(conn.execute(sa.text(
                "INSERT INTO courses (patient_id, created_at) VALUES (:p, 'now') RETURNING id"),
                {"p": patient}).scalar_one())
        else:
            course = existing
        seq = int(conn.execute(sa.text("SELECT count(*) FROM events WHERE course_id = :c"),
                               {"c": course}).scalar_one())
        for kind, payload in rows:
            seq += 1
            conn.execute(
                sa.text("INSERT INTO events (id, course_id, seq, kind, payload, by, os_user, "
                        "at, prev_hash, hash) VALUES (:id, :course, :seq, :kind, :payload, "
                        "session_user, 'x', 'now', 'x', 'x')"),
                {"id": _next_id(conn), "course": course, "seq": seq, "kind": kind,
                 "payload": json.dumps(payload)})
    return course


def _file_check(checked_by: str) -> dict[str, Any]:
    return {"kind": "double_checked", "by": checked_by, "cycle": 1, "day": 1, "revision": 1,
            "checked_by": checked_by, "height_cm": 170.0, "weight_kg": 70.0}


def test_an_import_keeps_the_authors_of_a_new_course_and_is_stored_under_the_importer(
    engines,
):
    _import_course(engines["pharm_a"], [
        ("plan_saved", dict(PLAN_PAYLOAD, by="J. Smith (workstation)")),
        ("double_checked", _file_check("K. Jones (workstation)")),
    ])
    with engines["reader"].connect() as conn:
        rows = conn.execute(sa.text("SELECT by, payload::jsonb ->> 'by' FROM events "
                                    "ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [("pharm_a", "J. Smith (workstation)"),
                                        ("pharm_a", "K. Jones (workstation)")]


def test_an_import_cannot_add_to_an_existing_course(engines):
    course = _course(engines["pharm_a"])
    _plan(engines["pharm_a"], course, 1, "pharm_a")
    with pytest.raises(DBAPIError) as refused:  # pharm_a's own plan, "checked" by pharm_b
        _import_course(engines["pharm_a"], [("double_checked", _file_check("pharm_b"))],
                       existing=course)
    assert "an import may only create a new course" in _refusal(refused)


def test_an_imported_double_check_by_the_plans_own_author_is_refused(engines):
    with pytest.raises(DBAPIError) as refused:
        _import_course(engines["pharm_a"], [
            ("plan_saved", dict(PLAN_PAYLOAD, by="J. Smith")),
            ("double_checked", _file_check("J. Smith")),
        ])
    assert "second person" in _refusal(refused)
