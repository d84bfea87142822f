"""Combining months and villages exactly as the catalogue says.

Over a period, monthly counts are added (sum), stocks and rates take their latest reported month
(last), and yearly plans are taken once per year (target). Across villages, counts are added and
rates averaged; the 全镇 row holds the township's own activities and is added once, never twice.
未报 stays missing (NaN) at every step: it is never counted as 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import config, formatting, months
from .catalogue import TOWN, Catalogue, Indicator
from .months import Period

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
    # The rule of each distinct (area, indicator); indicators not in the catalogue drop out.
    rule = rules(catalogue)
    known = {
        (a, i): _COMBINE_CODES[c]
        for a, i, c in zip(rule["area"], rule["indicator"], rule["combine"], strict=True)
    }
    pairs = area_codes.astype(np.int64) * len(names) + name_codes
    pair_codes, distinct_pairs = pd.factorize(pairs)
    pair_rule = np.array(
        [
            known.get((areas[p // len(names)], names[p % len(names)]), -1)
            for p in distinct_pairs.tolist()
        ],
        dtype=np.int64,
    )
    combine = pair_rule[pair_codes]
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
        # Each year's latest plan once, years added.
        years = np.array([int(str(m)[:4]) for m in month_names], dtype=np.int64)
        year = years[month_codes[order]][target]
        year_key = groups[target].astype(np.int64) * 10_000 + year
        year_groups, year_first = pd.factorize(year_key)
        yearly = _group_last(year_groups, len(year_first), value[target])
        of_group = (np.asarray(year_first) // 10_000).astype(np.int64)
        summed = np.bincount(of_group, weights=np.nan_to_num(yearly, nan=0.0), minlength=count)
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


TOTALS_KEY = ["area", "month", "indicator"]
TOTALS_COLUMNS = [*TOTALS_KEY, "village_sum", "village_count", "town_value", "slice_villages"]


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


REPORTED, PARTIAL, NOT_REPORTED = "已报", "部分", "未报"


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
    return pd.DataFrame(
        grid, index=pd.Index(areas, name="工作领域"), columns=month_names, dtype=object
    )


NOT_APPLICABLE = "—"


def village_status(values: pd.DataFrame, catalogue: Catalogue, month: str) -> pd.DataFrame:
    """Villages (and 全镇) × areas for one month: who has reported what.

    已报: every indicator that row fills has a value; 部分: some have; 未报: none. For the 打擂
    sheet a village is 已报 once it has a 总分. "—" where the row fills nothing of that sheet
    (the 全镇 row of a sheet recorded only per village).
    """
    rows = [*catalogue.village_names, TOWN]
    sheets = list(catalogue.sheet_names)
    expected = []  # (area, indicator, filled by the 全镇 row)
    for sheet in sheets:
        if sheet == catalogue.contest.sheet:
            expected.append((sheet, catalogue.contest.total.name, False))
            continue
        for ind in catalogue.sheet_indicators(sheet):
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


# ------------------------------------------------------------------ area pages


def _chosen(catalogue: Catalogue, villages: Sequence[str] | None) -> list[str]:
    """The chosen villages in catalogue order (all villages when none is chosen)."""
    if not villages:
        return list(catalogue.village_names)
    wanted = set(villages)
    return [v for v in catalogue.village_names if v in wanted]


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


def select_villages(values: pd.DataFrame, villages: Sequence[str] | None) -> pd.DataFrame:
    """All rows when no village is chosen; else only the chosen villages' rows.

    The 全镇 row holds what the township itself did, which belongs to no village, so a view of
    some villages leaves it out.
    """
    if not villages:
        return values
    return values[values["village"].isin(list(villages))]


def shown_indicators(
    catalogue: Catalogue, area: str, villages: Sequence[str] | None = None
) -> tuple[Indicator, ...]:
    """An area's indicators; with villages chosen, only those recorded per village."""
    indicators = catalogue.sheet_indicators(area)
    if villages:
        return tuple(i for i in indicators if i.village_rows)
    return indicators


def period_figures(
    values: pd.DataFrame,
    catalogue: Catalogue,
    area: str,
    period: Period,
    villages: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The township's (or the chosen villages') figure per indicator over a period.

    Indexed by indicator name, in catalogue order; columns value (NaN = 未报) and
    villages_reported.
    """
    return _period_figures(values[values["area"] == area], catalogue, [area], period, villages)[
        area
    ]


def _period_figures(
    values: pd.DataFrame,
    catalogue: Catalogue,
    areas: Sequence[str],
    period: Period,
    villages: Sequence[str] | None = None,
) -> dict[str, pd.DataFrame]:
    """`period_figures` of several areas from one pass over the values (combining months and
    villages once, not once per area: each pass costs the same few dozen pandas steps)."""
    cut = select_villages(in_period(values, period.first, period.last), villages)
    figures = town_figures(combine_months(cut, catalogue), catalogue).set_index(
        ["area", "indicator"]
    )
    out = {}
    for area in areas:
        names = [i.name for i in catalogue.sheet_indicators(area)]
        index = pd.MultiIndex.from_arrays([[area] * len(names), names])
        found = figures[["value", "villages_reported"]].reindex(index)
        found.index = pd.Index(names, name="indicator")
        found["value"] = found["value"].astype("float64")
        found["villages_reported"] = found["villages_reported"].fillna(0).astype(int)
        out[area] = found
    return out


HEADLINE_COLUMNS = [
    "indicator",
    "unit",
    "combine",
    "higher_better",
    "value",
    "previous",
    "year_ago",
    "villages_reported",
]


def headline(
    values: pd.DataFrame,
    catalogue: Catalogue,
    area: str,
    period: Period,
    villages: Sequence[str] | None = None,
    indicators: Sequence[Indicator] | None = None,
) -> pd.DataFrame:
    """Per indicator: the period's figure, the previous period's, and a year earlier's.

    Combined as the catalogue says (sums added, stocks and rates their latest month), so a
    rate is never summed. Columns: indicator, unit, combine, higher_better, value, previous,
    year_ago, villages_reported.
    """
    chosen = {area: indicators} if indicators is not None else None
    return headlines(values[values["area"] == area], catalogue, period, villages, chosen, [area])[
        area
    ]


def headline_rows(table: pd.DataFrame, indicators: Sequence[Indicator]) -> pd.DataFrame:
    """The rows of a `headline` table for these indicators, in their order."""
    return table.set_index("indicator").loc[[i.name for i in indicators]].reset_index()


def headlines(
    values: pd.DataFrame,
    catalogue: Catalogue,
    period: Period,
    villages: Sequence[str] | None = None,
    indicators: dict[str, Sequence[Indicator]] | None = None,
    areas: Sequence[str] | None = None,
) -> dict[str, pd.DataFrame]:
    """`headline` of several areas (default: every work area) at once, by area name.

    `indicators` names each area's indicators to show (default: `shown_indicators`).
    """
    areas = list(areas) if areas is not None else [a.name for a in catalogue.areas]
    if indicators is not None:
        areas = [a for a in areas if a in indicators]
    now = _period_figures(values, catalogue, areas, period, villages)
    before = _period_figures(values, catalogue, areas, period.previous(), villages)
    year_ago = _period_figures(values, catalogue, areas, period.year_ago(), villages)
    out = {}
    for area in areas:
        chosen = (
            list(indicators[area])
            if indicators is not None
            else list(shown_indicators(catalogue, area, villages))
        )
        previous, earlier = before[area]["value"], year_ago[area]["value"]
        rows = [
            {
                "indicator": ind.name,
                "unit": ind.unit,
                "combine": ind.combine,
                "higher_better": ind.higher_better,
                "value": now[area].at[ind.name, "value"],
                "previous": previous.get(ind.name, float("nan")),
                "year_ago": earlier.get(ind.name, float("nan")),
                "villages_reported": int(now[area].at[ind.name, "villages_reported"]),
            }
            for ind in chosen
        ]
        out[area] = pd.DataFrame(rows, columns=HEADLINE_COLUMNS)
    return out


@dataclass(frozen=True)
class Coverage:
    """How many figures a view expects and how many were reported (the rest are 未报)."""

    expected: int
    reported: int
    by_village: pd.Series
    empty_months: list[str]

    @property
    def missing(self) -> int:
        return self.expected - self.reported


def coverage(
    values: pd.DataFrame,
    catalogue: Catalogue,
    area: str,
    month_list: Sequence[str],
    villages: Sequence[str] | None = None,
) -> Coverage:
    """Count expected and reported figures of an area over months.

    Each village is expected to fill every indicator recorded per village, the 全镇 row every
    indicator recorded at township level, every month. `by_village` lists the rows (村 or 镇本级)
    with missing figures, most first; `empty_months` the months with no figure at all.
    """
    indicators = shown_indicators(catalogue, area, villages)
    rows = _chosen(catalogue, villages)
    per_row = {v: sum(i.village_rows for i in indicators) for v in rows}
    if not villages:
        per_row[TOWN] = sum(i.town_row for i in indicators)
    names = {i.name for i in indicators}
    cut = values[
        (values["area"] == area)
        & values["month"].isin(list(month_list))
        & values["indicator"].isin(names)
        & values["village"].isin(list(per_row))
    ]
    present = cut.groupby("village").size()
    expected = pd.Series(per_row, dtype="int64") * len(month_list)
    missing = (expected - present.reindex(expected.index).fillna(0)).astype(int)
    missing = missing[missing > 0].rename(index={TOWN: TOWN_LEVEL_ROW})
    missing = missing.sort_values(ascending=False, kind="stable")
    seen = set(cut["month"])
    return Coverage(
        expected=int(expected.sum()),
        reported=len(cut),
        by_village=missing,
        empty_months=[m for m in month_list if m not in seen],
    )


def monthly(
    values: pd.DataFrame,
    catalogue: Catalogue,
    area: str,
    month_list: Sequence[str],
    villages: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Months × indicators: the township's (or chosen villages') figure each month, NaN = 未报."""
    cut = values[(values["area"] == area) & values["month"].isin(list(month_list))]
    series = town_monthly(select_villages(cut, villages), catalogue)
    return monthly_wide(series, catalogue, area, month_list, villages)


def monthly_wide(
    series: pd.DataFrame,
    catalogue: Catalogue,
    area: str,
    month_list: Sequence[str],
    villages: Sequence[str] | None = None,
) -> pd.DataFrame:
    """A `town_monthly` series as months × indicators of one area (the shape of `monthly`).

    The whole township's series can come from the store's kept totals
    (`town_monthly_from_totals`), so a trend over ten years reads a few thousand rows.
    """
    names = [i.name for i in shown_indicators(catalogue, area, villages)]
    series = series[(series["area"] == area) & series["month"].isin(list(month_list))]
    wide = series.pivot_table(index="month", columns="indicator", values="value", aggfunc="first")
    wide = wide.reindex(index=list(month_list), columns=names).astype("float64")
    wide.index.name = "month"
    return wide


def village_values(
    values: pd.DataFrame,
    catalogue: Catalogue,
    area: str,
    indicator: str,
    period: Period,
    villages: Sequence[str] | None = None,
) -> pd.Series:
    """Each village's figure over the period (combined as the catalogue says), NaN = 未报."""
    cut = in_period(values[values["area"] == area], period.first, period.last)
    cut = cut[(cut["indicator"] == indicator) & (cut["village"] != TOWN)]
    combined = combine_months(cut, catalogue)
    series = combined.set_index("village")["value"] if not combined.empty else pd.Series()
    return series.reindex(_chosen(catalogue, villages)).astype("float64").rename(indicator)


def village_month(
    values: pd.DataFrame,
    catalogue: Catalogue,
    area: str,
    indicator: str,
    month_list: Sequence[str],
    villages: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Villages × months of one indicator as reported (NaN = 未报): the heatmap's grid."""
    cut = values[
        (values["area"] == area)
        & (values["indicator"] == indicator)
        & values["month"].isin(list(month_list))
    ]
    grid = cut.pivot_table(index="village", columns="month", values="value", aggfunc="first")
    return grid.reindex(index=_chosen(catalogue, villages), columns=list(month_list)).astype(
        "float64"
    )


def by_year(series: pd.Series) -> pd.DataFrame:
    """A monthly series ('YYYY-MM' index) as month number 1–12 × year: the seasonal overlay."""
    frame = pd.DataFrame(
        {
            "year": [m[:4] for m in series.index],
            "mon": [int(m[5:]) for m in series.index],
            "value": series.to_numpy(dtype="float64"),
        }
    )
    grid = frame.pivot_table(
        index="mon", columns="year", values="value", aggfunc="first", dropna=False
    )
    return grid.reindex(range(1, 13))


def cumulative_by_year(series: pd.Series, month: str) -> pd.DataFrame:
    """Running totals since January of `month`'s year (up to `month`) and of the year before.

    Index month number 1–12, columns the two years. A month with no figure stays NaN (a gap),
    and the total carries on from the months that were reported.
    """
    year = int(month[:4])
    grid = by_year(series).reindex(columns=[str(year - 1), str(year)])
    grid = grid.cumsum(skipna=True)
    grid.loc[int(month[5:]) + 1 :, str(year)] = float("nan")
    return grid


# ------------------------------------------------------------------ 安全生产 in depth

# The indicators the township named for each safety trend; one missing from the catalogue is
# simply left out of its chart.
SAFETY_AREA = "安全生产"
SAFETY_INSPECTION = ("专项隐患排查整治", "检查生产经营单位", "联合集中整治行动", "检查车辆")
SAFETY_FOUND, SAFETY_FIXED = "排查安全隐患", "已整改安全隐患"
SAFETY_ENFORCEMENT = ("查处非法营运", "查处交通违法", "查处非法烟花爆竹零售点", "扣押非法烟花爆竹")
SAFETY_TRAINING = ("安全知识培训讲座和现场演练", "观看安全警示教育片")


def hazards(
    values: pd.DataFrame,
    found: str,
    fixed: str,
    month_list: Sequence[str],
    villages: Sequence[str] | None = None,
    area: str = SAFETY_AREA,
) -> pd.DataFrame:
    """Hazards found and rectified per month, the rectification rate and the open backlog.

    found / fixed are the month's sums of every reported figure. The rate and the backlog use
    only rows (village, month) where both were reported, so a missing 整改 figure is not read as
    "nothing rectified": rate = rectified ÷ found × 100; backlog = found − rectified added up
    from the first month holding data to each month. Index: month_list.
    """
    cut = select_villages(values[values["area"] == area], villages)
    cut = cut[cut["indicator"].isin([found, fixed])]
    wide = cut.pivot_table(
        index=["month", "village"], columns="indicator", values="value", aggfunc="first"
    ).reindex(columns=[found, fixed])
    return _hazard_table(
        wide.index.get_level_values("month"),
        wide[found].to_numpy(dtype="float64"),
        wide[fixed].to_numpy(dtype="float64"),
        month_list,
    )


def hazards_from_wide(
    wide: pd.DataFrame, found: str, fixed: str, month_list: Sequence[str]
) -> pd.DataFrame:
    """`hazards` of the whole township from the safety sheet's rows as kept (Store.wide: month,
    village, one column per indicator): a county's ten years without unpacking and pivoting."""
    return _hazard_table(
        wide["month"],
        wide[found].to_numpy(dtype="float64"),
        wide[fixed].to_numpy(dtype="float64"),
        month_list,
    )


def _hazard_table(
    row_months: Sequence[str],
    found: np.ndarray,
    fixed: np.ndarray,
    month_list: Sequence[str],
) -> pd.DataFrame:
    """The `hazards` table from one (found, fixed) pair per (month, village) row."""
    codes, names = pd.factorize(np.asarray(row_months, dtype=object))
    count = len(names)

    def per_month(values: np.ndarray, rows: np.ndarray) -> pd.Series:
        """Sum per month over `rows`, NaN for a month without any of them."""
        sums = np.bincount(codes[rows], weights=values[rows], minlength=count)
        seen = np.bincount(codes[rows], minlength=count) > 0
        return pd.Series(np.where(seen, sums, np.nan), index=list(names), dtype="float64")

    both = ~np.isnan(found) & ~np.isnan(fixed)
    sums_found, sums_fixed = per_month(found, ~np.isnan(found)), per_month(fixed, ~np.isnan(fixed))
    history = sorted(set(names) | set(month_list))
    paired_found = per_month(found, both).reindex(history)
    paired_fixed = per_month(fixed, both).reindex(history)
    backlog = (paired_found - paired_fixed).cumsum(skipna=True)
    backlog[paired_found.isna()] = float("nan")
    out = pd.DataFrame(
        {
            "found": sums_found.reindex(list(month_list)),
            "fixed": sums_fixed.reindex(list(month_list)),
            "paired_found": paired_found.reindex(list(month_list)),
            "paired_fixed": paired_fixed.reindex(list(month_list)),
            "backlog": backlog.reindex(list(month_list)),
        },
        index=list(month_list),
    ).astype("float64")
    out["rate"] = (out["paired_fixed"] / out["paired_found"] * 100).where(out["paired_found"] > 0)
    out.index.name = "month"
    return out


def rectification_rate(table: pd.DataFrame) -> float:
    """Rectified ÷ found × 100 over the rows of a `hazards` table (paired figures), NaN if none."""
    found = table["paired_found"].sum(min_count=1)
    if pd.isna(found) or found == 0:
        return float("nan")
    return float(table["paired_fixed"].sum() / found * 100)


# ------------------------------------------------------------------ the leaders' overview


def behind_last_year(
    values: pd.DataFrame,
    catalogue: Catalogue,
    month: str,
    tables: dict[str, pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """Indicators whose figure since January is far worse than the same months last year.

    Worse means down by config.BEHIND_SHARE or more where more is better, up by as much where
    less is better (矛盾纠纷). Only monthly counts (sum) with a base of config.BEHIND_MIN_BASE
    or more, so 1 against 2 does not raise an alarm. Columns: area, indicator, unit, value,
    year_ago, change (relative, −0.4 = 40% less), worst first. `tables`: the year so far's
    `headlines` of every indicator, when the caller has them already.
    """
    period = months.year_to_date(month)
    judged = {
        area.name: [
            i for i in area.indicators if i.higher_better is not None and i.combine == "sum"
        ]
        for area in catalogue.areas
    }
    judged = {area: found for area, found in judged.items() if found}
    if tables is None:
        tables = headlines(values, catalogue, period, indicators=judged)
    rows = []
    for area, found in judged.items():
        table = headline_rows(tables[area], found)
        for ind, row in zip(found, table.itertuples(index=False), strict=True):
            if pd.isna(row.value) or pd.isna(row.year_ago) or row.year_ago < config.BEHIND_MIN_BASE:
                continue
            change = (row.value - row.year_ago) / row.year_ago
            worse = -change if ind.higher_better else change
            if worse >= config.BEHIND_SHARE:
                rows.append(
                    {
                        "area": area,
                        "indicator": ind.name,
                        "unit": ind.unit,
                        "value": row.value,
                        "year_ago": row.year_ago,
                        "change": change,
                        "worse": worse,
                    }
                )
    columns = ["area", "indicator", "unit", "value", "year_ago", "change"]
    if not rows:
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame(rows).sort_values("worse", ascending=False, kind="stable")
    return frame[columns].reset_index(drop=True)


def unreported(values: pd.DataFrame, catalogue: Catalogue, month: str) -> pd.DataFrame:
    """Per area: the villages with no figure at all for the month (whole sheet missing or not).

    Columns: area, villages (list, catalogue order), sheet_missing (no figure from anyone).
    Areas where every village reported are left out.
    """
    cut = values[values["month"] == month]
    rows = []
    for area in catalogue.areas:
        if not any(i.village_rows for i in area.indicators):
            continue
        in_area = cut[cut["area"] == area.name]
        seen = set(in_area["village"].unique())
        missing = [v for v in catalogue.village_names if v not in seen]
        if missing:
            rows.append({"area": area.name, "villages": missing, "sheet_missing": in_area.empty})
    return pd.DataFrame(rows, columns=["area", "villages", "sheet_missing"])


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


def download_table(table: pd.DataFrame, catalogue: Catalogue, area: str) -> pd.DataFrame:
    """The period table for files: numbers stay numbers, NaN is written 未报, — where the row
    does not fill the indicator."""
    mask = applicable(table, catalogue, area)
    return table.astype(object).where(mask, NOT_APPLICABLE)
