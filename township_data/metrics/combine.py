"""Months and villages combined as the catalogue says: sums, latest values, yearly plans,
the township figure from its villages and its own 全镇 row, and the kept monthly totals.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import packing
from ..catalogue import TOWN, Catalogue

TOWN_LEVEL_ROW = "镇本级"


TOWN_TOTAL_ROW = "全镇"


SELECTED_TOTAL_ROW = "所选合计"


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


_COMBINE_CODES = {"sum": 0, "last": 1, "target": 2}


def _group_last(groups: np.ndarray, count: int, values: np.ndarray) -> np.ndarray:
    """Per group, the last non-missing entry of `values` in row order (NaN if none)."""
    keep = ~np.isnan(values)
    at = np.full(count, -1, dtype=np.int64)
    # Later rows overwrite earlier ones: numpy assigns repeated indices in order.
    at[groups[keep]] = np.nonzero(keep)[0]
    out = np.full(count, np.nan)
    found = at >= 0
    out[found] = values[at[found]]
    return out


def _rule_codes(
    catalogue: Catalogue, pairs: np.ndarray, areas: pd.Index, names: pd.Index
) -> np.ndarray:
    """Each row's combine rule as a code, from its (area, indicator) pair code
    (area * len(names) + indicator), looked up once per distinct pair; -1 where the catalogue
    does not know the indicator, so the row drops out."""
    rule = rules(catalogue)
    known = {
        (a, i): _COMBINE_CODES[c]
        for a, i, c in zip(rule["area"], rule["indicator"], rule["combine"], strict=True)
    }
    pair_codes, distinct_pairs = pd.factorize(pairs)
    pair_rule = np.array(
        [
            known.get((areas[p // len(names)], names[p % len(names)]), -1)
            for p in distinct_pairs.tolist()
        ],
        dtype=np.int64,
    )
    return pair_rule[pair_codes]


def _yearly_latest_summed(
    groups: np.ndarray, count: int, value: np.ndarray, year: np.ndarray
) -> np.ndarray:
    """A target's period value per group: each year's latest plan once, the years added."""
    year_key = groups.astype(np.int64) * 10_000 + year
    year_groups, year_first = pd.factorize(year_key)
    yearly = _group_last(year_groups, len(year_first), value)
    of_group = (np.asarray(year_first) // 10_000).astype(np.int64)
    return np.bincount(of_group, weights=np.nan_to_num(yearly, nan=0.0), minlength=count)


def combine_months(values: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """Per (area, indicator, village): the period's value and how many months were reported.

    `values` is the tidy table already cut to the period. Columns of the result: area,
    indicator, village, value, months_reported, last_month; groups in order of their first
    month, then of their rows.

    Worked out on integer codes (each distinct name looked up once): grouping a county's text
    columns costs far more than the sums themselves.
    """
    out_cols = [*GROUP, "value", "months_reported", "last_month"]
    if values.empty:
        return pd.DataFrame(columns=out_cols)
    area_codes, areas = pd.factorize(values["area"])
    name_codes, names = pd.factorize(values["indicator"])
    village_codes, villages = pd.factorize(values["village"])
    month_codes, month_names = pd.factorize(values["month"])
    pairs = area_codes.astype(np.int64) * len(names) + name_codes
    combine = _rule_codes(catalogue, pairs, areas, names)
    # Rows in month order (stable), as the values are combined over time.
    month_rank = np.argsort(np.argsort(np.asarray(month_names, dtype=object), kind="stable"))
    row_months = month_rank[month_codes]
    if np.all(row_months[1:] >= row_months[:-1]):
        order = np.arange(len(row_months))  # the store's reads come in month order
    else:
        order = np.argsort(row_months, kind="stable")
    order = order[combine[order] >= 0]
    if not len(order):
        return pd.DataFrame(columns=out_cols)
    key = pairs[order] * len(villages) + village_codes[order]
    groups, first_rows = pd.factorize(key)
    count = len(first_rows)
    value = values["value"].to_numpy(dtype="float64")[order]
    month = month_rank[month_codes[order]]
    rule_of = combine[order]
    group_rule = np.zeros(count, dtype=np.int64)
    group_rule[groups] = rule_of
    total = np.bincount(groups, weights=np.nan_to_num(value, nan=0.0), minlength=count)
    latest = _group_last(groups, count, value)
    result = np.where(group_rule == _COMBINE_CODES["sum"], total, latest)
    target = rule_of == _COMBINE_CODES["target"]
    if target.any():
        years = np.array([int(str(m)[:4]) for m in month_names], dtype=np.int64)
        year = years[month_codes[order]][target]
        summed = _yearly_latest_summed(groups[target], count, value[target], year)
        result = np.where(group_rule == _COMBINE_CODES["target"], summed, result)
    # Months reported: distinct (group, month) pairs; last month: the highest month.
    seen = pd.unique(groups.astype(np.int64) * len(month_names) + month)
    months_reported = np.bincount(seen // len(month_names), minlength=count)
    last_month = np.full(count, -1, dtype=np.int64)
    np.maximum.at(last_month, groups, month)
    sorted_months = np.sort(np.asarray(month_names, dtype=object), kind="stable")
    first_at = order[np.unique(groups, return_index=True)[1]]
    return pd.DataFrame(
        {
            "area": values["area"].take(first_at).reset_index(drop=True),
            "indicator": values["indicator"].take(first_at).reset_index(drop=True),
            "village": values["village"].take(first_at).reset_index(drop=True),
            "value": result,
            "months_reported": months_reported.astype(np.int64),
            "last_month": pd.Series(sorted_months[last_month]).astype(values["month"].dtype),
        }
    )[out_cols]


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


TOTALS_KEY, TOTALS_COLUMNS = packing.TOTALS_KEY, packing.TOTALS_COLUMNS


def monthly_totals(values: pd.DataFrame) -> pd.DataFrame:
    """Per (area, month, indicator): the villages' sum and count and the 全镇 row's value.

    These do not depend on the catalogue (so an edited catalogue never leaves them stale), yet
    give the township's monthly figure under any rule (`town_monthly_from_totals`). The store
    keeps them per current slice, so trend charts never add up millions of village values.
    slice_villages: villages (not 全镇) with any figure in that (area, month): the status
    matrix's count.
    """
    if values.empty:
        return pd.DataFrame(columns=TOTALS_COLUMNS).astype(
            {"village_sum": "float64", "town_value": "float64"}
        )
    is_town = values["village"] == TOWN
    villages = values[~is_town]
    grouped = villages.groupby(TOTALS_KEY)["value"]
    totals = pd.DataFrame({"village_sum": grouped.sum(), "village_count": grouped.count()})
    town = values[is_town].groupby(TOTALS_KEY)["value"].first().rename("town_value")
    totals = totals.join(town, how="outer")
    totals["village_count"] = totals["village_count"].fillna(0).astype("int64")
    counts = villages.groupby(["area", "month"])["village"].nunique().rename("slice_villages")
    totals = totals.reset_index().merge(counts.reset_index(), on=["area", "month"], how="left")
    totals["slice_villages"] = totals["slice_villages"].fillna(0).astype("int64")
    totals["village_sum"] = totals["village_sum"].astype("float64")
    totals["town_value"] = totals["town_value"].astype("float64")
    return totals[TOTALS_COLUMNS].sort_values(TOTALS_KEY, ignore_index=True)


def town_monthly_from_totals(totals: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """The township's figure per (area, indicator, month) from `monthly_totals`.

    The rule of `town_figures` applied to every month at once: sum → villages' sum plus the 全镇
    row; mean → the 全镇 row where the township reported its own rate, else the villages' mean.
    Indicators no longer in the catalogue are left out, as `town_figures` does.
    """
    cols = ["area", "indicator", "month", "value", "villages_reported"]
    if totals.empty:
        return pd.DataFrame(columns=cols)
    frame = totals.merge(
        rules(catalogue)[["area", "indicator", "across"]], on=["area", "indicator"]
    )
    village_sum, town = frame["village_sum"], frame["town_value"]
    summed = village_sum.fillna(0) + town.fillna(0)
    summed[village_sum.isna() & town.isna()] = float("nan")
    mean = (village_sum / frame["village_count"]).where(frame["village_count"] > 0)
    averaged = town.where(town.notna(), mean)
    frame["value"] = summed.where(frame["across"] == "sum", averaged).astype("float64")
    frame["villages_reported"] = frame["village_count"].astype(int)
    frame = frame.sort_values(["month", "area", "indicator"], ignore_index=True)
    return frame[cols]


def town_monthly(values: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """The township's figure for every (area, indicator, month): the series behind trend charts.

    One groupby over all months (not a loop month by month).
    """
    return town_monthly_from_totals(monthly_totals(values), catalogue)


def township_rows(series: pd.DataFrame, values: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """Tidy values that give the same period figures (value, previous, year ago) with far fewer
    rows: an indicator counted monthly and added across villages (combine and across both sum)
    enters as one 全镇 row per month holding the township's monthly figure from `series`
    (`town_monthly_from_totals`), whose sum over any months is the period's figure; every other
    indicator keeps its rows from `values`. Villages-reported counts do not survive: for the
    overview, which shows figures only.
    """
    rule = rules(catalogue)
    summed = rule[(rule["combine"] == "sum") & (rule["across"] == "sum")]
    keys = pd.MultiIndex.from_frame(summed[["area", "indicator"]])

    def is_summed(frame: pd.DataFrame) -> pd.Series:
        keyed = pd.MultiIndex.from_arrays([frame["area"], frame["indicator"]])
        return pd.Series(keyed.isin(keys), index=frame.index, dtype=bool)

    town = series[is_summed(series) & series["value"].notna()].assign(village=TOWN)
    rest = values[~is_summed(values)]
    columns = ["area", "indicator", "village", "month", "value"]
    return pd.concat([town[columns], rest[columns]], ignore_index=True)
