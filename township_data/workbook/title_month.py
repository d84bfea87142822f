"""The month a sheet's title names ("潭湾镇2024年3月安全生产工作统计表" → "2024-03"), or None.

Only what is certain counts. A title gives its month when it names exactly one year and month:
2024年3月, 2024年03月份, ２０２４年３月, 2024 年 3 月, 2024.3 / 2024-03 / 2024/3 (as text), and
二〇二四年三月 / 2024年十二月 in Chinese numerals. None when
- it names a span or a period: 2024年1-3月, 2024年1月至3月, 第一季度, 上半年, 全年, 1—3月;
- it names two different months, or a month without a year beside another month (2024年3月1日至
  4月30日);
- the only month it names belongs to a full date (2024年4月5日, 2024.4.5): a date in a title
  or a 填报日期 line is usually when the form was filled, not the month it counts;
- the year has two digits (24年3月) or lies outside 2000–2100.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "Ｏ": 0, "O": 0, "o": 0}
_CN_DIGITS.update({ch: i for i, ch in enumerate("一二三四五六七八九", start=1)})
_CN_MONTHS = {
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
    "十一": 11,
    "十二": 12,
}
_YEAR_DIGITS = "0-9〇○零一二三四五六七八九"
_MONTH = r"(?:1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])"
_DASH = r"[-－—–~～至到]"
# 2024年3月 (with a day after it: a date); 2024年1-3月 (a span).
_YEAR_MONTH = re.compile(
    rf"(?<![0-9])([{_YEAR_DIGITS}]{{4}}|[0-9]{{2}})年"
    rf"({_MONTH})(?:月份?|(?={_DASH}))"
    rf"(?:\s*({_DASH})\s*(?:[0-9]{{4}}年)?{_MONTH}月)?"
    rf"(\s*(?:[0-9]{{1,2}}|[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])[日号])?"
)
# 2024.3, 2024-03, 2024/3 (text); followed by another separator and a day it is a date.
_NUMERIC = re.compile(
    r"(?<![0-9.\-/])(20[0-9]{2}|2100)([.\-/])(1[0-2]|0?[1-9])(?![0-9])((?:\2[0-3]?[0-9])?)(?![0-9])"
)
# A month without a year, to see whether the title names another month than the one found.
_BARE_MONTH = re.compile(rf"(?<![年十0-9{_YEAR_DIGITS}])({_MONTH})月")
_PERIOD_WORDS = ("季度", "半年", "全年", "年度", "前三季", "一季", "二季", "三季", "四季")
_SPAN_MONTHS = re.compile(rf"{_MONTH}\s*{_DASH}\s*{_MONTH}\s*月")


def _number(text: str) -> int:
    """Arabic digits, or Chinese digits read one by one (二〇二四) or as a month (十二)."""
    if text.isdigit() and text.isascii():
        return int(text)
    if text in _CN_MONTHS:
        return _CN_MONTHS[text]
    value = 0
    for ch in text:
        if ch.isdigit() and ch.isascii():
            value = value * 10 + int(ch)
        elif ch in _CN_DIGITS:
            value = value * 10 + _CN_DIGITS[ch]
        else:
            raise ValueError(text)
    return value


def month_from_title(text: object) -> str | None:
    """'YYYY-MM' when the text names exactly one month with its year, else None.

    Only text counts: a number (2024.03 typed into a title cell) is as ambiguous there as in a
    月份 column, since Excel keeps a typed 2024.10 as 2024.1.
    """
    if not isinstance(text, str):
        return None
    clean = "".join(unicodedata.normalize("NFKC", str(text)).split())
    if any(word in clean for word in _PERIOD_WORDS) or _SPAN_MONTHS.search(clean):
        return None
    found: set[str] = set()
    dates: set[str] = set()
    for match in _YEAR_MONTH.finditer(clean):
        year_text, month_text, span, day = match.groups()
        if span:
            return None
        if len(year_text) == 2:
            return None
        try:
            year, month = _number(year_text), _number(month_text)
        except ValueError:
            return None
        if not (2000 <= year <= 2100 and 1 <= month <= 12):
            return None
        (dates if day else found).add(f"{year:04d}-{month:02d}")
    for match in _NUMERIC.finditer(clean):
        year, month = int(match.group(1)), int(match.group(3))
        (dates if match.group(4) else found).add(f"{year:04d}-{month:02d}")
    if len(found) != 1:
        return None
    named = found.pop()
    bare = {_number(m) for m in _BARE_MONTH.findall(clean)}
    if bare - {int(named[5:])}:
        return None
    return named


def month_from_rows(rows: Iterable[Iterable[object]]) -> str | None:
    """The month the rows above a header name (a title, a 填报 line), when they agree on one.

    Each row's cells are joined into one text, so a title split over merged cells still reads.
    Rows naming no month are passed over; two rows naming different months give None.
    """
    months: set[str] = set()
    for row in rows:
        text = "".join(cell for cell in row if isinstance(cell, str))
        if not text:
            continue
        month = month_from_title(text)
        if month is not None:
            months.add(month)
        elif _mentions_month(text):
            return None
    return months.pop() if len(months) == 1 else None


def _mentions_month(text: str) -> bool:
    """Whether a text names some month that `month_from_title` could not take as certain,
    not counting a full date (a 填报日期 line is no reason to doubt the title)."""
    clean = "".join(unicodedata.normalize("NFKC", text).split())
    for match in _YEAR_MONTH.finditer(clean):
        if not match.group(4):
            return True
    return any(not m.group(4) for m in _NUMERIC.finditer(clean)) or any(
        word in clean for word in _PERIOD_WORDS
    )
