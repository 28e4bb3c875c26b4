"""Township assignments (设置 · 学校所属乡镇): one append-only row per assignment (school, township, who,
when, note); a school's current township is its newest row. Triggers refuse UPDATE and DELETE, as for
the settings history.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_APPEND_ONLY_SQLITE = """
CREATE TRIGGER township_assignments_no_{op} BEFORE {OP} ON township_assignments
BEGIN SELECT RAISE(ABORT, 'the township assignments are append-only'); END
"""
_APPEND_ONLY_PG_FUNCTION = """
CREATE FUNCTION township_assignments_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'the township assignments are append-only'; END $$ LANGUAGE plpgsql
"""
_APPEND_ONLY_PG_TRIGGER = """
CREATE TRIGGER township_assignments_append_only BEFORE UPDATE OR DELETE ON township_assignments
FOR EACH ROW EXECUTE FUNCTION township_assignments_append_only()
"""


def upgrade() -> None:
    op.create_table(
        "township_assignments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("school_id", sa.String(64), nullable=False),
        sa.Column("township", sa.String(64), nullable=False),
        sa.Column("assigned_by", sa.String(128), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
    )
    op.create_index("ix_township_assignments_school_id", "township_assignments", ["school_id", "id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_APPEND_ONLY_PG_FUNCTION)
        op.execute(_APPEND_ONLY_PG_TRIGGER)
    else:
        for name in ("update", "delete"):
            op.execute(_APPEND_ONLY_SQLITE.format(op=name, OP=name.upper()))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS township_assignments_append_only ON township_assignments")
        op.execute("DROP FUNCTION IF EXISTS township_assignments_append_only()")
    op.drop_table("township_assignments")
