"""The 打擂 score table (one row per month and village) and the ranks of every month."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .. import months
from ..catalogue import TOTAL_SCORE, TOWN, Catalogue

if TYPE_CHECKING:  # the Styler needs Jinja2; only the page styles tables, the CLI never does
    from ..store import Store


RANK = "排名"


VILLAGE = "村（社区）"


CHANGE = "较上期名次变化"


BOARD = "榜单"
# A quarter's own column: how many of its months the village was scored in (contracts.md §3).
MONTHS_SCORED = "评分月数"


RED, BLACK = "红榜", "黑榜"


MONTH, QUARTER = "month", "quarter"


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
