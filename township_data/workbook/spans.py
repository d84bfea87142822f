"""Areas and indicators that begin and end: data for a month outside their span is refused.

The catalogue says when an area's work ended (疫情防控 after 2023-01); a workbook that still
carries its figures for a later month is an error naming the sheet and cells, never stored and
never shown.
"""

from __future__ import annotations

from .. import months
from ..catalogue import Catalogue
from ..errors import Problem
from ..packing import SheetRow

_SHOWN = 3


def spanned_areas(catalogue: Catalogue) -> set[str]:
    """The areas with an indicator (or the whole area) that begins or ends."""
    return {ind.area for ind in catalogue.all_indicators() if ind.span.start or ind.span.end}


def span_problems(rows: list[SheetRow], file_name: str, catalogue: Catalogue) -> list[Problem]:
    """One problem per sheet of an ended area, one per other indicator with values outside
    its months."""
    spans = {
        (ind.area, ind.name): ind.span
        for ind in catalogue.all_indicators()
        if ind.span.start or ind.span.end
    }
    if not spans:
        return []
    outside: dict[tuple[str, str, str], list[tuple[str, str]]] = {}
    for area, month, _village, sheet, values, cells in rows:
        for (name, _value), cell in zip(values.items(), cells, strict=True):
            span = spans.get((area, name))
            if span is not None and not span.active_at(month):
                outside.setdefault((sheet, area, name), []).append((month, cell))
    problems: list[Problem] = []
    told: set[str] = set()
    for (sheet, area, name), found in outside.items():
        when = "、".join(months.label(m) for m in sorted({m for m, _ in found})[:_SHOWN])
        ended = catalogue.area(area).span
        if not all(ended.active_at(m) for m, _ in found):
            if sheet not in told:
                told.add(sheet)
                late = {m for (s, _, _), f in outside.items() if s == sheet for m, _ in f}
                when = "、".join(months.label(m) for m in sorted(late)[:_SHOWN])
                problems.append(
                    Problem(
                        f"“{area}”{ended.rule}（指标目录），表中有{when}的数据",
                        file=file_name,
                        sheet=sheet,
                        hint="请删去这张表或清空其中的数据；如该项工作仍在进行，请修改指标目录中该领域的 start / end",
                    )
                )
            continue
        span = catalogue.indicator(area, name).span
        listed = "、".join(cell for _, cell in found[:_SHOWN]) + (
            f" 等 {len(found)} 格" if len(found) > _SHOWN else ""
        )
        problems.append(
            Problem(
                f"“{name}”{span.rule}（指标目录），{listed}是{when}的数据",
                file=file_name,
                sheet=sheet,
                hint="这些单元格请留空；如该项工作仍在进行，请修改指标目录中的 start / end",
            )
        )
    return problems
