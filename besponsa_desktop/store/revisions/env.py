"""Alembic's entry point for the schema revisions: always given an open connection, inside
the transaction of the caller (``store.schema_history``), so an upgrade commits whole or
not at all. Never run from an alembic.ini: ``besponsa-desktop db upgrade`` runs it."""

from __future__ import annotations

from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run the revisions through besponsa-desktop db upgrade")

context.configure(
    connection=connection,
    transactional_ddl=True,
    # SQLite cannot ALTER most things: later revisions rebuild tables in batch mode.
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
