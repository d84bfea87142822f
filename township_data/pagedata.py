"""What each page shows, assembled from the store as plain dataclasses and frames.

The pages cache these per store revision (views/loaders.py), but nothing here knows about
Streamlit: the command line and the tests get the same figures the pages draw.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from . import bulletin, events, metrics, months, progress, ranking, workbook
from .catalogue import Catalogue
from .documents import Block
from .events import Event
from .store import Store


@dataclass(frozen=True)
class AreaData:
    """Everything an area page needs for one view: cards, coverage, trends, villages, table."""

    headline: pd.DataFrame
    coverage: metrics.Coverage
    monthly: pd.DataFrame
    table: pd.DataFrame
    shown_table: pd.DataFrame
    file_table: pd.DataFrame
    village_values: pd.DataFrame
    village_month: dict[str, pd.DataFrame]
    events: list[Event]
    progress: list[metrics.Progress]

    @property
    def event_marks(self) -> list[tuple[str, str, str]]:
        """The window's 大事记 as a chart marks them: (month, kind, line)."""
        return [(e.month, e.kind, e.line) for e in self.events]


def area_series(store: Store, catalogue: Catalogue, area: str, month_list) -> pd.DataFrame:
    """The whole township's monthly series of one area, from the kept totals."""
    totals = store.totals(areas=[area], first=min(month_list), last=max(month_list))
    return metrics.town_monthly_from_totals(totals, catalogue)


def area_data(
    store: Store,
    catalogue: Catalogue,
    area: str,
    period: months.Period,
    villages: Sequence[str],
    window: Sequence[str],
) -> AreaData:
    """One area over a period (and its trend window), for all villages or the chosen ones.

    Reads only the months the view needs: the period, the one before, the year before, the
    trend window and, for an area with plans, the year up to the period's end.
    """
    needed = {*window, *period.months, *period.previous().months, *period.year_ago().months}
    if catalogue.plans(area):
        needed |= set(months.year_to_date(period.last).months)
    frame = store.current(areas=[area], months=sorted(needed))
    chosen = list(villages)
    per_village = [i.name for i in catalogue.area(area).indicators if i.village_rows]
    table = metrics.period_table(frame, catalogue, area, period.first, period.last, chosen)
    monthly = (
        metrics.monthly(frame, catalogue, area, list(window), chosen)
        if chosen
        else metrics.monthly_wide(
            area_series(store, catalogue, area, window), catalogue, area, list(window)
        )
    )
    return AreaData(
        headline=metrics.headline(frame, catalogue, area, period, chosen),
        coverage=metrics.coverage(frame, catalogue, area, period.months, chosen),
        monthly=monthly,
        table=table,
        shown_table=metrics.display_table(table, catalogue, area),
        file_table=metrics.download_table(table, catalogue, area),
        village_values=metrics.villages_values(frame, catalogue, area, per_village, period, chosen),
        village_month=metrics.villages_month(
            frame, catalogue, area, per_village, list(window), chosen
        ),
        events=area_events(store, area, window, chosen),
        progress=metrics.progress(frame, catalogue, area, period.last, chosen),
    )


def area_events(
    store: Store, area: str, window: Sequence[str], villages: Sequence[str]
) -> list[Event]:
    """The area's 大事记 in the trend window; with villages chosen, theirs and the township's."""
    found = events.from_frame(store.events(min(window), max(window), area=area))
    if villages:
        found = [e for e in found if not e.villages or set(e.villages) & set(villages)]
    return found


@dataclass(frozen=True)
class SafetyData:
    """The safety trends of one view: hazards of every loaded month, every month's figures of
    the area, and the year so far against last year."""

    hazards: pd.DataFrame
    all_monthly: pd.DataFrame
    year_so_far: pd.DataFrame


def safety_data(
    store: Store,
    catalogue: Catalogue,
    last: str,
    villages: Sequence[str],
    loaded: Sequence[str],
) -> SafetyData:
    """安全生产's own sections up to `last`, for all villages or the chosen ones."""
    area = metrics.SAFETY_AREA
    chosen = list(villages)
    pair = [metrics.SAFETY_FOUND, metrics.SAFETY_FIXED]
    # The hazard pair of every loaded month as the sheets keep it (month, village, found,
    # fixed): a county's ten years without unpacking to one row per value and pivoting back.
    hazard_rows = store.wide(area, pair)
    if chosen:
        hazard_rows = hazard_rows[hazard_rows["village"].isin(chosen)]
    ytd = months.year_to_date(last)
    sums = [i for i in metrics.shown_indicators(catalogue, area, chosen) if i.combine == "sum"]
    if chosen:
        all_monthly = metrics.monthly(store.current(areas=[area]), catalogue, area, loaded, chosen)
    else:
        all_monthly = metrics.monthly_wide(
            area_series(store, catalogue, area, loaded), catalogue, area, list(loaded)
        )
    return SafetyData(
        hazards=metrics.hazards_from_wide(hazard_rows, pair[0], pair[1], list(loaded)),
        all_monthly=all_monthly,
        year_so_far=metrics.headline(
            _year_so_far_values(store, catalogue, area, ytd, chosen, sums),
            catalogue,
            area,
            ytd,
            chosen,
            sums,
        ),
    )


def _year_so_far_values(
    store: Store,
    catalogue: Catalogue,
    area: str,
    ytd: months.Period,
    chosen: list[str],
    sums: list,
) -> pd.DataFrame:
    """The values the year-so-far figures (this year, last year, the period before) need.

    For the whole township a count added across villages enters as one 全镇 row a month from
    the kept totals (as on the overview): a county's 500 villages × 36 months are not unpacked.
    """
    needed = sorted({*ytd.months, *ytd.previous().months, *ytd.year_ago().months})
    if chosen:
        return store.current(areas=[area], months=needed)
    series = area_series(store, catalogue, area, needed)
    rest = [i.name for i in sums if (i.combine, i.across) != ("sum", "sum")]
    values = (
        store.current(areas=[area], months=needed, indicators=rest)
        if rest
        else pd.DataFrame(columns=["area", "indicator", "village", "month", "value"])
    )
    return metrics.township_rows(series[series["month"].isin(needed)], values, catalogue)


@dataclass(frozen=True)
class OverviewData:
    """Since-January figures of every area's key indicators, what needs attention, and the
    latest month's 大事记."""

    year_so_far: dict[str, pd.DataFrame]
    behind: pd.DataFrame
    unreported: pd.DataFrame
    hazards: pd.DataFrame
    events: list[Event]


def has_hazards(catalogue: Catalogue) -> bool:
    """Whether the catalogue has the hazard pair the backlog is computed from."""
    if metrics.SAFETY_AREA not in catalogue.area_names:
        return False
    names = {i.name for i in catalogue.sheet_indicators(metrics.SAFETY_AREA)}
    return {metrics.SAFETY_FOUND, metrics.SAFETY_FIXED} <= names


def overview_data(store: Store, catalogue: Catalogue, loaded: Sequence[str]) -> OverviewData:
    """The overview's cards and warnings for the year up to the last loaded month."""
    period = months.year_to_date(loaded[-1])
    needed = sorted({*period.months, *period.previous().months, *period.year_ago().months})
    # An area whose work ended before the latest month (疫情防控) is not on the overview.
    areas = catalogue.areas_at(loaded[-1])
    # Monthly counts come from the kept totals as one township row a month; only stocks and
    # rates are read per village, and only the indicators the overview shows or judges.
    used = [
        *(i for a in areas for i in a.key_indicators),
        *(i for a in areas for i in a.indicators if i.higher_better is not None),
    ]
    per_village = sorted({i.name for i in used if (i.combine, i.across) != ("sum", "sum")})
    # Only the sheets holding such an indicator: the others' slices would be unpacked for
    # nothing (a county's two years of every sheet).
    holding = sorted({i.area for a in areas for i in a.indicators if i.name in per_village})
    series = metrics.town_monthly_from_totals(
        store.totals(first=needed[0], last=needed[-1]), catalogue
    )
    frame = metrics.township_rows(
        series[series["month"].isin(needed)],
        store.current(areas=holding, months=needed, indicators=per_village),
        catalogue,
    )
    pair = [metrics.SAFETY_FOUND, metrics.SAFETY_FIXED]
    # Every indicator's figures once: the cards show the key ones, the warnings judge others.
    tables = metrics.headlines(
        frame, catalogue, period, indicators={a.name: a.indicators for a in areas}
    )
    return OverviewData(
        year_so_far={
            area.name: metrics.headline_rows(tables[area.name], area.key_indicators)
            for area in areas
        },
        behind=metrics.behind_last_year(frame, catalogue, loaded[-1], tables),
        unreported=metrics.unreported(store.current(months=[loaded[-1]]), catalogue, loaded[-1]),
        hazards=metrics.hazards_from_wide(
            store.wide(metrics.SAFETY_AREA, pair), pair[0], pair[1], list(loaded)
        )
        if has_hazards(catalogue)
        else pd.DataFrame(),
        events=events.from_frame(store.events(loaded[-1], loaded[-1])),
    )


def status_matrix(store: Store, catalogue: Catalogue, month_list: Sequence[str]) -> pd.DataFrame:
    """Areas × months 已报 / 部分 / 未报 from the kept per-slice village counts."""
    return metrics.status_from_counts(store.slice_villages(), catalogue, list(month_list))


def month_progress(
    store: Store, catalogue: Catalogue, month: str, today: dt.date
) -> progress.Progress:
    """报送进度 of a month: who sent what, when and in which file, and who is late by `today`."""
    values = store.current(months=[month], with_source=True)
    return progress.build(values, store.history(), catalogue, month, today)


def carried_stocks(
    store: Store, catalogue: Catalogue, month: str
) -> dict[tuple[str, str, str], float]:
    """What a month's templates pre-fill: each village's current stocks of the month before."""
    previous = store.current(months=[months.shift(month, -1)])
    return workbook.carried_stocks(previous, catalogue)


def loaded_months(store: Store) -> list[str]:
    """Every month from the first to the last one holding data (gaps included)."""
    span = store.month_span()
    return [] if span is None else months.month_range(*span)


@dataclass(frozen=True)
class ContestView:
    """One ranked period of the 打擂 page with its warnings and honours (and, for a quarter,
    the bulletin draft's paragraphs)."""

    result: ranking.Ranking
    notices: list[ranking.Notice]
    bulletin: list[Block]


def contest_view(
    scores: pd.DataFrame,
    catalogue: Catalogue,
    by_quarter: bool,
    period: str,
    top_n: int,
    bottom_n: int,
) -> ContestView:
    """The ranking of a month or quarter with its notices (and the quarter's 通报 draft)."""
    rank = ranking.rank_quarter if by_quarter else ranking.rank_month
    result = rank(scores, catalogue, period, top_n, bottom_n)
    return ContestView(
        result,
        ranking.notices(scores, result, catalogue),
        bulletin.blocks(scores, catalogue, result) if by_quarter else [],
    )


def latest_contest(
    scores: pd.DataFrame, catalogue: Catalogue
) -> tuple[ranking.Ranking, dict[str, int]] | None:
    """The latest scored 打擂 month's ranking and its consecutive-黑榜 warnings, or None."""
    scored = ranking.scored_months(scores)
    if not scored:
        return None
    latest = ranking.rank_month(scores, catalogue, scored[-1])
    return latest, ranking.bottom_streaks(scores, scored[-1], catalogue.contest.black_n)
