"""Alembic environment: run with the connection passed in by ``school_water_map.store.database.migrate``."""

from __future__ import annotations

from alembic import context

from school_water_map.store.db.models import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
