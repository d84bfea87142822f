"""Schema creation and upgrades through Alembic, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import multiprocessing

import pandas as pd
import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from tests.conftest import build_workbook, start_processes
from tests.test_store import safety
from township_data import packing, schema
from township_data import store as store_module
from township_data.store import Store, create_engine, dispose_engines, metadata
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


def test_the_newest_revision_is_the_accounts() -> None:
    assert schema.head() == "0006"


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


# ------------------------------------------------------------------ 0003: per-value → packed rows

KEPT = ["townships", "versions", "version_slices", "current_slices", "monthly_totals"]
OLD_VALUES = ["version_id", "area", "month", "village", "indicator", "value", "sheet", "cell"]
OLD_CURRENT = ["township", "area", "month", "village", "indicator", "value", "version_id"]


def contest(month: str) -> bytes:
    """An 打擂 sheet whose second row leaves 总分 empty: the reader adds it up (cell H3…)."""
    header = [
        "村（社区）",
        "月份",
        "农村改厕",
        "垃圾治理",
        "污水治理",
        "村容村貌",
        "长效管护",
        "总分",
    ]
    return build_workbook(
        {
            "人居环境打擂": [
                header,
                ["酉庄村", month, 18, 20, 15, 16, 12, 81],
                ["蛇形村", month, 15, 18, 14, 15, 10, None],
            ]
        }
    )


def packed_store(url: str, catalogue) -> Store:
    """Imports, a correction, an 打擂 sheet with an added-up 总分, a restore and a report text.

    Every import replaces its slices (`replace=True`), as every import did at revision 0002:
    a store of that revision holds no value merged in from an earlier version.
    """
    store = Store(url, catalogue.township_key, catalogue.township_name)
    for data, name in (
        (safety("2024-03", 10), "三月.xlsx"),
        (safety("2024-04", 7, hazards=None), "四月.xlsx"),
        (safety("2024-03", 12, town=None), "三月更正.xlsx"),
        (contest("2024-03"), "打擂.xlsx"),
    ):
        parsed = read_workbook(data, name, catalogue)
        assert store.import_workbook(parsed, "张三", replace=True).changed
    assert store.restore(1, "李四").changed
    store.save_report_text("2024-01", "2024-06", "存在不足", "人手不足。", "王五")
    return store


def table_rows(url: str, names: list[str]) -> dict[str, list[tuple]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                name: sorted(
                    tuple(map(str, r)) for r in conn.execute(sa.select(metadata.tables[name]))
                )
                for name in names
            }
    finally:
        engine.dispose()


def what_it_reads(store: Store) -> dict[str, object]:
    """Everything the pages and commands read, in a form that compares exactly."""

    def rows(frame: pd.DataFrame) -> list[tuple]:
        return sorted(frame.astype(str).itertuples(index=False, name=None))

    history = store.history()
    return {
        "current": rows(store.current(with_source=True)),
        "versions": {int(v): rows(store.version_values(int(v))) for v in history["id"]},
        "totals": rows(store.totals()),
        "slices": rows(store.slices()),
        "history": rows(history),
        "revision": store.revision(),
        "text": store.report_texts("2024-01", "2024-06")["存在不足"].body,
    }


def write_revision_0002(url: str, kept: dict[str, list[dict]], store_reads: dict) -> None:
    """The same data written as revision 0002 stored it: one row per value, in the history
    (every import version) and again as the current copy."""
    engine = create_engine(url)
    try:
        with engine.connect().execution_options(township_write=True) as conn, conn.begin():
            command.upgrade(schema.alembic_config(conn), "0002")
            tables = sa.MetaData()
            tables.reflect(conn)
            for name in [*KEPT, "report_texts"]:
                if kept[name]:
                    conn.execute(tables.tables[name].insert(), kept[name])
            conn.execute(tables.tables["recorded_values"].insert(), store_reads["recorded"])
            conn.execute(tables.tables["current_values"].insert(), store_reads["copy"])
            if conn.dialect.name == "postgresql":  # numbers given explicitly: move the sequence
                conn.execute(
                    sa.text(
                        "SELECT setval(pg_get_serial_sequence('versions', 'id'), "
                        "(SELECT max(id) FROM versions) + 1, false)"
                    )
                )
    finally:
        engine.dispose()


@pytest.fixture
def old_store(database_url: str, catalogue) -> tuple[dict, dict]:
    """A store at revision 0002 holding the data `packed_store` writes, and what the packed
    store (written by this code directly) reads and holds, to compare the migration against."""
    store = packed_store(database_url, catalogue)
    expected = what_it_reads(store)
    raw = table_rows(database_url, ["recorded_slices"])
    imports = store.history().query("action == 'import'")["id"]
    recorded = [
        {**row, "version_id": int(v)}
        for v in imports
        for row in store.version_values(int(v)).drop(columns="file_name").to_dict("records")
    ]
    copy = [
        {"township": store.township, **row}
        for row in store.current(with_source=True).drop(columns="file_name").to_dict("records")
    ]
    with store.engine.connect() as conn:
        kept = {
            name: [dict(r) for r in conn.execute(sa.select(metadata.tables[name])).mappings()]
            for name in [*KEPT, "report_texts"]
        }
    dispose_engines()
    engine = create_engine(database_url)
    with engine.begin() as conn:
        metadata.drop_all(conn)
        conn.execute(sa.text("DROP TABLE alembic_version"))
    engine.dispose()
    write_revision_0002(database_url, kept, {"recorded": recorded, "copy": copy})
    return expected, raw


def test_a_per_value_store_is_packed_in_place_and_reads_the_same(
    database_url: str, catalogue, old_store
) -> None:
    expected, raw = old_store
    before = table_rows(database_url, KEPT)
    store = Store(database_url, catalogue.township_key, catalogue.township_name)
    rows, drift = revision_and_drift(database_url)
    assert rows == [schema.head()] and drift == []  # packed (0003), then 0004 and 0005
    assert what_it_reads(store) == expected
    # The packed slices are exactly those an import writes: villages in sheet order, values in
    # column order, the 总分 the reader added up last, each value with its cell.
    assert table_rows(database_url, ["recorded_slices"]) == raw
    assert table_rows(database_url, KEPT) == before
    slices = {(r[1], r[2]): r for r in raw["recorded_slices"] if r[0] == "4"}
    _, _, _, sheet, villages, names, data, cells, origins = slices[("人居环境打擂", "2024-03")]
    assert origins == "None"  # every value is the slice's own version's
    assert (sheet, villages, names) == (
        "人居环境打擂",
        '["酉庄村","蛇形村"]',
        '["农村改厕","垃圾治理","污水治理","村容村貌","长效管护","总分"]',
    )
    assert packing.decode_values(data, 6, 2).tolist() == [
        [18, 15],
        [20, 18],
        [15, 14],
        [16, 15],
        [12, 10],
        [81, 72],
    ]
    assert json.loads(cells)[-1] == ["H2", "H3（由各项相加）"]
    # and it goes on working: an import, a restore of a migrated version
    assert (
        store.import_workbook(
            read_workbook(safety("2024-05", 3), "五月.xlsx", catalogue), "赵六"
        ).version_id
        == 6
    )
    assert store.restore(3, "赵六").changed
    assert (
        store.current(months=["2024-03"])
        .set_index(["village", "indicator"])
        .loc[("酉庄村", "检查生产经营单位"), "value"]
        == 12
    )


def test_the_packed_rows_go_back_to_per_value_tables(
    database_url: str, catalogue, old_store
) -> None:
    """Downgrading 0003 gives back revision 0002's tables row for row."""
    old = ["recorded_values", "current_values"]
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            tables = sa.MetaData()
            tables.reflect(conn, only=old)
            before = {
                n: sorted(tuple(map(str, r)) for r in conn.execute(sa.select(tables.tables[n])))
                for n in old
            }
        assert len(before["recorded_values"]) > 20 and before["current_values"]
        for target in ("head", "0002"):
            with engine.connect().execution_options(township_write=True) as conn, conn.begin():
                step = command.upgrade if target == "head" else command.downgrade
                step(schema.alembic_config(conn), target)
        with engine.connect() as conn:
            assert schema.current(conn) == "0002"
            after = {
                n: sorted(tuple(map(str, r)) for r in conn.execute(sa.select(tables.tables[n])))
                for n in old
            }
    finally:
        engine.dispose()
    assert after == before


def test_a_current_copy_that_disagrees_stops_the_upgrade_untouched(
    database_url: str, catalogue, old_store
) -> None:
    engine = create_engine(database_url)
    try:
        with engine.begin() as conn:
            copy = sa.Table("current_values", sa.MetaData(), autoload_with=conn)
            conn.execute(copy.update().where(copy.c.village == "酉庄村").values(value=999))
        with pytest.raises(RuntimeError, match="current_values does not equal"):
            Store(database_url, catalogue.township_key, catalogue.township_name)
        with engine.connect() as conn:
            assert schema.current(conn) == "0002"
            assert "recorded_values" in sa.inspect(conn).get_table_names()
            assert "recorded_slices" not in sa.inspect(conn).get_table_names()
    finally:
        engine.dispose()
        dispose_engines()
