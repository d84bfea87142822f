"""Offline snapshots: one HTML file, plotly embedded, nothing a browser would fetch from a server.

The browser half (the file opened from disk in Chromium, every request recorded) is in
tests/e2e/test_print_and_share.py.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import re
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from township_data import digest, ranking, snapshot
from township_data.workbook import read_workbook

from .test_longimage import overview_digest
from .test_ranking import SCORES, contest_workbook

SOURCE = digest.Source("潭湾镇", 7, dt.date(2024, 4, 2))
REMOTE = re.compile(r"^\s*(https?:)?//", re.IGNORECASE)
CSS_REMOTE = re.compile(r"""(url\(\s*['"]?\s*(https?:)?//|@import)""", re.IGNORECASE)
FETCHING_ATTRIBUTES = {"src", "href", "srcset", "data", "poster", "action", "background"}


class Fetches(HTMLParser):
    """Everything in a document's markup and styles that a browser would load by itself, and
    the scripts, split into plotly's bundle and the rest."""

    def __init__(self) -> None:
        super().__init__()
        self.remote: list[str] = []
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self.tags: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name in FETCHING_ATTRIBUTES and value and REMOTE.search(value):
                self.remote.append(f"<{tag} {name}={value}>")
            if name == "style" and value:
                self.styles.append(value)
            if tag == "script" and name == "src":
                self.remote.append(f"<script src={value}>")
        self._in = tag if tag in ("script", "style") else None

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        if self._in == "script":
            self.scripts.append(data)
        elif self._in == "style":
            self.styles.append(data)


def fetches(text: str) -> Fetches:
    parser = Fetches()
    parser.feed(text)
    return parser


def assert_offline(text: str) -> Fetches:
    found = fetches(text)
    assert found.remote == []
    assert not any(CSS_REMOTE.search(s) for s in found.styles)
    bundle = [s for s in found.scripts if "plotly.js" in s[:2000].lower() or len(s) > 1_000_000]
    ours = [s for s in found.scripts if s not in bundle]
    assert len(bundle) == 1  # plotly's JavaScript, embedded exactly once
    # Our own scripts (one per chart) hold the figure and a call to draw it, no address.
    assert ours and not any("http" in s for s in ours)
    return found


@pytest.fixture
def scores(catalogue) -> pd.DataFrame:
    parsed = read_workbook(contest_workbook(SCORES), "打擂.xlsx", catalogue)
    return ranking.score_table(parsed.values, catalogue)


def test_ranking_snapshot_is_self_contained_with_every_village(catalogue, scores) -> None:
    result = ranking.rank_quarter(scores, catalogue, "2024Q1", 2, 2)
    found = ranking.notices(scores, result, catalogue)
    text = snapshot.ranking_html(result, found, scores, catalogue, SOURCE)
    parsed = assert_offline(text)
    assert text.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in text and 'name="viewport"' in text
    assert "<h1>潭湾镇人居环境打擂</h1>" in text and "2024年第一季度排名" in text
    # Every configured village is a row of the table, ranked or 未报; 杉林村 marked.
    table = pd.read_html(io.StringIO(text), keep_default_na=False)[0]
    assert len(table) == len(catalogue.village_names)
    assert table[ranking.VILLAGE].tolist()[:6] == [
        "杨龙村",
        "蛇形村",
        "酉庄村",
        "杉林村（仅评2个月）",
        "潭湾社区",
        "石牌村",
    ]
    assert table[ranking.BOARD].tolist()[:6] == ["红榜", "红榜", "", "", "黑榜", "黑榜"]
    # 红榜 rows shaded light red, 黑榜 rows grey.
    assert text.count(f"background:{ranking.ROW_COLOURS[ranking.RED]}") == 2
    assert text.count(f"background:{ranking.ROW_COLOURS[ranking.BLACK]}") == 2
    # Three charts, each drawn by its own script; the warnings in red.
    assert parsed.tags.count("div") >= 3 and text.count("Plotly.newPlot(") == 3
    for notice in found:
        assert notice.text in text
    assert SOURCE.line in text and "生成日期：2024年4月2日" in text


def test_text_is_escaped_not_markup(catalogue) -> None:
    table = snapshot.Table(pd.DataFrame({"村（社区）": ["<script>alert(1)</script>"]}))
    text = snapshot.document("标题", "副标题", [table], SOURCE)
    assert "<script>alert" not in text and "&lt;script&gt;" in text
    # Without a chart no plotly JavaScript is embedded at all.
    assert "<script" not in text


def test_a_figure_cannot_close_its_script_tag() -> None:
    figure = go.Figure(go.Bar(x=["</script><img src=http://x>"], y=[1]))
    text = snapshot.document("标题", "副标题", [snapshot.Chart(figure)], SOURCE)
    found = fetches(text)
    assert found.remote == [] and "img" not in found.tags


def test_chart_that_would_load_map_tiles_is_refused() -> None:
    figure = go.Figure(go.Scattermap(lat=[1], lon=[1]))
    with pytest.raises(ValueError):
        snapshot.document("标题", "副标题", [snapshot.Chart(figure)], SOURCE)


def test_overview_snapshot_lists_the_digest_and_the_status(catalogue) -> None:
    found = overview_digest(catalogue)
    status = pd.DataFrame(
        [["已报", "部分"], ["未报", "已报"]],
        index=pd.Index(["党建引领", "安全生产"], name="area"),
        columns=["2024-01", "2024-02"],
    )
    text = snapshot.overview_html(found, status, SOURCE)
    assert_offline(text)
    assert "<h2>需要关注</h2>" in text
    assert '<span class="bad">60 家次，去年同期 100 家次（-40%）</span>' in text
    tables = pd.read_html(io.StringIO(text))
    assert tables[0].columns.tolist() == ["领域", "2024年1月", "2024年2月"]
    # The heatmap's data is the matrix: 0 未报, 1 部分, 2 已报.
    figure = re.search(r"var f=(\{.*?\});if\(window\.Plotly\)", text).group(1)
    z = json.loads(figure)["data"][0]["z"]  # plotly's typed array: base64 bytes of a dtype
    shape = [int(n) for n in z["shape"].split(",")]
    array = np.frombuffer(base64.b64decode(z["bdata"]), dtype=z["dtype"]).reshape(shape)
    assert array.tolist() == [[2, 1], [0, 2]]


def test_area_snapshot_has_key_figures_charts_and_the_table(catalogue) -> None:
    area = catalogue.area("安全生产")
    keys = area.key_indicators
    headline = pd.DataFrame(
        {
            "indicator": [i.name for i in keys],
            "value": [12.0] * len(keys),
            "previous": [10.0] * len(keys),
            "year_ago": [float("nan")] * len(keys),
        }
    )
    table = pd.DataFrame({"村（社区）": ["酉庄村", "全镇"], keys[0].name: ["3", "12"]})
    figure = go.Figure(go.Bar(x=["酉庄村"], y=[3]))
    text = snapshot.area_html(
        catalogue, "安全生产", "2024年3月", "全镇", headline, [figure], table, SOURCE
    )
    assert_offline(text)
    assert "<h1>潭湾镇安全生产</h1>" in text and "<h2>安全生产主要指标（2024年3月）</h2>" in text
    # 专项隐患排查整治 (more is better): 12 次 against 10 次, green; no figure a year ago.
    assert (
        '<b>专项隐患排查整治：</b><span class="good">12 次　较上期 +2 次（+20%）　无可比数据</span>'
    ) in text
    shown = pd.read_html(io.StringIO(text))[0]
    assert shown["村（社区）"].tolist() == ["酉庄村", "全镇"]
    assert text.count("Plotly.newPlot(") == 1
