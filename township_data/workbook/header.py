"""A sheet's header as offices write it: one to three rows, merged group labels, units.

The header block starts at the first row (within the first ten) holding a 村（社区） cell. It
reaches down over the rows that cell is merged across, or over the following rows that carry
only labels (no number, no village). A column's indicator is named by the lowest non-empty
label of the column; the labels above it (group labels, merged across the columns they head)
may complete it ("危房改造" over "已完成" → 危房改造已完成), and a lowest label that is only a
unit (户, （万元）) is that column's unit. A unit in a header that differs from the catalogue's
converts when the factor is certain (units.py) and is an error otherwise: never a silent change
of magnitude.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal

from ..catalogue import Catalogue, Indicator, norm
from ..errors import Problem
from . import units
from .cells import cell_name

VILLAGE_HEADERS = {
    norm(h) for h in ("村（社区）", "村(居)", "村（居）", "村名", "单位", "村（社区）名称", "村居")
}
MONTH_HEADERS = {norm(h) for h in ("月份", "月", "填报月份", "统计月份")}
IGNORED_HEADERS = {norm(h) for h in ("序号", "备注", "说明")}
HEADER_SEARCH_ROWS = 10
MAX_HEADER_ROWS = 3

Range = tuple[int, int, int, int]  # first row, first column, last row, last column (0-based)


@dataclass(frozen=True)
class Column:
    """One indicator column: its position, its indicator, and the factor from the header's
    unit to the catalogue's (1 when they agree)."""

    col: int
    indicator: Indicator
    unit: str  # the unit the header states (the catalogue's when it states none)
    factor: Decimal = Decimal(1)


@dataclass
class Header:
    """Where the header is, and what each column holds."""

    first: int  # the row of the 村（社区） cell
    last: int  # the last header row; data starts below it
    village_col: int
    month_col: int | None = None
    columns: list[Column] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    conversions: list[str] = field(default_factory=list)
    # Shared by every header mapped the same way (read_header's cache): what readers derive
    # from the columns alone is kept here once (SheetReader._setup_columns).
    memo: dict[object, object] = field(default_factory=dict, repr=False, compare=False)


def merged_fill(rows: list[list[object]], merged: list[Range], top: int, bottom: int) -> None:
    """Write a merged range's value into every cell it covers, for rows top..bottom: what the
    clerk sees in each of them (labels of a header, a village name merged down)."""
    for r0, c0, r1, c1 in merged:
        if r1 < top or r0 > bottom or r0 >= len(rows):
            continue
        source = rows[r0]
        value = source[c0] if c0 < len(source) else ""
        if value == "":
            continue
        for r in range(max(r0, top), min(r1, bottom, len(rows) - 1) + 1):
            row = rows[r]
            if len(row) <= c1:
                row.extend([""] * (c1 + 1 - len(row)))
            for c in range(c0, c1 + 1):
                if row[c] == "":
                    row[c] = value


def find_header(rows: list[list[object]], merged: list[Range]) -> tuple[int, int, int] | None:
    """(first header row, last header row, village column), or None without a 村（社区） cell."""
    for r, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        for c, cell in enumerate(row):
            if cell != "" and norm(cell) in VILLAGE_HEADERS:
                return r, _header_bottom(rows, merged, r, c), c
    return None


def _header_bottom(rows: list[list[object]], merged: list[Range], first: int, col: int) -> int:
    for r0, c0, r1, c1 in merged:
        if r0 == first and c0 <= col <= c1 and r1 > r0:
            return min(r1, first + MAX_HEADER_ROWS - 1)
    last = first
    while last + 1 < len(rows) and last + 1 < first + MAX_HEADER_ROWS:
        row = rows[last + 1]
        village = row[col] if col < len(row) else ""
        labels = [c for c in row if c != ""]
        if norm(village) or not labels or any(not isinstance(c, str) for c in labels):
            break
        last += 1
    return last


# A lowest label that only says what is counted, under a group label naming the indicator:
# 危房改造 over 户数（户）.
GENERIC = {
    norm(w) for w in ("户数", "人数", "个数", "数量", "次数", "处数", "起数", "金额", "总数")
}


def column_candidates(labels: list[str]) -> list[tuple[str, str | None]]:
    """(name, unit) readings of a column's labels (top to bottom, non-empty), likeliest first:
    the lowest label; the label above with the lowest as its unit (户, （万元）, or a generic
    户数（户）); the labels joined."""
    lowest = labels[-1]
    found: list[tuple[str, str | None]] = [(lowest, None)]
    bare = lowest.strip("()（）")
    generic, unit = units.split_header(lowest)
    if len(labels) > 1 and units.is_unit(bare):
        found.append((labels[-2], bare))
    elif len(labels) > 1 and norm(generic) in GENERIC:
        found.append((labels[-2], unit))
    for start in range(len(labels) - 2, -1, -1):
        found.append(("".join(labels[start:]), None))
    return found


def match(catalogue: Catalogue, area: str, text: str) -> tuple[Indicator | None, str | None]:
    """The indicator a header text names and the unit it states (None: states none).

    A name or alias as written (some names hold brackets: 危房改造（其中脱贫户）) wins; else a
    trailing bracket is the unit: 临时救助金额（万元） → (临时救助金额, 万元).
    """
    found = catalogue.column_named(area, text)
    if found is not None:
        return found, None
    name, unit = units.split_header(text)
    if unit is not None:
        found = catalogue.column_named(area, name)
        if found is not None:
            return found, unit
    return None, None


# Header mappings already made, by catalogue and labels: the 16 files of a month that villages
# send carry the same headers (the template's), mapped once.
_MAPPED: dict[tuple, Header] = {}
_MAPPED_LIMIT = 256


def read_header(
    rows: list[list[object]],
    first: int,
    last: int,
    village_col: int,
    catalogue: Catalogue,
    area: str,
    where: dict[str, str],
) -> Header:
    """Map every column of the header block; every unknown, repeated or mismatched header is
    a located problem."""
    labels = _labels(rows, first, last)
    key = (catalogue.fingerprint, str(catalogue.path), area, first, last, village_col, labels)
    mapped = _MAPPED.get(key)
    if mapped is None:
        mapped = _map_columns(labels, first, last, village_col, catalogue, area)
        if len(_MAPPED) >= _MAPPED_LIMIT:
            _MAPPED.clear()
        _MAPPED[key] = mapped
    header = Header(
        first,
        last,
        village_col,
        mapped.month_col,
        list(mapped.columns),
        [replace(p, **where) for p in mapped.problems],
        list(mapped.conversions),
        mapped.memo,
    )
    for col, found in enumerate(labels):
        if col != village_col and not found and _has_data_below(rows, last, col):
            header.problems.append(
                Problem(
                    "该列有数据但没有表头",
                    hint="请填写指标名称，或删除该列",
                    cell=cell_name(last, col),
                    **where,
                )
            )
    return header


def _labels(rows: list[list[object]], first: int, last: int) -> tuple[tuple[str, ...], ...]:
    """Per column, its non-empty labels top to bottom (a one-row header read in one pass)."""
    if first == last:
        return tuple((text,) if (text := str(cell).strip()) else () for cell in rows[first])
    width = max((len(rows[r]) for r in range(first, last + 1)), default=0)
    return tuple(
        tuple(
            str(rows[r][col]).strip()
            for r in range(first, last + 1)
            if col < len(rows[r]) and str(rows[r][col]).strip()
        )
        for col in range(width)
    )


def _map_columns(
    labels: tuple[tuple[str, ...], ...],
    first: int,
    last: int,
    village_col: int,
    catalogue: Catalogue,
    area: str,
) -> Header:
    """The columns the labels name (problems located by cell only)."""
    header = Header(first, last, village_col)
    seen: dict[str, str] = {}
    for col, found in enumerate(labels):
        if col == village_col or not found:
            continue
        keys = {norm(label) for label in found}
        if keys & MONTH_HEADERS and header.month_col is None:
            header.month_col = col
            continue
        if keys & IGNORED_HEADERS or keys & VILLAGE_HEADERS:
            continue
        _map_column(header, catalogue, area, col, list(found), cell_name(last, col), seen, {})
    if not header.columns and not header.problems:
        header.problems.append(
            Problem(
                "表头行中没有任何已知指标列",
                hint="请对照模板填写指标名称",
                cell=cell_name(first, village_col),
            )
        )
    return header


def _map_column(
    header: Header,
    catalogue: Catalogue,
    area: str,
    col: int,
    labels: list[str],
    cell: str,
    seen: dict[str, str],
    where: dict[str, str],
) -> None:
    ind, unit = _first_match(catalogue, area, labels)
    if ind is None:
        guess = catalogue.suggest_column(area, labels[-1])
        header.problems.append(
            Problem(
                f"未知的指标列“{'／'.join(labels)}”",
                hint=f"是否应为“{guess}”？" if guess else f"请对照模板中“{area}”的指标名称",
                cell=cell,
                **where,
            )
        )
        return
    if ind.name in seen:
        header.problems.append(
            Problem(
                f"指标“{ind.name}”的列重复（另见 {seen[ind.name]}）",
                hint="请删除重复的列",
                cell=cell,
                **where,
            )
        )
        return
    own = "分" if ind.kind == "score" else ind.unit
    factor = units.convert(unit, own) if unit else Decimal(1)
    if factor is None:
        header.problems.append(
            Problem(
                f"表头单位“{unit}”与指标“{ind.name}”的单位“{own}”不同，无法换算",
                hint=f"请把该列换算为{own}后填写，表头写“{ind.name}（{own}）”",
                cell=cell,
                **where,
            )
        )
        return
    seen[ind.name] = cell
    header.columns.append(Column(col, ind, unit or own, factor))
    if factor != 1:
        header.conversions.append(
            f"{cell}“{ind.name}”表头单位为“{unit}”，已按 1 {unit} = {_plain(factor)} {own} "
            f"换算为{own}"
        )


def _first_match(
    catalogue: Catalogue, area: str, labels: list[str]
) -> tuple[Indicator | None, str | None]:
    """The first reading of a column's labels that names an indicator, with its unit."""
    for name, stated in column_candidates(labels):
        ind, unit = match(catalogue, area, name)
        if ind is not None:
            return ind, stated or unit
    return None, None


def _plain(factor: Decimal) -> str:
    text = format(factor.normalize(), "f")
    return f"{int(text):,}" if "." not in text else text


def _has_data_below(rows: list[list[object]], last: int, col: int) -> bool:
    return any(norm(row[col]) for row in rows[last + 1 :] if col < len(row))
