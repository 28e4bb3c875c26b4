"""Inspections stay append-only under SQLite's ``INSERT OR REPLACE``.

SQLite's REPLACE conflict resolution deletes the conflicting row without firing DELETE triggers (unless
``recursive_triggers`` is on), so ``INSERT OR REPLACE INTO inspections`` with an existing id rewrote a
committed inspection. A BEFORE INSERT trigger refuses an insert whose id is already taken; PostgreSQL
has no REPLACE (its ``ON CONFLICT DO UPDATE`` fires the UPDATE trigger already).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_NO_REPLACE_SQLITE = """
CREATE TRIGGER inspections_no_replace BEFORE INSERT ON inspections
WHEN NEW.id IS NOT NULL AND EXISTS (SELECT 1 FROM inspections WHERE id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'inspections are append-only'); END
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(_NO_REPLACE_SQLITE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS inspections_no_replace")
