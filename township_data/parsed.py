"""What a valid workbook holds: the reader's output and the store's input.

Kept apart from both, so the store needs nothing of the reader and the reader nothing of the
store.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from .packing import SheetRow, Slice, rows_of

if TYPE_CHECKING:
    from .events import Event

COLUMNS = ["area", "indicator", "village", "month", "value", "file", "sheet", "cell"]


def to_frame(records: Iterable[tuple]) -> pd.DataFrame:
    """Records → the tidy value table with stable dtypes (value float, the rest text)."""
    frame = pd.DataFrame.from_records(list(records), columns=COLUMNS)
    frame["value"] = frame["value"].astype("float64")
    return frame


@dataclass
class ParsedWorkbook:
    """What a valid workbook holds, ready to be stored as one version.

    `pieces` is what the reader produced: the file's values per (area, month) as the store
    packs them, before merging. `rows` (one per (area, month, village) row with values) and
    `values`, the tidy long table the pages and previews compare, are built from them on first
    use, so storing a workbook builds neither.
    """

    file_name: str
    sha256: str
    pieces: list[Slice] = field(compare=False)
    slices: list[tuple[str, str]]
    ignored_sheets: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Per area, the indicator columns its sheet has: an import changes exactly these columns
    # of the villages the file holds (an empty cell there is that village's 未报).
    columns: dict[str, list[str]] = field(default_factory=dict)
    # Per area, each indicator column's letter (to name an empty cell of a row).
    letters: dict[str, dict[str, str]] = field(default_factory=dict)
    # Things the clerk should check before confirming (never blocking): e.g. a % column whose
    # values all look like fractions.
    warnings: list[str] = field(default_factory=list)
    # The 大事记 of the workbook's 大事记 sheet (workbook/events.py), kept with the import.
    events: list[Event] = field(default_factory=list)
    # Where each row with values went, (index in `pieces`, village index), in sheet order.
    order: list[tuple[int, int]] = field(default_factory=list, repr=False, compare=False)
    _values: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    _rows: list[SheetRow] | None = field(default=None, repr=False, compare=False)

    @property
    def rows(self) -> list[SheetRow]:
        """(area, month, village, sheet, {indicator: value}, [cell]) per row with values, in
        the order of the file's sheets and rows."""
        if self._rows is None:
            self._rows = rows_of(self.pieces, self.order, self.columns)
        return self._rows

    @property
    def values(self) -> pd.DataFrame:
        """The tidy table (COLUMNS): one row per value, with its file, sheet and cell."""
        if self._values is None:
            self._values = to_frame(self.value_rows())
        return self._values

    @property
    def value_count(self) -> int:
        return sum(piece.value_count for piece in self.pieces)

    def value_rows(self) -> list[tuple]:
        """(area, indicator, village, month, value, file, sheet, cell) per value."""
        file = self.file_name
        return [
            (area, name, village, month, value, file, sheet, cell)
            for area, month, village, sheet, values, cells in self.rows
            for (name, value), cell in zip(values.items(), cells, strict=True)
        ]

    def villages(self, area: str, month: str) -> list[str]:
        """The villages (and 全镇) whose rows of one slice the file holds, in sheet order."""
        return next(
            (list(p.villages) for p in self.pieces if (p.area, p.month) == (area, month)), []
        )

    @property
    def areas(self) -> list[str]:
        return sorted({a for a, _ in self.slices})

    @property
    def months(self) -> list[str]:
        return sorted({m for _, m in self.slices})
