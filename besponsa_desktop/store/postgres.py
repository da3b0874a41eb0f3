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

The triggers and grants are created by the schema revisions (``revisions/versions``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import URL, Connection, Engine, create_engine, text
from sqlalchemy.pool import NullPool

CHAIN_LOCK_KEY = 0x62657370_6F6E7361  # "besponsa": the one advisory lock of the chain
NOTIFY_CHANNEL = "besponsa_course_changed"
APP_ROLE = "besponsa_app"
READ_ROLE = "besponsa_read"
CONNECT_TIMEOUT_S = 10
SIGNATURE_REFUSED = "42501"  # insufficient_privilege: the SQLSTATE of the triggers' refusals

def engine(url: str | URL, pooled: bool = True) -> Engine:
    """An engine on the ward database (an SQLAlchemy ``postgresql+psycopg`` URL).
    ``pooled=False``: every use opens its own connection (a second person's login, which
    must not outlive the dialog)."""
    pool: dict[str, Any] = (
        {"pool_pre_ping": True, "pool_size": 2, "max_overflow": 2} if pooled
        else {"poolclass": NullPool}
    )
    return create_engine(
        url,
        isolation_level="READ COMMITTED",
        connect_args={
            "connect_timeout": CONNECT_TIMEOUT_S,
            "application_name": "besponsa-desktop",
        },
        **pool,
    )


def lock_chain(conn: Connection) -> None:
    """Wait for, then hold until this transaction ends, the chain's advisory lock: one
    writer at a time reads the head and appends to it, on every workstation."""
    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK_KEY})


def session_user(conn: Connection) -> str:
    """The role that authenticated this connection: who every change is attributed to."""
    return str(conn.execute(text("SELECT session_user")).scalar_one())


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
                  "failed to resolve host",
                  "could not translate host name", "No such file or directory",
                  "server closed the connection", "terminating connection"):
        if words in text_:
            return "cannot reach the ward database; check the network, or ask IT"
    return None


def mark_import(conn: Connection) -> None:
    """This transaction imports a course from a file: its events keep the authors the file
    names (the rows are still the importing role's). The server allows it only into a
    course created by the same transaction."""
    conn.execute(text("SELECT set_config('besponsa.importing', 'on', true)"))
