"""Contest figures (人居环境打擂): Chinese titles, axis units, gaps kept, rank 1 at the top."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from township_data import charts, ranking
from township_data.workbook import read_workbook

from .test_ranking import SCORES, contest_workbook


@pytest.fixture(scope="module")
def scores(catalogue):
    parsed = read_workbook(contest_workbook(SCORES), "打擂.xlsx", catalogue)
    return ranking.score_table(parsed.values, catalogue)


def test_distribution_has_one_box_per_month(scores) -> None:
    fig = charts.contest_distribution(scores, "各月总分分布", "2024年第一季度")
    assert [t.name for t in fig.data] == ["2024年1月", "2024年2月", "2024年3月"]
    assert sorted(fig.data[1].y) == [75, 78, 80, 88, 92]
    assert fig.layout.title.text == "各月总分分布"
    assert fig.layout.title.subtitle.text == "2024年第一季度"
    assert fig.layout.yaxis.title.text == "总分（分）"
    assert fig.layout.xaxis.type == "category"


def test_average_keeps_a_month_without_scores_as_a_gap(scores) -> None:
    summary = ranking.month_summary(scores[scores["month"] != "2024-02"])
    fig = charts.contest_average(summary)
    mean = next(t for t in fig.data if t.name == "全镇平均分")
    assert list(mean.x) == ["2024年1月", "2024年2月", "2024年3月"]
    assert mean.y[0] == pytest.approx(490 / 6) and math.isnan(mean.y[1])
    assert mean.y[2] == pytest.approx(497 / 6)
    assert fig.layout.yaxis.title.text == "得分（分）"


def test_rank_heatmap_orders_by_latest_rank_and_leaves_unscored_blank(scores, catalogue) -> None:
    ranks = ranking.monthly_ranks(scores, catalogue, by_latest=True)
    fig = charts.contest_rank_heatmap(ranks)
    heat = fig.data[0]
    assert list(heat.y[:6]) == ["杨龙村", "蛇形村", "酉庄村", "杉林村", "潭湾社区", "石牌村"]
    z = np.asarray(heat.z, dtype=float)
    assert z[0].tolist() == [4, 1, 1]
    assert math.isnan(z[3][1]) and heat.customdata[3][1] == "未报"
    assert fig.layout.yaxis.autorange == "reversed"
    assert fig.layout.xaxis.title.text == "月份"


def test_trajectory_puts_rank_one_on_top(scores, catalogue) -> None:
    path = ranking.trajectory(scores, catalogue, "杉林村")
    fig = charts.contest_trajectory(path, "杉林村", 16)
    line = fig.data[0]
    assert list(line.y[:1]) == [2] and math.isnan(line.y[1]) and line.connectgaps is False
    assert list(fig.layout.yaxis.range) == [16.5, 0.2]
    assert fig.layout.yaxis.title.text == "名次（第几名）"
    assert fig.layout.title.text == "杉林村逐月名次"


# ------------------------------------------------------------------ area pages (issue 3)

NAN = float("nan")
MONTHS = ["2024-01", "2024-02", "2024-03"]
LABELS = ["2024年1月", "2024年2月", "2024年3月"]


def _titles(fig) -> list[str]:
    layout = fig.to_plotly_json()["layout"]
    return [v["title"]["text"] for k, v in layout.items() if k.startswith("yaxis") and "title" in v]


def test_trend_one_panel_per_unit_with_gaps() -> None:
    frame = pd.DataFrame(
        {"检查生产经营单位": [10.0, NAN, 12.0], "检查车辆": [300.0, 280.0, 310.0]}, index=MONTHS
    )
    units = {"检查生产经营单位": ("家次", "count"), "检查车辆": ("台次", "count")}
    fig = charts.trend(frame, units, "检查力度", subtitle="全镇 · 2024年1月–2024年3月")
    assert fig.layout.title.text == "检查力度"
    assert fig.layout.title.subtitle.text == "全镇 · 2024年1月–2024年3月"
    assert sorted(_titles(fig)) == ["数量（台次）", "数量（家次）"]
    lines = [t for t in fig.data if t.type == "scatter" and t.mode == "lines+markers"]
    assert [t.name for t in lines] == ["检查生产经营单位", "检查车辆"]
    assert list(lines[0].x) == LABELS
    assert list(lines[0].y) == [10.0, None, 12.0]
    assert lines[0].connectgaps is False
    assert fig.layout.xaxis.type == "category" and list(fig.layout.xaxis.categoryarray) == LABELS
    assert fig.layout.xaxis2.title.text == "月份"
    assert [a.text for a in fig.layout.annotations] == [
        "检查生产经营单位（家次）",
        "检查车辆（台次）",
    ]
    marks = [t for t in fig.data if t.mode == "text"]
    assert len(marks) == 1 and list(marks[0].x) == ["2024年2月"] and list(marks[0].text) == ["未报"]


def test_trend_bars_mark_missing_months_and_rates_axis() -> None:
    frame = pd.DataFrame({"家庭医生签约率": [88.5, 90.0, NAN]}, index=MONTHS)
    fig = charts.trend(frame, {"家庭医生签约率": ("%", "percent")}, "签约率", kind="bar")
    assert fig.data[0].type == "bar" and list(fig.data[0].y) == [88.5, 90.0, None]
    assert _titles(fig) == ["比率（%）"]
    assert list(fig.data[1].x) == ["2024年3月"] and list(fig.data[1].text) == ["未报"]
    assert fig.layout.yaxis.tickformat == ",~f"


def test_village_bars_sorted_with_missing_last() -> None:
    frame = pd.DataFrame(
        {"排查隐患": [3.0, NAN, 9.0], "已整改": [2.0, NAN, 9.0]},
        index=["酉庄村", "蛇形村", "杉林村"],
    )
    fig = charts.village_bars(frame, "处", "各村（社区）排查与整改隐患", subtitle="2024年3月")
    bars = [t for t in fig.data if t.type == "bar"]
    assert [t.name for t in bars] == ["排查隐患", "已整改"]
    assert list(bars[0].y) == ["杉林村", "酉庄村", "蛇形村"]
    assert list(bars[0].x) == [9.0, 3.0, None]
    assert list(bars[0].text) == ["9", "3", ""]
    mark = next(t for t in fig.data if t.type == "scatter")
    assert list(mark.y) == ["蛇形村"] and list(mark.text) == ["未报"]
    assert fig.layout.xaxis.title.text == "数量（处）"
    assert fig.layout.yaxis.title.text == "村（社区）" and fig.layout.yaxis.type == "category"
    assert fig.layout.title.text == "各村（社区）排查与整改隐患"


def test_village_heatmap_leaves_missing_cells_empty_and_marked() -> None:
    grid = pd.DataFrame(
        [[1.0, 2.0, NAN], [4.0, 5.0, 1234.0]], index=["酉庄村", "蛇形村"], columns=MONTHS
    )
    fig = charts.village_heatmap(grid, "检查车辆", "台次", "逐月检查车辆")
    heat = fig.data[0]
    assert list(heat.x) == LABELS and list(heat.y) == ["酉庄村", "蛇形村"]
    assert heat.z[0][2] is None and heat.z[1][2] == 1234.0
    assert heat.text[1][2] == "1,234" and heat.text[0][2] == ""
    assert heat.colorbar.title.text == "台次"
    mark = fig.data[1]
    assert list(mark.x) == ["2024年3月"] and list(mark.y) == ["酉庄村"]
    assert list(mark.text) == ["未报"]
    assert fig.layout.xaxis.type == "category" and fig.layout.xaxis.title.text == "月份"


def test_hazards_chart_rate_on_a_percent_axis() -> None:
    table = pd.DataFrame(
        {
            "found": [15.0, 10.0, NAN],
            "fixed": [13.0, 3.0, NAN],
            "rate": [86.666, 75.0, NAN],
            "backlog": [2.0, 3.0, NAN],
        },
        index=MONTHS,
    )
    fig = charts.hazards(table, "每月排查、整改隐患与整改率", "全镇")
    names = [t.name for t in fig.data if t.name]
    assert names == ["排查隐患", "已整改", "整改率", "未整改隐患（累计）"]
    rate = next(t for t in fig.data if t.name == "整改率")
    assert list(rate.y) == [86.7, 75.0, None]
    assert fig.layout.yaxis.title.text == "隐患（处）"
    assert fig.layout.yaxis2.title.text == "整改率（%）" and tuple(fig.layout.yaxis2.range) == (
        0,
        105,
    )
    assert fig.layout.yaxis3.title.text == "未整改（处）"
    assert fig.layout.xaxis2.title.text == "月份"
    backlog = next(t for t in fig.data if t.name == "未整改隐患（累计）")
    assert list(backlog.x) == LABELS and list(backlog.y) == [2.0, 3.0, None]


def test_year_overlay_lines_up_months_of_each_year() -> None:
    grid = pd.DataFrame(
        {"2023": [20.0, 15.0] + [NAN] * 10, "2024": [25.0, NAN] + [1.0] * 10},
        index=range(1, 13),
    )
    fig = charts.year_overlay([("查处交通违法", "起", grid)], "执法查处：各年同月对照")
    assert [t.name for t in fig.data] == ["2023年", "2024年"]
    assert list(fig.data[0].x) == [f"{m}月" for m in range(1, 13)]
    assert list(fig.data[1].y[:2]) == [25.0, None]
    assert fig.data[1].line.color == charts.PALETTE[0]
    assert fig.data[0].line.dash == "dash"
    assert fig.layout.annotations[0].text == "查处交通违法（起）"
    assert fig.layout.yaxis.title.text == "数量（起）"
    assert fig.layout.xaxis.type == "category"


def test_cumulative_this_year_against_last() -> None:
    grid = pd.DataFrame(
        {"2023": [10.0, 14.0] + [20.0] * 10, "2024": [12.0, 18.0] + [NAN] * 10},
        index=range(1, 13),
    )
    fig = charts.cumulative(grid, "检查生产经营单位", "家次", "检查生产经营单位累计")
    assert [t.name for t in fig.data] == ["2023年累计", "2024年累计"]
    assert list(fig.data[1].y[:3]) == [12.0, 18.0, None]
    assert fig.layout.yaxis.title.text == "数量（家次）"
    assert fig.layout.xaxis.title.text == "月份"
    assert fig.layout.title.text == "检查生产经营单位累计"


def test_small_counts_get_whole_ticks() -> None:
    frame = pd.DataFrame({"敲门行动排查": [0.0, 0.0, NAN]}, index=MONTHS)
    fig = charts.trend(frame, {"敲门行动排查": ("人", "count")}, "疫情防控月度趋势")
    assert fig.layout.yaxis.dtick == 1 and tuple(fig.layout.yaxis.range) == (0, 1.15)
    bars = charts.village_bars(
        pd.DataFrame({"入伍": [2.0, 0.0]}, index=["酉庄村", "蛇形村"]), "人", "入伍"
    )
    assert bars.layout.xaxis.dtick == 1
    big = pd.DataFrame({"检查车辆": [300.0, 280.0, 310.0]}, index=MONTHS)
    assert charts.trend(big, {"检查车辆": ("台次", "count")}, "t").layout.yaxis.dtick is None


def test_status_heatmap_legend_stays_clear_of_the_month_labels() -> None:
    matrix = pd.DataFrame(
        [["已报", "部分", "未报"], ["已报", "已报", "已报"]],
        index=["党建引领", "安全生产"],
        columns=MONTHS,
    )
    fig = charts.status_heatmap(matrix, "各领域数据报送情况（2024年）")
    assert list(fig.data[0].x) == LABELS
    assert [t.name for t in fig.data[1:]] == ["未报", "部分", "已报"]
    # At the foot of the whole figure (Plotly grows the margin for it), not on the plot's
    # bottom edge where the turned month labels are; labels turn only as far as needed.
    legend = fig.layout.legend
    assert (legend.yref, legend.y, legend.yanchor) == ("container", 0, "bottom")
    assert fig.layout.xaxis.tickangle is None
    assert tuple(fig.layout.xaxis.autotickangles) == (0, 45, 90)


def test_value_axes_and_colour_bars_use_thousands_separators_and_whole_steps() -> None:
    money = pd.DataFrame({"临时救助金额": [24_000.0, 9_500.0]}, index=["酉庄村", "蛇形村"])
    assert charts.village_bars(money, "元", "临时救助金额", "money").layout.xaxis.tickformat == (
        ",~f"
    )
    few = pd.DataFrame([[1.0, 0.0, 3.0]], index=["酉庄村"], columns=MONTHS)
    bar = charts.village_heatmap(few, "联村领导到村上党课", "次", "t").data[0].colorbar
    assert bar.dtick == 1 and bar.tickformat == ",~f"
    many = pd.DataFrame([[120.0, 80.5, 300.0]], index=["酉庄村"], columns=MONTHS)
    assert charts.village_heatmap(many, "检查车辆", "台次", "t").data[0].colorbar.dtick is None
