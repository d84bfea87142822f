"""The county view: townships side by side and the townships' 打擂 standing, figures worked out
by hand from the data stored here, through the domain and through the page."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import build_workbook
from tests.readback import read_back_csv, read_back_xlsx
from tests.test_ranking import contest_workbook
from township_data import config, county, county_rules, downloads, months
from township_data.catalogue import load_catalogues
from township_data.errors import CatalogueError
from township_data.store import Store
from township_data.workbook import read_workbook

PAGE = "pages/15_xianji.py"
Q1 = months.Period("2024-01", "2024-03")
SAFETY = [
    "村（社区）",
    "月份",
    "检查生产经营单位",
    "排查安全隐患",
    "已整改安全隐患",
    "专项隐患排查整治",
]
# 总分 80, 90, 70, 85, 95, 60 split over the five items (maxima 20, 25, 20, 20, 15).
SCORE = {
    80: [16, 20, 16, 16, 12],
    90: [18, 22, 18, 18, 14],
    70: [14, 18, 14, 14, 10],
    85: [17, 21, 17, 17, 13],
    95: [19, 24, 19, 19, 14],
    60: [12, 15, 12, 12, 9],
}


def store_county(url: str) -> None:
    """潭湾镇: 安全生产 in January and March, 乡村振兴 in March, 打擂 in January and February.
    石桥镇: 安全生产 in February, 打擂 in March; no 乡村振兴 at all."""
    catalogues = load_catalogues()
    tanwan = Store(url, "tanwan", "潭湾镇")
    books = {
        "安全.xlsx": {
            "安全生产": [
                SAFETY,
                ["酉庄村", "2024-01", 10, 3, 2, None],
                ["蛇形村", "2024-01", 12, None, None, None],
                ["全镇", "2024-01", None, None, None, 2],
                ["酉庄村", "2024-03", 5, 1, 1, None],
                ["全镇", "2024-03", None, None, None, 1],
            ]
        },
        "振兴.xlsx": {
            "乡村振兴": [
                ["村（社区）", "月份", "家庭医生签约率", "公益性岗位"],
                ["酉庄村", "2024-03", 90, 3],
                ["蛇形村", "2024-03", 80, 4],
            ]
        },
    }
    for name, sheets in books.items():
        parsed = read_workbook(build_workbook(sheets), name, catalogues["tanwan"])
        tanwan.import_workbook(parsed, "测试")
    contest = {
        "2024-01": {"酉庄村": SCORE[80], "蛇形村": SCORE[90]},
        "2024-02": {"酉庄村": SCORE[70]},
    }
    parsed = read_workbook(contest_workbook(contest), "打擂.xlsx", catalogues["tanwan"])
    tanwan.import_workbook(parsed, "测试")
    shiqiao = Store(url, "shiqiao", "石桥镇")
    safety = build_workbook(
        {"安全生产": [SAFETY[:3], ["柳溪村", "2024-02", 5], ["马鞍村", "2024-02", 7]]}
    )
    shiqiao.import_workbook(read_workbook(safety, "石桥.xlsx", catalogues["shiqiao"]), "测试")
    contest = {"2024-03": {"柳溪村": SCORE[85], "马鞍村": SCORE[95], "双河村": SCORE[60]}}
    parsed = read_workbook(contest_workbook(contest), "石桥打擂.xlsx", catalogues["shiqiao"])
    shiqiao.import_workbook(parsed, "测试")


def members(url: str) -> list[county.Member]:
    return [
        county.Member(c, Store(url, key, c.township_name)) for key, c in load_catalogues().items()
    ]


def figure(found: pd.DataFrame, township: str, indicator: str) -> float:
    row = found[(found["township"] == township) & (found["indicator"] == indicator)]
    return float(row["value"].iloc[0])


def test_townships_side_by_side_by_hand(database_url: str, county_catalogues: Path) -> None:
    store_county(database_url)
    found = county.figures(members(database_url), Q1)
    # 潭湾镇: 10 + 12 + 5 checks; hazards 3 + 1; fixed 2 + 1; the town's own 2 + 1.
    assert figure(found, "潭湾镇", "检查生产经营单位") == 27
    assert figure(found, "潭湾镇", "排查安全隐患") == 4
    assert figure(found, "潭湾镇", "已整改安全隐患") == 3
    assert figure(found, "潭湾镇", "专项隐患排查整治") == 3
    # A rate is averaged over the villages (90 and 80), a stock added (3 and 4), never summed
    # over months.
    assert figure(found, "潭湾镇", "家庭医生签约率") == 85
    assert figure(found, "潭湾镇", "公益性岗位") == 7
    assert figure(found, "石桥镇", "检查生产经营单位") == 12  # 5 + 7
    for missing in ("排查安全隐患", "专项隐患排查整治", "家庭医生签约率", "中心组理论学习"):
        assert math.isnan(figure(found, "石桥镇", missing))  # 未报, not 0

    table = county.area_table(found, "安全生产")
    assert table["乡镇（街道）"].tolist() == ["潭湾镇", "石桥镇"]
    assert table["村（社区）数"].tolist() == [16, 6]
    assert table["检查生产经营单位（家次）"].tolist() == ["27", "12"]
    assert table["排查安全隐患（处）"].tolist() == ["4", "未报"]


def test_the_township_standing_by_hand(database_url: str, county_catalogues: Path) -> None:
    store_county(database_url)
    result = county.standing(members(database_url), Q1)
    # 潭湾镇: 酉庄村 (80 + 70) / 2 = 75, 蛇形村 90 → (75 + 90) / 2 = 82.5.
    # 石桥镇: (85 + 95 + 60) / 3 = 80.
    table = result.table
    assert table["乡镇（街道）"].tolist() == ["潭湾镇", "石桥镇"]
    assert table["名次"].tolist() == [1, 2]
    assert table[result.score_column].tolist() == pytest.approx([82.5, 80.0])
    assert result.score_column == "村均打擂得分（分）"
    assert table["参评村（社区）"].tolist() == [2, 3]
    # In January only 潭湾镇 was scored: 石桥镇 is 未报 and not ranked (never 0, never last).
    january = county.standing(members(database_url), months.Period("2024-01", "2024-01"))
    assert january.ranked == ["潭湾镇"] and january.unranked == ["石桥镇"]
    assert january.table[january.score_column].tolist()[0] == 85  # (80 + 90) / 2
    shown = county.display_standing(january)
    assert shown.iloc[1][["名次", january.score_column]].tolist() == ["—", "未报"]


def test_the_countys_own_rules(database_url: str, county_catalogues: Path) -> None:
    store_county(database_url)
    (county_catalogues / config.COUNTY_RULES_FILE).write_text(
        """
[county]
name = "示范县"

[[items]]
name = "人居环境"
source = "打擂"
full = 60

[[items]]
name = "安全检查"
area = "安全生产"
indicator = "检查生产经营单位"
per_village = true
target = 2
full = 40
""",
        encoding="utf-8",
    )
    catalogues = load_catalogues()
    assert list(catalogues) == ["tanwan", "shiqiao"]  # the rules file is no township
    rules = county_rules.load_rules(county_catalogues, catalogues)
    result = county.standing(members(database_url), Q1, rules)
    # 潭湾镇: 82.5 / 100 × 60 = 49.5; checks 27 / 16 villages = 1.6875 of 2 → 33.75; = 83.25.
    # 石桥镇: 80 / 100 × 60 = 48; checks 12 / 6 = 2 reaches the target → 40; = 88.
    assert result.table["乡镇（街道）"].tolist() == ["石桥镇", "潭湾镇"]
    assert result.table["得分（分）"].tolist() == pytest.approx([88.0, 83.25])
    assert result.table["人居环境（60分）"].tolist() == pytest.approx([48.0, 49.5])
    assert rules.name == "示范县" and "按县定评分规则" in result.rule

    (county_catalogues / config.COUNTY_RULES_FILE).write_text(
        '[[items]]\nname = "安全"\narea = "安全生产"\nindicator = "检查单位"\nfull = 0\n',
        encoding="utf-8",
    )
    with pytest.raises(CatalogueError) as caught:
        county_rules.load_rules(county_catalogues, catalogues)
    text = str(caught.value)
    assert "第 1 个 [[items]]：full（本项分值）应为大于 0 的数" in text
    assert "都没有“安全生产”的指标“检查单位”" in text and "target" in text


# ------------------------------------------------------------------ the page


def test_the_county_page_with_two_townships(
    app_test, database_url: str, county_catalogues: Path
) -> None:
    store_county(database_url)
    at = app_test("app.py").run()
    links = {p.proto.label: p.proto.page for p in at.get("page_link")}
    assert "全县各乡镇对比" in links
    at.switch_page(PAGE).run()
    assert not at.exception
    at.segmented_control(key="period_kind").set_value("quarter").run()
    at.selectbox(key="period_quarter").set_value("2024Q1").run()
    assert not at.exception and not at.error
    tables = [d.value for d in at.dataframe]
    safety = next(t for t in tables if "检查生产经营单位（家次）" in t.columns)
    assert safety.set_index("乡镇（街道）")["检查生产经营单位（家次）"].to_dict() == {
        "潭湾镇": "27",
        "石桥镇": "12",
    }
    rural = next(t for t in tables if "家庭医生签约率（%）" in t.columns)
    assert rural.set_index("乡镇（街道）")["家庭医生签约率（%）"].to_dict() == {
        "潭湾镇": "85",
        "石桥镇": "未报",
    }
    standing = next(t for t in tables if "名次" in t.columns)
    assert standing[["名次", "乡镇（街道）", "村均打擂得分（分）"]].values.tolist() == [
        ["1", "潭湾镇", "82.50"],
        ["2", "石桥镇", "80.00"],
    ]
    chart = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert "打擂得分" in chart["layout"]["title"]["text"]
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["下载 Excel（.xlsx）", "下载 CSV（.csv）"] * 2


def test_the_downloads_read_back(database_url: str, county_catalogues: Path) -> None:
    """What the page's buttons write (views/county.py hands these tables to downloads)."""
    store_county(database_url)
    found = county.figures(members(database_url), Q1)
    table = county.download_table(found)
    xlsx = read_back_xlsx(downloads.to_xlsx(table, "标题"), rows=2)
    csv = read_back_csv(downloads.to_csv(table))
    for back in (xlsx, csv):
        assert back["乡镇（街道）"].tolist() == ["潭湾镇", "石桥镇"]
        assert back["安全生产·检查生产经营单位（家次）"].tolist() == [27, 12]
        rural = back["乡村振兴·家庭医生签约率（%）"]
        assert rural.iloc[0] == 85 and pd.isna(rural.iloc[1])  # 未报 reads back as missing
    result = county.standing(members(database_url), Q1)
    back = read_back_xlsx(downloads.to_xlsx(result.table, "标题"), rows=2)
    assert back[["名次", "乡镇（街道）"]].values.tolist() == [[1, "潭湾镇"], [2, "石桥镇"]]
    assert back["村均打擂得分（分）"].tolist() == pytest.approx([82.5, 80.0])


def test_a_single_township_has_no_county_page(app_test, store, catalogue) -> None:
    at = app_test("app.py").run()
    links = {p.proto.label for p in at.get("page_link")}
    assert "全县各乡镇对比" not in links
    at.switch_page(PAGE).run()
    assert not at.exception
    assert any("指标目录文件夹中有多个乡镇时才有内容" in i.value for i in at.info)


def test_each_figure_is_the_one_the_townships_area_page_shows(
    data_dir: Path, county_catalogues: Path
) -> None:
    """All areas in one pass per township give exactly metrics.period_figures, area by area."""
    from township_data import metrics
    from township_data.sample import load_into

    url = config.database_url(data_dir)
    found_members = members(url)
    tanwan = found_members[0]
    load_into(tanwan.store, tanwan.catalogue)
    for period in (months.Period("2024-12", "2024-12"), months.Period("2024-01", "2024-06")):
        found = county.figures(found_members, period)
        checked = 0
        for area in tanwan.catalogue.areas:
            values = tanwan.store.current(areas=[area.name], months=period.months)
            page = metrics.period_figures(values, tanwan.catalogue, area.name, period)
            for ind in area.key_indicators:
                expected = page.at[ind.name, "value"]
                got = figure(found, "潭湾镇", ind.name)
                assert got == pytest.approx(expected, nan_ok=True), (area.name, ind.name)
                checked += 1
        assert checked == 30
