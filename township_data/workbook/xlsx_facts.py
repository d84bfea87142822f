"""The facts of an .xlsx/.xlsm (see facts.py) from its XML, one sheet part at a time in 1 MB
blocks, searching each block only for what it can hold:

- percent cells: the style indexes of `xl/styles.xml` whose number format is a percent one
  (numFmtId 9, 10, or a code with a bare %), and every `<c r="…" s="N">` with such an N. numpy
  finds every ` s="` of the block at once and reads the style number and the cell reference
  before it, so a sheet of a million styled cells costs a few milliseconds per megabyte, and
  nothing at all when no style is a percent one;
- formulas (`<f>` with no `<v>` or an empty one), error cells (`t="e"`), hidden rows
  (`<row hidden="1">`) and merged ranges, with a regular expression, only in a block that has
  `<f`, `t="e"`, `hidden="1"` or `<mergeCell` at all, each checked against a plain count;
- hidden columns (`<col hidden="1">`) and the used range from the part before `<sheetData>`;
- hidden sheets from workbook.xml (`state="hidden|veryHidden"`).

A sheet written in another way than Excel, WPS, LibreOffice and openpyxl write it (prefixed
tags, a cell without `r`, `s` before `r`, single quotes, a tab or line break before an
attribute) is read again with the XML parser, which is slower but assumes nothing. Assumed: an
attribute is written `name="value"` after one space, as every XML serializer writes it.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import IO, TypeVar
from xml.etree import ElementTree

import numpy as np

from .facts import (
    BUILTIN_PERCENT_FORMATS,
    KEY_COLUMNS,
    FactsError,
    SheetFacts,
    cell_key,
    format_verdicts,
    parse_range,
    parse_ref,
)

_T = TypeVar("_T")
BLOCK_BYTES = 1 << 20
# A block is cut after its last </row>; more than this without one goes to the parser.
MAX_PENDING_BYTES = 16 << 20
LAST_COLUMN = 16383  # XFD, where a hidden column span without a <dimension> is cut

# ---------------------------------------------------------------- workbook parts


@dataclass(frozen=True)
class _SheetPart:
    name: str
    entry: str
    hidden: bool


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _attr(elem: ElementTree.Element, name: str) -> str | None:
    """An attribute by local name, whatever its namespace (r:id, relationships:id …)."""
    value = elem.get(name)
    if value is not None:
        return value
    return next((v for k, v in elem.attrib.items() if _local(k) == name), None)


def _parse_part(archive: zipfile.ZipFile, entry: str) -> ElementTree.Element:
    try:
        with archive.open(entry) as stream:
            return ElementTree.parse(stream).getroot()
    except (KeyError, ElementTree.ParseError, zipfile.BadZipFile, OSError, EOFError) as exc:
        raise FactsError(f"{entry}: {exc}") from None


def _relationships(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id → (type, archive entry) of a part, resolved against the part's folder."""
    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", name + ".rels")
    if rels not in archive.NameToInfo:
        return {}
    found: dict[str, tuple[str, str]] = {}
    for rel in _parse_part(archive, rels):
        rel_id, target = rel.get("Id"), rel.get("Target")
        if not rel_id or not target or rel.get("TargetMode") == "External":
            continue
        path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
        found[rel_id] = (rel.get("Type", ""), posixpath.normpath(path))
    return found


# Parts already read, by their bytes: the files of a month that villages send share the
# template's workbook and styles parts, parsed once. Small and bounded.
_KEPT_PARTS: dict[tuple, object] = {}
_KEPT_LIMIT = 64


def _kept(key: tuple, compute: Callable[[], _T]) -> _T:
    found = _KEPT_PARTS.get(key)
    if found is None:
        found = compute()
        if len(_KEPT_PARTS) >= _KEPT_LIMIT:
            _KEPT_PARTS.clear()
        _KEPT_PARTS[key] = found
    return found  # type: ignore[return-value]


def _part_bytes(archive: zipfile.ZipFile, entry: str) -> bytes | None:
    if entry not in archive.NameToInfo:
        return None
    try:
        return archive.read(entry)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise FactsError(f"{entry}: {exc}") from None


def _book_parts(archive: zipfile.ZipFile) -> tuple[list[_SheetPart], str | None]:
    """The sheets in workbook order, and the styles part (None when there is none)."""
    key = (
        "book",
        _part_bytes(archive, "xl/workbook.xml"),
        _part_bytes(archive, "xl/_rels/workbook.xml.rels"),
        "xl/styles.xml" in archive.NameToInfo,
    )
    sheets, styles = _kept(key, lambda: _read_book_parts(archive))
    return list(sheets), styles


def _read_book_parts(archive: zipfile.ZipFile) -> tuple[list[_SheetPart], str | None]:
    book = "xl/workbook.xml"
    rels = _relationships(archive, book)
    sheets: list[_SheetPart] = []
    for elem in _parse_part(archive, book).iter():
        if _local(elem.tag) != "sheet":
            continue
        rel_id, name = _attr(elem, "id"), elem.get("name")
        if rel_id in rels and name is not None:
            state = elem.get("state", "visible")
            sheets.append(_SheetPart(name, rels[rel_id][1], state in ("hidden", "veryHidden")))
    styles = next((entry for kind, entry in rels.values() if kind.endswith("/styles")), None)
    if styles is None and "xl/styles.xml" in archive.NameToInfo:
        styles = "xl/styles.xml"
    return sheets, styles


def percent_styles(
    archive: zipfile.ZipFile, styles: str | None
) -> tuple[frozenset[int], frozenset[int]]:
    """The cellXfs indexes (a cell's s="N") whose number format is a percent format, and
    those where it is unclear (conditional sections that disagree)."""
    if styles is None or styles not in archive.NameToInfo:
        return frozenset(), frozenset()
    key = ("styles", _part_bytes(archive, styles))
    return _kept(key, lambda: _percent_styles(archive, styles))


def _percent_styles(archive: zipfile.ZipFile, styles: str) -> tuple[frozenset[int], frozenset[int]]:
    root = _parse_part(archive, styles)
    codes = {
        int(fmt.get("numFmtId", "")): fmt.get("formatCode", "")
        for fmt in root.iter()
        if _local(fmt.tag) == "numFmt" and (fmt.get("numFmtId") or "").isdigit()
    }
    cell_xfs = next((e for e in root if _local(e.tag) == "cellXfs"), None)
    formats: list[str | None] = []
    for xf in cell_xfs if cell_xfs is not None else ():
        if _local(xf.tag) == "xf":
            number = xf.get("numFmtId", "0")
            fmt_id = int(number) if number.isdigit() else 0
            formats.append(codes.get(fmt_id, BUILTIN_PERCENT_FORMATS.get(fmt_id)))
    return format_verdicts(formats)


# ---------------------------------------------------------------- the fast scan

_REF_BYTES = rb"[A-Z]{1,3}[1-9][0-9]*"
_FORMULA_CELL = re.compile(
    rb'<c r="(' + _REF_BYTES + rb')"([^>]*)>\s*<f(?:\s[^>]*)?(?:/>|>[^<]*</f>)\s*'
    rb"(<v>([^<]*)</v>|<v/>)?"
)
_ERROR_CELL = re.compile(
    rb'<c r="(' + _REF_BYTES + rb')"[^>]*? t="e"[^>]*>\s*'
    rb"(?:<f(?:\s[^>]*)?(?:/>|>[^<]*</f>)\s*)?<v>([^<]*)</v>"
)
_HIDDEN_ROW = re.compile(rb'<row r="([1-9][0-9]*)"[^>]*? hidden="(?:1|true)"')
_HIDDEN_LITERALS = (b' hidden="1"', b' hidden="true"')
_COL = re.compile(rb"<col\s([^>]*)>")
_MERGE = re.compile(rb'<mergeCell ref="([A-Z]{1,3}[0-9]+(?::[A-Z]{1,3}[0-9]+)?)"')
_DIMENSION = re.compile(rb'<dimension ref="(?:[A-Z]{1,3}[0-9]+:)?([A-Z]{1,3})[0-9]+"')
_ATTR = re.compile(rb'([\w:]+)="([^"]*)"')
_TEXT_RESULT = re.compile(rb' t="str"')
# Written otherwise than the fast scan reads: a tab or line break before an attribute, single
# quotes. Single bytes are found at memory speed; the exact pattern runs only when one is there.
# The main namespace declared again inside the sheet data is how an element there could get a
# prefix (<x:c>); a prefixed root is caught by a missing <sheetData.
_ODD_BYTES = (b"'", b"\t", b"\n", b"\r")
_ODD_SYNTAX = re.compile(rb"[\t\r\n](?:s|t|r|hidden|ref)=|\s\w+='")
_NAMESPACES = (b"spreadsheetml/2006/main", b"purl.oclc.org/ooxml/spreadsheetml")


class _Unusual(Exception):
    """This sheet is not written the way the fast scan reads: parse it instead."""


def _odd(block: bytes) -> bool:
    if any(ns in block for ns in _NAMESPACES):
        return True
    return any(b in block for b in _ODD_BYTES) and _ODD_SYNTAX.search(block) is not None


def _flag(value: str | bytes | None) -> bool:
    return value in ("1", "true", b"1", b"true")


class _StyleFinder:
    """Cells whose style index is in one of some sets, found with numpy in a block's bytes.

    Every ` s="N"` of the block is looked at, so none is missed: one with N in a set must be
    the `s` of a `<c r="A1" s="N"` (then its position is read from A1) or of a `<row … s="N"`
    (a row's style, not a cell's: passed over); anything else raises _Unusual. Each step works
    on all the block's candidates at once: a gather of one byte per candidate, not a loop.
    """

    def __init__(self, groups: list[frozenset[int]]) -> None:
        # Each style index as the bytes that follow s=": b'3"'.
        self.groups = [
            [np.frombuffer(f'{i}"'.encode(), np.uint8) for i in sorted(g)] for g in groups
        ]
        self.found: list[list[np.ndarray]] = [[] for _ in groups]
        self.active = any(self.groups)

    def collect(self, block: bytes) -> None:
        if not self.active or len(block) < 16:
            return
        arr = np.frombuffer(block, dtype=np.uint8)
        s = np.flatnonzero(arr[1:-8] == 115) + 1  # every "s" with room around it
        s = s[(arr[s - 1] == 32) & (arr[s + 1] == 61)]
        if not s.size:
            return
        if not (arr[s + 2] == 34).all():  # s= followed by anything but a double quote
            raise _Unusual
        for styles, found in zip(self.groups, self.found, strict=True):
            hit = np.zeros(s.size, dtype=bool)
            for style in styles:
                match = np.ones(s.size, dtype=bool)
                for j, byte in enumerate(style):
                    match &= arr[s + 3 + j] == byte
                hit |= match
            if hit.any():
                found.append(self._cells(block, arr, s[hit] - 1))

    @staticmethod
    def _cells(block: bytes, arr: np.ndarray, space: np.ndarray) -> np.ndarray:
        """Cell keys of the `<c r="A1"` before each of these ` s="`, read backwards from the
        closing quote: digits (the row), one to three letters (the column), then `<c r="`.

        No index is clipped: a block starts at a <row> (or <sheetData>), so the 17 bytes before
        any cell's ` s="` are inside it; an index past the start (negative) only happens for
        something that is not a cell, reads bytes from the block's end, and fails a check."""
        quote = space - 1
        valid = arr[quote] == 34
        row = np.zeros(space.size, dtype=np.int64)
        col = np.zeros(space.size, dtype=np.int64)
        at = quote - 1
        alive = valid.copy()
        digits = np.zeros(space.size, dtype=np.int64)
        scale = np.ones(space.size, dtype=np.int64)
        for _ in range(7):  # at most 1048576
            byte = arr[at].astype(np.int64)
            is_digit = alive & (byte >= 48) & (byte <= 57)
            row += np.where(is_digit, (byte - 48) * scale, 0)
            scale = np.where(is_digit, scale * 10, scale)
            digits += is_digit
            at = np.where(is_digit, at - 1, at)
            alive = is_digit
        valid &= (digits >= 1) & (row >= 1)
        valid &= arr[at + 1] != 48  # no leading zero
        scale[:] = 1
        letters = np.zeros(space.size, dtype=np.int64)
        alive = valid.copy()
        for _ in range(3):
            byte = arr[at].astype(np.int64)
            is_letter = alive & (byte >= 65) & (byte <= 90)
            col += np.where(is_letter, (byte - 64) * scale, 0)
            scale = np.where(is_letter, scale * 26, scale)
            letters += is_letter
            at = np.where(is_letter, at - 1, at)
            alive = is_letter
        valid &= letters >= 1
        for j, byte in enumerate(reversed(b'<c r="')):
            valid &= arr[at - j] == byte
        if not valid.all():
            for position in space[~valid]:  # a row's own style is no cell's
                if not block[block.rfind(b"<", 0, int(position)) :].startswith(b"<row "):
                    raise _Unusual
        return (row[valid] - 1) * KEY_COLUMNS + (col[valid] - 1)  # cell_key, for arrays

    def keys(self) -> list[set[int]]:
        return [set(np.concatenate(found).tolist()) if found else set() for found in self.found]


class _FastScan:
    """One sheet read block by block; raises _Unusual on any doubt."""

    def __init__(self, percent: frozenset[int], unclear: frozenset[int]) -> None:
        self.facts = SheetFacts()
        self._styles = _StyleFinder([percent, unclear])
        self._last_col: int | None = None
        self._hidden_col_spans: list[tuple[int, int]] = []

    def head(self, head: bytes) -> None:
        """The part before <sheetData>: the used range and the column settings. The root must
        be an unprefixed <worksheet> declaring the main namespace once, as its default."""
        if head.find(b"<worksheet") == -1 or sum(head.count(ns) for ns in _NAMESPACES) != 1:
            raise _Unusual
        if any(b in head for b in _ODD_BYTES) and _ODD_SYNTAX.search(head):
            raise _Unusual
        dim = _DIMENSION.search(head)
        if dim:
            self._last_col = parse_ref(dim.group(1).decode() + "1")[1]
        for col in _COL.finditer(head):
            attrs = dict(_ATTR.findall(col.group(1)))
            first, last = attrs.get(b"min", b""), attrs.get(b"max", b"")
            if _flag(attrs.get(b"hidden")) and first.isdigit():
                end = int(last) if last.isdigit() else int(first)
                self._hidden_col_spans.append((int(first) - 1, end - 1))

    def block(self, block: bytes) -> None:
        """Complete rows (and, for the last block, what follows </sheetData>)."""
        if _odd(block):
            raise _Unusual
        self._styles.collect(block)
        if b"f" in block and (b"<f>" in block or b"<f " in block):
            self._formulas(block)
        if b"#" in block and b' t="e"' in block:
            self._errors(block)
        if any(lit in block for lit in _HIDDEN_LITERALS):
            self._hidden_rows(block)
        if b"<mergeCell " in block:
            merges = _MERGE.findall(block)
            if len(merges) != block.count(b"<mergeCell "):
                raise _Unusual
            self.facts.merged.extend(parse_range(m.decode()) for m in merges)

    def _formulas(self, block: bytes) -> None:
        found = _FORMULA_CELL.findall(block)
        if len(found) != block.count(b"<f>") + block.count(b"<f "):
            raise _Unusual
        for ref, attrs, element, value in found:
            if value:
                continue
            cell = parse_ref(ref.decode())
            if element and _TEXT_RESULT.search(attrs):
                self.facts.blank_formulas.add(cell)  # a cached empty text
            else:
                self.facts.uncached_formulas.add(cell)

    def _errors(self, block: bytes) -> None:
        found = _ERROR_CELL.findall(block)
        if len(found) != block.count(b' t="e"'):
            raise _Unusual
        for ref, value in found:
            self.facts.error_cells[parse_ref(ref.decode())] = value.decode("utf-8", "replace")

    def _hidden_rows(self, block: bytes) -> None:
        found = _HIDDEN_ROW.findall(block)
        if len(found) != sum(block.count(lit) for lit in _HIDDEN_LITERALS):
            raise _Unusual
        self.facts.hidden_rows.update(int(r) - 1 for r in found)

    def finish(self, hidden: bool) -> SheetFacts:
        facts = self.facts
        facts.hidden = hidden
        facts.percent, facts.unclear_percent = self._styles.keys()
        _add_hidden_cols(facts, self._hidden_col_spans, self._last_col)
        return facts


def _add_hidden_cols(facts: SheetFacts, spans: list[tuple[int, int]], last: int | None) -> None:
    """Hidden column spans as columns, cut at the used range (a span often runs to XFD)."""
    limit = last if last is not None else LAST_COLUMN
    for first, end in spans:
        facts.hidden_cols.update(range(first, min(end, limit) + 1))


def _blocks(stream: IO[bytes]) -> Iterator[tuple[bytes, bool]]:
    """The sheet part as (block, is_head): first what precedes <sheetData>, then blocks that end
    after a </row>, then the rest. A block is copied only where a row straddles two reads."""
    pending = b""
    head_done = False
    while chunk := stream.read(BLOCK_BYTES):
        if not head_done:
            pending += chunk
            start = pending.find(b"<sheetData")
            if start == -1:
                if len(pending) > MAX_PENDING_BYTES:
                    raise _Unusual
                continue
            yield pending[:start], True
            chunk, pending = pending[start:], b""
            head_done = True
        cut = chunk.rfind(b"</row>")
        if cut == -1:
            pending += chunk
            if len(pending) > MAX_PENDING_BYTES:
                raise _Unusual
            continue
        cut += len(b"</row>")
        yield (pending + chunk[:cut]) if pending else chunk[:cut], False
        pending = chunk[cut:]
    if not head_done:  # no <sheetData> (a prefixed <x:sheetData>): the parser reads it
        raise _Unusual
    yield pending, False


def _fast_sheet(
    archive: zipfile.ZipFile,
    part: _SheetPart,
    percent: frozenset[int],
    unclear: frozenset[int],
    kept: dict[str, bytes] | None = None,
) -> SheetFacts:
    scan = _FastScan(percent, unclear)
    text = (kept or {}).get(part.entry)
    with io.BytesIO(text) if text is not None else archive.open(part.entry) as stream:
        for block, is_head in _blocks(stream):
            if is_head:
                scan.head(block)
            else:
                scan.block(block)
    return scan.finish(part.hidden)


# ---------------------------------------------------------------- the parser (any shape)


def _parsed_sheet(
    archive: zipfile.ZipFile, part: _SheetPart, percent: frozenset[int], unclear: frozenset[int]
) -> SheetFacts:
    """The same facts through the XML parser: prefixes, any quoting, cells without `r`."""
    facts = SheetFacts(hidden=part.hidden, parsed=True)
    row = col = -1
    last_col: int | None = None
    spans: list[tuple[int, int]] = []
    try:
        with archive.open(part.entry) as stream:
            for event, elem in ElementTree.iterparse(stream, events=("start", "end")):
                name = _local(elem.tag)
                if event == "start":
                    if name == "row":
                        ref = elem.get("r")
                        row = int(ref) - 1 if ref and ref.isdigit() else row + 1
                        col = -1
                        if _flag(elem.get("hidden")):
                            facts.hidden_rows.add(row)
                    elif name == "c":
                        ref = elem.get("r")
                        row, col = parse_ref(ref) if ref else (row, col + 1)
                    continue
                if name == "c":
                    _parsed_cell(facts, elem, row, col, percent, unclear)
                    elem.clear()
                elif name == "row":
                    elem.clear()
                elif name == "dimension":
                    last = (elem.get("ref") or "").rpartition(":")[2]
                    last_col = parse_ref(last)[1] if last else last_col
                elif name == "col" and _flag(elem.get("hidden")):
                    first = int(elem.get("min", "1")) - 1
                    spans.append((first, int(elem.get("max", str(first + 1))) - 1))
                elif name == "mergeCell" and elem.get("ref"):
                    facts.merged.append(parse_range(elem.get("ref", "")))
    except (ElementTree.ParseError, zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise FactsError(f"{part.entry}: {exc}") from None
    _add_hidden_cols(facts, spans, last_col)
    return facts


def _parsed_cell(
    facts: SheetFacts,
    elem: ElementTree.Element,
    row: int,
    col: int,
    percent: frozenset[int],
    unclear: frozenset[int],
) -> None:
    style = elem.get("s", "0")
    if style.isdigit() and int(style) in percent:
        facts.percent.add(cell_key(row, col))
    elif style.isdigit() and int(style) in unclear:
        facts.unclear_percent.add(cell_key(row, col))
    children = {_local(child.tag): child for child in elem}
    value = children.get("v")
    text = value.text if value is not None else None
    if elem.get("t") == "e":
        facts.error_cells[(row, col)] = text or ""
    if "f" in children and not text:
        if elem.get("t") == "str" and value is not None:
            facts.blank_formulas.add((row, col))
        else:
            facts.uncached_formulas.add((row, col))


# ---------------------------------------------------------------- entry point


def scan_xlsx(
    data: bytes | zipfile.ZipFile,
    sheets: Iterable[str] | None = None,
    *,
    parse: bool = False,
    kept: dict[str, bytes] | None = None,
) -> dict[str, SheetFacts]:
    """The facts of these sheets (all when None), by sheet name, from an .xlsx/.xlsm.

    `parse` reads every sheet with the XML parser (the reference the fast scan is tested
    against). Raises FactsError when a part the facts come from cannot be read. The archive is
    expected to have passed the reader's size checks (check_archive) first; `kept`: sheet
    entries those checks already unpacked.
    """
    try:
        archive = data if isinstance(data, zipfile.ZipFile) else zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FactsError(str(exc)) from None
    parts, styles = _book_parts(archive)
    wanted = None if sheets is None else set(sheets)
    percent, unclear = percent_styles(archive, styles)
    # Style 0 is also every cell written without s=: only the parser sees those.
    parse = parse or 0 in percent | unclear
    found: dict[str, SheetFacts] = {}
    for part in parts:
        if wanted is not None and part.name not in wanted:
            continue
        if part.entry not in archive.NameToInfo:
            raise FactsError(f"{part.entry}: 工作表内容缺失")
        try:
            if parse:
                raise _Unusual
            found[part.name] = _fast_sheet(archive, part, percent, unclear, kept)
        except _Unusual:
            found[part.name] = _parsed_sheet(archive, part, percent, unclear)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise FactsError(f"{part.entry}: {exc}") from None
    return found
