"""Who has reported what: areas × months and villages × areas, 已报 / 部分 / 未报."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..catalogue import TOWN, Catalogue

REPORTED, PARTIAL, NOT_REPORTED = "已报", "部分", "未报"
NOT_APPLICABLE = "—"


def status_matrix(
    values: pd.DataFrame, catalogue: Catalogue, month_list: list[str]
) -> pd.DataFrame:
    """Areas (and the 打擂 sheet) × months: 已报 when every village has figures, 部分, or 未报."""
    villages = values[values["village"] != TOWN]
    counts = villages.groupby(["area", "month"])["village"].nunique()
    any_value = values.groupby(["area", "month"]).size()
    counted = pd.DataFrame(
        {"villages": counts.reindex(any_value.index, fill_value=0)}
    ).reset_index()
    return status_from_counts(counted, catalogue, month_list)


def status_from_counts(
    counts: pd.DataFrame, catalogue: Catalogue, month_list: list[str]
) -> pd.DataFrame:
    """The status matrix from per-(area, month) village counts (Store.slice_villages).

    `counts` has one row per (area, month) holding any figure and how many villages (not 全镇)
    have one: the store keeps these, so the matrix of a county's ten years reads a thousand rows.
    Months outside an area's span (after its work ended) are "—", not 未报; an area outside
    its span in every month shown is left out.
    """
    expected = len(catalogue.village_names)
    areas, month_names = list(catalogue.sheet_names), list(month_list)
    row = {a: i for i, a in enumerate(areas)}
    column = {m: j for j, m in enumerate(month_names)}
    # Filled cell by cell in one array: a county's 120 month columns of text are otherwise
    # pivoted, reindexed and replaced column by column.
    grid = np.full((len(areas), len(month_names)), NOT_REPORTED, dtype=object)
    for area, month, n in zip(
        counts["area"].tolist(), counts["month"].tolist(), counts["villages"].tolist(), strict=True
    ):
        if area in row and month in column:
            grid[row[area], column[month]] = REPORTED if n >= expected else PARTIAL
    spans = {a.name: a.span for a in catalogue.areas}
    for area, i in row.items():
        span = spans.get(area)
        if span is not None and (span.start or span.end):
            outside = [j for m, j in column.items() if not span.active_at(m)]
            grid[i, outside] = NOT_APPLICABLE
    keep = [
        i
        for i, a in enumerate(areas)
        if a not in spans or not month_names or any(spans[a].active_at(m) for m in month_names)
    ]
    return pd.DataFrame(
        grid[keep],
        index=pd.Index([areas[i] for i in keep], name="工作领域"),
        columns=month_names,
        dtype=object,
    )


def village_status(values: pd.DataFrame, catalogue: Catalogue, month: str) -> pd.DataFrame:
    """Villages (and 全镇) × areas for one month: who has reported what.

    已报: every indicator that row fills has a value; 部分: some have; 未报: none. For the 打擂
    sheet a village is 已报 once it has a 总分. "—" where the row fills nothing of that sheet
    (the 全镇 row of a sheet recorded only per village).
    """
    rows = [*catalogue.village_names, TOWN]
    sheets = catalogue.sheets_at(month)
    expected = []  # (area, indicator, filled by the 全镇 row)
    for sheet in sheets:
        if sheet == catalogue.contest.sheet:
            expected.append((sheet, catalogue.contest.total.name, False))
            continue
        for ind in catalogue.sheet_indicators_at(sheet, month):
            if ind.village_rows:
                expected.append((sheet, ind.name, False))
            if ind.town_row:
                expected.append((sheet, ind.name, True))
    wanted = pd.DataFrame(expected, columns=["area", "indicator", "town"])
    cut = values[values["month"] == month]
    cut = pd.DataFrame(
        {
            "village": cut["village"].to_numpy(dtype=object),
            "area": cut["area"].to_numpy(dtype=object),
            "indicator": cut["indicator"].to_numpy(dtype=object),
            "town": (cut["village"] == TOWN).to_numpy(),
        }
    ).drop_duplicates()
    found = (
        cut.merge(wanted, on=["area", "indicator", "town"])
        .groupby(["village", "area"])
        .size()
        .unstack("area")
        .reindex(index=rows, columns=sheets)
        .fillna(0)
        .to_numpy()
    )
    per_row = wanted.groupby(["town", "area"]).size()
    need = np.array(
        [[per_row.get((row == TOWN, sheet), 0) for sheet in sheets] for row in rows], dtype=float
    )
    status = np.where(found >= need, REPORTED, np.where(found > 0, PARTIAL, NOT_REPORTED))
    status = np.where(need == 0, NOT_APPLICABLE, status).astype(object)
    matrix = pd.DataFrame(status, index=pd.Index(rows, name="村（社区）"), columns=sheets)
    return matrix


def status_counts(matrix: pd.DataFrame) -> dict[str, int]:
    """How many cells of a status matrix are 已报 / 部分 / 未报 (— cells are not counted)."""
    flat = pd.Series(matrix.to_numpy().ravel())
    return {status: int((flat == status).sum()) for status in (REPORTED, PARTIAL, NOT_REPORTED)}


def missing_by_village(matrix: pd.DataFrame) -> list[tuple[str, list[str]]]:
    """(village, areas it has not reported) for every row of a status matrix with a 未报 cell."""
    missing = matrix.to_numpy() == NOT_REPORTED
    areas = [str(a) for a in matrix.columns]
    return [
        (str(matrix.index[i]), [areas[j] for j in np.nonzero(missing[i])[0]])
        for i in np.nonzero(missing.any(axis=1))[0]
    ]


def unreported(values: pd.DataFrame, catalogue: Catalogue, month: str) -> pd.DataFrame:
    """Per area: the villages with no figure at all for the month (whole sheet missing or not).

    Columns: area, villages (list, catalogue order), sheet_missing (no figure from anyone).
    Areas where every village reported are left out.
    """
    cut = values[values["month"] == month]
    rows = []
    for area in catalogue.areas_at(month):
        if not any(i.village_rows for i in area.indicators):
            continue
        in_area = cut[cut["area"] == area.name]
        seen = set(in_area["village"].unique())
        missing = [v for v in catalogue.village_names if v not in seen]
        if missing:
            rows.append({"area": area.name, "villages": missing, "sheet_missing": in_area.empty})
    return pd.DataFrame(rows, columns=["area", "villages", "sheet_missing"])
