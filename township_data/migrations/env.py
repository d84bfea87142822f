"""Alembic environment: runs on the connection schema.upgrade passes in (inside its transaction).

Run by Alembic's own command line in the project folder (its settings are in pyproject.toml),
e.g. `alembic upgrade head` then `alembic revision --autogenerate -m "…"` to write a new
revision, it connects to the configured database (TOWNSHIP_DATABASE_URL or the data folder's
SQLite file) instead.
"""

from __future__ import annotations

from alembic import context

from township_data.config import database_url
from township_data.store import create_engine, metadata

connection = context.config.attributes.get("connection")
if connection is not None:
    context.configure(connection=connection, target_metadata=metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    with create_engine(database_url()).connect() as conn:
        context.configure(connection=conn, target_metadata=metadata)
        with context.begin_transaction():
            context.run_migrations()
        conn.commit()
