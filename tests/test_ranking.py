"""打擂 ranking on hand-built score sheets read through the workbook reader.

Six villages over 2024-01..03 (the other ten configured villages are never scored):

| village  | 2024-01 | 2024-02 | 2024-03 | Q1 mean (months) |
|----------|---------|---------|---------|------------------|
| 酉庄村   | 90 (1)  | 80 (3)  | 84 (3)  | 84.67 (3)        |
| 蛇形村   | 85 (2)  | 88 (2)  | 86 (2)  | 86.33 (3)        |
| 杉林村   | 85 (2)  | —       | 83 (4)  | 84.00 (2)        |
| 杨龙村   | 80 (4)  | 92 (1)  | 90 (1)  | 87.33 (3)        |
| 石牌村   | 75 (5)  | 75 (5)  | 74 (6)  | 74.67 (3)        |
| 潭湾社区 | 75 (5)  | 78 (4)  | 80 (5)  | 77.67 (3)        |

January has ties in the middle (2, 2) and at the bottom (5, 5); 杉林村 misses February.
"""

from __future__ import annotations

import pandas as pd
import pytest

from tests.readback import read_back_csv, read_back_xlsx
from township_data import ranking
from township_data.catalogue import TOTAL_SCORE
from township_data.errors import TownshipError
from township_data.workbook import read_workbook

from .conftest import build_workbook

ITEMS = ["农村改厕", "垃圾治理", "污水治理", "村容村貌", "长效管护"]
SCORES: dict[str, dict[str, list[float]]] = {
    "2024-01": {
        "酉庄村": [18, 22, 18, 18, 14],
        "蛇形村": [17, 21, 17, 17, 13],
        "杉林村": [17, 21, 17, 17, 13],
        "杨龙村": [16, 20, 16, 16, 12],
        "石牌村": [15, 19, 15, 15, 11],
        "潭湾社区": [15, 19, 15, 15, 11],
    },
    "2024-02": {
        "酉庄村": [18, 20, 14, 16, 12],
        "蛇形村": [18, 22, 17, 18, 13],
        "杨龙村": [19, 23, 18, 18, 14],
        "石牌村": [15, 19, 15, 15, 11],
        "潭湾社区": [15, 20, 16, 16, 11],
    },
    "2024-03": {
        "酉庄村": [17, 21, 17, 17, 12],
        "蛇形村": [17, 22, 17, 17, 13],
        "杉林村": [17, 21, 16, 17, 12],
        "杨龙村": [18, 23, 18, 17, 14],
        "石牌村": [15, 18, 15, 15, 11],
        "潭湾社区": [16, 20, 16, 16, 12],
    },
}
SIX = ["酉庄村", "蛇形村", "杉林村", "杨龙村", "石牌村", "潭湾社区"]


def contest_workbook(data: dict[str, dict[str, list[float]]], with_total: bool = True) -> bytes:
    """A workbook with one 人居环境打擂 sheet holding every month of `data`."""
    header = ["村（社区）", "月份", *ITEMS] + (["总分"] if with_total else [])
    rows: list[list[object]] = [header]
    for month, villages in data.items():
        for village, items in villages.items():
            rows.append([village, month, *items] + ([sum(items)] if with_total else []))
    return build_workbook({"人居环境打擂": rows})


@pytest.fixture(scope="module")
def scores(catalogue) -> pd.DataFrame:
    parsed = read_workbook(contest_workbook(SCORES), "打擂.xlsx", catalogue)
    return ranking.score_table(parsed.values, catalogue)


def ranked(result: ranking.Ranking) -> dict[str, tuple]:
    """village → (排名, 总分, 较上期名次变化, 榜单) with None for missing."""
    out = {}
    table = result.table[["排名", "总分", "较上期名次变化", "榜单"]]
    for village, row in zip(result.villages, table.itertuples(index=False), strict=True):
        values = tuple(row)
        out[village] = tuple(None if pd.isna(v) else v for v in values)
    return out


def test_total_is_computed_from_items_when_the_sheet_has_no_total(catalogue) -> None:
    parsed = read_workbook(
        contest_workbook({"2024-01": SCORES["2024-01"]}, with_total=False), "无总分.xlsx", catalogue
    )
    table = ranking.score_table(parsed.values, catalogue).set_index("village")
    assert table.loc["酉庄村", TOTAL_SCORE] == 90
    assert table.loc["杨龙村", TOTAL_SCORE] == 80
    assert table.loc["酉庄村", "垃圾治理"] == 22
    result = ranking.rank_month(ranking.score_table(parsed.values, catalogue), catalogue, "2024-01")
    assert result.ranked[:3] == ["酉庄村", "蛇形村", "杉林村"]


def test_columns_follow_the_contract(scores, catalogue) -> None:
    result = ranking.rank_month(scores, catalogue, "2024-03")
    assert list(result.table.columns) == [
        "排名",
        "村（社区）",
        "总分",
        "农村改厕",
        "垃圾治理",
        "污水治理",
        "村容村貌",
        "长效管护",
        "较上期名次变化",
        "榜单",
    ]


def test_ties_in_the_middle_share_a_rank_and_the_next_skips(scores, catalogue) -> None:
    result = ranking.rank_month(scores, catalogue, "2024-01", top_n=1, bottom_n=1)
    ranks = {v: r[0] for v, r in ranked(result).items() if v in SIX}
    assert ranks == {"酉庄村": 1, "蛇形村": 2, "杉林村": 2, "杨龙村": 4, "石牌村": 5, "潭湾社区": 5}
    assert list(result.table["排名"][:6]) == [1, 2, 2, 4, 5, 5]
    # Tied villages keep the catalogue's order.
    assert list(result.table["村（社区）"][:6]) == SIX


def test_tie_at_the_top_edge_takes_in_every_tied_village(scores, catalogue) -> None:
    result = ranking.rank_month(scores, catalogue, "2024-01", top_n=2, bottom_n=2)
    assert result.red == ["酉庄村", "蛇形村", "杉林村"]
    assert ranking.rank_month(scores, catalogue, "2024-01", top_n=1, bottom_n=1).red == ["酉庄村"]


def test_tie_at_the_bottom_edge_takes_in_every_tied_village(scores, catalogue) -> None:
    one = ranking.rank_month(scores, catalogue, "2024-01", top_n=1, bottom_n=1)
    assert one.black == ["石牌村", "潭湾社区"]
    two = ranking.rank_month(scores, catalogue, "2024-01", top_n=1, bottom_n=2)
    assert two.black == ["石牌村", "潭湾社区"]
    three = ranking.rank_month(scores, catalogue, "2024-01", top_n=1, bottom_n=3)
    assert three.black == ["杨龙村", "石牌村", "潭湾社区"]
    assert list(three.table["榜单"][:6]) == ["红榜", "", "", "黑榜", "黑榜", "黑榜"]


def test_red_wins_when_the_lists_meet(scores, catalogue) -> None:
    result = ranking.rank_month(scores, catalogue, "2024-01", top_n=4, bottom_n=3)
    assert result.red == ["酉庄村", "蛇形村", "杉林村", "杨龙村"]
    assert result.black == ["石牌村", "潭湾社区"]


def test_a_village_missing_a_month_is_listed_as_unscored_not_last(scores, catalogue) -> None:
    result = ranking.rank_month(scores, catalogue, "2024-02", top_n=2, bottom_n=2)
    rows = ranked(result)
    assert rows["杉林村"] == (None, None, None, "")
    assert result.ranked == ["杨龙村", "蛇形村", "酉庄村", "潭湾社区", "石牌村"]
    assert result.villages.index("杉林村") >= 5
    assert "杉林村" in result.unscored and "杉林村" not in result.black
    assert result.black == ["潭湾社区", "石牌村"]
    assert len(result.table) == 16
    assert result.table["排名"].isna().sum() == 11


def test_movement_against_the_previous_month(scores, catalogue) -> None:
    rows = ranked(ranking.rank_month(scores, catalogue, "2024-02"))
    # previous rank − this rank: 杨龙村 4 → 1 is +3, 酉庄村 1 → 3 is −2.
    assert rows["杨龙村"][2] == 3
    assert rows["酉庄村"][2] == -2
    assert rows["蛇形村"][2] == 0
    assert rows["潭湾社区"][2] == 1
    march = ranked(ranking.rank_month(scores, catalogue, "2024-03"))
    assert march["杉林村"][:3] == (4, 83, None)  # not ranked in February: no change
    assert march["石牌村"][2] == -1


def test_no_previous_month_leaves_every_change_empty(scores, catalogue) -> None:
    result = ranking.rank_month(scores, catalogue, "2024-01")
    assert result.previous_label is None
    assert result.table["较上期名次变化"].isna().all()
    assert ranking.most_improved(result) == []


def test_quarter_ranks_by_mean_of_scored_months_and_marks_fewer(scores, catalogue) -> None:
    result = ranking.rank_quarter(scores, catalogue, "2024Q1", top_n=2, bottom_n=2)
    rows = ranked(result)
    assert rows["杨龙村"][:2] == (1, 87.33)
    assert rows["蛇形村"][:2] == (2, 86.33)
    assert rows["酉庄村"][:2] == (3, 84.67)
    assert rows["杉林村"][:2] == (4, 84.0)  # (85 + 83) / 2, not (85 + 0 + 83) / 3
    assert rows["潭湾社区"][:2] == (5, 77.67)
    assert rows["石牌村"][:2] == (6, 74.67)
    assert result.fewer_months == {"杉林村": 2}
    # The name stays plain (it looks up against the village list); the count has its column.
    assert result.row("杉林村")["村（社区）"] == "杉林村"
    assert result.row("杉林村")["评分月数"] == 2 and result.row("酉庄村")["评分月数"] == 3
    assert result.table.columns[-1] == "评分月数"
    assert pd.isna(result.row("东岸社区")["评分月数"])  # never scored in the quarter
    shown = ranking.display_table(result.table, 2, result.fewer_months).set_index("村（社区）")
    assert "杉林村（仅评2个月）" in shown.index and "酉庄村" in shown.index
    assert result.row("杉林村")["农村改厕"] == 17.0
    assert result.red == ["杨龙村", "蛇形村"] and result.black == ["潭湾社区", "石牌村"]
    assert result.previous_label is None
    assert any("评分月数" in note for note in result.notes)


def test_quarter_change_against_the_previous_quarter(catalogue) -> None:
    data = {**SCORES, "2024-04": {"杉林村": [19, 24, 19, 19, 14], "石牌村": [16, 20, 16, 16, 12]}}
    parsed = read_workbook(contest_workbook(data), "打擂.xlsx", catalogue)
    table = ranking.score_table(parsed.values, catalogue)
    result = ranking.rank_quarter(table, catalogue, "2024Q2")
    rows = ranked(result)
    assert rows["杉林村"][:3] == (1, 95.0, 3)  # Q1 rank 4 → 1
    assert rows["石牌村"][:3] == (2, 80.0, 4)  # Q1 rank 6 → 2
    assert rows["杨龙村"] == (None, None, None, "")
    assert result.fewer_months == {}
    assert result.previous_label == "2024年第一季度"


def test_a_month_without_scores_is_a_chinese_error(scores, catalogue) -> None:
    with pytest.raises(TownshipError) as caught:
        ranking.rank_month(scores, catalogue, "2024-07")
    assert "2024年7月没有打擂评分数据" in str(caught.value)
    with pytest.raises(TownshipError, match="红榜人数"):
        ranking.rank_month(scores, catalogue, "2024-01", top_n=0)


def test_bottom_streaks_and_first_place_streaks(scores) -> None:
    assert ranking.bottom_streaks(scores, "2024-03", 1) == {"石牌村": 3}
    assert ranking.bottom_streaks(scores, "2024-03", 2) == {"石牌村": 3, "潭湾社区": 3}
    assert ranking.bottom_streaks(scores, "2024-01", 1) == {}
    assert ranking.first_place_streaks(scores, "2024-03") == {"杨龙村": 2}
    assert ranking.first_place_streaks(scores, "2024-01") == {"酉庄村": 1}


def test_notices_name_warnings_and_honours(scores, catalogue) -> None:
    result = ranking.rank_month(scores, catalogue, "2024-02", top_n=1, bottom_n=1)
    texts = [n.text for n in ranking.notices(scores, result, catalogue)]
    assert "石牌村截至2024年2月已连续 2 个月排在后 1 名（黑榜），请督促整改。" in texts
    assert "杨龙村2024年2月排名第一。" in texts
    assert "进步最大：杨龙村，名次比2024年1月上升 3 位（第 4 名 → 第 1 名）。" in texts
    quarter = ranking.rank_quarter(scores, catalogue, "2024Q1", top_n=1, bottom_n=1)
    quarter_texts = [n.text for n in ranking.notices(scores, quarter, catalogue)]
    assert "杨龙村已连续 2 个月排名第一（截至2024年3月）。" in quarter_texts


def test_why_a_village_moved(scores, catalogue) -> None:
    moved = ranking.movement(scores, catalogue, "酉庄村", "2024-02")
    assert (moved.rank, moved.previous_rank) == (3, 1)
    changes = dict(zip(moved.items["评分项"], moved.items["变化"], strict=True))
    assert changes == {
        "污水治理": -4,
        "垃圾治理": -2,
        "村容村貌": -2,
        "长效管护": -2,
        "农村改厕": 0,
    }
    assert "下降 2 位" in moved.summary and "总分减少 10.0 分" in moved.summary
    assert "得分减少的项目：污水治理（−4.0 分）" in moved.summary
    gained = ranking.movement(scores, catalogue, "蛇形村", "2024-02")
    assert "名次不变" in gained.summary
    assert "得分增加的项目：农村改厕（+1.0 分）、垃圾治理（+1.0 分）、村容村貌（+1.0 分）。" in (
        gained.summary
    )
    shown = ranking.movement_display(gained)
    assert list(shown.columns) == ["评分项", "2024年1月得分", "2024年2月得分", "变化"]
    assert set(shown["变化"]) == {"+1.0 分", "持平"}


def test_why_a_village_moved_without_previous_month(scores, catalogue) -> None:
    back = ranking.movement(scores, catalogue, "杉林村", "2024-03")
    assert back.previous_rank is None and back.rank == 4
    assert "上月没有评分，无法比较名次变化" in back.summary
    first = ranking.movement(scores, catalogue, "杉林村", "2024-01")
    assert "上月全镇没有打擂评分" in first.summary
    absent = ranking.movement(scores, catalogue, "杉林村", "2024-02")
    assert absent.rank is None and "没有评分（未报）" in absent.summary


def test_rank_trajectory_keeps_gaps(scores, catalogue) -> None:
    path = ranking.trajectory(scores, catalogue, "杉林村")
    assert list(path["month"]) == ["2024-01", "2024-02", "2024-03"]
    assert path["rank"].tolist()[0] == 2 and pd.isna(path["rank"].tolist()[1])
    assert path["rank"].tolist()[2] == 4
    assert list(path["villages"]) == [6, 5, 6]


def test_display_table_uses_arrows_and_unscored(scores, catalogue) -> None:
    result = ranking.rank_month(scores, catalogue, "2024-02")
    shown = ranking.display_table(result.table, result.digits).set_index("村（社区）")
    assert shown.loc["杨龙村", "较上期名次变化"] == "↑3"
    assert shown.loc["酉庄村", "较上期名次变化"] == "↓2"
    assert shown.loc["蛇形村", "较上期名次变化"] == "持平"
    assert shown.loc["杉林村", "排名"] == "未报" and shown.loc["杉林村", "总分"] == "未报"
    assert shown.loc["杉林村", "较上期名次变化"] == ""
    assert shown.loc["杨龙村", "总分"] == "92.0"


def test_downloads_hold_the_same_table(scores, catalogue) -> None:
    result = ranking.rank_month(scores, catalogue, "2024-02")
    shown = ranking.display_table(result.table, result.digits)
    xlsx = ranking.to_xlsx(result, catalogue)
    back = read_back_xlsx(xlsx, rows=len(result.table))
    pd.testing.assert_frame_equal(ranking.display_table(back, result.digits), shown)
    csv = ranking.to_csv(result)
    assert csv.startswith(b"\xef\xbb\xbf")
    back_csv = read_back_csv(csv)
    pd.testing.assert_frame_equal(ranking.display_table(back_csv, result.digits), shown)
    text = csv.decode("utf-8-sig").splitlines()
    assert (
        text[0]
        == "排名,村（社区）,总分,农村改厕,垃圾治理,污水治理,村容村貌,长效管护,较上期名次变化,榜单"
    )
    assert "未报,杉林村,未报,未报,未报,未报,未报,未报,," in text
    assert text[1] == "1,杨龙村,92,19,23,18,18,14,3,红榜"


def test_xlsx_title_frozen_header_and_shaded_rows(scores, catalogue) -> None:
    import io

    from openpyxl import load_workbook

    result = ranking.rank_month(scores, catalogue, "2024-02", top_n=1, bottom_n=2)
    ws = load_workbook(io.BytesIO(ranking.to_xlsx(result, catalogue))).active
    assert ws["A1"].value == "潭湾镇2024年2月人居环境打擂排名"
    assert ws.freeze_panes == "B3"
    assert [c.value for c in ws[2]][:3] == ["排名", "村（社区）", "总分"]
    assert ws["B3"].value == "杨龙村" and ws["B3"].fill.fgColor.rgb.endswith("FCE4E4")
    assert ws["B4"].fill.fgColor.rgb in ("00000000", None) or ws["B4"].fill.fill_type is None
    assert ws["B7"].value == "石牌村" and ws["B7"].fill.fgColor.rgb.endswith("D9D9D9")
    assert ws["I3"].value == 3 and ws["I3"].number_format == "+0;-0;0"
    unscored = next(r for r in ws.iter_rows(min_row=3) if r[1].value == "杉林村")
    assert unscored[0].value == "未报" and unscored[8].value is None
    assert ws.column_dimensions["B"].width >= 8
    assert ranking.file_name(result, catalogue, ".xlsx") == "潭湾镇2024年2月人居环境打擂排名.xlsx"


def test_scores_read_from_the_stored_sheet_equal_the_score_table(store, catalogue) -> None:
    data = contest_workbook(SCORES, with_total=False)
    store.import_workbook(read_workbook(data, "打擂.xlsx", catalogue), "测试")
    expected = ranking.score_table(store.current(), catalogue)
    pd.testing.assert_frame_equal(ranking.stored_scores(store, catalogue), expected)
    assert len(expected) == sum(len(v) for v in SCORES.values())


def test_quarter_files_hold_plain_village_names_and_the_month_count(scores, catalogue) -> None:
    result = ranking.rank_quarter(scores, catalogue, "2024Q1", top_n=2, bottom_n=2)
    rows = len(result.table)
    for back in (
        read_back_xlsx(ranking.to_xlsx(result, catalogue), rows=rows),
        read_back_csv(ranking.to_csv(result)),
    ):
        # A VLOOKUP against the village list finds every row: the names are the catalogue's.
        assert back["村（社区）"].tolist() == list(result.villages)
        assert set(back["村（社区）"]) == set(catalogue.village_names)
        assert back.columns.tolist() == [*ranking.columns(catalogue), "评分月数"]
        counts = dict(zip(back["村（社区）"], back["评分月数"], strict=True))
        assert counts["杉林村"] == 2 and counts["杨龙村"] == 3
        assert pd.isna(counts["东岸社区"])  # not scored: empty, not 0
        pd.testing.assert_frame_equal(
            ranking.display_table(back, 2), ranking.display_table(result.table, 2)
        )
