"""The indicator catalogue: loaded and validated in one place from the editable TOML file.

Everything the rest of the code knows about areas, indicators, units, combining rules, villages
and the 打擂 score items comes from here, so adding an indicator to the file adds it to the
workbook template, the reader, the pages and the exports without touching code.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import re
import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from . import config
from .errors import CatalogueError, Problem

TOWN = "全镇"
TOTAL_SCORE = "总分"
COMBINES = {"sum": "各月相加", "last": "取期末最新值", "target": "年度计划（不相加）"}
LEVELS = {"village": "各村填报", "town": "全镇填报", "both": "各村和全镇均填报"}
ACROSS = {"sum": "各村相加", "mean": "各村平均"}
UNIT_KINDS = {"count", "percent", "money", "length", "score"}
DEFAULT_DEADLINE_DAY, DEFAULT_OFFICE = 5, "党政办"
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
}
_BRACKETS = str.maketrans({"【": "(", "】": ")", "[": "(", "]": ")", "〔": "(", "〕": ")"})
_TRAILING_GROUP = re.compile(r"\(([^()]|\([^()]*\))*\)$")


def norm(text: object) -> str:
    """Normalise text for matching: NFKC (full-width → half-width), brackets unified, no spaces."""
    folded = unicodedata.normalize("NFKC", str(text)).translate(_BRACKETS)
    return "".join(folded.split())


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
    )


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
    try:
        raw = tomllib.loads(text.decode("utf-8"))
    except UnicodeDecodeError:
        chk.add("文件", "不是 UTF-8 编码，请用 UTF-8 保存")
        chk.raise_if_any()
    except tomllib.TOMLDecodeError as exc:
        chk.add("文件格式", f"TOML 语法错误：{exc}")
        chk.raise_if_any()
    township = raw.get("township", {})
    if not township.get("name") or not township.get("key"):
        chk.add("[township]", "需要 key（英文代号）和 name（镇名）")
    units = raw.get("units", {})
    for unit, kind in units.items():
        if kind not in UNIT_KINDS:
            chk.add(f"单位“{unit}”", f"类别应为 {'、'.join(sorted(UNIT_KINDS))} 之一，现为“{kind}”")
    warnings = raw.get("warnings", {})
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
        inds_ok = tuple(i for i in inds if i is not None)
        if not inds_ok:
            chk.add(f"工作领域“{a_name}”", "没有任何指标")
        areas.append(
            Area(
                name=a_name, icon=str(a_raw.get("icon", ":material/bar_chart:")), indicators=inds_ok
            )
        )
    c_raw = raw.get("contest", {})
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
        items.append(
            Indicator(
                area=sheet,
                name=str(item["name"]),
                unit="分",
                kind="score",
                combine="last",
                level="village",
                across="mean",
                higher_better=True,
                min=0.0,
                max=float(item["max"]),
            )
        )
    if not items:
        chk.add("[contest]", "至少需要一个评分项 items")
    elif abs(sum(i.max or 0 for i in items) - full) > 0.01:
        chk.add(
            "[contest]", f"各评分项满分之和 {sum(i.max or 0 for i in items):g} 不等于满分 {full:g}"
        )
    total = Indicator(
        area=sheet,
        name=TOTAL_SCORE,
        unit="分",
        kind="score",
        combine="last",
        level="village",
        across="mean",
        higher_better=True,
        min=0.0,
        max=float(full),
        aliases=("合计得分", "得分", "总得分"),
    )
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
    for key in ("red_n", "black_n"):
        n = c_raw.get(key, 3)
        if not isinstance(n, int) or isinstance(n, bool) or not 0 < n <= max(len(villages), 1):
            chk.add("[contest]", f"{key} 应为 1 到村（社区）数之间的整数，现为“{n}”")
    deadline_day, office = _collection(chk, raw.get("collection", {}))
    chk.raise_if_any()
    v_tuple = tuple(villages)
    column_index = {a.name: _column_index(a.name, a.indicators, chk) for a in areas}
    column_index[sheet] = _column_index(sheet, (*items, total), chk)
    catalogue = Catalogue(
        path=path,
        fingerprint=hashlib.sha256(text).hexdigest()[:16],
        township_key=str(township["key"]),
        township_name=str(township["name"]),
        units=dict(units),
        areas=tuple(areas),
        contest=Contest(
            sheet=sheet,
            full_marks=float(full),
            red_n=int(c_raw.get("red_n", 3)),
            black_n=int(c_raw.get("black_n", 3)),
            items=tuple(items),
            total=total,
        ),
        villages=v_tuple,
        jump_ratio=float(warnings.get("jump_ratio", 3.0)),
        jump_min=float(warnings.get("jump_min", 10)),
        deadline_day=deadline_day,
        office=office,
        _village_index=_village_index(str(township["name"]), v_tuple, chk),
        _column_index=column_index,
    )
    chk.raise_if_any()
    return catalogue


@functools.lru_cache(maxsize=8)
def _load(path: Path, mtime_ns: int) -> Catalogue:
    return parse_catalogue(path.read_bytes(), path)


def _read(target: Path) -> Catalogue:
    try:
        mtime = target.stat().st_mtime_ns
    except OSError as exc:
        raise CatalogueError(
            problems=[Problem(message=f"找不到指标目录文件 {target}（{exc.strerror}）")],
            title="指标目录文件有误",
        ) from None
    return _load(target, mtime)


def load_catalogues(path: Path | None = None) -> dict[str, Catalogue]:
    """Every township's catalogue by township key: one for a file, one per `*.toml` of a folder.

    A county keeps one catalogue file per township in a folder (TOWNSHIP_CATALOGUE=folder); the
    files are read in name order, and two files claiming the same township key are refused.
    """
    target = Path(path) if path else config.catalogue_path()
    if not target.is_dir():
        catalogue = _read(target)
        return {catalogue.township_key: catalogue}
    files = sorted(target.glob("*.toml"))
    if not files:
        raise CatalogueError(
            problems=[Problem(message=f"指标目录文件夹 {target} 中没有任何 .toml 指标目录文件")],
            title="指标目录文件有误",
        )
    found: dict[str, Catalogue] = {}
    problems: list[Problem] = []
    for file in files:
        try:
            catalogue = _read(file)
        except CatalogueError as exc:
            problems += exc.problems
            continue
        if catalogue.township_key in found:
            other = found[catalogue.township_key].path.name
            problems.append(
                Problem(
                    message=f"[township] key = “{catalogue.township_key}”已用于 {other}，每个镇的代号须不同",
                    file=file.name,
                )
            )
            continue
        found[catalogue.township_key] = catalogue
    if problems:
        raise CatalogueError(problems=problems, title="指标目录文件有误")
    return found


def load_catalogue(path: Path | None = None, township: str | None = None) -> Catalogue:
    """One township's catalogue (default: config.catalogue_path()), re-read when the file changes.

    `township` picks a township of a county's catalogue folder by its key; it may be left out
    when the path holds a single township.
    """
    catalogues = load_catalogues(path)
    if township is None and len(catalogues) == 1:
        return next(iter(catalogues.values()))
    if township in catalogues:
        return catalogues[township]
    choices = "、".join(f"{key}（{c.township_name}）" for key, c in catalogues.items())
    message = (
        f"指标目录中没有代号为“{township}”的镇"
        if township
        else f"指标目录文件夹中有 {len(catalogues)} 个镇，请指定是哪个镇"
    )
    raise CatalogueError(
        problems=[Problem(message=message, hint=f"可选：{choices}（命令行用 --township 代号）")],
        title="请选择镇",
    )
