"""One cell as the reader understands it: a number, 未报, or a located reason it is neither."""

from __future__ import annotations

import datetime as dt
import math
import re

from openpyxl.utils import get_column_letter

from ..catalogue import Indicator, norm

# Blank markers: what a clerk (or this app, in its downloads) writes for "not reported".
NOT_REPORTED = {"", "-", "—", "——", "–", "/", "*", "－", "未报"}
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


def cell_name(row: int, col: int) -> str:
    """Zero-based row/column → A1 name."""
    return f"{get_column_letter(col + 1)}{row + 1}"


def parse_value(raw: object, ind: Indicator) -> tuple[float | None, str | None]:
    """A cell → (value or None for 未报, error message or None).

    Text holding a number (including 1,234 and full-width １２３４) is read as that number: never
    silently turned into 未报.
    """
    if isinstance(raw, bool):
        return None, f"“{raw}”不是数字"
    if isinstance(raw, float | int):
        value = float(raw)
    elif isinstance(raw, dt.date | dt.datetime | dt.time | dt.timedelta):
        return None, f"“{raw}”是日期/时间，不是数字（单元格格式可能被设成了日期）"
    else:
        text = norm(raw)
        if text in NOT_REPORTED:
            return None, None
        if ind.kind == "percent" and text.endswith("%"):
            text = text[:-1]
        if _THOUSANDS.match(text):
            text = text.replace(",", "")
        try:
            value = float(text)
        except ValueError:
            return None, f"“{raw}”不是数字（未报请留空或填“-”）"
    if not math.isfinite(value):
        return None, f"“{raw}”不是有效数字"
    if ind.whole and not float(value).is_integer():
        return None, f"{value:g} 不是整数（{ind.unit}须为整数）"
    if ind.min is not None and value < ind.min:
        return None, f"{value:g} 小于下限 {ind.min:g}{ind.unit}"
    if ind.max is not None and value > ind.max:
        return None, f"{value:g} 超过上限 {ind.max:g}{'分' if ind.kind == 'score' else ind.unit}"
    return value, None


def filled(raw: object) -> bool:
    """Whether a cell holds anything but 未报: numbers at once, text after normalising."""
    if type(raw) is str:
        return raw != "" and norm(raw) not in NOT_REPORTED
    return True
