"""What a workbook says beyond its cell values, for every format: the plain data a reader needs
so that a value is never silently wrong, and the number-format rule they share.

python-calamine 0.9.1 gives values, sheet visibility (`CalamineWorkbook.sheets_metadata`) and
merged ranges (`CalamineSheet.merged_cell_ranges`), but no number formats, no hidden rows or
columns, and nothing about formulas: a formula without a cached value and an error cell
(#DIV/0!) both come out as "", exactly like an empty cell. xlsx_facts.py (.xlsx/.xlsm) and
xls_facts.py (.xls) read those from the file and return one SheetFacts per sheet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

Cell = tuple[int, int]  # zero-based (row, column)
Range = tuple[int, int, int, int]  # zero-based first row, first column, last row, last column
# A cell as one int, row * KEY_COLUMNS + column: what the scans collect by the hundred thousand.
KEY_COLUMNS = 16384
BUILTIN_PERCENT_FORMATS = {9: "0%", 10: "0.00%"}


def cell_key(row: int, col: int) -> int:
    return row * KEY_COLUMNS + col


@dataclass
class SheetFacts:
    """What one sheet's file parts say beyond its values. Rows and columns are zero-based.

    Percent cells are kept as int keys (`cell_key`), the cheapest to collect for a sheet of a
    million cells; ask `is_percent(row, col)`, or `percent_cells` for positions.
    """

    hidden: bool = False  # state hidden or veryHidden
    percent: set[int] = field(default_factory=set)
    # Cells whose format shows % for some values only (a conditional "[<1]0%;0"): whether the
    # stored number is a fraction cannot be told.
    unclear_percent: set[int] = field(default_factory=set)
    hidden_rows: set[int] = field(default_factory=set)
    hidden_cols: set[int] = field(default_factory=set)
    merged: list[Range] = field(default_factory=list)
    # A formula with no cached value: calamine gives "" for it, as for an empty cell.
    uncached_formulas: set[Cell] = field(default_factory=set)
    # A formula whose cached value is empty text (=IF(A1="","",…)): shown empty, read as "".
    blank_formulas: set[Cell] = field(default_factory=set)
    # Error cells (#DIV/0!, #N/A …), with the error; calamine gives "" for them.
    error_cells: dict[Cell, str] = field(default_factory=dict)
    # Whether the fast scan gave way to the XML parser (for tests and timing notes).
    parsed: bool = False
    # .xls only: the rows and columns the sheet declares and its ROW records reach (a bound
    # checked before calamine allocates the sheet's range).
    extent_rows: int = 0
    extent_cols: int = 0

    def is_percent(self, row: int, col: int) -> bool:
        return row * KEY_COLUMNS + col in self.percent

    def is_unclear_percent(self, row: int, col: int) -> bool:
        return row * KEY_COLUMNS + col in self.unclear_percent

    @property
    def percent_cells(self) -> set[Cell]:
        return {divmod(key, KEY_COLUMNS) for key in self.percent}

    @property
    def unclear_percent_cells(self) -> set[Cell]:
        return {divmod(key, KEY_COLUMNS) for key in self.unclear_percent}


class FactsError(ValueError):
    """A part the facts come from cannot be read (the reader turns this into a located message)."""


# ---------------------------------------------------------------- number formats


def is_percent_format(code: str) -> bool | None:
    """Whether a number format shows a positive number multiplied by 100 with a % sign.

    Only the first section (positive numbers) decides: zero is zero either way and a negative
    percentage is refused anyway. A % inside quotes ("%"), escaped (\\%), repeated (*%), as
    padding (_%) or in brackets ([$%-804]) is text, not percent. With conditional sections
    ([>=1]…;…) the section used depends on the value: None when the sections disagree.
    """
    sections = _sections(code)[:3]
    flags = [has for _, has in sections]
    if any(_CONDITION.search(text) for text, _ in sections):
        return flags[0] if all(f == flags[0] for f in flags) else None
    return flags[0]


_CONDITION = re.compile(r"\[\s*[<>=]")


def _sections(code: str) -> list[tuple[str, bool]]:
    """The format's sections (split at unquoted ';'), each with whether it has a bare '%'."""
    sections: list[tuple[str, bool]] = []
    start, has_percent, i = 0, False, 0
    while i < len(code):
        ch = code[i]
        if ch in '"[':
            end = code.find('"' if ch == '"' else "]", i + 1)
            i = len(code) if end == -1 else end + 1
            continue
        if ch in "\\_*":
            i += 2
            continue
        if ch == "%":
            has_percent = True
        elif ch == ";":
            sections.append((code[start:i], has_percent))
            start, has_percent = i + 1, False
        i += 1
    sections.append((code[start:], has_percent))
    return sections


def format_verdicts(formats: list[str | None]) -> tuple[frozenset[int], frozenset[int]]:
    """Style (XF) indexes whose number format code is a percent format, and those where it is
    unclear, from each index's code (None: a format that is not a percent one)."""
    percent: set[int] = set()
    unclear: set[int] = set()
    for index, code in enumerate(formats):
        verdict = is_percent_format(code) if code else False
        if verdict:
            percent.add(index)
        elif verdict is None:
            unclear.add(index)
    return frozenset(percent), frozenset(unclear)


# ---------------------------------------------------------------- references


def column_letters(col: int) -> str:
    """Zero-based column → letters (0 → A, 26 → AA)."""
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]+)")


def parse_ref(ref: str) -> Cell:
    """A1 name → zero-based (row, column)."""
    found = _REF.fullmatch(ref)
    if not found or int(found.group(2)) == 0:
        raise FactsError(f"单元格引用“{ref}”无法识别")
    col = 0
    for ch in found.group(1).upper():
        col = col * 26 + ord(ch) - 64
    return int(found.group(2)) - 1, col - 1


def parse_range(text: str) -> Range:
    """ "A1:D2" (or "A1") → zero-based (first row, first column, last row, last column)."""
    first, _, last = text.partition(":")
    r0, c0 = parse_ref(first)
    r1, c1 = parse_ref(last) if last else (r0, c0)
    return min(r0, r1), min(c0, c1), max(r0, r1), max(c0, c1)
