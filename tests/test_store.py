"""Versions, current values, restore, all-or-nothing imports and concurrent writers."""

from __future__ import annotations

import multiprocessing
import threading
import time
import traceback

import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from tests.conftest import build_workbook, start_processes
from township_data import store as store_module
from township_data.errors import StoreError
from township_data.store import KEY, KEYED, Store
from township_data.store.records import insert_many
from township_data.workbook import read_workbook


@pytest.fixture
def store(database_url: str, catalogue) -> Store:
    """Every test of this module runs on SQLite and on PostgreSQL (conftest.database_url)."""
    return Store(database_url, catalogue.township_key, catalogue.township_name)


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


def test_a_restore_lists_areas_in_the_restored_imports_order(store: Store, catalogue) -> None:
    """The history reads the same for an import and its restore: catalogue order, not code points."""
    two_areas = {
        "安全生产": [HEADER, ["酉庄村", "2024-03", 5, 1, None]],
        "人居环境": [["村（社区）", "月份", "拆除危房"], ["酉庄村", "2024-03", 2]],
    }
    first = imported(store, catalogue, build_workbook(two_areas))
    imported(store, catalogue, safety("2024-03", 9))
    store.restore(first.version_id, "王五")
    summaries = store.history()["summary"].tolist()
    assert summaries[0] == summaries[-1] == "2024年3月：安全生产、人居环境"


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
    real_execute = Connection.execute
    calls = {"n": 0}

    def failing(self, statement, *args, **kwargs):
        calls["n"] += 1
        table = getattr(statement, "table", None)
        # the current pointers are moved after the version and its rows are written
        if getattr(table, "name", "") == "current_slices" and statement.is_delete:
            raise RuntimeError("disk full halfway")
        return real_execute(self, statement, *args, **kwargs)

    monkeypatch.setattr(Connection, "execute", failing)
    with pytest.raises(RuntimeError):
        store.import_workbook(parsed, "张三")
    monkeypatch.undo()
    assert calls["n"] > 3  # it failed after the version and its rows were written
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


def test_townships_are_separate(database_url, catalogue) -> None:
    url = database_url
    a, b = Store(url, "tanwan", "潭湾镇"), Store(url, "other", "另一镇")
    a.import_workbook(read_workbook(safety("2024-03", 10), "a.xlsx", catalogue), "x")
    assert len(a.current()) == 4 and b.current().empty and b.is_empty()
    assert b.revision() == 0


def test_is_sample_until_replaced(store: Store, catalogue) -> None:
    imported(store, catalogue, safety("2024-03", 10), user="示例数据")
    assert store.is_sample()
    imported(store, catalogue, safety("2024-03", 11), user="张三")
    assert not store.is_sample()


# ------------------------------------------------------------------ whole-slice writers
# The upload page confirms a preview computed at one revision; these pin the store's side:
# halfway crashes, refusals when the revision moved, and two writers on the same slice.

SLICE_HEADER = ["村（社区）", "月份", "检查生产经营单位（家次）", "排查安全隐患（处）"]


def slice_book(rows: list[list[object]]) -> dict[str, list[list[object]]]:
    return {"安全生产": [SLICE_HEADER, *rows]}


def parse(make_workbook, catalogue, rows, name="2024年3月安全生产.xlsx"):
    return read_workbook(make_workbook(slice_book(rows)), name, catalogue)


def current_map(store: Store) -> dict[tuple[str, str, str, str], float]:
    frame = store.current()
    return {
        (r.area, r.month, r.village, r.indicator): r.value for r in frame.itertuples(index=False)
    }


def dump(store: Store) -> dict[str, list[tuple]]:
    """Every row of every table, sorted: 'exactly as before' means this is equal."""
    with store.engine.connect() as conn:
        return {
            table.name: sorted(tuple(map(str, row)) for row in conn.execute(sa.select(table)))
            for table in store_module.metadata.sorted_tables
        }


FIRST = [["酉庄村", "2024-03", 10, 3], ["蛇形村", "2024-03", 12, 4]]
SECOND = [["酉庄村", "2024-03", 11, 3], ["蛇形村", "2024-03", 12, None]]


def test_a_crash_halfway_through_an_import_leaves_the_store_exactly_as_before(
    store, make_workbook, catalogue, monkeypatch
) -> None:
    store.import_workbook(parse(make_workbook, catalogue, FIRST), "甲")
    before = dump(store)
    revision = store.revision()
    rows = [
        [v, month, i, i]
        for month in ("2024-01", "2024-02", "2024-03", "2024-04")
        for i, v in enumerate(catalogue.village_names)
    ]
    parsed = parse(make_workbook, catalogue, rows, "大表.xlsx")
    real_execute = sa.engine.Connection.exec_driver_sql
    written: list[int] = []

    # The slices are written by one bulk insert into the history (the current pointers then
    # point at them): crash after half of that bulk insert.
    def execute_then_crash(self, statement, parameters=None, *args, **kwargs):
        bulk = statement.startswith("INSERT INTO recorded_slices") and isinstance(parameters, list)
        if bulk:
            half = parameters[: len(parameters) // 2]
            real_execute(self, statement, half, *args, **kwargs)
            written.append(len(half))
            raise RuntimeError("模拟：导入到一半时服务器出错")
        return real_execute(self, statement, parameters, *args, **kwargs)

    monkeypatch.setattr(sa.engine.Connection, "exec_driver_sql", execute_then_crash)
    with pytest.raises(RuntimeError):
        store.import_workbook(parsed, "乙")
    monkeypatch.undo()

    assert written == [len(parsed.slices) // 2] and written[0] > 0
    assert dump(store) == before
    assert store.revision() == revision
    # The store still works after the failed transaction.
    assert store.import_workbook(parsed, "乙").changed


def test_import_refuses_when_the_revision_moved_since_the_preview(
    store, make_workbook, catalogue
) -> None:
    store.import_workbook(parse(make_workbook, catalogue, FIRST), "甲")
    seen = store.revision()
    store.import_workbook(parse(make_workbook, catalogue, SECOND, "别人.xlsx"), "乙")
    before = dump(store)
    late = parse(make_workbook, catalogue, [["酉庄村", "2024-03", 99, 9]], "晚了.xlsx")
    with pytest.raises(StoreError) as caught:
        store.import_workbook(late, "丙", expected_revision=seen)
    assert "预览之后数据已被更新" in str(caught.value)
    assert dump(store) == before
    result = store.import_workbook(late, "丙", expected_revision=store.revision())
    assert result.changed and result.revision == seen + 2


def test_restore_refuses_when_the_revision_moved(store, make_workbook, catalogue) -> None:
    first = store.import_workbook(parse(make_workbook, catalogue, FIRST), "甲")
    store.import_workbook(parse(make_workbook, catalogue, SECOND, "b.xlsx"), "乙")
    seen = store.revision()
    store.import_workbook(parse(make_workbook, catalogue, [["酉庄村", "2024-03", 5, 5]]), "丁")
    with pytest.raises(StoreError):
        store.restore(first.version_id, "丙", expected_revision=seen)
    assert current_map(store)[("安全生产", "2024-03", "酉庄村", "检查生产经营单位")] == 5


def _slow_imports(monkeypatch, seconds: float) -> None:
    """Hold the write transaction open a while, so the second writer really has to wait."""
    real = Store._import

    def slow(self, conn, files, user, replace, prepared=None):
        result = real(self, conn, files, user, replace, prepared)
        time.sleep(seconds)
        return result

    monkeypatch.setattr(Store, "_import", slow)


def _race(targets) -> list[object]:
    barrier = threading.Barrier(len(targets))
    outcomes: list[object] = [None] * len(targets)

    def run(index, target):
        barrier.wait()
        try:
            outcomes[index] = target()
        except Exception as exc:
            outcomes[index] = exc

    threads = [threading.Thread(target=run, args=(i, t)) for i, t in enumerate(targets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return outcomes


def test_two_threads_writing_the_same_slice_queue_and_never_mix(
    store, make_workbook, catalogue, monkeypatch
) -> None:
    """Streamlit sessions are threads: each gets its own connection; BEGIN IMMEDIATE queues."""
    a = parse(make_workbook, catalogue, [[v, "2024-03", 1, 1] for v in catalogue.village_names])
    b = parse(make_workbook, catalogue, [[v, "2024-03", 2, 2] for v in catalogue.village_names])
    _slow_imports(monkeypatch, 0.4)
    outcomes = _race(
        [lambda: store.import_workbook(a, "甲"), lambda: store.import_workbook(b, "乙")]
    )
    assert all(getattr(o, "changed", False) for o in outcomes), outcomes
    first, second = sorted(outcomes, key=lambda r: r.version_id)
    assert second.version_id == first.version_id + 1
    assert second.revision == first.revision + 1
    # The later import replaced the earlier one as a whole: never a mix of the two.
    current = store.current(with_source=True)
    assert set(current["version_id"]) == {second.version_id}
    assert len(current) == len(a.values)
    history = store.history()
    assert set(history["created_by"]) == {"甲", "乙"}
    slices = pd.read_sql(
        sa.select(store_module.version_slices).where(
            store_module.version_slices.c.version_id == second.version_id
        ),
        store.engine,
    )
    assert slices["replaced_version_id"].tolist() == [first.version_id]


def test_two_confirms_of_the_same_preview_one_lands_the_other_is_refused(
    store, make_workbook, catalogue, monkeypatch
) -> None:
    store.import_workbook(parse(make_workbook, catalogue, FIRST), "甲")
    seen = store.revision()
    a = parse(make_workbook, catalogue, [[v, "2024-03", 1, 1] for v in catalogue.village_names])
    b = parse(make_workbook, catalogue, [[v, "2024-03", 2, 2] for v in catalogue.village_names])
    _slow_imports(monkeypatch, 0.4)
    outcomes = _race(
        [
            lambda: store.import_workbook(a, "甲", expected_revision=seen),
            lambda: store.import_workbook(b, "乙", expected_revision=seen),
        ]
    )
    landed = [o for o in outcomes if getattr(o, "changed", False)]
    refused = [o for o in outcomes if isinstance(o, StoreError)]
    assert len(landed) == 1 and len(refused) == 1, outcomes
    assert "预览之后数据已被更新" in str(refused[0])
    current = store.current(with_source=True)
    assert set(current["version_id"]) == {landed[0].version_id}
    assert store.revision() == seen + 1


def test_version_slices_of_an_unknown_version_is_a_chinese_error(store) -> None:
    with pytest.raises(StoreError) as caught:
        store.version_slices(999)
    assert "版本 999 不存在" in str(caught.value)


# ------------------------------------------------------- two OS processes on one database


FAILED = "worker failed"


def full_workbook(catalogue, month: str, base: int) -> bytes:
    """Every area sheet of one month, every village and indicator filled (about 1,300 values;
    an area whose work had ended by the month has no sheet)."""
    sheets = {}
    for area in catalogue.areas_at(month):
        header = ["村（社区）", "月份", *[ind.name for ind in area.indicators]]
        rows: list[list[object]] = [header]
        for place in [*catalogue.village_names, "全镇"]:
            town = place == "全镇"
            rows.append(
                [place, month]
                + [
                    (base + k) % 50 if (ind.town_row if town else ind.village_rows) else None
                    for k, ind in enumerate(area.indicators)
                ]
            )
        sheets[area.name] = rows
    return build_workbook(sheets)


def _open(url: str, township: str) -> Store:
    return Store(url, township, township)


def _import_worker(url, township, data, name, start, results, committed=None) -> None:
    """A separate process: parse first, wait for the other writer, then import.

    Reports whether the other side had already committed (`committed`, a shared flag the
    other side sets just before its commit) when this import returned: an ordering, not a time.
    """
    from township_data.catalogue import load_catalogue

    try:
        store = _open(url, township)
        parsed = read_workbook(data, name, load_catalogue())
        start.wait(timeout=120)
        result = store.import_workbook(parsed, name)
        seen = None if committed is None else committed.value
        results.put(
            (name, result.version_id, result.added, result.replaced, result.unchanged, seen)
        )
    except BaseException:
        results.put((FAILED, traceback.format_exc()))
        raise


def _reader_worker(url, township, slice_sizes, stop, results) -> None:
    """A separate process reading current values until told to stop; counts torn reads.

    Every slice of every import holds the same number of values, so a read that shows a slice
    with a mix of versions, or with a count other than 0 or the full size, saw half an import.
    """
    try:
        store = _open(url, township)
        reads = torn = 0
        while not stop.is_set() or reads == 0:
            frame = store.current(with_source=True)
            for (area, month), group in frame.groupby(["area", "month"]):
                size = slice_sizes.get(f"{area}|{month}")
                if group["version_id"].nunique() != 1 or len(group) != size:
                    torn += 1
            reads += 1
        results.put((reads, torn))
    except BaseException:
        results.put((FAILED, traceback.format_exc()))
        raise


def _result(queue) -> tuple:
    """The next report of a worker process; a failure there fails the test with its traceback."""
    item = queue.get(timeout=120)
    assert item[0] != FAILED, item[1]
    return item


def _spawn():
    return multiprocessing.get_context("spawn")


@pytest.mark.parametrize("townships", ["same-township", "two-townships"])
def test_two_processes_importing_at_once_never_interleave(
    database_url: str, catalogue, townships: str
) -> None:
    """Two OS processes import the same month at once, into one township or into two.

    Whatever order the database lets them in, each version holds exactly its own file's values,
    the later one replaced the earlier one (it read the other's committed rows after waiting for
    the lock), and a third process reading all the while never saw half an import.
    """
    books = {
        "甲.xlsx": full_workbook(catalogue, "2024-03", 1),
        "乙.xlsx": full_workbook(catalogue, "2024-03", 7),
    }
    owners = {
        "甲.xlsx": "tanwan",
        "乙.xlsx": "tanwan" if townships == "same-township" else "shiqiao",
    }
    parsed = {name: read_workbook(data, name, catalogue) for name, data in books.items()}
    sizes = parsed["甲.xlsx"].values.groupby(["area", "month"]).size()
    slice_sizes = {f"{a}|{m}": int(n) for (a, m), n in sizes.items()}
    for township in set(owners.values()):
        _open(database_url, township)  # both township rows exist before the race
    ctx = _spawn()
    start, stop, results, reads = ctx.Barrier(2), ctx.Event(), ctx.Queue(), ctx.Queue()
    reader = ctx.Process(
        target=_reader_worker, args=(database_url, "tanwan", slice_sizes, stop, reads)
    )
    writers = [
        ctx.Process(
            target=_import_worker,
            args=(database_url, owners[name], data, name, start, results),
        )
        for name, data in books.items()
    ]
    start_processes(reader, *writers)
    outcome = {}
    for _ in writers:
        name, version_id, added, replaced, unchanged, _seen = _result(results)
        outcome[name] = (version_id, added, replaced, unchanged)
    stop.set()
    read_count, torn = _result(reads)
    for p in [*writers, reader]:
        p.join(timeout=60)
        assert p.exitcode == 0
    assert torn == 0 and read_count > 0

    total = len(parsed["甲.xlsx"].values)
    assert sorted(v for v, *_ in outcome.values()) == [1, 2]
    for name, data in parsed.items():
        store = _open(database_url, owners[name])
        version_id = outcome[name][0]
        mine = store.version_values(version_id).sort_values(KEY, ignore_index=True)
        expected = data.values.sort_values(KEY, ignore_index=True)
        assert mine[KEYED].equals(expected[KEYED])  # never a mix of the two files
    if townships == "two-townships":
        for name in parsed:
            assert outcome[name][1:] == (total, 0, 0)  # each township's first data
            store = _open(database_url, owners[name])
            assert len(store.current()) == total and len(store.history()) == 1
        return
    first, second = sorted(parsed, key=lambda n: outcome[n][0])
    assert outcome[first][1:] == (total, 0, 0)
    # The later writer compared against the earlier one's committed values: every value whose
    # number differs between the files is 修改, the rest 不变, none 新增.
    merged = parsed[first].values.merge(parsed[second].values, on=KEY)
    differ = int((merged["value_x"] != merged["value_y"]).sum())
    assert outcome[second][1:] == (0, differ, total - differ) and differ > 0
    store = _open(database_url, "tanwan")
    with store.engine.connect() as conn:
        replaced = conn.execute(
            sa.select(store_module.version_slices.c.replaced_version_id).where(
                store_module.version_slices.c.version_id == outcome[second][0]
            )
        ).scalars()
        assert set(replaced) == {outcome[first][0]}
    now = store.current(with_source=True)
    assert set(now["version_id"]) == {outcome[second][0]} and len(now) == total


def test_a_writer_waiting_for_the_lock_then_sees_the_committed_import(
    store: Store, database_url: str, catalogue
) -> None:
    """Deterministic form of the race: this process holds the township's write lock with an
    import in progress while another OS process tries to import the same month.

    The other process waits for the lock (an UPDATE blocked on the row lock on PostgreSQL,
    BEGIN IMMEDIATE on SQLite) and, once it proceeds, reads this import's committed rows: under
    PostgreSQL's READ COMMITTED every statement after the lock takes a fresh snapshot and
    nothing the import uses was read before it. So it records 修改 against version 1, not 新增.
    """
    first = read_workbook(full_workbook(catalogue, "2024-03", 1), "甲.xlsx", catalogue)
    second_book = full_workbook(catalogue, "2024-03", 7)
    ctx = _spawn()
    start, results, committed = ctx.Barrier(2), ctx.Queue(), ctx.Value("i", 0)
    other = ctx.Process(
        target=_import_worker,
        args=(database_url, store.township, second_book, "乙.xlsx", start, results, committed),
    )
    start_processes(other)
    with store._write() as conn:
        store._lock(conn)
        held = store._import(conn, [first], "甲", False)[0]
        start.wait(timeout=120)  # the other process now calls import_workbook and must wait
        time.sleep(0.5)  # a chance for it to reach the lock; nothing below depends on timing
        committed.value = 1  # set inside the transaction, just before it commits
    _name, version_id, added, replaced, unchanged, seen = _result(results)
    other.join(timeout=60)
    assert other.exitcode == 0
    assert held.version_id == 1 and version_id == 2
    assert seen == 1  # its import returned only after this transaction had committed
    total = len(first.values)
    assert added == 0 and replaced + unchanged == total and replaced > 0
    assert set(store.current(with_source=True)["version_id"]) == {2}
    assert store.history()["id"].tolist() == [2, 1] and store.revision() == 2


# ------------------------------------------------------------------ kept totals and cut reads


def kept_totals(store: Store) -> pd.DataFrame:
    return store.totals().reset_index(drop=True)


def expected_totals(store: Store) -> pd.DataFrame:
    from township_data import metrics

    return metrics.monthly_totals(store.current()).reset_index(drop=True)


def test_totals_follow_every_import_and_restore(store: Store, catalogue) -> None:
    imported(store, catalogue, safety("2024-03", 10))
    imported(store, catalogue, safety("2024-04", 5, hazards=None))
    totals = store.totals().set_index(["month", "indicator"])
    assert totals.loc[("2024-03", "检查生产经营单位"), "village_sum"] == 21  # 10 + 11
    assert totals.loc[("2024-03", "检查生产经营单位"), "village_count"] == 2
    assert totals.loc[("2024-03", "专项隐患排查整治"), "town_value"] == 2
    assert ("2024-04", "排查安全隐患") not in totals.index  # 未报: no total, not 0
    pd.testing.assert_frame_equal(kept_totals(store), expected_totals(store), check_dtype=False)
    imported(store, catalogue, safety("2024-03", 30, town=None), "更正.xlsx")
    pd.testing.assert_frame_equal(kept_totals(store), expected_totals(store), check_dtype=False)
    assert (
        store.totals(first="2024-03", last="2024-03")
        .set_index("indicator")
        .loc["检查生产经营单位", "village_sum"]
        == 61
    )
    store.restore(1, "王五")
    pd.testing.assert_frame_equal(kept_totals(store), expected_totals(store), check_dtype=False)
    assert store.totals(areas=["党建引领"]).empty


def test_totals_are_rebuilt_for_a_store_written_before_they_existed(
    store: Store, catalogue
) -> None:
    imported(store, catalogue, safety("2024-03", 10))
    imported(store, catalogue, safety("2024-04", 7))
    with store.engine.begin() as conn:
        conn.execute(store_module.monthly_totals.delete())
    assert store.totals().empty
    reopened = Store(store.url, store.township)
    pd.testing.assert_frame_equal(
        kept_totals(reopened), expected_totals(reopened), check_dtype=False
    )
    assert set(reopened.totals()["month"]) == {"2024-03", "2024-04"}


def test_slice_villages_and_month_span(store: Store, catalogue) -> None:
    assert store.month_span() is None
    assert store.slice_villages().empty
    imported(store, catalogue, safety("2024-03", 10))
    imported(store, catalogue, safety("2023-11", 10))
    assert store.month_span() == ("2023-11", "2024-03")
    counts = store.slice_villages()
    assert counts.to_dict("records") == [
        {"area": "安全生产", "month": "2023-11", "villages": 2},
        {"area": "安全生产", "month": "2024-03", "villages": 2},
    ]


def test_current_cut_to_months_and_indicators(store: Store, catalogue) -> None:
    for month in ("2024-01", "2024-02", "2024-03"):
        imported(store, catalogue, safety(month, 10), f"{month}.xlsx")
    cut = store.current(months=["2024-01", "2024-03"], indicators=["排查安全隐患"])
    assert sorted(zip(cut["month"], cut["village"], strict=True)) == [
        ("2024-01", "酉庄村"),
        ("2024-03", "酉庄村"),
    ]
    assert store.current(areas=["安全生产"], months=[]).empty
    everything = store.current()
    months_only = store.current(months=["2024-02"])
    assert len(months_only) == (everything["month"] == "2024-02").sum()


def test_insert_many_is_the_same_as_a_core_insert(store: Store) -> None:
    rows = [("镇甲", "镇甲名称", 0), ("镇乙", "镇乙名称", 3)]
    with store.engine.begin() as conn:
        insert_many(
            conn,
            store_module.townships,
            ["name", "key", "revision"],
            [(name, key, revision) for key, name, revision in rows],
        )
        stored_rows = conn.execute(
            sa.select(
                store_module.townships.c.key,
                store_module.townships.c.name,
                store_module.townships.c.revision,
            ).where(store_module.townships.c.key.in_(["镇甲", "镇乙"]))
        ).all()
    assert sorted(tuple(r) for r in stored_rows) == sorted(rows)


def test_wide_holds_the_current_values_row_by_row(store: Store, catalogue) -> None:
    imported(store, catalogue, safety("2024-03", 10))
    imported(store, catalogue, safety("2024-04", 5, hazards=None))
    wide = store.wide("安全生产", ["检查生产经营单位", "排查安全隐患", "未知指标"])
    got = {
        (m, v): tuple(None if pd.isna(x) else x for x in rest)
        for m, v, *rest in wide.itertuples(index=False, name=None)
    }
    assert got == {
        ("2024-03", "酉庄村"): (10, 4, None),
        ("2024-03", "蛇形村"): (11, None, None),
        ("2024-03", "全镇"): (None, None, None),  # it holds 专项隐患排查整治 only
        ("2024-04", "酉庄村"): (5, None, None),
        ("2024-04", "蛇形村"): (6, None, None),
        ("2024-04", "全镇"): (None, None, None),
    }
    assert store.wide("安全生产", ["检查生产经营单位"], first="2024-04")[
        "month"
    ].unique().tolist() == ["2024-04"]
    assert store.wide("党建引领", ["x"]).empty


def test_version_values_of_some_slices(store: Store, catalogue) -> None:
    data = build_workbook(
        {
            "安全生产": [
                HEADER,
                ["酉庄村", "2024-03", 1, 2, None],
                ["酉庄村", "2024-04", 3, 4, None],
            ],
            "党建引领": [["村（社区）", "月份", "主题党日活动"], ["蛇形村", "2024-03", 5]],
        }
    )
    version = imported(store, catalogue, data).version_id
    every = store.version_values(version)
    assert len(every) == 5 and list(every.columns) == store_module.VERSION_COLUMNS
    one = store.version_values(version, [("安全生产", "2024-04")])
    assert sorted(zip(one["indicator"], one["value"], one["cell"], strict=True)) == [
        ("排查安全隐患", 4.0, "D3"),
        ("检查生产经营单位", 3.0, "C3"),
    ]
    assert store.version_values(version, []).empty


def test_slices_count_values_and_villages_of_the_current_data(store: Store, catalogue) -> None:
    imported(store, catalogue, safety("2024-03", 10))
    imported(store, catalogue, safety("2024-03", 10, hazards=None), "更正.xlsx")
    store.restore(1, "王五")
    slices = store.slices()
    assert slices[["area", "month", "version_id", "data_version_id"]].values.tolist() == [
        ["安全生产", "2024-03", 3, 1]
    ]
    assert (slices.at[0, "value_count"], slices.at[0, "village_count"]) == (4, 3)
    assert store.history().set_index("id").at[3, "value_count"] == 4


# ------------------------------------------------------------------ village by village


def village_book(catalogue, villages, month: str, base: int) -> bytes:
    """The 安全生产 sheet with these villages' rows only (a village's own file)."""
    area = catalogue.area("安全生产")
    header = ["村（社区）", "月份", *(i.label for i in area.indicators)]
    rows: list[list[object]] = [header]
    for k, place in enumerate(villages):
        town = place == "全镇"
        rows.append(
            [place, month]
            + [
                (base + 3 * k + j) % 40 if (ind.town_row if town else ind.village_rows) else None
                for j, ind in enumerate(area.indicators)
            ]
        )
    return build_workbook({"安全生产": rows})


def test_two_village_files_in_sequence_keep_both(store: Store, catalogue) -> None:
    whole = read_workbook(full_workbook(catalogue, "2024-03", 1), "全镇.xlsx", catalogue)
    store.import_workbook(whole, "甲")
    before = store.current(areas=["安全生产"])
    one = read_workbook(village_book(catalogue, ["酉庄村"], "2024-03", 5), "酉庄村.xlsx", catalogue)
    two = read_workbook(village_book(catalogue, ["蛇形村"], "2024-03", 9), "蛇形村.xlsx", catalogue)
    first, second = store.import_workbook(one, "乙"), store.import_workbook(two, "丙")
    assert first.changed and second.changed
    after = store.current(areas=["安全生产"])
    mine = after[after["village"].isin(["酉庄村", "蛇形村"])].sort_values(KEY, ignore_index=True)
    sent = pd.concat([one.values, two.values]).sort_values(KEY, ignore_index=True)
    assert mine[KEYED].equals(sent[KEYED])
    others = after[~after["village"].isin(["酉庄村", "蛇形村"])].sort_values(KEY, ignore_index=True)
    kept = before[~before["village"].isin(["酉庄村", "蛇形村"])].sort_values(KEY, ignore_index=True)
    assert others[KEYED].equals(kept[KEYED])  # the other villages' values, untouched
    sources = store.current(areas=["安全生产"], with_source=True)
    by_village = sources.groupby("village")["file_name"].agg(set).to_dict()
    assert by_village["酉庄村"] == {"酉庄村.xlsx"} and by_village["蛇形村"] == {"蛇形村.xlsx"}
    assert by_village["杉林村"] == {"全镇.xlsx"}


def test_sixteen_village_files_in_one_upload_equal_the_merged_workbook(
    database_url: str, catalogue
) -> None:
    places = [*catalogue.village_names, "全镇"]
    merged = read_workbook(village_book(catalogue, places, "2024-03", 2), "合并.xlsx", catalogue)
    singles = [
        read_workbook(
            village_book(catalogue, [place], "2024-03", 2 + 3 * k), f"{place}.xlsx", catalogue
        )
        for k, place in enumerate(places)
    ]
    one = Store(database_url, "tanwan", "潭湾镇")
    many = Store(database_url, "shiqiao", "石桥镇")
    one.import_workbook(merged, "甲")
    results = many.import_files(singles, "甲")
    assert [r.version_id is not None and r.changed for r in results] == [True] * len(places)
    # one version per file, numbered in upload order, each value kept with its file
    ids = [r.version_id for r in results]
    assert ids == sorted(set(ids))  # type: ignore[type-var]
    history = many.history()
    assert history["id"].tolist()[::-1] == ids
    assert history["file_name"].tolist()[::-1] == [f"{place}.xlsx" for place in places]
    sources = many.current(with_source=True)
    by_village = sources.groupby("village")["file_name"].agg(set).to_dict()
    assert by_village == {place: {f"{place}.xlsx"} for place in places}
    left = one.current().sort_values(KEY, ignore_index=True)
    right = many.current().sort_values(KEY, ignore_index=True)
    assert len(left) == len(merged.values) and left[KEYED].equals(right[KEYED])
    pd.testing.assert_frame_equal(one.totals(), many.totals())


def test_restore_after_merges_brings_back_the_exact_earlier_state(store: Store, catalogue) -> None:
    store.import_workbook(
        read_workbook(full_workbook(catalogue, "2024-03", 1), "全镇.xlsx", catalogue), "甲"
    )
    states = {}
    for k, place in enumerate(["酉庄村", "蛇形村", "杉林村"]):
        book = village_book(catalogue, [place], "2024-03", 20 + k)
        result = store.import_workbook(read_workbook(book, f"{place}.xlsx", catalogue), "乙")
        states[result.version_id] = (
            store.current().sort_values(KEY, ignore_index=True),
            store.current(with_source=True).sort_values(KEY, ignore_index=True),
            store.totals(),
        )
    target = min(states)  # right after the first village file
    assert store.restore(target, "丙").changed
    values, sources, totals = states[target]
    pd.testing.assert_frame_equal(store.current().sort_values(KEY, ignore_index=True), values)
    now = store.current(with_source=True).sort_values(KEY, ignore_index=True)
    pd.testing.assert_frame_equal(now, sources)  # every value with its file, as it was
    pd.testing.assert_frame_equal(store.totals(), totals)


def test_a_village_file_sent_twice_the_second_time_unchanged_stores_nothing(
    store: Store, catalogue
) -> None:
    store.import_workbook(
        read_workbook(full_workbook(catalogue, "2024-03", 1), "全镇.xlsx", catalogue), "甲"
    )
    book = village_book(catalogue, ["酉庄村"], "2024-03", 7)
    assert store.import_workbook(read_workbook(book, "酉庄村.xlsx", catalogue), "乙").changed
    again = store.import_workbook(read_workbook(book, "酉庄村（重发）.xlsx", catalogue), "乙")
    assert not again.changed and "完全相同" in again.message
    assert store.history()["id"].tolist() == [2, 1]
