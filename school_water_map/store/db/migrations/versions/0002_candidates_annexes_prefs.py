"""Geocoding candidates, applied annexes and preferences move into the store.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "candidates",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("entity_id", sa.String(64), nullable=False, index=True),
        sa.Column("provider", sa.String(16), nullable=False),
        sa.Column("query", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("address", sa.Text, nullable=False),
        sa.Column("lon", sa.Float, nullable=False),
        sa.Column("lat", sa.Float, nullable=False),
        sa.Column("answer_crs", sa.String(16), nullable=False),
        sa.Column("raw", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("decided_by", sa.String(128), nullable=False, server_default=""),
        sa.Column("decided_at", sa.String(32), nullable=False, server_default=""),
        sa.CheckConstraint("status in ('pending', 'confirmed', 'rejected')", name="ck_candidates_status"),
    )
    op.create_table(
        "annexes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("rows", sa.JSON, nullable=False),
        sa.Column("aliases", sa.JSON, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("applied_by", sa.String(128), nullable=False),
        sa.Column("applied_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "prefs",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )


def downgrade() -> None:
    for table in ("prefs", "annexes", "candidates"):
        op.drop_table(table)
