"""Plan against actual: 计划发展党员 / 已发展党员 and the like, year to date.

An indicator names its plan in the catalogue (`plan = "计划发展党员"`). Progress is the year's
actual over the plan, both from January of the month's year to the month, combined as the
catalogue says. A yearly task (a plan taken once a year, or a stock such as 衔接资金项目) also
has a 序时进度: by the end of month m, m/12 of the plan should be done (按进度应完成). A plan
that is itself a monthly count (危房改造, the houses begun so far) has no such schedule: its
progress is the share completed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from .. import formatting, months
from ..catalogue import Catalogue, Indicator
from .figures import period_figures

PROGRESS_COLUMNS = ["计划", "完成", "计划数", "已完成", "完成进度", "序时进度", "按进度应完成"]


@dataclass(frozen=True)
class Progress:
    """One plan and its actual, from January to `month` (NaN = 未报)."""

    plan: Indicator
    actual: Indicator
    month: str
    plan_value: float
    actual_value: float

    @property
    def elapsed(self) -> int:
        """Months of the year up to and including `month`."""
        return int(self.month[5:])

    @property
    def yearly(self) -> bool:
        """Whether the plan is a whole year's task, so that time gives a schedule."""
        return self.plan.combine in ("target", "last")

    @property
    def share(self) -> float:
        """Actual over plan, in % (NaN when either is 未报 or the plan is 0)."""
        if math.isnan(self.plan_value) or math.isnan(self.actual_value) or self.plan_value <= 0:
            return float("nan")
        return 100 * self.actual_value / self.plan_value

    @property
    def schedule(self) -> float:
        """The share of the year elapsed, in % (NaN for a plan that is not a yearly task)."""
        return 100 * self.elapsed / 12 if self.yearly else float("nan")

    @property
    def expected(self) -> float:
        """按进度应完成: the plan times the share of the year elapsed, whole for counts."""
        if not self.yearly or math.isnan(self.plan_value):
            return float("nan")
        due = self.plan_value * self.elapsed / 12
        return float(math.floor(due + 0.5)) if self.actual.whole else round(due, 1)

    @property
    def verdict(self) -> str:
        """'超序时进度 16.7 个百分点' / '落后序时进度 …' / '与序时进度持平', '' without one."""
        if math.isnan(self.share) or math.isnan(self.schedule):
            return ""
        gap = round(self.share - self.schedule, 1)
        if gap == 0:
            return "与序时进度持平"
        word = "超" if gap > 0 else "落后"
        return f"{word}序时进度 {formatting.number(abs(gap))} 个百分点"


def progress(
    values: pd.DataFrame,
    catalogue: Catalogue,
    area: str,
    month: str,
    villages: Sequence[str] | None = None,
) -> list[Progress]:
    """Every plan of an area with its actual, January to `month` (values must cover them)."""
    pairs = catalogue.plans(area)
    if not pairs:
        return []
    found = period_figures(values, catalogue, area, months.year_to_date(month), villages)
    return [
        Progress(
            plan,
            actual,
            month,
            float(found.at[plan.name, "value"]),
            float(found.at[actual.name, "value"]),
        )
        for plan, actual in pairs
    ]


def progress_table(found: list[Progress]) -> pd.DataFrame:
    """The area page's table: one row per plan, every figure as text (未报 shown as such)."""
    rows = []
    for item in found:
        unit = item.actual.unit
        rows.append(
            [
                item.plan.name,
                item.actual.name,
                formatting.number(item.plan_value, unit),
                formatting.number(item.actual_value, unit),
                formatting.number(round(item.share, 1), "%") if not math.isnan(item.share) else "—",
                formatting.number(round(item.schedule, 1), "%") if item.yearly else "—",
                formatting.number(item.expected, unit) if item.yearly else "—",
            ]
        )
    return pd.DataFrame(rows, columns=PROGRESS_COLUMNS)
