"""Accounts with roles for a county, and sign-ins that survive a page refresh.

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-10

Two tables of the deployment (not of a township): `accounts` (a county's one list of who may
sign in, with role, township and village) and `login_sessions` (the SHA-256 of each sign-in's
cookie id, its account and when it ends). Both are created from their one definition in
township_data/store/tables.py; a later change to either gets its own revision. A store made by
create_all already has them, so they are created only when missing.
"""

from __future__ import annotations

from alembic import op

from township_data.store.tables import accounts, login_sessions

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    for table in (accounts, login_sessions):
        table.create(bind, checkfirst=True)


def downgrade() -> None:
    bind = op.get_bind()
    for table in (login_sessions, accounts):
        table.drop(bind, checkfirst=True)
