"""Versions, current values, restore, all-or-nothing imports and concurrent writers."""

from __future__ import annotations

import threading

import pandas as pd
import pytest

from tests.conftest import build_workbook
from township_data import store as store_module
from township_data.errors import StoreError
from township_data.store import Store
from township_data.workbook import read_workbook

HEADER = ["村（社区）", "月份", "检查生产经营单位", "排查安全隐患", "专项隐患排查整治"]


def safety(month: str, checks: int, hazards: int | None = 4, town: int | None = 2) -> bytes:
    return build_workbook(
        {
            "安全生产": [
                HEADER,
                ["酉庄村", month, checks, hazards, None],
                ["蛇形村", month, checks + 1, None, None],
                ["全镇", month, None, None, town],
            ]
        }
    )


def stored(store: Store) -> dict[tuple[str, str, str], float]:
    frame = store.current()
    return {(r.indicator, r.village, r.month): r.value for r in frame.itertuples()}


def imported(store: Store, catalogue, data: bytes, name: str = "a.xlsx", user: str = "张三"):
    return store.import_workbook(read_workbook(data, name, catalogue), user)


def test_import_then_replace_then_restore(store: Store, catalogue) -> None:
    first = imported(store, catalogue, safety("2024-03", 10), "三月.xlsx")
    assert first.changed and first.version_id == 1 and first.added == 4
    assert stored(store)[("检查生产经营单位", "酉庄村", "2024-03")] == 10
    second = imported(
        store, catalogue, safety("2024-03", 20, hazards=None), "三月更正.xlsx", user="李四"
    )
    assert (second.version_id, second.replaced, second.removed, second.unchanged) == (2, 2, 1, 1)
    now = stored(store)
    assert now[("检查生产经营单位", "酉庄村", "2024-03")] == 20
    assert ("排查安全隐患", "酉庄村", "2024-03") not in now  # replaced slice: now 未报, not 0
    history = store.history()
    assert history["id"].tolist() == [2, 1]
    assert history["created_by"].tolist() == ["李四", "张三"]
    assert history["is_current"].tolist() == [True, False]
    restored = store.restore(1, "王五")
    assert restored.changed and restored.version_id == 3
    assert stored(store)[("检查生产经营单位", "酉庄村", "2024-03")] == 10
    assert stored(store)[("排查安全隐患", "酉庄村", "2024-03")] == 4
    assert store.history()["action"].tolist() == ["restore", "import", "import"]
    assert len(store.version_values(2)) == 3  # nothing deleted: version 2 can come back
    again = store.restore(2, "王五")
    assert stored(store)[("检查生产经营单位", "酉庄村", "2024-03")] == 20 and again.version_id == 4


def test_byte_identical_reimport_changes_nothing(store: Store, catalogue) -> None:
    data = safety("2024-03", 10)
    imported(store, catalogue, data)
    revision = store.revision()
    again = imported(store, catalogue, data)
    assert not again.changed and "完全相同" in again.message and "版本 1" in again.message
    assert store.revision() == revision and len(store.history()) == 1


def test_same_values_in_another_file_change_nothing(store: Store, catalogue) -> None:
    imported(store, catalogue, safety("2024-03", 10), "a.xlsx")
    resaved = build_workbook(
        {
            "说明": [["重新保存的同一份数据"]],
            "安全生产": [
                HEADER,
                ["酉庄村", "2024-03", 10, 4, None],
                ["蛇形村", "2024-03", 11, None, None],
                ["全镇", "2024-03", None, None, 2],
            ],
        }
    )
    again = imported(store, catalogue, resaved, "重新保存.xlsx")
    assert not again.changed and "与当前数据完全相同" in again.message
    assert len(store.history()) == 1


def test_reimporting_an_older_file_makes_it_current(store: Store, catalogue) -> None:
    old = safety("2024-03", 10)
    imported(store, catalogue, old, "a.xlsx")
    imported(store, catalogue, safety("2024-03", 20), "b.xlsx")
    back = imported(store, catalogue, old, "a.xlsx")
    assert back.changed and back.version_id == 3
    assert stored(store)[("检查生产经营单位", "酉庄村", "2024-03")] == 10


def test_slices_are_independent(store: Store, catalogue) -> None:
    imported(store, catalogue, safety("2024-03", 10))
    imported(store, catalogue, safety("2024-04", 30))
    imported(store, catalogue, safety("2024-03", 11))
    now = stored(store)
    assert now[("检查生产经营单位", "酉庄村", "2024-03")] == 11
    assert now[("检查生产经营单位", "酉庄村", "2024-04")] == 30
    slices = store.slices()
    assert slices[["month", "version_id"]].values.tolist() == [["2024-03", 3], ["2024-04", 2]]


def test_restore_errors_and_noop(store: Store, catalogue) -> None:
    imported(store, catalogue, safety("2024-03", 10))
    with pytest.raises(StoreError, match="版本 9 不存在"):
        store.restore(9, "x")
    result = store.restore(1, "x")
    assert not result.changed and "已经是当前数据" in result.message


def test_crash_mid_import_leaves_store_unchanged(store: Store, catalogue, monkeypatch) -> None:
    imported(store, catalogue, safety("2024-03", 10))
    before_values, before_history, before_revision = (
        store.current(),
        store.history(),
        store.revision(),
    )
    parsed = read_workbook(safety("2024-03", 99), "坏.xlsx", catalogue)
    real_execute = store_module.Connection.execute
    calls = {"n": 0}

    def failing(self, statement, *args, **kwargs):
        calls["n"] += 1
        table = getattr(statement, "table", None)
        if getattr(table, "name", "") == "current_values" and statement.is_insert:
            raise RuntimeError("disk full halfway")
        return real_execute(self, statement, *args, **kwargs)

    monkeypatch.setattr(store_module.Connection, "execute", failing)
    with pytest.raises(RuntimeError):
        store.import_workbook(parsed, "张三")
    monkeypatch.undo()
    assert calls["n"] > 3  # it failed after the version and recorded values were written
    pd.testing.assert_frame_equal(store.current(), before_values)
    pd.testing.assert_frame_equal(store.history(), before_history)
    assert store.revision() == before_revision


def test_two_threads_importing_at_once_both_land_in_order(store: Store, catalogue) -> None:
    months = ["2024-05", "2024-06"]
    parsed = {
        m: read_workbook(safety(m, 10 + i), f"{m}.xlsx", catalogue) for i, m in enumerate(months)
    }
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker(month: str) -> None:
        try:
            barrier.wait()
            store.import_workbook(parsed[month], month)
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(m,)) for m in months]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    history = store.history()
    assert sorted(history["id"]) == [1, 2] and store.revision() == 2
    for version_id, month in zip(history["id"], history["created_by"], strict=True):
        values = store.version_values(version_id)
        assert set(values["month"]) == {month}  # never a mix of the two imports
    assert len(store.current()) == 8


def test_diff_labels_changes(store: Store, catalogue) -> None:
    imported(store, catalogue, safety("2024-03", 10))
    parsed = read_workbook(safety("2024-03", 12, hazards=None, town=2), "b.xlsx", catalogue)
    diff = store.diff(parsed.values, parsed.slices)
    changes = {(r.indicator, r.village): (r.old, r.new, r.change) for r in diff.itertuples()}
    assert changes[("检查生产经营单位", "酉庄村")] == (10, 12, "修改")
    assert changes[("专项隐患排查整治", "全镇")] == (2, 2, "不变")
    old, new, change = changes[("排查安全隐患", "酉庄村")]
    assert old == 4 and pd.isna(new) and change == "改为未报"


def test_townships_are_separate(data_dir, catalogue) -> None:
    url = f"sqlite:///{data_dir / 'county.sqlite3'}"
    a, b = Store(url, "tanwan", "潭湾镇"), Store(url, "other", "另一镇")
    a.import_workbook(read_workbook(safety("2024-03", 10), "a.xlsx", catalogue), "x")
    assert len(a.current()) == 4 and b.current().empty and b.is_empty()
    assert b.revision() == 0


def test_is_sample_until_replaced(store: Store, catalogue) -> None:
    imported(store, catalogue, safety("2024-03", 10), user="示例数据")
    assert store.is_sample()
    imported(store, catalogue, safety("2024-03", 11), user="张三")
    assert not store.is_sample()
