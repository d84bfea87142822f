"""The monthly 打擂 bulletin draft: March 2024 of the hand-built sheet, opened with python-docx.

March (top 2, bottom 2): 杨龙村 90, 蛇形村 86, 酉庄村 84, 杉林村 83, 潭湾社区 80, 石牌村 74;
February: 杨龙村 92, 蛇形村 88, 酉庄村 80, 潭湾社区 78, 石牌村 75 (杉林村 not scored).
"""

from __future__ import annotations

import io

import pytest
from docx import Document

from township_data import bulletin_month, ranking
from township_data.workbook import read_workbook

from .test_ranking import SCORES, contest_workbook


def march(catalogue):
    parsed = read_workbook(contest_workbook(SCORES), "打擂.xlsx", catalogue)
    scores = ranking.score_table(parsed.values, catalogue)
    return scores, ranking.rank_month(scores, catalogue, "2024-03", 2, 2)


def test_monthly_bulletin_names_the_right_villages_in_each_list(catalogue) -> None:
    scores, result = march(catalogue)
    data = bulletin_month.to_docx(scores, catalogue, result)
    paragraphs = [p.text for p in Document(io.BytesIO(data)).paragraphs]
    assert paragraphs[0] == "2024年3月人居环境打擂情况通报"
    red_at = paragraphs.index("二、红榜（前 2 名）")
    black_at = paragraphs.index("三、黑榜（后 2 名）")
    warn_at = paragraphs.index("四、预警提醒")
    red = [p.split("：")[0] for p in paragraphs[red_at + 2 : black_at]]
    black = [p.split("：")[0] for p in paragraphs[black_at + 2 : warn_at]]
    assert red == ["杨龙村", "蛇形村"]
    assert black == ["潭湾社区", "石牌村"]
    text = "\n".join(paragraphs)
    # (84 + 86 + 83 + 90 + 74 + 80) / 6 = 82.83; February (80 + 88 + 92 + 75 + 78) / 5 = 82.6.
    assert "本月全镇 6 个村（社区）参加评比，平均分 82.8 分，较上月（82.6 分）提高 0.2 分" in text
    assert "得分最高的是杨龙村（90.0 分），最低的是石牌村（74.0 分）" in text
    assert "东岸社区" in text and "本月没有评分，不参加排名" in text
    # Bottom 2 in January, February and March: both, the lower March score first.
    assert "石牌村连续 3 个月；潭湾社区连续 3 个月" in text


def test_each_village_has_its_weakest_and_most_improved_item(catalogue) -> None:
    scores, result = march(catalogue)
    paragraphs = [b.text for b in bulletin_month.blocks(scores, catalogue, result)]
    line = {p.split("：")[0]: p for p in paragraphs if "排第" in p}
    # 杨龙村 March 18/23/18/17/14: 村容村貌 17/20 = 85% is the lowest share; every item is at
    # or below February's 19/23/18/18/14.
    assert line["杨龙村"] == (
        "杨龙村：90.0 分，排第 1 名，名次与上月相同。最薄弱的项目：村容村貌（17.0 分，得分率 "
        "85.0%）；进步最大的项目：各项得分均未提高。"
    )
    # 石牌村 15/18/15/15/11: 垃圾治理 18/25 = 72%; rank 5 → 6.
    assert line["石牌村"].startswith("石牌村：74.0 分，排第 6 名，较上月下降 1 位。")
    assert "最薄弱的项目：垃圾治理（18.0 分，得分率 72.0%）" in line["石牌村"]
    # 潭湾社区 February 15/20/16/16/11 → March 16/20/16/16/12: 农村改厕 +1 first of the tie.
    assert line["潭湾社区"].endswith("进步最大的项目：农村改厕（+1.0 分）。")
    assert "较上月下降 1 位" in line["潭湾社区"]


def test_a_village_not_scored_last_month_cannot_be_compared(catalogue) -> None:
    scores, _ = march(catalogue)
    result = ranking.rank_month(scores, catalogue, "2024-03", 4, 2)
    assert "杉林村" in result.red  # 83, fourth
    line = next(
        p.text
        for p in bulletin_month.blocks(scores, catalogue, result)
        if p.text.startswith("杉林村：")
    )
    assert line.endswith("进步最大的项目：上月没有评分，无法比较。")
    assert "较上月" not in line.split("。")[0]  # no previous rank either


def test_the_monthly_bulletin_needs_a_month(catalogue) -> None:
    scores, _ = march(catalogue)
    quarter = ranking.rank_quarter(scores, catalogue, "2024Q1", 2, 2)
    with pytest.raises(ValueError):
        bulletin_month.blocks(scores, catalogue, quarter)
    assert bulletin_month.file_name(catalogue, "2024-03") == (
        "潭湾镇2024年3月人居环境打擂情况通报（草稿）.docx"
    )
