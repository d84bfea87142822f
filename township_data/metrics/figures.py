"""The figures an area page and the overview show: headline cards against the previous
period and last year, coverage of 未报, monthly trends, villages compared."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from .. import config, months
from ..catalogue import TOWN, Catalogue, Indicator
from ..months import Period
from .combine import TOWN_LEVEL_ROW, combine_months, in_period, town_figures, town_monthly


def _chosen(catalogue: Catalogue, villages: Sequence[str] | None) -> list[str]:
    """The chosen villages in catalogue order (all villages when none is chosen)."""
    if not villages:
        return list(catalogue.village_names)
    wanted = set(villages)
    return [v for v in catalogue.village_names if v in wanted]


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
    indicators: Mapping[str, Sequence[Indicator]] | None = None,
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
                "previous": _comparable(previous, ind, period, period.previous()),
                "year_ago": _comparable(earlier, ind, period, period.year_ago()),
                "villages_reported": int(now[area].at[ind.name, "villages_reported"]),
            }
            for ind in chosen
        ]
        out[area] = pd.DataFrame(rows, columns=HEADLINE_COLUMNS)
    return out


def _comparable(figures: pd.Series, ind: Indicator, period: Period, other: Period) -> float:
    """The other period's figure, NaN unless the indicator was reported through both periods:
    a work that ended (疫情防控) or began in between has no fair comparison."""
    both = ind.span.active_throughout(period.first, period.last) and ind.span.active_throughout(
        other.first, other.last
    )
    return figures.get(ind.name, float("nan")) if both else float("nan")


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
    table = villages_values(values, catalogue, area, [indicator], period, villages)
    return table[indicator]


def villages_values(
    values: pd.DataFrame,
    catalogue: Catalogue,
    area: str,
    indicators: Sequence[str],
    period: Period,
    villages: Sequence[str] | None = None,
) -> pd.DataFrame:
    """`village_values` of several indicators (columns) from one pass over a county's rows."""
    names = list(indicators)
    cut = in_period(values[values["area"] == area], period.first, period.last)
    cut = cut[cut["indicator"].isin(names) & (cut["village"] != TOWN)]
    combined = combine_months(cut, catalogue)
    wide = (
        combined.pivot_table(index="village", columns="indicator", values="value", aggfunc="first")
        if not combined.empty
        else pd.DataFrame()
    )
    table = wide.reindex(index=pd.Index(_chosen(catalogue, villages), name="village"))
    table = table.reindex(columns=pd.Index(names)).astype("float64")
    return table


def village_month(
    values: pd.DataFrame,
    catalogue: Catalogue,
    area: str,
    indicator: str,
    month_list: Sequence[str],
    villages: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Villages × months of one indicator as reported (NaN = 未报): the heatmap's grid."""
    return villages_month(values, catalogue, area, [indicator], month_list, villages)[indicator]


def villages_month(
    values: pd.DataFrame,
    catalogue: Catalogue,
    area: str,
    indicators: Sequence[str],
    month_list: Sequence[str],
    villages: Sequence[str] | None = None,
) -> dict[str, pd.DataFrame]:
    """`village_month` of several indicators, by name, from one cut and one pivot."""
    names, month_list = list(indicators), list(month_list)
    cut = values[
        (values["area"] == area)
        & values["indicator"].isin(names)
        & values["month"].isin(month_list)
    ]
    grid = cut.pivot_table(
        index="village", columns=["indicator", "month"], values="value", aggfunc="first"
    )
    rows = pd.Index(_chosen(catalogue, villages), name="village")
    columns = pd.Index(month_list, name="month")
    held = set(grid.columns.get_level_values(0)) if len(grid.columns) else set()
    return {
        name: (grid[name] if name in held else pd.DataFrame(index=grid.index))
        .reindex(index=rows, columns=columns)
        .astype("float64")
        for name in names
    }


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
        for area in catalogue.areas_at(month)
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
