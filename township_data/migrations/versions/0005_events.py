"""大事记: the township's events (date, area, villages, kind, one line of text).

Revision ID: 0005
Revises: 0004
Create Date: 2024-07-20

A new table only; no existing data changes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A store made by create_all (before migrations) may hold the table already: see 0001.
    if sa.inspect(op.get_bind()).has_table("events"):
        return
    op.create_table(
        "events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("township", sa.String(64), sa.ForeignKey("townships.key"), nullable=False),
        sa.Column("event_date", sa.String(10), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("area", sa.String(50), nullable=False),
        sa.Column("kind", sa.String(50), nullable=False),
        sa.Column("villages", sa.Text, nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("source", sa.String(255), nullable=False),
        sa.Column("version_id", sa.Integer, nullable=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
    )
    op.create_index("ix_events_township_month", "events", ["township", "month"])


def downgrade() -> None:
    op.drop_index("ix_events_township_month", table_name="events")
    op.drop_table("events")
