"""整改任务: tasks as raised and their events (both append-only: triggers refuse UPDATE and DELETE), and the
open-task slot that allows one open task per site and problem.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_APPEND_ONLY = ("tasks", "task_events")
_SQLITE = """
CREATE TRIGGER {table}_no_{op} BEFORE {OP} ON {table}
BEGIN SELECT RAISE(ABORT, 'the {table} history is append-only'); END
"""
_PG_FUNCTION = """
CREATE FUNCTION {table}_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'the {table} history is append-only'; END $$ LANGUAGE plpgsql
"""
_PG_TRIGGER = """
CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
FOR EACH ROW EXECUTE FUNCTION {table}_append_only()
"""


def upgrade() -> None:
    op.create_table(
        "tasks",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("site_id", sa.String(64), nullable=False, index=True),
        sa.Column("township", sa.String(64), nullable=False, index=True),
        sa.Column("problem", sa.String(16), nullable=False),
        sa.Column("measure", sa.String(16), nullable=False),
        sa.Column("unit", sa.String(128), nullable=False, server_default=""),
        sa.Column("person", sa.String(128), nullable=False, server_default=""),
        sa.Column("deadline", sa.Date, nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("raised_by_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("raised_by", sa.String(128), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
    )
    op.create_table(
        "task_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("task_id", sa.Integer, sa.ForeignKey("tasks.id"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("photo", sa.String(256), nullable=True),
        sa.Column("gps_lon", sa.Float, nullable=True),
        sa.Column("gps_lat", sa.Float, nullable=True),
        sa.Column("gps_accuracy_m", sa.Float, nullable=True),
        sa.Column("distance_m", sa.Float, nullable=True),
        sa.Column("presence", sa.String(16), nullable=False, server_default="no_gps"),
        sa.Column("deadline", sa.Date, nullable=True),
        sa.Column("inspection_id", sa.Integer, sa.ForeignKey("inspections.id"), nullable=True),
    )
    op.create_index("ix_task_events_task_id", "task_events", ["task_id", "id"])
    op.create_table(
        "open_tasks",
        sa.Column("site_id", sa.String(64), primary_key=True),
        sa.Column("problem", sa.String(16), primary_key=True),
        sa.Column("task_id", sa.Integer, sa.ForeignKey("tasks.id"), nullable=False, unique=True),
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    for table in _APPEND_ONLY:
        if postgres:
            op.execute(_PG_FUNCTION.format(table=table))
            op.execute(_PG_TRIGGER.format(table=table))
        else:
            for name in ("update", "delete"):
                op.execute(_SQLITE.format(table=table, op=name, OP=name.upper()))


def downgrade() -> None:
    op.drop_table("open_tasks")
    for table in reversed(_APPEND_ONLY):
        if op.get_bind().dialect.name == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {table}_append_only()")
        op.drop_table(table)
