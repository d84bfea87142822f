"""The figures of indicator placeholders, computed exactly as the catalogue says.

A figure remembers how it was computed (`method`), what is missing inside the period
(`notes`) and which cells it came from (`spec`, read when shown). A period without data for it
reads 【未报】, never 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import formatting, metrics, months
from ..catalogue import TOWN, Catalogue, Indicator
from .sources import SourceSpec, source_summary, source_table
from .syntax import Ref

MISSING = "【未报】"
NONE_TEXT = "（本期无）"
MAX_NAMES = 5


@dataclass
class Figure:
    """One filled placeholder: its value, its text, how it was computed and its source cells.

    kind: data (from imported values), catalogue (a setting of catalogue.toml), event (from
    the 大事记) or period (the chosen period, the township's name, an area's span). `sources`
    (the cells) is None for a data figure until they are read; `spec` says which they are.
    """

    key: str
    label: str
    kind: str
    text: str
    value: float | None = None
    method: str = ""
    notes: list[str] = field(default_factory=list)
    origin: str = ""
    sources: pd.DataFrame | None = field(default_factory=pd.DataFrame)
    spec: SourceSpec | None = None

    def _sources(self) -> pd.DataFrame:
        if self.sources is None:
            raise RuntimeError(f"the sources of {self.key} were not read (attach_sources)")
        return self.sources

    @property
    def missing(self) -> bool:
        return self.text == MISSING

    @property
    def partial(self) -> bool:
        return bool(self.notes) and not self.missing

    def source_table(self) -> pd.DataFrame:
        """The cells behind the figure, in Chinese columns, ready for a table or a download."""
        return source_table(self._sources())

    def source_summary(self) -> str:
        """Where the figure comes from, as one line: files, versions, sheets and cell ranges."""
        if self.origin:
            return self.origin
        sources = self._sources()
        if sources.empty:
            return "无（本期没有数据）" if self.kind == "data" else ""
        return source_summary(sources)

    @property
    def explanation(self) -> str:
        """Method plus coverage notes, as a sentence for the page and the .md appendix."""
        return "；".join([self.method, *self.notes]) if self.notes else self.method


def unit_text(value: float, unit: str) -> str:
    return formatting.number(value) + unit


def rounded_text(value: float, unit: str, mode: str) -> str:
    """'50余次' for 53 (余), '3千多米' for 3,260 (千多); the exact figure where rounding would
    say nothing (below 10, below 1,000 metres) or would be wrong (a round number)."""
    if mode == "千多":
        if value < 1000:
            return unit_text(value, unit)
        thousands = math.floor(value / 1000)
        return f"{thousands}千{'' if value == thousands * 1000 else '多'}{unit}"
    step = 10 if value < 1000 else 100
    base = math.floor(value / step) * step
    if value < 10 or base == value:
        return unit_text(value, unit)
    return f"{formatting.number(base)}余{unit}"


def month_list(month_values: list[str], last: str) -> str:
    """'6月、7月' within the period's year, full labels otherwise."""
    same_year = all(m[:4] == last[:4] for m in month_values)
    return "、".join(f"{int(m[5:])}月" if same_year else months.label(m) for m in month_values)


def _gap_text(first: list[tuple[str, str]], count: int) -> str:
    """'青石村2024年3月、全镇2024年5月' — the first three (village, month) gaps, then a count."""
    named = [f"{metrics.TOWN_LEVEL_ROW if v == TOWN else v}{months.label(m)}" for v, m in first[:3]]
    more = f"等 {count} 处" if count > 3 else ""
    return "、".join(named) + more


def _positions(column: pd.Series, names: list[str]) -> np.ndarray:
    """Each entry's position in `names` (-1 if absent): the few distinct names are looked up
    once, not each of a county's 250,000 rows (Index.get_indexer on text is per row)."""
    codes, distinct = pd.factorize(column)
    found = np.append(pd.Index(names).get_indexer(distinct), -1)
    return found[codes]


class IndicatorFigures:
    """Computes every indicator figure of a template for one period from the tidy values.

    `values` may reach back to January: the progress of a plan is counted over the year.
    """

    def __init__(self, values: pd.DataFrame, catalogue: Catalogue, first: str, last: str) -> None:
        self.catalogue = catalogue
        self.first, self.last = first, last
        self.period_months = months.month_range(first, last)
        self.period_name = months.period_label(first, last)
        self.year_values = values
        self.values = metrics.in_period(values, first, last) if not values.empty else values
        tidy = self.values[[*metrics.GROUP, "month", "value"]] if not values.empty else values
        self.combined = metrics.combine_months(tidy, catalogue)
        self.town = metrics.town_figures(self.combined, catalogue)
        self._contributing: pd.DataFrame | None = None
        self._groups: dict[int, dict[tuple[str, str], pd.DataFrame]] = {}
        # An area's plans over the year, once per area (each pass combines a year of months).
        self._progress: dict[str, list[metrics.Progress]] = {}
        # Who reported which month, as numbers: coverage notes compare a county's villages
        # against every month of the period for every figure.
        present = self.values if not values.empty else pd.DataFrame(columns=["village", "month"])
        self._villages = list(
            dict.fromkeys([*catalogue.village_names, TOWN, *present["village"].unique().tolist()])
        )
        self._position = {v: i for i, v in enumerate(self._villages)}
        self._town_code = self._position[TOWN]
        # The (area, indicator) pairs whose 全镇 row has a figure this period, found once.
        reported = self.combined
        if not reported.empty:
            reported = reported[(reported["village"] == TOWN) & reported["value"].notna()]
        self._town_reported = set(
            zip(reported["area"].tolist(), reported["indicator"].tolist(), strict=True)
        )
        self._village_codes = _positions(present["village"], self._villages)
        self._month_codes = _positions(present["month"], self.period_months)
        self._positions = (
            present.groupby(["area", "indicator"], sort=False).indices if len(present) else {}
        )

    @property
    def used(self) -> pd.DataFrame:
        """The values combining uses (metrics.contributing), worked out when sources are."""
        if self._contributing is None:
            self._contributing = metrics.contributing(self.values, self.catalogue)
        return self._contributing

    def rows(self, frame: pd.DataFrame, ind: Indicator) -> pd.DataFrame:
        """The rows of one indicator (frames are split once, not filtered per figure)."""
        if frame.empty:
            return frame
        groups = self._groups.get(id(frame))
        if groups is None:
            groups = {key: part for key, part in frame.groupby(["area", "indicator"], sort=False)}
            self._groups[id(frame)] = groups
        return groups.get((ind.area, ind.name), frame.iloc[0:0])

    def figure(self, ref: Ref) -> Figure:
        ind = ref.indicator
        assert ind is not None
        if not ind.span.active_during(self.first, self.last):
            return Figure(
                ref.key,
                ref.label,
                "data",
                MISSING,
                method=f"“{ind.name}”{ind.span.rule}，{self.period_name}不在其中",
            )
        if ref.mode in ("村数", "村名"):
            return self.villages(ref, ind)
        if ref.mode == "月份":
            return self.active_months(ref, ind)
        if ref.mode in ("进度", "应完成"):
            return self.progress(ref, ind)
        return self.total(ref, ind)

    # -------------------------------------------------------------- the township's figure

    def total(self, ref: Ref, ind: Indicator) -> Figure:
        found = self.rows(self.town, ind)
        value = float(found["value"].iloc[0]) if not found.empty else float("nan")
        fig = Figure(key=ref.key, label=ref.label, kind="data", text=MISSING)
        if pd.isna(value):
            fig.method = f"{self.period_name}“{ind.name}”没有任何村（社区）或全镇填报的数据"
            return fig
        has_town = (ind.area, ind.name) in self._town_reported
        only_town = ind.across == "mean" and has_town
        fig.value = value
        if ref.mode == "数值":
            fig.text = formatting.number(value)
        elif ref.mode in ("余", "千多"):
            fig.text = rounded_text(value, ind.unit, ref.mode)
        else:
            fig.text = unit_text(value, ind.unit)
        fig.spec = SourceSpec(ind.area, ind.name, villages=(TOWN,) if only_town else None)
        fig.method = self.method(ind, *self._used(ind, only_town), has_town=has_town)
        if ref.mode in ("余", "千多") and fig.text != unit_text(value, ind.unit):
            fig.method += f"；实数 {unit_text(value, ind.unit)}，按“{ref.mode}”写作约数"
        fig.notes = self.coverage(ind)
        return fig

    def _used(self, ind: Indicator, only_town: bool) -> tuple[np.ndarray, np.ndarray]:
        """(village, month) codes of the values a figure uses: `metrics.contributing`'s rule
        (every month of a sum, each village's latest month of a stock, its latest month of each
        year of a plan) worked out on numbers; only the 全镇 row's with `only_town`."""
        at = self._positions.get((ind.area, ind.name), np.empty(0, dtype=np.int64))
        villages, month_codes = self._village_codes[at], self._month_codes[at]
        if only_town:
            keep = villages == self._town_code
            villages, month_codes = villages[keep], month_codes[keep]
        if ind.combine == "sum" or not len(villages):
            return villages, month_codes
        key = villages.astype("int64")
        if ind.combine == "target":
            years = np.array([int(m[:4]) for m in self.period_months], dtype="int64")
            key = key * 10_000 + years[month_codes]
        latest = pd.Series(month_codes).groupby(key).max()
        first_village = pd.Series(villages).groupby(key).first()
        return first_village.to_numpy(), latest.to_numpy()

    def method(
        self, ind: Indicator, villages: np.ndarray, month_codes: np.ndarray, has_town: bool
    ) -> str:
        count = len(np.unique(villages[villages != self._town_code]))
        over_months = {
            "sum": f"{self.period_name}各月数值相加",
            "last": f"取期末最新一个月的数值（{self._latest_text(month_codes)}）",
            "target": f"年度计划数，取{self._years_text()}最新填报的计划（各月不相加）",
        }[ind.combine]
        if ind.level == "town":
            across = "只取“全镇”行（镇本级填报）"
        elif ind.across == "mean":
            across = (
                "以“全镇”行填报的比率为准"
                if has_town
                else f"取 {count} 个村（社区）的平均值（比率不相加）"
            )
        elif ind.level == "both":
            across = (
                f"{count} 个村（社区）相加，再加上“全镇”行填报的镇本级部分（只加一次，不重复计算）"
                if has_town
                else f"{count} 个村（社区）相加（“全镇”行本期未填）"
            )
        else:
            across = f"{count} 个村（社区）相加"
        return f"{over_months}，{across}；共用到 {len(villages)} 个单元格"

    def _latest_text(self, month_codes: np.ndarray) -> str:
        if not len(month_codes):
            return ""
        counts = np.bincount(month_codes, minlength=len(self.period_months))
        present = np.nonzero(counts)[0]
        if len(present) == 1:
            return months.label(self.period_months[present[0]])
        most = self.period_months[int(np.argmax(counts))]  # the earliest of equally many
        return f"多为{months.label(most)}，最早{months.label(self.period_months[present[0]])}"

    def _years_text(self) -> str:
        years = sorted({m[:4] for m in self.period_months})
        return f"{years[0]}年" if len(years) == 1 else "、".join(f"{y}年" for y in years) + "各年"

    def coverage(self, ind: Indicator) -> list[str]:
        """What is missing inside the period: whole months, villages, stale latest values."""
        at = self._positions.get((ind.area, ind.name), np.empty(0, dtype=np.int64))
        village_codes, month_codes = self._village_codes[at], self._month_codes[at]
        expected = [*(self.catalogue.village_names if ind.village_rows else [])]
        if ind.town_row and ind.area != self.catalogue.contest.sheet:
            expected.append(TOWN)
        position = self._position
        notes: list[str] = []
        months_present = set(np.unique(month_codes).tolist())
        filled = [i for i in range(len(self.period_months)) if i in months_present]
        empty_months = [m for i, m in enumerate(self.period_months) if i not in months_present]
        if empty_months and ind.combine == "sum":
            notes.append(f"{month_list(empty_months, self.last)}没有数据")
        reported = set(np.unique(village_codes).tolist())
        absent = [v for v in expected if position[v] not in reported]
        if absent:
            names = [metrics.TOWN_LEVEL_ROW if v == TOWN else v for v in absent]
            shown = "、".join(names[:MAX_NAMES]) + (f"等 {len(names)} 个" if len(names) > 5 else "")
            notes.append(f"{shown}本期未填报")
        if ind.combine == "sum":
            rows = [position[v] for v in expected if position[v] in reported]
            have = np.zeros((len(self.period_months), len(self._villages)), dtype=bool)
            have[month_codes, village_codes] = True
            missing = np.argwhere(~have[np.ix_(filled, rows)])  # month first, then village
            if len(missing):
                first = [
                    (self._villages[rows[j]], self.period_months[filled[i]]) for i, j in missing[:3]
                ]
                notes.append(f"{_gap_text(first, len(missing))}未填报，按已填报的数相加")
        elif len(at):
            latest = pd.Series(month_codes).groupby(village_codes).max()
            stale = int((latest < len(self.period_months) - 1).sum())
            if stale:
                notes.append(
                    f"{stale} 个村（社区）最新数据早于{months.label(self.last)}，按其最新一月计"
                )
        return notes

    # -------------------------------------------------------------- villages and months

    def villages(self, ref: Ref, ind: Indicator) -> Figure:
        combined = self.rows(self.combined, ind)
        combined = combined[(combined["village"] != TOWN) & combined["value"].notna()]
        fig = Figure(key=ref.key, label=ref.label, kind="data", text=MISSING)
        if combined.empty:
            fig.method = f"{self.period_name}“{ind.name}”没有任何村（社区）填报的数据"
            return fig
        order = {v: i for i, v in enumerate(self.catalogue.village_names)}
        active = combined[combined["value"] > 0].copy()
        active["order"] = active["village"].map(order)
        active = active.sort_values(["value", "order"], ascending=[False, True])
        names = list(active["village"])
        fig.value = float(len(names))
        if ref.mode == "村数":
            fig.text = str(len(names))
        elif not names:
            fig.text = NONE_TEXT
        elif len(names) <= MAX_NAMES:
            fig.text = "、".join(names)
        else:
            fig.text = f"{'、'.join(names[:3])}等{len(names)}个村（社区）"
        fig.spec = SourceSpec(ind.area, ind.name, villages=tuple(names))
        over = "各月相加" if ind.combine == "sum" else "期末最新值"
        listed = "、".join(
            f"{v}{formatting.number(x)}" for v, x in zip(names, active["value"], strict=True)
        )
        fig.method = (
            f"“{ind.name}”本期数（{over}）大于 0 的村（社区）：{listed or '无'}"
            f"；{len(combined)} 个村（社区）有数据"
        )
        fig.notes = self.coverage(ind)
        return fig

    def active_months(self, ref: Ref, ind: Indicator) -> Figure:
        at = self._positions.get((ind.area, ind.name))
        rows = self.values.iloc[at] if at is not None else self.values.iloc[0:0]
        fig = Figure(key=ref.key, label=ref.label, kind="data", text=MISSING)
        if rows.empty:
            fig.method = f"{self.period_name}“{ind.name}”没有任何数据"
            return fig
        monthly = metrics.town_monthly(rows[[*metrics.GROUP, "month", "value"]], self.catalogue)
        active = sorted(monthly[monthly["value"] > 0]["month"])
        fig.value = float(len(active))
        fig.text = month_list(active, self.last) if active else NONE_TEXT
        fig.spec = SourceSpec(
            ind.area, ind.name, contributing=False, months=tuple(active), positive=True
        )
        fig.method = (
            "各月全镇数："
            + "、".join(
                f"{months.label(m)}{formatting.number(v)}{ind.unit}"
                for m, v in zip(monthly["month"], monthly["value"], strict=True)
            )
            + "；取其中大于 0 的月份"
        )
        fig.notes = self.coverage(ind)
        return fig

    # -------------------------------------------------------------- plan against actual

    def progress(self, ref: Ref, ind: Indicator) -> Figure:
        """进度: the year's actual over the plan; 应完成: the plan times the months elapsed."""
        found = self._progress.get(ind.area)
        if found is None:
            found = metrics.progress(self.year_values, self.catalogue, ind.area, self.last)
            self._progress[ind.area] = found
        item = next(p for p in found if p.actual.name == ind.name)
        fig = Figure(key=ref.key, label=ref.label, kind="data", text=MISSING)
        year = months.year_to_date(self.last).label
        plan, done = item.plan, item.actual
        figures = (
            f"{year}{done.name}{formatting.number(item.actual_value, done.unit)}，"
            f"{plan.name}{formatting.number(item.plan_value, plan.unit)}"
        )
        value = item.share if ref.mode == "进度" else item.expected
        if math.isnan(value):
            fig.method = f"{figures}：无法计算（计划或完成数未报，或计划为 0）"
            if ref.mode == "应完成" and not item.yearly:
                fig.method = f"“{plan.name}”是各月相加的数，不按时间进度折算"
            return fig
        fig.value = value
        if ref.mode == "进度":
            fig.text = formatting.number(round(value, 1), "%")
            fig.method = f"{figures}；完成进度 = 完成数 ÷ 计划数"
            if item.verdict:
                fig.method += f"；{item.verdict}"
        else:
            fig.text = unit_text(value, done.unit)
            fig.method = (
                f"{figures}；按序时进度（{item.elapsed}/12 个月）应完成 "
                f"{formatting.number(item.plan_value)} × {item.elapsed} ÷ 12"
            )
        fig.origin = f"由“{done.name}”和“{plan.name}”两个数字算出（{year}），来源见这两个数字"
        return fig
