"""工作总结: the office's half-year report written from the data, every figure traceable.

The wording lives in an editable template (report_template.md): the office changes the phrasing
without touching code, and every figure in it is a placeholder naming a catalogue indicator. A
figure is computed exactly as the catalogue says (metrics.combine_months, metrics.town_figures),
remembers how it was computed and which imported cells it came from, and reads 【未报】 when
the period holds no data for it, so nothing silently becomes 0. The free-text parts (存在不足,
下步工作重点) are written on the page and stored with the period in the database.
"""

from __future__ import annotations

import difflib
import hashlib
import html
import re
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from . import config, formatting, metrics, months
from .catalogue import TOTAL_SCORE, TOWN, Catalogue, Indicator
from .documents import Block, government_docx
from .errors import Problem, TemplateError

if TYPE_CHECKING:
    from .store import Store

MISSING = "【未报】"
PENDING = "【待填写】"
NONE_TEXT = "（本期无）"
MAX_NAMES = 5
# Placeholders that name no indicator: the period, the township and the contest settings.
FACTS = ("镇名", "期间", "年份", "时段", "村数", "评比村数", "红榜数", "黑榜数")
# Prefixes of an indicator placeholder ({数值:安全生产/检查车辆}); report_template.md says what
# each one writes: the figure with its unit (no prefix), without it, villages above 0, months.
MODES = ("", "数值", "村数", "村名", "月份")
PERIOD_KINDS = ("上半年", "下半年", "全年", "季度", "年初以来", "自选月份")
SOURCE_COLUMNS = {
    "village": "村（社区）",
    "month": "月份",
    "value": "数值",
    "file_name": "文件",
    "sheet": "工作表",
    "cell": "单元格",
    "version_id": "版本",
}
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_PLACEHOLDER = re.compile(r"\{([^{}\n]*)\}")
_SLOT = re.compile(r"\[\[([^\[\]\n]*)\]\]")


# ------------------------------------------------------------------ the template


@dataclass(frozen=True)
class Ref:
    """A placeholder resolved against the catalogue: what one figure of the report is."""

    key: str
    mode: str = ""
    indicator: Indicator | None = None

    @property
    def label(self) -> str:
        """How the figure is named on the page: 安全生产·检查生产经营单位（村数）."""
        if self.indicator is None:
            return self.key
        name = f"{self.indicator.area}·{self.indicator.name}"
        return f"{name}（{self.mode}）" if self.mode and self.mode != "数值" else name


@dataclass(frozen=True)
class Segment:
    """A run of a paragraph: literal text, or the key of the figure that fills it."""

    text: str = ""
    ref: str = ""


@dataclass(frozen=True)
class Slot:
    """Room for the office's own words, stored per period under `name`."""

    name: str
    hint: str


@dataclass(frozen=True)
class TemplateParagraph:
    """One paragraph of the template: kind is title, heading or body."""

    kind: str
    segments: tuple[Segment, ...]
    line: int
    slot: Slot | None = None

    @property
    def name(self) -> str:
        """The paragraph's lead sentence, which names it on the sources tab (1.党建引领高效推进)."""
        text = "".join(s.text for s in self.segments if not s.ref)
        return text.split("。", 1)[0][:24]


@dataclass(frozen=True)
class Template:
    path: Path
    fingerprint: str
    paragraphs: tuple[TemplateParagraph, ...]
    refs: dict[str, Ref]

    @property
    def slots(self) -> list[Slot]:
        return [p.slot for p in self.paragraphs if p.slot is not None]


def _closest(word: str, choices: list[str]) -> str | None:
    found = difflib.get_close_matches(word, choices, n=1, cutoff=0.4)
    return found[0] if found else None


class _TemplateReader:
    """Parses the template and collects every problem, so one edit fixes them all."""

    def __init__(self, path: Path, catalogue: Catalogue) -> None:
        self.path = path
        self.catalogue = catalogue
        self.problems: list[Problem] = []
        self.refs: dict[str, Ref] = {}

    def error(self, line: int, message: str, hint: str = "") -> None:
        self.problems.append(Problem(f"第 {line} 行：{message}", file=self.path.name, hint=hint))

    def resolve(self, raw: str, line: int) -> str | None:
        """The figure key a placeholder names, registering the figure; None when it is wrong."""
        text = "".join(raw.split())
        mode, _, rest = text.replace("：", ":").rpartition(":")
        if "/" not in rest:
            if mode or rest not in FACTS:
                guess = _closest(rest, list(FACTS))
                self.error(
                    line,
                    f"无法识别的占位符“{{{raw}}}”",
                    f"是否应为“{{{guess}}}”？" if guess else "应写成 {领域/指标} 或 {期间} 等",
                )
                return None
            self.refs.setdefault(rest, Ref(key=rest))
            return rest
        if mode not in MODES:
            self.error(
                line,
                f"占位符“{{{raw}}}”中的“{mode}:”无法识别",
                f"可用：{'、'.join(m + ':' for m in MODES if m)}，或不加前缀",
            )
            return None
        area, _, name = rest.partition("/")
        areas = self.catalogue.sheet_names
        if area not in areas:
            guess = _closest(area, areas)
            self.error(
                line,
                f"占位符“{{{raw}}}”中的领域“{area}”不在指标目录中",
                f"是否应为“{guess}”？" if guess else f"可用：{'、'.join(areas)}",
            )
            return None
        ind = self.catalogue.match_column(area, name)
        if ind is None:
            guess = self.catalogue.suggest_column(area, name)
            self.error(
                line,
                f"“{area}”中没有指标“{name}”",
                f"是否应为“{guess}”？" if guess else "请对照指标目录 catalogue.toml 中的名称",
            )
            return None
        key = f"{mode}:{area}/{ind.name}" if mode else f"{area}/{ind.name}"
        self.refs.setdefault(key, Ref(key=key, mode=mode, indicator=ind))
        return key

    def segments(self, text: str, line: int) -> tuple[Segment, ...]:
        out: list[Segment] = []
        position = 0
        for match in _PLACEHOLDER.finditer(text):
            if match.start() > position:
                out.append(Segment(text=text[position : match.start()]))
            key = self.resolve(match.group(1), line)
            out.append(Segment(ref=key) if key else Segment(text=match.group(0)))
            position = match.end()
        if position < len(text):
            out.append(Segment(text=text[position:]))
        literal = "".join(s.text for s in out if not s.ref)
        if "{" in _PLACEHOLDER.sub("", literal) or "}" in _PLACEHOLDER.sub("", literal):
            self.error(line, "花括号不成对", "占位符写成 {领域/指标}，两边各一个花括号")
        return tuple(out)

    def paragraph(self, lines: list[tuple[int, str]]) -> TemplateParagraph:
        line, first = lines[0]
        if first.startswith("#"):
            level = len(first) - len(first.lstrip("#"))
            text = first[level:].strip() + "".join(t for _, t in lines[1:])
            if level > 2:
                self.error(line, "标题只能用“# ”（报告标题）或“## ”（一级标题）")
            kind = "title" if level == 1 else "heading"
            return TemplateParagraph(kind, self.segments(text, line), line)
        text = "".join(t for _, t in lines)
        slot = None
        found = list(_SLOT.finditer(text))
        if found:
            last = found[-1]
            if len(found) > 1 or last.end() != len(text):
                self.error(line, "[[…]] 只能放在一段的末尾，每段最多一个")
            name, _, hint = last.group(1).replace(":", "：").partition("：")
            slot = Slot(name=name.strip(), hint=hint.strip())
            if not slot.name:
                self.error(line, "[[…]] 中缺少名称，如 [[存在不足：提示]]")
            text = text[: last.start()]
        return TemplateParagraph("body", self.segments(text, line), line, slot)

    def read(self, text: str) -> tuple[TemplateParagraph, ...]:
        if "<!--" in _COMMENT.sub("", text):
            self.error(
                text[: text.rfind("<!--")].count("\n") + 1, "说明块“<!--”没有对应的“-->”结尾"
            )
        blanked = _COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)
        paragraphs: list[TemplateParagraph] = []
        block: list[tuple[int, str]] = []
        for number, raw in enumerate([*blanked.splitlines(), ""], start=1):
            stripped = raw.strip()
            starts_heading = stripped.startswith("#") and block
            if not stripped or starts_heading:
                if block:
                    paragraphs.append(self.paragraph(block))
                block = []
            if stripped:
                block.append((number, stripped))
                if stripped.startswith("#"):
                    paragraphs.append(self.paragraph(block))
                    block = []
        names = [p.slot.name for p in paragraphs if p.slot]
        for name in {n for n in names if names.count(n) > 1}:
            self.problems.append(
                Problem(f"[[{name}]] 出现了不止一次", file=self.path.name, hint="每个名称只用一次")
            )
        if not any(p.kind == "body" for p in paragraphs):
            self.problems.append(Problem("模板中没有任何正文段落", file=self.path.name))
        return tuple(paragraphs)


def parse_template(text: str, path: Path, catalogue: Catalogue) -> Template:
    """Validate template text against the catalogue; TemplateError lists every problem."""
    reader = _TemplateReader(path, catalogue)
    paragraphs = reader.read(text)
    if reader.problems:
        raise TemplateError(problems=reader.problems, title="工作总结模板文件有误")
    digest = hashlib.sha256((text + catalogue.fingerprint).encode("utf-8")).hexdigest()[:16]
    return Template(path=path, fingerprint=digest, paragraphs=paragraphs, refs=reader.refs)


_TEMPLATES: dict[tuple[Path, int, str], Template] = {}


def _read(path: Path, catalogue: Catalogue) -> Template:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TemplateError(
            problems=[Problem("不是 UTF-8 编码，请用 UTF-8 保存", file=path.name)],
            title="工作总结模板文件有误",
        ) from None
    return parse_template(text, path, catalogue)


def load_template(catalogue: Catalogue, path: Path | None = None) -> Template:
    """The template at `path` (default: config.report_template_path()), re-read when it changes."""
    target = Path(path) if path else config.report_template_path()
    try:
        mtime = target.stat().st_mtime_ns
    except OSError as exc:
        raise TemplateError(
            problems=[Problem(f"找不到工作总结模板文件 {target}（{exc.strerror}）")],
            title="工作总结模板文件有误",
        ) from None
    key = (target, mtime, catalogue.fingerprint)
    if key not in _TEMPLATES:
        _TEMPLATES[key] = _read(target, catalogue)
    return _TEMPLATES[key]


# ------------------------------------------------------------------ periods


def period(
    kind: str,
    year: int,
    quarter: int = 1,
    upto: int = 12,
    first: str | None = None,
    last: str | None = None,
) -> tuple[str, str]:
    """The (first, last) months of a report period chosen on the page (PERIOD_KINDS)."""
    if kind == "上半年":
        return f"{year:04d}-01", f"{year:04d}-06"
    if kind == "下半年":
        return f"{year:04d}-07", f"{year:04d}-12"
    if kind == "全年":
        return f"{year:04d}-01", f"{year:04d}-12"
    if kind == "季度":
        return months.parse_quarter(f"{year}Q{quarter}")
    if kind == "年初以来":
        return f"{year:04d}-01", f"{year:04d}-{upto:02d}"
    if kind == "自选月份" and first and last:
        return (first, last) if first <= last else (last, first)
    raise ValueError(f"未知的期间类型“{kind}”")


def since_phrase(first: str, last: str) -> str:
    """'年初以来' for a period running from January, else the period's own name."""
    if first.endswith("-01") and first[:4] == last[:4] and first != last:
        return "年初以来"
    return months.period_label(first, last)


# ------------------------------------------------------------------ figures


@dataclass(frozen=True)
class SourceSpec:
    """Which imported cells a figure comes from, as a rule over the period's values.

    Kept instead of the cells themselves, so a report of a county's 500 villages holds a few
    dozen rules, and the cells are read from the store when someone asks where a figure came
    from (`attach_sources`). `contributing`: only the values `metrics.combine_months` uses
    (each village's latest month for a stock, …); `villages`, `months`: only those;
    `positive`: only values above 0.
    """

    area: str
    indicator: str
    contributing: bool = True
    villages: tuple[str, ...] | None = None
    months: tuple[str, ...] | None = None
    positive: bool = False

    def rows(self, values: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
        """The rows of `values` (the period's, with their sources) this rule picks."""
        return self.pick(_Rows(values, catalogue))

    def pick(self, found: _Rows) -> pd.DataFrame:
        cut = found.of(self.area, self.indicator, self.contributing)
        if self.villages is not None:
            cut = cut[cut["village"].isin(list(self.villages))]
        if self.months is not None:
            cut = cut[cut["month"].isin(list(self.months))]
        if self.positive:
            cut = cut[cut["value"] > 0]
        return cut


class _Rows:
    """A period's values split by (area, indicator), and the values combining uses of each
    (metrics.contributing), worked out once for every figure that picks from them."""

    def __init__(
        self, values: pd.DataFrame, catalogue: Catalogue, used: pd.DataFrame | None = None
    ) -> None:
        self.catalogue = catalogue
        self._all = _split(values)
        self._used = None if used is None else _split(used)
        self._values = values

    def of(self, area: str, indicator: str, contributing: bool) -> pd.DataFrame:
        if contributing and self._used is None:
            self._used = _split(metrics.contributing(self._values, self.catalogue))
        groups = self._used if contributing else self._all
        return groups.get((area, indicator), self._values.iloc[0:0])


def _split(frame: pd.DataFrame) -> dict[tuple[str, str], pd.DataFrame]:
    if frame.empty:
        return {}
    return {key: part for key, part in frame.groupby(["area", "indicator"], sort=False)}


@dataclass
class Figure:
    """One filled placeholder: its value, its text, how it was computed and its source cells.

    kind: data (from imported values), catalogue (a setting of catalogue.toml) or period (the
    chosen period and the township's name). `sources` (the cells) is None for a data figure
    until they are read (`attach_sources`); `spec` says which they are.
    """

    key: str
    label: str
    kind: str
    text: str
    value: float | None = None
    method: str = ""
    notes: list[str] = field(default_factory=list)
    origin: str = ""
    sources: pd.DataFrame | None = field(default_factory=pd.DataFrame)
    spec: SourceSpec | None = None

    def _sources(self) -> pd.DataFrame:
        if self.sources is None:
            raise RuntimeError(f"the sources of {self.key} were not read (attach_sources)")
        return self.sources

    @property
    def missing(self) -> bool:
        return self.text == MISSING

    @property
    def partial(self) -> bool:
        return bool(self.notes) and not self.missing

    def source_table(self) -> pd.DataFrame:
        """The cells behind the figure, in Chinese columns, ready for a table or a download."""
        sources = self._sources()
        if sources.empty:
            return pd.DataFrame(columns=list(SOURCE_COLUMNS.values()))
        table = sources.sort_values(["month", "village"])[list(SOURCE_COLUMNS)].copy()
        table["month"] = table["month"].map(months.label)
        table["village"] = table["village"].replace({TOWN: metrics.TOWN_LEVEL_ROW})
        return table.rename(columns=SOURCE_COLUMNS).reset_index(drop=True)

    def source_summary(self) -> str:
        """Where the figure comes from, as one line: files, versions, sheets and cell ranges."""
        if self.origin:
            return self.origin
        sources = self._sources()
        if sources.empty:
            return "无（本期没有数据）" if self.kind == "data" else ""
        keys = ["version_id", "file_name", "sheet"]
        # The cells are split once for the figure, then cut per (version, file, sheet): a
        # county figure's cells come from a file per month.
        group = sources.groupby(keys, sort=True).ngroup().to_numpy()
        firsts = np.unique(group, return_index=True)[1]
        named = sources[keys].iloc[firsts]
        split = _split_cells(sources["cell"])
        parts = []
        for number, (version, file_name, sheet) in enumerate(named.itertuples(index=False)):
            ranges = _ranges(*(part[group == number] for part in split))
            parts.append(f"{file_name}（版本 {version}）{sheet}!{ranges}")
        return "；".join(parts)

    @property
    def explanation(self) -> str:
        """Method plus coverage notes, as a sentence for the page and the .md appendix."""
        return "；".join([self.method, *self.notes]) if self.notes else self.method


def cell_ranges(cells: pd.Series) -> str:
    """['D4', 'D5', 'D6', 'F4'] → 'D4:D6、F4': consecutive rows of a column as one range."""
    return _ranges(*_split_cells(cells))


def _split_cells(cells: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(texts, whether each is a plain cell like 'D4', its column letters, its row number),
    split by vectorised string methods: a county figure can draw on 3,000 cells."""
    text = pd.Series(cells, dtype="str")
    plain = text.str.fullmatch(r"[A-Z]+[0-9]+").to_numpy(dtype=bool, na_value=False)
    columns = np.full(len(text), "", dtype=object)
    numbers = np.zeros(len(text), dtype="int64")
    found = text[plain]
    columns[plain] = found.str.rstrip(string.digits).to_numpy(dtype=object)
    numbers[plain] = found.str.lstrip(string.ascii_uppercase).astype("int64").to_numpy()
    return text.to_numpy(dtype=object), plain, columns, numbers


def _ranges(text: np.ndarray, plain: np.ndarray, columns: np.ndarray, numbers: np.ndarray) -> str:
    """The ranges of split cells (`_split_cells`), worked out per column on arrays."""
    others = sorted(set(text[~plain].tolist()))
    columns, numbers = columns[plain], numbers[plain]
    parts = []
    for column in sorted(set(columns.tolist()), key=lambda c: (len(c), c)):
        rows = np.unique(numbers[columns == column])
        breaks = np.nonzero(np.diff(rows) != 1)[0]
        starts, ends = rows[np.r_[0, breaks + 1]], rows[np.r_[breaks, len(rows) - 1]]
        parts += [
            f"{column}{a}" if a == b else f"{column}{a}:{column}{b}"
            for a, b in zip(starts.tolist(), ends.tolist(), strict=True)
        ]
    return "、".join([*parts, *others])


def _unit_text(value: float, unit: str) -> str:
    return formatting.number(value) + unit


def _gap_text(first: list[tuple[str, str]], count: int) -> str:
    """'青石村2024年3月、全镇2024年5月' — the first three (village, month) gaps, then a count."""
    named = [f"{metrics.TOWN_LEVEL_ROW if v == TOWN else v}{months.label(m)}" for v, m in first[:3]]
    more = f"等 {count} 处" if count > 3 else ""
    return "、".join(named) + more


def _month_list(month_values: list[str], last: str) -> str:
    """'6月、7月' within the period's year, full labels otherwise."""
    same_year = all(m[:4] == last[:4] for m in month_values)
    return "、".join(f"{int(m[5:])}月" if same_year else months.label(m) for m in month_values)


def _positions(column: pd.Series, names: list[str]) -> np.ndarray:
    """Each entry's position in `names` (-1 if absent): the few distinct names are looked up
    once, not each of a county's 250,000 rows (Index.get_indexer on text is per row)."""
    codes, distinct = pd.factorize(column)
    found = np.append(pd.Index(names).get_indexer(distinct), -1)
    return found[codes]


class _Filler:
    """Computes every figure of a template for one period from the tidy values."""

    def __init__(self, values: pd.DataFrame, catalogue: Catalogue, first: str, last: str) -> None:
        self.catalogue = catalogue
        self.first, self.last = first, last
        self.period_months = months.month_range(first, last)
        self.period_name = months.period_label(first, last)
        self.values = metrics.in_period(values, first, last) if not values.empty else values
        tidy = self.values[[*metrics.GROUP, "month", "value"]] if not values.empty else values
        self.combined = metrics.combine_months(tidy, catalogue)
        self.town = metrics.town_figures(self.combined, catalogue)
        self._contributing: pd.DataFrame | None = None

        self._groups: dict[int, dict[tuple[str, str], pd.DataFrame]] = {}
        # Who reported which month, as numbers: coverage notes compare a county's villages
        # against every month of the period for every figure.
        present = self.values if not values.empty else pd.DataFrame(columns=["village", "month"])
        self._villages = list(
            dict.fromkeys([*catalogue.village_names, TOWN, *present["village"].unique().tolist()])
        )
        self._position = {v: i for i, v in enumerate(self._villages)}
        self._town_code = self._position[TOWN]
        # The (area, indicator) pairs whose 全镇 row has a figure this period, found once.
        reported = self.combined
        if not reported.empty:
            reported = reported[(reported["village"] == TOWN) & reported["value"].notna()]
        self._town_reported = set(
            zip(reported["area"].tolist(), reported["indicator"].tolist(), strict=True)
        )
        self._village_codes = _positions(present["village"], self._villages)
        self._month_codes = _positions(present["month"], self.period_months)
        self._positions = (
            present.groupby(["area", "indicator"], sort=False).indices if len(present) else {}
        )

    @property
    def used(self) -> pd.DataFrame:
        """The values combining uses (metrics.contributing), worked out when sources are."""
        if self._contributing is None:
            self._contributing = metrics.contributing(self.values, self.catalogue)
        return self._contributing

    def rows(self, frame: pd.DataFrame, ind: Indicator) -> pd.DataFrame:
        """The rows of one indicator (frames are split once, not filtered per figure)."""
        if frame.empty:
            return frame
        groups = self._groups.get(id(frame))
        if groups is None:
            groups = {key: part for key, part in frame.groupby(["area", "indicator"], sort=False)}
            self._groups[id(frame)] = groups
        return groups.get((ind.area, ind.name), frame.iloc[0:0])

    def figure(self, ref: Ref) -> Figure:
        if ref.indicator is None:
            return self.fact(ref.key)
        ind = ref.indicator
        if ref.mode in ("村数", "村名"):
            return self.villages(ref, ind)
        if ref.mode == "月份":
            return self.active_months(ref, ind)
        return self.total(ref, ind)

    # -------------------------------------------------------------- indicator figures

    def total(self, ref: Ref, ind: Indicator) -> Figure:
        found = self.rows(self.town, ind)
        value = float(found["value"].iloc[0]) if not found.empty else float("nan")
        fig = Figure(key=ref.key, label=ref.label, kind="data", text=MISSING)
        if pd.isna(value):
            fig.method = f"{self.period_name}“{ind.name}”没有任何村（社区）或全镇填报的数据"
            return fig
        has_town = (ind.area, ind.name) in self._town_reported
        only_town = ind.across == "mean" and has_town
        fig.value = value
        fig.text = formatting.number(value) if ref.mode == "数值" else _unit_text(value, ind.unit)
        fig.spec = SourceSpec(ind.area, ind.name, villages=(TOWN,) if only_town else None)
        fig.method = self.method(ind, *self._used(ind, only_town), has_town=has_town)
        fig.notes = self.coverage(ind)
        return fig

    def _used(self, ind: Indicator, only_town: bool) -> tuple[np.ndarray, np.ndarray]:
        """(village, month) codes of the values a figure uses: `metrics.contributing`'s rule
        (every month of a sum, each village's latest month of a stock, its latest month of each
        year of a plan) worked out on numbers; only the 全镇 row's with `only_town`."""
        at = self._positions.get((ind.area, ind.name), np.empty(0, dtype=np.int64))
        villages, month_codes = self._village_codes[at], self._month_codes[at]
        if only_town:
            keep = villages == self._town_code
            villages, month_codes = villages[keep], month_codes[keep]
        if ind.combine == "sum" or not len(villages):
            return villages, month_codes
        key = villages.astype("int64")
        if ind.combine == "target":
            years = np.array([int(m[:4]) for m in self.period_months], dtype="int64")
            key = key * 10_000 + years[month_codes]
        latest = pd.Series(month_codes).groupby(key).max()
        first_village = pd.Series(villages).groupby(key).first()
        return first_village.to_numpy(), latest.to_numpy()

    def method(
        self, ind: Indicator, villages: np.ndarray, month_codes: np.ndarray, has_town: bool
    ) -> str:
        count = len(np.unique(villages[villages != self._town_code]))
        over_months = {
            "sum": f"{self.period_name}各月数值相加",
            "last": f"取期末最新一个月的数值（{self._latest_text(month_codes)}）",
            "target": f"年度计划数，取{self._years_text()}最新填报的计划（各月不相加）",
        }[ind.combine]
        if ind.level == "town":
            across = "只取“全镇”行（镇本级填报）"
        elif ind.across == "mean":
            across = (
                "以“全镇”行填报的比率为准"
                if has_town
                else f"取 {count} 个村（社区）的平均值（比率不相加）"
            )
        elif ind.level == "both":
            across = (
                f"{count} 个村（社区）相加，再加上“全镇”行填报的镇本级部分（只加一次，不重复计算）"
                if has_town
                else f"{count} 个村（社区）相加（“全镇”行本期未填）"
            )
        else:
            across = f"{count} 个村（社区）相加"
        return f"{over_months}，{across}；共用到 {len(villages)} 个单元格"

    def _latest_text(self, month_codes: np.ndarray) -> str:
        if not len(month_codes):
            return ""
        counts = np.bincount(month_codes, minlength=len(self.period_months))
        present = np.nonzero(counts)[0]
        if len(present) == 1:
            return months.label(self.period_months[present[0]])
        most = self.period_months[int(np.argmax(counts))]  # the earliest of equally many
        return f"多为{months.label(most)}，最早{months.label(self.period_months[present[0]])}"

    def _years_text(self) -> str:
        years = sorted({m[:4] for m in self.period_months})
        return f"{years[0]}年" if len(years) == 1 else "、".join(f"{y}年" for y in years) + "各年"

    def coverage(self, ind: Indicator) -> list[str]:
        """What is missing inside the period: whole months, villages, stale latest values."""
        at = self._positions.get((ind.area, ind.name), np.empty(0, dtype=np.int64))
        village_codes, month_codes = self._village_codes[at], self._month_codes[at]
        expected = [*(self.catalogue.village_names if ind.village_rows else [])]
        if ind.town_row and ind.area != self.catalogue.contest.sheet:
            expected.append(TOWN)
        position = self._position
        notes: list[str] = []
        months_present = set(np.unique(month_codes).tolist())
        filled = [i for i in range(len(self.period_months)) if i in months_present]
        empty_months = [m for i, m in enumerate(self.period_months) if i not in months_present]
        if empty_months and ind.combine == "sum":
            notes.append(f"{_month_list(empty_months, self.last)}没有数据")
        reported = set(np.unique(village_codes).tolist())
        absent = [v for v in expected if position[v] not in reported]
        if absent:
            names = [metrics.TOWN_LEVEL_ROW if v == TOWN else v for v in absent]
            shown = "、".join(names[:MAX_NAMES]) + (f"等 {len(names)} 个" if len(names) > 5 else "")
            notes.append(f"{shown}本期未填报")
        if ind.combine == "sum":
            rows = [position[v] for v in expected if position[v] in reported]
            have = np.zeros((len(self.period_months), len(self._villages)), dtype=bool)
            have[month_codes, village_codes] = True
            missing = np.argwhere(~have[np.ix_(filled, rows)])  # month first, then village
            if len(missing):
                first = [
                    (self._villages[rows[j]], self.period_months[filled[i]]) for i, j in missing[:3]
                ]
                notes.append(f"{_gap_text(first, len(missing))}未填报，按已填报的数相加")
        elif len(at):
            latest = pd.Series(month_codes).groupby(village_codes).max()
            stale = int((latest < len(self.period_months) - 1).sum())
            if stale:
                notes.append(
                    f"{stale} 个村（社区）最新数据早于{months.label(self.last)}，按其最新一月计"
                )
        return notes

    def villages(self, ref: Ref, ind: Indicator) -> Figure:
        combined = self.rows(self.combined, ind)
        combined = combined[(combined["village"] != TOWN) & combined["value"].notna()]
        fig = Figure(key=ref.key, label=ref.label, kind="data", text=MISSING)
        if combined.empty:
            fig.method = f"{self.period_name}“{ind.name}”没有任何村（社区）填报的数据"
            return fig
        order = {v: i for i, v in enumerate(self.catalogue.village_names)}
        active = combined[combined["value"] > 0].copy()
        active["order"] = active["village"].map(order)
        active = active.sort_values(["value", "order"], ascending=[False, True])
        names = list(active["village"])
        fig.value = float(len(names))
        if ref.mode == "村数":
            fig.text = str(len(names))
        elif not names:
            fig.text = NONE_TEXT
        elif len(names) <= MAX_NAMES:
            fig.text = "、".join(names)
        else:
            fig.text = f"{'、'.join(names[:3])}等{len(names)}个村（社区）"
        fig.spec = SourceSpec(ind.area, ind.name, villages=tuple(names))
        over = "各月相加" if ind.combine == "sum" else "期末最新值"
        fig.method = (
            f"“{ind.name}”本期数（{over}）大于 0 的村（社区）："
            + (
                "、".join(
                    f"{v}{formatting.number(x)}"
                    for v, x in zip(names, active["value"], strict=True)
                )
                or "无"
            )
            + f"；{len(combined)} 个村（社区）有数据"
        )
        fig.notes = self.coverage(ind)
        return fig

    def active_months(self, ref: Ref, ind: Indicator) -> Figure:
        at = self._positions.get((ind.area, ind.name))
        rows = self.values.iloc[at] if at is not None else self.values.iloc[0:0]
        fig = Figure(key=ref.key, label=ref.label, kind="data", text=MISSING)
        if rows.empty:
            fig.method = f"{self.period_name}“{ind.name}”没有任何数据"
            return fig
        monthly = metrics.town_monthly(rows[[*metrics.GROUP, "month", "value"]], self.catalogue)
        active = sorted(monthly[monthly["value"] > 0]["month"])
        fig.value = float(len(active))
        fig.text = _month_list(active, self.last) if active else NONE_TEXT
        fig.spec = SourceSpec(
            ind.area, ind.name, contributing=False, months=tuple(active), positive=True
        )
        fig.method = (
            "各月全镇数："
            + "、".join(
                f"{months.label(m)}{formatting.number(v)}{ind.unit}"
                for m, v in zip(monthly["month"], monthly["value"], strict=True)
            )
            + "；取其中大于 0 的月份"
        )
        fig.notes = self.coverage(ind)
        return fig

    # -------------------------------------------------------------- other facts

    def fact(self, key: str) -> Figure:
        cat = self.catalogue
        source_file = cat.path.name
        if key == "镇名":
            return Figure(
                key, key, "period", cat.township_name, origin=f"{source_file} [township] name"
            )
        if key == "期间":
            return Figure(key, key, "period", self.period_name, method="所选期间")
        if key == "年份":
            return Figure(key, key, "period", self.last[:4], method="所选期间结束月份的年份")
        if key == "时段":
            return Figure(
                key,
                key,
                "period",
                since_phrase(self.first, self.last),
                method="期间从1月开始时写“年初以来”，否则写期间名称",
            )
        if key == "村数":
            count = len(cat.village_names)
            return Figure(
                key,
                "村（社区）个数",
                "catalogue",
                str(count),
                float(count),
                method="指标目录中的村（社区）名单",
                origin=f"{source_file} [[villages]]（{count} 个）",
            )
        if key in ("红榜数", "黑榜数"):
            setting = "red_n" if key == "红榜数" else "black_n"
            n = cat.contest.red_n if key == "红榜数" else cat.contest.black_n
            return Figure(
                key,
                f"打擂{key}",
                "catalogue",
                str(n),
                float(n),
                method=f"指标目录中打擂{key[:2]}的村数",
                origin=f"{source_file} [contest] {setting} = {n}",
            )
        return self.scored_villages()

    def scored_villages(self) -> Figure:
        sheet = self.catalogue.contest.sheet
        fig = Figure("评比村数", "打擂评比村数", "data", MISSING)
        if self.values.empty:
            rows = self.values
        else:
            rows = self.values[
                (self.values["area"] == sheet) & (self.values["indicator"] == TOTAL_SCORE)
            ]
        if rows.empty:
            fig.method = f"{self.period_name}没有“{sheet}”评分数据"
            return fig
        per_month = rows.groupby("month")["village"].nunique().sort_index()
        low, high = int(per_month.min()), int(per_month.max())
        fig.value = float(high)
        fig.text = str(low) if low == high else f"{low}至{high}"
        fig.spec = SourceSpec(sheet, TOTAL_SCORE, contributing=False)
        fig.method = f"“{sheet}”表中每月有总分的村（社区）个数：" + "、".join(
            f"{months.label(m)}{n}个" for m, n in per_month.items()
        )
        empty = [m for m in self.period_months if m not in per_month.index]
        if empty:
            fig.notes = [f"{_month_list(empty, self.last)}没有评分数据"]
        return fig


# ------------------------------------------------------------------ the filled report


@dataclass(frozen=True)
class Rendered:
    """A paragraph as written out: runs of (text, figure key or '')."""

    kind: str
    runs: tuple[tuple[str, str], ...]
    slot: str = ""

    @property
    def text(self) -> str:
        return "".join(text for text, _ in self.runs)


@dataclass
class Report:
    """A filled template for one period: figures by key, paragraphs, what is missing."""

    township: str
    first: str
    last: str
    template: Template
    figures: dict[str, Figure]

    @property
    def period_name(self) -> str:
        return months.period_label(self.first, self.last)

    @property
    def title(self) -> str:
        for index, para in enumerate(self.template.paragraphs):
            if para.kind == "title":
                return self._paragraph(index, para).text
        return f"{self.township}{self.period_name}工作总结"

    @property
    def file_stem(self) -> str:
        return re.sub(r'[\\/:*?"<>|]', "", self.title)

    def counted(self) -> list[Figure]:
        """The figures that are numbers from data or settings (not the period's name)."""
        return [f for f in self.figures.values() if f.kind != "period"]

    def missing(self) -> list[Figure]:
        return [f for f in self.counted() if f.missing]

    def partial(self) -> list[Figure]:
        return [f for f in self.counted() if f.partial]

    def paragraph_figures(self, index: int) -> list[Figure]:
        """The figures of one template paragraph, in order of appearance, each once."""
        keys = dict.fromkeys(s.ref for s in self.template.paragraphs[index].segments if s.ref)
        return [self.figures[k] for k in keys if self.figures[k].kind != "period"]

    def _paragraph(self, index: int, para: TemplateParagraph) -> Rendered:
        runs = tuple(
            (self.figures[s.ref].text, s.ref) if s.ref else (s.text, "") for s in para.segments
        )
        return Rendered(para.kind, runs)

    def render(self, texts: Mapping[str, str] | None = None) -> list[Rendered]:
        """Every paragraph, figures filled and the office's words in their places."""
        texts = texts or {}
        out: list[Rendered] = []
        for index, para in enumerate(self.template.paragraphs):
            rendered = self._paragraph(index, para)
            if para.slot is None:
                out.append(rendered)
                continue
            lines = free_paragraphs(texts.get(para.slot.name, ""))
            first = lines[0] if lines else PENDING
            runs = (*rendered.runs, (first, ""))
            out.append(Rendered("body", runs, slot=para.slot.name))
            out += [Rendered("body", ((line, ""),), slot=para.slot.name) for line in lines[1:]]
        return out

    def pending(self, texts: Mapping[str, str] | None = None) -> list[str]:
        texts = texts or {}
        return [s.name for s in self.template.slots if not free_paragraphs(texts.get(s.name, ""))]

    def appendix(self, texts: Mapping[str, str] | None = None) -> list[str]:
        """Lines listing every 【未报】 figure and every unwritten free-text part."""
        lines = []
        missing = self.missing()
        if missing:
            lines.append(
                f"附：本期以下 {len(missing)} 个数字没有数据，文中显示为{MISSING}，请核实后补报或修改："
            )
            lines += [f"{i}. {f.label}" for i, f in enumerate(missing, 1)]
        pending = self.pending(texts)
        if pending:
            lines.append(f"尚未填写的文字部分：{'、'.join(pending)}（文中显示为{PENDING}）。")
        return lines

    def blocks(self, texts: Mapping[str, str] | None = None) -> list[Block]:
        """The report as documents.Block paragraphs, for government_docx."""
        blocks = [Block(r.kind, r.text) for r in self.render(texts)]
        return blocks + [Block("note", line) for line in self.appendix(texts)]

    def docx(self, texts: Mapping[str, str] | None = None) -> bytes:
        return government_docx(self.blocks(texts))

    def markdown(self, texts: Mapping[str, str] | None = None) -> str:
        """The report as Markdown, with the missing list and how every figure was computed."""
        prefix = {"title": "# ", "heading": "## ", "body": ""}
        lines = [prefix[r.kind] + r.text for r in self.render(texts)]
        appendix = self.appendix(texts)
        if appendix:
            lines += ["---", *appendix]
        lines += [
            "---",
            "## 附：数字计算说明",
            "",
            "| 数字 | 结果 | 计算方法 | 来源 |",
            "|---|---|---|---|",
        ]
        for fig in self.counted():
            cells = [fig.label, fig.text, fig.explanation, fig.source_summary()]
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        return _join_markdown(lines)

    def html(self, rendered: Rendered) -> str:
        """One paragraph as HTML for the page: figures marked, 【未报】 red, method on hover."""
        parts = []
        for text, key in rendered.runs:
            if text == PENDING and not key:
                parts.append(f'<span style="color:#b26a00;font-weight:600">{PENDING}</span>')
                continue
            if not key or self.figures[key].kind == "period":
                parts.append(html.escape(text))
                continue
            fig = self.figures[key]
            colour = "#c62828" if fig.missing else "#0b5394"
            title = html.escape(f"{fig.label}：{fig.explanation}", quote=True)
            wrap = "nowrap" if len(text) <= 10 else "normal"
            parts.append(
                f'<span title="{title}" style="color:{colour};font-weight:600;white-space:{wrap}">'
                f"{html.escape(text)}</span>"
            )
        if rendered.kind == "title":
            return f'<h3 style="text-align:center">{"".join(parts)}</h3>'
        if rendered.kind == "heading":
            return f"<h4>{''.join(parts)}</h4>"
        return f'<p style="text-indent:2em;line-height:1.9">{"".join(parts)}</p>'


def _join_markdown(lines: list[str]) -> str:
    """Paragraphs separated by blank lines; the table rows kept together."""
    out: list[str] = []
    for line in lines:
        if line.startswith("|") and out and out[-1].startswith("|"):
            out[-1] += "\n" + line
        else:
            out.append(line)
    return "\n\n".join(out) + "\n"


def free_paragraphs(text: str) -> list[str]:
    """The office's text as paragraphs: one per non-empty line, indentation stripped."""
    return [
        line.strip(" \t\u3000") for line in (text or "").splitlines() if line.strip(" \t\u3000")
    ]


SOURCE_FIELDS = ("version_id", "file_name", "sheet", "cell")


def fill(
    values: pd.DataFrame, catalogue: Catalogue, template: Template, first: str, last: str
) -> Report:
    """Fill `template` for [first, last] from tidy values; when they carry their sources
    (Store.current(with_source=True)), every figure's cells are attached as well."""
    filler = _Filler(values, catalogue, first, last)
    figures = {key: filler.figure(ref) for key, ref in template.refs.items()}
    for fig in figures.values():
        if fig.spec is not None:
            fig.sources = None
    work = Report(catalogue.township_name, first, last, template, figures)
    if all(name in values.columns for name in SOURCE_FIELDS):
        _attach(list(figures.values()), filler.values, catalogue, filler.used)
    return work


def build(
    store: Store,
    catalogue: Catalogue,
    template: Template,
    first: str,
    last: str,
    sources: bool = True,
) -> Report:
    """Read the period's current values and fill the template.

    With `sources`, the files, sheets and cells of every figure are read too (the command
    line's Markdown lists them all); the page leaves them out and reads a figure's cells only
    when they are shown (`attach_sources`).
    """
    values = store.current(areas=catalogue.sheet_names, first=first, last=last, with_source=sources)
    return fill(values, catalogue, template, first, last)


def attach_sources(
    work: Report, store: Store, catalogue: Catalogue, keys: Iterable[str] | None = None
) -> Report:
    """Read the cells behind the figures named by `keys` (default: every figure) whose cells
    were left out, from one read of the period's values of their areas and indicators."""
    wanted = None if keys is None else set(keys)
    figures = [
        fig
        for key, fig in work.figures.items()
        if (wanted is None or key in wanted) and fig.spec is not None and fig.sources is None
    ]
    if figures:
        values = store.current(
            areas=sorted({f.spec.area for f in figures if f.spec}),
            first=work.first,
            last=work.last,
            with_source=True,
            indicators=sorted({f.spec.indicator for f in figures if f.spec}),
        )
        _attach(figures, values, catalogue)
    return work


def _attach(
    figures: list[Figure],
    values: pd.DataFrame,
    catalogue: Catalogue,
    used: pd.DataFrame | None = None,
) -> None:
    found = _Rows(values, catalogue, used)
    for fig in figures:
        if fig.spec is not None:
            fig.sources = fig.spec.pick(found).reset_index(drop=True)


def saved_texts(store: Store, first: str, last: str) -> dict[str, str]:
    """The office's saved words for the period, by part name (存在不足, 下步工作重点 …)."""
    return {part: saved.body for part, saved in store.report_texts(first, last).items()}


def normalise_text(text: str) -> str:
    """Free text as stored: trailing spaces and empty lines at the ends removed."""
    return "\n".join(line.rstrip() for line in (text or "").strip().splitlines())
