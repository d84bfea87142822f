"""Warnings and honours: repeated 黑榜, repeated first place, big climbs, and why a
village moved between two months."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .. import formatting, months
from ..catalogue import TOTAL_SCORE, Catalogue

if TYPE_CHECKING:  # the Styler needs Jinja2; only the page styles tables, the CLI never does
    pass
from .rank import Ranking, _month_scores
from .scores import (
    BLACK,
    CHANGE,
    QUARTER,
    RANK,
    _month_ranks,
    _ranks_in_order,
    month_totals,
    scored_months,
)


@dataclass(frozen=True)
class Notice:
    """One line for the page and the bulletin: kind is 'warning' or 'honour'."""

    kind: str
    village: str
    months: int
    text: str


def _streaks(flags: pd.DataFrame, month: str) -> pd.Series:
    """Per village: consecutive calendar months ending at `month` where the flag is True (a
    month missing from `flags`, one not scored, breaks the run)."""
    calendar = months.month_range(min(flags.columns), month)
    held = flags.reindex(columns=calendar, fill_value=False).fillna(False).to_numpy(dtype=bool)
    # Walking back from `month`: the run is the number of leading Trues.
    backwards = held[:, ::-1]
    run = np.where(backwards.all(axis=1), backwards.shape[1], np.argmin(backwards, axis=1))
    return pd.Series(run, index=flags.index)


def bottom_streaks(scores: pd.DataFrame, month: str, bottom_n: int) -> dict[str, int]:
    """Villages in the bottom N (黑榜 rule, ties included) for 2+ months in a row up to `month`.

    Every month is judged with the same N, and a month not scored breaks the run. Longest run
    first, then the lower score in `month`.
    """
    totals = month_totals(scores)
    if month not in totals.columns:
        return {}
    found = _streaks(_month_ranks(totals, ascending=True) <= bottom_n, month)
    longest_then_lowest = sorted(
        ((v, int(n)) for v, n in found.items() if n >= 2),
        key=lambda x: (-x[1], totals.at[x[0], month]),
    )
    return dict(longest_then_lowest)


def first_place_streaks(scores: pd.DataFrame, month: str) -> dict[str, int]:
    """Villages ranked first in `month`, with how many months in a row they have been first."""
    totals = month_totals(scores)
    if month not in totals.columns:
        return {}
    first = _month_ranks(totals) == 1
    found = _streaks(first, month)
    return {
        v: int(n)
        for v, n, top in zip(totals.index, found.to_numpy(), first[month].to_numpy(), strict=True)
        if top
    }


def most_improved(ranking: Ranking) -> list[tuple[str, int]]:
    """The villages that climbed the most places against the previous period (ties: all)."""
    change = pd.Series(
        ranking.table[CHANGE].astype("float64").to_numpy(), index=list(ranking.villages)
    ).dropna()
    change = change[change > 0]
    if change.empty:
        return []
    best = int(change.max())
    return [(v, best) for v, c in change.items() if int(c) == best]


def notices(scores: pd.DataFrame, ranking: Ranking, catalogue: Catalogue) -> list[Notice]:
    """Warnings (consecutive months in the bottom N) and honours (first place, most improved).

    Monthly streaks are judged at the period's last scored month, so a quarter shows the
    standing at its end.
    """
    month = ranking.period
    if ranking.kind == QUARTER:
        first, last = months.parse_quarter(ranking.period)
        inside = [m for m in scored_months(scores) if first <= m <= last]
        month = inside[-1]
    at = months.label(month)
    found: list[Notice] = []
    for village, n in bottom_streaks(scores, month, ranking.bottom_n).items():
        found.append(
            Notice(
                "warning",
                village,
                n,
                f"{village}截至{at}已连续 {n} 个月排在后 {ranking.bottom_n} 名（{BLACK}），"
                "请督促整改。",
            )
        )
    for village, n in first_place_streaks(scores, month).items():
        text = (
            f"{village}已连续 {n} 个月排名第一（截至{at}）。"
            if n >= 2
            else f"{village}{at}排名第一。"
        )
        found.append(Notice("honour", village, n, text))
    if ranking.previous_label:
        for village, places in most_improved(ranking):
            row = ranking.row(village)
            before = int(row[RANK]) + places
            found.append(
                Notice(
                    "honour",
                    village,
                    places,
                    f"进步最大：{village}，名次比{ranking.previous_label}上升 {places} 位"
                    f"（第 {before} 名 → 第 {int(row[RANK])} 名）。",
                )
            )
    return found


@dataclass(frozen=True)
class Movement:
    """How one village's score and rank changed against the month before."""

    village: str
    month: str
    previous: str | None
    rank: int | None
    previous_rank: int | None
    items: pd.DataFrame
    summary: str


def _points(value: float) -> str:
    return formatting.number(value, "分", digits=1, fixed=True)


def movement(scores: pd.DataFrame, catalogue: Catalogue, village: str, month: str) -> Movement:
    """The items a village gained or lost against last month, and a one-paragraph summary."""
    items = [i.name for i in catalogue.contest.items]
    before_month = months.shift(month, -1)
    # Only the two months compared are ranked (each month's ranks stand alone).
    totals = month_totals(scores)
    totals = totals[[m for m in totals.columns if m in (before_month, month)]]
    ranks = _ranks_in_order(totals, scores, catalogue)
    now = _month_scores(scores, month)
    before = _month_scores(scores, before_month)
    rank = ranks.loc[village, month] if month in ranks.columns else float("nan")
    before_rank = ranks.loc[village, before_month] if before_month in ranks.columns else None
    at, before_at = months.label(month), months.label(before_month)
    scored_now = village in now.index
    scored_before = village in before.index
    cols = ["评分项", f"{before_at}得分", f"{at}得分", "变化"]
    if not scored_now:
        return Movement(
            village,
            month,
            None,
            None,
            None,
            pd.DataFrame(columns=cols),
            f"{village}{at}没有评分（未报），不参加排名。",
        )
    total = float(now.loc[village, TOTAL_SCORE])
    text = f"{village}{at}得分 {_points(total)}，排第 {int(rank)} 名"
    if not scored_before:
        reason = "上月没有评分" if not before.empty else "上月全镇没有打擂评分"
        table = pd.DataFrame(
            {
                cols[0]: items,
                cols[1]: float("nan"),
                cols[2]: now.loc[village, items].astype("float64").to_numpy(),
                cols[3]: float("nan"),
            }
        )
        return Movement(
            village, month, None, int(rank), None, table, f"{text}；{reason}，无法比较名次变化。"
        )
    assert before_rank is not None  # scored last month, so ranked then
    previous_total = float(before.loc[village, TOTAL_SCORE])
    then = before.loc[village, items].astype("float64")
    current = now.loc[village, items].astype("float64")
    table = pd.DataFrame(
        {
            cols[0]: items,
            cols[1]: then.to_numpy(),
            cols[2]: current.to_numpy(),
            cols[3]: (current - then).to_numpy(),
        }
    )
    text += _against_last_month(table, int(rank), int(before_rank), total, previous_total)
    table = table.sort_values("变化", key=lambda s: s.abs(), ascending=False, ignore_index=True)
    return Movement(village, month, before_month, int(rank), int(before_rank), table, text)


def _against_last_month(
    table: pd.DataFrame, rank: int, before_rank: int, total: float, previous_total: float
) -> str:
    """The comparison after '…排第 N 名': last month's score and place, the move, and the items
    that gained or lost (from the item table's 变化 column)."""
    moved = before_rank - rank
    direction = (
        f"上升 {moved} 位" if moved > 0 else f"下降 {-moved} 位" if moved < 0 else "名次不变"
    )
    if abs(total - previous_total) < 0.005:
        difference = "总分与上月相同"
    else:
        gain = "增加" if total > previous_total else "减少"
        difference = f"总分{gain} {_points(abs(total - previous_total))}"
    text = (
        f"；上月得分 {_points(previous_total)}，排第 {before_rank} 名，{direction}；{difference}。"
    )
    gained = table[table["变化"] > 0].sort_values("变化", ascending=False)
    lost = table[table["变化"] < 0].sort_values("变化")
    if not gained.empty:
        text += "得分增加的项目：" + "、".join(
            f"{r.评分项}（+{_points(r.变化)}）" for r in gained.itertuples()
        )
        text += "；" if not lost.empty else "。"
    if not lost.empty:
        text += "得分减少的项目：" + "、".join(
            f"{r.评分项}（−{_points(-r.变化)}）" for r in lost.itertuples()
        )
        text += "。"
    if gained.empty and lost.empty:
        text += "各评分项得分与上月相同，名次变化来自其他村（社区）得分的变化。"
    return text


def movement_display(found: Movement) -> pd.DataFrame:
    """The item table as the page shows it: scores with one decimal, signed changes."""
    shown = found.items.copy()
    for column in shown.columns[1:3]:
        shown[column] = [formatting.number(v, digits=1, fixed=True) for v in shown[column]]
    shown["变化"] = [formatting.signed(v, "分", digits=1, fixed=True) for v in shown["变化"]]
    return shown.astype("str")


def trajectory(scores: pd.DataFrame, catalogue: Catalogue, village: str) -> pd.DataFrame:
    """A village's rank and 总分 in every month with scores (rank NaN where it was not scored)."""
    all_months = scored_months(scores)
    totals = month_totals(scores)
    ranks = _ranks_in_order(totals, scores, catalogue)
    ranked = ranks.notna().sum()

    def row(table: pd.DataFrame) -> list | np.ndarray:
        """The village's row over every scored month, looked up once, not month by month."""
        if village not in table.index:
            return [None] * len(all_months)
        return table.loc[village].reindex(all_months).to_numpy(dtype="float64")

    return pd.DataFrame(
        {
            "month": all_months,
            "rank": row(ranks),
            "total": row(totals),
            "villages": [int(ranked.get(m, 0)) for m in all_months],
        }
    ).astype({"rank": "float64", "total": "float64"})


def item_strengths(ranking: Ranking, catalogue: Catalogue, village: str) -> tuple[str, str] | None:
    """The village's strongest and weakest item, judged by share of the item's full marks."""
    row = ranking.row(village)
    rates = {
        i.name: float(row[i.name]) / float(i.max)
        for i in catalogue.contest.items
        if i.max and pd.notna(row[i.name])
    }
    if len(rates) < 2:
        return None
    strongest = max(rates, key=lambda k: rates[k])
    weakest = min(rates, key=lambda k: rates[k])
    return (strongest, weakest) if strongest != weakest else None
