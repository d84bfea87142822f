"""A sheet's data rows read column by column, straight into the slices the store keeps.

`SheetReader` decides row by row which rows hold data (village known, month known, no
duplicate); this module reads their cells a column at a time. A column of plain numbers
within the indicator's bounds is checked as a whole; every other cell (text, a unit, a percent
format, a number out of bounds, a value in a row that may not have one) goes through the same
per-cell rules as ever, so each message and cell stays as it was. Problems come back with
their row and column, for the reader to list them in sheet order.

A back-fill holds tens of thousands of values: reading them a column at a time instead of a
cell at a time, and handing the store matrices instead of per-row dicts, is most of what an
import of one costs.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..catalogue import TOWN
from ..packing import Slice

# (value or None, message or None) of one cell through every rule (SheetReader._parse).
CellParser = Callable[[int, int, object, tuple], tuple[float | None, str | None]]
# (data row j, column k, cell, message, hint)
CellProblem = tuple[int, int, str, str, str]
_EXACT = 2**53  # integers up to this convert to float exactly
# Below this many data rows a sheet's cells are read one by one (see `read_columns`).
SMALL = 24


@dataclass
class DataRows:
    """The rows to read values from, in sheet order."""

    index: list[int] = field(default_factory=list)  # 0-based sheet row
    villages: list[str] = field(default_factory=list)
    months: list[str] = field(default_factory=list)
    cells: list[list[object]] = field(default_factory=list)  # the rows as calamine gave them

    def add(self, r: int, village: str, month: str, row: list[object]) -> None:
        self.index.append(r)
        self.villages.append(village)
        self.months.append(month)
        self.cells.append(row)


@dataclass
class ColumnValues:
    """Per indicator column, per data row: the value stored (NaN: none) and its cell."""

    values: np.ndarray  # float64, columns × rows
    cells: list[list[str | None]]
    problems: list[CellProblem]


def read_columns(specs: Sequence[tuple], rows: DataRows, parse: CellParser) -> ColumnValues:
    """Every indicator column of the data rows (specs as SheetReader._setup_columns makes).

    A village's own file has a row or two per sheet: checking a column as a whole costs more
    than it saves below `SMALL` rows, so those are read a cell at a time, by the same rules.
    """
    if len(rows.index) < SMALL:
        return _read_cells(specs, rows, parse)
    n = len(rows.index)
    numbers = [str(r + 1) for r in rows.index]
    town = np.array([v == TOWN for v in rows.villages], dtype=bool)
    values = np.full((len(specs), n), np.nan)
    cells: list[list[str | None]] = []
    problems: list[CellProblem] = []
    for k, spec in enumerate(specs):
        column = values[k]
        _read_column(spec, rows, parse, column, k, problems)
        _apply_row_rules(spec, rows, town, numbers, column, k, problems)
        present = ~np.isnan(column)
        letter = spec[2]
        if present.all():
            cells.append([letter + s for s in numbers])
        else:
            cells.append(
                [letter + s if p else None for s, p in zip(numbers, present.tolist(), strict=True)]
            )
    return ColumnValues(values, cells, problems)


def _read_column(
    spec: tuple,
    rows: DataRows,
    parse: CellParser,
    column: np.ndarray,
    k: int,
    problems: list[CellProblem],
) -> None:
    """Fill `column` with the values of one indicator column; problems of its cells."""
    col, letter, name, whole, low, high, plain = (
        spec[0],
        spec[2],
        spec[3],
        spec[4],
        spec[5],
        spec[6],
        spec[11],
    )
    raws: list[Any] = [row[col] if col < len(row) else "" for row in rows.cells]
    kinds = list(map(type, raws))
    kindset = set(kinds)
    numeric: list[int] = []
    others: list[int] = []
    if int in kindset and any(
        t is int and abs(x) > _EXACT for t, x in zip(kinds, raws, strict=True)
    ):
        # beyond a float's exact integers: the cell rules (an empty cell is still 未报)
        others = [j for j, t in enumerate(kinds) if not (t is str and raws[j] == "")]
    elif kindset <= {float, int}:
        numeric = list(range(len(raws)))
    else:
        numeric = [j for j, t in enumerate(kinds) if t is float or t is int]
        # an empty cell is 未报 and needs no rule
        others = [
            j
            for j, t in enumerate(kinds)
            if not (t is float or t is int or (t is str and raws[j] == ""))
        ]
    slow = others
    if numeric and plain:
        try:
            found = np.array([raws[j] for j in numeric], dtype=np.float64)
        except (OverflowError, ValueError, TypeError):  # an int beyond float: the cell rules say
            slow = sorted(numeric + others)
        else:
            ok = np.isfinite(found)
            if whole:
                ok &= found == np.floor(np.where(ok, found, 0.0))
            if low is not None:
                ok &= found >= low
            if high is not None:
                ok &= found <= high
            where = np.asarray(numeric)
            column[where[ok]] = found[ok]
            if not ok.all():
                slow = sorted(where[~ok].tolist() + others)
    elif numeric:
        slow = sorted(numeric + others)
    for j in slow:
        r = rows.index[j]
        value, message = parse(r, col, raws[j], spec)
        if message:
            problems.append((j, k, f"{letter}{r + 1}", f"{name}：{message}", ""))
        elif value is not None:
            column[j] = value


def _read_cells(specs: Sequence[tuple], rows: DataRows, parse: CellParser) -> ColumnValues:
    """`read_columns` for a few rows: each cell on its own, a plain number in bounds at once."""
    n = len(rows.index)
    numbers = [str(r + 1) for r in rows.index]
    towns = [village == TOWN for village in rows.villages]
    grid: list[list[float]] = []
    cells: list[list[str | None]] = []
    problems: list[CellProblem] = []
    for k, spec in enumerate(specs):
        col, _ind, letter, name, whole, low, high, town_row, village_rows, _u, _f, plain = spec
        column = [math.nan] * n
        where: list[str | None] = [None] * n
        for j, row in enumerate(rows.cells):
            raw: Any = row[col] if col < len(row) else ""
            if type(raw) is str and raw == "":
                continue
            value = plain_number(raw, whole, low, high) if plain else None
            if value is None:
                parsed, message = parse(rows.index[j], col, raw, spec)
                if message:
                    problems.append((j, k, letter + numbers[j], f"{name}：{message}", ""))
                    continue
                if parsed is None:
                    continue
                value = parsed
            town = towns[j]
            if not (town_row if town else village_rows):
                problems.append((j, k, letter + numbers[j], *barred_reason(town, name)))
                continue
            column[j] = value
            where[j] = letter + numbers[j]
        grid.append(column)
        cells.append(where)
    return ColumnValues(np.array(grid, dtype=np.float64).reshape(len(specs), n), cells, problems)


def plain_number(raw: Any, whole: bool, low: float | None, high: float | None) -> float | None:
    """The value of a cell that needs no rule: a finite number (an integer within a float's
    exact range), whole where the unit is whole, within the catalogue's bounds. None for any
    other cell: the cell rules decide (a column with no unit factor and no percent cell)."""
    kind = type(raw)
    if (
        (kind is float or (kind is int and abs(raw) <= _EXACT))
        and math.isfinite(raw)
        and (not whole or float(raw).is_integer())
        and (low is None or raw >= low)
        and (high is None or raw <= high)
    ):
        return float(raw)
    return None


def barred_reason(town: bool, name: str) -> tuple[str, str]:
    """(message, hint) of a figure in a row of the kind the catalogue keeps it out of."""
    if town:
        return f"“{name}”按村（社区）填报，全镇行请留空", "全镇合计由各村数据自动相加"
    return f"“{name}”只在“全镇”行填报，村（社区）行请留空", ""


def _apply_row_rules(
    spec: tuple,
    rows: DataRows,
    town: np.ndarray,
    numbers: list[str],
    column: np.ndarray,
    k: int,
    problems: list[CellProblem],
) -> None:
    """A figure the catalogue keeps only for villages (or only for 全镇) in the other kind of
    row: an error naming the cell, and nothing stored."""
    letter, name, town_row, village_rows = spec[2], spec[3], spec[7], spec[8]
    if town_row and village_rows:
        return
    barred = np.zeros(len(town), dtype=bool)
    if not town_row:
        barred |= town
    if not village_rows:
        barred |= ~town
    for j in np.flatnonzero(barred & ~np.isnan(column)).tolist():
        problems.append((j, k, letter + numbers[j], *barred_reason(bool(town[j]), name)))
        column[j] = np.nan


def pieces_by_month(
    area: str, sheet: str, names: list[str], rows: DataRows, read: ColumnValues
) -> tuple[list[Slice], list[tuple[int, int]]]:
    """The slices of one sheet, as `packing.from_rows` groups the reader's rows, and where each
    row with values went: (slice, village) in sheet order.

    Months in order of first appearance, villages in sheet order, indicators in the order the
    rows first name them (the first row holding each, then column order).
    """
    if len(rows.index) < SMALL:
        return _few_pieces(area, sheet, names, rows, read)
    has = ~np.isnan(read.values).all(axis=0)
    groups: dict[str, list[int]] = {}
    for j in np.flatnonzero(has).tolist():
        groups.setdefault(rows.months[j], []).append(j)
    number = {month: i for i, month in enumerate(groups)}
    seen = dict.fromkeys(groups, 0)
    order = []
    for j in np.flatnonzero(has).tolist():
        month = rows.months[j]
        order.append((number[month], seen[month]))
        seen[month] += 1
    pieces = []
    for month, js in groups.items():
        contiguous = js[-1] - js[0] + 1 == len(js)
        block = read.values[:, js[0] : js[-1] + 1] if contiguous else read.values[:, js]
        present = ~np.isnan(block)
        held = np.flatnonzero(present.any(axis=1))
        first = present[held].argmax(axis=1)
        ks = [int(k) for _, k in sorted(zip(first.tolist(), held.tolist(), strict=True))]
        if contiguous:
            cells = [read.cells[k][js[0] : js[-1] + 1] for k in ks]
        else:
            cells = [[read.cells[k][j] for j in js] for k in ks]
        pieces.append(
            Slice(
                area,
                month,
                sheet,
                [rows.villages[j] for j in js],
                [names[k] for k in ks],
                block[ks],
                cells,
            )
        )
    return pieces, order


def _few_pieces(
    area: str, sheet: str, names: list[str], rows: DataRows, read: ColumnValues
) -> tuple[list[Slice], list[tuple[int, int]]]:
    """`pieces_by_month` for a few rows, without whole-array work."""
    columns = read.values.tolist()
    groups: dict[str, list[int]] = {}
    order = []
    for j, month in enumerate(rows.months):
        if any(column[j] == column[j] for column in columns):
            members = groups.get(month)
            if members is None:
                members = groups[month] = []
            order.append((list(groups).index(month), len(members)))
            members.append(j)
    pieces = []
    for month, js in groups.items():
        if len(js) == 1:  # one row (a village's own file): its filled columns in order
            j = js[0]
            ks = [k for k, column in enumerate(columns) if column[j] == column[j]]
            values = np.array([columns[k][j] for k in ks], dtype=np.float64).reshape(len(ks), 1)
            cells = [[read.cells[k][j]] for k in ks]
        else:
            ks = []
            for j in js:
                ks += [
                    k for k, column in enumerate(columns) if column[j] == column[j] and k not in ks
                ]
            values = np.array([[columns[k][j] for j in js] for k in ks], dtype=np.float64).reshape(
                len(ks), len(js)
            )
            cells = [[read.cells[k][j] for j in js] for k in ks]
        pieces.append(
            Slice(
                area,
                month,
                sheet,
                [rows.villages[j] for j in js],
                [names[k] for k in ks],
                values,
                cells,
            )
        )
    return pieces, order


def column_values(read: ColumnValues, k: int) -> list[float]:
    """The values of one column, in sheet order (what a warning about the column looks at)."""
    return [x for x in read.values[k].tolist() if x == x]
