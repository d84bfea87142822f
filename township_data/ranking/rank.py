"""A month's or a quarter's ranking: ranks with ties, 红榜 and 黑榜, movement, 未报."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from .. import months
from ..catalogue import TOTAL_SCORE, Catalogue
from ..errors import Problem, TownshipError

if TYPE_CHECKING:  # the Styler needs Jinja2; only the page styles tables, the CLI never does
    pass
from .scores import (
    _PRECISION,
    BLACK,
    BOARD,
    CHANGE,
    MONTH,
    MONTHS_SCORED,
    QUARTER,
    RANK,
    RED,
    VILLAGE,
    _rank,
    scored_months,
    village_order,
)


def boards(totals: pd.Series, top_n: int, bottom_n: int) -> pd.Series:
    """红榜 / 黑榜 / '' per village; ties at the edge are all taken in."""
    rounded = totals.round(_PRECISION)
    top = rounded.rank(ascending=False, method="min") <= top_n
    bottom = rounded.rank(ascending=True, method="min") <= bottom_n
    board = pd.Series("", index=totals.index, dtype="str")
    board[bottom] = BLACK
    board[top] = RED
    return board


@dataclass(frozen=True)
class Ranking:
    """One ranked period: the contract's table plus what the page and bulletin need."""

    kind: str
    period: str
    label: str
    table: pd.DataFrame
    villages: tuple[str, ...]
    top_n: int
    bottom_n: int
    previous_label: str | None
    months_scored: dict[str, int] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def _names(self, board: str) -> list[str]:
        return [v for v, b in zip(self.villages, self.table[BOARD], strict=True) if b == board]

    @property
    def red(self) -> list[str]:
        return self._names(RED)

    @property
    def black(self) -> list[str]:
        return self._names(BLACK)

    @property
    def ranked(self) -> list[str]:
        return [v for v, r in zip(self.villages, self.table[RANK], strict=True) if pd.notna(r)]

    @property
    def leaders(self) -> list[str]:
        """The villages ranked first (several when they tie)."""
        ranks = self.table[RANK].astype("float64")
        return [v for v, r in zip(self.villages, ranks, strict=True) if r == 1]

    @property
    def unscored(self) -> list[str]:
        return [v for v, r in zip(self.villages, self.table[RANK], strict=True) if pd.isna(r)]

    @property
    def fewer_months(self) -> dict[str, int]:
        """Villages scored in fewer months of the quarter than the most-scored village."""
        if not self.months_scored:
            return {}
        most = max(self.months_scored.values())
        return {v: n for v, n in self.months_scored.items() if n < most}

    @property
    def average(self) -> float:
        """The town's average 总分 of the period over the ranked villages."""
        return float(self.table[TOTAL_SCORE].mean())

    @property
    def digits(self) -> int:
        """Decimals shown: monthly scores are in half points, quarterly means need two."""
        return 1 if self.kind == MONTH else 2

    def row(self, village: str) -> pd.Series:
        return self.table.iloc[self.villages.index(village)]

    def title(self, catalogue: Catalogue) -> str:
        """'潭湾镇2024年3月人居环境打擂排名' — the downloads' title row and file name."""
        return f"{catalogue.township_name}{self.label}{catalogue.contest.sheet}排名"


def _error(message: str) -> TownshipError:
    return TownshipError(problems=[Problem(message=message)], title="无法排名")


def _list_sizes(
    catalogue: Catalogue, top_n: int | None, bottom_n: int | None, villages: int
) -> tuple[int, int]:
    """N for 红榜 and 黑榜: the page's what-if values, else the catalogue's, checked."""
    top_n = catalogue.contest.red_n if top_n is None else top_n
    bottom_n = catalogue.contest.black_n if bottom_n is None else bottom_n
    problems = [
        Problem(message=f"{name}人数应为 1 到 {villages} 之间的整数，现为 {n}")
        for name, n in ((RED, top_n), (BLACK, bottom_n))
        if not 1 <= n <= villages
    ]
    if problems:
        raise TownshipError(problems=problems, title="无法排名")
    return top_n, bottom_n


def _available(scores: pd.DataFrame) -> str:
    found = scored_months(scores)
    if not found:
        return "还没有任何打擂评分数据"
    return f"已有评分的月份：{months.label(found[0])}至{months.label(found[-1])}"


def _build(
    catalogue: Catalogue,
    order: list[str],
    current: pd.DataFrame,
    previous_totals: pd.Series | None,
    top_n: int,
    bottom_n: int,
    months_scored: pd.Series | None = None,
) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """The contract table from per-village scores (index village, items and 总分 columns).

    The 村（社区） cell is always the plain name (it joins and looks up against the village
    list); a quarter's table gets 评分月数 as its last column.
    """
    items = [i.name for i in catalogue.contest.items]
    frame = current.reindex(order)
    totals = frame[TOTAL_SCORE]
    frame[RANK] = _rank(totals)
    frame[BOARD] = boards(totals.dropna(), top_n, bottom_n).reindex(frame.index).fillna("")
    if previous_totals is not None and not previous_totals.dropna().empty:
        before = _rank(previous_totals.dropna()).reindex(frame.index)
        frame[CHANGE] = before - frame[RANK]
    else:
        frame[CHANGE] = float("nan")
    frame["_order"] = range(len(frame))
    frame = frame.sort_values([RANK, "_order"], na_position="last")
    villages = tuple(frame.index)
    columns = {
        RANK: frame[RANK].astype("Int64"),
        VILLAGE: pd.Series(villages, index=frame.index, dtype="str"),
        TOTAL_SCORE: frame[TOTAL_SCORE].astype("float64"),
        **{name: frame[name].astype("float64") for name in items},
        CHANGE: frame[CHANGE].astype("Int64"),
        BOARD: frame[BOARD].astype("str"),
    }
    if months_scored is not None:
        columns[MONTHS_SCORED] = months_scored.reindex(frame.index).astype("Int64")
    return pd.DataFrame(columns).reset_index(drop=True), villages


def _month_scores(scores: pd.DataFrame, month: str) -> pd.DataFrame:
    return scores[scores["month"] == month].set_index("village").drop(columns="month")


def rank_month(
    scores: pd.DataFrame,
    catalogue: Catalogue,
    month: str,
    top_n: int | None = None,
    bottom_n: int | None = None,
) -> Ranking:
    """The ranked table of one month, compared with the calendar month before it."""
    order = village_order(scores, catalogue)
    top_n, bottom_n = _list_sizes(catalogue, top_n, bottom_n, len(order))
    current = _month_scores(scores, month)
    if current.empty:
        raise _error(f"{months.label(month)}没有打擂评分数据（{_available(scores)}）")
    before_month = months.shift(month, -1)
    before = _month_scores(scores, before_month)
    table, villages = _build(
        catalogue,
        order,
        current,
        before[TOTAL_SCORE] if not before.empty else None,
        top_n,
        bottom_n,
    )
    return Ranking(
        kind=MONTH,
        period=month,
        label=months.label(month),
        table=table,
        villages=villages,
        top_n=top_n,
        bottom_n=bottom_n,
        previous_label=months.label(before_month) if not before.empty else None,
        months_scored={v: 1 for v in current.index},
        notes=_notes(top_n, bottom_n, {}),
    )


def _quarter_means(scores: pd.DataFrame, quarter: str) -> tuple[pd.DataFrame, pd.Series]:
    """Per village: the mean of every item and of 总分 over its scored months, and the count."""
    first, last = months.parse_quarter(quarter)
    cut = scores[(scores["month"] >= first) & (scores["month"] <= last)]
    grouped = cut.drop(columns="month").groupby("village")
    return grouped.mean().round(_PRECISION), cut.groupby("village")["month"].nunique()


def rank_quarter(
    scores: pd.DataFrame,
    catalogue: Catalogue,
    quarter: str,
    top_n: int | None = None,
    bottom_n: int | None = None,
) -> Ranking:
    """The quarter's table by mean monthly 总分, compared with the quarter before it."""
    order = village_order(scores, catalogue)
    top_n, bottom_n = _list_sizes(catalogue, top_n, bottom_n, len(order))
    current, counts = _quarter_means(scores, quarter)
    name = months.quarter_label(quarter)
    if current.empty:
        raise _error(f"{name}没有打擂评分数据（{_available(scores)}）")
    first, _ = months.parse_quarter(quarter)
    before_quarter = months.quarter_of(months.shift(first, -1))
    before, _ = _quarter_means(scores, before_quarter)
    scored = {v: int(n) for v, n in counts.items()}
    most = max(scored.values())
    table, villages = _build(
        catalogue,
        order,
        current,
        before[TOTAL_SCORE] if not before.empty else None,
        top_n,
        bottom_n,
        counts,
    )
    return Ranking(
        kind=QUARTER,
        period=quarter,
        label=name,
        table=table,
        villages=villages,
        top_n=top_n,
        bottom_n=bottom_n,
        previous_label=months.quarter_label(before_quarter) if not before.empty else None,
        months_scored=scored,
        notes=_notes(top_n, bottom_n, {v: n for v, n in scored.items() if n < most}),
    )


def _notes(top_n: int, bottom_n: int, fewer: dict[str, int]) -> tuple[str, ...]:
    lines = [
        f"注：{RED}为前 {top_n} 名，{BLACK}为后 {bottom_n} 名，名次并列时一并列入；"
        "总分相同的村（社区）名次相同，下一名次顺延（如 1、2、2、4）。",
        "较上期名次变化 = 上期名次 − 本期名次，正数为上升、负数为下降，空白表示上期没有名次。",
        "未报：该期没有评分，不参加排名。",
    ]
    if fewer:
        lines.append(
            f"{MONTHS_SCORED}少于其他村（社区）的，按已评分月份的平均分排名"
            "（页面上标注“仅评N个月”）。"
        )
    return tuple(lines)
