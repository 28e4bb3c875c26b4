"""Initial schema: users, positions, inspections (append-only), drafts.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_APPEND_ONLY_SQLITE = """
CREATE TRIGGER inspections_no_{op} BEFORE {OP} ON inspections
BEGIN SELECT RAISE(ABORT, 'inspections are append-only'); END
"""
_APPEND_ONLY_PG_FUNCTION = """
CREATE FUNCTION inspections_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'inspections are append-only'; END $$ LANGUAGE plpgsql
"""
_APPEND_ONLY_PG_TRIGGER = """
CREATE TRIGGER inspections_append_only BEFORE UPDATE OR DELETE ON inspections
FOR EACH ROW EXECUTE FUNCTION inspections_append_only()
"""


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("display_name", sa.String(128), nullable=False, server_default=""),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("township", sa.String(64)),
        sa.Column("password_hash", sa.String(256), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("disabled_at", sa.DateTime(timezone=True)),
        sa.CheckConstraint("role in ('admin', 'patrol', 'viewer')", name="ck_users_role"),
        sa.CheckConstraint("role <> 'patrol' OR township IS NOT NULL", name="ck_users_patrol_township"),
    )
    op.create_table(
        "positions",
        sa.Column("record_id", sa.Integer, primary_key=True),
        sa.Column("entity_id", sa.String(64), nullable=False, index=True),
        sa.Column("wkt", sa.Text, nullable=False),
        sa.Column("precision", sa.String(16), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("author", sa.String(128), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("recorded_at", sa.String(32), nullable=False),
        sa.Column("input_crs", sa.String(16), nullable=False),
        sa.Column("input_text", sa.Text, nullable=False, server_default=""),
        sa.Column("accuracy_m", sa.Float),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("supersedes", sa.Integer),
        sa.Column("extra", sa.JSON, nullable=False),
    )
    op.create_table(
        "inspections",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("site_id", sa.String(64), nullable=False, index=True),
        sa.Column("township", sa.String(64), nullable=False, index=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("inspector", sa.String(128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("answers", sa.JSON, nullable=False),
        sa.Column("problems", sa.Text, nullable=False, server_default=""),
        sa.Column("action_taken", sa.Text, nullable=False, server_default=""),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("photo", sa.String(256)),
        sa.Column("gps_lon", sa.Float),
        sa.Column("gps_lat", sa.Float),
        sa.Column("gps_accuracy_m", sa.Float),
        sa.Column("distance_to_site_m", sa.Float),
        sa.Column("presence", sa.String(16), nullable=False),
        sa.Column("corrects_id", sa.Integer, sa.ForeignKey("inspections.id")),
    )
    op.create_table(
        "drafts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("site_id", sa.String(64), nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("user_id", "site_id"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_APPEND_ONLY_PG_FUNCTION)
        op.execute(_APPEND_ONLY_PG_TRIGGER)
    else:
        for name in ("update", "delete"):
            op.execute(_APPEND_ONLY_SQLITE.format(op=name, OP=name.upper()))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS inspections_append_only ON inspections")
        op.execute("DROP FUNCTION IF EXISTS inspections_append_only()")
    for table in ("drafts", "inspections", "positions", "users"):
        op.drop_table(table)
