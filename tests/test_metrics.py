"""Combining months and villages as the catalogue says, checked against hand-computed values."""

from __future__ import annotations

import math

import pandas as pd

from township_data import metrics
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
    assert list(matrix.index) == catalogue.sheet_names


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
    assert list(matrix.columns) == catalogue.sheet_names
    assert list(matrix.index) == [*catalogue.village_names, "全镇"]
    assert matrix.loc["酉庄村", "安全生产"] == metrics.REPORTED
    assert matrix.loc["蛇形村", "安全生产"] == metrics.PARTIAL
    assert matrix.loc["杉林村", "安全生产"] == metrics.NOT_REPORTED
    assert matrix.loc["全镇", "安全生产"] == metrics.REPORTED
    assert matrix.loc["全镇", "乡村振兴"] == metrics.NOT_APPLICABLE  # recorded per village only
    assert matrix.loc["酉庄村", "人居环境打擂"] == metrics.REPORTED
    assert matrix.loc["全镇", "人居环境打擂"] == metrics.NOT_APPLICABLE

    villages, areas = len(catalogue.village_names), len(catalogue.sheet_names)
    not_applicable = int((matrix == metrics.NOT_APPLICABLE).sum().sum())
    assert metrics.status_counts(matrix) == {
        "已报": 3,  # 酉庄村 安全生产 and 打擂, 全镇 安全生产
        "部分": 1,
        "未报": villages * areas + areas - not_applicable - 4,
    }
    missing = dict(metrics.missing_by_village(matrix))
    assert "酉庄村" in missing and "安全生产" not in missing["酉庄村"]
    assert missing["杉林村"] == catalogue.sheet_names
