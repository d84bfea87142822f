"""Numbers as a Chinese office writes them: thousands separators, units, 未报 for missing."""

from __future__ import annotations

import math

MISSING = "未报"


def is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def number(value: object, unit: str = "", digits: int = 1, fixed: bool = False) -> str:
    """1234 → '1,234', with unit '1,234 家次'; 95.5 with % → '95.5%'; NaN → '未报'.

    `fixed` always shows `digits` decimals (84.0 beside 84.5), so score columns line up.
    """
    if is_missing(value):
        return MISSING
    number_value = float(value)  # type: ignore[arg-type]
    whole = number_value.is_integer() and not fixed
    text = f"{number_value:,.0f}" if whole else f"{number_value:,.{digits}f}"
    if not unit:
        return text
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}"


def signed(value: object, unit: str = "", digits: int = 1, fixed: bool = False) -> str:
    """A change with its sign: '+12 家次', '-3.5%', '持平' for zero, '' when unknown."""
    if is_missing(value):
        return ""
    number_value = float(value)  # type: ignore[arg-type]
    if abs(number_value) < 1e-9:
        return "持平"
    sign = "+" if number_value > 0 else "-"
    return sign + number(abs(number_value), unit, digits, fixed)


def percent_change(now: object, before: object) -> str:
    """'+12.5%' relative change, '' when either side is missing or the base is zero."""
    if is_missing(now) or is_missing(before) or float(before) == 0:  # type: ignore[arg-type]
        return ""
    ratio = (float(now) - float(before)) / abs(float(before)) * 100  # type: ignore[arg-type]
    return signed(ratio, "%")


def change(now: object, before: object, unit: str = "", digits: int = 1) -> str:
    """A change as a leader reads it: '+12 家次（+8.5%）', '+1.2 个百分点', '持平'; '' if unknown.

    Rates change by percentage points, never by a percentage of a percentage.
    """
    if is_missing(now) or is_missing(before):
        return ""
    diff = float(now) - float(before)  # type: ignore[arg-type]
    if unit == "%":
        return signed(diff, "个百分点", digits)
    text = signed(diff, unit, digits)
    relative = percent_change(now, before)
    return f"{text}（{relative}）" if relative and text != "持平" else text
