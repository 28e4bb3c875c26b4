"""Settings kept in the database (the 设置 page): one append-only row per change (key, value, who, when);
a key's current value is its newest row, an empty value means "back to the default". Triggers refuse
UPDATE and DELETE, as for the audit log.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_APPEND_ONLY_SQLITE = """
CREATE TRIGGER app_settings_no_{op} BEFORE {OP} ON app_settings
BEGIN SELECT RAISE(ABORT, 'the settings history is append-only'); END
"""
_APPEND_ONLY_PG_FUNCTION = """
CREATE FUNCTION app_settings_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'the settings history is append-only'; END $$ LANGUAGE plpgsql
"""
_APPEND_ONLY_PG_TRIGGER = """
CREATE TRIGGER app_settings_append_only BEFORE UPDATE OR DELETE ON app_settings
FOR EACH ROW EXECUTE FUNCTION app_settings_append_only()
"""


def upgrade() -> None:
    op.create_table(
        "app_settings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(96), nullable=False),
        sa.Column("value", sa.Text, nullable=False, server_default=""),
        sa.Column("changed_by", sa.String(128), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_app_settings_key_id", "app_settings", ["key", "id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_APPEND_ONLY_PG_FUNCTION)
        op.execute(_APPEND_ONLY_PG_TRIGGER)
    else:
        for name in ("update", "delete"):
            op.execute(_APPEND_ONLY_SQLITE.format(op=name, OP=name.upper()))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS app_settings_append_only ON app_settings")
        op.execute("DROP FUNCTION IF EXISTS app_settings_append_only()")
    op.drop_table("app_settings")
