"""What importing files does to the current data: merged by village, file after file.

One implementation for the preview and the store's write (contracts.md §1): a file changes
only the villages whose rows it holds (in the columns its sheet has); villages absent from the
file keep what they had; `replace` makes the files the whole of each (area, month) they touch
("以本表为准，表中没有的村（社区）改为未报"). Several files of one upload are applied in order,
each as its own version; two files that give one cell different values are refused before
anything is stored (`conflicts`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from . import months, packing
from .errors import Problem
from .parsed import ParsedWorkbook

Key = tuple[str, str]
_ROW = re.compile(r"\d+")


@dataclass
class FileMerge:
    """One file of a batch: the slices it touches as they were before it and after it."""

    parsed: ParsedWorkbook
    origin: int  # the provisional origin its values carry (packing.THIS_IMPORT for the first)
    before: dict[Key, packing.Slice | None]
    after: list[packing.Slice]
    counts: packing.ChangeCounts

    @property
    def changes_anything(self) -> bool:
        new_slice = any(self.before.get(s) is None for s in self.parsed.slices)
        return new_slice or self.counts.changes_anything


def provisional_origin(position: int) -> int:
    """The origin the `position`-th file of a batch (from 0) marks its values with."""
    return -(position + 1)


def merge_files(
    current: Mapping[Key, packing.Slice], files: Sequence[ParsedWorkbook], replace: bool
) -> list[FileMerge]:
    """Apply the files in order to the current slices; each file's slices before and after.

    With `replace`, the first file touching a slice replaces it and later files of the batch
    merge into that (so the batch as a whole replaces it).
    """
    state: dict[Key, packing.Slice | None] = dict(current)
    replaced: set[Key] = set()
    merges = []
    for position, parsed in enumerate(files):
        origin = provisional_origin(position)
        incoming = {(p.area, p.month): p for p in parsed.pieces}
        before = {key: state.get(key) for key in parsed.slices}
        after = []
        total = packing.ChangeCounts()
        for key in parsed.slices:
            columns = parsed.columns.get(key[0], [])
            first = replace and key not in replaced
            merged, counts = packing.merge_counted(
                state.get(key), incoming[key], columns, first, origin
            )
            replaced.add(key)
            state[key] = merged
            after.append(merged)
            total = total + counts
        merge = FileMerge(parsed, origin, before, after, total)
        if not merge.changes_anything:
            # The store writes no version for it: its cells keep the origins they had.
            state.update(before)
        merges.append(merge)
    return merges


def final_slices(merges: Sequence[FileMerge]) -> dict[Key, packing.Slice]:
    """Each touched (area, month) as the whole batch leaves it."""
    out: dict[Key, packing.Slice] = {}
    for merge in merges:
        for piece in merge.after:
            out[(piece.area, piece.month)] = piece
    return out


def conflicts(files: Sequence[ParsedWorkbook]) -> list[Problem]:
    """Cells that two files of one upload give differently (a value against another value, or
    against 未报): each named with both files and cells. Equal cells are no conflict.

    Each cell is compared with the first file that holds it. Only a row (area, month,
    village) that more than one file holds can conflict, so cells are looked at one by one
    only for such rows: sixteen villages' own files hold none.
    """
    first_row: dict[tuple[str, str, str], tuple[int, int]] = {}
    held: dict[tuple[str, str, str], dict[str, _Held]] = {}
    problems = []
    for position, parsed in enumerate(files):
        for index, row in enumerate(parsed.rows):
            key = (row[0], row[1], row[2])
            earlier = first_row.get(key)
            if earlier is None:
                first_row[key] = (position, index)
                continue
            cells = held.get(key)
            if cells is None:
                cells = held[key] = dict(_held_cells(files, *earlier))
            for name, here in _held_cells(files, position, index):
                other = cells.get(name)
                if other is None:
                    cells[name] = here
                elif not _same(other[1], here[1]):
                    problems.append(_conflict((*key, name), other, here))
    return problems


# (file position, value, file name, sheet, cell) of one cell a file holds
_Held = tuple[int, float, str, str, str]


def _held_cells(
    files: Sequence[ParsedWorkbook], position: int, index: int
) -> list[tuple[str, _Held]]:
    """Every cell of one row of one file: its sheet's indicator columns (an empty one being
    that village's 未报) and its values, with where each is."""
    parsed = files[position]
    area, _month, _village, sheet, values, cells = parsed.rows[index]
    where = dict(zip(values, cells, strict=True))
    found = _ROW.search(cells[0]) if cells else None
    row = found.group(0) if found else ""
    letters = parsed.letters.get(area, {})
    out = []
    for name in dict.fromkeys([*parsed.columns.get(area, []), *values]):
        value = values.get(name, float("nan"))
        cell = where.get(name) or (letters.get(name, "") + row if row else "")
        out.append((name, (position, value, parsed.file_name, sheet, cell)))
    return out


def _same(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) < 1e-9


def _conflict(key, first, second) -> Problem:
    area, month, village, name = key

    def said(found) -> str:
        _position, value, file, sheet, cell = found
        place = f"{sheet}!{cell}" if cell else sheet
        shown = "空（未报）" if math.isnan(value) else f"{value:g}"
        return f"“{file}”的 {place} 为 {shown}"

    return Problem(
        f"{area}·{village}{months.label(month)}“{name}”在两个文件中不一致：{said(first)}，"
        f"{said(second)}",
        file=second[2],
        sheet=second[3],
        cell=second[4],
        hint="请核实哪个文件是对的，去掉另一个文件或改正后再一起上传",
    )


def value_count(piece: packing.Slice) -> int:
    return int(np.count_nonzero(~np.isnan(piece.values)))
