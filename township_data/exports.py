"""Workbooks the app hands out that come back in: a version's values as monthly sheets.

A download is often corrected and uploaded again (contracts.md §1), so a version's values are
written in the monthly workbook's own layout — one sheet per area, 村（社区）, 月份, one column
per indicator with its unit — and re-import as any workbook does; 未报 is written as a blank
marker, "—" where a row does not fill an indicator. A 来源 sheet (ignored on import) lists where
every value came from.
"""

from __future__ import annotations

import pandas as pd
from openpyxl import Workbook

from . import downloads, months
from .catalogue import TOWN, Catalogue

SOURCE_SHEET = "来源"


def area_sheet(values: pd.DataFrame, catalogue: Catalogue, area: str) -> pd.DataFrame:
    """One area's values as its sheet: a row per (month, village) with any value, in month
    and catalogue order; NaN (未报) where a row fills the indicator, "—" where it does not."""
    indicators = catalogue.sheet_indicators(area)
    cut = values[values["area"] == area]
    wide = cut.pivot_table(
        index=["month", "village"], columns="indicator", values="value", aggfunc="first"
    )
    order = {name: i for i, name in enumerate([*catalogue.village_names, TOWN])}
    keys = sorted(wide.index, key=lambda k: (k[0], order.get(k[1], len(order))))
    wide = wide.reindex(index=pd.MultiIndex.from_tuples(keys), columns=[i.name for i in indicators])
    table = pd.DataFrame(
        {
            "村（社区）": [v for _, v in keys],
            "月份": [months.label(m) for m, _ in keys],
        }
    )
    for ind in indicators:
        table[ind.label] = [
            value if (ind.town_row if village == TOWN else ind.village_rows) else "—"
            for (_, village), value in zip(keys, wide[ind.name], strict=True)
        ]
    return table


def source_table(values: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """Every value with the file, sheet and cell it came from."""
    units = {
        (i.area, i.name): ("分" if i.kind == "score" else i.unit)
        for i in [*catalogue.all_indicators(), *catalogue.contest.columns]
    }
    order = {name: i for i, name in enumerate(catalogue.sheet_names)}
    places = {name: i for i, name in enumerate([*catalogue.village_names, TOWN])}
    columns = {
        (i.area, i.name): k
        for k, i in enumerate([*catalogue.all_indicators(), *catalogue.contest.columns])
    }
    rows = values.assign(
        _o=values["area"].map(order),
        _v=values["village"].map(places),
        _i=[columns.get(k, 0) for k in zip(values["area"], values["indicator"], strict=True)],
    ).sort_values(["_o", "month", "_v", "_i"])
    return pd.DataFrame(
        {
            "领域": rows["area"],
            "月份": rows["month"].map(months.label),
            "村（社区）": rows["village"],
            "指标": rows["indicator"],
            "数值": rows["value"],
            "单位": [
                units.get((a, i), "") for a, i in zip(rows["area"], rows["indicator"], strict=True)
            ],
            "来源文件": rows["file_name"],
            "来源单元格": [f"{s}!{c}" for s, c in zip(rows["sheet"], rows["cell"], strict=True)],
        }
    ).reset_index(drop=True)


def version_workbook(
    values: pd.DataFrame, catalogue: Catalogue, version_id: int, file_name: str
) -> bytes:
    """A version's values (Store.version_values) as a workbook that re-imports."""
    wb = Workbook()
    wb.remove(wb.active)
    areas = [a for a in catalogue.sheet_names if a in set(values["area"])]
    for area in areas:
        title = f"{catalogue.township_name}版本 {version_id} 的数值（{file_name}）·{area}"
        downloads.write_sheet(
            wb.create_sheet(area), area_sheet(values, catalogue, area), title, area
        )
    downloads.write_sheet(
        wb.create_sheet(SOURCE_SHEET),
        source_table(values, catalogue),
        f"版本 {version_id} 各数值的来源",
        SOURCE_SHEET,
    )
    return downloads.save(wb)
