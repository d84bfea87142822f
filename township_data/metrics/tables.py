"""The period table of an area page: one row per village, 镇本级 and 全镇, as shown and
downloaded."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from .. import formatting, months
from ..catalogue import TOWN, Catalogue
from .combine import (
    SELECTED_TOTAL_ROW,
    TOWN_LEVEL_ROW,
    TOWN_TOTAL_ROW,
    combine_months,
    in_period,
    town_figures,
)
from .figures import _chosen, select_villages, shown_indicators
from .status import NOT_APPLICABLE


def period_table(
    values: pd.DataFrame,
    catalogue: Catalogue,
    area: str,
    first: str,
    last: str,
    villages: Sequence[str] | None = None,
) -> pd.DataFrame:
    """One row per village, 镇本级 and 全镇, one column per indicator (header with unit).

    This is the shape of `export`, the area pages' table and the report's sources. Missing
    values stay NaN (未报). With `villages` chosen, the rows are those villages and their total
    (所选合计), and indicators recorded only at township level are left out: they belong to no
    village.
    """
    indicators = shown_indicators(catalogue, area, villages)
    cut = select_villages(in_period(values[values["area"] == area], first, last), villages)
    combined = combine_months(cut, catalogue)
    wide = combined.pivot_table(
        index="village", columns="indicator", values="value", aggfunc="first"
    ).reindex(columns=[i.name for i in indicators])
    order = list(_chosen(catalogue, villages))
    has_town_row = (
        not villages and any(i.town_row for i in indicators) and area != catalogue.contest.sheet
    )
    if has_town_row:
        order.append(TOWN)
    wide = wide.reindex(order)
    totals = town_figures(combined, catalogue).set_index("indicator")["value"]
    total_row = SELECTED_TOTAL_ROW if villages else TOWN_TOTAL_ROW
    wide.loc[total_row + "合计"] = totals.reindex(wide.columns)
    wide = wide.rename(index={TOWN: TOWN_LEVEL_ROW, total_row + "合计": total_row})
    wide.index.name = "村（社区）"
    wide.columns = [i.label for i in indicators]
    return wide.reset_index()


def period_name(first: str, last: str) -> str:
    return months.period_label(first, last)


def applicable(table: pd.DataFrame, catalogue: Catalogue, area: str) -> pd.DataFrame:
    """Which cells of a `period_table` can hold a figure at all (False: shown as —, not 未报).

    A village row holds only indicators recorded per village, the 镇本级 row only those
    recorded at township level; the total row holds every indicator.
    """
    by_label = {i.label: i for i in catalogue.sheet_indicators(area)}
    rows = table.iloc[:, 0].tolist()
    mask = pd.DataFrame(True, index=table.index, columns=table.columns)
    for label in table.columns[1:]:
        ind = by_label[label]
        mask[label] = [
            ind.town_row
            if row == TOWN_LEVEL_ROW
            else True
            if row in (TOWN_TOTAL_ROW, SELECTED_TOTAL_ROW)
            else ind.village_rows
            for row in rows
        ]
    return mask


def display_table(table: pd.DataFrame, catalogue: Catalogue, area: str) -> pd.DataFrame:
    """The period table as a leader reads it: 1,234 · 未报 · — (not filled in this row)."""
    mask = applicable(table, catalogue, area)
    shown = table.astype(object)
    for column in table.columns[1:]:
        shown[column] = [
            formatting.number(v) if ok else NOT_APPLICABLE
            for v, ok in zip(table[column], mask[column], strict=True)
        ]
    return shown


# In files the computed township row says it is a total: uploaded again (corrected), it is
# checked like 合计 and never taken for the 全镇 input row (the 镇本级 row is that).
TOWN_TOTAL_FILE_ROW = "全镇合计"


def download_table(table: pd.DataFrame, catalogue: Catalogue, area: str) -> pd.DataFrame:
    """The period table for files: numbers stay numbers, NaN is written 未报, — where the row
    does not fill the indicator, and the computed 全镇 row is labelled 全镇合计."""
    mask = applicable(table, catalogue, area)
    out = table.astype(object).where(mask, NOT_APPLICABLE)
    first = out.columns[0]
    out[first] = out[first].replace({TOWN_TOTAL_ROW: TOWN_TOTAL_FILE_ROW})
    return out
