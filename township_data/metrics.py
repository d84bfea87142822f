"""Combining months and villages exactly as the catalogue says.

Over a period, monthly counts are added (sum), stocks and rates take their latest reported month
(last), and yearly plans are taken once per year (target). Across villages, counts are added and
rates averaged; the 全镇 row holds the township's own activities and is added once, never twice.
未报 stays missing (NaN) at every step: it is never counted as 0.
"""

from __future__ import annotations

import pandas as pd

from . import months
from .catalogue import TOWN, Catalogue

TOWN_LEVEL_ROW = "镇本级"
TOWN_TOTAL_ROW = "全镇"
GROUP = ["area", "indicator", "village"]
_RULES: dict[str, pd.DataFrame] = {}


def rules(catalogue: Catalogue) -> pd.DataFrame:
    """One row per indicator with its combine/across/level rules (cached per catalogue file)."""
    cached = _RULES.get(catalogue.fingerprint)
    if cached is None:
        cached = pd.DataFrame(
            [
                {
                    "area": i.area,
                    "indicator": i.name,
                    "unit": i.unit,
                    "combine": i.combine,
                    "across": i.across,
                    "level": i.level,
                }
                for i in [*catalogue.all_indicators(), *catalogue.contest.columns]
            ]
        )
        _RULES[catalogue.fingerprint] = cached
    return cached


def in_period(values: pd.DataFrame, first: str, last: str) -> pd.DataFrame:
    """Rows whose month lies in [first, last] ('YYYY-MM' strings compare in calendar order)."""
    return values[(values["month"] >= first) & (values["month"] <= last)]


def combine_months(values: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """Per (area, indicator, village): the period's value and how many months were reported.

    `values` is the tidy table already cut to the period. Columns of the result: area,
    indicator, village, value, months_reported, last_month.
    """
    out_cols = [*GROUP, "value", "months_reported", "last_month"]
    if values.empty:
        return pd.DataFrame(columns=out_cols)
    frame = values.merge(
        rules(catalogue)[["area", "indicator", "combine"]], on=["area", "indicator"]
    )
    frame = frame.sort_values("month")
    reported = frame.groupby(GROUP, sort=False).agg(
        months_reported=("month", "nunique"), last_month=("month", "max")
    )
    parts = []
    summed = frame[frame["combine"] == "sum"]
    if not summed.empty:
        parts.append(summed.groupby(GROUP, sort=False)["value"].sum())
    latest = frame[frame["combine"] == "last"]
    if not latest.empty:
        parts.append(latest.groupby(GROUP, sort=False)["value"].last())
    target = frame[frame["combine"] == "target"]
    if not target.empty:
        per_year = target.assign(year=target["month"].str[:4])
        yearly = per_year.groupby([*GROUP, "year"], sort=False)["value"].last()
        parts.append(yearly.groupby(level=[0, 1, 2], sort=False).sum())
    combined = pd.concat(parts).rename("value").to_frame().join(reported)
    return combined.reset_index()[out_cols]


def contributing(values: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """The rows of `values` that `combine_months` uses, with every column `values` carries.

    sum: every month; last: each village's latest month; target: each village's latest month of
    each year. The report shows these rows (with their files and cells) as a figure's sources, so
    the rule that picks them lives here, next to the rule that combines them.
    """
    if values.empty:
        return values
    combine = values.merge(
        rules(catalogue)[["area", "indicator", "combine"]], on=["area", "indicator"], how="left"
    )["combine"].to_numpy()
    latest = values.groupby(GROUP)["month"].transform("max")
    year = values["month"].str[:4]
    latest_of_year = values.assign(year=year).groupby([*GROUP, "year"])["month"].transform("max")
    keep = (
        (combine == "sum")
        | ((combine == "last") & (values["month"] == latest).to_numpy())
        | ((combine == "target") & (values["month"] == latest_of_year).to_numpy())
    )
    return values[keep]


def town_figures(combined: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """The township's figure per (area, indicator) from per-village combined values.

    sum: villages added plus the 全镇 row (activities of the township itself);
    mean: the 全镇 row where the township reported its own rate, else the villages' mean.
    Columns: area, indicator, value, villages_reported (villages with a value).
    """
    cols = ["area", "indicator", "value", "villages_reported"]
    if combined.empty:
        return pd.DataFrame(columns=cols)
    frame = combined.merge(
        rules(catalogue)[["area", "indicator", "across"]], on=["area", "indicator"]
    )
    is_town = frame["village"] == TOWN
    villages = frame[~is_town]
    town = frame[is_town].set_index(["area", "indicator"])["value"]
    grouped = villages.groupby(["area", "indicator"])
    result = pd.DataFrame(
        {
            "sum": grouped["value"].sum(),
            "mean": grouped["value"].mean(),
            "villages_reported": grouped["value"].count(),
        }
    )
    result = result.reindex(result.index.union(town.index))
    result["town"] = town
    result["across"] = frame.drop_duplicates(["area", "indicator"]).set_index(
        ["area", "indicator"]
    )["across"]
    summed = result["sum"].fillna(0) + result["town"].fillna(0)
    summed[result["sum"].isna() & result["town"].isna()] = float("nan")
    averaged = result["town"].where(result["town"].notna(), result["mean"])
    result["value"] = summed.where(result["across"] == "sum", averaged)
    result["villages_reported"] = result["villages_reported"].fillna(0).astype(int)
    return result.reset_index()[cols]


def town_monthly(values: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """The township's figure for every (area, indicator, month): the series behind trend charts."""
    cols = ["area", "indicator", "month", "value", "villages_reported"]
    if values.empty:
        return pd.DataFrame(columns=cols)
    frames = []
    for month, chunk in values.groupby("month", sort=True):
        figures = town_figures(chunk[[*GROUP, "value"]], catalogue)
        frames.append(figures.assign(month=month))
    return pd.concat(frames, ignore_index=True)[cols]


def period_table(
    values: pd.DataFrame, catalogue: Catalogue, area: str, first: str, last: str
) -> pd.DataFrame:
    """One row per village, 镇本级 and 全镇, one column per indicator (header with unit).

    This is the shape of `export`, the area pages' table and the report's sources. Missing
    values stay NaN (未报).
    """
    indicators = catalogue.sheet_indicators(area)
    cut = in_period(values[values["area"] == area], first, last)
    combined = combine_months(cut, catalogue)
    wide = combined.pivot_table(
        index="village", columns="indicator", values="value", aggfunc="first"
    ).reindex(columns=[i.name for i in indicators])
    order = list(catalogue.village_names)
    has_town_row = any(i.town_row for i in indicators) and area != catalogue.contest.sheet
    if has_town_row:
        order.append(TOWN)
    wide = wide.reindex(order)
    totals = town_figures(combined, catalogue).set_index("indicator")["value"]
    wide.loc[TOWN_TOTAL_ROW + "合计"] = totals.reindex(wide.columns)
    wide = wide.rename(index={TOWN: TOWN_LEVEL_ROW, TOWN_TOTAL_ROW + "合计": TOWN_TOTAL_ROW})
    wide.index.name = "村（社区）"
    wide.columns = [i.label for i in indicators]
    return wide.reset_index()


def period_name(first: str, last: str) -> str:
    return months.period_label(first, last)


REPORTED, PARTIAL, NOT_REPORTED = "已报", "部分", "未报"


def status_matrix(
    values: pd.DataFrame, catalogue: Catalogue, month_list: list[str]
) -> pd.DataFrame:
    """Areas (and the 打擂 sheet) × months: 已报 when every village has figures, 部分, or 未报."""
    expected = len(catalogue.village_names)
    villages = values[values["village"] != TOWN]
    counts = villages.groupby(["area", "month"])["village"].nunique()
    any_value = values.groupby(["area", "month"]).size()
    matrix = pd.DataFrame(NOT_REPORTED, index=catalogue.sheet_names, columns=month_list)
    for (area, month), _ in any_value.items():
        if area in matrix.index and month in matrix.columns:
            full = counts.get((area, month), 0) >= expected
            matrix.loc[area, month] = REPORTED if full else PARTIAL
    matrix.index.name = "工作领域"
    return matrix


NOT_APPLICABLE = "—"


def village_status(values: pd.DataFrame, catalogue: Catalogue, month: str) -> pd.DataFrame:
    """Villages (and 全镇) × areas for one month: who has reported what.

    已报: every indicator that row fills has a value; 部分: some have; 未报: none. For the 打擂
    sheet a village is 已报 once it has a 总分. "—" where the row fills nothing of that sheet
    (the 全镇 row of a sheet recorded only per village).
    """
    cut = values[values["month"] == month]
    have = cut.groupby(["village", "area"])["indicator"].agg(set).to_dict()
    rows = [*catalogue.village_names, TOWN]
    matrix = pd.DataFrame(NOT_REPORTED, index=rows, columns=catalogue.sheet_names)
    for sheet in catalogue.sheet_names:
        contest = sheet == catalogue.contest.sheet
        for row in rows:
            if contest:
                expected = {catalogue.contest.total.name} if row != TOWN else set()
            else:
                expected = {
                    i.name
                    for i in catalogue.sheet_indicators(sheet)
                    if (i.town_row if row == TOWN else i.village_rows)
                }
            if not expected:
                matrix.loc[row, sheet] = NOT_APPLICABLE
                continue
            found = len(expected & have.get((row, sheet), set()))
            if found == len(expected):
                matrix.loc[row, sheet] = REPORTED
            elif found:
                matrix.loc[row, sheet] = PARTIAL
    matrix.index.name = "村（社区）"
    return matrix


def status_counts(matrix: pd.DataFrame) -> dict[str, int]:
    """How many cells of a status matrix are 已报 / 部分 / 未报 (— cells are not counted)."""
    flat = pd.Series(matrix.to_numpy().ravel())
    return {status: int((flat == status).sum()) for status in (REPORTED, PARTIAL, NOT_REPORTED)}


def missing_by_village(matrix: pd.DataFrame) -> list[tuple[str, list[str]]]:
    """(village, areas it has not reported) for every row of a status matrix with a 未报 cell."""
    return [
        (str(village), [str(area) for area, status in row.items() if status == NOT_REPORTED])
        for village, row in matrix.iterrows()
        if (row == NOT_REPORTED).any()
    ]
