"""报送进度: statuses, import times in Beijing time, the deadline, late villages, the 催报 text."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from township_data import config, pagedata, progress
from township_data.catalogue import TOWN, Catalogue, parse_catalogue
from township_data.store.tables import versions as versions_table
from township_data.workbook import read_workbook

VILLAGES = ["酉庄村", "蛇形村", "杉林村", "杨龙村", "石牌村"]
MONTH = "2024-03"  # due by 2024-04-05 (deadline_day = 5)


def five_villages(deadline_day: int = 5) -> Catalogue:
    """The shipped catalogue with five villages (so the 催报 text fits in a test)."""
    text = config.DEFAULT_CATALOGUE.read_text(encoding="utf-8")
    text = text.replace("deadline_day = 5", f"deadline_day = {deadline_day}", 1)
    head = text[: text.index("[[villages]]")]
    body = head + "".join(f'[[villages]]\nname = "{v}"\n\n' for v in VILLAGES)
    return parse_catalogue(body.encode("utf-8"), Path("five.toml"))


def utc(text: str) -> dt.datetime:
    """A stored (naive UTC) time."""
    return dt.datetime.strptime(text, "%Y-%m-%d %H:%M")


# Version id → (file, import time in UTC). Beijing is UTC+8.
VERSIONS = {
    1: ("酉庄村.xlsx", utc("2024-04-02 02:00")),  # Beijing 4-02 10:00, on time
    2: ("蛇形村.xlsx", utc("2024-04-07 01:30")),  # Beijing 4-07 09:30, 2 days late
    3: ("杉林村.xlsx", utc("2024-04-05 15:00")),  # Beijing 4-05 23:00, the last day: on time
    4: ("杨龙村.xlsx", utc("2024-04-05 16:30")),  # Beijing 4-06 00:30: 1 day late (UTC: 4-05)
}


def area_values(catalogue: Catalogue, village: str, area: str, version: int) -> list[tuple]:
    """Every indicator the village fills in an area, valued 1, from one version."""
    file = VERSIONS[version][0]
    return [
        (area, ind.name, village, MONTH, 1.0, version, file)
        for ind in catalogue.area(area).indicators
        if ind.village_rows
    ]


def scenario(catalogue: Catalogue) -> tuple[pd.DataFrame, pd.DataFrame]:
    """酉庄村 sent everything; 蛇形村 only 安全生产 (late); 杉林村 part of 安全生产 on the last
    day; 杨龙村 everything but 社会事务, just after midnight Beijing time; 石牌村 nothing."""
    rows: list[tuple] = []
    for area in catalogue.area_names:
        rows += area_values(catalogue, "酉庄村", area, 1)
        if area != "社会事务":
            rows += area_values(catalogue, "杨龙村", area, 4)
    rows += area_values(catalogue, "蛇形村", "安全生产", 2)
    rows.append(("安全生产", "检查生产经营单位", "杉林村", MONTH, 3.0, 3, "杉林村.xlsx"))
    values = pd.DataFrame(
        rows,
        columns=["area", "indicator", "village", "month", "value", "version_id", "file_name"],
    )
    versions = pd.DataFrame(
        [(i, file, at) for i, (file, at) in VERSIONS.items()],
        columns=["id", "file_name", "created_at"],
    )
    return values, versions


@pytest.fixture(scope="module")
def five() -> Catalogue:
    return five_villages()


def build(catalogue: Catalogue, today: str) -> progress.Progress:
    values, versions = scenario(catalogue)
    return progress.build(values, versions, catalogue, MONTH, dt.date.fromisoformat(today))


def test_the_deadline_is_the_catalogue_day_of_the_next_month() -> None:
    assert progress.deadline("2024-03", 5) == dt.date(2024, 4, 5)
    assert progress.deadline("2024-12", 10) == dt.date(2025, 1, 10)
    assert progress.date_label(dt.date(2025, 1, 10)) == "2025年1月10日"


def test_statuses_times_files_and_days_late(five: Catalogue) -> None:
    found = build(five, "2024-04-08")
    assert (found.deadline, found.past_deadline, found.days_overdue) == (
        dt.date(2024, 4, 5),
        True,
        3,
    )
    table = found.detail_table().set_index(["村（社区）", "工作领域"])
    safety = table.xs("安全生产", level="工作领域")
    assert safety["报送情况"].to_dict() == {
        "酉庄村": "已报",
        "蛇形村": "已报",
        "杉林村": "部分",
        "杨龙村": "已报",
        "石牌村": "未报",
        TOWN: "未报",
    }
    assert safety["报送时间（北京时间）"].to_dict() == {
        "酉庄村": "2024-04-02 10:00",
        "蛇形村": "2024-04-07 09:30",
        "杉林村": "2024-04-05 23:00",
        "杨龙村": "2024-04-06 00:30",
        "石牌村": "",
        TOWN: "",
    }
    assert safety["来源文件"].to_dict() == {
        "酉庄村": "酉庄村.xlsx",
        "蛇形村": "蛇形村.xlsx",
        "杉林村": "杉林村.xlsx",
        "杨龙村": "杨龙村.xlsx",
        "石牌村": "",
        TOWN: "",
    }
    assert safety["逾期情况"].to_dict() == {
        "酉庄村": "按时",
        "蛇形村": "逾期 2 天",
        "杉林村": "按时",
        "杨龙村": "逾期 1 天",
        "石牌村": "逾期未报",
        TOWN: "逾期未报",
    }
    # The 打擂 scores are the township's to give: shown, never late; 乡村振兴 has no 全镇 row.
    assert table.loc[("石牌村", "人居环境打擂"), ["报送情况", "逾期情况"]].tolist() == ["未报", ""]
    assert (TOWN, "乡村振兴") not in table.index
    marked = found.marked()
    assert marked.loc["蛇形村", "安全生产"] == "已报·逾期"
    assert marked.loc["石牌村", "党建引领"] == "逾期未报"
    assert marked.loc["杉林村", "安全生产"] == "部分"
    assert marked.loc["石牌村", "人居环境打擂"] == "未报"
    assert marked.loc[TOWN, "乡村振兴"] == "—"
    assert found.late_villages() == ["蛇形村", "杉林村", "杨龙村", "石牌村"]


def test_the_chase_text_after_the_deadline_word_for_word(five: Catalogue) -> None:
    others = "党建引领、乡村振兴、信访维稳、党管武装、人居环境、社会事务"  # 疫情防控 ended
    assert build(five, "2024-04-08").chase_text(five) == "\n".join(
        [
            "各村（社区）：",
            "2024年3月工作数据应于2024年4月5日前报送，现已逾期3天。"
            "截至2024年4月8日，以下村（社区）还未报送或未报全：",
            "石牌村：各领域均未报送",
            f"蛇形村：{others}未报送",
            f"杉林村：{others}未报送；安全生产有指标未填",
            "杨龙村：社会事务未报送",
            "请以上村（社区）今天内将月报发回党政办。谢谢！",
            "潭湾镇党政办",
        ]
    )


def test_before_and_on_the_deadline_nobody_is_late(five: Catalogue) -> None:
    early = build(five, "2024-04-03")
    assert early.late_villages() == [] and early.days_left == 2
    lines = early.chase_text(five).splitlines()
    assert lines[1] == (
        "2024年3月工作数据请于2024年4月5日前报送（还有2天）。"
        "截至2024年4月3日，以下村（社区）还未报送或未报全："
    )
    assert lines[-2] == "请抓紧填报，按时将月报发回党政办。谢谢！"
    table = early.detail_table().set_index(["村（社区）", "工作领域"])
    assert table.loc[("石牌村", "安全生产"), "逾期情况"] == "未到截止日"
    # A file that came in after the deadline is late whatever day it is now.
    assert table.loc[("蛇形村", "安全生产"), "逾期情况"] == "逾期 2 天"
    last_day = build(five, "2024-04-05")
    assert "（今天截止）" in last_day.chase_text(five)
    assert last_day.late_villages() == []


def test_nothing_to_chase_when_everyone_sent_everything(five: Catalogue) -> None:
    rows = [
        row
        for village in VILLAGES
        for area in five.area_names
        for row in area_values(five, village, area, 1)
    ]
    values = pd.DataFrame(
        rows,
        columns=["area", "indicator", "village", "month", "value", "version_id", "file_name"],
    )
    _, versions = scenario(five)
    found = progress.build(values, versions, five, MONTH, dt.date(2024, 4, 20))
    assert found.chase_text(five) == "" and found.late_villages() == []


def test_the_office_and_the_deadline_come_from_the_catalogue() -> None:
    catalogue = five_villages(deadline_day=10)
    values, versions = scenario(catalogue)
    found = progress.build(values, versions, catalogue, MONTH, dt.date(2024, 4, 8))
    assert found.deadline == dt.date(2024, 4, 10) and not found.past_deadline
    table = found.detail_table().set_index(["村（社区）", "工作领域"])
    assert table.loc[("蛇形村", "安全生产"), "逾期情况"] == "按时"


# ------------------------------------------------------------------ from a real store

HEADER = ["村（社区）", "月份", "检查生产经营单位（家次）", "排查安全隐患（处）"]


def test_the_store_gives_each_village_its_own_file_and_import_time(
    store, make_workbook, catalogue
) -> None:
    """Two village files merged into one month: each village's row keeps its own file and
    import time (the version its values came from), in Beijing time."""
    first = make_workbook({"安全生产": [HEADER, ["酉庄村", MONTH, 5, 1]]})
    second = make_workbook({"安全生产": [HEADER, ["蛇形村", MONTH, 7, 2]]})
    one = store.import_workbook(read_workbook(first, "酉庄村三月.xlsx", catalogue), "甲")
    two = store.import_workbook(read_workbook(second, "蛇形村三月.xlsx", catalogue), "乙")
    with store.engine.begin() as conn:
        for version, at in (
            (one.version_id, "2024-04-03 01:00"),
            (two.version_id, "2024-04-06 03:00"),
        ):
            conn.execute(
                sa.update(versions_table)
                .where(versions_table.c.id == version)
                .values(created_at=utc(at))
            )
    found = pagedata.month_progress(store, catalogue, MONTH, dt.date(2024, 4, 8))
    table = found.detail_table().set_index(["村（社区）", "工作领域"])
    rows = table.xs("安全生产", level="工作领域").loc[["酉庄村", "蛇形村", "杉林村"]]
    assert rows.values.tolist() == [
        ["部分", "2024-04-03 09:00", "酉庄村三月.xlsx", "按时"],
        ["部分", "2024-04-06 11:00", "蛇形村三月.xlsx", "逾期 1 天"],
        ["未报", "", "", "逾期未报"],
    ]
