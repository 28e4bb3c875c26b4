"""责任人: one append-only row per change of a site's, school's or water body's responsible unit, person
and phone (who, when, note); the current holder of a role for a subject is its newest row. Triggers refuse
UPDATE and DELETE, as for the township assignments.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_APPEND_ONLY_SQLITE = """
CREATE TRIGGER owners_no_{op} BEFORE {OP} ON owners
BEGIN SELECT RAISE(ABORT, 'the owners history is append-only'); END
"""
_APPEND_ONLY_PG_FUNCTION = """
CREATE FUNCTION owners_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'the owners history is append-only'; END $$ LANGUAGE plpgsql
"""
_APPEND_ONLY_PG_TRIGGER = """
CREATE TRIGGER owners_append_only BEFORE UPDATE OR DELETE ON owners
FOR EACH ROW EXECUTE FUNCTION owners_append_only()
"""


def upgrade() -> None:
    op.create_table(
        "owners",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("subject_id", sa.String(96), nullable=False),
        sa.Column("unit", sa.String(128), nullable=False, server_default=""),
        sa.Column("person", sa.String(128), nullable=False, server_default=""),
        sa.Column("phone", sa.String(32), nullable=False, server_default=""),
        sa.Column("changed_by", sa.String(128), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
    )
    op.create_index("ix_owners_subject", "owners", ["role", "subject_id", "id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_APPEND_ONLY_PG_FUNCTION)
        op.execute(_APPEND_ONLY_PG_TRIGGER)
    else:
        for name in ("update", "delete"):
            op.execute(_APPEND_ONLY_SQLITE.format(op=name, OP=name.upper()))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS owners_append_only ON owners")
        op.execute("DROP FUNCTION IF EXISTS owners_append_only()")
    op.drop_table("owners")
