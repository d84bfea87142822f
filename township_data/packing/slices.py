"""The packed slice: one (area, month) of one version, built from the reader's rows, with the
monthly totals the store keeps beside it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain, pairwise

import numpy as np

from ..catalogue import TOWN

# (area, month, village, sheet, {indicator: value}, [cell of each value]), as the reader makes.
SheetRow = tuple[str, str, str, str, dict[str, float], list[str]]


# The kept monthly totals' key and columns (store table monthly_totals, metrics.monthly_totals).
TOTALS_KEY = ["area", "month", "indicator"]


TOTALS_COLUMNS = [*TOTALS_KEY, "village_sum", "village_count", "town_value", "slice_villages"]


# Origins of values not yet stored: the k-th file of a batch marks its values -(k + 1), and
# `encode` numbers them with the versions the store gives the files.
THIS_IMPORT = -1


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
            for j, (figures, where) in enumerate(zip(found, (r[5] for r in members), strict=True)):
                for (name, value), cell in zip(figures.items(), where, strict=True):
                    grid[index[name]][j] = value
                    cells[index[name]][j] = cell
            values = np.array(grid, dtype="float64").reshape(len(names), len(members))
        slices.append(
            Slice(area, month, members[0][3], [r[2] for r in members], names, values, cells)
        )
    return slices


def rows_of(
    pieces: Sequence[Slice], order: Iterable[tuple[int, int]], columns: Mapping[str, list[str]]
) -> list[SheetRow]:
    """The reader's rows of `pieces`, the inverse of `from_rows`: one per (slice, village) of
    `order`, its values and cells in the order of its sheet's `columns`."""
    prepared = []
    ranks: dict[str, dict[str, int]] = {}
    for piece in pieces:
        rank = ranks.get(piece.area)
        if rank is None:
            rank = ranks[piece.area] = {n: i for i, n in enumerate(columns.get(piece.area, []))}
        places = [rank.get(name, len(rank)) for name in piece.indicators]
        if all(a <= b for a, b in pairwise(places)):
            # already in column order (as the reader makes them): no reordering
            prepared.append((piece.indicators, piece.values.T.tolist(), piece.cells))
            continue
        ranked = sorted(range(len(piece.indicators)), key=lambda i: (places[i], i))
        names = [piece.indicators[i] for i in ranked]
        per_village = piece.values[ranked].T.tolist()
        cells = [piece.cells[i] for i in ranked] if piece.cells is not None else None
        prepared.append((names, per_village, cells))
    out: list[SheetRow] = []
    for p, v in order:
        piece = pieces[p]
        names, per_village, cells = prepared[p]
        values: dict[str, float] = {}
        where: list[str] = []
        for i, (name, x) in enumerate(zip(names, per_village[v], strict=True)):
            if x == x:
                values[name] = x
                where.append((cells[i][v] or "") if cells is not None else "")
        out.append((piece.area, piece.month, piece.villages[v], piece.sheet, values, where))
    return out


def origins_of(piece: Slice) -> np.ndarray:
    """Each value's version: the stored origins, else the slice's own version everywhere."""
    if piece.origins is not None:
        return piece.origins
    return np.full(piece.values.shape, piece.version_id or 0, dtype="int64")


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
