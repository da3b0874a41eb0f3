"""The course store as an append-only event log (the first Alembic revision).

Revision ID: 0001
Revises:
Create Date: 2026-11-30

Tables: patients, courses (one per patient), events (every change to a course, in order,
hash-chained). The event log refuses UPDATE and DELETE (both dialects) and TRUNCATE
(PostgreSQL). On PostgreSQL an event must be signed by the role that logged in
(session_user), a double check by a different role than the one that saved the plan
revision it checks, and every event notifies the course's row id. An import (the
transaction sets ``besponsa.importing``) keeps its events' authors, into a new course only;
the row's ``by`` is still the importing role.

A SQLite file of schema version 1 or 2 is converted to this revision by
``store.migrations`` (its patients table has this shape already and is kept).

Never edited once released: add the next revision.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

SQLITE_GUARDS = (
    "CREATE TRIGGER events_no_update BEFORE UPDATE ON events "
    "BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END",
    "CREATE TRIGGER events_no_delete BEFORE DELETE ON events "
    "BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END",
)

POSTGRES_GUARDS = (
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
    importing boolean := false;
    preparer text;
BEGIN
    -- The row is always the word of the role that logged in.
    IF NEW."by" IS DISTINCT FROM who THEN
        RAISE EXCEPTION 'the change is signed "%", but the database user is "%"',
            coalesce(NEW."by", ''), who USING ERRCODE = 'insufficient_privilege';
    END IF;
    -- An import keeps the authors of its events (checked by the program's rules), but only
    -- into a course created by the same transaction: never into an existing course.
    IF current_setting('besponsa.importing', true) = 'on' THEN
        SELECT c.xmin::text::bigint = pg_current_xact_id()::text::bigint % 4294967296
          INTO importing
          FROM courses c WHERE c.id = NEW.course_id;
        IF NOT coalesce(importing, false) THEN
            RAISE EXCEPTION 'an import may only create a new course'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    ELSIF (event ->> 'by') IS DISTINCT FROM who THEN
        RAISE EXCEPTION 'the change is signed "%", but the database user is "%"',
            coalesce(event ->> 'by', ''), who USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.kind = 'double_checked' THEN
        IF NOT importing AND (event ->> 'checked_by') IS DISTINCT FROM who THEN
            RAISE EXCEPTION 'a double check is signed by the database user who makes it'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        -- The revision checked: the n-th plan saved for this cycle and day, and who saved
        -- it (the role that stored it; for an import, the author recorded in the file).
        SELECT CASE WHEN importing THEN e.payload::jsonb ->> 'by' ELSE e."by" END
          INTO preparer FROM events e
         WHERE e.course_id = NEW.course_id AND e.kind = 'plan_saved'
           AND (e.payload::jsonb #>> '{plan,cycle,number}')::int = (event ->> 'cycle')::int
           AND (e.payload::jsonb #>> '{plan,dose_day}')::int = (event ->> 'day')::int
         ORDER BY e.seq
        OFFSET greatest((event ->> 'revision')::int - 1, 0) LIMIT 1;
        IF preparer IS NULL THEN
            RAISE EXCEPTION 'the plan revision checked is not stored'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF preparer = (event ->> 'checked_by') THEN
            RAISE EXCEPTION 'the double check must be made by a second person, not "%" who '
                'saved the plan', preparer USING ERRCODE = 'insufficient_privilege';
        END IF;
    END IF;
    RETURN NEW;
END
$$""",
    "CREATE TRIGGER events_signed BEFORE INSERT ON events "
    "FOR EACH ROW EXECUTE FUNCTION besponsa_events_signed()",
    """
CREATE FUNCTION besponsa_events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.course_id IS NOT NULL THEN
        PERFORM pg_notify('besponsa_course_changed', NEW.course_id::text);
    END IF;
    RETURN NULL;
END
$$""",
    "CREATE TRIGGER events_notify AFTER INSERT ON events "
    "FOR EACH ROW EXECUTE FUNCTION besponsa_events_notify()",
)

# What the group roles of roles.sql may do, when they exist.
POSTGRES_GRANTS = {
    "besponsa_read": ("GRANT SELECT ON patients, courses, events TO besponsa_read",),
    "besponsa_app": (
        "GRANT SELECT, INSERT ON patients, courses, events TO besponsa_app",
        "GRANT USAGE ON SEQUENCE patients_id_seq, courses_id_seq TO besponsa_app",
    ),
}


def upgrade() -> None:
    bind = op.get_bind()
    if not sa.inspect(bind).has_table("patients"):
        op.create_table(
            "patients",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("mrn", sa.Text, nullable=False, unique=True),
            sa.Column("name", sa.Text, nullable=False),
            sa.Column("date_of_birth", sa.Text, nullable=False),
            sa.Column("sex", sa.Text, nullable=False),
            sa.Column("created_at", sa.Text, nullable=False),
        )
    op.create_table(
        "courses",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("patient_id", sa.Integer, sa.ForeignKey("patients.id"), nullable=False,
                  unique=True),
        sa.Column("created_at", sa.Text, nullable=False),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("course_id", sa.Integer, sa.ForeignKey("courses.id"), nullable=True),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("by", sa.Text, nullable=True),
        sa.Column("os_user", sa.Text, nullable=False),
        sa.Column("at", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.Text, nullable=False),
        sa.Column("hash", sa.Text, nullable=False),
        sa.UniqueConstraint("course_id", "seq", name="events_course_seq"),
    )
    if bind.dialect.name == "postgresql":
        for statement in POSTGRES_GUARDS:
            op.execute(statement)
        roles = {row[0] for row in bind.execute(sa.text(
            "SELECT rolname FROM pg_roles WHERE rolname IN ('besponsa_app', 'besponsa_read')"))}
        for role, statements in POSTGRES_GRANTS.items():
            if role in roles:
                for statement in statements:
                    op.execute(statement)
    else:
        for statement in SQLITE_GUARDS:
            op.execute(statement)


def downgrade() -> None:
    raise NotImplementedError("course records are never downgraded: restore a backup")
