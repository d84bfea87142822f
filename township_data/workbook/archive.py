"""The archive check: what a file is, and whether its sheets are small enough to parse.

Runs before any sheet is parsed, because a small upload can unpack to a sheet that would take
minutes and gigabytes to read: sizes, entries and each sheet's extent are bounded while the XML
is streamed in 1 MB blocks.
"""

from __future__ import annotations

import html
import io
import posixpath
import re
import zipfile

from .. import config
from ..errors import Problem

_TAG = re.compile(rb'<(?:\w+:)?(row|c)(?=[\s>/])(?:[^>]*?\sr="([^"]*)")?')
_CELL_REF = re.compile(rb"^([A-Za-z]{1,3})(\d+)$")
_ROW_START = re.compile(rb"<(?:\w+:)?row(?=[\s>/])")
_ROW_NUMBER = re.compile(rb'<(?:\w+:)?row(?=\s)[^>]*?\sr="(\d+)"')
_CELL_START = re.compile(rb"<(?:\w+:)?c(?=[\s>/])")
_CELL_COLUMN = re.compile(rb'<(?:\w+:)?c(?=\s)[^>]*?\sr="([A-Za-z]{1,3})\d+"')
_CELL_ROW = re.compile(rb'<(?:\w+:)?c(?=\s)[^>]*?\sr="[A-Za-z]{1,3}(\d+)"')
_PLAIN_ROW = re.compile(rb'<row r="(\d+)"')
_PLAIN_CELL = re.compile(rb'<c r="([A-Za-z]{1,3})(\d+)"')
_TAG_ENDS = (b" ", b">", b"/")
_PREFIXED_TAGS = (b":c", b":row")
_SPACED_TAGS = (
    *(b"<c" + end for end in (b"\t", b"\n", b"\r")),
    *(b"<row" + end for end in (b"\t", b"\n", b"\r")),
)
_REL_TAG = re.compile(rb"<(?:\w+:)?Relationship\s[^>]*>")
_SHEET_TAG = re.compile(rb"<(?:\w+:)?sheet\s[^>]*>")
_ATTR = re.compile(rb'([\w:]+)\s*=\s*"([^"]*)"')
_MAX_TAG_BYTES = 4096
# What `_feed_small` cannot vouch for, in one search: a row or cell tag without `r` first
# (<c>, <c/>, <c s=…>), or one whose `r` is past column Z or row 9,999.
_NOT_SMALL = re.compile(rb'<(?:c(?:[>/]| (?!r="[A-Za-z]\d{1,4}"))|row(?:[>/]| (?!r="\d{1,4}")))')
_SMALL_ROWS, _SMALL_COLUMNS = 9_999, 26
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]+)?(\d+)?:?([A-Z]+)?(\d+)?"')
_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _column_number(letters: bytes | None) -> int:
    number = 0
    for ch in (letters or b"A").decode():
        number = number * 26 + ord(ch) - 64
    return number


def sniff(data: bytes, file_name: str) -> Problem | None:
    """Recognise files that are not .xlsx before trying to unzip them, with a fix in Chinese."""
    head = data[:2048]
    if not data:
        return Problem("文件是空的（0 字节）", file=file_name, hint="请重新保存后再上传")
    if head.startswith(_OLE_SIGNATURE):
        if "EncryptedPackage".encode("utf-16-le") in data[:1_000_000]:
            return Problem(
                "工作簿设置了打开密码，无法读取",
                file=file_name,
                hint="请在 Excel/WPS 中取消密码（文件→信息→保护工作簿）后另存为 .xlsx 再上传",
            )
        return Problem(
            "这是旧版 Excel 97-2003（.xls）文件",
            file=file_name,
            hint="请用 Excel 或 WPS 打开，另存为“Excel 工作簿（*.xlsx）”后再上传",
        )
    if head.startswith(b"PK"):
        return None
    text = head.lstrip(b"\xef\xbb\xbf\xff\xfe\xfe\xff \t\r\n").lower()
    if text.startswith((b"<html", b"<!doctype", b"<table", b"<?xml", b"<meta", b"<head")):
        return Problem(
            "这是网页（HTML）格式的表格，只是扩展名为 .xls/.xlsx",
            file=file_name,
            hint="请用 Excel 或 WPS 打开，另存为“Excel 工作簿（*.xlsx）”后再上传",
        )
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            decoded = head.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "," in decoded or "\t" in decoded or "\n" in decoded:
            return Problem(
                "这是 CSV 或文本文件，不是 Excel 工作簿",
                file=file_name,
                hint="请用 Excel 或 WPS 打开，另存为“Excel 工作簿（*.xlsx）”后再上传",
            )
    return Problem(
        "不是有效的 Excel（.xlsx）文件", file=file_name, hint="请确认上传的是 .xlsx 工作簿"
    )


def check_archive(data: bytes, file_name: str) -> list[Problem]:
    """Refuse zip bombs and broken archives before parsing: sizes, entries, rows per sheet.

    Costs one streamed decompression of the sheets, bounded by the limits in config.
    """
    problems, archive, sheets = open_archive(data, file_name)
    if archive is None:
        return problems
    return [
        problem
        for info, sheet in sheets
        if (problem := sheet_problem(archive, info, file_name, sheet)) is not None
    ]


def upload_too_large(data: bytes, file_name: str) -> Problem | None:
    """The size bound every format shares, checked before anything is unpacked or parsed."""
    if len(data) <= config.MAX_UPLOAD_BYTES:
        return None
    size = len(data) / 1024 / 1024
    limit = config.MAX_UPLOAD_BYTES // 1024 // 1024
    return Problem(f"文件有 {size:.1f} MB，超过上限 {limit} MB", file=file_name)


def open_archive(
    data: bytes, file_name: str, opened: zipfile.ZipFile | None = None
) -> tuple[list[Problem], zipfile.ZipFile | None, list[tuple[zipfile.ZipInfo, str | None]]]:
    """The archive-wide checks (size, entries, encryption, unpacked size); then the archive
    and its worksheet entries with their sheet names, each to be bounded by `sheet_problem`
    before it is parsed. A problem found here leaves no archive. `opened`: `data` already
    opened as a zip (formats.open_zip), its directory not read again."""
    too_large = upload_too_large(data, file_name)
    if too_large:
        return [too_large], None, []
    try:
        archive = opened if opened is not None else zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        broken = Problem(
            "文件不完整或已损坏，无法作为 Excel 工作簿打开",
            file=file_name,
            hint="可能是下载或复制未完成；请用 Excel/WPS 打开确认后重新保存再上传",
        )
        return [broken], None, []
    problem = _archive_problem(infos, file_name)
    if problem:
        return [problem], None, []
    sheet_names = _sheet_entries(archive, {i.filename for i in infos})
    sheets = [
        (info, sheet_names.get(info.filename))
        for info in infos
        if info.filename in sheet_names
        or (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"))
    ]
    return [], archive, sheets


def _archive_problem(infos: list[zipfile.ZipInfo], file_name: str) -> Problem | None:
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        if "EncryptedPackage" in names:
            return Problem(
                "工作簿设置了打开密码，无法读取", file=file_name, hint="请取消密码后另存为 .xlsx"
            )
        return Problem("压缩包中没有 Excel 工作簿内容，不是 .xlsx 文件", file=file_name)
    if any(i.flag_bits & 0x1 for i in infos):
        return Problem("工作簿已加密，无法读取", file=file_name, hint="请取消密码后另存为 .xlsx")
    if len(infos) > config.MAX_ARCHIVE_ENTRIES:
        return Problem(f"工作簿内部文件过多（{len(infos)} 个），不像月报工作簿", file=file_name)
    unpacked = sum(i.file_size for i in infos)
    if unpacked > config.MAX_UNPACKED_BYTES:
        return Problem(
            f"工作簿解压后有 {unpacked / 1024 / 1024:.0f} MB，超过上限 "
            f"{config.MAX_UNPACKED_BYTES // 1024 // 1024} MB，不像月报工作簿",
            file=file_name,
            hint="请删除多余的工作表、空行和格式后另存再上传",
        )
    return None


def sheet_problem(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    file_name: str,
    sheet: str | None,
    kept: dict[str, bytes] | None = None,
) -> Problem | None:
    """Why this worksheet may not be parsed (too many rows, columns or cells, broken), or
    None: streamed in 1 MB blocks, see `_check_sheet_size`. A sheet that passes in one block
    is kept in `kept` (by entry), so the format scan need not unpack it again."""
    return _check_sheet_size(archive, info, file_name, sheet, kept=kept)


def _sheet_entries(archive: zipfile.ZipFile, names: set[str]) -> dict[str, str]:
    """Archive entry → sheet name, from workbook.xml and its relationships.

    The reader follows these relationships, so a sheet stored outside xl/worksheets/ is checked
    too, and a refusal can name the sheet instead of an internal file name.
    """
    try:
        book = _read_small(archive, "xl/workbook.xml")
        rels = (
            _read_small(archive, "xl/_rels/workbook.xml.rels")
            if ("xl/_rels/workbook.xml.rels" in names)
            else None
        )
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError):
        return {}
    key = (book, rels)
    found = _ENTRIES.get(key)
    if found is None:
        found = _entries_of(book, rels or b"")
        if len(book) + len(rels or b"") <= _ENTRIES_PART_BYTES:
            if len(_ENTRIES) >= _ENTRIES_LIMIT:
                _ENTRIES.clear()
            _ENTRIES[key] = found
    return dict(found)


# Entry → sheet name by the two parts' bytes: the files a month's villages send, cut from one
# template, carry the same workbook.xml and relationships (kept only for parts of usual size).
_ENTRIES: dict[tuple[bytes, bytes | None], dict[str, str]] = {}
_ENTRIES_LIMIT = 64
_ENTRIES_PART_BYTES = 64 * 1024


def _entries_of(book: bytes, rels: bytes) -> dict[str, str]:
    """`_sheet_entries` of workbook.xml and its relationships as bytes."""
    targets: dict[str, list[str]] = {}
    for tag in _REL_TAG.finditer(rels):
        attrs = dict(_ATTR.findall(tag.group(0)))
        rel_id, target = attrs.get(b"Id"), attrs.get(b"Target")
        if rel_id and target:
            path = html.unescape(target.decode("utf-8", "replace"))
            entry = path.lstrip("/") if path.startswith("/") else posixpath.join("xl", path)
            # A reader may also take a target that already starts with xl/ as written: both
            # entries are checked, so no reading of the target leaves one unchecked.
            targets[rel_id.decode("utf-8", "replace")] = list(
                dict.fromkeys([posixpath.normpath(entry), posixpath.normpath(path.lstrip("/"))])
            )
    entries: dict[str, str] = {}
    for tag in _SHEET_TAG.finditer(book):
        attrs = dict(_ATTR.findall(tag.group(0)))
        rel_id = next((v for k, v in attrs.items() if k.endswith(b":id") or k == b"id"), None)
        name = attrs.get(b"name")
        if rel_id and name and rel_id.decode("utf-8", "replace") in targets:
            for entry in targets[rel_id.decode("utf-8", "replace")]:
                entries.setdefault(entry, html.unescape(name.decode("utf-8", "replace")))
    return entries


def _read_small(archive: zipfile.ZipFile, entry: str) -> bytes:
    """At most 1 MB of an entry: workbook.xml and its relationships are a few KB."""
    with archive.open(entry) as stream:
        return stream.read(1 << 20)


def _unusual(block: bytes) -> bool:
    """Whether a block holds a prefixed row or cell tag (x:c) or one whose name is followed by a
    tab or line break. Single bytes are found at memory speed: the tag searches run only in a
    block that has a colon, or a tab or line break at all."""
    if (b"\t" in block or b"\n" in block or b"\r" in block) and any(
        tag in block for tag in _SPACED_TAGS
    ):
        return True
    return b":" in block and any(tag in block for tag in _PREFIXED_TAGS)


class SheetExtent:
    """The last row and column a reader will allocate for, followed tag by tag while streaming.

    Rows and cells without an `r` attribute continue from the previous one, so they are counted
    in order rather than trusted away.
    """

    def __init__(self, exact: bool = False) -> None:
        self.rows = 0
        self.row = 0
        self.col = 0
        self.max_row = 0
        self.max_col = 0
        # Whether some block was only bounded (`_feed_small`), not measured; `exact` measures
        # every block.
        self.bounded = False
        self.exact = exact

    def feed(self, block: bytes) -> None:
        """Advance over a block of complete tags; C-speed when every row and cell has its `r`."""
        if not self.exact and self._feed_small(block):
            return
        if self._feed_plain(block):
            return
        row_numbers = _ROW_NUMBER.findall(block)
        cell_columns = _CELL_COLUMN.findall(block)
        if len(row_numbers) != len(_ROW_START.findall(block)) or len(cell_columns) != len(
            _CELL_START.findall(block)
        ):
            self._feed_in_order(block)
            return
        self.rows += len(row_numbers)
        if row_numbers:
            self.row = int(row_numbers[-1])
            self.max_row = max(self.max_row, *map(int, row_numbers))
        if cell_columns:
            self.col = _column_number(cell_columns[-1].upper())
            widest = max(_column_number(c.upper()) for c in set(cell_columns))
            self.max_col = max(self.max_col, widest)
            self.max_row = max(self.max_row, *map(int, _CELL_ROW.findall(block)))

    def _feed_plain(self, block: bytes) -> bool:
        """The shape Excel, WPS and openpyxl write: unprefixed tags, `r` the first attribute.

        Counting tags with bytes.count and matching literal-prefixed patterns is several times
        faster than the general patterns. Any other shape (a prefix, other whitespace, a tag
        without `r` first) returns False and is followed by the general path.
        """
        if _unusual(block):
            return False
        row_numbers = _PLAIN_ROW.findall(block)
        if len(row_numbers) != sum(block.count(b"<row" + end) for end in _TAG_ENDS):
            return False
        cells = _PLAIN_CELL.findall(block)
        if len(cells) != sum(block.count(b"<c" + end) for end in _TAG_ENDS):
            return False
        self.rows += len(row_numbers)
        if row_numbers:
            self.row = int(row_numbers[-1])
            self.max_row = max(self.max_row, max(map(int, set(row_numbers))))
        if cells:
            self.col = _column_number(cells[-1][0].upper())
            columns = {c for c, _ in cells}
            self.max_col = max(self.max_col, max(_column_number(c.upper()) for c in columns))
            self.max_row = max(self.max_row, max(map(int, {r for _, r in cells})))
        return True

    def _feed_small(self, block: bytes) -> bool:
        """A monthly sheet's usual block, vouched for without reading every cell reference.

        When every row and cell tag is the plain `<row r="…` / `<c r="…` and none names a row
        past 9,999 or a column past Z, the sheet's extent within this block is at most
        9,999 × 26 cells, inside every limit: one search for any other tag shape or a larger
        reference, and a count of rows (at C speed), is enough. Anything else returns False
        and is measured.
        """
        if _unusual(block) or _NOT_SMALL.search(block):
            return False
        rows = block.count(b'<row r="')
        self.rows += rows
        self.bounded = True
        if rows:
            start = block.rfind(b'<row r="') + 8
            self.row = int(block[start : block.index(b'"', start)])
        start = block.rfind(b'<c r="')
        if start != -1:
            start += 6
            found = _CELL_REF.match(block[start : block.index(b'"', start)])
            self.col = _column_number(found.group(1).upper()) if found else self.col
        return True

    def _feed_in_order(self, block: bytes) -> None:
        for tag in _TAG.finditer(block):
            name, ref = tag.group(1), tag.group(2)
            if name == b"row":
                self.rows += 1
                self.row = int(ref) if ref and ref.isdigit() else self.row + 1
                self.col = 0
                self.max_row = max(self.max_row, self.row)
            else:
                cell = _CELL_REF.match(ref or b"")
                if cell:
                    self.col = _column_number(cell.group(1).upper())
                    self.max_row = max(self.max_row, int(cell.group(2)))
                else:
                    self.col += 1
                self.max_col = max(self.max_col, self.col)

    def too_big(self) -> str | None:
        """The Chinese reason this sheet is refused, or None while it is within the limits.

        Bounded blocks count at their bound (9,999 × 26): a refusal that bound takes part in
        is checked again by measuring every block (`_check_sheet_size`).
        """
        max_row = max(self.max_row, _SMALL_ROWS if self.bounded else 0)
        max_col = max(self.max_col, _SMALL_COLUMNS if self.bounded else 0)
        if self.rows > config.MAX_SHEET_ROWS or max_row > config.MAX_SHEET_ROWS:
            return f"工作表超过 {config.MAX_SHEET_ROWS:,} 行，超过上限"
        return too_wide(max_row, max_col)


def too_wide(rows: int, cols: int) -> str | None:
    """The Chinese reason a sheet of `rows` × `cols` (rows within their limit) is refused:
    too many columns or cells; None within the limits. Shared by the archive check and the
    reader's check of the sheet calamine opened."""
    if cols > config.MAX_SHEET_COLUMNS:
        return f"工作表用到了第 {cols:,} 列，超过上限 {config.MAX_SHEET_COLUMNS} 列"
    if rows * cols > config.MAX_SHEET_CELLS:
        return (
            f"工作表的使用范围有 {rows:,} 行 × {cols:,} 列，超过上限 "
            f"{config.MAX_SHEET_CELLS:,} 个单元格"
        )
    return None


def _check_sheet_size(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    file_name: str,
    sheet: str | None = None,
    exact: bool = False,
    kept: dict[str, bytes] | None = None,
) -> Problem | None:
    """Stream one sheet's XML in 1 MB blocks and stop at the first limit it passes.

    Memory stays at a few MB whatever the sheet holds, and a million-row sheet is refused after
    reading its first block or two. A refusal that a bounded block (`_SheetExtent._feed_small`)
    took part in is confirmed by reading the sheet again, measuring every block.
    """
    where = {"file": file_name, "sheet": sheet or ""}
    hint = "月报每个工作表只需几十到几千行；请删除多余的行列后另存再上传"
    extent = SheetExtent(exact)

    def refuse(reason: str) -> Problem | None:
        if extent.bounded:
            return _check_sheet_size(archive, info, file_name, sheet, exact=True)
        return Problem(reason, hint=hint, **where)

    tail = b""
    blocks: list[bytes] = []
    try:
        with archive.open(info) as stream:
            first = True
            while chunk := stream.read(1 << 20):
                if kept is not None and len(blocks) < 2:
                    blocks.append(chunk)
                block = tail + chunk
                if first:
                    first = False
                    # <dimension> precedes <sheetData> in a worksheet: no need to scan the cells
                    head = block.find(b"sheetData")
                    dim = _DIMENSION.search(block, 0, len(block) if head == -1 else head)
                    if dim and dim.group(4):
                        declared_rows = int(dim.group(4))
                        declared_cols = _column_number(dim.group(3) or dim.group(1))
                        if (
                            declared_rows > config.MAX_SHEET_ROWS
                            or declared_cols > config.MAX_SHEET_COLUMNS
                        ):
                            return Problem(
                                f"工作表声明了 {declared_rows:,} 行 × {declared_cols:,} 列，超过上限 "
                                f"{config.MAX_SHEET_ROWS:,} 行 × {config.MAX_SHEET_COLUMNS} 列",
                                hint=hint,
                                **where,
                            )
                cut = _pending_tag(block)
                if cut is None:
                    return Problem("工作表内容格式异常（标签过长），不像月报工作簿", **where)
                extent.feed(block[:cut])
                tail = block[cut:]
                reason = extent.too_big()
                if reason:
                    return refuse(reason)
            extent.feed(tail)
            reason = extent.too_big()
            if reason:
                return refuse(reason)
            if kept is not None and len(blocks) == 1:
                kept[info.filename] = blocks[0]
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError):
        return Problem(
            "文件不完整或已损坏，无法读取其中的工作表", hint="请重新保存后再上传", **where
        )
    return None


def _pending_tag(block: bytes) -> int | None:
    """Where an unfinished tag starts at the end of a block (len(block) when none is).

    None when that unfinished tag is already longer than any real row or cell tag.
    """
    start = block.rfind(b"<")
    if start == -1 or block.find(b">", start) != -1:
        return len(block)
    return start if len(block) - start <= _MAX_TAG_BYTES else None
