"""Read and validate the monthly workbook (contracts.md §1); write the blank template.

Reading turns a workbook into one tidy long table (area, indicator, village, month, value, and
the file/sheet/cell each value came from) or raises WorkbookError listing every problem at once.
The archive is checked before any sheet is parsed, because a small upload can unpack to a sheet
that would take minutes and gigabytes to read.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import html
import io
import math
import posixpath
import re
import zipfile
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field

import pandas as pd
import python_calamine
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from . import config, months
from .catalogue import TOTAL_SCORE, TOWN, Catalogue, Indicator, norm
from .errors import Problem, WorkbookError

VILLAGE_HEADERS = {
    norm(h) for h in ("村（社区）", "村(居)", "村（居）", "村名", "单位", "村（社区）名称", "村居")
}
MONTH_HEADERS = {norm(h) for h in ("月份", "月", "填报月份", "统计月份")}
IGNORED_HEADERS = {norm(h) for h in ("序号", "备注", "说明")}
TOTAL_ROWS = {"合计", "总计", "小计"}
FOOTER_PREFIXES = (
    "填表人",
    "填报人",
    "审核人",
    "负责人",
    "制表",
    "填报日期",
    "注:",
    "说明",
    "备注",
)
NOT_REPORTED = {"", "-", "—", "——", "–", "/", "*", "－"}
HEADER_SEARCH_ROWS = 10
COLUMNS = ["area", "indicator", "village", "month", "value", "file", "sheet", "cell"]
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
# A cell past column Z or row 9,999, or a row past 9,999: beyond what `_feed_small` vouches for
# (two patterns, each found by its literal start).
_BEYOND_SMALL = (
    re.compile(rb'<c r="(?:[A-Za-z]{2}|[A-Za-z]\d{5})'),
    re.compile(rb'<row r="\d{5}'),
)
_SMALL_ROWS, _SMALL_COLUMNS = 9_999, 26
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]+)?(\d+)?:?([A-Z]+)?(\d+)?"')
_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
TITLE = "导入失败"


# One row of a sheet as stored: the sheet's (area, month, village) with its values by indicator
# and each value's cell, in the same order (the store packs a row into one database row).
SheetRow = tuple[str, str, str, str, dict[str, float], list[str]]  # area, month, village, sheet


@dataclass
class ParsedWorkbook:
    """What a valid workbook holds, ready to be stored as one version.

    `rows` is what the reader produced: one entry per (area, month, village) row with values.
    `values`, the tidy long table the pages and previews compare, is built from them on first
    use, so storing a workbook never builds it.
    """

    file_name: str
    sha256: str
    rows: list[SheetRow]
    slices: list[tuple[str, str]]
    ignored_sheets: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    _values: pd.DataFrame | None = field(default=None, repr=False, compare=False)

    @property
    def values(self) -> pd.DataFrame:
        """The tidy table (COLUMNS): one row per value, with its file, sheet and cell."""
        if self._values is None:
            self._values = to_frame(self.value_rows())
        return self._values

    @property
    def value_count(self) -> int:
        return sum(len(values) for *_, values, _ in self.rows)

    def value_rows(self) -> list[tuple]:
        """(area, indicator, village, month, value, file, sheet, cell) per value."""
        file = self.file_name
        return [
            (area, name, village, month, value, file, sheet, cell)
            for area, month, village, sheet, values, cells in self.rows
            for (name, value), cell in zip(values.items(), cells, strict=True)
        ]

    @property
    def areas(self) -> list[str]:
        return sorted({a for a, _ in self.slices})

    @property
    def months(self) -> list[str]:
        return sorted({m for _, m in self.slices})


def cell_name(row: int, col: int) -> str:
    """Zero-based row/column → A1 name."""
    return f"{get_column_letter(col + 1)}{row + 1}"


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
    if len(data) > config.MAX_UPLOAD_BYTES:
        size = len(data) / 1024 / 1024
        limit = config.MAX_UPLOAD_BYTES // 1024 // 1024
        return [Problem(f"文件有 {size:.1f} MB，超过上限 {limit} MB", file=file_name)]
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return [
            Problem(
                "文件不完整或已损坏，无法作为 Excel 工作簿打开",
                file=file_name,
                hint="可能是下载或复制未完成；请用 Excel/WPS 打开确认后重新保存再上传",
            )
        ]
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        if "EncryptedPackage" in names:
            return [
                Problem(
                    "工作簿设置了打开密码，无法读取",
                    file=file_name,
                    hint="请取消密码后另存为 .xlsx",
                )
            ]
        return [Problem("压缩包中没有 Excel 工作簿内容，不是 .xlsx 文件", file=file_name)]
    if any(i.flag_bits & 0x1 for i in infos):
        return [Problem("工作簿已加密，无法读取", file=file_name, hint="请取消密码后另存为 .xlsx")]
    if len(infos) > config.MAX_ARCHIVE_ENTRIES:
        return [Problem(f"工作簿内部文件过多（{len(infos)} 个），不像月报工作簿", file=file_name)]
    unpacked = sum(i.file_size for i in infos)
    if unpacked > config.MAX_UNPACKED_BYTES:
        return [
            Problem(
                f"工作簿解压后有 {unpacked / 1024 / 1024:.0f} MB，超过上限 "
                f"{config.MAX_UNPACKED_BYTES // 1024 // 1024} MB，不像月报工作簿",
                file=file_name,
                hint="请删除多余的工作表、空行和格式后另存再上传",
            )
        ]
    sheet_names = _sheet_entries(archive, names)
    problems: list[Problem] = []
    for info in infos:
        if info.filename in sheet_names or (
            info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
        ):
            problem = _check_sheet_size(archive, info, file_name, sheet_names.get(info.filename))
            if problem:
                problems.append(problem)
    return problems


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
            else b""
        )
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError):
        return {}
    targets: dict[str, str] = {}
    for tag in _REL_TAG.finditer(rels):
        attrs = dict(_ATTR.findall(tag.group(0)))
        rel_id, target = attrs.get(b"Id"), attrs.get(b"Target")
        if rel_id and target:
            path = html.unescape(target.decode("utf-8", "replace"))
            entry = path.lstrip("/") if path.startswith("/") else posixpath.join("xl", path)
            targets[rel_id.decode("utf-8", "replace")] = posixpath.normpath(entry)
    entries: dict[str, str] = {}
    for tag in _SHEET_TAG.finditer(book):
        attrs = dict(_ATTR.findall(tag.group(0)))
        rel_id = next((v for k, v in attrs.items() if k.endswith(b":id") or k == b"id"), None)
        name = attrs.get(b"name")
        if rel_id and name and rel_id.decode("utf-8", "replace") in targets:
            entry = targets[rel_id.decode("utf-8", "replace")]
            entries[entry] = html.unescape(name.decode("utf-8", "replace"))
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


class _SheetExtent:
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
        9,999 × 26 cells, inside every limit: counting tags and one search for a larger
        reference (all at C speed) is enough. Anything else returns False and is measured.
        """
        if _unusual(block):
            return False
        cells, rows = block.count(b'<c r="'), block.count(b'<row r="')
        if cells != block.count(b"<c ") or rows != block.count(b"<row "):
            return False
        if any(tag in block for tag in (b"<c>", b"<c/", b"<row>", b"<row/")):
            return False
        if any(pattern.search(block) for pattern in _BEYOND_SMALL):
            return False
        self.rows += rows
        self.bounded = True
        if rows:
            start = block.rfind(b'<row r="') + 8
            self.row = int(block[start : block.index(b'"', start)])
        if cells:
            start = block.rfind(b'<c r="') + 6
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
        if max_col > config.MAX_SHEET_COLUMNS:
            return f"工作表用到了第 {max_col:,} 列，超过上限 {config.MAX_SHEET_COLUMNS} 列"
        if max_row * max_col > config.MAX_SHEET_CELLS:
            return (
                f"工作表的使用范围有 {max_row:,} 行 × {max_col:,} 列，超过上限 "
                f"{config.MAX_SHEET_CELLS:,} 个单元格"
            )
        return None


def _check_sheet_size(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    file_name: str,
    sheet: str | None = None,
    exact: bool = False,
) -> Problem | None:
    """Stream one sheet's XML in 1 MB blocks and stop at the first limit it passes.

    Memory stays at a few MB whatever the sheet holds, and a million-row sheet is refused after
    reading its first block or two. A refusal that a bounded block (`_SheetExtent._feed_small`)
    took part in is confirmed by reading the sheet again, measuring every block.
    """
    where = {"file": file_name, "sheet": sheet or ""}
    hint = "月报每个工作表只需几十到几千行；请删除多余的行列后另存再上传"
    extent = _SheetExtent(exact)

    def refuse(reason: str) -> Problem | None:
        if extent.bounded:
            return _check_sheet_size(archive, info, file_name, sheet, exact=True)
        return Problem(reason, hint=hint, **where)

    tail = b""
    try:
        with archive.open(info) as stream:
            first = True
            while chunk := stream.read(1 << 20):
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


def parse_value(raw: object, ind: Indicator) -> tuple[float | None, str | None]:
    """A cell → (value or None for 未报, error message or None).

    Text holding a number (including 1,234 and full-width １２３４) is read as that number: never
    silently turned into 未报.
    """
    if isinstance(raw, bool):
        return None, f"“{raw}”不是数字"
    if isinstance(raw, float | int):
        value = float(raw)
    elif isinstance(raw, dt.date | dt.datetime | dt.time | dt.timedelta):
        return None, f"“{raw}”是日期/时间，不是数字（单元格格式可能被设成了日期）"
    else:
        text = norm(raw)
        if text in NOT_REPORTED:
            return None, None
        if ind.kind == "percent" and text.endswith("%"):
            text = text[:-1]
        if _THOUSANDS.match(text):
            text = text.replace(",", "")
        try:
            value = float(text)
        except ValueError:
            return None, f"“{raw}”不是数字（未报请留空或填“-”）"
    if not math.isfinite(value):
        return None, f"“{raw}”不是有效数字"
    if ind.whole and not float(value).is_integer():
        return None, f"{value:g} 不是整数（{ind.unit}须为整数）"
    if ind.min is not None and value < ind.min:
        return None, f"{value:g} 小于下限 {ind.min:g}{ind.unit}"
    if ind.max is not None and value > ind.max:
        return None, f"{value:g} 超过上限 {ind.max:g}{'分' if ind.kind == 'score' else ind.unit}"
    return value, None


def _filled(raw: object) -> bool:
    """Whether a cell holds anything but 未报: numbers at once, text after normalising."""
    if type(raw) is str:
        return raw != "" and norm(raw) not in NOT_REPORTED
    return True


@dataclass
class _Sheet:
    """Reading state of one sheet: keeps the per-sheet rules out of the workbook loop."""

    name: str
    area: str
    file: str
    catalogue: Catalogue
    form_month: str | None
    problems: list[Problem] = field(default_factory=list)
    rows: list[SheetRow] = field(default_factory=list)
    months: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)
    # Per sheet: each indicator column's letter and rules, and each 月份 and 村 cell already
    # parsed (a back-fill repeats the same few dozen of each thousands of times).
    _columns: list[tuple] = field(default_factory=list, repr=False)
    _months: dict[tuple[type, object], str] = field(default_factory=dict, repr=False)
    _villages: dict[tuple[type, object], tuple[str, str | None]] = field(
        default_factory=dict, repr=False
    )

    def error(self, cell: str, message: str, hint: str = "") -> None:
        self.problems.append(
            Problem(message, file=self.file, sheet=self.name, cell=cell, hint=hint)
        )

    def read(self, rows: list[list[object]]) -> None:
        header_row = next(
            (
                r
                for r, row in enumerate(rows[:HEADER_SEARCH_ROWS])
                if any(norm(c) in VILLAGE_HEADERS for c in row)
            ),
            None,
        )
        if header_row is None:
            self.error(
                "",
                f"前 {HEADER_SEARCH_ROWS} 行中找不到表头“村（社区）”",
                "表头行须有一格写“村（社区）”，其后各列为指标名称；可下载模板对照",
            )
            return
        columns = self._map_columns(rows, header_row)
        if columns is None:
            return
        village_col, month_col, indicator_cols = columns
        if month_col is None and self.form_month is None:
            self.error(
                cell_name(header_row, 0),
                "表中没有“月份”列，也没有选择月份",
                "请在表中加“月份”列，或在上传页面选择月份（命令行用 --month 2024-03）",
            )
            return
        self._read_rows(rows, header_row, village_col, month_col, indicator_cols)

    def _map_columns(self, rows: list[list[object]], header_row: int):
        header = rows[header_row]
        village_col = month_col = None
        indicator_cols: list[tuple[int, Indicator]] = []
        seen: dict[str, str] = {}
        for col, raw in enumerate(header):
            key = norm(raw)
            where = cell_name(header_row, col)
            if not key:
                if any(norm(row[col]) for row in rows[header_row + 1 :] if col < len(row)):
                    self.error(where, "该列有数据但没有表头", "请填写指标名称，或删除该列")
                continue
            if key in VILLAGE_HEADERS and village_col is None:
                village_col = col
            elif key in MONTH_HEADERS and month_col is None:
                month_col = col
            elif key in IGNORED_HEADERS:
                continue
            else:
                ind = self.catalogue.match_column(self.area, raw)
                if ind is None:
                    guess = self.catalogue.suggest_column(self.area, raw)
                    self.error(
                        where,
                        f"未知的指标列“{raw}”",
                        f"是否应为“{guess}”？" if guess else f"请对照模板中“{self.area}”的指标名称",
                    )
                elif ind.name in seen:
                    self.error(
                        where,
                        f"指标“{ind.name}”的列重复（另见 {seen[ind.name]}）",
                        "请删除重复的列",
                    )
                else:
                    seen[ind.name] = where
                    indicator_cols.append((col, ind))
        if not indicator_cols and not self.problems:
            self.error(
                cell_name(header_row, 0), "表头行中没有任何已知指标列", "请对照模板填写指标名称"
            )
        return (village_col, month_col, indicator_cols) if indicator_cols else None

    def _row_month(self, row: list[object], r: int, month_col: int | None) -> str | None:
        raw = row[month_col] if month_col is not None and month_col < len(row) else ""
        key = (type(raw), raw)
        month = self._months.get(key)
        if month is not None:
            return month
        if norm(raw) == "":
            if self.form_month is None:
                self.error(cell_name(r, month_col or 0), "月份为空", "请填写月份，如 2024-03")
            return self.form_month
        try:
            month = months.parse_month(raw)
        except months.MonthError as exc:
            self.error(cell_name(r, month_col), str(exc))
            return None
        self._months[key] = month
        return month

    def _village(self, raw: object) -> tuple[str, str | None]:
        """(normalised text, configured name or None) of a 村（社区） cell, once per spelling."""
        key = (type(raw), raw)
        found = self._villages.get(key)
        if found is None:
            found = (norm(raw), self.catalogue.resolve_village(raw))
            self._villages[key] = found
        return found

    def _cells(self, row: list[object]) -> list[tuple[int, Indicator, object]]:
        """(column, indicator, raw cell) of every indicator column of a row ("" past its end)."""
        width = len(row)
        return [
            (spec[0], spec[1], row[spec[0]] if spec[0] < width else "") for spec in self._columns
        ]

    def _has_data(self, row: list[object]) -> bool:
        return any(_filled(raw) for _, _, raw in self._cells(row))

    def _read_rows(self, rows, header_row, village_col, month_col, indicator_cols) -> None:
        contest = self.area == self.catalogue.contest.sheet
        seen_rows: dict[tuple[str, str], int] = {}
        data_rows: list[tuple[int, str, dict[str, float]]] = []
        self._columns = [
            (
                col,
                ind,
                get_column_letter(col + 1),
                ind.name,
                ind.whole,
                ind.min,
                ind.max,
                ind.town_row,
                ind.village_rows,
            )
            for col, ind in indicator_cols
        ]
        for r in range(header_row + 1, len(rows)):
            row = rows[r]
            raw_village = row[village_col] if village_col < len(row) else ""
            village_key, village = self._village(raw_village)
            if not village_key:
                if self._has_data(row):
                    self.error(cell_name(r, village_col), "这一行有数据但没有填村（社区）名称")
                continue
            if village_key.startswith(FOOTER_PREFIXES):
                continue
            if village_key in TOTAL_ROWS:
                self._check_total(r, self._cells(row), data_rows)
                data_rows = []
                continue
            if village is None:
                guess = self.catalogue.suggest_village(raw_village)
                self.error(
                    cell_name(r, village_col),
                    f"未知的村（社区）“{raw_village}”",
                    f"是否应为“{guess}”？"
                    if guess
                    else "请使用指标目录中的村（社区）名称，或“全镇”",
                )
                self._check_only(r, self._cells(row))
                continue
            month = self._row_month(row, r, month_col)
            if month is None:
                self._check_only(r, self._cells(row))
                continue
            if (village, month) in seen_rows:
                self.error(
                    cell_name(r, village_col),
                    f"“{village}”{months.label(month)}重复（与第 {seen_rows[(village, month)] + 1} 行重复）",
                    "同一村（社区）同一月份只能有一行",
                )
                continue
            seen_rows[(village, month)] = r
            if contest and village == TOWN:
                if self._has_data(row):
                    self.error(
                        cell_name(r, village_col), "打擂评分只针对各村（社区），不能有“全镇”行"
                    )
                continue
            row_values, row_cells = self._read_cells(r, village, row)
            if contest:
                self._contest_total(r, row_values, row_cells, self._cells(row))
            data_rows.append((r, month, row_values))
            if row_values:
                self.months.add(month)
                self.rows.append((self.area, month, village, self.name, row_values, row_cells))

    def _check_only(self, r: int, cells) -> None:
        """Report bad cells of a row that cannot be stored anyway, so one upload shows all."""
        for col, ind, raw in cells:
            _, message = parse_value(raw, ind)
            if message:
                self.error(cell_name(r, col), f"{ind.name}：{message}")

    def _read_cells(
        self, r: int, village: str, row: list[object]
    ) -> tuple[dict[str, float], list[str]]:
        """The row's values and their cells, in column order; a plain number within its bounds
        skips `parse_value` (the common case), anything else goes through it, so every message
        stays the same."""
        town = village == TOWN
        values: dict[str, float] = {}
        cells: list[str] = []
        number = str(r + 1)
        width = len(row)
        for col, ind, letter, name, whole, low, high, town_row, village_rows in self._columns:
            if col >= width:
                continue
            raw = row[col]
            kind = type(raw)
            if kind is str and raw == "":
                continue
            if (
                (kind is float or kind is int)
                and math.isfinite(raw)
                and (not whole or float(raw).is_integer())
                and (low is None or raw >= low)
                and (high is None or raw <= high)
            ):
                value = float(raw)
            else:
                value, message = parse_value(raw, ind)
                if message:
                    self.error(letter + number, f"{name}：{message}")
                    continue
                if value is None:
                    continue
            if town and not town_row:
                self.error(
                    letter + number,
                    f"“{name}”按村（社区）填报，全镇行请留空",
                    "全镇合计由各村数据自动相加",
                )
                continue
            if not town and not village_rows:
                self.error(letter + number, f"“{name}”只在“全镇”行填报，村（社区）行请留空")
                continue
            values[name] = value
            cells.append(letter + number)
        return values, cells

    def _contest_total(self, r: int, values: dict[str, float], row_cells: list[str], cells) -> None:
        items = self.catalogue.contest.items
        present = [values[i.name] for i in items if i.name in values]
        total_col = next((col for col, ind, _ in cells if ind.name == TOTAL_SCORE), None)
        where = cell_name(r, total_col) if total_col is not None else f"第 {r + 1} 行"
        if TOTAL_SCORE in values:
            if len(present) == len(items) and abs(sum(present) - values[TOTAL_SCORE]) > 0.01:
                self.error(
                    where,
                    f"总分 {values[TOTAL_SCORE]:g} 不等于各评分项之和 {sum(present):g}",
                    "请核对总分或各项得分",
                )
        elif present:
            if len(present) < len(items):
                self.error(where, "评分项没有填全，又没有填总分", "请补全各评分项，或填写总分")
                return
            total = round(sum(present), 2)
            if total > self.catalogue.contest.full_marks:
                self.error(
                    where, f"各项之和 {total:g} 超过满分 {self.catalogue.contest.full_marks:g}"
                )
                return
            values[TOTAL_SCORE] = total
            row_cells.append(f"{where}（由各项相加）")

    def _check_total(self, r: int, cells, data_rows) -> None:
        for col, ind, raw in cells:
            value, message = parse_value(raw, ind)
            if message:
                self.error(cell_name(r, col), f"合计行 {ind.name}：{message}")
                continue
            if value is None or ind.combine != "sum":
                continue
            expected = sum(vals.get(ind.name, 0.0) for _, _, vals in data_rows)
            if abs(expected - value) > 0.01:
                self.error(
                    cell_name(r, col),
                    f"合计 {value:g} 与上方各行之和 {expected:g} 不符（{ind.name}）",
                    "请核对合计或各行数据（合计行本身不会导入）",
                )


def _open(data: bytes, file_name: str) -> python_calamine.CalamineWorkbook:
    try:
        return python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except python_calamine.PasswordError:
        raise WorkbookError(
            problems=[
                Problem(
                    "工作簿设置了密码，无法读取", file=file_name, hint="请取消密码后另存为 .xlsx"
                )
            ],
            title=TITLE,
        ) from None
    except Exception:
        raise WorkbookError(
            problems=[
                Problem(
                    "文件已损坏或不是标准的 Excel 工作簿，无法读取",
                    file=file_name,
                    hint="请用 Excel/WPS 打开后另存为 .xlsx 再上传",
                )
            ],
            title=TITLE,
        ) from None


def _parsed_sheets(data: bytes, names: list[str]) -> Iterator[list[list[object]] | None]:
    """The cells of these sheets, in order (None for a sheet that cannot be read).

    The sheets are parsed one after another in a worker thread while the caller checks the
    ones before: the parser releases the GIL, so on two cores parsing and checking overlap.
    Only the sheet being checked is turned into Python lists; parsed sheets wait in the
    parser's own compact form.
    """
    if not names:
        return
    opened: list[python_calamine.CalamineWorkbook] = []

    def parse(name: str) -> python_calamine.CalamineSheet | None:
        try:
            if not opened:  # the worker's own workbook, used by that thread only
                opened.append(python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data)))
            return opened[0].get_sheet_by_name(name)
        except Exception:
            return None

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sheet-parser") as pool:
        pending = [pool.submit(parse, name) for name in names]
        for future in pending:
            sheet = future.result()
            try:
                yield None if sheet is None else sheet.to_python(skip_empty_area=False)
            except Exception:
                yield None


@contextmanager
def gc_paused() -> Iterator[None]:
    """Hold Python's cycle collector while a workbook is read or stored.

    Reading a back-fill builds a hundred thousand short-lived lists, dicts and numbers, none of
    them in a cycle (reference counting frees them); meanwhile the collector would repeatedly
    walk every object of the server process, adding a fifth to the time. Collection resumes
    afterwards, unless it was already held.
    """
    held = not gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if not held:
            gc.enable()


def read_workbook(
    data: bytes, file_name: str, catalogue: Catalogue, month: str | None = None
) -> ParsedWorkbook:
    """Validate a workbook and return its values; raise WorkbookError with every problem at once.

    `month` is the month chosen on the upload form (or `--month`), used where the sheet has no
    月份 column or a row leaves it empty.
    """
    with gc_paused():
        return _read_workbook(data, file_name, catalogue, month)


def _read_workbook(
    data: bytes, file_name: str, catalogue: Catalogue, month: str | None
) -> ParsedWorkbook:
    if month is not None:
        month = months.parse_month(month)
    problem = sniff(data, file_name)
    if problem:
        raise WorkbookError(problems=[problem], title=TITLE)
    problems = check_archive(data, file_name)
    if problems:
        raise WorkbookError(problems=problems, title=TITLE)
    book = _open(data, file_name)
    known = {norm(s): s for s in catalogue.sheet_names}
    ignored: list[str] = []
    sheets: list[_Sheet] = []
    problems = []
    seen_areas: dict[str, str] = {}
    # Each sheet: its area to read, or the problem it is (a second sheet of one area).
    plan: list[tuple[str, str | Problem]] = []
    for sheet_name in book.sheet_names:
        area = known.get(norm(sheet_name))
        if area is None:
            near = [s for s in catalogue.sheet_names if s in sheet_name]
            ignored.append(
                f"{sheet_name}（名称须与领域完全一致，如“{near[0]}”）" if near else sheet_name
            )
            continue
        if area in seen_areas:
            duplicate = f"工作表“{sheet_name}”与“{seen_areas[area]}”重复"
            plan.append((sheet_name, Problem(duplicate, file=file_name, sheet=sheet_name)))
            continue
        seen_areas[area] = sheet_name
        plan.append((sheet_name, area))
    cells = _parsed_sheets(data, [name for name, area in plan if isinstance(area, str)])
    try:
        for sheet_name, area in plan:
            if isinstance(area, Problem):
                problems.append(area)
                continue
            rows = next(cells)
            if rows is None:
                problems.append(Problem("工作表已损坏，无法读取", file=file_name, sheet=sheet_name))
                continue
            sheet = _Sheet(sheet_name, area, file_name, catalogue, month)
            sheet.read(rows)
            problems += sheet.problems
            sheets.append(sheet)
    finally:
        cells.close()  # ends the parser thread
    if not seen_areas and not problems:
        problems.append(
            Problem(
                "工作簿中没有可识别的工作表",
                file=file_name,
                hint=f"工作表名称应为：{'、'.join(catalogue.sheet_names)}",
            )
        )
    if problems:
        raise WorkbookError(problems=problems, title=TITLE)
    rows = [row for sheet in sheets for row in sheet.rows]
    order = {name: i for i, name in enumerate(catalogue.sheet_names)}
    slices = sorted(
        {(sheet.area, m) for sheet in sheets for m in sheet.months},
        key=lambda s: (order[s[0]], s[1]),
    )
    notes = [f"工作表“{s.name}”没有填写任何数据，已跳过" for s in sheets if not s.months]
    if not slices:
        raise WorkbookError(
            problems=[
                Problem("工作簿中没有任何已填写的数据", file=file_name, hint="请填写后再上传")
            ],
            title=TITLE,
        )
    return ParsedWorkbook(
        file_name=file_name,
        sha256=hashlib.sha256(data).hexdigest(),
        rows=rows,
        slices=slices,
        ignored_sheets=ignored,
        notes=notes,
    )


def to_frame(records: Iterable[tuple]) -> pd.DataFrame:
    """Records → the tidy value table with stable dtypes (value float, the rest text)."""
    frame = pd.DataFrame.from_records(list(records), columns=COLUMNS)
    frame["value"] = frame["value"].astype("float64")
    return frame


# ---------------------------------------------------------------- template

_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_BLOCKED_FILL = PatternFill("solid", fgColor="E7E6E6")
_TOWN_FILL = PatternFill("solid", fgColor="FFF2CC")
_THIN = Side(style="thin", color="A6A6A6")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def _rules_text(catalogue: Catalogue) -> list[tuple[str, str]]:
    contest = catalogue.contest
    items = "、".join(f"{i.name}（{i.max:g}分）" for i in contest.items)
    return [
        (
            "适用",
            f"{catalogue.township_name}每月工作数据填报。每个工作表对应一个工作领域，表名不要修改。",
        ),
        (
            "表头",
            "第 3 行为表头，“村（社区）”列和“月份”列不要删除；指标列可以删去不填的，但不要改名。",
        ),
        (
            "月份",
            "写成 2024-03、2024年3月 或 202403，也可以用日期格式的单元格；不要写成小数 2024.1。",
        ),
        (
            "村（社区）",
            f"使用本镇名单中的名称；“全镇”行填写镇本级开展的工作。名单：{'、'.join(catalogue.village_names)}。",
        ),
        (
            "灰色格子",
            "灰色格子不用填：按村填报的指标全镇行留空（全镇合计自动相加），只在全镇填报的指标各村行留空。",
        ),
        (
            "数字",
            "只填数字。次数、人数、户数等为不小于 0 的整数；百分比填 0–100 之间的数（如 95.5）；金额不能为负。",
        ),
        ("未报", "没有数据请留空，或填“-”“/”；留空表示“未报”，不会当作 0。确实为零请填 0。"),
        ("合计行", "可以保留“合计”行，导入时会核对各列合计，但合计行本身不导入。"),
        ("多个月", "一个工作簿可以包含多个月（补录历史数据时），每行填写各自的月份。"),
        (
            "替换",
            "同一领域同一月份再次上传，会替换当前数据；旧版本保留，可在“数据管理”中恢复。整张表都空着的工作表不会导入。",
        ),
        (
            "打擂",
            f"“{contest.sheet}”表填写各村当月得分：{items}，满分 {contest.full_marks:g} 分；总分可不填，自动相加。",
        ),
        (
            "出错",
            "上传时会一次列出所有问题（工作表和单元格位置），全部改正后才会导入，不会导入一半。",
        ),
    ]


def write_template(catalogue: Catalogue, month: str | None = None) -> bytes:
    """The blank monthly workbook: villages pre-filled, units in headers, a 填表说明 sheet."""
    buffer = io.BytesIO()
    template_book(catalogue, month).save(buffer)
    return buffer.getvalue()


def _styles() -> dict[str, NamedStyle]:
    """Named styles, registered once per workbook: far cheaper than styling cell by cell."""
    plain = NamedStyle("填报格", border=_BORDER)
    blocked = NamedStyle("不填格", border=_BORDER, fill=_BLOCKED_FILL)
    town = NamedStyle("全镇格", border=_BORDER, fill=_TOWN_FILL)
    month = NamedStyle("月份格", border=_BORDER, number_format="@")
    return {"plain": plain, "blocked": blocked, "town": town, "month": month}


def template_book(catalogue: Catalogue, month: str | None = None) -> Workbook:
    """The template as an openpyxl workbook (the sample generator fills it before saving)."""
    month = months.parse_month(month) if month else None
    wb = Workbook()
    styles = _styles()
    for style in styles.values():
        wb.add_named_style(style)
    notes = wb.active
    notes.title = "填表说明"
    notes["A1"] = f"{catalogue.township_name}月度工作数据填报说明"
    notes["A1"].font = Font(bold=True, size=14)
    for i, (head, text) in enumerate(_rules_text(catalogue), start=3):
        notes.cell(i, 1, head).font = Font(bold=True)
        notes.cell(i, 2, text).alignment = Alignment(wrap_text=True, vertical="top")
    notes.column_dimensions["A"].width = 14
    notes.column_dimensions["B"].width = 100
    row_names = [*catalogue.village_names, TOWN]
    for sheet in catalogue.sheet_names:
        ws = wb.create_sheet(sheet)
        indicators = catalogue.sheet_indicators(sheet)
        contest = sheet == catalogue.contest.sheet
        names = catalogue.village_names if contest else row_names
        period = months.label(month) if month else "____年__月"
        title = f"{catalogue.township_name}{period}{sheet}{'评分表' if contest else '工作统计表'}"
        ws.cell(1, 1, title).font = Font(bold=True, size=14)
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=2 + len(indicators))
        ws.cell(2, 1, "填报单位：                 填表人：                 填报日期：")
        headers = ["村（社区）", "月份", *[i.label for i in indicators]]
        for col, text in enumerate(headers, start=1):
            cell = ws.cell(3, col, text)
            cell.font = Font(bold=True)
            cell.fill = _HEADER_FILL
            cell.border = _BORDER
            cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
            ws.column_dimensions[get_column_letter(col)].width = (
                12 if col <= 2 else max(10, min(24, len(text) * 1.8))
            )
        ws.row_dimensions[3].height = 48
        for col, ind in enumerate(indicators, start=3):
            ws.cell(3, col).comment = Comment(_column_note(ind), "填表说明")
        for r, name in enumerate(names, start=4):
            ws.cell(r, 1, name).style = "填报格"
            ws.cell(r, 2, month or "").style = "月份格"
            for col, ind in enumerate(indicators, start=3):
                blocked = (name == TOWN and not ind.town_row) or (
                    name != TOWN and not ind.village_rows
                )
                style = "不填格" if blocked else "全镇格" if name == TOWN else "填报格"
                ws.cell(r, col).style = style
        last_row = 3 + len(names)
        _add_validations(ws, indicators, last_row)
        ws.freeze_panes = "C4"
    return wb


def _column_note(ind: Indicator) -> str:
    parts = [f"单位：{ind.unit}", f"多月合计：{'各月相加' if ind.combine == 'sum' else '取最新值'}"]
    parts.append(
        {"village": "各村填报，全镇行留空", "town": "只填全镇行", "both": "各村和全镇都可填"}[
            ind.level
        ]
    )
    if ind.max is not None:
        parts.append(f"范围：{ind.min or 0:g}–{ind.max:g}")
    return "；".join(parts)


def _add_validations(ws, indicators: tuple[Indicator, ...], last_row: int) -> None:
    for col, ind in enumerate(indicators, start=3):
        letter = get_column_letter(col)
        if ind.whole:
            rule = DataValidation(
                type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True
            )
            rule.error = f"{ind.name}须为不小于 0 的整数（{ind.unit}）；未报请留空"
        else:
            high = ind.max if ind.max is not None else 1e12
            rule = DataValidation(
                type="decimal",
                operator="between",
                formula1=f"{ind.min or 0:g}",
                formula2=f"{high:g}",
                allow_blank=True,
            )
            rule.error = f"{ind.name}须在 {ind.min or 0:g} 到 {high:g} 之间；未报请留空"
        rule.errorTitle = "数值有误"
        rule.showErrorMessage = True
        ws.add_data_validation(rule)
        rule.add(f"{letter}4:{letter}{last_row}")
