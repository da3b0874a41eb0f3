"""The ward database on PostgreSQL: what differs from the embedded SQLite file.

- Engine: psycopg 3, READ COMMITTED, connections checked before use (a server restarted
  overnight must not break the morning's first save).
- The hash chain is serialised across workstations by a transaction-level advisory lock
  (``lock_chain``), taken before the chain's head is read, so two saves never fork it.
- Who made a change is the server's word: a trigger refuses an event whose ``by`` (in the
  row and in the event) is not ``session_user``, the role that authenticated. A double
  check must come from a different role than the one that saved the plan revision it
  checks; the database enforces that too.
- The event log cannot be changed: triggers refuse UPDATE, DELETE and TRUNCATE (the owner
  included), and the application role is granted SELECT and INSERT only (``roles.sql``).
- Every appended event notifies ``besponsa_course_changed`` with the course's row id (an
  opaque number, never patient data), delivered when the transaction commits.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine, create_engine, text

CHAIN_LOCK_KEY = 0x62657370_6F6E7361  # "besponsa": the one advisory lock of the chain
NOTIFY_CHANNEL = "besponsa_course_changed"
APP_ROLE = "besponsa_app"
READ_ROLE = "besponsa_read"
CONNECT_TIMEOUT_S = 10
SIGNATURE_REFUSED = "42501"  # insufficient_privilege: the SQLSTATE of the triggers' refusals

# The triggers, created by the first schema revision on PostgreSQL (and kept in step with
# any later revision that changes the events table).
GUARDS = (
    """
CREATE FUNCTION besponsa_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the event log is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$""",
    "CREATE TRIGGER events_no_change BEFORE UPDATE OR DELETE ON events "
    "FOR EACH ROW EXECUTE FUNCTION besponsa_events_append_only()",
    "CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events "
    "FOR EACH STATEMENT EXECUTE FUNCTION besponsa_events_append_only()",
    """
CREATE FUNCTION besponsa_events_signed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    event jsonb := NEW.payload::jsonb;
    who text := session_user;
    preparer text;
BEGIN
    IF NEW.by IS DISTINCT FROM who OR (event ->> 'by') IS DISTINCT FROM who THEN
        RAISE EXCEPTION 'the change is signed "%", but the database user is "%"',
            coalesce(NEW.by, event ->> 'by', ''), who
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.kind = 'double_checked' THEN
        IF (event ->> 'checked_by') IS DISTINCT FROM who THEN
            RAISE EXCEPTION 'a double check is signed by the database user who makes it'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        -- The revision checked: the n-th plan saved for this cycle and day.
        SELECT e.by INTO preparer FROM events e
         WHERE e.course_id = NEW.course_id AND e.kind = 'plan_saved'
           AND (e.payload::jsonb #>> '{plan,cycle,number}')::int = (event ->> 'cycle')::int
           AND (e.payload::jsonb #>> '{plan,dose_day}')::int = (event ->> 'day')::int
         ORDER BY e.seq
        OFFSET greatest((event ->> 'revision')::int - 1, 0) LIMIT 1;
        IF preparer IS NULL THEN
            RAISE EXCEPTION 'the plan revision checked is not stored'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF preparer = who THEN
            RAISE EXCEPTION 'the double check must be made by a second person, not "%" who '
                'saved the plan', who USING ERRCODE = 'insufficient_privilege';
        END IF;
    END IF;
    RETURN NEW;
END
$$""",
    "CREATE TRIGGER events_signed BEFORE INSERT ON events "
    "FOR EACH ROW EXECUTE FUNCTION besponsa_events_signed()",
    f"""
CREATE FUNCTION besponsa_events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.course_id IS NOT NULL THEN
        PERFORM pg_notify('{NOTIFY_CHANNEL}', NEW.course_id::text);
    END IF;
    RETURN NULL;
END
$$""",
    "CREATE TRIGGER events_notify AFTER INSERT ON events "
    "FOR EACH ROW EXECUTE FUNCTION besponsa_events_notify()",
)

# Privileges of the two group roles on the tables (roles.sql creates the roles).
GRANTS = (
    f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {READ_ROLE}",
    f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {APP_ROLE}",
    f"GRANT INSERT ON patients, courses, events TO {APP_ROLE}",
    f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {APP_ROLE}",
)


def engine(url: str) -> Engine:
    """An engine on the ward database (an SQLAlchemy ``postgresql+psycopg`` URL)."""
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=2,
        max_overflow=2,
        isolation_level="READ COMMITTED",
        connect_args={
            "connect_timeout": CONNECT_TIMEOUT_S,
            "application_name": "besponsa-desktop",
        },
    )


def lock_chain(conn: Connection) -> None:
    """Wait for, then hold until this transaction ends, the chain's advisory lock: one
    writer at a time reads the head and appends to it, on every workstation."""
    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK_KEY})


def session_user(conn: Connection) -> str:
    """The role that authenticated this connection: who every change is attributed to."""
    return str(conn.execute(text("SELECT session_user")).scalar_one())


def create_guards(conn: Connection) -> None:
    for statement in GUARDS:
        conn.exec_driver_sql(statement)


def grant(conn: Connection) -> None:
    """Grant the group roles their privileges, when they exist (``roles.sql``)."""
    existing = {
        str(name)
        for (name,) in conn.execute(
            text("SELECT rolname FROM pg_roles WHERE rolname IN (:app, :read)"),
            {"app": APP_ROLE, "read": READ_ROLE},
        )
    }
    for statement in GRANTS:
        role = statement.rsplit(" ", 1)[1]
        if role in existing:
            conn.exec_driver_sql(statement)


def refusal(error: BaseException) -> str | None:
    """The words of a trigger's or a privilege's refusal, or None for another error."""
    orig: Any = getattr(error, "orig", error)
    if getattr(orig, "sqlstate", None) != SIGNATURE_REFUSED:
        return None
    diag = getattr(orig, "diag", None)
    primary = getattr(diag, "message_primary", None) or str(orig).split("\n")[0]
    return f"refused by the ward database: {primary}"


def connection_words(error: BaseException) -> str | None:
    """A connection failure in words for the user (no password, no patient data)."""
    text_ = str(getattr(error, "orig", None) or error)
    if "password authentication failed" in text_ or "no password supplied" in text_:
        return "the ward database refused the user name or password"
    if "does not exist" in text_ and "role" in text_:
        return "the ward database does not know this user name"
    if "certificate" in text_ or "SSL" in text_:
        return ("cannot connect to the ward database securely (TLS): "
                + text_.strip().split("\n")[0][:160])
    for words in ("could not connect", "Connection refused", "timeout expired",
                  "could not translate host name", "No such file or directory",
                  "server closed the connection", "terminating connection"):
        if words in text_:
            return "cannot reach the ward database; check the network, or ask IT"
    return None
