"""One sheet's rules: find the header, map the columns, read each row into values.

Every problem is collected with its cell, so one upload shows all of them. What the file says
beyond its values (facts.py: percent formats, merged, hidden and formula cells) is applied so
that every value is read as the clerk saw it in Excel or WPS; what the reader did about it
(a unit converted, hidden rows read, the month taken from the title) becomes a note for the
preview, and what it cannot decide (a % column that looks like fractions) a warning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from openpyxl.utils import get_column_letter

from .. import months
from ..catalogue import TOTAL_SCORE, TOWN, Catalogue, norm
from ..errors import Problem
from ..packing import SheetRow, Slice, from_rows, rows_of
from . import columns as by_column
from . import header as headers
from . import totals as total_rows
from .cells import cell_name, filled, parse_value
from .facts import SheetFacts
from .sheet_notes import formula_problems, hidden_notes, merged_data_problems, percent_warnings
from .title_month import month_from_rows

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


@dataclass
class SheetReader:
    """Reading state of one sheet: keeps the per-sheet rules out of the workbook loop."""

    name: str
    area: str
    file: str
    catalogue: Catalogue
    form_month: str | None
    facts: SheetFacts = field(default_factory=SheetFacts)
    problems: list[Problem] = field(default_factory=list)
    # The sheet's values as the store keeps them, and where each row with values went:
    # (index in `pieces`, village index) in sheet order (`rows` is built from them on demand).
    pieces: list[Slice] = field(default_factory=list)
    order: list[tuple[int, int]] = field(default_factory=list)
    months: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
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
    _sheet_month: str | None = None
    _total_town: bool = False
    _data: list[total_rows.DataRow] = field(default_factory=list, repr=False)
    _totals: list[total_rows.TotalRow] = field(default_factory=list, repr=False)
    # The 打擂 sheet is read row by row (its 总分 is checked or added per row): its rows.
    _row_list: list[SheetRow] | None = field(default=None, repr=False)
    _read: by_column.ColumnValues | None = field(default=None, repr=False)
    _rows: list[SheetRow] | None = field(default=None, repr=False)

    @property
    def rows(self) -> list[SheetRow]:
        """(area, month, village, sheet, {indicator: value}, [cell]) per row with values."""
        if self._row_list is not None:
            return self._row_list
        if self._rows is None:
            self._rows = rows_of(self.pieces, self.order, {self.area: self.columns})
        return self._rows

    @property
    def where(self) -> dict[str, str]:
        return {"file": self.file, "sheet": self.name}

    def error(self, cell: str, message: str, hint: str = "") -> None:
        self.problems.append(Problem(message, cell=cell, hint=hint, **self.where))

    def read(self, rows: list[list[object]]) -> None:
        found = headers.find_header(rows, self.facts.merged)
        if found is None:
            self.error(
                "",
                f"前 {headers.HEADER_SEARCH_ROWS} 行中找不到表头“村（社区）”",
                "表头行须有一格写“村（社区）”，其后各列为指标名称；可下载模板对照",
            )
            return
        first, last, village_col = found
        headers.merged_fill(rows, self.facts.merged, first, last)
        head = headers.read_header(
            rows, first, last, village_col, self.catalogue, self.area, self.where
        )
        self.problems += head.problems
        self.notes += [f"工作表“{self.name}”{text}" for text in head.conversions]
        if not head.columns:
            return
        self._setup_columns(head)
        self._fill_label_merges(rows, head)
        self.problems += merged_data_problems(self.facts, head, self.where, rows)
        if not self._choose_month(rows, head):
            return
        self._read_rows(rows, head)
        if self._totals:
            for cell, message, hint in total_rows.check(self._totals, self._data, self._summed()):
                self.error(cell, message, hint)
        self.problems += formula_problems(self.facts, head, last, self.where)
        hidden = self.facts.hidden_rows or self.facts.hidden_cols
        self.notes += hidden_notes(self.facts, head, self.rows if hidden else [], self.name)
        self.warnings += percent_warnings(self.facts, head, self._values_of, self.name)

    def _values_of(self, name: str) -> list[float]:
        """One indicator's values in sheet order."""
        if self._read is not None:
            return by_column.column_values(self._read, self.columns.index(name))
        return [values[name] for *_, values, _ in self.rows if name in values]

    def _setup_columns(self, head: headers.Header) -> None:
        # a number needs nothing but the bounds where no unit factor and no percent cell is
        plain_sheet = not (self.facts.percent or self.facts.unclear_percent)
        key = ("columns", plain_sheet)
        made = head.memo.get(key)
        if not isinstance(made, ColumnSpecs):
            made = head.memo[key] = _column_specs(head.columns, plain_sheet)
        names, letters, specs = made
        self.columns = list(names)
        self.letters = dict(letters)
        self._columns = specs

    def _fill_label_merges(self, rows: list[list[object]], head: headers.Header) -> None:
        """A village (or month) merged down over several rows names each of them."""
        label_cols = {head.village_col, head.month_col}
        spans = [m for m in self.facts.merged if m[1] == m[3] and m[1] in label_cols]
        if any(m[0] > head.last for m in spans):
            headers.merged_fill(rows, spans, head.last + 1, len(rows) - 1)
            self.notes.append(
                f"工作表“{self.name}”中合并的村（社区）或月份单元格已按所覆盖的每一行读取"
            )

    def _choose_month(self, rows: list[list[object]], head: headers.Header) -> bool:
        """Without a 月份 column: the month chosen on the form, else the title's (with a note);
        a title naming another month than the form's is an error."""
        if head.month_col is not None:
            return True
        titled = month_from_rows(rows[: head.first])
        where = cell_name(0, 0)
        if self.form_month and titled and titled != self.form_month:
            self.error(
                where,
                f"标题写的是{months.label(titled)}，上传时选择的月份是{months.label(self.form_month)}",
                "请核对月份：改正标题，或在上传页面选择与标题一致的月份",
            )
            return False
        if self.form_month is None and titled is not None:
            self._sheet_month = titled
            self.notes.append(
                f"工作表“{self.name}”没有“月份”列，月份取自标题：{months.label(titled)}，请核对"
            )
            return True
        if self.form_month is None:
            period = _period_title(rows[: head.first])
            message = (
                f"标题写的是“{period}”，这是多个月合在一起的表，不能作为某一个月的数据导入"
                if period
                else "表中没有“月份”列，标题中也没有月份，上传时也没有选择月份"
            )
            self.error(
                cell_name(head.first, head.village_col),
                message,
                "请在表中加“月份”列，或在上传页面选择月份（命令行用 --month 2024-03）",
            )
            return False
        return True

    def _summed(self) -> set[str]:
        return {
            spec[1].name
            for spec in self._columns
            if spec[1].across == "sum" and spec[1].kind != "score"
        }

    def _row_month(self, row: list[object], r: int, month_col: int | None) -> str | None:
        raw = row[month_col] if month_col is not None and month_col < len(row) else ""
        key = (type(raw), raw)
        month = self._months.get(key)
        if month is not None:
            return month
        fallback = self.form_month or self._sheet_month
        if norm(raw) == "":
            if fallback is None:
                self.error(cell_name(r, month_col or 0), "月份为空", "请填写月份，如 2024-03")
            return fallback
        try:
            month = months.parse_month(raw)
        except months.MonthError as exc:
            self.error(cell_name(r, month_col or 0), str(exc))
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

    def _cells(self, row: list[object]) -> list[tuple[int, object, object]]:
        """(column, indicator, raw cell) of every indicator column of a row ("" past its end)."""
        width = len(row)
        return [
            (spec[0], spec[1], row[spec[0]] if spec[0] < width else "") for spec in self._columns
        ]

    def _has_data(self, row: list[object]) -> bool:
        return any(filled(raw) for _, _, raw in self._cells(row))

    def _town_is_total(self, rows: list[list[object]], head: headers.Header) -> bool:
        """A sheet holding a 镇本级 row and a row named 全镇 is this app's own download: its
        全镇 row is the computed total, checked like 合计, the 镇本级 row the township's input."""
        col = head.village_col
        distinct = {row[col] for row in rows[head.last + 1 :] if col < len(row)}
        spellings = {norm(raw) for raw in distinct if self._village(raw)[1] == TOWN}
        return norm(TOWN) in spellings and len(spellings) > 1

    def _read_rows(self, rows: list[list[object]], head: headers.Header) -> None:
        """Decide row by row which rows hold data, then read their values column by column
        (columns.py); the 打擂 sheet's values row by row. Problems are listed in sheet order."""
        contest = self.area == self.catalogue.contest.sheet
        seen_rows: dict[tuple[str, str], int] = {}
        self._total_town = self._town_is_total(rows, head)
        skipped: list[str] = []
        data = by_column.DataRows()
        outer, self.problems = self.problems, []
        starts: list[tuple[int, int]] = []  # per row, where its problems begin
        if contest:
            self._row_list = []
        for r in range(head.last + 1, len(rows)):
            starts.append((r, len(self.problems)))
            row = rows[r]
            raw_village = row[head.village_col] if head.village_col < len(row) else ""
            village_key, village = self._village(raw_village)
            if not village_key:
                if self._has_data(row):
                    self.error(cell_name(r, head.village_col), "这一行有数据但没有填村（社区）名称")
                continue
            if village_key.startswith(FOOTER_PREFIXES):
                continue
            if total_rows.is_total_label(village_key) or (
                self._total_town and village_key == norm(TOWN)
            ):
                self._total_row(r, str(raw_village).strip(), row, head.month_col)
                continue
            if village is None:
                if not self._has_data(row):
                    skipped.append(f"第 {r + 1} 行“{raw_village}”")
                    continue
                guess = self.catalogue.suggest_village(raw_village)
                self.error(
                    cell_name(r, head.village_col),
                    f"未知的村（社区）“{raw_village}”",
                    f"是否应为“{guess}”？"
                    if guess
                    else "请使用指标目录中的村（社区）名称，或“全镇”",
                )
                self._check_only(r, row)
                continue
            month = self._row_month(row, r, head.month_col)
            if month is None:
                self._check_only(r, row)
                continue
            if (village, month) in seen_rows:
                self.error(
                    cell_name(r, head.village_col),
                    f"“{village}”{months.label(month)}重复（与第 {seen_rows[(village, month)] + 1} 行重复）",
                    "同一村（社区）同一月份只能有一行",
                )
                continue
            seen_rows[(village, month)] = r
            if contest:
                self._read_contest_row(r, village, month, row, head.village_col)
            else:
                data.add(r, village, month, row)
        found, self.problems = self.problems, outer
        if contest:
            self.problems += found
            self._pieces_of_rows()
        else:
            self._read_data(data, found, starts)
        if skipped:
            self.notes.append(
                f"工作表“{self.name}”中没有数据的标题行已跳过：{'、'.join(skipped[:5])}"
                + (f"等 {len(skipped)} 行" if len(skipped) > 5 else "")
            )

    def _read_data(
        self, data: by_column.DataRows, found: list[Problem], starts: list[tuple[int, int]]
    ) -> None:
        """The data rows' values, column by column; their problems merged into sheet order."""
        read = by_column.read_columns(self._columns, data, self._parse)
        self._read = read
        if read.problems:
            by_row: dict[int, list[by_column.CellProblem]] = {}
            for item in sorted(read.problems, key=lambda p: (p[0], p[1])):
                by_row.setdefault(data.index[item[0]], []).append(item)
            ends = [start for _, start in starts[1:]] + [len(found)]
            for (r, start), end in zip(starts, ends, strict=True):
                self.problems += found[start:end]
                for _, _, cell, message, hint in by_row.get(r, []):
                    self.error(cell, message, hint)
        else:
            self.problems += found
        self.pieces, self.order = by_column.pieces_by_month(
            self.area, self.name, self.columns, data, read
        )
        self.months = {piece.month for piece in self.pieces}
        if self._totals:
            names = self.columns
            for j, (r, month) in enumerate(zip(data.index, data.months, strict=True)):
                column = read.values[:, j].tolist()
                values = {n: x for n, x in zip(names, column, strict=True) if x == x}
                self._data.append(total_rows.DataRow(r, month, values))

    def _read_contest_row(
        self, r: int, village: str, month: str, row: list[object], village_col: int
    ) -> None:
        """One 打擂 row: no 全镇 row; 总分 checked against its items, or added up from them."""
        assert self._row_list is not None
        if village == TOWN:
            if self._has_data(row):
                self.error(cell_name(r, village_col), "打擂评分只针对各村（社区），不能有“全镇”行")
            return
        row_values, row_cells = self._read_cells(r, village, row)
        self._contest_total(r, row_values, row_cells)
        self._data.append(total_rows.DataRow(r, month, row_values))
        if row_values:
            self.months.add(month)
            self._row_list.append((self.area, month, village, self.name, row_values, row_cells))

    def _pieces_of_rows(self) -> None:
        """The slices of rows read one by one, and where each row went."""
        assert self._row_list is not None
        self.pieces = from_rows(self._row_list)
        number = {(p.area, p.month): i for i, p in enumerate(self.pieces)}
        seen = [0] * len(self.pieces)
        self.order = []
        for area, month, *_ in self._row_list:
            i = number[(area, month)]
            self.order.append((i, seen[i]))
            seen[i] += 1

    def _total_row(self, r: int, label: str, row: list[object], month_col: int | None) -> None:
        """A total row: its figures are checked after the sheet is read, never stored."""
        month = None
        if month_col is not None and month_col < len(row) and norm(row[month_col]):
            try:
                month = months.parse_month(row[month_col])
            except months.MonthError as exc:
                self.error(cell_name(r, month_col), str(exc))
        total = total_rows.TotalRow(r, label, month)
        for spec in self._columns:
            col, ind = spec[0], spec[1]
            raw = row[col] if col < len(row) else ""
            value, message = self._parse(r, col, raw, spec)
            if message:
                self.error(cell_name(r, col), f"{label}行 {ind.name}：{message}")
            elif value is not None:
                total.figures[ind.name] = (value, cell_name(r, col))
        self._totals.append(total)

    def _parse(self, r: int, col: int, raw: object, spec: tuple) -> tuple[float | None, str | None]:
        """One cell through every rule: text, units, the header's factor, percent format."""
        ind, unit, factor = spec[1], spec[9], spec[10]
        percent = bool(self.facts.percent) and self.facts.is_percent(r, col)
        if self.facts.unclear_percent and self.facts.is_unclear_percent(r, col):
            return None, "单元格的数字格式只对部分数值显示百分号，无法确定它显示的是多少"
        return parse_value(raw, ind, unit, factor, percent)

    def _check_only(self, r: int, row: list[object]) -> None:
        """Report bad cells of a row that cannot be stored anyway, so one upload shows all."""
        for spec in self._columns:
            col = spec[0]
            raw = row[col] if col < len(row) else ""
            _, message = self._parse(r, col, raw, spec)
            if message:
                self.error(cell_name(r, col), f"{spec[3]}：{message}")

    def _read_cells(
        self, r: int, village: str, row: list[object]
    ) -> tuple[dict[str, float], list[str]]:
        """The row's values and their cells, in column order; a plain number within its bounds
        in a plain column skips `parse_value` (the common case), anything else goes through
        it, so every message stays the same."""
        town = village == TOWN
        values: dict[str, float] = {}
        cells: list[str] = []
        number = str(r + 1)
        width = len(row)
        for spec in self._columns:
            col, _ind, letter, name, whole, low, high, town_row, village_rows, _u, _f, plain = spec
            if col >= width:
                continue
            raw = row[col]
            if type(raw) is str and raw == "":
                continue
            value = by_column.plain_number(raw, whole, low, high) if plain else None
            if value is None:
                parsed, message = self._parse(r, col, raw, spec)
                if message:
                    self.error(letter + number, f"{name}：{message}")
                    continue
                if parsed is None:
                    continue
                value = parsed
            if not (town_row if town else village_rows):
                self.error(letter + number, *by_column.barred_reason(town, name))
                continue
            values[name] = value
            cells.append(letter + number)
        return values, cells

    def _contest_total(self, r: int, values: dict[str, float], row_cells: list[str]) -> None:
        items = self.catalogue.contest.items
        present = [values[i.name] for i in items if i.name in values]
        total_col = next((s[0] for s in self._columns if s[3] == TOTAL_SCORE), None)
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


_PERIOD_WORDS = ("季度", "半年", "全年", "年度", "至", "—", "－", "~", "～")


class ColumnSpecs(NamedTuple):
    """What `SheetReader` derives from a mapped header's columns."""

    names: list[str]
    letters: dict[str, str]
    specs: list[tuple]


def _column_specs(columns: list[headers.Column], plain_sheet: bool) -> ColumnSpecs:
    """Indicator names, column letters and per-column reading rules of a mapped header (the
    same for every sheet mapped alike, so made once per header: see Header.memo)."""
    names = [c.indicator.name for c in columns]
    letters = {c.indicator.name: get_column_letter(c.col + 1) for c in columns}
    specs = [
        (
            c.col,
            c.indicator,
            get_column_letter(c.col + 1),
            c.indicator.name,
            c.indicator.whole,
            c.indicator.min,
            c.indicator.max,
            c.indicator.town_row,
            c.indicator.village_rows,
            c.unit,
            c.factor,
            c.factor == 1 and plain_sheet,
        )
        for c in columns
    ]
    return ColumnSpecs(names, letters, specs)


def _period_title(rows: list[list[object]]) -> str | None:
    """The title text when it names a period of several months (a downloaded quarter table)."""
    for row in rows:
        for cell in row:
            text = str(cell).strip()
            if "年" in text and any(word in text for word in _PERIOD_WORDS):
                return text
    return None
