"""Kept monthly totals: the township's figures per (area, month, indicator) without a scan.

Revision ID: 0002
Revises: 0001
Create Date: 2024-07-02

The table is filled inside every import and restore transaction; rows for data stored before
this revision are computed by the store when it opens (Store._ensure_totals), because they come
from the values through metrics.monthly_totals, which is Python, not SQL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if sa.inspect(op.get_bind()).has_table("monthly_totals"):
        return
    op.create_table(
        "monthly_totals",
        sa.Column("township", sa.String(64), primary_key=True),
        sa.Column("area", sa.String(50), primary_key=True),
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("indicator", sa.String(100), primary_key=True),
        sa.Column("village_sum", sa.Float, nullable=True),
        sa.Column("village_count", sa.Integer, nullable=False),
        sa.Column("town_value", sa.Float, nullable=True),
        sa.Column("slice_villages", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("monthly_totals")
