"""Months as the office writes them: parse every accepted spelling, print as 2024年3月.

Months are kept as 'YYYY-MM' strings everywhere (database, frames, files): they sort, compare and
survive CSV round-trips without timezone or day-of-month surprises.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass

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
    text = str(value)
    return _parse_text(text) if len(text) <= 32 else _parse_long_text(text)


def _parse_long_text(value: str) -> str:
    text = "".join(unicodedata.normalize("NFKC", value).split())
    for pattern in _TEXT_PATTERNS:
        match = pattern.match(text)
        if match:
            return _check(int(match.group(1)), int(match.group(2)))
    raise MonthError(f"无法识别的月份“{value}”，{ACCEPTED}")


# A month cell is one of a few spellings repeated in every file of a month: parsed once.
_parse_text = functools.lru_cache(maxsize=1024)(_parse_long_text)


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


def this_month(today: dt.date | None = None) -> str:
    now = today or dt.date.today()
    return f"{now.year:04d}-{now.month:02d}"


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


# ------------------------------------------------------------------ periods a page can choose

PERIOD_KINDS: dict[str, str] = {
    "month": "月度",
    "quarter": "季度",
    "half": "半年",
    "year": "全年",
    "ytd": "年初以来",
    "range": "自定义",
}
# The kinds each chooser offers: the area pages browse, the 工作总结 reports (half-year first,
# as the office writes it; 年初以来 up to a chosen month; one month is a 自定义 range of one).
BROWSE_KINDS = ("month", "quarter", "half", "year", "range")
REPORT_KINDS = ("half", "quarter", "year", "ytd", "range")
_HALF_NAMES = {1: "上半年", 2: "下半年"}


@dataclass(frozen=True)
class Period:
    """A span of whole months ('YYYY-MM', inclusive) and the spans it is compared with.

    The previous period is the span of the same length just before (the month before a month,
    the quarter before a quarter …); the same period a year earlier is the span shifted 12 months.
    """

    first: str
    last: str

    def __post_init__(self) -> None:
        if self.first > self.last:
            first, last = self.last, self.first
            object.__setattr__(self, "first", first)
            object.__setattr__(self, "last", last)

    @property
    def months(self) -> list[str]:
        return month_range(self.first, self.last)

    @property
    def length(self) -> int:
        return len(self.months)

    @property
    def label(self) -> str:
        return period_label(self.first, self.last)

    @property
    def span(self) -> str:
        """'2024年1月–2024年3月' (or one month), to show exactly which months are meant."""
        if self.first == self.last:
            return label(self.first)
        return f"{label(self.first)}–{label(self.last)}"

    def previous(self) -> Period:
        return Period(shift(self.first, -self.length), shift(self.last, -self.length))

    def year_ago(self) -> Period:
        return Period(shift(self.first, -12), shift(self.last, -12))

    def clip(self, first: str, last: str) -> Period | None:
        """The part of this period inside [first, last] (the months holding data), or None."""
        start, end = max(self.first, first), min(self.last, last)
        return Period(start, end) if start <= end else None


def period_of(kind: str, token: str) -> Period:
    """The period a chooser token names: '2024-03', '2024Q1', '2024H2', '2024', '2024-01:2024-06';
    for 年初以来 ('ytd') the token is the month it runs up to."""
    if kind == "month":
        return Period(token, token)
    if kind == "ytd":
        return year_to_date(token)
    if kind == "quarter":
        return Period(*parse_quarter(token))
    if kind == "half":
        year, half = int(token[:4]), int(token[-1])
        return Period(f"{year:04d}-{6 * half - 5:02d}", f"{year:04d}-{6 * half:02d}")
    if kind == "year":
        return Period(f"{token}-01", f"{token}-12")
    if kind == "range":
        first, last = token.split(":")
        return Period(first, last)
    raise ValueError(kind)


def period_options(kind: str, first: str, last: str) -> list[str]:
    """Chooser tokens of `kind` that overlap the loaded months [first, last], newest first."""
    loaded = month_range(first, last)
    if kind in ("month", "ytd"):
        tokens = loaded
    elif kind == "quarter":
        tokens = list(dict.fromkeys(quarter_of(m) for m in loaded))
    elif kind == "half":
        tokens = list(dict.fromkeys(f"{m[:4]}H{1 if int(m[5:]) <= 6 else 2}" for m in loaded))
    elif kind == "year":
        tokens = list(dict.fromkeys(m[:4] for m in loaded))
    else:
        raise ValueError(kind)
    return tokens[::-1]


def option_label(kind: str, token: str) -> str:
    """How a chooser token reads: 2024年3月, 2024年第一季度, 2024年上半年, 2024年."""
    if kind == "month":
        return label(token)
    if kind == "quarter":
        return quarter_label(token)
    if kind == "half":
        return f"{token[:4]}年{_HALF_NAMES[int(token[-1])]}"
    if kind == "year":
        return f"{token}年"
    if kind == "ytd":
        return year_to_date(token).label
    return period_of(kind, token).span


def year_to_date(month: str) -> Period:
    """January of the month's year up to the month: the leaders' '年初以来'."""
    return Period(f"{month[:4]}-01", month)


def trend_window(period: Period, first_loaded: str, count: int = 12) -> list[str]:
    """Months a trend chart shows: the period itself when long, else the `count` up to its end.

    A one-month period charted alone is a single dot; the year before it shows the direction.
    """
    if period.length >= count:
        return period.months
    return month_range(max(first_loaded, shift(period.last, 1 - count)), period.last)
