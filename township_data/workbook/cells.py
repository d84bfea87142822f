"""One cell as the reader understands it: a number, 未报, or a located reason it is neither."""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal

from openpyxl.utils import get_column_letter

from ..catalogue import Indicator, norm
from . import units

# Blank markers: what a clerk (or this app, in its downloads) writes for "not reported".
NOT_REPORTED = {"", "-", "—", "——", "–", "/", "*", "－", "未报"}
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
# A number followed by a unit written in the cell: 12人, 1,500元, 3.5万元.
_TRAILING_UNIT = re.compile(r"^([+-]?[\d,]*\.?\d+)([^\d,.+-][^\d]*)?$")
_ONE = Decimal(1)


def cell_name(row: int, col: int) -> str:
    """Zero-based row/column → A1 name."""
    return f"{get_column_letter(col + 1)}{row + 1}"


def parse_value(
    raw: object,
    ind: Indicator,
    unit: str | None = None,
    factor: Decimal = _ONE,
    percent_format: bool = False,
) -> tuple[float | None, str | None]:
    """A cell → (value or None for 未报, error message or None), read as the clerk saw it.

    Text holding a number (1,234, full-width １２３４, spaces) is that number, never a silent
    未报; a trailing unit equal to the column's is dropped ("12人"), a different one is an
    error. A number formatted as percent shows ×100 (0.955 shows 95.5%): read as shown for a
    % indicator, an error for any other. `unit`/`factor`: the header's unit and its factor to
    the catalogue's (万元 → 元 ×10,000).
    """
    own = "分" if ind.kind == "score" else ind.unit
    if isinstance(raw, bool):
        return None, f"“{raw}”不是数字"
    if isinstance(raw, float | int):
        value = float(raw)
        if percent_format:
            if ind.kind != "percent":
                return None, (
                    f"单元格设成了百分比格式（显示为 {units.percent_shown(value):g}%），"
                    f"但“{ind.name}”的单位是{own}"
                )
            value = units.percent_shown(value)
    elif isinstance(raw, dt.date | dt.datetime | dt.time | dt.timedelta):
        return None, f"“{raw}”是日期/时间，不是数字（单元格格式可能被设成了日期）"
    else:
        text = norm(raw)
        if text in NOT_REPORTED:
            return None, None
        number, message = _number_in_text(text, raw, ind, unit or own)
        if message:
            return None, message
        value = number
    if factor != 1:
        value = units.scale(value, factor)
    return _checked(value, raw, ind, own)


def _number_in_text(text: str, raw: object, ind: Indicator, unit: str) -> tuple[float, str | None]:
    """The number a text cell holds, without its unit (the column's, or % for a rate)."""
    if ind.kind == "percent" and text.endswith("%"):
        text = text[:-1]
    else:
        found = _TRAILING_UNIT.match(text)
        if found and found.group(2):
            written = found.group(2)
            if units.convert(written, unit) != 1:
                return 0.0, f"“{raw}”的单位“{written}”与该列的单位“{unit}”不同"
            text = found.group(1)
    if _THOUSANDS.match(text):
        text = text.replace(",", "")
    try:
        return float(text), None
    except ValueError:
        return 0.0, f"“{raw}”不是数字（未报请留空或填“-”）"


def _checked(
    value: float, raw: object, ind: Indicator, own: str
) -> tuple[float | None, str | None]:
    if not math.isfinite(value):
        return None, f"“{raw}”不是有效数字"
    if ind.whole and not float(value).is_integer():
        return None, f"{value:g} 不是整数（{own}须为整数）"
    if ind.min is not None and value < ind.min:
        return None, f"{value:g} 小于下限 {ind.min:g}{own}"
    if ind.max is not None and value > ind.max:
        return None, f"{value:g} 超过上限 {ind.max:g}{own}"
    return value, None


def filled(raw: object) -> bool:
    """Whether a cell holds anything but 未报: numbers at once, text after normalising."""
    if type(raw) is str:
        return raw != "" and norm(raw) not in NOT_REPORTED
    return True
