"""What a sheet's file says beyond its values, turned into problems, notes and warnings.

Problems (nothing is stored): a formula without a calculated value, an error value such as
#DIV/0!, a number merged over several rows (whose row is it?). Notes (said in the preview):
hidden sheets, rows and columns whose figures were read. Warnings (the clerk should look): a %
column whose every value looks like a fraction, without a percent format.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..errors import Problem
from ..packing import SheetRow
from .cells import cell_name
from .facts import SheetFacts, column_letters
from .header import Header

_ROW = re.compile(r"\d+")
_LETTERS = re.compile(r"^[A-Z]+")


def _row_of(cell: str) -> int | None:
    found = _ROW.search(cell)
    return int(found.group(0)) - 1 if found else None


def formula_problems(
    facts: SheetFacts, head: Header, last: int, where: dict[str, str]
) -> list[Problem]:
    """Formulas with no cached value and error cells among the data: read as empty by any
    reader, they would silently become 未报."""
    if not facts.uncached_formulas and not facts.error_cells:
        return []
    columns = {c.col for c in head.columns} | {head.village_col}
    if head.month_col is not None:
        columns.add(head.month_col)
    problems = []
    for r, c in sorted(facts.uncached_formulas):
        if r > last and c in columns:
            problems.append(
                Problem(
                    "单元格是公式，但文件中没有它的计算结果",
                    hint="请用 Excel 或 WPS 打开并保存后再上传",
                    cell=cell_name(r, c),
                    **where,
                )
            )
    for (r, c), error in sorted(facts.error_cells.items()):
        if r > last and c in columns:
            problems.append(
                Problem(
                    f"单元格是错误值 {error}",
                    hint="请改正公式或直接填写数值；未报请留空",
                    cell=cell_name(r, c),
                    **where,
                )
            )
    return problems


def merged_data_problems(
    facts: SheetFacts, head: Header, where: dict[str, str], rows: list[list[object]] | None = None
) -> list[Problem]:
    """A figure merged over several cells of the data is shown once for several rows or
    columns: which one it belongs to cannot be told."""
    if not facts.merged:
        return []
    columns = {c.col for c in head.columns}
    problems = []
    for r0, c0, r1, c1 in facts.merged:
        if r1 <= head.last or (r0 == r1 and c0 == c1):
            continue
        if not columns & set(range(c0, c1 + 1)):
            continue
        if c0 == c1 and c0 in (head.village_col, head.month_col):
            continue
        value: object = ""
        if rows is not None and r0 < len(rows) and c0 < len(rows[r0]):
            value = rows[r0][c0]
        if value == "" and rows is not None:
            continue
        span = f"{cell_name(r0, c0)}:{cell_name(r1, c1)}"
        problems.append(
            Problem(
                f"数值所在的单元格 {span} 是合并单元格，无法确定数值属于哪一行（列）",
                hint="请取消合并，在每一行分别填写",
                cell=cell_name(r0, c0),
                **where,
            )
        )
    return problems


def hidden_notes(facts: SheetFacts, head: Header, rows: list[SheetRow], sheet: str) -> list[str]:
    """Hidden parts whose figures were read: the clerk may not have seen them."""
    notes = []
    if facts.hidden:
        notes.append(f"工作表“{sheet}”是隐藏的工作表，其中的数据已读取")
    if not facts.hidden_rows and not facts.hidden_cols:
        return notes
    read_rows = {
        row for *_, cells in rows for row in (_row_of(c) for c in cells[:1]) if row is not None
    }
    hidden_rows = sorted(read_rows & facts.hidden_rows)
    if hidden_rows:
        shown = "、".join(str(r + 1) for r in hidden_rows[:10])
        more = f"等 {len(hidden_rows)} 行" if len(hidden_rows) > 10 else ""
        notes.append(f"工作表“{sheet}”第 {shown} 行{more}是隐藏的，其中的数据已读取，请核对")
    letters = {c.col: column_letters(c.col) for c in head.columns}
    used = {found.group(0) for *_, cells in rows for c in cells if (found := _LETTERS.match(c))}
    hidden_cols = [letters[c] for c in sorted(facts.hidden_cols) if c in letters]
    hidden_cols = [letter for letter in hidden_cols if letter in used]
    if hidden_cols:
        notes.append(
            f"工作表“{sheet}”第 {'、'.join(hidden_cols)} 列是隐藏的，其中的数据已读取，请核对"
        )
    return notes


def percent_warnings(
    facts: SheetFacts, head: Header, values_of: Callable[[str], list[float]], sheet: str
) -> list[str]:
    """A % column whose every value is at most 1, none formatted as percent: 95.5% typed as
    0.955? The preview asks. `values_of`: an indicator's values as read, in sheet order."""
    warnings: list[str] = []
    if not any(c.indicator.kind == "percent" for c in head.columns):
        return warnings
    percent_cols = {col for _, col in facts.percent_cells}
    for column in head.columns:
        ind = column.indicator
        if ind.kind != "percent" or column.col in percent_cols or column.factor != 1:
            continue
        found = values_of(ind.name)
        if found and all(v <= 1 for v in found) and any(v > 0 for v in found):
            letter = column_letters(column.col)
            warnings.append(
                f"工作表“{sheet}”{letter} 列“{ind.name}”的数值都不大于 1（如 {found[0]:g}），"
                f"是否把百分数填成了小数（95.5% 应填 95.5）？如是，请改正后重新上传"
            )
    return warnings
