"""Database engines: one per database per process, SQLite set up for safe concurrent writes."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from .. import schema

_ENGINES: dict[str, Engine] = {}
_ENGINES_LOCK = threading.Lock()


def _use_wal(cursor) -> None:
    """Switch a new database file to WAL (a setting kept in the file, so once is enough).

    The switch needs the file to itself and SQLite does not wait for that with the busy
    handler: two processes creating the same store at once retry for a while instead of failing.
    """
    for _ in range(100):
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
                return
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            time.sleep(0.1)
    cursor.execute("PRAGMA journal_mode=WAL")


def _sqlite_setup(engine: Engine) -> None:
    """Let SQLAlchemy emit BEGIN itself (the pysqlite recipe), WAL and a busy timeout."""

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout=30000")
        _use_wal(cursor)
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        write = conn.get_execution_options().get("township_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def create_engine(url: str) -> Engine:
    """An engine set up for the store (SQLite: its folder, pragmas, BEGIN), schema untouched."""
    if not url.startswith("sqlite"):
        return sa.create_engine(url, pool_pre_ping=True)
    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
    _sqlite_setup(engine)
    return engine


def get_engine(url: str) -> Engine:
    """One engine (and pool) per database per process; Streamlit sessions share it.

    The first use in a process brings the database's schema to the newest revision (schema.py).
    """
    with _ENGINES_LOCK:
        engine = _ENGINES.get(url)
        if engine is None:
            engine = create_engine(url)
            schema.upgrade(engine)
            _ENGINES[url] = engine
        return engine


def dispose_engines() -> None:
    """Close every pooled connection (tests and the CLI call this before removing files)."""
    with _ENGINES_LOCK:
        for engine in _ENGINES.values():
            engine.dispose()
        _ENGINES.clear()
