"""Reading the catalogue file: every entry checked, every problem named at once.

A broken file names each wrong entry (area, indicator, field) in Chinese, so one edit fixes
them all; nothing starts on a half-read catalogue.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import replace
from pathlib import Path

from .. import months
from ..errors import CatalogueError, Problem
from .model import (
    ACROSS,
    COMBINES,
    DEFAULT_DEADLINE_DAY,
    DEFAULT_OFFICE,
    EVENT_KINDS,
    LEVELS,
    TOTAL_SCORE,
    TOWN,
    UNIT_KINDS,
    Area,
    Catalogue,
    Contest,
    Indicator,
    Span,
    Village,
    norm,
)

_INDICATOR_FIELDS = {
    "name",
    "unit",
    "combine",
    "level",
    "across",
    "key",
    "higher_better",
    "min",
    "max",
    "jump",
    "aliases",
    "start",
    "end",
    "plan",
}


class _Checker:
    """Collects every problem of the catalogue file so one start-up shows them all."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def add(self, where: str, message: str) -> None:
        self.problems.append(Problem(message=f"{where}：{message}", file=self.path.name))

    def raise_if_any(self) -> None:
        if self.problems:
            raise CatalogueError(problems=self.problems, title="指标目录文件有误")


def _bounds(kind: str, full_marks: float) -> tuple[float | None, float | None]:
    if kind == "percent":
        return 0.0, 100.0
    if kind == "score":
        return 0.0, full_marks
    return 0.0, None


def _span(chk: _Checker, where: str, raw: dict) -> Span:
    """The optional start and end months of an area or indicator, checked."""
    found: dict[str, str | None] = {"start": None, "end": None}
    for key in found:
        if key not in raw:
            continue
        try:
            found[key] = months.parse_month(raw[key])
        except months.MonthError:
            chk.add(where, f'{key} 应为月份，如 "2023-01"，现为“{raw[key]}”')
    start, end = found["start"], found["end"]
    if start and end and start > end:
        chk.add(where, f"start（{start}）晚于 end（{end}）")
    return Span(start, end)


def _indicator(
    chk: _Checker, area: str, raw: object, index: int, units: dict[str, str]
) -> Indicator | None:
    where = f"领域“{area}”的第 {index} 个指标"
    if not isinstance(raw, dict):
        chk.add(where, "应写成 { name = …, unit = …, … } 的形式")
        return None
    name = str(raw.get("name", "")).strip()
    if name:
        where += f"（{name}）"
    else:
        chk.add(where, "缺少名称 name")
    unknown = sorted(set(raw) - _INDICATOR_FIELDS)
    if unknown:
        chk.add(
            where,
            f"未知字段 {', '.join(unknown)}，可用字段：{', '.join(sorted(_INDICATOR_FIELDS))}",
        )
    unit = str(raw.get("unit", ""))
    if unit not in units:
        chk.add(where, f"单位“{unit}”未在 [units] 中定义")
    combine = raw.get("combine")
    if combine not in COMBINES:
        chk.add(where, f"combine 应为 sum、last 或 target，现为“{combine}”")
    level = raw.get("level")
    if level not in LEVELS:
        chk.add(where, f"level 应为 village、town 或 both，现为“{level}”")
    kind = units.get(unit, "count")
    across = raw.get("across", "mean" if kind == "percent" else "sum")
    if across not in ACROSS:
        chk.add(where, f"across 应为 sum 或 mean，现为“{across}”")
    for flag in ("key", "higher_better"):
        if flag in raw and not isinstance(raw[flag], bool):
            chk.add(where, f"{flag} 应为 true 或 false")
    low, high = _bounds(kind, 100.0)
    for bound in ("min", "max", "jump"):
        if bound in raw and not isinstance(raw[bound], int | float):
            chk.add(where, f"{bound} 应为数字")
    aliases = raw.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        chk.add(where, 'aliases 应为文字列表，如 ["写法一", "写法二"]')
        aliases = []
    if not name:
        return None
    return Indicator(
        area=area,
        name=name,
        unit=unit,
        kind=kind,
        combine=str(combine),
        level=str(level),
        across=str(across),
        key=bool(raw.get("key", False)),
        higher_better=raw.get("higher_better"),
        min=float(raw["min"]) if isinstance(raw.get("min"), int | float) else low,
        max=float(raw["max"]) if isinstance(raw.get("max"), int | float) else high,
        jump=float(raw["jump"]) if isinstance(raw.get("jump"), int | float) else None,
        aliases=tuple(aliases),
        span=_span(chk, where, raw),
        plan=str(raw["plan"]) if raw.get("plan") else None,
    )


def _check_plans(chk: _Checker, area: str, indicators: tuple[Indicator, ...]) -> None:
    """A `plan` names another indicator of the same area, with the same unit."""
    by_name = {i.name: i for i in indicators}
    for ind in indicators:
        if not ind.plan:
            continue
        plan = by_name.get(ind.plan)
        if plan is None or plan is ind:
            chk.add(
                f"领域“{area}”的指标“{ind.name}”", f"plan 应为本领域另一个指标，现为“{ind.plan}”"
            )
        elif plan.unit != ind.unit:
            chk.add(
                f"领域“{area}”的指标“{ind.name}”",
                f"单位“{ind.unit}”与计划指标“{plan.name}”的单位“{plan.unit}”不同",
            )


def _event_kinds(chk: _Checker, raw: dict) -> tuple[str, ...]:
    kinds = raw.get("events", {}).get("kinds", list(EVENT_KINDS))
    if (
        not isinstance(kinds, list)
        or not kinds
        or not all(isinstance(k, str) and k.strip() for k in kinds)
    ):
        chk.add("[events]", 'kinds 应为文字列表，如 ["防汛抢险", "表彰大会"]')
        return EVENT_KINDS
    return tuple(dict.fromkeys(k.strip() for k in kinds))


def _village_index(township: str, villages: tuple[Village, ...], chk: _Checker) -> dict[str, str]:
    index: dict[str, str] = {}

    def put(spelling: str, canonical: str, explicit: bool) -> None:
        key = norm(spelling)
        if not key:
            return
        if key in index and index[key] != canonical:
            if explicit:
                chk.add(f"村（社区）“{canonical}”", f"写法“{spelling}”已属于“{index[key]}”")
            return
        index[key] = canonical

    for spelling in (TOWN, "镇本级", "镇级", "本级", township, f"{township}本级"):
        put(spelling, TOWN, True)
    for village in villages:
        put(village.name, village.name, True)
        for alias in village.aliases:
            put(alias, village.name, True)
    for village in villages:
        name = norm(village.name)
        suffixes: tuple[str, ...] = (
            ("委会", "民委员会", "村民委员会", "委") if name.endswith("村") else ()
        )
        if name.endswith("社区"):
            suffixes = ("居委会", "居民委员会")
            put(name[:-2] + "居委会", village.name, False)
        for suffix in suffixes:
            put(name + suffix, village.name, False)
        base = re.sub(r"(村|社区)$", "", name)
        if len(base) >= 2:
            put(base, village.name, False)
    return index


def _column_index(sheet: str, indicators: tuple[Indicator, ...], chk: _Checker) -> dict:
    index: dict[str, Indicator] = {}
    for ind in indicators:
        for spelling in (ind.name, *ind.aliases):
            key = norm(spelling)
            if key in index and index[key] is not ind:
                chk.add(f"领域“{sheet}”", f"指标名称或别名“{spelling}”重复")
            index[key] = ind
    return index


def _areas(chk: _Checker, raw: dict, units: dict[str, str]) -> list[Area]:
    """The work areas with their indicators, spans and plans."""
    areas: list[Area] = []
    if not raw.get("areas"):
        chk.add("[[areas]]", "至少需要一个工作领域")
    for a_index, a_raw in enumerate(raw.get("areas", []), 1):
        a_name = str(a_raw.get("name", "")).strip()
        if not a_name:
            chk.add(f"第 {a_index} 个工作领域", "缺少名称 name")
            continue
        if a_name in {a.name for a in areas}:
            chk.add(f"工作领域“{a_name}”", "重复")
        inds = [
            _indicator(chk, a_name, r, i, units)
            for i, r in enumerate(a_raw.get("indicators", []), 1)
        ]
        span = _span(chk, f"工作领域“{a_name}”", a_raw)
        inds_ok = tuple(replace(i, span=i.span.within(span)) for i in inds if i is not None)
        if not inds_ok:
            chk.add(f"工作领域“{a_name}”", "没有任何指标")
        _check_plans(chk, a_name, inds_ok)
        areas.append(
            Area(
                name=a_name,
                icon=str(a_raw.get("icon", ":material/bar_chart:")),
                indicators=inds_ok,
                span=span,
            )
        )
    return areas


def _score(sheet: str, name: str, top: float, aliases: tuple[str, ...] = ()) -> Indicator:
    """A 打擂 score column: an item (top = its points) or 总分 (top = 满分)."""
    return Indicator(
        area=sheet,
        name=name,
        unit="分",
        kind="score",
        combine="last",
        level="village",
        across="mean",
        higher_better=True,
        min=0.0,
        max=float(top),
        aliases=aliases,
    )


def _contest(chk: _Checker, c_raw: dict, villages: int) -> Contest:
    """The 打擂: its sheet, score items adding up to 满分, and the 红榜/黑榜 sizes."""
    sheet = str(c_raw.get("sheet", "人居环境打擂"))
    full = c_raw.get("full_marks", 100)
    if not isinstance(full, int | float) or full <= 0:
        chk.add("[contest]", "full_marks（满分）应为正数")
        full = 100
    items: list[Indicator] = []
    for i, item in enumerate(c_raw.get("items", []), 1):
        if (
            not isinstance(item, dict)
            or not item.get("name")
            or not isinstance(item.get("max"), int | float)
        ):
            chk.add(f"打擂第 {i} 个评分项", '应写成 { name = "农村改厕", max = 20 }')
            continue
        items.append(_score(sheet, str(item["name"]), item["max"]))
    if not items:
        chk.add("[contest]", "至少需要一个评分项 items")
    elif abs(sum(i.max or 0 for i in items) - full) > 0.01:
        chk.add(
            "[contest]", f"各评分项满分之和 {sum(i.max or 0 for i in items):g} 不等于满分 {full:g}"
        )
    for key in ("red_n", "black_n"):
        n = c_raw.get(key, 3)
        if not isinstance(n, int) or isinstance(n, bool) or not 0 < n <= max(villages, 1):
            chk.add("[contest]", f"{key} 应为 1 到村（社区）数之间的整数，现为“{n}”")
    return Contest(
        sheet=sheet,
        full_marks=float(full),
        red_n=int(c_raw.get("red_n", 3)) if isinstance(c_raw.get("red_n", 3), int) else 3,
        black_n=int(c_raw.get("black_n", 3)) if isinstance(c_raw.get("black_n", 3), int) else 3,
        items=tuple(items),
        total=_score(sheet, TOTAL_SCORE, full, ("合计得分", "得分", "总得分")),
    )


def _villages(chk: _Checker, raw: dict) -> tuple[Village, ...]:
    villages: list[Village] = []
    for v_index, v_raw in enumerate(raw.get("villages", []), 1):
        name = str(v_raw.get("name", "")).strip() if isinstance(v_raw, dict) else ""
        if not name:
            chk.add(f"第 {v_index} 个村（社区）", "缺少名称 name")
            continue
        if name in {v.name for v in villages}:
            chk.add(f"村（社区）“{name}”", "重复")
        villages.append(Village(name=name, aliases=tuple(v_raw.get("aliases", []))))
    if not villages:
        chk.add("[[villages]]", "至少需要一个村（社区）")
    return tuple(villages)


def _toml(chk: _Checker, text: bytes) -> dict:
    try:
        return tomllib.loads(text.decode("utf-8"))
    except UnicodeDecodeError:
        chk.add("文件", "不是 UTF-8 编码，请用 UTF-8 保存")
    except tomllib.TOMLDecodeError as exc:
        chk.add("文件格式", f"TOML 语法错误：{exc}")
    chk.raise_if_any()
    return {}


def _collection(chk: _Checker, raw: object) -> tuple[int, str]:
    """[collection]: the monthly deadline day (1–28, so every month has it) and the office."""
    if not isinstance(raw, dict):
        chk.add("[collection]", "应写成 [collection] 小节，如 deadline_day = 5")
        return DEFAULT_DEADLINE_DAY, DEFAULT_OFFICE
    unknown = sorted(set(raw) - {"deadline_day", "office"})
    if unknown:
        chk.add("[collection]", f"未知字段 {', '.join(unknown)}，可用字段：deadline_day、office")
    day = raw.get("deadline_day", DEFAULT_DEADLINE_DAY)
    if not isinstance(day, int) or isinstance(day, bool) or not 1 <= day <= 28:
        chk.add(
            "[collection]",
            f"deadline_day（每月报送截止日）应为 1 到 28 之间的整数，现为“{day}”",
        )
        day = DEFAULT_DEADLINE_DAY
    office = raw.get("office", DEFAULT_OFFICE)
    if not isinstance(office, str) or not office.strip():
        chk.add("[collection]", f"office（收集月报的科室，如“党政办”）应为文字，现为“{office}”")
        office = DEFAULT_OFFICE
    return day, office.strip()


def parse_catalogue(text: bytes, path: Path) -> Catalogue:
    """Validate catalogue file contents; raise CatalogueError listing every broken entry."""
    chk = _Checker(path)
    raw = _toml(chk, text)
    township = raw.get("township", {})
    if not township.get("name") or not township.get("key"):
        chk.add("[township]", "需要 key（英文代号）和 name（镇名）")
    units = raw.get("units", {})
    for unit, kind in units.items():
        if kind not in UNIT_KINDS:
            chk.add(f"单位“{unit}”", f"类别应为 {'、'.join(sorted(UNIT_KINDS))} 之一，现为“{kind}”")
    warnings = raw.get("warnings", {})
    areas = _areas(chk, raw, units)
    villages = _villages(chk, raw)
    contest = _contest(chk, raw.get("contest", {}), len(villages))
    event_kinds = _event_kinds(chk, raw)
    deadline_day, office = _collection(chk, raw.get("collection", {}))
    chk.raise_if_any()
    column_index = {a.name: _column_index(a.name, a.indicators, chk) for a in areas}
    column_index[contest.sheet] = _column_index(contest.sheet, contest.columns, chk)
    catalogue = Catalogue(
        path=path,
        fingerprint=hashlib.sha256(text).hexdigest()[:16],
        township_key=str(township["key"]),
        township_name=str(township["name"]),
        units=dict(units),
        areas=tuple(areas),
        contest=contest,
        villages=villages,
        jump_ratio=float(warnings.get("jump_ratio", 3.0)),
        jump_min=float(warnings.get("jump_min", 10)),
        event_kinds=event_kinds,
        deadline_day=deadline_day,
        office=office,
        _village_index=_village_index(str(township["name"]), villages, chk),
        _column_index=column_index,
    )
    chk.raise_if_any()
    return catalogue
