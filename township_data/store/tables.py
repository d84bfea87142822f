"""The store's tables, defined once: the schema the migrations build and the code queries.

The migrations in township_data/migrations/versions/ create and change these tables step by
step; this module describes the newest shape (tests/test_schema.py checks that the two agree).
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

townships = sa.Table(
    "townships",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("revision", sa.Integer, nullable=False, server_default="0"),
)

versions = sa.Table(
    "versions",
    metadata,
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
    sa.Index("ix_versions_township_sha", "township", "sha256"),
)

version_slices = sa.Table(
    "version_slices",
    metadata,
    sa.Column("version_id", sa.Integer, sa.ForeignKey("versions.id"), primary_key=True),
    sa.Column("area", sa.String(50), primary_key=True),
    sa.Column("month", sa.String(7), primary_key=True),
    sa.Column("data_version_id", sa.Integer, nullable=False),
    sa.Column("replaced_version_id", sa.Integer, nullable=True),
    sa.Column("value_count", sa.Integer, nullable=False),
)

# One row per (version, area, month): the slice as the packing package packs it. Every version's slices
# are kept, so any version can be made current again.
recorded_slices = sa.Table(
    "recorded_slices",
    metadata,
    sa.Column("version_id", sa.Integer, sa.ForeignKey("versions.id"), primary_key=True),
    sa.Column("area", sa.String(50), primary_key=True),
    sa.Column("month", sa.String(7), primary_key=True),
    sa.Column("sheet", sa.String(100), nullable=False),
    sa.Column("villages", sa.Text, nullable=False),
    sa.Column("indicators", sa.Text, nullable=False),
    sa.Column("data", sa.Text, nullable=False),
    sa.Column("cells", sa.Text, nullable=False),
    # Per value, the version it came from (packing.encode_origins); NULL: all from this one.
    sa.Column("origins", sa.Text, nullable=True),
)

# The current data: per slice, the version that made it current (an import or a restore) and
# the version whose recorded rows it holds (data_version_id).
current_slices = sa.Table(
    "current_slices",
    metadata,
    sa.Column("township", sa.String(64), primary_key=True),
    sa.Column("area", sa.String(50), primary_key=True),
    sa.Column("month", sa.String(7), primary_key=True),
    sa.Column("version_id", sa.Integer, nullable=False),
    sa.Column("data_version_id", sa.Integer, nullable=False),
)

# The township's monthly figures need the sum and count of village values and the 全镇 value
# per (area, month, indicator) of the current data: kept here, inside every import and restore
# transaction, so no page view adds up a county's millions of values. Catalogue-independent
# (see metrics.monthly_totals), rebuilt for any current slice that lacks it when a store opens.
monthly_totals = sa.Table(
    "monthly_totals",
    metadata,
    sa.Column("township", sa.String(64), primary_key=True),
    sa.Column("area", sa.String(50), primary_key=True),
    sa.Column("month", sa.String(7), primary_key=True),
    sa.Column("indicator", sa.String(100), primary_key=True),
    sa.Column("village_sum", sa.Float, nullable=True),
    sa.Column("village_count", sa.Integer, nullable=False),
    sa.Column("town_value", sa.Float, nullable=True),
    sa.Column("slice_villages", sa.Integer, nullable=False),
)

report_texts = sa.Table(
    "report_texts",
    metadata,
    sa.Column("township", sa.String(64), sa.ForeignKey("townships.key"), primary_key=True),
    sa.Column("first_month", sa.String(7), primary_key=True),
    sa.Column("last_month", sa.String(7), primary_key=True),
    sa.Column("part", sa.String(100), primary_key=True),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.Column("updated_by", sa.String(100), nullable=False),
)

# 大事记: the township's events, entered on the 大事记 page or carried by a workbook's 大事记
# sheet (version_id: the import that brought it). Not versioned like values: an event is added
# or deleted by an editor, and every change bumps the township's revision (the pages' cache key).
events = sa.Table(
    "events",
    metadata,
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
    sa.Index("ix_events_township_month", "township", "month"),
)

# Who may sign in, for a county: one list in the shared database, so every app process agrees
# on it (a single township keeps its editors in the data folder's editors.json instead; see
# accounts.py). Names only with bcrypt hashes. `township` is NULL for a county admin or a
# county-wide viewer; `village` is set for a village reporter only.
accounts = sa.Table(
    "accounts",
    metadata,
    sa.Column("name", sa.String(50), primary_key=True),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("township", sa.String(64), nullable=True),
    sa.Column("village", sa.String(100), nullable=True),
    sa.Column("password_hash", sa.String(100), nullable=False),
    sa.Column("added_at", sa.DateTime, nullable=False),
)

# Sign-ins that survive a page refresh (sessions.py): the browser keeps a random id in a cookie,
# the database only its SHA-256, so a copy of this table signs nobody in. `stamp` fingerprints
# the account as it was at sign-in: a new password, role or village ends the sign-in.
login_sessions = sa.Table(
    "login_sessions",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("account", sa.String(50), nullable=False),
    sa.Column("stamp", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("expires_at", sa.DateTime, nullable=False),
    sa.Index("ix_login_sessions_account", "account"),
)

# Tables of the deployment, not of a township: `move` copies a township's data, never these.
DEPLOYMENT_TABLES = frozenset({"accounts", "login_sessions"})
