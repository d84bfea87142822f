"""AppTest of the eight work-area pages: known data in, the right numbers in cards and table.

Every area gets the same small, hand-made data set (so the expected figures below can be worked
out on paper), shaped by each indicator's recording level:

    村 rows     2023-03  2024-01  2024-02  2024-03        全镇 row   2023-03 2024-01 2024-02 2024-03
    酉庄村        4        2        1        3            counts      6       2       4       6
    蛇形村        4        1        3        5            rates (%)   92      91      93      95
    杉林村       未报       2        2       未报
    (rates: 酉庄村 85/86/88/90, 蛇形村 75/82/84/80, 杉林村 未报/70/70/未报)

The other villages send nothing. The latest month is 2024-03, so a page opens on 2024年3月,
compares with 2024年2月 and with 2023年3月.
"""

from __future__ import annotations

import pytest

from tests.readback import read_back_xlsx
from township_data import metrics
from township_data.catalogue import TOWN
from township_data.workbook import read_workbook
from views.registry import AREA_PAGES

MONTHS = ["2023-03", "2024-01", "2024-02", "2024-03"]
COUNTS = {
    "酉庄村": [4, 2, 1, 3],
    "蛇形村": [4, 1, 3, 5],
    "杉林村": [None, 2, 2, None],
    TOWN: [6, 2, 4, 6],
}
RATES = {
    "酉庄村": [85, 86, 88, 90],
    "蛇形村": [75, 82, 84, 80],
    "杉林村": [None, 70, 70, None],
    TOWN: [92, 91, 93, 95],
}

# The month 2024-03 by recording level, worked out from the table above:
#   per village, counts:  3 + 5 = 8;     2024-02: 1 + 3 + 2 = 6;  2023-03: 4 + 4 = 8
#   全镇 only:            6;             2024-02: 4;              2023-03: 6
#   both, counts:         8 + 6 = 14;    2024-02: 6 + 4 = 10;     2023-03: 8 + 6 = 14
#   per village, rate:    (90+80)/2 = 85; 2024-02: (88+84+70)/3 = 80.67; 2023-03: (85+75)/2 = 80
#   both, rate:           the 全镇 row: 95; 2024-02: 93;          2023-03: 92
MONTH_CARD = {
    ("village", "count"): ("8", "+2", "（+33.3%）", "持平"),
    ("town", "count"): ("6", "+2", "（+50%）", "持平"),
    ("both", "count"): ("14", "+4", "（+40%）", "持平"),
    ("village", "percent"): ("85%", "+4.3 个百分点", "", "+5 个百分点"),
    ("both", "percent"): ("95%", "+2 个百分点", "", "+3 个百分点"),
}


def _rows(indicators, data_for) -> list[list[object]]:
    header = ["村（社区）", "月份", *[i.label for i in indicators]]
    rows: list[list[object]] = [header]
    for village in ["酉庄村", "蛇形村", "杉林村", TOWN]:
        for m, month in enumerate(MONTHS):
            row: list[object] = [village, month]
            for ind in indicators:
                fits = ind.town_row if village == TOWN else ind.village_rows
                value = data_for(ind)[village][m] if fits else None
                row.append("" if value is None else value)
            rows.append(row)
    return rows


def _store_area(store, catalogue, make_workbook, area: str) -> None:
    indicators = catalogue.area(area).indicators
    book = make_workbook(
        {area: _rows(indicators, lambda i: RATES if i.kind == "percent" else COUNTS)}
    )
    store.import_workbook(read_workbook(book, f"{area}.xlsx", catalogue), "测试")


def _open(app_test, area: str):
    at = app_test("app.py")
    at.switch_page(AREA_PAGES[area])
    return at.run()


def _cards(at) -> dict[str, tuple[str, str]]:
    return {m.label: (m.value, m.proto.delta) for m in at.metric}


def _table(at):
    """The period table (the 未报 details table also has a 村（社区） column, but no indicator)."""
    frames = [d.value for d in at.dataframe]
    table = next(f for f in frames if "村（社区）" in f.columns and "未报项数" not in f.columns)
    return table.set_index("村（社区）")


# 疫情防控 ended in January 2023 (its months here would be refused; test_event_pages.py
# follows it before and after its end)
REPORTED_AREAS = [area for area in AREA_PAGES if area != "疫情防控"]


@pytest.mark.parametrize("area", REPORTED_AREAS)
def test_area_page_month_cards_and_table(area, app_test, store, catalogue, make_workbook) -> None:
    _store_area(store, catalogue, make_workbook, area)
    at = _open(app_test, area)
    assert not at.exception
    assert not at.error
    cards = _cards(at)
    captions = [c.value for c in at.caption]
    for ind in catalogue.area(area).key_indicators:
        kind = "percent" if ind.kind == "percent" else "count"
        value, delta, relative, year_ago = MONTH_CARD[(ind.level, kind)]
        unit = "" if ind.unit == "%" else f" {ind.unit}"
        shown, shown_delta = cards[ind.name]
        assert shown == (value if ind.unit == "%" else f"{value}{unit}"), ind.name
        expected_delta = delta if ind.unit == "%" else f"{delta}{unit}{relative}"
        assert shown_delta == expected_delta, ind.name
        year_text = year_ago if ind.unit == "%" or year_ago == "持平" else f"{year_ago}{unit}"
        assert any(c.startswith("较去年同期") and year_text in c for c in captions), ind.name

    table = _table(at)
    assert list(table.index[-2:]) == ["镇本级", "全镇"] or list(table.index[-1:]) == ["全镇"]
    for ind in catalogue.area(area).indicators:
        column = table[ind.label]
        if ind.village_rows:
            rate = ind.kind == "percent"
            assert column["酉庄村"] == ("90" if rate else "3")
            assert column["蛇形村"] == ("80" if rate else "5")
            assert column["杉林村"] == "未报"
            assert column["东岸社区"] == "未报"
        if "镇本级" in table.index:
            expected = ("95" if ind.kind == "percent" else "6") if ind.town_row else "—"
            assert column["镇本级"] == expected, ind.name
        total = MONTH_CARD[(ind.level, "percent" if ind.kind == "percent" else "count")][0]
        assert column["全镇"] == total.rstrip("%"), ind.name

    village = sum(i.village_rows for i in catalogue.area(area).indicators)
    town = sum(i.town_row for i in catalogue.area(area).indicators)
    expected, reported = 16 * village + town, 2 * village + town
    note = next(m.value for m in at.markdown if "应报" in m.value)
    assert f"应报 {expected:,} 项数据" in note
    assert f"未报 {expected - reported:,} 项" in note


def test_safety_page_missing_count_by_hand(app_test, store, catalogue, make_workbook) -> None:
    """安全生产 records 10 indicators per village and 8 on the 全镇 row: 16 × 10 + 8 = 168
    figures are due a month; 2 villages × 10 + 8 = 28 came in, so 140 are 未报."""
    _store_area(store, catalogue, make_workbook, "安全生产")
    at = _open(app_test, "安全生产")
    note = next(m.value for m in at.markdown if "应报" in m.value)
    assert "应报 168 项数据" in note and "未报 140 项" in note


def test_rates_take_the_latest_month_and_are_never_summed(
    app_test, store, catalogue, make_workbook
) -> None:
    """Over 2024年第一季度 a count adds the months, a rate takes each village's latest month.

    家庭医生签约率: 酉庄村 90 (March), 蛇形村 80 (March), 杉林村 70 (February, its latest):
    mean 80%, not 90 + 80 + 70. 危房改造 (a count): 酉庄村 2+1+3, 蛇形村 1+3+5, 杉林村 2+2 = 19.
    公益性岗位 (a stock, last): 3 + 5 + 2 = 10. The quarter before has no data.
    """
    _store_area(store, catalogue, make_workbook, "乡村振兴")
    at = _open(app_test, "乡村振兴")
    at.segmented_control(key="period_kind").set_value("quarter").run()
    assert at.selectbox(key="period_quarter").value == "2024Q1"
    cards = _cards(at)
    assert cards["家庭医生签约率"] == ("80%", "")
    assert cards["危房改造"] == ("19 户", "")
    assert cards["公益性岗位"] == ("10 个", "")
    table = _table(at)
    assert table.loc["杉林村", "家庭医生签约率（%）"] == "70"
    assert table.loc["全镇", "家庭医生签约率（%）"] == "80"
    assert table.loc["全镇", "危房改造（户）"] == "19"
    captions = [c.value for c in at.caption]
    # 2023年第一季度 holds only March: rate (85 + 75) / 2 = 80 → 持平; count 4 + 4 = 8 → +11.
    assert any("较去年同期 持平" in c for c in captions)
    assert any("+11 户（+137.5%）" in c for c in captions)


def test_militia_rate_uses_the_township_row(app_test, store, catalogue, make_workbook) -> None:
    """基干民兵在位率 is recorded by villages and by the township: the 全镇 row (95%) is the
    township's rate, not the villages' mean (85%) nor any sum."""
    _store_area(store, catalogue, make_workbook, "党管武装")
    at = _open(app_test, "党管武装")
    assert _cards(at)["基干民兵在位率"] == ("95%", "+2 个百分点")
    table = _table(at)
    assert table.loc["全镇", "基干民兵在位率（%）"] == "95"
    assert table.loc["镇本级", "基干民兵在位率（%）"] == "95"
    assert table.loc["酉庄村", "基干民兵在位率（%）"] == "90"


def test_period_and_villages_are_remembered_across_pages(
    app_test, store, catalogue, make_workbook
) -> None:
    for area in ("安全生产", "党建引领"):
        _store_area(store, catalogue, make_workbook, area)
    at = _open(app_test, "安全生产")
    at.segmented_control(key="period_kind").set_value("half").run()
    at.multiselect(key="village_filter").set_value(["酉庄村"]).run()
    # 2024年上半年 for 酉庄村 alone: 检查生产经营单位 2 + 1 + 3 = 6; town-only cards hidden.
    cards = _cards(at)
    assert cards["检查生产经营单位"][0] == "6 家次"
    assert "专项隐患排查整治" not in cards
    at.switch_page(AREA_PAGES["党建引领"]).run()
    assert not at.exception
    assert at.segmented_control(key="period_kind").value == "half"
    assert at.selectbox(key="period_half").value == "2024H1"
    assert at.multiselect(key="village_filter").value == ["酉庄村"]
    # 联村领导到村上党课 (per village) for 酉庄村 over the half-year: 6; the table keeps only
    # 酉庄村 and its total, without the township-only columns.
    assert _cards(at)["联村领导到村上党课"][0] == "6 次"
    table = _table(at)
    assert list(table.index) == ["酉庄村", metrics.SELECTED_TOTAL_ROW]
    assert "中心组理论学习（次）" not in table.columns
    assert table.loc[metrics.SELECTED_TOTAL_ROW, "联村领导到村上党课（次）"] == "6"


def _safety_rows() -> list[list[object]]:
    """Hazards found / rectified (blank = 未报) and the 检查生产经营单位 of each month."""
    return [
        ["村（社区）", "月份", "排查安全隐患", "已整改安全隐患", "检查生产经营单位"],
        ["酉庄村", "2023-01", 6, 6, 10],
        ["酉庄村", "2023-02", 6, 6, 10],
        ["酉庄村", "2023-03", 6, 6, 10],
        ["酉庄村", "2024-01", 10, 8, 4],
        ["蛇形村", "2024-01", 5, 5, 2],
        ["酉庄村", "2024-02", 4, 3, 3],
        ["蛇形村", "2024-02", 6, "", 1],
        ["酉庄村", "2024-03", 8, 6, 1],
        ["蛇形村", "2024-03", 2, 2, 1],
    ]


def test_safety_in_depth_numbers(app_test, store, catalogue, make_workbook) -> None:
    """Worked by hand (only rows with both figures count for rate and backlog):

    2024-01: found 10+5, fixed 8+5 → open 2, backlog 2 (2023 closed every hazard)
    2024-02: 蛇形村 has no 整改 figure → only 酉庄村: 3/4 = 75%, open 1, backlog 3
    2024-03: found 8+2 = 10, fixed 6+2 = 8 → 80% (+5 个百分点), open 2, backlog 5 (+2, +66.7%)
    """
    store.import_workbook(
        read_workbook(make_workbook({"安全生产": _safety_rows()}), "安全.xlsx", catalogue), "测试"
    )
    at = _open(app_test, "安全生产")
    assert not at.exception
    cards = _cards(at)
    assert cards["排查安全隐患"] == ("10 处", "持平")
    assert cards["已整改安全隐患"][0] == "8 处"
    assert cards["本期整改率"] == ("80%", "+5 个百分点")
    assert cards["本期新增未整改"] == ("2 处", "+1 处（+100%）")  # February: 4 − 3 = 1
    assert cards["未整改隐患（截至2024年3月）"] == ("5 处", "+2 处（+66.7%）")
    year = next(d.value for d in at.dataframe if "指标" in d.value.columns)
    row = year.set_index("指标").loc["检查生产经营单位（家次）"]
    # 2024年1月至3月: 4+2+3+1+1+1 = 12 against 2023: 30 → -18 (-60%)
    assert (row["2024年第一季度累计"], row["去年同期"], row["增减"]) == ("12", "30", "-18（-60%）")
    titles = [c.proto.spec for c in at.get("plotly_chart")]
    assert len(titles) == 9


def test_overview_shows_attention_and_year_so_far(
    app_test, store, catalogue, make_workbook
) -> None:
    """总览 with the safety data above: backlog 5 处; 2024 rectification (13+3+8)/(15+4+10) =
    24/29 = 82.8%; 检查生产经营单位 since January 12 against 30 (-60%) is far behind; only
    酉庄村 and 蛇形村 reported 安全生产 for 2024年3月, no other area reported at all."""
    store.import_workbook(
        read_workbook(make_workbook({"安全生产": _safety_rows()}), "安全.xlsx", catalogue), "测试"
    )
    at = app_test("app.py").run()
    assert not at.exception
    assert _cards(at)["未整改隐患（截至2024年3月）"][0] == "5 处"
    captions = [c.value for c in at.caption]
    assert "2024年以来整改率 82.8%" in captions
    texts = "\n".join(m.value for m in at.markdown)
    assert "**安全生产·检查生产经营单位**：12 家次，去年同期 30 家次（:red[-60%]）" in texts
    assert "**党建引领**：整表未报" in texts
    assert "**安全生产**：杉林村、杨龙村、石牌村" in texts
    assert "检查生产经营单位：**12 家次**　:red[↓ 60%]" in texts
    links = {p.proto.label: p.proto.page for p in at.get("page_link")}
    assert "查看疫情防控" not in links  # it ended before 2024年3月
    for area in REPORTED_AREAS:
        # every area card links to its page (pages/3_anquan.py is served as "anquan")
        assert links[f"查看{area}"] == AREA_PAGES[area].split("_", 1)[1].removesuffix(".py")


def test_area_downloads_round_trip(store, catalogue, make_workbook) -> None:
    """The bytes behind the page's download buttons (AppTest cannot reach them): the .xlsx and
    the BOM .csv read back to the page's table, 未报 and — kept apart."""
    import io

    import pandas as pd

    from township_data import downloads

    _store_area(store, catalogue, make_workbook, "安全生产")
    table = metrics.period_table(store.current(), catalogue, "安全生产", "2024-03", "2024-03")
    files = metrics.download_table(table, catalogue, "安全生产")
    back = read_back_xlsx(downloads.to_xlsx(files, "潭湾镇2024年3月安全生产工作数据"))
    back = back.set_index("村（社区）")
    assert back.loc["酉庄村", "检查生产经营单位（家次）"] == 3
    assert back.loc["全镇合计", "检查生产经营单位（家次）"] == 8  # a total, as files say it
    assert pd.isna(back.loc["杉林村", "检查生产经营单位（家次）"])  # 未报
    assert back.loc["酉庄村", "专项隐患排查整治（次）"] == "—"
    assert back.loc["镇本级", "专项隐患排查整治（次）"] == 6
    raw = downloads.to_csv(files)
    assert raw.startswith(b"\xef\xbb\xbf")
    csv = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig").set_index("村（社区）")
    assert csv.loc["杉林村", "检查生产经营单位（家次）"] == "未报"
    assert csv.loc["酉庄村", "专项隐患排查整治（次）"] == "—"
    assert csv.loc["全镇合计", "检查生产经营单位（家次）"] == "8"
    shown = metrics.display_table(table, catalogue, "安全生产").set_index("村（社区）")
    assert shown.loc["杉林村", "检查生产经营单位（家次）"] == "未报"
    assert shown.loc["酉庄村", "专项隐患排查整治（次）"] == "—"


def test_an_indicator_added_to_the_catalogue_appears_without_code(
    app_test, data_dir, tmp_path, monkeypatch, make_workbook
) -> None:
    """A new key indicator in catalogue.toml gets its card, its table column and a place in the
    chart choosers of its area page: the page is built from the catalogue."""
    from township_data import config
    from township_data.catalogue import load_catalogue
    from township_data.store import open_store

    text = config.DEFAULT_CATALOGUE.read_text(encoding="utf-8").replace(
        '  { name = "观看安全警示教育片"',
        '  { name = "消防安全检查", unit = "家次", combine = "sum", level = "village", key = true },\n'
        '  { name = "观看安全警示教育片"',
    )
    path = tmp_path / "catalogue.toml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("TOWNSHIP_CATALOGUE", str(path))
    catalogue = load_catalogue(path)
    rows = [
        ["村（社区）", "月份", "消防安全检查（家次）"],
        ["酉庄村", "2024-03", 7],
        ["蛇形村", "2024-03", 5],
    ]
    open_store(data_dir, catalogue).import_workbook(
        read_workbook(make_workbook({"安全生产": rows}), "消防.xlsx", catalogue), "测试"
    )
    at = _open(app_test, "安全生产")
    assert not at.exception
    assert _cards(at)["消防安全检查"][0] == "12 家次"
    assert _table(at).loc["全镇", "消防安全检查（家次）"] == "12"
    assert "消防安全检查" in at.selectbox(key="village_indicator_安全生产").options


def test_area_page_without_data_says_so(app_test, monkeypatch) -> None:
    monkeypatch.setenv("TOWNSHIP_NO_SAMPLE", "1")
    at = _open(app_test, "社会事务")
    assert not at.exception and not at.error
    assert any("还没有任何数据" in w.value for w in at.warning)
