"""Tables as files people open in Excel: a styled .xlsx and a .csv with a UTF-8 BOM.

Excel shows a BOM-less UTF-8 CSV's Chinese as mojibake, and runs any cell starting with = + - @
as a formula, so every download goes through here.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

MISSING = "未报"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
RED_FILL = PatternFill("solid", fgColor="FCE4E4")
BLACK_FILL = PatternFill("solid", fgColor="D9D9D9")
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_THIN = Side(style="thin", color="BFBFBF")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def neutralise(value: object) -> object:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe (CSV)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _display_width(text: str) -> float:
    return sum(2.0 if ord(ch) > 0x2E80 else 1.1 for ch in text)


def to_csv(frame: pd.DataFrame) -> bytes:
    """UTF-8 with BOM; missing values written as 未报; formula-like text neutralised."""
    out = frame.astype(object).where(frame.notna(), MISSING)
    out = out.map(lambda v: int(v) if isinstance(v, float) and v.is_integer() else neutralise(v))
    return out.to_csv(index=False).encode("utf-8-sig")


def to_xlsx(
    frame: pd.DataFrame,
    title: str,
    sheet_name: str = "数据",
    row_fills: Mapping[int, PatternFill] | None = None,
    notes: list[str] | None = None,
) -> bytes:
    """A styled workbook: title row, frozen bold header, readable widths, 未报 in grey.

    `row_fills` maps a row position of `frame` to a fill (红榜/黑榜 shading); `notes` are lines
    written under the table. Text is always written as text, never as a formula.
    """
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_name[:31]
    ncols = max(len(frame.columns), 1)
    ws.cell(1, 1, title).font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncols)
    ws.row_dimensions[1].height = 24
    widths = [_display_width(str(c)) for c in frame.columns]
    for col, name in enumerate(frame.columns, start=1):
        cell = ws.cell(2, col, str(name))
        cell.data_type = "s"
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.border = _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    fills = row_fills or {}
    for r, row in enumerate(frame.itertuples(index=False), start=3):
        fill = fills.get(r - 3)
        for col, value in enumerate(row, start=1):
            cell = ws.cell(r, col)
            if value is None or (isinstance(value, float) and math.isnan(value)):
                cell.value = MISSING
                cell.font = Font(color="808080")
                cell.alignment = Alignment(horizontal="center")
            elif isinstance(value, str):
                cell.value = value
                cell.data_type = "s"
            else:
                cell.value = value.item() if hasattr(value, "item") else value
                if isinstance(cell.value, float) and not cell.value.is_integer():
                    cell.number_format = "#,##0.0#"
                elif isinstance(cell.value, int | float):
                    cell.number_format = "#,##0"
            cell.border = _BORDER
            if fill is not None:
                cell.fill = fill
            widths[col - 1] = max(widths[col - 1], _display_width(str(cell.value)))
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = min(max(width + 2, 8), 40)
    ws.row_dimensions[2].height = 32
    ws.freeze_panes = "B3"
    for i, line in enumerate(notes or [], start=len(frame) + 4):
        ws.cell(i, 1, line).data_type = "s"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def read_back_xlsx(data: bytes) -> pd.DataFrame:
    """Read a workbook written by `to_xlsx` (header on row 2) — for tests and re-import tools."""
    frame = pd.read_excel(io.BytesIO(data), header=1, engine="calamine")
    return frame.replace(MISSING, float("nan"))
