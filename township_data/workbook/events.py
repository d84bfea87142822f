"""The workbook's 大事记 sheet: one event a row (日期, 领域, 村（社区）, 类别, 事件).

Written into the blank template after the area sheets, read by the reader beside them (the
events travel with the month's data) and by the 大事记 page on its own. Every problem names
the file, the sheet and the row.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import python_calamine
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from .. import months
from ..catalogue import Catalogue, norm
from ..errors import Problem, WorkbookError
from ..events import GENERAL, HEADERS, SHEET, Event, EventError, make_event
from .archive import check_archive, sniff

_HEADER_ROW_LIMIT = 10
_FILL = PatternFill("solid", fgColor="DDEBF7")
_WIDTHS = (14, 12, 22, 12, 60)
_BLANK_ROWS = 20


def is_events_sheet(name: str) -> bool:
    return norm(name) == norm(SHEET)


def add_events_sheet(book: Workbook, catalogue: Catalogue, month: str | None) -> None:
    """The 大事记 sheet of the template: a title, the header and lists to choose from."""
    ws = book.create_sheet(SHEET)
    period = months.label(month) if month else "____年__月"
    ws.cell(1, 1, f"{catalogue.township_name}{period}大事记").font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    ws.cell(2, 1, "每行一件事：日期写成 2024-07-05；村（社区）可写多个，用“、”分隔，全镇留空。")
    for col, (text, width) in enumerate(zip(HEADERS, _WIDTHS, strict=True), start=1):
        cell = ws.cell(3, col, text)
        cell.font = Font(bold=True)
        cell.fill = _FILL
        cell.alignment = Alignment(horizontal="center")
        ws.column_dimensions[cell.column_letter].width = width
    last = 3 + _BLANK_ROWS
    areas = catalogue.areas_at(month) if month else catalogue.areas
    for column, names in (
        ("B", [*(a.name for a in areas), GENERAL]),
        ("D", list(catalogue.event_kinds)),
    ):
        rule = DataValidation(type="list", formula1=f'"{",".join(names)}"', allow_blank=True)
        rule.error = f"请从列表中选择：{'、'.join(names)}"
        rule.showErrorMessage = True
        ws.add_data_validation(rule)
        rule.add(f"{column}4:{column}{last}")
    ws.freeze_panes = "A4"


def _header(rows: Sequence[Sequence[object]]) -> tuple[int, dict[str, int]] | None:
    """(row index, column of each header) of the first row naming 日期 and 事件."""
    wanted = {norm(h): h for h in HEADERS}
    wanted[norm("村(居)")] = HEADERS[2]
    for index, row in enumerate(rows[:_HEADER_ROW_LIMIT]):
        found = {wanted[norm(c)]: col for col, c in enumerate(row) if norm(c) in wanted}
        if "日期" in found and "事件" in found:
            return index, found
    return None


def events_from_rows(
    rows: Sequence[Sequence[object]], sheet: str, file_name: str, catalogue: Catalogue
) -> tuple[list[Event], list[Problem]]:
    """The events of a 大事记 sheet's cells, and a located problem for each bad row."""
    found = _header(rows)
    if found is None:
        if any(str(c).strip() for row in rows for c in row):
            return [], [
                Problem(
                    f"前 {_HEADER_ROW_LIMIT} 行中没有表头“日期 … 事件”",
                    file=file_name,
                    sheet=sheet,
                    hint=f"表头应为：{'、'.join(HEADERS)}",
                )
            ]
        return [], []
    start, columns = found
    events: list[Event] = []
    problems: list[Problem] = []
    for index, row in enumerate(rows[start + 1 :], start=start + 2):

        def cell(name: str, row: Sequence[object] = row) -> object:
            col = columns.get(name)
            return row[col] if col is not None and col < len(row) else ""

        if not any(str(cell(h)).strip() for h in HEADERS):
            continue
        try:
            events.append(
                make_event(
                    catalogue,
                    cell("日期"),
                    cell("领域"),
                    cell("类别"),
                    cell("事件"),
                    cell(HEADERS[2]),
                )
            )
        except EventError as exc:
            problems.append(Problem(f"第 {index} 行：{exc}", file=file_name, sheet=sheet))
    return events, problems


def read_events(data: bytes, file_name: str, catalogue: Catalogue) -> list[Event]:
    """The events of a workbook's 大事记 sheet alone (the 大事记 page's import), after the
    same bounds on the file as a monthly workbook."""
    problem = sniff(data, file_name)
    problems = [problem] if problem else check_archive(data, file_name)
    if problems:
        raise WorkbookError(problems=problems, title="导入失败")
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception:
        raise WorkbookError(
            problems=[Problem("文件已损坏或不是 Excel 工作簿，无法读取", file=file_name)],
            title="导入失败",
        ) from None
    names = [n for n in book.sheet_names if is_events_sheet(n)]
    if not names:
        raise WorkbookError(
            problems=[Problem(f"工作簿中没有“{SHEET}”工作表", file=file_name)], title="导入失败"
        )
    rows = book.get_sheet_by_name(names[0]).to_python(skip_empty_area=False)
    found, problems = events_from_rows(rows, names[0], file_name, catalogue)
    if problems:
        raise WorkbookError(problems=problems, title="导入失败")
    if not found:
        raise WorkbookError(
            problems=[Problem(f"“{SHEET}”表中没有任何事件", file=file_name)], title="导入失败"
        )
    return found


def events_of_book(
    book: python_calamine.CalamineWorkbook,
    names: list[str],
    file_name: str,
    catalogue: Catalogue,
    has_data: bool,
) -> tuple[list[Event], list[Problem]]:
    """The events of the reader's workbook (its 大事记 sheets), with their problems; events
    without any month's data are the 大事记 page's to import."""
    events: list[Event] = []
    problems: list[Problem] = []
    for name in names:
        try:
            rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except Exception:
            problems.append(Problem("工作表已损坏，无法读取", file=file_name, sheet=name))
            continue
        found, wrong = events_from_rows(rows, name, file_name, catalogue)
        events += found
        problems += wrong
    if events and not has_data and not problems:
        problems.append(events_only(file_name))
    return events, problems


def events_only(file_name: str) -> Problem:
    """A workbook holding events but no month's data: the 大事记 page imports it."""
    return Problem(
        f"工作簿中只有“{SHEET}”，没有任何月报数据",
        file=file_name,
        hint=f"只导入大事记请到“{SHEET}”页上传",
    )
