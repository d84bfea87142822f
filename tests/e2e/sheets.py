"""Reading the monthly workbooks with openpyxl alone, so expectations do not come from the
code under test: the header row is the one whose first cell is 村（社区）, and a column is
found by its indicator name with or without the unit in brackets."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from .driver import ROOT

SAMPLE_DIR = ROOT / "sample_data"
VILLAGE = "村（社区）"


def header_row(ws: Worksheet) -> int:
    for row in range(1, 11):
        if ws.cell(row, 1).value == VILLAGE:
            return row
    raise AssertionError(f"{ws.title}: no header row with {VILLAGE}")


def column(ws: Worksheet, name: str) -> int:
    """The column headed by the indicator `name` (检查生产经营单位 or 检查生产经营单位（家次）)."""
    row = header_row(ws)
    for cell in ws[row]:
        if cell.value == name or str(cell.value or "").startswith(f"{name}（"):
            return cell.column
    raise AssertionError(f"{ws.title}: no column {name}")


def rows(ws: Worksheet) -> list[tuple[str, int]]:
    """(village or 全镇, row number) of every data row below the header."""
    first = header_row(ws) + 1
    return [
        (str(ws.cell(r, 1).value).strip(), r)
        for r in range(first, ws.max_row + 1)
        if ws.cell(r, 1).value not in (None, "")
    ]


def values(source: Path | bytes, sheet: str, name: str) -> dict[str, float | None]:
    """One indicator of one sheet: village (or 全镇) → number, None where empty."""
    wb = load_workbook(io.BytesIO(source) if isinstance(source, bytes) else source, read_only=False)
    ws = wb[sheet]
    col = column(ws, name)
    return {village: ws.cell(r, col).value for village, r in rows(ws)}


def sample(month: str) -> Path:
    return SAMPLE_DIR / f"{month}.xlsx"
