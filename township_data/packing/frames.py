"""The tables the pages work with, unpacked from slices: one row per value (long), or one
row per (month, village) (wide, the 打擂 score table)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from .slices import Slice, origins_of

VALUES = ["area", "indicator", "village", "month", "value"]


SOURCES = ["version_id", "file_name", "sheet", "cell"]


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
