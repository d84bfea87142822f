"""The same facts as facts.py for an .xls (BIFF8), read from its Workbook stream's records.

python-calamine 0.9.1 reads .xls values, sheet visibility (`sheets_metadata`) and merged ranges
(`merged_cell_ranges`), but not number formats, hidden rows or columns, and it turns error
cells and formulas with an empty-text result into "" like an empty cell. xlrd 2.0 with
`formatting_info=True` knows formats and hidden rows, but reads the whole workbook in Python
(15× calamine on a back-fill workbook, see FINDINGS.md) and does not say which cells are
formulas. So this module walks the records itself ([MS-XLS] 2.4), touching only what matters:

- globals: FORMAT (0x041E) and XF (0x00E0) → which XF indexes are percent formats; BOUNDSHEET8
  (0x0085) → each sheet's name, visibility and stream offset; FILEPASS (0x002F) → encrypted;
  RECALCID (0x01C1) → saved by an application that calculates (see `uncached_formulas`);
- each sheet: ROW (0x0208) hidden flag, COLINFO (0x007D) hidden flag, MERGEDCELLS (0x00E5),
  DIMENSIONS (0x0200), the cell records with an XF index (NUMBER, RK, MULRK, LABELSST, LABEL,
  BOOLERR, FORMULA) and STRING (0x0207) after a text formula.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable

from .facts import BUILTIN_PERCENT_FORMATS, KEY_COLUMNS, FactsError, SheetFacts, format_verdicts
from .ole import CompoundFile, OleError

BOF, EOF, CONTINUE = 0x0809, 0x000A, 0x003C
FORMAT, XF, BOUNDSHEET, FILEPASS, RECALCID = 0x041E, 0x00E0, 0x0085, 0x002F, 0x01C1
ROW, COLINFO, MERGEDCELLS, DIMENSIONS = 0x0208, 0x007D, 0x00E5, 0x0200
NUMBER, RK, MULRK, LABELSST, LABEL, BOOLERR, FORMULA, STRING = (
    0x0203,
    0x027E,
    0x00BD,
    0x00FD,
    0x0204,
    0x0205,
    0x0006,
    0x0207,
)
SHRFMLA, ARRAY, TABLE = 0x04BC, 0x0221, 0x0236
_SINGLE_CELLS = frozenset({NUMBER, RK, LABELSST, LABEL})
# Records that may stand between a FORMULA and the STRING holding its text result.
_FORMULA_COMPANIONS = frozenset({CONTINUE, SHRFMLA, ARRAY, TABLE})
_LAYOUT_RECORDS = frozenset({ROW, COLINFO, MERGEDCELLS, DIMENSIONS})
ERROR_CODES = {
    0x00: "#NULL!",
    0x07: "#DIV/0!",
    0x0F: "#VALUE!",
    0x17: "#REF!",
    0x1D: "#NAME?",
    0x24: "#NUM!",
    0x2A: "#N/A",
    0x2B: "#GETTING_DATA",
}
_HEADER = struct.Struct("<HH")
# A record's type and size, and for a cell record its row, column and XF index.
_RECORD = struct.Struct("<5H")


class EncryptedError(FactsError):
    """The workbook has an open password (FILEPASS)."""


def _unicode_string(data: bytes, offset: int, length_bytes: int = 2) -> str:
    """An XLUnicodeString (2-byte length) or ShortXLUnicodeString (1-byte length)."""
    if length_bytes == 2:
        (count,) = struct.unpack_from("<H", data, offset)
    else:
        count = data[offset]
    flags = data[offset + length_bytes]
    start = offset + length_bytes + 1
    if flags & 0x01:
        return data[start : start + 2 * count].decode("utf-16-le", "replace")
    return data[start : start + count].decode("latin-1")


class _Globals:
    """What the globals substream says: formats, sheets, encryption, calculation."""

    def __init__(self, stream: bytes) -> None:
        self.formats: dict[int, str] = {}
        self.xf_formats: list[int] = []
        self.sheets: list[tuple[str, int, bool]] = []  # name, offset, hidden
        self.encrypted = False
        self.recalc = False
        pos, end = 0, len(stream)
        if end < 8 or _HEADER.unpack_from(stream, 0)[0] != BOF:
            raise FactsError("Workbook 流不以 BOF 开头")
        (version,) = struct.unpack_from("<H", stream, 4)
        if version != 0x0600:
            raise FactsError(f"不是 BIFF8 工作簿（版本 {version:#06x}）")
        while pos + 4 <= end:
            kind, size = _HEADER.unpack_from(stream, pos)
            body = pos + 4
            if kind == EOF:
                break
            if kind == FORMAT:
                (number,) = struct.unpack_from("<H", stream, body)
                self.formats[number] = _unicode_string(stream[body : body + size], 2)
            elif kind == XF:
                self.xf_formats.append(struct.unpack_from("<H", stream, body + 2)[0])
            elif kind == BOUNDSHEET:
                offset, state, sheet_type = struct.unpack_from("<IBB", stream, body)
                if sheet_type == 0:  # a worksheet (not a chart, macro or VB module sheet)
                    name = _unicode_string(stream[body : body + size], 6, length_bytes=1)
                    self.sheets.append((name, offset, (state & 0x03) != 0))
            elif kind == FILEPASS:
                self.encrypted = True
            elif kind == RECALCID:
                self.recalc = True
            pos = body + size

    def percent_xfs(self) -> tuple[frozenset[int], frozenset[int]]:
        return format_verdicts(
            [self.formats.get(n, BUILTIN_PERCENT_FORMATS.get(n)) for n in self.xf_formats]
        )


def _formula_result(stream: bytes, body: int) -> tuple[str, int]:
    """The cached result's kind ('number', 'text', 'bool', 'error', 'empty') and error code."""
    if stream[body + 12 : body + 14] != b"\xff\xff":
        return "number", 0
    kind = stream[body + 6]
    return {0: "text", 1: "bool", 2: "error", 3: "empty"}.get(kind, "number"), stream[body + 8]


def _formula_cell(
    facts: SheetFacts, stream: bytes, body: int, row: int, col: int, calculated: bool
) -> bool:
    """A FORMULA's cached result: an error or an empty result is noted here; True when the
    result is text, which the next STRING record holds."""
    result, code = _formula_result(stream, body)
    if result == "error":
        facts.error_cells[(row, col)] = ERROR_CODES.get(code, f"#ERR{code}")
    elif result == "empty":
        _blank_formula(facts, row, col, calculated)
    return result == "text"


def _scan_sheet(
    stream: bytes,
    offset: int,
    percent: frozenset[int],
    unclear: frozenset[int],
    calculated: bool,
) -> SheetFacts:
    """One worksheet substream, from its BOF to the matching EOF (embedded charts skipped).

    The loop reads each record's header and, for a cell, its row, column and XF in one unpack:
    a back-fill sheet is tens of thousands of records, so the common case does nothing more.
    """
    facts = SheetFacts()
    styled = percent | unclear
    low_bytes = {xf & 0xFF for xf in styled}
    styled_lows = bytes(1 if b in low_bytes else 0 for b in range(256))
    hidden_cols: list[tuple[int, int]] = []
    last_col: int | None = None
    end = len(stream)
    if offset + 4 > end or _HEADER.unpack_from(stream, offset)[0] != BOF:
        raise FactsError("工作表位置无效")
    padded = stream + bytes(16)  # a record shorter than a cell's header still unpacks
    unpack = _RECORD.unpack_from
    pos, depth = offset, 0
    pending_text: tuple[int, int] | None = None  # a formula whose text result follows
    while pos + 4 <= end:
        kind, size, row, col, xf = unpack(padded, pos)
        body = pos + 4
        pos = body + size
        if kind in _SINGLE_CELLS:
            if xf in styled and depth == 1:
                (facts.percent if xf in percent else facts.unclear_percent).add(
                    row * KEY_COLUMNS + col
                )
            if pending_text is None:
                continue
        if pos > end:
            raise FactsError("工作表记录被截断")
        if kind == BOF:
            depth += 1
            continue
        if kind == EOF:
            depth -= 1
            if depth == 0:
                break
            continue
        if depth != 1:
            continue
        if kind == MULRK:
            if styled:
                _mulrk(facts, stream[body:pos], styled_lows, percent, unclear)
        elif kind == FORMULA:
            if xf in styled:
                (facts.percent if xf in percent else facts.unclear_percent).add(
                    row * KEY_COLUMNS + col
                )
            if _formula_cell(facts, stream, body, row, col, calculated):
                pending_text = (row, col)
                continue
        elif kind == STRING and pending_text is not None:
            if size < 2 or struct.unpack_from("<H", stream, body)[0] == 0:
                _blank_formula(facts, *pending_text, calculated)
        elif kind == BOOLERR:
            value, is_error = stream[body + 6], stream[body + 7]
            if is_error:
                facts.error_cells[(row, col)] = ERROR_CODES.get(value, f"#ERR{value}")
        elif kind in _LAYOUT_RECORDS:
            found = _layout_record(facts, kind, stream, body, size, row, col, hidden_cols)
            if found is not None:
                last_col = found
        if kind not in _FORMULA_COMPANIONS:
            if pending_text is not None and kind != STRING:
                # A text result must be followed by its STRING record; without one the
                # formula has no cached value ([MS-XLS] 2.4.127).
                facts.uncached_formulas.add(pending_text)
            pending_text = None
    limit = last_col if last_col is not None else 255
    for first, last in hidden_cols:
        facts.hidden_cols.update(range(first, min(last, limit) + 1))
    return facts


def _layout_record(
    facts: SheetFacts,
    kind: int,
    stream: bytes,
    body: int,
    size: int,
    row: int,
    col: int,
    hidden_cols: list[tuple[int, int]],
) -> int | None:
    """A record of the sheet's layout (a row, a column range, merged cells, the used range):
    hidden rows and columns, merges and the extent. `row` and `col` are the record's first two
    fields as the cell header unpacked them. Returns DIMENSIONS' last column, else None."""
    if kind == ROW:
        if struct.unpack_from("<H", stream, body + 12)[0] & 0x20:
            facts.hidden_rows.add(row)
        facts.extent_rows = max(facts.extent_rows, row + 1)
        facts.extent_cols = max(facts.extent_cols, struct.unpack_from("<H", stream, body + 4)[0])
    elif kind == COLINFO:
        if struct.unpack_from("<H", stream, body + 8)[0] & 0x01:
            hidden_cols.append((row, col))  # colFirst, colLast
    elif kind == MERGEDCELLS:
        (count,) = struct.unpack_from("<H", stream, body)
        for i in range(min(count, (size - 2) // 8)):
            r0, r1, c0, c1 = struct.unpack_from("<4H", stream, body + 2 + 8 * i)
            facts.merged.append((r0, c0, r1, c1))
    elif kind == DIMENSIONS and size >= 12:
        last_col = max(struct.unpack_from("<H", stream, body + 10)[0] - 1, 0)
        facts.extent_rows = max(facts.extent_rows, struct.unpack_from("<I", stream, body + 4)[0])
        facts.extent_cols = max(facts.extent_cols, last_col + 1)
        return last_col
    return None


def _mulrk(
    facts: SheetFacts,
    record: bytes,
    styled_lows: bytes,
    percent: frozenset[int],
    unclear: frozenset[int],
) -> None:
    """A MULRK's cells (row, first column, then an XF and an RK number per cell). The XFs'
    low and high bytes are every sixth byte, picked out by slicing; a translation table marks
    the low bytes of styled XFs, so only those cells are looked at."""
    row, first = struct.unpack_from("<HH", record, 0)
    low = record[4:-2:6]
    marked = low.translate(styled_lows)
    index = marked.find(1)
    if index == -1:
        return
    high = record[5:-2:6]
    while index != -1:
        xf = low[index] | high[index] << 8
        if xf in percent:
            facts.percent.add(row * KEY_COLUMNS + first + index)
        elif xf in unclear:
            facts.unclear_percent.add(row * KEY_COLUMNS + first + index)
        index = marked.find(1, index + 1)


def _blank_formula(facts: SheetFacts, row: int, col: int, calculated: bool) -> None:
    """A formula whose cached result is empty text. Excel and WPS write a RECALCID record and
    the calculated result; a writer that does not calculate (xlwt) writes empty text for
    every formula and no RECALCID, so there the cell has no real cached value."""
    if calculated:
        facts.blank_formulas.add((row, col))
    else:
        facts.uncached_formulas.add((row, col))


def workbook_stream(data: bytes) -> bytes:
    """The BIFF8 Workbook stream of an .xls file."""
    try:
        return CompoundFile(data).read("Workbook")
    except KeyError:
        raise FactsError("复合文件中没有 Workbook 流（不是 Excel 97-2003 工作簿）") from None
    except OleError as exc:
        raise FactsError(str(exc)) from None


def scan_xls(data: bytes, sheets: Iterable[str] | None = None) -> dict[str, SheetFacts]:
    """The facts of these worksheets (all when None), by name, from an .xls (BIFF8) file.

    Raises EncryptedError for a workbook with an open password, FactsError when the file
    cannot be read as BIFF8.
    """
    stream = workbook_stream(data)
    try:
        book = _Globals(stream)
    except struct.error as exc:
        raise FactsError(f"Workbook 流损坏：{exc}") from None
    if book.encrypted:
        raise EncryptedError("工作簿设置了打开密码")
    percent, unclear = book.percent_xfs()
    wanted = None if sheets is None else set(sheets)
    found: dict[str, SheetFacts] = {}
    for name, offset, hidden in book.sheets:
        if wanted is not None and name not in wanted:
            continue
        try:
            facts = _scan_sheet(stream, offset, percent, unclear, book.recalc)
        except struct.error as exc:
            raise FactsError(f"工作表“{name}”记录损坏：{exc}") from None
        facts.hidden = hidden
        found[name] = facts
    return found
