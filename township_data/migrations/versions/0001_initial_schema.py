"""The schema of the versioned store: townships, versions, values, current data, report texts.

Revision ID: 0001
Revises:
Create Date: 2024-07-01

A store made before migrations existed has some or all of these tables already (made by
SQLAlchemy's create_all, with the same definitions): only the missing ones are created, and
Alembic then stamps the store at this revision, so it upgrades in place with its data.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _create(name: str, *elements: sa.SchemaItem, indexes: dict[str, list[str]] | None = None):
    if sa.inspect(op.get_bind()).has_table(name):
        return
    op.create_table(name, *elements)
    for index, columns in (indexes or {}).items():
        op.create_index(index, name, columns)


def upgrade() -> None:
    _create(
        "townships",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False, server_default="0"),
    )
    _create(
        "versions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("township", sa.String(64), sa.ForeignKey("townships.key"), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("restored_from", sa.Integer, nullable=True),
        sa.Column("value_count", sa.Integer, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        indexes={"ix_versions_township_sha": ["township", "sha256"]},
    )
    _create(
        "version_slices",
        sa.Column("version_id", sa.Integer, sa.ForeignKey("versions.id"), primary_key=True),
        sa.Column("area", sa.String(50), primary_key=True),
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("data_version_id", sa.Integer, nullable=False),
        sa.Column("replaced_version_id", sa.Integer, nullable=True),
        sa.Column("value_count", sa.Integer, nullable=False),
    )
    _create(
        "recorded_values",
        sa.Column("version_id", sa.Integer, sa.ForeignKey("versions.id"), primary_key=True),
        sa.Column("area", sa.String(50), primary_key=True),
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("village", sa.String(50), primary_key=True),
        sa.Column("indicator", sa.String(100), primary_key=True),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("sheet", sa.String(100), nullable=False),
        sa.Column("cell", sa.String(40), nullable=False),
    )
    _create(
        "current_slices",
        sa.Column("township", sa.String(64), primary_key=True),
        sa.Column("area", sa.String(50), primary_key=True),
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("version_id", sa.Integer, nullable=False),
        sa.Column("data_version_id", sa.Integer, nullable=False),
    )
    _create(
        "current_values",
        sa.Column("township", sa.String(64), primary_key=True),
        sa.Column("area", sa.String(50), primary_key=True),
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("village", sa.String(50), primary_key=True),
        sa.Column("indicator", sa.String(100), primary_key=True),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("version_id", sa.Integer, nullable=False),
        sa.Column("sheet", sa.String(100), nullable=False),
        sa.Column("cell", sa.String(40), nullable=False),
        indexes={"ix_current_area_indicator_month": ["township", "area", "indicator", "month"]},
    )
    _create(
        "report_texts",
        sa.Column("township", sa.String(64), sa.ForeignKey("townships.key"), primary_key=True),
        sa.Column("first_month", sa.String(7), primary_key=True),
        sa.Column("last_month", sa.String(7), primary_key=True),
        sa.Column("part", sa.String(100), primary_key=True),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("updated_by", sa.String(100), nullable=False),
    )


def downgrade() -> None:
    for name in (
        "report_texts",
        "current_values",
        "current_slices",
        "recorded_values",
        "version_slices",
        "versions",
        "townships",
    ):
        op.drop_table(name)
