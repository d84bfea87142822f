"""Months as the office writes them: parse every accepted spelling, print as 2024年3月.

Months are kept as 'YYYY-MM' strings everywhere (database, frames, files): they sort, compare and
survive CSV round-trips without timezone or day-of-month surprises.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

_TEXT_PATTERNS = (
    re.compile(r"^(\d{4})年(\d{1,2})月(份)?$"),
    re.compile(r"^(\d{4})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})(\d{2})$"),
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
)
_QUARTER = re.compile(r"^(\d{4})\s*[Qq]([1-4])$")
QUARTER_NAMES = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}


class MonthError(ValueError):
    """A month that cannot be understood; the message is Chinese and says what is accepted."""


ACCEPTED = "请写成 2024-03、2024年3月、202403，或使用日期格式的单元格"


def _check(year: int, month: int) -> str:
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise MonthError(f"月份 {year}-{month} 不在有效范围内")
    return f"{year:04d}-{month:02d}"


def parse_month(value: object) -> str:
    """Return 'YYYY-MM' for any accepted month cell; raise MonthError for anything ambiguous.

    A decimal number is refused: Excel keeps a typed 2024.10 as 2024.1, so 2024.1 might be
    January or October.
    """
    if isinstance(value, dt.datetime | dt.date):
        return _check(value.year, value.month)
    if isinstance(value, bool):
        raise MonthError(f"无法识别的月份“{value}”，{ACCEPTED}")
    if isinstance(value, int | float):
        if float(value).is_integer() and 190001 <= value <= 299912:
            number = int(value)
            return _check(number // 100, number % 100)
        raise MonthError(
            f"月份“{value}”是小数，无法判断是哪个月（Excel 会把 2024.10 存成 2024.1），{ACCEPTED}"
        )
    text = "".join(unicodedata.normalize("NFKC", str(value)).split())
    for pattern in _TEXT_PATTERNS:
        match = pattern.match(text)
        if match:
            return _check(int(match.group(1)), int(match.group(2)))
    raise MonthError(f"无法识别的月份“{value}”，{ACCEPTED}")


def label(month: str) -> str:
    """'2024-03' → '2024年3月'."""
    year, mon = month.split("-")
    return f"{int(year)}年{int(mon)}月"


def month_range(first: str, last: str) -> list[str]:
    """Every month from first to last inclusive, in order."""
    year, mon = (int(x) for x in first.split("-"))
    end = tuple(int(x) for x in last.split("-"))
    out: list[str] = []
    while (year, mon) <= end:
        out.append(f"{year:04d}-{mon:02d}")
        year, mon = (year + 1, 1) if mon == 12 else (year, mon + 1)
    return out


def shift(month: str, months: int) -> str:
    """The month `months` later (negative: earlier)."""
    year, mon = (int(x) for x in month.split("-"))
    index = year * 12 + (mon - 1) + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def recent(count: int, today: dt.date | None = None) -> list[str]:
    """This month and the `count - 1` before it, newest first (the choices of a month picker)."""
    now = today or dt.date.today()
    this = f"{now.year:04d}-{now.month:02d}"
    return [shift(this, -i) for i in range(count)]


def quarter_of(month: str) -> str:
    """'2024-05' → '2024Q2'."""
    year, mon = month.split("-")
    return f"{year}Q{(int(mon) - 1) // 3 + 1}"


def parse_quarter(text: str) -> tuple[str, str]:
    """'2024Q1' → ('2024-01', '2024-03'); MonthError for anything else."""
    match = _QUARTER.match(unicodedata.normalize("NFKC", text).strip())
    if not match:
        raise MonthError(f"无法识别的季度“{text}”，请写成 2024Q1")
    year, q = int(match.group(1)), int(match.group(2))
    return _check(year, 3 * q - 2), _check(year, 3 * q)


def quarter_label(quarter: str) -> str:
    """'2024Q1' → '2024年第一季度'."""
    return f"{quarter[:4]}年{QUARTER_NAMES[int(quarter[-1])]}"


def period_label(first: str, last: str) -> str:
    """A Chinese name for a month range: 2024年3月, 2024年第一季度, 2024年上半年, 2024年, or a span."""
    y1, m1 = (int(x) for x in first.split("-"))
    y2, m2 = (int(x) for x in last.split("-"))
    if first == last:
        return label(first)
    if y1 == y2:
        if m1 == 1 and m2 == 12:
            return f"{y1}年"
        if (m1, m2) == (1, 6):
            return f"{y1}年上半年"
        if (m1, m2) == (7, 12):
            return f"{y1}年下半年"
        if m1 % 3 == 1 and m2 == m1 + 2:
            return quarter_label(f"{y1}Q{(m1 - 1) // 3 + 1}")
        return f"{y1}年{m1}月至{m2}月"
    return f"{label(first)}至{label(last)}"
