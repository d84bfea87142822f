"""大事记: the township's events (a flood, a commendation meeting, an inspection), kept as data.

An event has a date, the work area it belongs to, the villages it touched (none: the whole
township), a kind from the catalogue's list and one line of text. Events are entered on the
大事记 page or in a workbook's 大事记 sheet; they mark the area's trend charts, list on the
overview for their month, and decide the report's event sentences (the 防汛 sentence is written
only when a 防汛抢险 event falls in the period, and names its months).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

from . import months
from .catalogue import TOWN, Catalogue

SHEET = "大事记"
GENERAL = "综合"
MAX_TITLE = 60
PAGE_SOURCE = "大事记页"
HEADERS = ("日期", "领域", "村（社区）", "类别", "事件")
COLUMNS = ["id", "date", "month", "area", "kind", "villages", "title", "source", "created_by"]
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_SPLIT_VILLAGES = re.compile(r"[、，,；;\s]+")
_COUNT_WORDS = "零一两三四五六七八九十"


@dataclass(frozen=True)
class Event:
    """One recorded event. `villages` empty means the whole township."""

    date: str
    area: str
    kind: str
    title: str
    villages: tuple[str, ...] = ()

    @property
    def month(self) -> str:
        return self.date[:7]

    @property
    def villages_text(self) -> str:
        return "、".join(self.villages) if self.villages else TOWN

    @property
    def day_label(self) -> str:
        """'2024年7月5日'."""
        year, mon, day = (int(x) for x in self.date.split("-"))
        return f"{year}年{mon}月{day}日"

    @property
    def line(self) -> str:
        """'2024年7月5日 防汛抢险（杉林村、蛇形村）：强降雨引发山洪'."""
        where = f"（{'、'.join(self.villages)}）" if self.villages else ""
        return f"{self.day_label} {self.kind}{where}：{self.title}"


class EventError(ValueError):
    """An event that cannot be kept; the message is Chinese and says what to write."""


def parse_date(value: object) -> str:
    """'YYYY-MM-DD' for a date cell or 2024-07-05, 2024/7/5, 2024年7月5日, 20240705."""
    if isinstance(value, dt.datetime | dt.date):
        return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
    text = "".join(unicodedata.normalize("NFKC", str(value or "")).split())
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            year, mon, day = (int(g) for g in match.groups())
            try:
                return dt.date(year, mon, day).isoformat()
            except ValueError:
                break
    raise EventError(f"无法识别的日期“{value}”，请写成 2024-07-05 或 2024年7月5日")


def make_event(
    catalogue: Catalogue,
    date: object,
    area: object,
    kind: object,
    title: object,
    villages: object = "",
) -> Event:
    """A checked event from what an editor typed or a sheet holds; EventError lists problems."""
    problems: list[str] = []
    try:
        day = parse_date(date)
    except EventError as exc:
        problems.append(str(exc))
        day = ""
    area_name = str(area or "").strip()
    areas = [*catalogue.area_names, GENERAL]
    if area_name not in areas:
        problems.append(f"领域“{area_name}”不在指标目录中，可写：{'、'.join(areas)}")
    kind_name = str(kind or "").strip()
    if kind_name not in catalogue.event_kinds:
        problems.append(
            f"类别“{kind_name}”不在指标目录中，可写：{'、'.join(catalogue.event_kinds)}"
        )
    text = " ".join(str(title or "").split())
    if not text:
        problems.append("事件内容为空，请用一句话写明发生了什么")
    elif len(text) > MAX_TITLE:
        problems.append(f"事件内容 {len(text)} 个字，请缩短到 {MAX_TITLE} 个字以内（一句话）")
    names = village_names(catalogue, villages, problems)
    if problems:
        raise EventError("；".join(problems))
    return Event(day, area_name, kind_name, text, names)


def village_names(catalogue: Catalogue, villages: object, problems: list[str]) -> tuple[str, ...]:
    """Canonical village names of a list or a 、-separated text; 全镇 or nothing → ()."""
    if isinstance(villages, str | type(None)):
        parts = [p for p in _SPLIT_VILLAGES.split(villages or "") if p]
    else:
        parts = [str(p) for p in villages] if isinstance(villages, Iterable) else [str(villages)]
    found: list[str] = []
    for part in parts:
        name = catalogue.resolve_village(part)
        if name is None:
            guess = catalogue.suggest_village(part)
            problems.append(
                f"村（社区）“{part}”不在名单中" + (f"，是否应为“{guess}”？" if guess else "")
            )
        elif name != TOWN and name not in found:
            found.append(name)
    order = {v: i for i, v in enumerate(catalogue.village_names)}
    return tuple(sorted(found, key=lambda name: order.get(name, len(order))))


def to_frame(rows: Iterable[dict]) -> pd.DataFrame:
    """Stored events as a table (COLUMNS), oldest first."""
    frame = pd.DataFrame(list(rows), columns=COLUMNS)
    return frame.sort_values(["date", "id"], ignore_index=True) if len(frame) else frame


def from_frame(frame: pd.DataFrame) -> list[Event]:
    """The Event of every row of a stored-events table."""
    return [
        Event(r.date, r.area, r.kind, r.title, tuple(v for v in r.villages.split("、") if v))
        for r in frame.itertuples(index=False)
    ]


def during(events: Sequence[Event], first: str, last: str, kind: str | None = None) -> list[Event]:
    """The events of months [first, last] (of one kind), by date."""
    found = [e for e in events if first <= e.month <= last and (kind is None or e.kind == kind)]
    return sorted(found, key=lambda e: e.date)


def count_words(count: int) -> str:
    """'两次' for 2 as a report writes it; '12次' beyond ten."""
    if 0 < count <= 10:
        return f"{_COUNT_WORDS[count]}次"
    return f"{count}次"


def month_words(events: Sequence[Event], year: str) -> str:
    """'7月' or '6月、7月' (full labels for months outside `year`)."""
    found = sorted({e.month for e in events})
    return "、".join(f"{int(m[5:])}月" if m[:4] == year else months.label(m) for m in found)


def table(frame: pd.DataFrame) -> pd.DataFrame:
    """The events as the page and the download show them, in Chinese columns."""
    shown = pd.DataFrame(
        {
            "日期": [Event(d, "", "", "").day_label for d in frame["date"]],
            "领域": frame["area"],
            "村（社区）": [v or TOWN for v in frame["villages"]],
            "类别": frame["kind"],
            "事件": frame["title"],
            "来源": frame["source"],
            "录入人": frame["created_by"],
        }
    )
    return shown.reset_index(drop=True)
