"""Schema creation and upgrades through Alembic, on SQLite and on PostgreSQL."""

from __future__ import annotations

import multiprocessing

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from tests.conftest import start_processes
from tests.test_store import safety
from township_data import schema
from township_data import store as store_module
from township_data.store import Store, dispose_engines, metadata
from township_data.workbook import read_workbook


def revision_and_drift(url: str) -> tuple[list[str], list]:
    """The rows of alembic_version and what differs between the database and store.metadata."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all()
            drift = compare_metadata(MigrationContext.configure(conn), metadata)
    finally:
        engine.dispose()
    return list(rows), drift


def test_a_new_database_is_made_at_the_newest_revision(database_url: str) -> None:
    Store(database_url, "tanwan", "潭湾镇")
    rows, drift = revision_and_drift(database_url)
    assert rows == [schema.head()]
    assert drift == []  # the migrations make exactly the tables the code declares


def test_the_newest_revision_is_the_kept_monthly_totals() -> None:
    assert schema.head() == "0002"


def _create_all_without(excluded: set[str]):
    """The upgrade as it was before migrations: create_all, here of the tables of that time."""

    def old_upgrade(engine: sa.Engine) -> None:
        metadata.create_all(engine, [t for t in metadata.sorted_tables if t.name not in excluded])

    return old_upgrade


@pytest.mark.parametrize(
    "excluded",
    [set(), {"report_texts"}],
    ids=["made-by-create_all", "made-before-report_texts"],
)
def test_a_store_made_by_create_all_upgrades_in_place(
    database_url: str, catalogue, monkeypatch: pytest.MonkeyPatch, excluded: set[str]
) -> None:
    """A store from before migrations (no alembic_version) is adopted with its data."""
    monkeypatch.setattr(schema, "upgrade", _create_all_without(excluded))
    old = Store(database_url, catalogue.township_key, catalogue.township_name)
    old.import_workbook(read_workbook(safety("2024-03", 10), "三月.xlsx", catalogue), "张三")
    old.import_workbook(read_workbook(safety("2024-03", 12), "更正.xlsx", catalogue), "李四")
    dispose_engines()
    with sa.create_engine(database_url).connect() as conn:
        tables = set(sa.inspect(conn).get_table_names())
    assert "alembic_version" not in tables and ("report_texts" in tables) == (not excluded)
    monkeypatch.undo()

    store = Store(database_url, catalogue.township_key, catalogue.township_name)
    rows, drift = revision_and_drift(database_url)
    assert rows == [schema.head()] and drift == []
    assert store.history()["file_name"].tolist() == ["更正.xlsx", "三月.xlsx"]
    assert len(store.current()) == 4 and store.revision() == 2
    store.save_report_text("2024-01", "2024-06", "存在不足", "人手不足。", "王五")
    assert store.report_texts("2024-01", "2024-06")["存在不足"].body == "人手不足。"
    restored = store.restore(1, "王五")
    assert restored.changed and restored.version_id == 3  # ids go on after the old ones


def _open_at_once(url: str, start, township: str) -> None:
    start.wait()
    Store(url, township, township)


def test_two_processes_starting_on_an_empty_database_at_once(database_url: str) -> None:
    """Both upgrade the same empty database: one creates the schema, the other waits and finds
    it current (advisory lock on PostgreSQL, BEGIN IMMEDIATE on SQLite); neither fails."""
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Barrier(2)
    processes = [
        ctx.Process(target=_open_at_once, args=(database_url, start, name))
        for name in ("tanwan", "shiqiao")
    ]
    start_processes(*processes)
    for p in processes:
        p.join(timeout=120)
    assert [p.exitcode for p in processes] == [0, 0]
    rows, drift = revision_and_drift(database_url)
    assert rows == [schema.head()] and drift == []
    with sa.create_engine(database_url).connect() as conn:
        keys = conn.execute(sa.select(store_module.townships.c.key)).scalars().all()
    assert sorted(keys) == ["shiqiao", "tanwan"]
