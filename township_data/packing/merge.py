"""A file's slice merged into what is current, village by village (contracts.md §1), and the
values it adds, replaces, turns into 未报 or leaves as they were."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .slices import THIS_IMPORT, Slice, origins_of


def merge(
    old: Slice | None,
    new: Slice,
    columns: Sequence[str],
    replace: bool,
    origin: int = THIS_IMPORT,
) -> Slice:
    """The slice an import of `new` leaves (see `merge_counted`)."""
    return merge_counted(old, new, columns, replace, origin)[0]


def _block_counts(was: np.ndarray, now: np.ndarray, removed_elsewhere: int = 0) -> ChangeCounts:
    had, has = ~np.isnan(was), ~np.isnan(now)
    both = int(np.count_nonzero(had & has))
    # NaN on either side compares False: the equal pairs are among those holding both.
    same = int(np.count_nonzero(np.abs(was - now) < 1e-9))
    return ChangeCounts(
        int(np.count_nonzero(has)) - both,
        both - same,
        int(np.count_nonzero(had)) - both + removed_elsewhere,
        same,
    )


def merge_counted(
    old: Slice | None,
    new: Slice,
    columns: Sequence[str],
    replace: bool,
    origin: int = THIS_IMPORT,
) -> tuple[Slice, ChangeCounts]:
    """The slice an import of `new` leaves: merged by village (contracts.md §1), and what it
    changes (counted on the cells the file holds; with replace, also the values it drops).

    The villages `new` holds take its values in `columns` (the indicator columns of the sheet,
    an empty cell being that village's 未报); every other village, and every column the sheet
    does not have, keeps what `old` held. With `replace` (or nothing before) the slice is `new`
    alone. Values taken from `new` are marked `origin` in `origins`, the others keep theirs.
    """
    names = list(dict.fromkeys([*new.indicators, *columns]))
    if replace or old is None:
        values = np.full((len(names), len(new.villages)), np.nan)
        values[: len(new.indicators)] = new.values
        filled: list[list[str | None]] = [list(c) for c in (new.cells or [])]
        filled += [[None] * len(new.villages) for _ in range(len(names) - len(filled))]
        origins = np.full(values.shape, origin, dtype="int64")
        merged = _without_empty_rows(
            Slice(
                new.area,
                new.month,
                new.sheet,
                list(new.villages),
                names,
                values,
                filled,
                None,
                "",
                origins,
            )
        )
        if old is None:  # every value is new
            return merged, ChangeCounts(int(np.count_nonzero(~np.isnan(values))))
        was = _aligned(old, list(new.villages), names)
        dropped = old.value_count - int(np.count_nonzero(~np.isnan(was)))
        return merged, _block_counts(was, values, dropped)
    held = set(old.villages)
    if not any(v in held for v in new.villages) and len(set(new.villages)) == len(new.villages):
        return _appended(old, new, names, origin)
    return _merged_over(old, new, names, origin)


def _merged_over(
    old: Slice, new: Slice, names: list[str], origin: int
) -> tuple[Slice, ChangeCounts]:
    """`merge_counted` when `new` holds some village `old` holds too: old villages and
    indicators first, then the new ones (as dict.fromkeys orders them); the old matrices are
    copied as blocks, the file's cells written where it has them."""
    col_of = {v: j for j, v in enumerate(old.villages)}
    row_of = {n: i for i, n in enumerate(old.indicators)}
    villages = list(dict.fromkeys([*old.villages, *new.villages]))
    indicators = [*old.indicators, *(n for n in names if n not in row_of)]
    for j in range(len(old.villages), len(villages)):
        col_of[villages[j]] = j
    for i in range(len(old.indicators), len(indicators)):
        row_of[indicators[i]] = i
    shape = (len(indicators), len(villages))
    rows_old, cols_old = len(old.indicators), len(old.villages)
    if shape == old.values.shape:
        values = old.values.copy()
        origins = origins_of(old).copy()
    else:
        values = np.full(shape, np.nan)
        origins = np.full(shape, origin, dtype="int64")
        values[:rows_old, :cols_old] = old.values
        origins[:rows_old, :cols_old] = origins_of(old)
    widen = [None] * (len(villages) - cols_old)
    cells: list[list[str | None]] = [[*row, *widen] for row in old.cells or []]
    # (a slice stored without cells reads back with none: its rows' cells are None)
    cells += [[None] * len(villages) for _ in range(len(indicators) - len(cells))]
    covered_rows = np.array([row_of[n] for n in names], dtype=np.intp)[:, None]
    covered_cols = np.array([col_of[v] for v in new.villages], dtype=np.intp)
    block = np.full((len(names), len(new.villages)), np.nan)
    block[: len(new.indicators)] = new.values
    earlier = values[covered_rows, covered_cols]
    values[covered_rows, covered_cols] = block
    origins[covered_rows, covered_cols] = origin
    new_cells = new.cells or []
    at_cols = covered_cols.tolist()
    for k, i in enumerate(covered_rows[:, 0].tolist()):
        target = cells[i]
        if k < len(new_cells):
            for c, j in enumerate(at_cols):
                target[j] = new_cells[k][c]
        else:
            for j in at_cols:
                target[j] = None
    merged = _without_empty_rows(
        Slice(
            new.area, new.month, new.sheet, villages, indicators, values, cells, None, "", origins
        )
    )
    return merged, _block_counts(earlier, block)


def _appended(old: Slice, new: Slice, names: list[str], origin: int) -> tuple[Slice, ChangeCounts]:
    """`merge_counted` when `new` holds only villages `old` does not (a village's own file):
    each row of `old` widened by the new villages, then the rows of indicators only `new`
    has. Built as lists and made arrays once: for a column or two of new values, numpy's cost
    per call is most of what whole-array work would take. Every new cell is `origin`'s."""
    width, cols_old = len(new.villages), len(old.villages)
    new_values = new.values.tolist()
    new_cells = new.cells or []
    empty: list[float] = [math.nan] * width
    no_cells: list[str | None] = [None] * width
    covered = {n: k for k, n in enumerate(names)}
    known = set(old.indicators)
    # A column of the sheet that `new` leaves empty and `old` does not have would be a row
    # with no value: not made (as `_without_empty_rows` would drop it).
    indicators = [
        *old.indicators,
        *(n for n in names if n not in known and covered[n] < len(new_values)),
    ]
    values = old.values.tolist()
    cells: list[list[str | None]] = [list(row) for row in old.cells or []]
    # (a slice stored without cells reads back with none: its rows' cells are None)
    cells += [[None] * cols_old for _ in range(len(old.indicators) - len(cells))]
    for i, name in enumerate(old.indicators):
        k = covered.get(name)
        values[i] += new_values[k] if k is not None and k < len(new_values) else empty
        cells[i] += new_cells[k] if k is not None and k < len(new_cells) else no_cells
    for name in indicators[len(old.indicators) :]:
        k = covered[name]
        values.append([math.nan] * cols_old + (new_values[k] if k < len(new_values) else empty))
        row: list[str | None] = [None] * cols_old
        row += new_cells[k] if k < len(new_cells) else no_cells
        cells.append(row)
    shape = (len(indicators), cols_old + width)
    origins = np.full(shape, origin, dtype="int64")
    origins[: len(old.indicators), :cols_old] = origins_of(old)
    merged = _without_empty_rows(
        Slice(
            new.area,
            new.month,
            new.sheet,
            [*old.villages, *new.villages],
            indicators,
            np.array(values, dtype=np.float64).reshape(shape),
            cells,
            None,
            "",
            origins,
        )
    )
    added = sum(1 for row in new_values for x in row if x == x)
    return merged, ChangeCounts(added)


def _without_empty_rows(piece: Slice) -> Slice:
    """The slice without indicators that hold no value at all (a column left empty): a slice
    lists the indicators found, as one read from a sheet does."""
    keep = ~np.isnan(piece.values).all(axis=1)
    if keep.all():
        return piece
    rows = np.nonzero(keep)[0]
    return Slice(
        piece.area,
        piece.month,
        piece.sheet,
        piece.villages,
        [piece.indicators[i] for i in rows],
        piece.values[rows],
        [piece.cells[i] for i in rows] if piece.cells is not None else None,
        piece.version_id,
        piece.file_name,
        piece.origins[rows] if piece.origins is not None else None,
    )


@dataclass(frozen=True)
class ChangeCounts:
    """Values an import adds, replaces, turns into 未报 and leaves as they were."""

    added: int = 0
    replaced: int = 0
    removed: int = 0
    unchanged: int = 0

    @property
    def changes_anything(self) -> bool:
        return bool(self.added or self.replaced or self.removed)

    def __add__(self, other: ChangeCounts) -> ChangeCounts:
        return ChangeCounts(
            self.added + other.added,
            self.replaced + other.replaced,
            self.removed + other.removed,
            self.unchanged + other.unchanged,
        )


def _aligned(piece: Slice | None, villages: list[str], names: list[str]) -> np.ndarray:
    out = np.full((len(names), len(villages)), np.nan)
    if piece is None:
        return out
    rows = {n: i for i, n in enumerate(piece.indicators)}
    cols = {v: j for j, v in enumerate(piece.villages)}
    at_rows = [k for k, n in enumerate(names) if n in rows]
    at_cols = [k for k, v in enumerate(villages) if v in cols]
    out[np.ix_(at_rows, at_cols)] = piece.values[
        np.ix_([rows[names[k]] for k in at_rows], [cols[villages[k]] for k in at_cols])
    ]
    return out


def count_changes(old: Sequence[Slice], new: Sequence[Slice]) -> ChangeCounts:
    """What replacing the slices `old` with `new` (of the same (area, month)s) changes, value
    by value, labelled as store.compare labels them: 新增, 修改, 改为未报, 不变."""
    before = {(p.area, p.month): p for p in old}
    after = {(p.area, p.month): p for p in new}
    added = replaced = removed = unchanged = 0
    for key in {*before, *after}:
        a, b = before.get(key), after.get(key)
        if a is None or b is None:  # a new slice, or one left out: every value added/removed
            added += b.value_count if b is not None else 0
            removed += a.value_count if a is not None else 0
            continue
        villages = list(dict.fromkeys([*(a.villages if a else []), *(b.villages if b else [])]))
        names = list(dict.fromkeys([*(a.indicators if a else []), *(b.indicators if b else [])]))
        was, now = _aligned(a, villages, names), _aligned(b, villages, names)
        had, has = ~np.isnan(was), ~np.isnan(now)
        both = had & has
        same = both & (np.abs(np.where(both, was - now, 0.0)) < 1e-9)
        added += int(np.count_nonzero(has & ~had))
        removed += int(np.count_nonzero(had & ~has))
        unchanged += int(np.count_nonzero(same))
        replaced += int(np.count_nonzero(both & ~same))
    return ChangeCounts(added, replaced, removed, unchanged)
