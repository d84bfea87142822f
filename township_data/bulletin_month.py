"""The monthly 打擂 bulletin draft (通报): the seed's practice is a monthly inspection and ranking.

Beside the quarterly one (bulletin.py) and in the same 公文 layout: how many villages took part
and the average against last month, 红榜 and 黑榜 with each village's weakest item (lowest share
of its full marks) and most improved item (largest gain on last month), and the villages in the
bottom N for two or more months in a row.
"""

from __future__ import annotations

import pandas as pd

from . import formatting, months, ranking
from .bulletin import draft_note, streak_warning
from .catalogue import TOTAL_SCORE, Catalogue
from .documents import Block, government_docx


def title(catalogue: Catalogue, month: str) -> str:
    """'2024年3月人居环境打擂情况通报'."""
    return f"{months.label(month)}{catalogue.contest.sheet}情况通报"


def file_name(catalogue: Catalogue, month: str) -> str:
    return f"{catalogue.township_name}{title(catalogue, month)}（草稿）.docx"


def _score(value: float) -> str:
    return formatting.number(value, "分", digits=1, fixed=True)


def weakest_item(result: ranking.Ranking, catalogue: Catalogue, village: str) -> str | None:
    """'村容村貌（15.0 分，得分率 75.0%）': the item with the lowest share of its full marks."""
    row = result.row(village)
    rates = {
        i.name: (float(row[i.name]), float(row[i.name]) / float(i.max))
        for i in catalogue.contest.items
        if i.max and pd.notna(row[i.name])
    }
    if not rates:
        return None
    name = min(rates, key=lambda k: rates[k][1])
    value, rate = rates[name]
    return f"{name}（{_score(value)}，得分率 {formatting.number(rate * 100, '%', fixed=True)}）"


def most_improved_item(moved: ranking.Movement) -> str:
    """'垃圾治理（+2.0 分）', or why there is none (no score last month, nothing went up)."""
    if moved.previous is None:
        return "上月没有评分，无法比较"
    gains = moved.items[moved.items["变化"] > 0]
    if gains.empty:
        return "各项得分均未提高"
    best = gains.sort_values("变化", ascending=False, kind="stable").iloc[0]
    return f"{best['评分项']}（{formatting.signed(best['变化'], '分', digits=1, fixed=True)}）"


def _rank_change(result: ranking.Ranking, village: str) -> str:
    change = result.row(village)[ranking.CHANGE]
    if pd.isna(change):
        return ""
    value = int(change)
    if value > 0:
        return f"，较上月上升 {value} 位"
    if value < 0:
        return f"，较上月下降 {-value} 位"
    return "，名次与上月相同"


def village_line(
    scores: pd.DataFrame, catalogue: Catalogue, result: ranking.Ranking, village: str
) -> str:
    """'石牌村：74.0 分，排第 6 名，较上月下降 1 位。最薄弱的项目：…；进步最大的项目：…。'"""
    row = result.row(village)
    line = (
        f"{village}：{_score(row[TOTAL_SCORE])}，排第 {int(row[ranking.RANK])} 名"
        f"{_rank_change(result, village)}。"
    )
    weakest = weakest_item(result, catalogue, village)
    if weakest:
        line += f"最薄弱的项目：{weakest}；"
    moved = ranking.movement(scores, catalogue, village, result.period)
    return f"{line}进步最大的项目：{most_improved_item(moved)}。"


def _overview(scores: pd.DataFrame, result: ranking.Ranking) -> str:
    summary = ranking.month_summary(scores).set_index("month")
    before = months.shift(result.period, -1)
    text = f"本月全镇 {len(result.ranked)} 个村（社区）参加评比，平均分 {_score(result.average)}"
    if before in summary.index:
        previous = float(summary.loc[before, "mean"])
        diff = round(result.average - previous, 2)
        trend = "持平" if abs(diff) < 0.05 else ("提高" if diff > 0 else "下降")
        amount = "" if trend == "持平" else f" {_score(abs(diff))}"
        text += f"，较上月（{_score(previous)}）{trend}{amount}"
    top, bottom = result.ranked[0], result.ranked[-1]
    text += (
        f"。得分最高的是{'、'.join(result.leaders)}（{_score(result.row(top)[TOTAL_SCORE])}），"
        f"最低的是{bottom}（{_score(result.row(bottom)[TOTAL_SCORE])}）。"
    )
    if result.unscored:
        text += f"{'、'.join(result.unscored)}本月没有评分，不参加排名。"
    return text


def blocks(scores: pd.DataFrame, catalogue: Catalogue, result: ranking.Ranking) -> list[Block]:
    """The bulletin's paragraphs for a month's ranking (top/bottom N as chosen there)."""
    if result.kind != ranking.MONTH:
        raise ValueError("the monthly bulletin is written for a month's ranking")
    month = result.period
    name = months.label(month)
    return [
        Block("title", title(catalogue, month)),
        Block("subtitle", "（草稿）"),
        Block("body", "各村（社区）："),
        Block(
            "body",
            f"为持续推进农村人居环境整治提升，{catalogue.township_name}对各村（社区）开展"
            f"{catalogue.contest.sheet}月度检查评比。现将{name}评比情况通报如下：",
        ),
        Block("heading", "一、总体情况"),
        Block("body", _overview(scores, result)),
        Block("heading", f"二、{ranking.RED}（前 {result.top_n} 名）"),
        Block("body", f"以下 {len(result.red)} 个村（社区）进入本月{ranking.RED}，予以通报表扬："),
        *(Block("body", village_line(scores, catalogue, result, v)) for v in result.red),
        Block("heading", f"三、{ranking.BLACK}（后 {result.bottom_n} 名）"),
        Block(
            "body", f"以下 {len(result.black)} 个村（社区）列入本月{ranking.BLACK}，予以通报批评："
        ),
        *(Block("body", village_line(scores, catalogue, result, v)) for v in result.black),
        Block("heading", "四、预警提醒"),
        streak_warning(scores, month, result.bottom_n, f"（{ranking.BLACK}）"),
        Block("heading", "五、下步要求"),
        Block(
            "body",
            f"各村（社区）要对照评分细则，针对本月失分项目逐项整改；进入{ranking.RED}的要保持标准、"
            f"发挥示范作用，列入{ranking.BLACK}的要分析原因、明确措施，确保下月排名有明显进步。",
        ),
        draft_note(catalogue),
    ]


def to_docx(scores: pd.DataFrame, catalogue: Catalogue, result: ranking.Ranking) -> bytes:
    """The monthly bulletin as a 公文-style .docx the office edits in Word or WPS."""
    return government_docx(blocks(scores, catalogue, result))
