"""AppTest of the 打擂 page on hand-built scores: ranks, 榜单, arrows, what-if N, downloads."""

from __future__ import annotations

import base64
import json

import numpy as np
import pandas as pd

from tests.readback import paragraphs_of, read_back_csv, read_back_xlsx
from township_data import bulletin, ranking
from township_data.workbook import read_workbook

from .test_ranking import SCORES, contest_workbook

PAGE = "pages/9_dalei.py"


def open_page(app_test, store, catalogue):
    """Store the hand-built sheet first (so no sample is loaded), then open the page."""
    parsed = read_workbook(contest_workbook(SCORES), "打擂.xlsx", catalogue)
    store.import_workbook(parsed, "测试")
    at = app_test("app.py").run()
    at.switch_page(PAGE).run()
    assert not at.exception
    return at


def array(values) -> list:
    """A plotly array from a figure's JSON: plain list, or base64 typed array (plotly 7)."""
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]).tolist()
    return list(values)


def table_of(at) -> pd.DataFrame:
    """The ranked table is the first table of the page (st.dataframe has no key in AppTest)."""
    return at.dataframe[0].value


def test_month_ranks_and_lists(app_test, store, catalogue) -> None:
    at = open_page(app_test, store, catalogue)
    assert at.selectbox(key="dalei_month").value == "2024-03"
    table = table_of(at)
    assert list(table.columns) == ranking.columns(catalogue)
    top = table.head(6)
    assert list(top["村（社区）"]) == ["杨龙村", "蛇形村", "酉庄村", "杉林村", "潭湾社区", "石牌村"]
    assert list(top["排名"]) == ["1", "2", "3", "4", "5", "6"]
    assert list(top["总分"]) == ["90.0", "86.0", "84.0", "83.0", "80.0", "74.0"]
    # Catalogue N = 3 for both lists.
    assert list(top["榜单"]) == ["红榜", "红榜", "红榜", "黑榜", "黑榜", "黑榜"]
    assert list(top["较上期名次变化"]) == ["持平", "持平", "持平", "", "↓1", "↓1"]
    rest = table.iloc[6:]
    assert len(rest) == 10 and set(rest["排名"]) == {"未报"} and set(rest["总分"]) == {"未报"}
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["参评村（社区）"] == "6 个，10 个未报"
    assert metrics["全镇平均分"] == "82.83 分"
    assert metrics["第一名"] == "杨龙村"
    styles = str(at.dataframe[0].proto.arrow_data.styler.styles)
    assert ranking.ROW_COLOURS["红榜"] in styles and ranking.ROW_COLOURS["黑榜"] in styles


def test_other_month_what_if_n_and_notices(app_test, store, catalogue) -> None:
    at = open_page(app_test, store, catalogue)
    at.selectbox(key="dalei_month").set_value("2024-02").run()
    at.number_input(key="dalei_top_n").set_value(1).run()
    at.number_input(key="dalei_bottom_n").set_value(1).run()
    assert not at.exception
    table = table_of(at).set_index("村（社区）")
    assert table.loc["杨龙村", "较上期名次变化"] == "↑3"
    assert table.loc["酉庄村", "较上期名次变化"] == "↓2"
    assert table.loc["杉林村", "排名"] == "未报" and table.loc["杉林村", "榜单"] == ""
    assert table["榜单"].tolist().count("红榜") == 1
    assert table.loc["石牌村", "榜单"] == "黑榜"
    assert any("正在试算：红榜 1 名、黑榜 1 名" in c.value for c in at.caption)
    warnings = [w.value for w in at.warning]
    assert "石牌村截至2024年2月已连续 2 个月排在后 1 名（黑榜），请督促整改。" in warnings
    honours = [s.value for s in at.success]
    assert any(h.startswith("进步最大：杨龙村") for h in honours)
    at.selectbox(key="dalei_village").set_value("酉庄村").run()
    assert any("下降 2 位" in m.value for m in at.markdown)
    items = at.dataframe[1].value
    assert items.iloc[0].tolist() == ["污水治理", "18.0", "14.0", "-4.0 分"]
    figure = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert figure["layout"]["title"]["text"] == "酉庄村逐月名次"
    assert array(figure["data"][0]["y"]) == [1, 3, 3]
    assert array(figure["data"][0]["x"]) == ["2024年1月", "2024年2月", "2024年3月"]
    assert figure["layout"]["yaxis"]["range"] == [16.5, 0.2]  # rank 1 at the top


def test_downloads_equal_the_page_table(app_test, store, catalogue) -> None:
    at = open_page(app_test, store, catalogue)
    at.selectbox(key="dalei_month").set_value("2024-02").run()
    shown = table_of(at)
    scores = ranking.score_table(store.current(), catalogue)
    result = ranking.rank_month(scores, catalogue, "2024-02")
    xlsx = read_back_xlsx(ranking.to_xlsx(result, catalogue), rows=len(result.table))
    csv = read_back_csv(ranking.to_csv(result))
    pd.testing.assert_frame_equal(ranking.display_table(xlsx, result.digits), shown)
    pd.testing.assert_frame_equal(ranking.display_table(csv, result.digits), shown)


def test_quarter_view_meeting_lists_and_bulletin(app_test, store, catalogue) -> None:
    at = open_page(app_test, store, catalogue)
    at.radio(key="dalei_mode").set_value("按季度").run()
    assert not at.exception
    assert at.selectbox(key="dalei_quarter").value == "2024Q1"
    table = table_of(at)
    assert list(table["村（社区）"][:6]) == [
        "杨龙村",
        "蛇形村",
        "酉庄村",
        "杉林村（仅评2个月）",
        "潭湾社区",
        "石牌村",
    ]
    assert list(table["总分"][:6]) == ["87.33", "86.33", "84.67", "84.00", "77.67", "74.67"]
    assert list(table["榜单"][:6]) == ["红榜", "红榜", "红榜", "黑榜", "黑榜", "黑榜"]
    lists = " ".join(m.value for m in at.markdown)
    assert "**经验交流（红榜，前 3 名）**" in lists and "- 杨龙村\n- 蛇形村\n- 酉庄村" in lists
    assert "**表态发言（黑榜，后 3 名）**" in lists and "- 杉林村\n- 潭湾社区\n- 石牌村" in lists
    assert any("2024年第一季度人居环境打擂情况通报" in t.value for t in at.text)
    scores = ranking.score_table(store.current(), catalogue)
    result = ranking.rank_quarter(scores, catalogue, "2024Q1")
    text = "\n".join(paragraphs_of(bulletin.to_docx(scores, catalogue, result)))
    for village in ("杨龙村", "蛇形村", "酉庄村"):
        assert f"{village}：季度平均" in text


def test_no_scores_yet_shows_a_chinese_hint(app_test, monkeypatch) -> None:
    monkeypatch.setenv("TOWNSHIP_NO_SAMPLE", "1")
    at = app_test("app.py").run()
    at.switch_page(PAGE).run()
    assert not at.exception
    assert any("还没有打擂评分数据" in w.value for w in at.warning)
    assert not at.dataframe
