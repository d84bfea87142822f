"""AppTests of 报送进度: statuses with late marks, when and from which file, the 催报 text, the
month from the overview's link, and 数据管理 without the moved tab."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from township_data import metrics
from township_data.store.tables import versions as versions_table
from township_data.workbook import read_workbook
from views import progress as progress_view
from views import registry

PAGE = registry.PROGRESS.path
HEADER = ["村（社区）", "月份", "检查生产经营单位（家次）", "排查安全隐患（处）"]
TODAY = dt.date(2024, 4, 8)  # March is due by 2024-04-05: three days overdue


def set_time(store, version_id: int, utc: str) -> None:
    """Give a version a known import time (stored as naive UTC)."""
    with store.engine.begin() as conn:
        conn.execute(
            sa.update(versions_table)
            .where(versions_table.c.id == version_id)
            .values(created_at=dt.datetime.fromisoformat(utc))
        )


@pytest.fixture
def reported(store, make_workbook, catalogue, monkeypatch):
    """March: 酉庄村's file on 4-02 (on time), 蛇形村's on 4-07 (late), nobody else; today is
    2024-04-08 for the page."""
    monkeypatch.setattr(progress_view, "today", lambda: TODAY)
    files = {
        "酉庄村三月.xlsx": (["酉庄村", "2024-03", 10, 3], "2024-04-02 02:00"),
        "蛇形村三月.xlsx": (["蛇形村", "2024-03", 12, 4], "2024-04-07 01:30"),
    }
    for name, (row, utc) in files.items():
        parsed = read_workbook(make_workbook({"安全生产": [HEADER, row]}), name, catalogue)
        set_time(store, store.import_workbook(parsed, "甲").version_id, utc)
    return store


def open_page(app_test, month: str | None = None):
    at = app_test("app.py").run()
    if month:
        at.query_params["month"] = month
    at.switch_page(PAGE).run()
    assert not at.exception
    return at


def table_with(at, *columns: str):
    return next(d.value for d in at.dataframe if set(columns) <= set(d.value.columns))


def test_the_month_shows_who_sent_what_when_and_who_is_late(app_test, reported, catalogue) -> None:
    at = open_page(app_test)
    assert at.selectbox(key="progress_month").value == "2024-03"  # last month by default
    assert any(
        "报送截止：2024年4月5日" in md.value and "已过截止日 3 天" in md.value for md in at.markdown
    )
    shown = {m.label: m.value for m in at.metric}
    assert shown["部分填报"] == "2 项"  # two of 安全生产's ten village indicators each
    assert shown["逾期未报的村（社区）"] == f"{len(catalogue.village_names)} 个"

    matrix = table_with(at, "安全生产", "人居环境打擂")
    assert matrix.loc["酉庄村", "安全生产"] == metrics.PARTIAL
    assert matrix.loc["蛇形村", "安全生产"] == "部分·逾期"
    assert matrix.loc["杉林村", "安全生产"] == "逾期未报"
    assert matrix.loc["杉林村", "人居环境打擂"] == metrics.NOT_REPORTED  # scored, not chased
    assert matrix.loc["全镇", "乡村振兴"] == metrics.NOT_APPLICABLE

    details = table_with(at, "来源文件", "逾期情况").set_index(["村（社区）", "工作领域"])
    assert details.loc[("酉庄村", "安全生产")].tolist() == [
        "部分",
        "2024-04-02 10:00",
        "酉庄村三月.xlsx",
        "按时",
    ]
    assert details.loc[("蛇形村", "安全生产")].tolist() == [
        "部分",
        "2024-04-07 09:30",
        "蛇形村三月.xlsx",
        "逾期 2 天",
    ]

    others = "党建引领、乡村振兴、信访维稳、党管武装、人居环境、社会事务"  # 疫情防控 ended
    silent = "、".join(catalogue.village_names[2:])
    assert [c.value for c in at.get("code")] == [
        "\n".join(
            [
                "各村（社区）：",
                "2024年3月工作数据应于2024年4月5日前报送，现已逾期3天。"
                "截至2024年4月8日，以下村（社区）还未报送或未报全：",
                f"{silent}：各领域均未报送",
                f"酉庄村：{others}未报送；安全生产有指标未填",
                f"蛇形村：{others}未报送；安全生产有指标未填",
                "请以上村（社区）今天内将月报发回党政办。谢谢！",
                "潭湾镇党政办",
            ]
        )
    ]
    assert at.get("download_button")


def test_the_overview_links_here_with_its_month(app_test, reported) -> None:
    at = app_test("app.py").run()
    links = [p.proto for p in at.get("page_link") if p.proto.label == "查看报送进度和催报"]
    assert len(links) == 1 and links[0].query_string == "month=2024-03"
    at = open_page(app_test, month="2024-02")
    assert at.selectbox(key="progress_month").value == "2024-02"
    assert next(c.value for c in at.get("code")).startswith(
        "各村（社区）：\n2024年2月工作数据应于2024年3月5日前报送，现已逾期34天。"
    )


def test_an_unknown_month_in_the_link_falls_back_to_last_month(app_test, reported) -> None:
    at = open_page(app_test, month="2024-3x")
    assert at.selectbox(key="progress_month").value == "2024-03"


def test_manage_keeps_the_history_and_the_versions_only(app_test, reported) -> None:
    at = app_test("app.py").run()
    at.switch_page(registry.MANAGE.path).run()
    assert not at.exception
    assert [t.label for t in at.tabs] == ["导入记录", "版本内容与恢复"]
    assert not [s for s in at.selectbox if s.key == "manage_status_month"]
