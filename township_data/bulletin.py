"""The quarterly 打擂 bulletin draft (通报): editable text written from the quarter's ranking.

Kept apart from the ranking package, which only computes ranks and lists: this module turns them into
official prose (how many villages took part, the average, 红榜 and 黑榜 with each village's
strongest and weakest items, consecutive-bottom warnings) and hands the paragraphs to
documents.government_docx, the one 公文 layout the work report also uses.
"""

from __future__ import annotations

import pandas as pd

from . import formatting, months, ranking
from .catalogue import TOTAL_SCORE, Catalogue
from .documents import Block, government_docx


def title(catalogue: Catalogue, quarter: str) -> str:
    """'2024年第一季度人居环境打擂情况通报'."""
    return f"{months.quarter_label(quarter)}{catalogue.contest.sheet}情况通报"


def _score(value: float) -> str:
    return formatting.number(value, "分", digits=2, fixed=True)


def _village_line(result: ranking.Ranking, catalogue: Catalogue, village: str, good: bool) -> str:
    """'潭湾社区：季度平均 89.50 分，排第 1 名。垃圾治理得分率最高（…），长效管护相对薄弱（…）。'"""
    row = result.row(village)
    line = f"{village}：季度平均 {_score(row[TOTAL_SCORE])}，排第 {int(row[ranking.RANK])} 名"
    fewer = result.fewer_months.get(village)
    if fewer:
        line += f"（本季度仅评分 {fewer} 个月）"
    found = ranking.item_strengths(result, catalogue, village)
    if found is None:
        return line + "。"
    strongest, weakest = found
    maxima = {i.name: i.max for i in catalogue.contest.items}

    def part(name: str) -> str:
        value = float(row[name])
        rate = value / float(maxima[name] or 1) * 100
        return f"{name}（平均 {_score(value)}，得分率 {formatting.number(rate, '%', fixed=True)}）"

    if good:
        return f"{line}。{part(strongest)}表现最好，{part(weakest)}还有提升空间。"
    return f"{line}。{part(weakest)}失分最多，是主要短板；{part(strongest)}相对较好。"


def blocks(scores: pd.DataFrame, catalogue: Catalogue, result: ranking.Ranking) -> list[Block]:
    """The bulletin's paragraphs for a quarter's ranking (top/bottom N as chosen there)."""
    if result.kind != ranking.QUARTER:
        raise ValueError("the bulletin is written for a quarter's ranking")
    first, last = months.parse_quarter(result.period)
    inside = [m for m in ranking.scored_months(scores) if first <= m <= last]
    return [
        Block("title", title(catalogue, result.period)),
        Block("subtitle", "（草稿）"),
        Block("body", "各村（社区）："),
        Block(
            "body",
            f"为持续推进农村人居环境整治提升，{catalogue.township_name}每月对各村（社区）开展"
            f"{catalogue.contest.sheet}检查评比，按得分排名。现将{result.label}评比情况通报如下：",
        ),
        Block("heading", "一、总体情况"),
        Block("body", _overview(scores, result, inside)),
        *_lists(result, catalogue),
        Block("heading", "四、预警提醒"),
        streak_warning(scores, inside[-1], result.bottom_n),
        *_next_steps(catalogue),
    ]


def _overview(scores: pd.DataFrame, result: ranking.Ranking, inside: list[str]) -> str:
    """一、总体情况: how often and how many took part, each month's average, best and worst."""
    summary = ranking.month_summary(scores).set_index("month")
    monthly = "，".join(
        f"{int(m[5:])}月 {_score(summary.loc[m, 'mean'])}（{int(summary.loc[m, 'villages'])} 个村参评）"
        for m in inside
    )
    span = months.period_label(inside[0], inside[-1])
    overview = (
        f"{span}共评比 {len(inside)} 次，全镇 {len(result.ranked)} 个村（社区）参加评比，"
        f"季度平均分 {_score(result.average)}。各月全镇平均分：{monthly}。"
    )
    top, bottom = result.ranked[0], result.ranked[-1]
    overview += (
        f"季度平均分最高的是{top}（{_score(result.row(top)[TOTAL_SCORE])}），"
        f"最低的是{bottom}（{_score(result.row(bottom)[TOTAL_SCORE])}）。"
    )
    if result.fewer_months:
        fewer = "、".join(f"{v}（{n} 个月）" for v, n in result.fewer_months.items())
        overview += f"{fewer}本季度评分月份较少，按已评分月份的平均分排名。"
    if result.unscored:
        overview += f"{'、'.join(result.unscored)}本季度没有评分。"
    return overview


def _lists(result: ranking.Ranking, catalogue: Catalogue) -> list[Block]:
    """二、红榜 and 三、黑榜: a heading, who speaks at the meeting, and one line per village."""
    out = [
        Block("heading", f"二、{ranking.RED}（前 {result.top_n} 名）"),
        Block(
            "body",
            f"以下 {len(result.red)} 个村（社区）进入{ranking.RED}，在季度表彰大会上作经验交流发言：",
        ),
    ]
    out += [Block("body", _village_line(result, catalogue, v, True)) for v in result.red]
    out += [
        Block("heading", f"三、{ranking.BLACK}（后 {result.bottom_n} 名）"),
        Block(
            "body",
            f"以下 {len(result.black)} 个村（社区）列入{ranking.BLACK}，在季度表彰大会上作表态发言：",
        ),
    ]
    out += [Block("body", _village_line(result, catalogue, v, False)) for v in result.black]
    return out


def streak_warning(scores: pd.DataFrame, month: str, bottom_n: int, tag: str = "") -> Block:
    """四、预警提醒 (quarterly and monthly): the villages in the bottom N for two or more months
    in a row up to `month`, or that there are none; `tag` follows 后 N 名 (the monthly '（黑榜）')."""
    warnings = ranking.bottom_streaks(scores, month, bottom_n)
    when = months.label(month)
    if not warnings:
        return Block(
            "body", f"截至{when}，没有村（社区）连续两个月及以上排在全镇后 {bottom_n} 名。"
        )
    listed = "；".join(f"{v}连续 {n} 个月" for v, n in warnings.items())
    return Block(
        "body",
        f"截至{when}，以下村（社区）连续排在全镇后 {bottom_n} 名{tag}："
        f"{listed}。请相关村（社区）主要负责人高度重视，对照评分细则逐项查找原因，"
        "限期整改到位，镇联村领导跟踪督办。",
    )


def draft_note(catalogue: Catalogue) -> Block:
    """The closing note of every bulletin draft: generated, to be checked and edited."""
    return Block(
        "note",
        f"（本稿由{catalogue.township_name}工作数据看板根据打擂评分自动生成，"
        "数字请与评分表核对，文字可直接修改后印发。）",
    )


def _next_steps(catalogue: Catalogue) -> list[Block]:
    """五、下步要求 and the closing note."""
    items = "、".join(i.name for i in catalogue.contest.items)
    return [
        Block("heading", "五、下步要求"),
        Block(
            "body",
            f"各村（社区）要对照评分细则，巩固长处、补齐短板，持续抓好{items}等工作；"
            f"进入{ranking.RED}的要保持标准、发挥示范作用，列入{ranking.BLACK}的要分析原因、"
            "明确措施、限期提升，确保下季度排名有明显进步。",
        ),
        draft_note(catalogue),
    ]


def text(parts: list[Block]) -> str:
    """The bulletin as plain text (page preview), one paragraph per line."""
    return "\n\n".join(p.text for p in parts)


def to_docx(scores: pd.DataFrame, catalogue: Catalogue, result: ranking.Ranking) -> bytes:
    """The bulletin as a 公文-style .docx the office edits in Word or WPS."""
    return government_docx(blocks(scores, catalogue, result))


def file_name(catalogue: Catalogue, quarter: str) -> str:
    return f"{catalogue.township_name}{title(catalogue, quarter)}（草稿）.docx"
