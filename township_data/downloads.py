"""Tables as files people open in Excel: a styled .xlsx and a .csv with a UTF-8 BOM.

Excel shows a BOM-less UTF-8 CSV's Chinese as mojibake, and runs any cell starting with = + - @
as a formula, so every download goes through here.
"""

from __future__ import annotations

import io
import math
from collections.abc import Collection, Mapping

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

MISSING = "未报"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
RED_FILL = PatternFill("solid", fgColor="FCE4E4")
BLACK_FILL = PatternFill("solid", fgColor="D9D9D9")
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_THIN = Side(style="thin", color="BFBFBF")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def is_formula_like(value: object) -> bool:
    """Text a spreadsheet would run as a formula when typed, pasted or opened as CSV."""
    return isinstance(value, str) and value.startswith(FORMULA_START)


def neutralise(value: object) -> object:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe (CSV)."""
    return "'" + value if isinstance(value, str) and is_formula_like(value) else value


def _missing_text(frame: pd.DataFrame, blank: Collection[str]) -> list[str]:
    """What a missing cell of each column says: 未报, or nothing for `blank` columns.

    A missing 较上期名次变化 means "no previous rank", not "not reported", so it stays empty.
    """
    return ["" if column in blank else MISSING for column in frame.columns]


def _display_width(text: str) -> float:
    return sum(2.0 if ord(ch) > 0x2E80 else 1.1 for ch in text)


def _csv_cell(value: object, missing: str) -> object:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return missing
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return neutralise(value)


def to_csv(frame: pd.DataFrame, blank: Collection[str] = ()) -> bytes:
    """UTF-8 with BOM; missing values written as 未报 (empty in `blank` columns); whole numbers
    without a trailing .0; formula-like text neutralised.

    Cells are built as Python objects so a column mixing 91 and 86.5 is not turned back into
    floats (91.0) by pandas.
    """
    cells = {
        position: pd.Series(
            [_csv_cell(v, text) for v in frame.iloc[:, position].astype(object)], dtype=object
        )
        for position, text in enumerate(_missing_text(frame, blank))
    }
    out = pd.DataFrame(cells)
    out.columns = frame.columns
    return out.to_csv(index=False).encode("utf-8-sig")


def to_xlsx(
    frame: pd.DataFrame,
    title: str,
    sheet_name: str = "数据",
    row_fills: Mapping[int, PatternFill] | None = None,
    notes: list[str] | None = None,
    blank: Collection[str] = (),
    number_formats: Mapping[str, str] | None = None,
) -> bytes:
    """A styled one-sheet workbook (see `write_sheet`)."""
    wb = Workbook()
    write_sheet(wb.active, frame, title, sheet_name, row_fills, notes, blank, number_formats)
    return save(wb)


def save(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def write_sheet(
    ws: Worksheet,
    frame: pd.DataFrame,
    title: str,
    sheet_name: str = "数据",
    row_fills: Mapping[int, PatternFill] | None = None,
    notes: list[str] | None = None,
    blank: Collection[str] = (),
    number_formats: Mapping[str, str] | None = None,
) -> None:
    """A styled sheet: title row, frozen bold header, readable widths, 未报 in grey.

    `row_fills` maps a row position of `frame` to a fill (红榜/黑榜 shading); `notes` are lines
    written under the table; missing cells of `blank` columns stay empty instead of 未报;
    `number_formats` gives a column its Excel format (e.g. "+0;-0;0" for a signed change).
    Text is always written as text, never as a formula: formula-like text also gets Excel's
    quote prefix, so it stays text even when someone edits the cell and presses Enter.
    """
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
    missing_text = _missing_text(frame, blank)
    formats = [(number_formats or {}).get(str(c)) for c in frame.columns]
    for r, row in enumerate(frame.itertuples(index=False), start=3):
        fill = fills.get(r - 3)
        for col, value in enumerate(row, start=1):
            cell = ws.cell(r, col)
            _write_cell(cell, value, missing_text[col - 1], formats[col - 1])
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


def _write_cell(cell, value: object, missing: str, number_format: str | None) -> None:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        if missing:
            cell.value = missing
            cell.font = Font(color="808080")
            cell.alignment = Alignment(horizontal="center")
    elif isinstance(value, str):
        cell.value = value
        cell.data_type = "s"
        if is_formula_like(value):
            cell.quotePrefix = True
    else:
        cell.value = value.item() if hasattr(value, "item") else value
        if number_format:
            cell.number_format = number_format
        elif isinstance(cell.value, float) and not cell.value.is_integer():
            cell.number_format = "#,##0.0#"
        elif isinstance(cell.value, int | float):
            cell.number_format = "#,##0"
