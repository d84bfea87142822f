"""How the store packs a sheet's values: one stored row per (version, area, month) slice.

A slice holds the villages of its sheet rows (in sheet order), the indicators found (in column
order) and their values as one matrix, indicators × villages, with NaN where a cell was 未报 (a
missing value is never 0). Stored as text on SQLite and PostgreSQL alike:

- `villages`, `indicators`: JSON arrays of names;
- `data`: the matrix as little-endian float64, base64 (exact: a float reads back bit for bit);
- `cells`: a JSON array per indicator of each value's cell (D7 …), null where there is none.

A county month of 500 villages is then nine stored rows instead of 45,000, an import writes a
few hundred rows instead of 90,000, and reading an area's ten years decodes 120 arrays with
numpy instead of parsing a million numbers one by one. The pages still work on the tidy long
table (one row per value), which `long_frame` unpacks; `wide_frame` gives one row per
(month, village) for the 打擂 score table.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np
import pandas as pd

from .catalogue import TOWN

# (area, month, village, sheet, {indicator: value}, [cell of each value]), as the reader makes.
SheetRow = tuple[str, str, str, str, dict[str, float], list[str]]

VALUES = ["area", "indicator", "village", "month", "value"]
# The kept monthly totals' key and columns (store table monthly_totals, metrics.monthly_totals).
TOTALS_KEY = ["area", "month", "indicator"]
TOTALS_COLUMNS = [*TOTALS_KEY, "village_sum", "village_count", "town_value", "slice_villages"]
SOURCES = ["version_id", "file_name", "sheet", "cell"]
_FLOAT = np.dtype("<f8")
_INT = np.dtype("<i8")
# Origins of values not yet stored: the k-th file of a batch marks its values -(k + 1), and
# `encode` numbers them with the versions the store gives the files.
THIS_IMPORT = -1
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


@dataclass
class Slice:
    """One (area, month) of one version: villages × indicators of values and their cells."""

    area: str
    month: str
    sheet: str
    villages: list[str]
    indicators: list[str]
    values: np.ndarray  # float64, shape (len(indicators), len(villages)), NaN = 未报
    cells: list[list[str | None]] | None = None  # per indicator, per village
    version_id: int | None = None
    file_name: str = ""
    # Per value, the version it came from (int64, shaped like `values`); None: all from
    # `version_id`. THIS_IMPORT marks the values of an import not yet numbered.
    origins: np.ndarray | None = None

    @property
    def value_count(self) -> int:
        return int(np.count_nonzero(~np.isnan(self.values)))

    def rows(self) -> dict[str, dict[str, float]]:
        """village → {indicator: value} of the values present (for comparing and tests)."""
        out: dict[str, dict[str, float]] = {}
        for j, village in enumerate(self.villages):
            column = self.values[:, j]
            out[village] = {
                name: float(x)
                for name, x in zip(self.indicators, column.tolist(), strict=True)
                if x == x
            }
        return out


def from_rows(rows: Iterable[SheetRow]) -> list[Slice]:
    """The reader's rows grouped into slices, in order of first appearance.

    Villages keep their sheet order; indicators the order in which the rows name them (each
    row's values come in column order).
    """
    grouped: dict[tuple[str, str], list[SheetRow]] = {}
    for row in rows:
        grouped.setdefault((row[0], row[1]), []).append(row)
    slices = []
    for (area, month), members in grouped.items():
        found = [r[4] for r in members]
        names = list(dict.fromkeys(chain.from_iterable(found)))
        if all(len(f) == len(names) for f in found) and all(list(f) == names for f in found):
            # Every row holds every indicator, in the same order: transpose as a whole.
            values = np.array([list(f.values()) for f in found], dtype="float64").T
            cells = [list(c) for c in zip(*(r[5] for r in members), strict=True)]
        else:
            index = {name: i for i, name in enumerate(names)}
            grid: list[list[float]] = [[np.nan] * len(members) for _ in names]
            cells = [[None] * len(members) for _ in names]
            for j, (row, where) in enumerate(zip(found, (r[5] for r in members), strict=True)):
                for (name, value), cell in zip(row.items(), where, strict=True):
                    grid[index[name]][j] = value
                    cells[index[name]][j] = cell
            values = np.array(grid, dtype="float64").reshape(len(names), len(members))
        slices.append(
            Slice(area, month, members[0][3], [r[2] for r in members], names, values, cells)
        )
    return slices


def encode_values(values: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(values, dtype=_FLOAT).tobytes()).decode("ascii")


def decode_values(text: str, indicators: int, villages: int) -> np.ndarray:
    values = np.frombuffer(base64.b64decode(text), dtype=_FLOAT)
    if values.size != indicators * villages:
        raise ValueError("stored values do not match the stored names")
    return values.reshape(indicators, villages).astype("float64")


def encode_origins(
    origins: np.ndarray | None, version_id: int, numbers: dict[int, int] | None = None
) -> str | None:
    """Each value's version as stored: None when every value is `version_id`'s own, else the
    matrix with the batch's provisional origins (negative) replaced by their versions
    (`numbers`; THIS_IMPORT becomes `version_id` when it is not named there)."""
    if origins is None:
        return None
    numbered = origins.copy()
    for provisional, real in {THIS_IMPORT: version_id, **(numbers or {})}.items():
        numbered[origins == provisional] = real
    if bool((numbered == version_id).all()):
        return None
    return base64.b64encode(np.ascontiguousarray(numbered, dtype=_INT).tobytes()).decode("ascii")


def decode_origins(text: str | None, indicators: int, villages: int) -> np.ndarray | None:
    if not text:
        return None
    origins = np.frombuffer(base64.b64decode(text), dtype=_INT)
    if origins.size != indicators * villages:
        raise ValueError("stored origins do not match the stored names")
    return origins.reshape(indicators, villages).astype("int64")


def encode(
    piece: Slice, version_id: int = 0, numbers: dict[int, int] | None = None
) -> dict[str, str | None]:
    """The stored text columns of a slice (origins numbered as `encode_origins` does)."""
    return {
        "sheet": piece.sheet,
        "villages": _ENCODER.encode(piece.villages),
        "indicators": _ENCODER.encode(piece.indicators),
        "data": encode_values(piece.values),
        "cells": _ENCODER.encode(piece.cells if piece.cells is not None else []),
        "origins": encode_origins(piece.origins, version_id, numbers),
    }


def origins_of(piece: Slice) -> np.ndarray:
    """Each value's version: the stored origins, else the slice's own version everywhere."""
    if piece.origins is not None:
        return piece.origins
    return np.full(piece.values.shape, piece.version_id or 0, dtype="int64")


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
    both = had & has
    same = both & (np.abs(np.where(both, was - now, 0.0)) < 1e-9)
    return ChangeCounts(
        int(np.count_nonzero(has & ~had)),
        int(np.count_nonzero(both & ~same)),
        int(np.count_nonzero(had & ~has)) + removed_elsewhere,
        int(np.count_nonzero(same)),
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
        cells = [list(c) for c in (new.cells or [])]
        cells += [[None] * len(new.villages) for _ in range(len(names) - len(cells))]
        origins = np.full(values.shape, origin, dtype="int64")
        merged = _without_empty_rows(
            Slice(
                new.area,
                new.month,
                new.sheet,
                list(new.villages),
                names,
                values,
                cells,
                None,
                "",
                origins,
            )
        )
        if old is None:
            return merged, _block_counts(np.full(values.shape, np.nan), values)
        was = _aligned(old, list(new.villages), names)
        dropped = old.value_count - int(np.count_nonzero(~np.isnan(was)))
        return merged, _block_counts(was, values, dropped)
    villages = list(dict.fromkeys([*old.villages, *new.villages]))
    indicators = list(dict.fromkeys([*old.indicators, *names]))
    shape = (len(indicators), len(villages))
    values = np.full(shape, np.nan)
    origins = np.full(shape, origin, dtype="int64")
    cells: list[list[str | None]] = [[None] * len(villages) for _ in indicators]
    rows_old, cols_old = len(old.indicators), len(old.villages)
    values[:rows_old, :cols_old] = old.values
    origins[:rows_old, :cols_old] = origins_of(old)
    for i, row in enumerate(old.cells or []):
        cells[i][:cols_old] = row
    row_of = {n: i for i, n in enumerate(indicators)}
    col_of = {v: j for j, v in enumerate(villages)}
    covered_rows = [row_of[n] for n in names]
    covered_cols = [col_of[v] for v in new.villages]
    block = np.full((len(names), len(new.villages)), np.nan)
    block[: len(new.indicators)] = new.values
    was = values[np.ix_(covered_rows, covered_cols)]
    values[np.ix_(covered_rows, covered_cols)] = block
    origins[np.ix_(covered_rows, covered_cols)] = origin
    new_cells = new.cells or []
    for k, i in enumerate(covered_rows):
        row = new_cells[k] if k < len(new_cells) else [None] * len(new.villages)
        for c, j in enumerate(covered_cols):
            cells[i][j] = row[c]
    merged = _without_empty_rows(
        Slice(
            new.area, new.month, new.sheet, villages, indicators, values, cells, None, "", origins
        )
    )
    return merged, _block_counts(was, block)


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


def decode_names(texts: Sequence[str]) -> list[list[str]]:
    """Many JSON arrays at once, each distinct text parsed once: the slices of a sheet list
    the same villages month after month, and those slices then share one list."""
    distinct = list(dict.fromkeys(texts))
    parsed = json.loads("[" + ",".join(distinct) + "]") if distinct else []
    lists = dict(zip(distinct, parsed, strict=True))
    return [lists[t] for t in texts]


def decode(rows: Sequence, cells: bool = False) -> list[Slice]:
    """Stored rows (area, month, villages, indicators, data [, sheet, cells, version_id,
    file_name]) as slices; cells only when asked for."""
    villages = decode_names([r.villages for r in rows])
    names = decode_names([r.indicators for r in rows])
    found = json.loads("[" + ",".join(r.cells for r in rows) + "]") if cells else [None] * len(rows)
    out = []
    for row, v, n, c in zip(rows, villages, names, found, strict=True):
        mapping = row._mapping
        out.append(
            Slice(
                row.area,
                row.month,
                mapping.get("sheet", ""),
                v,
                n,
                decode_values(row.data, len(n), len(v)),
                c,
                mapping.get("version_id"),
                mapping.get("file_name", ""),
                decode_origins(mapping.get("origins"), len(n), len(v)),
            )
        )
    return out


def _text(codes: np.ndarray, names: Sequence[str]) -> pd.api.extensions.ExtensionArray:
    """A text column of pandas' default string dtype: each distinct name converted once, then
    taken by position (names repeat thousands of times in an unpacked table)."""
    return pd.array(np.asarray(list(names), dtype=object), dtype="str").take(codes)


class _Codes:
    """Positions of names in one growing list of distinct names; a list shared by several
    slices (decode_names) is looked up once."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self._seen: dict[int, tuple[list[str], np.ndarray]] = {}

    def __call__(self, names: list[str]) -> np.ndarray:
        found = self._seen.get(id(names))
        if found is not None and found[0] is names:
            return found[1]
        index = self.index
        codes = np.fromiter(
            (index.setdefault(n, len(index)) for n in names), dtype=np.int64, count=len(names)
        )
        self._seen[id(names)] = (names, codes)
        return codes

    @property
    def names(self) -> list[str]:
        return list(self.index)


def long_frame(
    slices: Sequence[Slice],
    indicators: Iterable[str] | None = None,
    sources: bool = False,
    cells: bool = False,
) -> pd.DataFrame:
    """The tidy table of the slices' values: area, indicator, village, month, value, one row
    per value present, slice by slice, indicator by indicator, village by village.

    `sources` adds version_id, file_name, sheet and cell; `cells` adds sheet and cell.
    """
    columns = [*VALUES, *(SOURCES if sources else ["sheet", "cell"] if cells else [])]
    wanted = None if indicators is None else set(indicators)
    village_codes, name_codes = _Codes(), _Codes()
    parts = []
    for s, piece in enumerate(slices):
        rows = [i for i, n in enumerate(piece.indicators) if wanted is None or n in wanted]
        if not rows or not piece.villages:
            continue
        values = piece.values[rows]
        present = ~np.isnan(values)
        count = int(present.sum())
        if not count:
            continue
        villages = village_codes(piece.villages)
        names = name_codes(piece.indicators)[rows]
        pick = np.nonzero(present)
        part = {
            "slice": np.full(count, s, dtype=np.int64),
            "indicator": names[pick[0]],
            "village": villages[pick[1]],
            "value": values[pick],
        }
        if sources or cells:
            grid = np.empty(piece.values.shape, dtype=object)
            if piece.cells:
                grid[:] = piece.cells
            part["cell"] = grid[rows][pick]
        if sources:
            part["version"] = origins_of(piece)[rows][pick]
        parts.append(part)
    if not parts:
        frame = pd.DataFrame({c: pd.Series(dtype="str") for c in columns})
        frame["value"] = frame["value"].astype("float64")
        if sources:
            frame["version_id"] = frame["version_id"].astype("int64")
        return frame
    joined = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
    at = joined["slice"]
    areas, area_codes = _slice_codes([p.area for p in slices])
    months, month_codes = _slice_codes([p.month for p in slices])
    data: dict[str, object] = {
        "area": _text(area_codes[at], areas),
        "indicator": _text(joined["indicator"], name_codes.names),
        "village": _text(joined["village"], village_codes.names),
        "month": _text(month_codes[at], months),
        "value": joined["value"],
    }
    if sources:
        # A merged slice's values came from several versions: each value's own (the store
        # names each version's file and sheet afterwards, see StoreReads._name_sources).
        data["version_id"] = joined["version"].astype("int64")
        files, file_codes = _slice_codes([p.file_name for p in slices])
        data["file_name"] = _text(file_codes[at], files)
    if sources or cells:
        sheets, sheet_codes = _slice_codes([p.sheet for p in slices])
        data["sheet"] = _text(sheet_codes[at], sheets)
        data["cell"] = pd.array(joined["cell"], dtype="str")
    return pd.DataFrame(data)[columns]


def _slice_codes(names: list[str]) -> tuple[list[str], np.ndarray]:
    """(distinct names, each name's position among them)."""
    codes = _Codes()
    found = codes(names)
    return codes.names, found


def wide_frame(slices: Sequence[Slice], columns: Sequence[str]) -> pd.DataFrame:
    """month, village, then one float column per name of `columns` (NaN = 未报): one row per
    stored (month, village), the shape of the 打擂 score table."""
    village_codes = _Codes()
    blocks, villages = [], []
    for piece in slices:
        index = {n: i for i, n in enumerate(piece.indicators)}
        block = np.full((len(piece.villages), len(columns)), np.nan)
        for k, name in enumerate(columns):
            if name in index:
                block[:, k] = piece.values[index[name]]
        blocks.append(block)
        villages.append(village_codes(piece.villages))
    matrix = np.concatenate(blocks) if blocks else np.empty((0, len(columns)))
    month_names, month_codes = _slice_codes([p.month for p in slices])
    sizes = [len(p.villages) for p in slices]
    frame = pd.DataFrame(
        {
            "month": _text(np.repeat(month_codes, sizes), month_names),
            "village": _text(
                np.concatenate(villages) if villages else np.empty(0, dtype=np.int64),
                village_codes.names,
            ),
        }
    )
    for k, name in enumerate(columns):
        frame[name] = matrix[:, k]
    return frame


def totals(slices: Iterable[Slice]) -> list[tuple]:
    """metrics.monthly_totals of the slices, as tuples in TOTALS_COLUMNS order (area, month,
    indicator, village_sum, village_count, town_value, slice_villages): kept by the store in
    the same transaction as the values, computed from the matrices without unpacking them."""
    out = []
    for piece in slices:
        town = [j for j, v in enumerate(piece.villages) if v == TOWN]
        rest = [j for j, v in enumerate(piece.villages) if v != TOWN]
        villages = piece.values[:, rest]
        counts = np.count_nonzero(~np.isnan(villages), axis=1)
        sums = np.nansum(villages, axis=1)
        town_values = piece.values[:, town[0]] if town else np.full(len(piece.indicators), np.nan)
        for i, name in enumerate(piece.indicators):
            count, town_value = int(counts[i]), float(town_values[i])
            if not count and town_value != town_value:
                continue
            out.append(
                (
                    piece.area,
                    piece.month,
                    name,
                    float(sums[i]) if count else None,
                    count,
                    town_value if town_value == town_value else None,
                    len(rest),
                )
            )
    return sorted(out, key=lambda r: r[:3])


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
