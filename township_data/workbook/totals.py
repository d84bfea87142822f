"""合计, 总计 and 小计 rows wherever an office puts them: checked, never stored.

A statistics table puts its 合计 right under the header, the template at the bottom, a table of
several groups a 小计 under each group and a 合计 at the end; this app's own downloads end with
the computed 全镇 row. A total row is checked against what it can add up: the data rows since
the previous total, the data rows down to the next total (a total at the top), every data row
of its month, or the 小计 rows of its month. It passes when one of these readings fits every
figure it holds; otherwise each figure that fits none is an error naming its cell.
Only figures added across villages are checked (counts, money, lengths): a rate's total is an
average and a score's is no sum.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

from ..catalogue import norm

SUBTOTAL = "小计"
_TOTAL_WORDS = ("合计", "总计", "小计")
SELECTED_TOTAL = "所选合计"


def is_total_label(key: str) -> bool:
    """合计, 总 计, 全镇合计, 一片区小计, 所选合计 … (a normalised village cell)."""
    return key.endswith(_TOTAL_WORDS) or key == SELECTED_TOTAL


@dataclass
class TotalRow:
    """A total row as read: its position among all rows, its month (None: the sheet's only
    month or none given) and its figures by indicator name with their cells."""

    row: int
    label: str
    month: str | None
    figures: dict[str, tuple[float, str]] = field(default_factory=dict)

    @property
    def is_subtotal(self) -> bool:
        return norm(self.label).endswith(SUBTOTAL)


@dataclass
class DataRow:
    row: int
    month: str
    values: dict[str, float]


def _sum(rows: list[DataRow], name: str) -> float:
    return math.fsum(r.values.get(name, 0.0) for r in rows)


def readings(total: TotalRow, data: list[DataRow], totals: list[TotalRow]) -> list[list[DataRow]]:
    """The sets of data rows a total may add up, likeliest first (see the module text)."""
    same = [d for d in data if total.month is None or d.month == total.month]
    edges = sorted({t.row for t in totals})
    before = max((e for e in edges if e < total.row), default=-1)
    after = min((e for e in edges if e > total.row), default=math.inf)
    above = [d for d in same if before < d.row < total.row]
    below = [d for d in same if total.row < d.row < after]
    return [rows for rows in (above, below, same) if rows]


def _fitting(candidate: dict[str, float], figures: dict[str, tuple[float, str]]) -> int:
    return sum(abs(candidate[n] - v) <= 0.01 for n, (v, _) in figures.items())


def check(
    totals: list[TotalRow], data: list[DataRow], summed: set[str]
) -> list[tuple[str, str, str]]:
    """(cell, message, hint) of every total figure that fits no reading of its rows."""
    problems = []
    for total in totals:
        figures = {n: f for n, f in total.figures.items() if n in summed}
        if not figures:
            continue
        candidates = [{n: _sum(rows, n) for n in figures} for rows in readings(total, data, totals)]
        subtotals = [
            t
            for t in totals
            if t.is_subtotal and t is not total and (total.month is None or t.month == total.month)
        ]
        if subtotals and not total.is_subtotal:
            candidates.append(
                {n: math.fsum(t.figures.get(n, (0.0, ""))[0] for t in subtotals) for n in figures}
            )
        if not candidates:
            candidates = [dict.fromkeys(figures, 0.0)]
        # the first of the readings that fit the most figures
        best = max(candidates, key=functools.partial(_fitting, figures=figures))
        for name, (value, cell) in figures.items():
            if abs(best[name] - value) <= 0.01:
                continue
            problems.append(
                (
                    cell,
                    f"{total.label} {value:g} 与相应各行之和 {best[name]:g} 不符（{name}）",
                    "请核对合计或各行数据（合计行本身不会导入）",
                )
            )
    return problems
