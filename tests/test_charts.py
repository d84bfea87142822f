"""Contest figures (人居环境打擂): Chinese titles, axis units, gaps kept, rank 1 at the top."""

from __future__ import annotations

import math

import numpy as np
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
