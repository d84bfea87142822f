"""Where a figure comes from: the rule that picks its cells, the cells, and their ranges.

A figure keeps a rule (`SourceSpec`) instead of its cells, so a county's report holds a few
dozen rules and the cells are read from the store only when someone asks where a figure came
from (build.attach_sources).
"""

from __future__ import annotations

import string
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import metrics, months
from ..catalogue import TOWN, Catalogue

SOURCE_COLUMNS = {
    "village": "村（社区）",
    "month": "月份",
    "value": "数值",
    "file_name": "文件",
    "sheet": "工作表",
    "cell": "单元格",
    "version_id": "版本",
}
SOURCE_FIELDS = ("version_id", "file_name", "sheet", "cell")


@dataclass(frozen=True)
class SourceSpec:
    """Which imported cells a figure comes from, as a rule over the period's values.

    `contributing`: only the values `metrics.combine_months` uses (each village's latest month
    for a stock, …); `villages`, `months`: only those; `positive`: only values above 0.
    """

    area: str
    indicator: str
    contributing: bool = True
    villages: tuple[str, ...] | None = None
    months: tuple[str, ...] | None = None
    positive: bool = False

    def rows(self, values: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
        """The rows of `values` (the period's, with their sources) this rule picks."""
        return self.pick(Rows(values, catalogue))

    def pick(self, found: Rows) -> pd.DataFrame:
        cut = found.of(self.area, self.indicator, self.contributing)
        if self.villages is not None:
            cut = cut[cut["village"].isin(list(self.villages))]
        if self.months is not None:
            cut = cut[cut["month"].isin(list(self.months))]
        if self.positive:
            cut = cut[cut["value"] > 0]
        return cut


class Rows:
    """A period's values split by (area, indicator), and the values combining uses of each
    (metrics.contributing), worked out once for every figure that picks from them."""

    def __init__(
        self, values: pd.DataFrame, catalogue: Catalogue, used: pd.DataFrame | None = None
    ) -> None:
        self.catalogue = catalogue
        self._all = split(values)
        self._used = None if used is None else split(used)
        self._values = values

    def of(self, area: str, indicator: str, contributing: bool) -> pd.DataFrame:
        if contributing and self._used is None:
            self._used = split(metrics.contributing(self._values, self.catalogue))
        groups = (self._used or {}) if contributing else self._all
        return groups.get((area, indicator), self._values.iloc[0:0])


def split(frame: pd.DataFrame) -> dict[tuple[str, str], pd.DataFrame]:
    if frame.empty:
        return {}
    return {key: part for key, part in frame.groupby(["area", "indicator"], sort=False)}


def source_table(sources: pd.DataFrame) -> pd.DataFrame:
    """The cells behind a figure, in Chinese columns, ready for a table or a download."""
    if sources.empty:
        return pd.DataFrame(columns=list(SOURCE_COLUMNS.values()))
    table = sources.sort_values(["month", "village"])[list(SOURCE_COLUMNS)].copy()
    table["month"] = table["month"].map(months.label)
    table["village"] = table["village"].replace({TOWN: metrics.TOWN_LEVEL_ROW})
    return table.rename(columns=SOURCE_COLUMNS).reset_index(drop=True)


def source_summary(sources: pd.DataFrame) -> str:
    """Where the cells come from, as one line: files, versions, sheets and cell ranges."""
    keys = ["version_id", "file_name", "sheet"]
    # The cells are split once for the figure, then cut per (version, file, sheet): a
    # county figure's cells come from a file per month.
    group = sources.groupby(keys, sort=True).ngroup().to_numpy()
    firsts = np.unique(group, return_index=True)[1]
    named = sources[keys].iloc[firsts]
    parts_of = _split_cells(sources["cell"])
    parts = []
    for number, (version, file_name, sheet) in enumerate(named.itertuples(index=False)):
        ranges = _ranges(*(part[group == number] for part in parts_of))
        parts.append(f"{file_name}（版本 {version}）{sheet}!{ranges}")
    return "；".join(parts)


def cell_ranges(cells: pd.Series) -> str:
    """['D4', 'D5', 'D6', 'F4'] → 'D4:D6、F4': consecutive rows of a column as one range."""
    return _ranges(*_split_cells(cells))


def _split_cells(cells: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(texts, whether each is a plain cell like 'D4', its column letters, its row number),
    split by vectorised string methods: a county figure can draw on 3,000 cells."""
    text = pd.Series(cells, dtype="str")
    plain = text.str.fullmatch(r"[A-Z]+[0-9]+").to_numpy(dtype=bool, na_value=False)
    columns = np.full(len(text), "", dtype=object)
    numbers = np.zeros(len(text), dtype="int64")
    found = text[plain]
    columns[plain] = found.str.rstrip(string.digits).to_numpy(dtype=object)
    numbers[plain] = found.str.lstrip(string.ascii_uppercase).astype("int64").to_numpy()
    return text.to_numpy(dtype=object), plain, columns, numbers


def _ranges(text: np.ndarray, plain: np.ndarray, columns: np.ndarray, numbers: np.ndarray) -> str:
    """The ranges of split cells (`_split_cells`), worked out per column on arrays."""
    others = sorted(set(text[~plain].tolist()))
    columns, numbers = columns[plain], numbers[plain]
    parts = []
    for column in sorted(set(columns.tolist()), key=lambda c: (len(c), c)):
        rows = np.unique(numbers[columns == column])
        breaks = np.nonzero(np.diff(rows) != 1)[0]
        starts, ends = rows[np.r_[0, breaks + 1]], rows[np.r_[breaks, len(rows) - 1]]
        parts += [
            f"{column}{a}" if a == b else f"{column}{a}:{column}{b}"
            for a, b in zip(starts.tolist(), ends.tolist(), strict=True)
        ]
    return "、".join([*parts, *others])


def attach(
    figures: list, values: pd.DataFrame, catalogue: Catalogue, used: pd.DataFrame | None = None
) -> None:
    """Give each figure with a rule the cells its rule picks from `values`."""
    found = Rows(values, catalogue, used)
    for fig in figures:
        if fig.spec is not None:
            fig.sources = fig.spec.pick(found).reset_index(drop=True)
