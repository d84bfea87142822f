"""Reading a whole workbook: open it, parse its sheets, check each, all problems at once.

Reading turns a workbook into rows of values with the file/sheet/cell each came from, ready for
the store, or raises WorkbookError listing every problem at once.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import python_calamine

from .. import months
from ..catalogue import Catalogue, norm
from ..errors import Problem, WorkbookError
from ..gc_pause import gc_paused
from ..parsed import ParsedWorkbook
from .archive import check_archive, sniff
from .events import events_of_book, is_events_sheet
from .sheet import SheetReader
from .spans import span_problems

TITLE = "导入失败"


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
    sheets: list[SheetReader] = []
    problems = []
    seen_areas: dict[str, str] = {}
    # Each sheet: its area to read, or the problem it is (a second sheet of one area).
    plan: list[tuple[str, str | Problem]] = []
    event_sheets = [name for name in book.sheet_names if is_events_sheet(name)]
    for sheet_name in book.sheet_names:
        area = known.get(norm(sheet_name))
        if area is None and sheet_name in event_sheets:
            continue
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
            sheet = SheetReader(sheet_name, area, file_name, catalogue, month)
            sheet.read(rows)
            problems += sheet.problems
            sheets.append(sheet)
    finally:
        cells.close()  # ends the parser thread
    events, late = events_of_book(book, event_sheets, file_name, catalogue, bool(seen_areas))
    problems += late + span_problems([r for s in sheets for r in s.rows], file_name, catalogue)
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
        events=events,
    )
