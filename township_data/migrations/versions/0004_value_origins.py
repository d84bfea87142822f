"""Per-value origins: which version (and so which file) each value of a slice came from.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30

An import now merges by village: the slice it records holds the villages of the file and, for
every other village, the values that were current before. `recorded_slices.origins` keeps, per
value, the version it came from (little-endian int64, base64, shaped like the values); NULL
means every value came from the slice's own version, which is what every slice stored before
this revision holds, so nothing is rewritten.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("recorded_slices")}
    if "origins" in columns:
        return
    op.add_column("recorded_slices", sa.Column("origins", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("recorded_slices") as batch:
        batch.drop_column("origins")
