"""人居环境打擂: monthly and quarterly ranks, 红榜/黑榜, movement, streaks (contracts.md §3).

Everything here works on the small score table (one row per month and village, one column per
score item and 总分) built once per store revision from the tidy values, so the page, the
command line and the bulletin rank the same way. Rules kept in one place:

- Totals are compared to 0.01 分 (the precision the sheet and the tables carry): equal totals
  share a rank and the next rank skips (1, 2, 2, 4).
- A village with no 总分 in a period is 未报: listed after the ranked villages, never ranked last.
- 红榜 is every village whose rank is within the top N, 黑榜 every village within the bottom N
  counted from the last place; a tie at the edge therefore takes in all tied villages. When
  there are so few villages that the two lists meet, 红榜 wins.
- A quarter ranks by the mean monthly 总分 over the months a village was scored, rounded to 0.01
  before ranking so that two villages shown with the same mean share a rank.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from . import downloads, formatting, months
from .catalogue import TOTAL_SCORE, TOWN, Catalogue
from .errors import Problem, TownshipError

if TYPE_CHECKING:  # the Styler needs Jinja2; only the page styles tables, the CLI never does
    from pandas.io.formats.style import Styler

    from .store import Store

RANK = "排名"
VILLAGE = "村（社区）"
CHANGE = "较上期名次变化"
BOARD = "榜单"
RED, BLACK = "红榜", "黑榜"
MONTH, QUARTER = "month", "quarter"
SIGNED_FORMAT = "+0;-0;0"
ROW_COLOURS = {RED: "#FCE4E4", BLACK: "#D9D9D9"}
UP_COLOUR, DOWN_COLOUR = "#C00000", "#2E7D32"
_PRECISION = 2


def columns(catalogue: Catalogue) -> list[str]:
    """The ranked table's columns, in the contract's order."""
    return [RANK, VILLAGE, TOTAL_SCORE, *(i.name for i in catalogue.contest.items), CHANGE, BOARD]


def score_table(values: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """The 打擂 values as one row per (month, village): month, village, each item, 总分.

    Only rows with a 总分 count as scored (the reader always stores 总分 for a scored village).
    """
    names = [i.name for i in catalogue.contest.columns]
    cut = values[(values["area"] == catalogue.contest.sheet) & (values["village"] != TOWN)]
    if cut.empty:
        return pd.DataFrame(columns=["month", "village", *names]).astype(
            {n: "float64" for n in names}
        )
    # One value per (month, village, indicator) in the store: unstack, much faster than
    # pivot_table for a county's 500 villages × 120 months.
    wide = (
        cut.drop_duplicates(["month", "village", "indicator"])
        .set_index(["month", "village", "indicator"])["value"]
        .unstack("indicator")
        .reindex(columns=names)
    )
    wide.columns.name = None
    wide = wide.reset_index()
    wide = wide[wide[TOTAL_SCORE].notna()]
    return wide.sort_values(["month", "village"], ignore_index=True)


def stored_scores(store: Store, catalogue: Catalogue) -> pd.DataFrame:
    """The current score table of a store, read from the 打擂 sheet's rows as kept."""
    names = [i.name for i in catalogue.contest.columns]
    return scores_from_wide(store.wide(catalogue.contest.sheet, names), catalogue)


def scores_from_wide(wide: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """The score table from the 打擂 sheet's rows as the store keeps them (Store.wide: month,
    village, one column per score item and 总分): the same table as `score_table`, without
    unpacking a county's scores value by value and pivoting them back."""
    names = [i.name for i in catalogue.contest.columns]
    cut = wide[(wide["village"] != TOWN) & wide[TOTAL_SCORE].notna()]
    return cut[["month", "village", *names]].sort_values(["month", "village"], ignore_index=True)


def scored_months(scores: pd.DataFrame) -> list[str]:
    """Months with at least one scored village, oldest first."""
    return sorted(scores["month"].unique().tolist())


def scored_quarters(scores: pd.DataFrame) -> list[str]:
    """Quarters ('2024Q1') with at least one scored month, oldest first."""
    return sorted({months.quarter_of(m) for m in scored_months(scores)})


def village_order(scores: pd.DataFrame, catalogue: Catalogue) -> list[str]:
    """Configured villages in catalogue order, then any other village found in the scores."""
    known = list(catalogue.village_names)
    extra = sorted(set(scores["village"].unique().tolist()) - set(known))
    return known + extra


def _rank(totals: pd.Series) -> pd.Series:
    """Competition ranks (1, 2, 2, 4) of totals compared to 0.01; NaN stays unranked."""
    return totals.round(_PRECISION).rank(ascending=False, method="min")


def _boards(totals: pd.Series, top_n: int, bottom_n: int) -> pd.Series:
    """红榜 / 黑榜 / '' per village; ties at the edge are all taken in."""
    rounded = totals.round(_PRECISION)
    top = rounded.rank(ascending=False, method="min") <= top_n
    bottom = rounded.rank(ascending=True, method="min") <= bottom_n
    board = pd.Series("", index=totals.index, dtype="str")
    board[bottom] = BLACK
    board[top] = RED
    return board


def month_totals(scores: pd.DataFrame) -> pd.DataFrame:
    """Village × month table of 总分 (NaN where not scored), both sorted.

    One score per (month, village) in the score table: placed by position in one array, much
    faster than pivoting a county's 500 villages × 120 months.
    """
    if scores.empty:
        return pd.DataFrame(
            index=pd.Index([], name="village", dtype="str"),
            columns=pd.Index([], name="month", dtype="str"),
            dtype="float64",
        )
    village_codes, villages = pd.factorize(scores["village"], sort=True)
    month_codes, month_names = pd.factorize(scores["month"], sort=True)
    grid = np.full((len(villages), len(month_names)), np.nan)
    grid[village_codes, month_codes] = scores[TOTAL_SCORE].to_numpy(dtype="float64")
    return pd.DataFrame(
        grid,
        index=pd.Index(villages, name="village"),
        columns=pd.Index(month_names, name="month"),
    )


def _month_ranks(totals: pd.DataFrame, ascending: bool = False) -> pd.DataFrame:
    """Each month's competition ranks of a village × month 总分 table, compared to 0.01."""
    return totals.round(_PRECISION).rank(axis=0, ascending=ascending, method="min")


def _ranks_in_order(
    totals: pd.DataFrame, scores: pd.DataFrame, catalogue: Catalogue
) -> pd.DataFrame:
    """Each month's ranks of a village × month 总分 table, villages in catalogue order."""
    ranks = _month_ranks(totals) if not totals.empty else totals
    return ranks.reindex(village_order(scores, catalogue))


def monthly_ranks(
    scores: pd.DataFrame, catalogue: Catalogue, by_latest: bool = False
) -> pd.DataFrame:
    """Village × month ranks (NaN where not scored), villages in catalogue order.

    `by_latest` orders villages by their rank in the last month instead (the heatmap reads
    top to bottom like the table), unranked villages last.
    """
    ranks = _ranks_in_order(month_totals(scores), scores, catalogue)
    if by_latest and not ranks.empty:
        latest = ranks[ranks.columns[-1]]
        position = pd.Series(range(len(ranks)), index=ranks.index)
        ranks = ranks.loc[pd.DataFrame({"r": latest, "p": position}).sort_values(["r", "p"]).index]
    return ranks


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
    label_of: dict[str, str] | None = None,
) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """The contract table from per-village scores (index village, items and 总分 columns)."""
    items = [i.name for i in catalogue.contest.items]
    frame = current.reindex(order)
    totals = frame[TOTAL_SCORE]
    frame[RANK] = _rank(totals)
    frame[BOARD] = _boards(totals.dropna(), top_n, bottom_n).reindex(frame.index).fillna("")
    if previous_totals is not None and not previous_totals.dropna().empty:
        before = _rank(previous_totals.dropna()).reindex(frame.index)
        frame[CHANGE] = before - frame[RANK]
    else:
        frame[CHANGE] = float("nan")
    frame["_order"] = range(len(frame))
    frame = frame.sort_values([RANK, "_order"], na_position="last")
    villages = tuple(frame.index)
    frame[VILLAGE] = [(label_of or {}).get(v, v) for v in villages]
    table = pd.DataFrame(
        {
            RANK: frame[RANK].astype("Int64"),
            VILLAGE: frame[VILLAGE].astype("str"),
            TOTAL_SCORE: frame[TOTAL_SCORE].astype("float64"),
            **{name: frame[name].astype("float64") for name in items},
            CHANGE: frame[CHANGE].astype("Int64"),
            BOARD: frame[BOARD].astype("str"),
        }
    ).reset_index(drop=True)
    return table, villages


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
    label_of = {v: f"{v}（仅评{n}个月）" for v, n in scored.items() if n < most}
    table, villages = _build(
        catalogue,
        order,
        current,
        before[TOTAL_SCORE] if not before.empty else None,
        top_n,
        bottom_n,
        label_of,
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
            "标注“仅评N个月”的村（社区）本季度评分月份少于其他村（社区），按已评分月份的平均分排名。"
        )
    return tuple(lines)


# ------------------------------------------------------------------ files


def row_fills(ranking: Ranking) -> dict[int, object]:
    """Row position → shading of the 红榜 and 黑榜 rows in the .xlsx download."""
    fills = {RED: downloads.RED_FILL, BLACK: downloads.BLACK_FILL}
    return {i: fills[b] for i, b in enumerate(ranking.table[BOARD]) if b in fills}


def to_xlsx(ranking: Ranking, catalogue: Catalogue) -> bytes:
    """The ranked table as a styled workbook: title row, frozen header, shaded lists."""
    return downloads.to_xlsx(
        ranking.table,
        ranking.title(catalogue),
        sheet_name=f"{ranking.label}排名",
        row_fills=row_fills(ranking),
        notes=list(ranking.notes),
        blank=(CHANGE,),
        number_formats={CHANGE: SIGNED_FORMAT},
    )


def to_csv(ranking: Ranking) -> bytes:
    """The ranked table as CSV with a BOM; an empty 较上期名次变化 stays empty."""
    return downloads.to_csv(ranking.table, blank=(CHANGE,))


def file_name(ranking: Ranking, catalogue: Catalogue, suffix: str) -> str:
    return f"{ranking.title(catalogue)}{suffix}"


# ------------------------------------------------------------------ page table


def arrow(change: object) -> str:
    """↑2 / ↓1 / 持平, and '' where there was no previous rank."""
    if formatting.is_missing(change) or change is pd.NA:
        return ""
    value = int(change)  # type: ignore[call-overload]
    if value > 0:
        return f"↑{value}"
    if value < 0:
        return f"↓{-value}"
    return "持平"


def display_table(table: pd.DataFrame, digits: int = 1) -> pd.DataFrame:
    """The ranked table as the page shows it: 未报 for missing scores, arrows for movement.

    Works on the table itself and on a download read back with pandas, so tests can check
    that the files hold exactly what the page shows.
    """
    shown = pd.DataFrame(index=table.index)
    for column in table.columns:
        data = table[column]
        if column == RANK:
            shown[column] = [
                formatting.MISSING if pd.isna(v) else str(int(v)) for v in data.astype("object")
            ]
        elif column == CHANGE:
            shown[column] = [arrow(v) for v in data.astype("object")]
        elif column in (VILLAGE, BOARD):
            shown[column] = ["" if pd.isna(v) else str(v) for v in data.astype("object")]
        else:
            shown[column] = [
                formatting.number(None if pd.isna(v) else float(v), digits=digits, fixed=True)
                for v in data.astype("object")
            ]
    return shown.astype("str").reset_index(drop=True)


def style_table(shown: pd.DataFrame) -> Styler:
    """Shade 红榜 and 黑榜 rows, colour the arrows (up red, down green, as offices mark them)."""

    def shade(table: pd.DataFrame) -> pd.DataFrame:
        # One call for the whole table: a county ranks 500 villages.
        colours = table[BOARD].map(ROW_COLOURS)
        css = ("background-color: " + colours).where(colours.notna(), "")
        return pd.DataFrame(
            np.repeat(css.to_numpy(dtype=object)[:, None], table.shape[1], axis=1),
            index=table.index,
            columns=table.columns,
        )

    def arrows(value: str) -> str:
        if value.startswith("↑"):
            return f"color: {UP_COLOUR}; font-weight: bold"
        if value.startswith("↓"):
            return f"color: {DOWN_COLOUR}; font-weight: bold"
        return ""

    def board(value: str) -> str:
        if value == RED:
            return f"color: {UP_COLOUR}; font-weight: bold"
        return "font-weight: bold" if value == BLACK else ""

    return (
        shown.style.apply(shade, axis=None).map(arrows, subset=[CHANGE]).map(board, subset=[BOARD])
    )


# ------------------------------------------------------------------ warnings and honours


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


# ------------------------------------------------------------------ why a village moved


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
    moved = int(before_rank) - int(rank)
    direction = (
        f"上升 {moved} 位" if moved > 0 else f"下降 {-moved} 位" if moved < 0 else "名次不变"
    )
    if abs(total - previous_total) < 0.005:
        difference = "总分与上月相同"
    else:
        gain = "增加" if total > previous_total else "减少"
        difference = f"总分{gain} {_points(abs(total - previous_total))}"
    text += (
        f"；上月得分 {_points(previous_total)}，排第 {int(before_rank)} 名，{direction}；"
        f"{difference}。"
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
    table = table.sort_values("变化", key=lambda s: s.abs(), ascending=False, ignore_index=True)
    return Movement(village, month, before_month, int(rank), int(before_rank), table, text)


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


def month_summary(scores: pd.DataFrame) -> pd.DataFrame:
    """Per scored month: villages scored, town average, highest and lowest 总分."""
    grouped = scores.groupby("month")[TOTAL_SCORE]
    return pd.DataFrame(
        {
            "villages": grouped.count(),
            "mean": grouped.mean(),
            "max": grouped.max(),
            "min": grouped.min(),
        }
    ).reset_index()


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
