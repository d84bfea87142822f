"""How the store packs a sheet's values: one stored row per (version, area, month) slice.

A slice holds the villages of its sheet rows (in sheet order), the indicators found (in column
order) and their values as one matrix, indicators × villages, with NaN where a cell was 未报 (a
missing value is never 0), each value's cell and, for a slice merged by village, the version
each value came from. Stored as text on SQLite and PostgreSQL alike (`stored`).

slices (the Slice, from the reader's rows, the kept totals), stored (text in and out), merge
(a file merged by village into a slice, and what it changes), frames (the tidy long table and
the wide 打擂 table the pages work with).
"""

from __future__ import annotations

from .frames import SOURCES, VALUES, long_frame, wide_frame
from .merge import ChangeCounts, count_changes, merge, merge_counted
from .slices import (
    THIS_IMPORT,
    TOTALS_COLUMNS,
    TOTALS_KEY,
    SheetRow,
    Slice,
    from_rows,
    origins_of,
    rows_of,
    totals,
)
from .stored import (
    decode,
    decode_names,
    decode_origins,
    decode_values,
    encode,
    encode_origins,
    encode_values,
)

__all__ = [
    "SOURCES",
    "THIS_IMPORT",
    "TOTALS_COLUMNS",
    "TOTALS_KEY",
    "VALUES",
    "ChangeCounts",
    "SheetRow",
    "Slice",
    "count_changes",
    "decode",
    "decode_names",
    "decode_origins",
    "decode_values",
    "encode",
    "encode_origins",
    "encode_values",
    "from_rows",
    "long_frame",
    "merge",
    "merge_counted",
    "origins_of",
    "rows_of",
    "totals",
    "wide_frame",
]
