"""The tables of the course store (schema version 3), in SQLAlchemy Core: dialect-neutral.

- ``patients``: who a course belongs to (for finding it by MRN or name);
- ``courses``: one per patient;
- ``events``: every change to a course, append-only, in order (``seq`` per course; a
  unique (course_id, seq) makes a concurrent writer fail instead of overwriting), with the
  event as canonical JSON, who and when, and a hash chain over all rows (``id`` order).
  Rows with no course record changes to the database itself (a migration).

Everything clinical is derived from the events by replaying them through the core; the
store holds no rule.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    ForeignKey,
    Integer,
    MetaData,
    Table,
    Text,
    UniqueConstraint,
)

SCHEMA_VERSION = 3

metadata = MetaData()

patients = Table(
    "patients",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("mrn", Text, nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("date_of_birth", Text, nullable=False),
    Column("sex", Text, nullable=False),
    Column("created_at", Text, nullable=False),
)

courses = Table(
    "courses",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("patient_id", Integer, ForeignKey("patients.id"), nullable=False, unique=True),
    Column("created_at", Text, nullable=False),
)

events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("course_id", Integer, ForeignKey("courses.id"), nullable=True),
    Column("seq", Integer, nullable=False),
    Column("kind", Text, nullable=False),
    Column("payload", Text, nullable=False),
    Column("by", Text, nullable=True),
    Column("os_user", Text, nullable=False),
    Column("at", Text, nullable=False),
    Column("prev_hash", Text, nullable=False),
    Column("hash", Text, nullable=False),
    UniqueConstraint("course_id", "seq", name="events_course_seq"),
)
