"""Page data as pure functions (no Streamlit): an area's plans and 大事记, the overview's areas."""

from __future__ import annotations

from township_data import months, pagedata
from township_data.catalogue import Catalogue
from township_data.events import Event
from township_data.store import Store
from township_data.workbook import read_workbook

from .conftest import build_workbook

PARTY = ["村（社区）", "月份", "计划发展党员", "已发展党员", "中心组理论学习"]


def _store(store: Store, catalogue: Catalogue) -> None:
    rows = [
        PARTY,
        # plan: 酉庄村 1 + 全镇 3 = 4 for 2024; developed: 1 (Jan) + 2 (Mar, 全镇) = 3
        ["酉庄村", "2024-01", 1, 1, None],
        ["全镇", "2024-01", 3, 0, 1],
        ["全镇", "2024-02", 3, 0, 1],
        ["全镇", "2024-03", 3, 2, 2],
    ]
    store.import_workbook(
        read_workbook(build_workbook({"党建引领": rows}), "q1.xlsx", catalogue), "t"
    )
    store.add_events(
        [
            Event("2024-02-20", "党建引领", "上级检查", "县委组织部检查党建工作", ("酉庄村",)),
            Event("2024-03-01", "党建引领", "其他", "主题党日现场会"),
            Event("2024-03-02", "安全生产", "专项整治", "消防专项整治"),
            Event("2023-01-05", "党建引领", "其他", "去年的事"),
        ],
        "t",
        "页",
    )


def test_area_data_has_its_plans_and_its_events(store: Store, catalogue: Catalogue) -> None:
    _store(store, catalogue)
    march = months.Period("2024-03", "2024-03")
    window = months.month_range("2024-01", "2024-03")
    data = pagedata.area_data(store, catalogue, "党建引领", march, [], window)
    (plan,) = data.progress
    # read from January although the period is March: 3 of 4 = 75%, by schedule 4 × 3/12 = 1
    assert (plan.plan_value, plan.actual_value, plan.share, plan.expected) == (4, 3, 75, 1)
    # the area's events of the trend window only (not 安全生产's, not last year's)
    assert [e.title for e in data.events] == ["县委组织部检查党建工作", "主题党日现场会"]
    assert data.event_marks[0] == (
        "2024-02",
        "上级检查",
        "2024年2月20日 上级检查（酉庄村）：县委组织部检查党建工作",
    )
    # with villages chosen: their events and the township's, not another village's
    only = pagedata.area_data(store, catalogue, "党建引领", march, ["蛇形村"], window)
    assert [e.title for e in only.events] == ["主题党日现场会"]


def test_overview_leaves_out_ended_areas_and_lists_the_months_events(
    store: Store, catalogue: Catalogue
) -> None:
    _store(store, catalogue)
    data = pagedata.overview_data(store, catalogue, months.month_range("2024-01", "2024-03"))
    assert "疫情防控" not in data.year_so_far and "党建引领" in data.year_so_far
    assert [e.title for e in data.events] == ["主题党日现场会", "消防专项整治"]
    assert "疫情防控" not in set(data.unreported["area"])
