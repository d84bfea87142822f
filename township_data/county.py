"""A county's own view: its townships side by side, and the 打擂 standing of the townships.

Every township keeps its own catalogue (areas, key indicators, villages, 打擂 rules) and its own
data in the county's database. Side by side, each township's figure for each area's key
indicators over one period is combined exactly as that township's area page combines it
(metrics.period_figures: counts added, stocks and rates their latest month, 未报 never 0); a
township whose catalogue lacks the indicator shows — (不适用).

The standing ranks townships by the mean 打擂 score of their villages over the period: each
village's mean monthly 总分 over the months it was scored, then the mean over the township's
scored villages (a village without a score is left out, not counted as 0; a township with no
scored village is 未报 and not ranked). When the townships' 满分 differ, the mean is compared as
a share of 满分. A county may instead set its own rules in `county.toml` beside the catalogues
(county_rules.py): weighted items, each from the 打擂 or from a key figure. Ties share a rank
(1, 2, 2, 4), compared to 0.01, as the villages' 打擂 does.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import formatting, metrics, ranking
from .catalogue import TOTAL_SCORE, Catalogue
from .county_rules import CONTEST, RuleItem, Rules
from .months import Period
from .store import Store

TOWNSHIP = "乡镇（街道）"
VILLAGES = "村（社区）数"
RANK = "名次"
SCORED = "参评村（社区）"
NOTE = "说明"
NOT_APPLICABLE = "—"
_PRECISION = 2


@dataclass(frozen=True)
class Member:
    """One township of the county: its catalogue and its data."""

    catalogue: Catalogue
    store: Store

    @property
    def name(self) -> str:
        return self.catalogue.township_name


@dataclass(frozen=True)
class Column:
    """One key indicator as a column of the side-by-side tables."""

    area: str
    indicator: str
    unit: str

    @property
    def label(self) -> str:
        return f"{self.indicator}（{self.unit}）"

    @property
    def heading(self) -> str:
        return f"{self.area}·{self.label}"


def key_columns(catalogues: Sequence[Catalogue]) -> list[Column]:
    """Every area's key indicators over all townships, in the order the townships list them."""
    found: dict[tuple[str, str, str], Column] = {}
    for catalogue in catalogues:
        for area in catalogue.areas:
            for ind in area.key_indicators:
                found.setdefault(
                    (area.name, ind.name, ind.unit), Column(area.name, ind.name, ind.unit)
                )
    return list(found.values())


def _has(catalogue: Catalogue, column: Column) -> bool:
    if column.area not in catalogue.area_names:
        return False
    return any(
        i.name == column.indicator and i.unit == column.unit
        for i in catalogue.area(column.area).indicators
    )


def _township_figures(
    values: pd.DataFrame, catalogue: Catalogue, period: Period
) -> dict[tuple[str, str], tuple[float, int]]:
    """(area, indicator) → (the township's figure, villages reported), every area in one pass
    (metrics.period_figures does the same for one area; per area it costs eight passes)."""
    cut = metrics.in_period(values, period.first, period.last)
    found = metrics.town_figures(metrics.combine_months(cut, catalogue), catalogue)
    return {
        (a, i): (float(v), int(n))
        for a, i, v, n in zip(
            found["area"],
            found["indicator"],
            found["value"],
            found["villages_reported"],
            strict=True,
        )
    }


def figures(members: Sequence[Member], period: Period) -> pd.DataFrame:
    """Each township's figure of every key indicator over the period, one row per pair.

    Columns: township, area, indicator, unit, value (NaN = 未报), applicable, villages_reported,
    villages. Only the period's months of the key indicators' sheets are read.
    """
    columns = key_columns([m.catalogue for m in members])
    rows = []
    for member in members:
        cat = member.catalogue
        own = [c for c in columns if _has(cat, c)]
        areas = sorted({c.area for c in own})
        values = member.store.current(
            areas=areas, months=period.months, indicators=sorted({c.indicator for c in own})
        )
        found = _township_figures(values, cat, period)
        for column in columns:
            applicable = column in own
            value, reported = found.get((column.area, column.indicator), (math.nan, 0))
            rows.append(
                {
                    "township": member.name,
                    "area": column.area,
                    "indicator": column.indicator,
                    "unit": column.unit,
                    "value": value if applicable else math.nan,
                    "applicable": applicable,
                    "villages_reported": reported if applicable else 0,
                    "villages": len(cat.village_names),
                }
            )
    return pd.DataFrame(rows)


def _cell(value: float, applicable: bool, unit: str) -> str:
    return formatting.number(value, unit) if applicable else NOT_APPLICABLE


def area_table(found: pd.DataFrame, area: str) -> pd.DataFrame:
    """One area as the page shows it: a row per township, a column per key indicator (text:
    the figure with its unit, 未报, or — where the township does not count it)."""
    cut = found[found["area"] == area]
    towns = list(dict.fromkeys(found["township"]))
    table = pd.DataFrame({TOWNSHIP: towns})
    table[VILLAGES] = [int(found.loc[found["township"] == t, "villages"].iloc[0]) for t in towns]
    for (indicator, unit), group in cut.groupby(["indicator", "unit"], sort=False):
        by_town = group.set_index("township")
        table[f"{indicator}（{unit}）"] = [
            _cell(by_town.at[t, "value"], bool(by_town.at[t, "applicable"]), "") for t in towns
        ]
    return table


def download_table(found: pd.DataFrame) -> pd.DataFrame:
    """Every area's key figures in one table to download: numbers stay numbers (未报 where
    missing), — where the township does not count the indicator."""
    towns = list(dict.fromkeys(found["township"]))
    table = pd.DataFrame({TOWNSHIP: towns})
    table[VILLAGES] = [int(found.loc[found["township"] == t, "villages"].iloc[0]) for t in towns]
    for (area, indicator, unit), group in found.groupby(["area", "indicator", "unit"], sort=False):
        by_town = group.set_index("township")
        table[f"{area}·{indicator}（{unit}）"] = pd.Series(
            [
                by_town.at[t, "value"] if by_town.at[t, "applicable"] else NOT_APPLICABLE
                for t in towns
            ],
            dtype=object,
        )
    return table


# ------------------------------------------------------------------ the standing of townships


def village_means(member: Member, period: Period) -> pd.Series:
    """Each scored village's mean monthly 总分 over the period (villages never scored left out)."""
    cat = member.catalogue
    names = [i.name for i in cat.contest.columns]
    scores = ranking.scores_from_wide(
        member.store.wide(cat.contest.sheet, names, period.first, period.last), cat
    )
    return scores.groupby("village")[TOTAL_SCORE].mean()


@dataclass(frozen=True)
class Standing:
    """The townships ranked: the table (numbers, NaN = 未报) and how the score was made."""

    table: pd.DataFrame
    score_column: str
    rule: str
    notes: tuple[str, ...] = ()

    @property
    def ranked(self) -> list[str]:
        return self.table.loc[self.table[RANK].notna(), TOWNSHIP].tolist()

    @property
    def unranked(self) -> list[str]:
        return self.table.loc[self.table[RANK].isna(), TOWNSHIP].tolist()


def _ranked(table: pd.DataFrame, score: str) -> pd.DataFrame:
    """Competition ranks on the score rounded to 0.01; 未报 after the ranked, in their order."""
    table = table.copy()
    table[RANK] = table[score].round(_PRECISION).rank(ascending=False, method="min")
    table["_order"] = range(len(table))
    table = table.sort_values([RANK, "_order"], na_position="last").drop(columns="_order")
    return table[[RANK, *[c for c in table.columns if c != RANK]]].reset_index(drop=True)


def _contest_rate(member: Member, period: Period) -> tuple[float, int]:
    """The mean village 总分 as a share of 满分, and how many villages it is the mean of."""
    means = village_means(member, period)
    if means.empty:
        return math.nan, 0
    return float(means.mean()) / member.catalogue.contest.full_marks, len(means)


def standing(members: Sequence[Member], period: Period, rules: Rules | None = None) -> Standing:
    """The townships ranked for the period: by the county's rules, else mean village score."""
    if rules is not None and rules.items:
        return _by_rules(members, period, rules)
    fulls = {m.catalogue.contest.full_marks for m in members}
    same = len(fulls) == 1
    score = "村均打擂得分（分）" if same else "村均打擂得分率（%）"
    rows = []
    for member in members:
        means = village_means(member, period)
        mean = float(means.mean()) if not means.empty else math.nan
        full = member.catalogue.contest.full_marks
        rows.append(
            {
                TOWNSHIP: member.name,
                score: mean if same else mean / full * 100,
                SCORED: len(means),
                VILLAGES: len(member.catalogue.village_names),
                NOTE: "" if not means.empty else "本期没有村（社区）打擂评分",
            }
        )
    rule = (
        "按各村（社区）打擂平均得分排名：先算每个村本期各月总分的平均分，再算全镇参评村的平均；"
        "未评分的村不计入（不按 0 分），没有任何村评分的乡镇为未报，不参加排名。"
    )
    if not same:
        rule += "各乡镇满分不同，按得分占满分的百分比比较。"
    return Standing(_ranked(pd.DataFrame(rows), score), score, rule)


def _item_score(item: RuleItem, member: Member, period: Period, values) -> float:
    """One rule item's score of one township (NaN = 未报 or not counted there)."""
    cat = member.catalogue
    if item.source == CONTEST:
        rate, _ = _contest_rate(member, period)
        return rate * item.full
    if item.area not in cat.area_names or item.indicator not in {
        i.name for i in cat.area(item.area).indicators
    }:
        return math.nan
    value = float(
        metrics.period_figures(values, cat, item.area, period).at[item.indicator, "value"]
    )
    if np.isnan(value):
        return math.nan
    if item.per_village:
        value /= max(len(cat.village_names), 1)
    if item.lower_better:
        ratio = 1.0 if value <= item.target else item.target / value
    else:
        ratio = value / item.target
    return min(max(ratio, 0.0), 1.0) * item.full


def _by_rules(members: Sequence[Member], period: Period, rules: Rules) -> Standing:
    score = "得分（分）"
    rows = []
    for member in members:
        areas = sorted(
            {i.area for i in rules.items if i.area and i.area in member.catalogue.area_names}
        )
        values = member.store.current(areas=areas, months=period.months) if areas else None
        items = {
            f"{i.name}（{i.full:g}分）": _item_score(i, member, period, values) for i in rules.items
        }
        missing = [name.split("（")[0] for name, v in items.items() if np.isnan(v)]
        rows.append(
            {
                TOWNSHIP: member.name,
                score: math.nan if missing else sum(items.values()),
                **items,
                NOTE: f"未报：{'、'.join(missing)}（不参加排名）" if missing else "",
            }
        )
    return Standing(_ranked(pd.DataFrame(rows), score), score, rules.describe())


def display_standing(result: Standing) -> pd.DataFrame:
    """The standing as the page shows it: ranks as whole numbers, scores to 0.01, 未报."""
    table = result.table.copy()
    table[RANK] = [f"{int(r)}" if pd.notna(r) else NOT_APPLICABLE for r in table[RANK]]
    for column in table.columns:
        if column in (RANK, TOWNSHIP, NOTE):
            continue
        if column in (SCORED, VILLAGES):
            table[column] = [f"{int(v)}" for v in table[column]]
        else:
            table[column] = [formatting.number(v, digits=2, fixed=True) for v in table[column]]
    return table
