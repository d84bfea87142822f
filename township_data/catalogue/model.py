"""What the catalogue holds: areas, indicators, the 打擂, villages, spans, and the lookups.

Everything the rest of the code knows about areas, indicators, units, combining rules, villages
and the 打擂 score items comes from here, so adding an indicator to the file adds it to the
workbook template, the reader, the pages and the exports without touching code.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .. import months

TOWN = "全镇"
TOTAL_SCORE = "总分"
COMBINES = {"sum": "各月相加", "last": "取期末最新值", "target": "年度计划（不相加）"}
LEVELS = {"village": "各村填报", "town": "全镇填报", "both": "各村和全镇均填报"}
ACROSS = {"sum": "各村相加", "mean": "各村平均"}
UNIT_KINDS = {"count", "percent", "money", "length", "score"}
DEFAULT_DEADLINE_DAY, DEFAULT_OFFICE = 5, "党政办"
# The kinds of 大事记 an office records when the catalogue names none.
EVENT_KINDS = ("防汛抢险", "防汛演练", "专项整治", "表彰大会", "上级检查", "其他")
_BRACKETS = str.maketrans({"【": "(", "】": ")", "[": "(", "]": ")", "〔": "(", "〕": ")"})
_TRAILING_GROUP = re.compile(r"\(([^()]|\([^()]*\))*\)$")


def norm(text: object) -> str:
    """Normalise text for matching: NFKC (full-width → half-width), brackets unified, no spaces."""
    text = text if type(text) is str else str(text)
    return _kept_norm(text) if len(text) <= _KEPT_LENGTH else _norm(text)


def _norm(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).translate(_BRACKETS)
    return "".join(folded.split())


# Every file of a month repeats the template's headers, sheet names and village names: short
# texts are normalised once (a long text, such as a note, is not kept).
_KEPT_LENGTH = 64
_kept_norm = functools.lru_cache(maxsize=8192)(_norm)


@dataclass(frozen=True)
class Span:
    """The months in which an area or indicator is reported: `start` to `end` inclusive
    ('YYYY-MM'), either open. An area whose work ended (疫情防控) leaves the pages and the
    report for later periods, while its history stays in the store."""

    start: str | None = None
    end: str | None = None

    def active_at(self, month: str) -> bool:
        return (self.start is None or month >= self.start) and (
            self.end is None or month <= self.end
        )

    def active_during(self, first: str, last: str) -> bool:
        """Whether any month of [first, last] is inside the span."""
        return (self.start is None or last >= self.start) and (
            self.end is None or first <= self.end
        )

    def active_throughout(self, first: str, last: str) -> bool:
        """Whether every month of [first, last] is inside the span (a fair comparison)."""
        return self.active_at(first) and self.active_at(last)

    def clip(self, month_list: list[str]) -> list[str]:
        return [m for m in month_list if self.active_at(m)]

    @property
    def text(self) -> str:
        """'2023年1月止' / '2024年3月起' / '2022年1月至2023年1月', '' when always active."""
        if self.start and self.end:
            return f"{months.label(self.start)}至{months.label(self.end)}"
        if self.end:
            return f"{months.label(self.end)}止"
        return f"{months.label(self.start)}起" if self.start else ""

    @property
    def rule(self) -> str:
        """How the span reads in a message: '已于2023年1月停止填报', '自2024年3月起填报'."""
        if self.start and self.end:
            return f"只在{self.text}填报"
        if self.end:
            return f"已于{months.label(self.end)}停止填报"
        return f"自{months.label(self.start)}起填报" if self.start else "每月填报"

    def within(self, outer: Span) -> Span:
        """This span cut to `outer` (an indicator inside its area)."""
        starts = [s for s in (self.start, outer.start) if s]
        ends = [e for e in (self.end, outer.end) if e]
        return Span(max(starts) if starts else None, min(ends) if ends else None)


ALWAYS = Span()


@dataclass(frozen=True)
class Indicator:
    """One counted indicator of a work area (or one 打擂 score item)."""

    area: str
    name: str
    unit: str
    kind: str
    combine: str
    level: str
    across: str
    key: bool = False
    higher_better: bool | None = None
    min: float | None = None
    max: float | None = None
    jump: float | None = None
    aliases: tuple[str, ...] = ()
    span: Span = ALWAYS
    plan: str | None = None

    @property
    def label(self) -> str:
        """Column header with its unit, as in the template: 检查生产经营单位（家次）."""
        return f"{self.name}（{self.unit}）"

    @property
    def whole(self) -> bool:
        """Counts are whole numbers."""
        return self.kind == "count"

    @property
    def village_rows(self) -> bool:
        return self.level in ("village", "both")

    @property
    def town_row(self) -> bool:
        return self.level in ("town", "both")


@dataclass(frozen=True)
class Area:
    name: str
    icon: str
    indicators: tuple[Indicator, ...]
    span: Span = ALWAYS

    def indicators_during(self, first: str, last: str) -> tuple[Indicator, ...]:
        return tuple(i for i in self.indicators if i.span.active_during(first, last))

    @property
    def key_indicators(self) -> tuple[Indicator, ...]:
        """The headline indicators; the first four when none is marked."""
        marked = tuple(i for i in self.indicators if i.key)
        return marked or self.indicators[:4]


@dataclass(frozen=True)
class Contest:
    """The monthly 人居环境打擂: score items, 满分, and the default 红榜/黑榜 sizes."""

    sheet: str
    full_marks: float
    red_n: int
    black_n: int
    items: tuple[Indicator, ...]
    total: Indicator

    @property
    def columns(self) -> tuple[Indicator, ...]:
        return (*self.items, self.total)


@dataclass(frozen=True)
class Village:
    name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Catalogue:
    """The whole catalogue, with the lookups the reader and pages need."""

    path: Path
    fingerprint: str
    township_key: str
    township_name: str
    units: dict[str, str]
    areas: tuple[Area, ...]
    contest: Contest
    villages: tuple[Village, ...]
    jump_ratio: float
    jump_min: float
    event_kinds: tuple[str, ...] = EVENT_KINDS
    # 报送: month M is due by this day of month M+1; the office that collects and 催报.
    deadline_day: int = DEFAULT_DEADLINE_DAY
    office: str = DEFAULT_OFFICE
    _village_index: dict[str, str] = field(default_factory=dict, repr=False, compare=False)
    _column_index: dict[str, dict[str, Indicator]] = field(
        default_factory=dict, repr=False, compare=False
    )

    @property
    def area_names(self) -> list[str]:
        return [a.name for a in self.areas]

    @property
    def sheet_names(self) -> list[str]:
        """Every sheet the workbook may carry, in template order."""
        return [*self.area_names, self.contest.sheet]

    @property
    def village_names(self) -> list[str]:
        return [v.name for v in self.villages]

    def areas_at(self, month: str) -> tuple[Area, ...]:
        """The areas reported in `month`: an ended area is gone from later months' pages."""
        return tuple(a for a in self.areas if a.span.active_at(month))

    def areas_during(self, first: str, last: str) -> tuple[Area, ...]:
        return tuple(a for a in self.areas if a.span.active_during(first, last))

    def ended_areas(self, month: str) -> tuple[Area, ...]:
        """Areas whose work ended before `month`: their history is still kept and viewable."""
        return tuple(a for a in self.areas if a.span.end is not None and a.span.end < month)

    def plans(self, area: str) -> list[tuple[Indicator, Indicator]]:
        """(plan, actual) pairs of an area: 计划发展党员 / 已发展党员 and the like."""
        found = self.area(area)
        return [(self.indicator(area, i.plan), i) for i in found.indicators if i.plan]

    def area(self, name: str) -> Area:
        for area in self.areas:
            if area.name == name:
                return area
        raise KeyError(name)

    def sheet_indicators(self, sheet: str) -> tuple[Indicator, ...]:
        """Columns of a sheet: an area's indicators, or the contest's items and 总分."""
        if sheet == self.contest.sheet:
            return self.contest.columns
        return self.area(sheet).indicators

    def sheets_at(self, month: str | None) -> list[str]:
        """The sheets a workbook of `month` carries (every sheet when no month is named)."""
        areas = self.areas if month is None else self.areas_at(month)
        return [*(a.name for a in areas), self.contest.sheet]

    def sheet_indicators_at(self, sheet: str, month: str | None) -> tuple[Indicator, ...]:
        """A sheet's columns reported in `month` (all of them when no month is named)."""
        found = self.sheet_indicators(sheet)
        return found if month is None else tuple(i for i in found if i.span.active_at(month))

    def indicator(self, area: str, name: str) -> Indicator:
        for ind in self.sheet_indicators(area):
            if ind.name == name:
                return ind
        raise KeyError(f"{area}/{name}")

    def all_indicators(self) -> list[Indicator]:
        return [i for a in self.areas for i in a.indicators]

    def resolve_village(self, text: object) -> str | None:
        """Canonical village name (or 全镇) for any accepted spelling, None when unknown."""
        return self._village_index.get(norm(text))

    def suggest_village(self, text: object) -> str | None:
        """The closest configured name, for 'did you mean' in error messages."""
        found = _closest(norm(text), self._village_index)
        return found if isinstance(found, str) else None

    def match_column(self, sheet: str, header: object) -> Indicator | None:
        """The indicator a header names, ignoring spaces, bracket widths and a unit suffix."""
        index = self._column_index.get(sheet, {})
        key = norm(header)
        if key in index:
            return index[key]
        unit = _TRAILING_GROUP.search(key)
        if unit and unit.group(0)[1:-1] in {norm(u) for u in self.units}:
            return index.get(key[: unit.start()])
        return None

    def column_named(self, sheet: str, header: object) -> Indicator | None:
        """The indicator whose name or alias a header is exactly (spaces, bracket widths aside)."""
        return self._column_index.get(sheet, {}).get(norm(header))

    def suggest_column(self, sheet: str, header: object) -> str | None:
        index = self._column_index.get(sheet, {})
        key = _TRAILING_GROUP.sub("", norm(header)) or norm(header)
        match = _closest(key, index)
        return match.name if isinstance(match, Indicator) else None


def _closest(key: str, index: Mapping[str, object]) -> object | None:
    found = difflib.get_close_matches(key, list(index), n=1, cutoff=0.5)
    if not found:
        found = [k for k in index if key and (key in k or k in key)][:1]
    return index[found[0]] if found else None
