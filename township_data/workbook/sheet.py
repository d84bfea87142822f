"""One sheet's rules: find the header, map the columns, read each row into values.

Every problem is collected with its cell, so one upload shows all of them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter

from .. import months
from ..catalogue import TOTAL_SCORE, TOWN, Catalogue, Indicator, norm
from ..errors import Problem
from ..packing import SheetRow
from .cells import cell_name, filled, parse_value

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
HEADER_SEARCH_ROWS = 10


@dataclass
class SheetReader:
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
    # The indicators the sheet has a column for (what an import of it may change).
    columns: list[str] = field(default_factory=list)
    letters: dict[str, str] = field(default_factory=dict)
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
        self.columns = [ind.name for _, ind in indicator_cols]
        self.letters = {ind.name: get_column_letter(col + 1) for col, ind in indicator_cols}
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
        return any(filled(raw) for _, _, raw in self._cells(row))

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
