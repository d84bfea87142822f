"""Creating and upgrading the database schema: Alembic migrations run from the package itself.

Every process that opens a database (`streamlit run`, `python -m township_data`) upgrades it to
the newest revision before use, so a new release upgrades a store in place. The revisions live in
`township_data/migrations/versions/`; the first one creates the schema of `store.metadata` and
adopts a store made before migrations existed (its tables were made by `create_all`).

Two processes starting at once upgrade one after the other: on PostgreSQL the upgrade runs in one
transaction holding an advisory lock, on SQLite in one BEGIN IMMEDIATE transaction; the second
then finds the schema current and does nothing. DDL is transactional on both, so a failed upgrade
leaves the previous schema intact.
"""

from __future__ import annotations

import functools

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

from . import config

MIGRATIONS_DIR = config.PACKAGE_DIR / "migrations"
# pg_advisory_xact_lock key of the schema upgrade: any fixed 64-bit number unique to this app.
UPGRADE_LOCK_KEY = 7_361_522_840_117


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration, built in code: no alembic.ini, the scripts inside the package."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


@functools.cache
def head() -> str:
    """The newest revision shipped with this code."""
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    if len(heads) != 1:
        raise RuntimeError(f"migrations must have exactly one head, found {heads}")
    return heads[0]


def current(connection: Connection) -> str | None:
    """The revision the database is at; None for an empty database or one made by create_all."""
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine) -> None:
    """Bring the database to the newest revision (a no-op when it is already there)."""
    with engine.connect() as conn:
        up_to_date = current(conn) == head()
        conn.rollback()
    if up_to_date:
        return
    # township_write makes SQLite's transaction BEGIN IMMEDIATE (see store._sqlite_setup).
    with engine.connect().execution_options(township_write=True) as conn, conn.begin():
        if conn.dialect.name == "postgresql":
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(UPGRADE_LOCK_KEY)))
        command.upgrade(alembic_config(conn), "head")
