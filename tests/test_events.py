"""大事记: checked when typed or read from a sheet, kept once, listed, deleted, on the charts."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from township_data import events
from township_data.catalogue import Catalogue
from township_data.errors import StoreError, WorkbookError
from township_data.events import Event, EventError, make_event
from township_data.store import Store
from township_data.workbook import read_workbook, write_template
from township_data.workbook.events import read_events

from .conftest import build_workbook


def test_an_event_is_checked_and_named_in_chinese(catalogue: Catalogue) -> None:
    flood = make_event(
        catalogue, "2024年7月5日", "党管武装", "防汛抢险", " 强降雨 引发山洪 ", "杉林、蛇形村"
    )
    # villages in catalogue order, spelling resolved; spaces inside the text kept single
    assert flood == Event(
        "2024-07-05", "党管武装", "防汛抢险", "强降雨 引发山洪", ("蛇形村", "杉林村")
    )
    assert flood.line == "2024年7月5日 防汛抢险（蛇形村、杉林村）：强降雨 引发山洪"
    assert make_event(catalogue, dt.date(2024, 7, 5), "综合", "其他", "x", "全镇").villages == ()
    with pytest.raises(EventError) as caught:
        make_event(catalogue, "2024-02-30", "防汛", "洪水", "", ["青石", "石桥村"])
    message = str(caught.value)
    for part in ("2024-02-30", "领域“防汛”", "类别“洪水”", "事件内容为空", "石桥村"):
        assert part in message
    assert "“青石”" not in message  # 青石 is 青石村
    with pytest.raises(EventError, match="60 个字以内"):
        make_event(catalogue, "2024-07-05", "综合", "其他", "长" * 61)


def test_events_are_kept_once_and_bump_the_revision(store: Store) -> None:
    flood = Event("2024-07-05", "党管武装", "防汛抢险", "强降雨引发山洪", ("杉林村",))
    meeting = Event("2024-07-12", "人居环境", "表彰大会", "第二季度表彰大会")
    before = store.revision()
    assert store.add_events([flood, meeting, flood], "张三", events.PAGE_SOURCE) == 2
    assert store.revision() == before + 1
    assert store.add_events([flood], "李四", events.PAGE_SOURCE) == 0
    assert store.revision() == before + 1  # nothing new: no new revision
    kept = store.events()
    assert list(kept["title"]) == ["强降雨引发山洪", "第二季度表彰大会"]
    assert list(kept["villages"]) == ["杉林村", ""] and set(kept["created_by"]) == {"张三"}
    assert list(store.events(area="人居环境")["kind"]) == ["表彰大会"]
    assert store.events("2024-08", "2024-12").empty
    assert events.from_frame(kept) == [flood, meeting]
    store.delete_event(int(kept["id"].iloc[0]))
    assert list(store.events()["title"]) == ["第二季度表彰大会"]
    with pytest.raises(StoreError, match="不存在"):
        store.delete_event(999)


def _template_with_events(catalogue: Catalogue, rows: list[list[object]]) -> bytes:
    book = load_workbook(io.BytesIO(write_template(catalogue, "2024-07")))
    book["安全生产"]["D4"] = 5  # 酉庄村's 检查生产经营单位
    for row in rows:
        book[events.SHEET].append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_the_template_carries_a_sheet_the_reader_and_the_import_take(
    store: Store, catalogue: Catalogue
) -> None:
    data = _template_with_events(
        catalogue,
        [
            ["2024-07-05", "党管武装", "杉林村", "防汛抢险", "强降雨引发山洪"],
            [dt.datetime(2024, 7, 12), "人居环境", None, "表彰大会", "第二季度表彰大会"],
        ],
    )
    parsed = read_workbook(data, "七月.xlsx", catalogue)
    assert [e.date for e in parsed.events] == ["2024-07-05", "2024-07-12"]
    result = store.import_workbook(parsed, "张三")
    assert result.events_added == 2 and result.message.endswith("新增大事记 2 条")
    assert list(store.events()["source"]) == ["七月.xlsx", "七月.xlsx"]
    # the same values with one more event: the values are unchanged, the event is new
    more = _template_with_events(
        catalogue,
        [
            ["2024-07-05", "党管武装", "杉林村", "防汛抢险", "强降雨引发山洪"],
            ["2024-07-20", "安全生产", "", "上级检查", "县应急局检查"],
        ],
    )
    again = store.import_workbook(read_workbook(more, "七月补充.xlsx", catalogue), "张三")
    assert again.changed and again.events_added == 1
    assert "数据与当前数据相同；新增大事记 1 条" in again.message
    assert len(store.history()) == 1 and len(store.events()) == 3


def test_a_bad_event_row_is_located_and_nothing_is_stored(
    store: Store, catalogue: Catalogue
) -> None:
    data = _template_with_events(catalogue, [["7月5日", "党管武装", "", "防汛抢险", "山洪"]])
    with pytest.raises(WorkbookError) as caught:
        read_workbook(data, "七月.xlsx", catalogue)
    problem = str(caught.value.problems[0])
    # header on row 3 of the sheet: the first event is row 4
    assert "七月.xlsx" in problem and "大事记" in problem and "第 4 行" in problem
    assert "无法识别的日期“7月5日”" in problem
    assert store.events().empty and store.is_empty()


def test_an_events_only_workbook_goes_to_the_events_page(catalogue: Catalogue) -> None:
    rows = [["日期", "领域", "类别", "事件"], ["2024-06-16", "党管武装", "防汛抢险", "洪灾"]]
    data = build_workbook({"大事记": rows})
    with pytest.raises(WorkbookError, match="只有“大事记”"):
        read_workbook(data, "大事记.xlsx", catalogue)
    assert read_events(data, "大事记.xlsx", catalogue) == [
        Event("2024-06-16", "党管武装", "防汛抢险", "洪灾")
    ]
    with pytest.raises(WorkbookError, match="没有“大事记”工作表"):
        read_events(build_workbook({"安全生产": [["村（社区）"]]}), "x.xlsx", catalogue)


def test_words_for_a_report() -> None:
    floods = [
        Event("2024-06-16", "党管武装", "防汛抢险", "洪灾"),
        Event("2024-06-29", "党管武装", "防汛抢险", "洪灾"),
        Event("2023-12-02", "党管武装", "防汛抢险", "洪灾"),
    ]
    assert events.count_words(2) == "两次" and events.count_words(11) == "11次"
    assert events.month_words(floods[:2], "2024") == "6月"
    assert events.month_words(floods, "2024") == "2023年12月、6月"
    assert events.during(floods, "2024-01", "2024-06") == floods[:2]
