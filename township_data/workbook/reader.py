"""Reading a whole workbook: what the file is, its bounds, its sheets, all problems at once.

.xlsx, .xlsm and .xls are read through calamine, with the same checks and limits for all: the
archive (or the .xls sheet extents) is bounded before any sheet is parsed, and what calamine
does not give — number formats, hidden rows and columns, formulas without values — comes from
the file itself (facts.py). Reading turns a workbook into rows of values with the file, sheet
and cell each came from, ready for the store, or raises WorkbookError listing every problem.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import python_calamine

from .. import config, months
from ..catalogue import Catalogue, norm
from ..errors import Problem, WorkbookError
from ..gc_pause import gc_paused
from ..packing import Slice
from ..parsed import ParsedWorkbook
from . import formats
from .archive import open_archive, sheet_problem, sniff, too_wide, upload_too_large
from .events import events_of_book, is_events_sheet
from .facts import FactsError, SheetFacts
from .sheet import SheetReader
from .spans import span_problems, spanned_areas
from .xls_facts import EncryptedError, scan_xls
from .xlsx_facts import scan_xlsx

TITLE = "导入失败"
# Below this size a workbook's sheets are parsed in the reading thread itself.
_SMALL_WORKBOOK = 256 * 1024
_BROKEN = "文件已损坏或不是标准的 Excel 工作簿，无法读取"
_RESAVE = "请用 Excel/WPS 打开后另存为 .xlsx 再上传"


def _refuse(problems: list[Problem]) -> WorkbookError:
    return WorkbookError(problems=problems, title=TITLE)


def _kind(data: bytes, file_name: str, zipped: zipfile.ZipFile | None) -> str:
    """xlsx, xlsm or xls; anything else is refused with what it is and what to do."""
    detected = formats.detect(data, file_name, zipped)
    if detected.readable:
        return detected.kind
    if detected.kind == "text":
        problem = sniff(data, file_name)
    else:
        problem = Problem(detected.problem or _BROKEN, file=file_name, hint=detected.hint)
    raise _refuse([problem or Problem(_BROKEN, file=file_name, hint=_RESAVE)])


def _open(data: bytes, file_name: str) -> python_calamine.CalamineWorkbook:
    try:
        return python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except python_calamine.PasswordError:
        raise _refuse(
            [Problem("工作簿设置了密码，无法读取", file=file_name, hint="请取消密码后另存为 .xlsx")]
        ) from None
    except Exception:
        raise _refuse([Problem(_BROKEN, file=file_name, hint=_RESAVE)]) from None


def _facts(
    data: bytes | zipfile.ZipFile,
    kind: str,
    names: list[str],
    file_name: str,
    kept: dict[str, bytes] | None = None,
) -> dict[str, SheetFacts]:
    """Formats, hidden rows and columns, merges and formulas of the sheets to read (from the
    archive already opened for the size checks, or an .xls file's bytes)."""
    try:
        if isinstance(data, zipfile.ZipFile):
            return scan_xlsx(data, names, kept=kept)
        return scan_xls(data, names) if kind == "xls" else scan_xlsx(data, names)
    except EncryptedError:
        hint = "请取消密码（文件 → 信息 → 保护工作簿）后另存为 .xlsx 再上传"
        raise _refuse(
            [Problem("工作簿设置了打开密码，无法读取", file=file_name, hint=hint)]
        ) from None
    except FactsError:
        raise _refuse([Problem(_BROKEN, file=file_name, hint=_RESAVE)]) from None


def _too_big(rows: int, cols: int) -> str | None:
    if rows > config.MAX_SHEET_ROWS:
        return f"工作表有 {rows:,} 行，超过上限 {config.MAX_SHEET_ROWS:,} 行"
    return too_wide(rows, cols)


class SheetParser:
    """Parses sheets in a worker thread, each once it has been allowed (every size checked).

    The parser releases the GIL, so on two cores parsing overlaps the scan of formats and the
    reading of the sheets before. Only the sheet being
    read is turned into Python lists; parsed sheets wait in the parser's own compact form. A
    small workbook (a village's file) is parsed in the reading thread: a thread would cost
    more than it saves.
    """

    def __init__(self, data: bytes, book: python_calamine.CalamineWorkbook) -> None:
        self._data = data
        self._pool = (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="sheet-parser")
            if len(data) >= _SMALL_WORKBOOK
            else None
        )
        # In the reading thread, the reader's own workbook; a worker opens its own.
        self._opened: list[python_calamine.CalamineWorkbook] = [] if self._pool else [book]
        self._pending: dict[str, Future[python_calamine.CalamineSheet | None]] = {}

    def _parse(self, name: str) -> python_calamine.CalamineSheet | None:
        try:
            if not self._opened:  # the parser's own workbook, used by one thread only
                self._opened.append(
                    python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(self._data))
                )
            return self._opened[0].get_sheet_by_name(name)
        except Exception:
            return None

    def allow(self, name: str) -> None:
        """Start parsing a sheet whose size has been checked."""
        if self._pool is not None and name not in self._pending:
            self._pending[name] = self._pool.submit(self._parse, name)

    def cells(self, name: str) -> list[list[Any]] | str | None:
        """The sheet's cells as lists; None when it cannot be read, the Chinese reason when its
        used range is beyond the limits (checked before it becomes lists)."""
        if self._pool is None:
            return _cells_of(self._parse(name))
        self.allow(name)
        return _cells_of(self._pending.pop(name).result())

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)


def _cells_of(sheet: python_calamine.CalamineSheet | None) -> list[list[Any]] | str | None:
    """A parsed sheet as lists, or why not (see `SheetParser.cells`)."""
    if sheet is None:
        return None
    reason = _too_big(sheet.total_height, sheet.total_width)
    if reason:
        return reason
    try:
        return sheet.to_python(skip_empty_area=False)
    except Exception:
        return None


def read_workbook(
    data: bytes, file_name: str, catalogue: Catalogue, month: str | None = None
) -> ParsedWorkbook:
    """Validate a workbook and return its values; raise WorkbookError with every problem at once.

    `month` is the month chosen on the upload form (or `--month`), used where the sheet has no
    月份 column or a row leaves it empty.
    """
    with gc_paused():
        return _read_workbook(data, file_name, catalogue, month)


def _plan(
    book: python_calamine.CalamineWorkbook, catalogue: Catalogue, file_name: str
) -> tuple[list[tuple[str, str | Problem]], list[str], dict[str, bool]]:
    """Each sheet to read with its area (or the problem it is), the sheets ignored, and which
    sheets are hidden."""
    known = {norm(s): s for s in catalogue.sheet_names}
    hidden = {
        meta.name: str(meta.visible).rsplit(".", 1)[-1].lower() != "visible"
        for meta in book.sheets_metadata
    }
    ignored: list[str] = []
    seen_areas: dict[str, str] = {}
    plan: list[tuple[str, str | Problem]] = []
    for sheet_name in book.sheet_names:
        area = known.get(norm(sheet_name))
        if area is None and is_events_sheet(sheet_name):
            continue  # read by events_of_book
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
    return plan, ignored, hidden


def _read_workbook(
    data: bytes, file_name: str, catalogue: Catalogue, month: str | None
) -> ParsedWorkbook:
    if month is not None:
        month = months.parse_month(month)
    zipped = formats.open_zip(data)  # opened once for the kind and the archive checks
    kind = _kind(data, file_name, zipped)
    archive: zipfile.ZipFile | None = None
    entries: list[tuple[zipfile.ZipInfo, str | None]] = []
    if kind == "xls":
        # An .xls is bounded by its size here and by its sheets' extents as calamine opens
        # them (`_cells_of`): its sheets are not zipped XML that could unpack to more.
        too_large = upload_too_large(data, file_name)
        problems = [too_large] if too_large else []
    else:
        problems, archive, entries = open_archive(data, file_name, zipped)
    kept: dict[str, bytes] = {}  # sheets the size checks unpacked, for the format scan
    if archive is not None:
        # Every worksheet entry is bounded before calamine opens the workbook: which entry
        # calamine reads for a sheet is calamine's business, so none may be skipped.
        problems = _bound_sheets(archive, entries, file_name, kept)
    if problems:
        raise _refuse(problems)
    book = _open(data, file_name)
    plan, ignored, hidden = _plan(book, catalogue, file_name)
    names = [name for name, area in plan if isinstance(area, str)]
    parser = SheetParser(data, book)
    try:
        for name in names:  # parsed in a worker beside the format scan and the reading
            parser.allow(name)
        facts = _facts(archive or data, kind, names, file_name, kept) if names else {}
        sheets = _read_sheets(parser, plan, facts, hidden, file_name, catalogue, month, problems)
    finally:
        parser.close()
    event_sheets = [name for name in book.sheet_names if is_events_sheet(name)]
    events, late = events_of_book(book, event_sheets, file_name, catalogue, bool(names))
    spanned = spanned_areas(catalogue)
    spanned_rows = [r for s in sheets if s.area in spanned for r in s.rows]
    problems += late + span_problems(spanned_rows, file_name, catalogue)
    if not any(isinstance(area, str) for _, area in plan) and not problems:
        problems.append(
            Problem(
                "工作簿中没有可识别的工作表",
                file=file_name,
                hint=f"工作表名称应为：{'、'.join(catalogue.sheet_names)}",
            )
        )
    if problems:
        raise _refuse(problems)
    parsed = _parsed(data, file_name, catalogue, sheets, ignored)
    parsed.events = events
    return parsed


def _bound_sheets(
    archive: zipfile.ZipFile,
    entries: list[tuple[zipfile.ZipInfo, str | None]],
    file_name: str,
    kept: dict[str, bytes] | None = None,
) -> list[Problem]:
    """Every worksheet entry's size checked (archive.py), all problems in archive order."""
    return [
        problem
        for info, sheet in entries
        if (problem := sheet_problem(archive, info, file_name, sheet, kept)) is not None
    ]


def _read_sheets(
    parser: SheetParser,
    plan: list[tuple[str, str | Problem]],
    facts: dict[str, SheetFacts],
    hidden: dict[str, bool],
    file_name: str,
    catalogue: Catalogue,
    month: str | None,
    problems: list[Problem],
) -> list[SheetReader]:
    sheets: list[SheetReader] = []
    for sheet_name, area in plan:
        if isinstance(area, Problem):
            problems.append(area)
            continue
        rows = parser.cells(sheet_name)
        if rows is None or isinstance(rows, str):
            message = rows or "工作表已损坏，无法读取"
            problems.append(Problem(message, file=file_name, sheet=sheet_name))
            continue
        sheet_facts = facts.get(sheet_name) or SheetFacts()
        sheet_facts.hidden = sheet_facts.hidden or hidden.get(sheet_name, False)
        sheet = SheetReader(sheet_name, area, file_name, catalogue, month, sheet_facts)
        sheet.read(rows)
        problems += sheet.problems
        sheets.append(sheet)
    return sheets


def _parsed(
    data: bytes,
    file_name: str,
    catalogue: Catalogue,
    sheets: list[SheetReader],
    ignored: list[str],
) -> ParsedWorkbook:
    pieces: list[Slice] = []
    placed: list[tuple[int, int]] = []
    for sheet in sheets:
        placed += [(len(pieces) + p, v) for p, v in sheet.order]
        pieces += sheet.pieces
    order = {name: i for i, name in enumerate(catalogue.sheet_names)}
    slices = sorted(
        {(sheet.area, m) for sheet in sheets for m in sheet.months},
        key=lambda s: (order[s[0]], s[1]),
    )
    notes = [note for sheet in sheets for note in sheet.notes]
    notes += [f"工作表“{s.name}”没有填写任何数据，已跳过" for s in sheets if not s.months]
    if not slices:
        raise _refuse(
            [Problem("工作簿中没有任何已填写的数据", file=file_name, hint="请填写后再上传")]
        )
    return ParsedWorkbook(
        file_name=file_name,
        sha256=hashlib.sha256(data).hexdigest(),
        pieces=pieces,
        slices=slices,
        ignored_sheets=ignored,
        notes=notes,
        columns={sheet.area: sheet.columns for sheet in sheets},
        letters={sheet.area: sheet.letters for sheet in sheets},
        warnings=[text for sheet in sheets for text in sheet.warnings],
        order=placed,
    )
