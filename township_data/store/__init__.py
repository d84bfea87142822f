"""The versioned store: every import is a version, current values are the newest per slice.

SQLAlchemy Core only, so the same statements run on the embedded SQLite file and on a shared
PostgreSQL server. A slice is one (area, month) of one township: importing a sheet for a month
replaces that slice as current, while every earlier version stays in `recorded_slices` and can be
made current again by `restore`. Each write is one transaction that first bumps the township's
revision: on PostgreSQL that row lock serialises writers of one township, on SQLite the
transaction is BEGIN IMMEDIATE with a busy timeout; either way a reader never sees half an import
and the revision is the cache key of every page.

Values are stored one database row per slice of a version (the packing package): the villages, the
indicators and a villages × indicators matrix of values with their cells. An import of a month
writes a row per sheet, not a row per value, and a page reads an area's months as a hundred rows.
Which version is current is kept per slice in `current_slices`: the current values are that
table joined to the history on its primary key, so an import writes each slice once and a
restore only moves pointers. The tidy long table the pages work with (one row per value) is
unpacked on reading (`Store.current`).

Nothing an import or restore decides on is read before that lock. PostgreSQL runs at READ
COMMITTED: a writer blocked on the revision row proceeds once the other writer commits, and each
of its later statements takes a fresh snapshot, so it compares against, replaces and numbers
after the rows just committed (tests/test_store.py races two OS processes to check it). The
schema itself is created and upgraded by Alembic (schema.py).

The package's modules: engine (connections), tables (the schema), records (what reads and writes
return), base (the lock and shared queries), reads, writes, events (大事记).
"""

from __future__ import annotations

from pathlib import Path

from .. import config
from .engine import create_engine, dispose_engines, get_engine
from .reads import StoreReads
from .records import (
    ACTIONS,
    KEY,
    KEYED,
    VERSION_COLUMNS,
    ChangeResult,
    SavedText,
    compare,
    summarise_slices,
    summary_areas,
)
from .tables import (
    DEPLOYMENT_TABLES,
    accounts,
    current_slices,
    events,
    login_sessions,
    metadata,
    monthly_totals,
    recorded_slices,
    report_texts,
    townships,
    version_slices,
    versions,
)
from .writes import StoreWrites

__all__ = [
    "ACTIONS",
    "DEPLOYMENT_TABLES",
    "KEY",
    "KEYED",
    "VERSION_COLUMNS",
    "ChangeResult",
    "SavedText",
    "Store",
    "accounts",
    "compare",
    "create_engine",
    "current_slices",
    "dispose_engines",
    "events",
    "get_engine",
    "login_sessions",
    "metadata",
    "monthly_totals",
    "open_store",
    "recorded_slices",
    "report_texts",
    "summarise_slices",
    "summary_areas",
    "townships",
    "version_slices",
    "versions",
]


class Store(StoreReads, StoreWrites):
    """Versions and current values of one township in one database."""


def open_store(data_folder: Path | None = None, catalogue=None) -> Store:
    """The store of the configured township in the configured database."""
    from ..catalogue import load_catalogue

    cat = catalogue or load_catalogue()
    url = config.database_url(data_folder) if data_folder else config.database_url()
    return Store(url, cat.township_key, cat.township_name)
