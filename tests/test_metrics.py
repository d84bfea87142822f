"""Combining months and villages as the catalogue says, checked against hand-computed values."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from township_data import metrics
from township_data.catalogue import TOWN
from township_data.months import Period
from township_data.workbook import to_frame


def tidy(rows: list[tuple[str, str, str, str, float]]) -> pd.DataFrame:
    """(area, indicator, village, month, value) rows as the store's tidy table."""
    return to_frame((*row, "t.xlsx", row[0], "A1") for row in rows)[
        ["area", "indicator", "village", "month", "value"]
    ]


VALUES = tidy(
    [
        # sum, village level: 酉庄 3+4, 蛇形 5 (February 未报)
        ("安全生产", "检查生产经营单位", "酉庄村", "2024-01", 3),
        ("安全生产", "检查生产经营单位", "酉庄村", "2024-02", 4),
        ("安全生产", "检查生产经营单位", "蛇形村", "2024-01", 5),
        # sum, both levels: villages 2+1, 全镇 row 6 → town 9
        ("安全生产", "安全知识培训讲座和现场演练", "酉庄村", "2024-01", 2),
        ("安全生产", "安全知识培训讲座和现场演练", "蛇形村", "2024-02", 1),
        ("安全生产", "安全知识培训讲座和现场演练", "全镇", "2024-02", 6),
        # sum, town level
        ("安全生产", "专项隐患排查整治", "全镇", "2024-01", 7),
        ("安全生产", "专项隐患排查整治", "全镇", "2024-02", 8),
        # last, rate, village level: latest per village, town = mean of villages
        ("乡村振兴", "家庭医生签约率", "酉庄村", "2024-01", 90),
        ("乡村振兴", "家庭医生签约率", "酉庄村", "2024-02", 92),
        ("乡村振兴", "家庭医生签约率", "蛇形村", "2024-01", 80),
        # last, rate, both levels: the 全镇 row wins over the villages' mean
        ("党管武装", "基干民兵在位率", "酉庄村", "2024-02", 90),
        ("党管武装", "基干民兵在位率", "全镇", "2024-02", 98.5),
        # last, stock: latest per village, added across villages
        ("乡村振兴", "公益性岗位", "酉庄村", "2024-01", 5),
        ("乡村振兴", "公益性岗位", "酉庄村", "2024-02", 6),
        ("乡村振兴", "公益性岗位", "蛇形村", "2024-01", 3),
        # target: a yearly plan repeated monthly is not added within a year, but across years
        ("党建引领", "计划发展党员", "全镇", "2023-12", 3),
        ("党建引领", "计划发展党员", "全镇", "2024-01", 4),
        ("党建引领", "计划发展党员", "全镇", "2024-02", 4),
    ]
)


def combined_map(first: str, last: str) -> dict[tuple[str, str], float]:
    cut = metrics.in_period(VALUES, first, last)
    frame = metrics.combine_months(cut, _catalogue())
    return {(r.indicator, r.village): r.value for r in frame.itertuples()}


def _catalogue():
    from township_data.catalogue import load_catalogue

    return load_catalogue()


def test_combine_months_by_rule() -> None:
    got = combined_map("2024-01", "2024-02")
    assert got[("检查生产经营单位", "酉庄村")] == 7
    assert got[("检查生产经营单位", "蛇形村")] == 5
    assert got[("家庭医生签约率", "酉庄村")] == 92
    assert got[("家庭医生签约率", "蛇形村")] == 80
    assert got[("公益性岗位", "酉庄村")] == 6
    assert got[("计划发展党员", "全镇")] == 4
    assert combined_map("2023-12", "2024-02")[("计划发展党员", "全镇")] == 7


def test_months_reported_and_last_month(catalogue) -> None:
    frame = metrics.combine_months(metrics.in_period(VALUES, "2024-01", "2024-02"), catalogue)
    row = frame[(frame.indicator == "检查生产经营单位") & (frame.village == "蛇形村")].iloc[0]
    assert (row.months_reported, row.last_month) == (1, "2024-01")


def test_town_figures(catalogue) -> None:
    combined = metrics.combine_months(metrics.in_period(VALUES, "2024-01", "2024-02"), catalogue)
    town = metrics.town_figures(combined, catalogue).set_index("indicator")
    assert town.loc["检查生产经营单位", "value"] == 12
    assert town.loc["检查生产经营单位", "villages_reported"] == 2
    assert town.loc["安全知识培训讲座和现场演练", "value"] == 9
    assert town.loc["专项隐患排查整治", "value"] == 15
    assert town.loc["家庭医生签约率", "value"] == 86  # (92 + 80) / 2, never 172
    assert town.loc["基干民兵在位率", "value"] == 98.5
    assert town.loc["公益性岗位", "value"] == 9


def test_period_table_shape_and_missing(catalogue) -> None:
    table = metrics.period_table(VALUES, catalogue, "安全生产", "2024-01", "2024-02").set_index(
        "村（社区）"
    )
    assert list(table.index) == [*catalogue.village_names, "镇本级", "全镇"]
    assert table.loc["酉庄村", "检查生产经营单位（家次）"] == 7
    assert table.loc["全镇", "检查生产经营单位（家次）"] == 12
    assert table.loc["镇本级", "安全知识培训讲座和现场演练（次）"] == 6
    assert table.loc["全镇", "安全知识培训讲座和现场演练（次）"] == 9
    assert math.isnan(table.loc["杉林村", "检查生产经营单位（家次）"])  # 未报 stays missing
    assert math.isnan(table.loc["全镇", "查处非法营运（起）"])  # nobody reported: not 0


def test_period_table_single_month(catalogue) -> None:
    table = metrics.period_table(VALUES, catalogue, "安全生产", "2024-02", "2024-02").set_index(
        "村（社区）"
    )
    assert table.loc["酉庄村", "检查生产经营单位（家次）"] == 4
    assert math.isnan(table.loc["蛇形村", "检查生产经营单位（家次）"])
    assert table.loc["全镇", "检查生产经营单位（家次）"] == 4


def test_town_monthly_series(catalogue) -> None:
    series = metrics.town_monthly(VALUES, catalogue)
    checks = series[series.indicator == "检查生产经营单位"].set_index("month")["value"]
    assert checks.to_dict() == {"2024-01": 8, "2024-02": 4}


def test_status_matrix(catalogue) -> None:
    rows = [("安全生产", "检查生产经营单位", v, "2024-01", 1.0) for v in catalogue.village_names]
    rows.append(("党建引领", "主题党日活动", "酉庄村", "2024-01", 1.0))
    matrix = metrics.status_matrix(tidy(rows), catalogue, ["2024-01", "2024-02"])
    assert matrix.loc["安全生产", "2024-01"] == "已报"
    assert matrix.loc["党建引领", "2024-01"] == "部分"
    assert matrix.loc["安全生产", "2024-02"] == "未报"
    # 疫情防控 ended in January 2023: no row for months after it
    assert list(matrix.index) == [s for s in catalogue.sheet_names if s != "疫情防控"]
    around = metrics.status_matrix(tidy(rows), catalogue, ["2023-01", "2023-02"])
    assert list(around.loc["疫情防控"]) == ["未报", "—"]


def test_contributing_rows_follow_the_combine_rule(catalogue) -> None:
    rows = [
        # sum: every month counts
        ("安全生产", "检查车辆", "酉庄村", "2024-01", 3.0, "C2"),
        ("安全生产", "检查车辆", "酉庄村", "2024-02", 4.0, "C3"),
        # last: only each village's latest month
        ("乡村振兴", "家庭医生签约率", "酉庄村", "2024-01", 90.0, "D2"),
        ("乡村振兴", "家庭医生签约率", "酉庄村", "2024-03", 91.0, "D4"),
        ("乡村振兴", "家庭医生签约率", "蛇形村", "2024-02", 80.0, "D5"),
        # target: the latest month of each year
        ("党建引领", "计划发展党员", "全镇", "2023-11", 2.0, "E2"),
        ("党建引领", "计划发展党员", "全镇", "2023-12", 3.0, "E3"),
        ("党建引领", "计划发展党员", "全镇", "2024-01", 4.0, "E4"),
    ]
    values = pd.DataFrame(rows, columns=["area", "indicator", "village", "month", "value", "cell"])
    used = metrics.contributing(values, catalogue)
    assert sorted(used["cell"]) == ["C2", "C3", "D4", "D5", "E3", "E4"]
    combined = metrics.combine_months(values.drop(columns="cell"), catalogue)
    by_key = combined.set_index(["indicator", "village"])["value"]
    # the combined value is exactly the contributing rows combined
    assert by_key[("检查车辆", "酉庄村")] == used[used["indicator"] == "检查车辆"]["value"].sum()
    assert by_key[("家庭医生签约率", "酉庄村")] == 91.0
    assert by_key[("计划发展党员", "全镇")] == 3.0 + 4.0


def test_contributing_of_nothing_is_empty(catalogue) -> None:
    empty = pd.DataFrame(columns=["area", "indicator", "village", "month", "value"])
    assert metrics.contributing(empty, catalogue).empty


def test_village_status_matrix_for_a_month(catalogue) -> None:
    safety = [i.name for i in catalogue.area("安全生产").indicators if i.village_rows]
    town_safety = [i.name for i in catalogue.area("安全生产").indicators if i.town_row]
    rows = [("安全生产", "2024-03", "酉庄村", name, 1.0) for name in safety]  # all: 已报
    rows += [("安全生产", "2024-03", "蛇形村", safety[0], 0.0)]  # one of them (0 counts): 部分
    rows += [("安全生产", "2024-03", "全镇", name, 2.0) for name in town_safety]
    rows += [("安全生产", "2024-02", "杉林村", name, 1.0) for name in safety]  # other month
    rows += [("人居环境打擂", "2024-03", "酉庄村", "总分", 88.5)]
    values = pd.DataFrame(rows, columns=["area", "month", "village", "indicator", "value"])

    matrix = metrics.village_status(values, catalogue, "2024-03")
    assert list(matrix.columns) == catalogue.sheets_at("2024-03")
    assert list(matrix.index) == [*catalogue.village_names, "全镇"]
    assert matrix.loc["酉庄村", "安全生产"] == metrics.REPORTED
    assert matrix.loc["蛇形村", "安全生产"] == metrics.PARTIAL
    assert matrix.loc["杉林村", "安全生产"] == metrics.NOT_REPORTED
    assert matrix.loc["全镇", "安全生产"] == metrics.REPORTED
    assert matrix.loc["全镇", "乡村振兴"] == metrics.NOT_APPLICABLE  # recorded per village only
    assert matrix.loc["酉庄村", "人居环境打擂"] == metrics.REPORTED
    assert matrix.loc["全镇", "人居环境打擂"] == metrics.NOT_APPLICABLE

    villages, areas = len(catalogue.village_names), len(catalogue.sheets_at("2024-03"))
    not_applicable = int((matrix == metrics.NOT_APPLICABLE).sum().sum())
    assert metrics.status_counts(matrix) == {
        "已报": 3,  # 酉庄村 安全生产 and 打擂, 全镇 安全生产
        "部分": 1,
        "未报": villages * areas + areas - not_applicable - 4,
    }
    missing = dict(metrics.missing_by_village(matrix))
    assert "酉庄村" in missing and "安全生产" not in missing["酉庄村"]
    assert missing["杉林村"] == catalogue.sheets_at("2024-03")  # not 疫情防控: it had ended


# ------------------------------------------------------------------ area pages and overview (issue 3)

NAN = float("nan")
SAFETY = "安全生产"


@pytest.fixture
def values() -> pd.DataFrame:
    """Three months of a few 安全生产 and 乡村振兴 figures; 杉林村 misses March."""
    rows = []
    for month, (a, b, c, town) in {
        "2023-03": (7, 3, 2, 4),
        "2024-02": (2, 4, 6, 5),
        "2024-03": (5, 1, None, 3),
    }.items():
        for village, value in (("酉庄村", a), ("蛇形村", b), ("杉林村", c)):
            if value is not None:
                rows.append((SAFETY, "检查生产经营单位", village, month, value))
                rows.append((SAFETY, "安全知识培训讲座和现场演练", village, month, 1))
        rows.append((SAFETY, "专项隐患排查整治", TOWN, month, town))
        rows.append((SAFETY, "安全知识培训讲座和现场演练", TOWN, month, 2))
    for village, rates in {"酉庄村": (90, 92), "蛇形村": (80, 70), "杉林村": (60, None)}.items():
        for month, rate in zip(("2024-02", "2024-03"), rates, strict=True):
            if rate is not None:
                rows.append(("乡村振兴", "家庭医生签约率", village, month, rate))
    return tidy(rows)


def _row(table: pd.DataFrame, name: str) -> pd.Series:
    return table.set_index("indicator").loc[name]


def test_area_headline_month_previous_and_year_ago(values, catalogue) -> None:
    table = metrics.headline(values, catalogue, SAFETY, Period("2024-03", "2024-03"))
    checks = _row(table, "检查生产经营单位")
    # March: 5 + 1 (杉林村 未报, not 0); February: 2 + 4 + 6; March 2023: 7 + 3 + 2
    assert (checks["value"], checks["previous"], checks["year_ago"]) == (6, 12, 12)
    assert checks["villages_reported"] == 2
    town = _row(table, "专项隐患排查整治")
    assert (town["value"], town["previous"], town["year_ago"]) == (3, 5, 4)
    # recorded by villages and the township: 1 + 1 villages + 2 on the 全镇 row
    both = _row(table, "安全知识培训讲座和现场演练")
    assert (both["value"], both["previous"], both["year_ago"]) == (4, 5, 5)
    assert math.isnan(_row(table, "检查车辆")["value"])


def test_area_headline_rate_is_latest_mean_not_a_sum(values, catalogue) -> None:
    quarter = Period("2024-01", "2024-03")
    rate = _row(metrics.headline(values, catalogue, "乡村振兴", quarter), "家庭医生签约率")
    # each village's latest month in the quarter: 92, 70, 60 (杉林村's February) → mean 74
    assert rate["value"] == pytest.approx(74.0)
    assert math.isnan(rate["previous"]) and math.isnan(rate["year_ago"])
    month = _row(
        metrics.headline(values, catalogue, "乡村振兴", Period("2024-03", "2024-03")),
        "家庭医生签约率",
    )
    assert month["value"] == pytest.approx(81.0)  # (92 + 70) / 2
    assert month["previous"] == pytest.approx(230 / 3)  # (90 + 80 + 60) / 3


def test_area_headline_chosen_villages_leave_out_the_township(values, catalogue) -> None:
    table = metrics.headline(
        values, catalogue, SAFETY, Period("2024-02", "2024-03"), villages=["酉庄村", "杉林村"]
    )
    assert "专项隐患排查整治" not in set(table["indicator"])
    # 酉庄村 2 + 5, 杉林村 6 (March 未报) = 13; training 1 + 1 + 1 without the 全镇 row's 2 + 2
    assert _row(table, "检查生产经营单位")["value"] == 13
    assert _row(table, "安全知识培训讲座和现场演练")["value"] == 3


def test_area_coverage_counts_every_missing_figure(values, catalogue) -> None:
    months = ["2024-02", "2024-03"]
    cover = metrics.coverage(values, catalogue, SAFETY, months)
    # 安全生产: 10 indicators per village × 16 villages + 8 on the 全镇 row, for 2 months
    assert cover.expected == (16 * 10 + 8) * 2
    # reported: Feb 3 villages × 2 + 全镇 2; Mar 2 villages × 2 + 全镇 2
    assert cover.reported == 8 + 6
    assert cover.missing == 336 - 14
    # 酉庄村 filled 2 of its 10 indicators in both months: 16 missing; 杉林村 only in
    # February: 18; 镇本级 2 of its 8 twice: 12; a village that sent nothing: 20, listed first
    assert cover.by_village["酉庄村"] == 16
    assert cover.by_village["杉林村"] == 18
    assert cover.by_village[metrics.TOWN_LEVEL_ROW] == 12
    assert (cover.by_village.index[0], cover.by_village.iloc[0]) == ("杨龙村", 20)
    assert cover.empty_months == []
    chosen = metrics.coverage(values, catalogue, SAFETY, ["2024-03", "2024-04"], ["蛇形村"])
    assert (chosen.expected, chosen.reported, chosen.empty_months) == (20, 2, ["2024-04"])


def test_area_monthly_keeps_gaps(values, catalogue) -> None:
    window = ["2024-01", "2024-02", "2024-03"]
    wide = metrics.monthly(values, catalogue, SAFETY, window)
    assert list(wide.index) == window
    assert math.isnan(wide.loc["2024-01", "检查生产经营单位"])
    assert wide.loc["2024-02", "检查生产经营单位"] == 12
    assert wide.loc["2024-03", "检查生产经营单位"] == 6
    assert wide.loc["2024-03", "安全知识培训讲座和现场演练"] == 4
    chosen = metrics.monthly(values, catalogue, SAFETY, window, ["蛇形村"])
    assert "专项隐患排查整治" not in chosen.columns
    assert chosen.loc["2024-03", "检查生产经营单位"] == 1


def test_area_village_values_and_heatmap_grid(values, catalogue) -> None:
    series = metrics.village_values(
        values, catalogue, SAFETY, "检查生产经营单位", Period("2024-02", "2024-03")
    )
    assert len(series) == 16 and list(series.index[:3]) == ["酉庄村", "蛇形村", "杉林村"]
    assert (series["酉庄村"], series["蛇形村"], series["杉林村"]) == (7, 5, 6)
    assert math.isnan(series["东岸社区"])
    grid = metrics.village_month(
        values, catalogue, SAFETY, "检查生产经营单位", ["2024-02", "2024-03"], ["杉林村", "酉庄村"]
    )
    assert list(grid.index) == ["酉庄村", "杉林村"]
    assert grid.loc["杉林村", "2024-02"] == 6 and math.isnan(grid.loc["杉林村", "2024-03"])


def test_area_period_table_for_chosen_villages(values, catalogue) -> None:
    table = metrics.period_table(
        values, catalogue, SAFETY, "2024-02", "2024-03", villages=["蛇形村", "酉庄村"]
    )
    assert list(table["村（社区）"]) == ["酉庄村", "蛇形村", metrics.SELECTED_TOTAL_ROW]
    assert "专项隐患排查整治（次）" not in table.columns
    assert list(table["检查生产经营单位（家次）"]) == [7, 5, 12]
    whole = metrics.period_table(values, catalogue, SAFETY, "2024-02", "2024-03")
    assert list(whole["村（社区）"][-2:]) == [metrics.TOWN_LEVEL_ROW, metrics.TOWN_TOTAL_ROW]
    assert whole["检查生产经营单位（家次）"].iloc[-1] == 18


def test_area_applicable_cells(values, catalogue) -> None:
    table = metrics.period_table(values, catalogue, SAFETY, "2024-03", "2024-03")
    mask = metrics.applicable(table, catalogue, SAFETY).set_index(table["村（社区）"])
    assert mask.loc["酉庄村", "检查生产经营单位（家次）"]
    assert not mask.loc["酉庄村", "专项隐患排查整治（次）"]
    assert not mask.loc[metrics.TOWN_LEVEL_ROW, "检查生产经营单位（家次）"]
    assert mask.loc[metrics.TOWN_LEVEL_ROW, "安全知识培训讲座和现场演练（次）"]
    assert mask.loc[metrics.TOWN_TOTAL_ROW].all()


def test_safety_hazards_rate_and_backlog() -> None:
    """Only villages with both figures count for the rate and the backlog.

    Jan: 酉庄村 10/8, 蛇形村 5/5 → rate 13/15, open 2, backlog 2
    Feb: 酉庄村 4/3, 蛇形村 6/未报 → found 10 (all reported), rate 3/4, backlog 3
    Mar: nothing reported → gap; Apr: 酉庄村 2/4 (old hazards rectified) → backlog 1
    """
    rows = []
    for month, pairs in {
        "2024-01": {"酉庄村": (10, 8), "蛇形村": (5, 5)},
        "2024-02": {"酉庄村": (4, 3), "蛇形村": (6, None)},
        "2024-04": {"酉庄村": (2, 4)},
    }.items():
        for village, (found, fixed) in pairs.items():
            rows.append((SAFETY, "排查安全隐患", village, month, found))
            if fixed is not None:
                rows.append((SAFETY, "已整改安全隐患", village, month, fixed))
    months = ["2024-01", "2024-02", "2024-03", "2024-04"]
    table = metrics.hazards(tidy(rows), "排查安全隐患", "已整改安全隐患", months)
    assert list(table["found"].fillna(-1)) == [15, 10, -1, 2]
    assert list(table["fixed"].fillna(-1)) == [13, 3, -1, 4]
    assert table.loc["2024-01", "rate"] == pytest.approx(100 * 13 / 15)
    assert table.loc["2024-02", "rate"] == pytest.approx(75.0)
    assert math.isnan(table.loc["2024-03", "rate"]) and math.isnan(table.loc["2024-03", "backlog"])
    assert table.loc["2024-04", "rate"] == pytest.approx(200.0)
    assert list(table["backlog"].fillna(-1)) == [2, 3, -1, 1]
    assert metrics.rectification_rate(table) == pytest.approx(100 * (13 + 3 + 4) / (15 + 4 + 2))
    assert math.isnan(metrics.rectification_rate(table.loc[["2024-03"]]))
    only = metrics.hazards(tidy(rows), "排查安全隐患", "已整改安全隐患", months, ["蛇形村"])
    assert list(only["backlog"].fillna(-1)) == [0, -1, -1, -1]


def test_safety_by_year_and_cumulative() -> None:
    series = pd.Series(
        [10.0, 4.0, NAN, 1.0, 12.0, 6.0],
        index=["2023-01", "2023-02", "2023-03", "2023-12", "2024-01", "2024-02"],
    )
    grid = metrics.by_year(series)
    assert list(grid.index) == list(range(1, 13))
    assert list(grid.columns) == ["2023", "2024"]
    assert (grid.loc[1, "2023"], grid.loc[1, "2024"], grid.loc[12, "2023"]) == (10, 12, 1)
    assert math.isnan(grid.loc[3, "2023"]) and math.isnan(grid.loc[12, "2024"])
    running = metrics.cumulative_by_year(series, "2024-02")
    # 2023: 10, 14, (gap), … 15 in December; 2024: 12, 18, then nothing after February
    assert (running.loc[1, "2023"], running.loc[2, "2023"], running.loc[12, "2023"]) == (10, 14, 15)
    assert math.isnan(running.loc[3, "2023"])
    assert (running.loc[1, "2024"], running.loc[2, "2024"]) == (12, 18)
    assert running.loc[3:, "2024"].isna().all()


def test_overview_behind_last_year(catalogue) -> None:
    """Jan–Mar 2024 against Jan–Mar 2023: 检查生产经营单位 12 vs 30 (−60%, listed);
    矛盾纠纷 (less is better) 26 vs 20 (+30%, listed); 主题党日活动 7 vs 9 (base under 10)."""
    rows = []
    for month, (checks, disputes, days) in {
        "2023-01": (10, 5, 3),
        "2023-02": (10, 5, 3),
        "2023-03": (10, 10, 3),
        "2024-01": (4, 10, 3),
        "2024-02": (4, 6, 2),
        "2024-03": (4, 10, 2),
    }.items():
        rows.append((SAFETY, "检查生产经营单位", "酉庄村", month, checks))
        rows.append(("信访维稳", "矛盾纠纷", "酉庄村", month, disputes))
        rows.append(("党建引领", "主题党日活动", "酉庄村", month, days))
    behind = metrics.behind_last_year(tidy(rows), catalogue, "2024-03")
    assert list(behind["indicator"]) == ["检查生产经营单位", "矛盾纠纷"]
    first = behind.iloc[0]
    assert (first["value"], first["year_ago"], first["change"]) == (12, 30, pytest.approx(-0.6))
    assert behind.iloc[1]["change"] == pytest.approx(0.3)


def test_overview_unreported_villages(values, catalogue) -> None:
    missing = metrics.unreported(values, catalogue, "2024-03").set_index("area")
    # 安全生产: 酉庄村 and 蛇形村 sent March figures (杉林村 did not)
    assert missing.loc[SAFETY, "villages"][:3] == ["杉林村", "杨龙村", "石牌村"]
    assert len(missing.loc[SAFETY, "villages"]) == 14
    assert not missing.loc[SAFETY, "sheet_missing"]
    assert missing.loc["党建引领", "sheet_missing"]
    assert len(missing.loc["乡村振兴", "villages"]) == 14


# ------------------------------------------------------------------ kept monthly totals


def test_monthly_totals_by_hand() -> None:
    totals = metrics.monthly_totals(VALUES).set_index(metrics.TOTALS_KEY)
    checks = totals.loc[("安全生产", "2024-01", "检查生产经营单位")]
    assert (checks.village_sum, checks.village_count) == (8, 2)
    assert math.isnan(checks.town_value)
    training = totals.loc[("安全生产", "2024-02", "安全知识培训讲座和现场演练")]
    assert (training.village_sum, training.village_count, training.town_value) == (1, 1, 6)
    town_only = totals.loc[("安全生产", "2024-01", "专项隐患排查整治")]
    assert math.isnan(town_only.village_sum) and town_only.village_count == 0
    assert town_only.town_value == 7
    # villages (not 全镇) with any figure of any indicator in the (area, month): in February
    # 酉庄 reported inspections and 蛇形 training
    assert checks.slice_villages == 2
    assert training.slice_villages == 2
    assert totals.loc[("党建引领", "2023-12", "计划发展党员")].slice_villages == 0


def test_town_monthly_from_totals_applies_each_rule(catalogue) -> None:
    series = metrics.town_monthly(VALUES, catalogue).set_index(["indicator", "month"])
    value = series["value"]
    assert value[("检查生产经营单位", "2024-01")] == 8  # villages added
    assert value[("安全知识培训讲座和现场演练", "2024-02")] == 7  # villages + 全镇 row
    assert value[("专项隐患排查整治", "2024-02")] == 8  # 全镇 only
    assert value[("家庭医生签约率", "2024-01")] == 85  # a rate: the villages' mean
    assert value[("基干民兵在位率", "2024-02")] == 98.5  # the 全镇 row's own rate wins
    assert series.loc[("专项隐患排查整治", "2024-02"), "villages_reported"] == 0
    assert series.loc[("家庭医生签约率", "2024-01"), "villages_reported"] == 2


def test_town_monthly_equals_town_figures_month_by_month(catalogue) -> None:
    series = metrics.town_monthly(VALUES, catalogue)
    for month, chunk in VALUES.groupby("month"):
        expected = metrics.town_figures(chunk[[*metrics.GROUP, "value"]], catalogue)
        got = series[series["month"] == month].drop(columns="month").reset_index(drop=True)
        pd.testing.assert_frame_equal(got, expected.reset_index(drop=True), check_dtype=False)


def test_town_monthly_leaves_out_indicators_not_in_the_catalogue(catalogue) -> None:
    extra = pd.concat([VALUES, tidy([("安全生产", "已删除的指标", "酉庄村", "2024-01", 1)])])
    series = metrics.town_monthly(extra, catalogue)
    assert "已删除的指标" not in set(series["indicator"])
    assert metrics.town_monthly(VALUES.iloc[0:0], catalogue).empty


def test_monthly_wide_from_a_series_matches_monthly(catalogue) -> None:
    window = ["2024-01", "2024-02", "2024-03"]
    series = metrics.town_monthly(VALUES, catalogue)
    wide = metrics.monthly_wide(series, catalogue, "安全生产", window)
    pd.testing.assert_frame_equal(wide, metrics.monthly(VALUES, catalogue, "安全生产", window))
    assert wide.loc["2024-01", "检查生产经营单位"] == 8
    assert math.isnan(wide.loc["2024-03", "检查生产经营单位"])  # 未报 stays a gap


def test_status_from_counts_matches_status_matrix(catalogue) -> None:
    rows = [("安全生产", "检查生产经营单位", v, "2024-01", 1.0) for v in catalogue.village_names]
    rows.append(("党建引领", "主题党日活动", "酉庄村", "2024-01", 1.0))
    rows.append(("党建引领", "中心组理论学习", "全镇", "2024-02", 1.0))
    values = tidy(rows)
    months = ["2024-01", "2024-02", "2024-03"]
    counts = (
        metrics.monthly_totals(values)
        .groupby(["area", "month"], as_index=False)["slice_villages"]
        .max()
        .rename(columns={"slice_villages": "villages"})
    )
    matrix = metrics.status_from_counts(counts, catalogue, months)
    pd.testing.assert_frame_equal(matrix, metrics.status_matrix(values, catalogue, months))
    assert matrix.loc["党建引领", "2024-02"] == "部分"  # only the 全镇 row reported
    assert matrix.loc["安全生产", "2024-01"] == "已报"


def test_township_rows_give_the_same_period_figures(catalogue) -> None:
    series = metrics.town_monthly(VALUES, catalogue)
    rows = metrics.township_rows(series, VALUES, catalogue)
    assert len(rows) < len(VALUES)
    for area in ("安全生产", "乡村振兴", "党管武装", "党建引领"):
        period = Period("2024-01", "2024-02")
        expected = metrics.headline(VALUES, catalogue, area, period)
        got = metrics.headline(rows, catalogue, area, period)
        cols = ["indicator", "value", "previous", "year_ago"]
        pd.testing.assert_frame_equal(got[cols], expected[cols])
    # a monthly count added across villages is one township row a month
    checks = rows[rows["indicator"] == "检查生产经营单位"]
    assert checks[["village", "month", "value"]].values.tolist() == [
        ["全镇", "2024-01", 8.0],
        ["全镇", "2024-02", 4.0],
    ]
    # a rate keeps its village rows
    assert len(rows[rows["indicator"] == "家庭医生签约率"]) == 3


def test_headlines_of_every_area_equal_each_area_headline(values, catalogue) -> None:
    period = Period("2024-01", "2024-03")
    every = metrics.headlines(values, catalogue, period)
    assert list(every) == [a.name for a in catalogue.areas]
    for area in catalogue.areas:
        pd.testing.assert_frame_equal(
            every[area.name], metrics.headline(values, catalogue, area.name, period)
        )
    keys = {a.name: a.key_indicators for a in catalogue.areas}
    chosen = metrics.headlines(values, catalogue, period, ["酉庄村"], keys)
    for area in catalogue.areas:
        expected = metrics.headline(
            values, catalogue, area.name, period, ["酉庄村"], area.key_indicators
        )
        pd.testing.assert_frame_equal(chosen[area.name], expected)
        pd.testing.assert_frame_equal(
            metrics.headline_rows(every[area.name], area.key_indicators),
            metrics.headline(values, catalogue, area.name, period, indicators=area.key_indicators),
            check_dtype=False,  # higher_better holds None beside True among all indicators
        )


# ------------------------------------------------------------------ areas that end, plans


def test_an_ended_area_leaves_comparisons_and_the_missing_lists(catalogue) -> None:
    """疫情防控 ended in January 2023: a 2023 year-to-date has no fair year-ago comparison for
    it, and March 2023 expects none of its sheets."""
    rows = [("疫情防控", "疫苗接种", "酉庄村", m, 50.0) for m in ("2022-01", "2022-02", "2023-01")]
    table = metrics.headline(tidy(rows), catalogue, "疫情防控", Period("2023-01", "2023-02"))
    vaccine = table.set_index("indicator").loc["疫苗接种"]
    assert vaccine["value"] == 50 and math.isnan(vaccine["year_ago"])
    january = metrics.headline(tidy(rows), catalogue, "疫情防控", Period("2023-01", "2023-01"))
    assert january.set_index("indicator").loc["疫苗接种", "year_ago"] == 50
    assert "疫情防控" not in set(metrics.unreported(tidy(rows), catalogue, "2023-03")["area"])
    assert "疫情防控" in set(metrics.unreported(tidy(rows[:1]), catalogue, "2023-01")["area"])
    status = metrics.village_status(tidy(rows), catalogue, "2023-03")
    assert "疫情防控" not in status.columns


def test_plan_progress_year_to_date(catalogue) -> None:
    """计划发展党员 (a yearly plan): 全镇 4 in 2024 (not 3 + 4: the 2023 plan is another year's);
    已发展党员 by March: 1 + 2 = 3 → 75%; by schedule 4 × 3 / 12 = 1 → ahead by 50 points."""
    rows = [
        ("党建引领", "计划发展党员", "全镇", "2023-12", 3),
        ("党建引领", "计划发展党员", "全镇", "2024-01", 4),
        ("党建引领", "已发展党员", "全镇", "2023-12", 5),
        ("党建引领", "已发展党员", "酉庄村", "2024-02", 1),
        ("党建引领", "已发展党员", "全镇", "2024-03", 2),
    ]
    (found,) = metrics.progress(tidy(rows), catalogue, "党建引领", "2024-03")
    assert (found.plan_value, found.actual_value) == (4, 3)
    assert found.share == 75 and found.schedule == 25 and found.expected == 1
    assert found.verdict == "超序时进度 50 个百分点"
    table = metrics.progress_table([found])
    assert list(table.iloc[0]) == [
        "计划发展党员",
        "已发展党员",
        "4 人",
        "3 人",
        "75%",
        "25%",
        "1 人",
    ]
    # 危房改造 is itself a monthly count: completion only, no schedule
    houses = [
        ("乡村振兴", "危房改造", "酉庄村", "2024-02", 4),
        ("乡村振兴", "危房改造已完成", "酉庄村", "2024-03", 3),
    ]
    first, second = metrics.progress(tidy(houses), catalogue, "乡村振兴", "2024-03")
    assert first.share == 75 and math.isnan(first.expected) and first.verdict == ""
    assert math.isnan(second.share)  # 衔接资金项目 未报: no progress, not 0
    assert list(metrics.progress_table([first, second]).iloc[1])[2:5] == ["未报", "未报", "—"]
