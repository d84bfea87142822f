"""Plausibility checks of an upload against the month before: warnings that never block.

A value far above last month's (a typed extra digit, a cumulative figure entered as a monthly
one) and a village that reported an area last month but not this month are shown on the upload
preview so the office can check them before confirming. The thresholds come from the catalogue:
`jump_ratio` and `jump_min` under [warnings], or an indicator's own `jump`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from . import formatting, months
from .catalogue import TOWN, Catalogue

JUMP = "较上月大幅增加"
MISSING = "上月已报、本月未报"
KEY = ["area", "village", "indicator"]


@dataclass(frozen=True)
class Notice:
    """One thing worth a second look before confirming an import."""

    kind: str
    area: str
    month: str
    village: str
    indicator: str
    message: str
    ratio: float = 0.0  # this month ÷ last month; 0 when last month was 0 (no ratio)

    def as_row(self) -> dict[str, str]:
        return {
            "提示类型": self.kind,
            "领域": self.area,
            "月份": months.label(self.month),
            "村（社区）": self.village,
            "指标": self.indicator or "—",
            "说明": self.message,
        }


def previous_slices(slices: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The (area, month before) each uploaded slice is compared with."""
    return sorted({(area, months.shift(month, -1)) for area, month in slices})


def before_values(
    new: pd.DataFrame, stored: pd.DataFrame, slices: list[tuple[str, str]]
) -> pd.DataFrame:
    """Last month's values as they will be after the import.

    A workbook carrying several months compares each month with its own previous month, so a
    previous month that is part of the upload comes from the upload, not from the store.
    """
    uploaded = set(slices)
    wanted = set(previous_slices(slices))
    from_upload = [s for s in wanted if s in uploaded]
    from_store = [s for s in wanted if s not in uploaded]
    parts = [_slices_of(new, from_upload), _slices_of(stored, from_store)]
    cols = ["area", "month", "village", "indicator", "value"]
    return pd.concat([p[cols] for p in parts], ignore_index=True)


def _slices_of(values: pd.DataFrame, slices: list[tuple[str, str]]) -> pd.DataFrame:
    if values.empty or not slices:
        return values.iloc[0:0]
    keys = pd.MultiIndex.from_tuples(slices, names=["area", "month"])
    mask = pd.MultiIndex.from_frame(values[["area", "month"]]).isin(keys)
    return values[mask]


def jumps(new: pd.DataFrame, before: pd.DataFrame, catalogue: Catalogue) -> list[Notice]:
    """Values above last month × ratio that also grew by at least `jump_min`.

    The ratio is the indicator's own `jump` where the catalogue sets one (seasonal work such as
    flood rescue), else `jump_ratio`. Last month 未报 is no comparison: no notice.
    """
    if new.empty or before.empty:
        return []
    prior = before.assign(month=before["month"].map(lambda m: months.shift(m, 1)))
    merged = new.merge(prior, on=[*KEY, "month"], suffixes=("", "_before"))
    indicators = {
        (i.area, i.name): i for i in [*catalogue.all_indicators(), *catalogue.contest.columns]
    }
    ratio = [
        catalogue.jump_ratio if indicators[key].jump is None else indicators[key].jump
        for key in zip(merged["area"], merged["indicator"], strict=True)
    ]
    flagged = merged[
        (merged["value"] > merged["value_before"] * pd.Series(ratio, index=merged.index))
        & (merged["value"] - merged["value_before"] >= catalogue.jump_min)
    ]
    notices = []
    for row in flagged.itertuples(index=False):
        ind = indicators[(row.area, row.indicator)]
        unit = "分" if ind.kind == "score" else ind.unit
        before_text = formatting.number(row.value_before, unit)
        compared = (
            f"上月为 {before_text}"
            if row.value_before == 0
            else f"上月 {before_text}，是上月的 {row.value / row.value_before:.1f} 倍"
        )
        notices.append(
            Notice(
                JUMP,
                row.area,
                row.month,
                row.village,
                row.indicator,
                f"本月 {formatting.number(row.value, unit)}，{compared}；请核实是否填错",
                row.value / row.value_before if row.value_before else 0.0,
            )
        )
    return notices


def missing_villages(
    new: pd.DataFrame,
    before: pd.DataFrame,
    slices: list[tuple[str, str]],
    final: pd.DataFrame | None = None,
) -> list[Notice]:
    """Villages with figures for an area last month and none this month after the upload.

    `final` (the slices as the import leaves them; default: `new`) decides who has figures.
    Only sheets holding rows of several villages are judged: a village's own file says nothing
    about the other villages (the 报送进度 page follows those).
    """
    after = new if final is None else final

    def villages_of(frame: pd.DataFrame) -> dict[tuple[str, str], set[str]]:
        rows = frame[frame["village"] != TOWN][["area", "month", "village"]].drop_duplicates()
        found: dict[tuple[str, str], set[str]] = {}
        for area, month, village in rows.itertuples(index=False):
            found.setdefault((area, month), set()).add(village)
        return found

    sent, had, has = villages_of(new), villages_of(before), villages_of(after)
    notices = []
    for area, month in slices:
        if len(sent.get((area, month), ())) < 2:
            continue
        last = months.shift(month, -1)
        for village in sorted(had.get((area, last), set()) - has.get((area, month), set())):
            notices.append(
                Notice(
                    MISSING,
                    area,
                    month,
                    village,
                    "",
                    f"{months.label(last)}报了“{area}”，{months.label(month)}没有任何数据；"
                    "如确未报送，可先导入，补报后再上传",
                )
            )
    return notices


def notices(
    new: pd.DataFrame,
    stored: pd.DataFrame,
    slices: list[tuple[str, str]],
    catalogue: Catalogue,
    final: pd.DataFrame | None = None,
) -> list[Notice]:
    """Every warning for storing `new` (the upload's values for `slices`), the likeliest first.

    Villages that stopped reporting come first, then jumps from the largest ratio down (so a
    typed extra digit stands above seasonal swings), then rises from a month of 0. `stored` holds the current values of at
    least the months before the uploaded ones.
    """
    before = before_values(new, stored, slices)
    order = {name: i for i, name in enumerate(catalogue.sheet_names)}
    villages = {name: i for i, name in enumerate([*catalogue.village_names, TOWN])}
    jumps_first = sorted(
        jumps(new, before, catalogue),
        key=lambda n: (n.ratio == 0, -n.ratio, n.month, order.get(n.area, 99)),
    )
    missing = sorted(
        missing_villages(new, before, slices, final),
        key=lambda n: (n.month, order.get(n.area, 99), villages.get(n.village, 99)),
    )
    return missing + jumps_first


def notice_table(found: list[Notice]) -> pd.DataFrame:
    """The warnings as a Chinese table for the preview."""
    columns = ["提示类型", "领域", "月份", "村（社区）", "指标", "说明"]
    return pd.DataFrame([n.as_row() for n in found], columns=columns)
