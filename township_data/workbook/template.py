"""The monthly workbook to fill: the whole township's, one village's, or one per village (zip).

Villages and month pre-filled, units in headers, rules and Excel data validation. Stocks (the
indicators the catalogue combines as `last`) may carry last month's value, marked green with a
comment, so a village only corrects what changed (减负); counts always stay empty.
"""

from __future__ import annotations

import io
import math
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from .. import months
from ..catalogue import TOWN, Catalogue, Indicator
from .events import add_events_sheet

_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_BLOCKED_FILL = PatternFill("solid", fgColor="E7E6E6")
_TOWN_FILL = PatternFill("solid", fgColor="FFF2CC")
CARRIED_COLOUR = "C6EFCE"  # Excel's own light green: last month's value, to check
CARRIED_FILL = PatternFill("solid", fgColor=CARRIED_COLOUR)
_THIN = Side(style="thin", color="A6A6A6")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
TOWN_UNIT = "镇本级"

# (area, village or 全镇, indicator) → last month's value.
Carried = Mapping[tuple[str, str, str], float]


def carried_stocks(
    previous: pd.DataFrame, catalogue: Catalogue
) -> dict[tuple[str, str, str], float]:
    """Last month's values of the stocks (indicators combined as `last`): what a template
    pre-fills. The 打擂 scores are a month's own marks and never carried."""
    stocks = {(i.area, i.name) for i in catalogue.all_indicators() if i.combine == "last"}
    out: dict[tuple[str, str, str], float] = {}
    for area, name, village, value in zip(
        previous["area"], previous["indicator"], previous["village"], previous["value"], strict=True
    ):
        if (area, name) in stocks and not math.isnan(value):
            out[(area, village, name)] = float(value)
    return out


@dataclass(frozen=True)
class _Layout:
    """What one template holds: its rows, sheets and columns, and what it carries from when."""

    catalogue: Catalogue
    month: str | None
    row: str | None  # one village (or 全镇) for a one-village template, None for all rows
    carried: Carried
    carried_from: str | None

    @property
    def rows(self) -> list[str]:
        return [self.row] if self.row else [*self.catalogue.village_names, TOWN]

    def fills(self, ind: Indicator, name: str) -> bool:
        return ind.town_row if name == TOWN else ind.village_rows

    def sheets(self) -> list[tuple[str, tuple[Indicator, ...]]]:
        """(sheet, its columns): every sheet and column for the township's workbook; for one
        row only the areas and columns it fills (the 打擂 scores are the township's to give)."""
        catalogue = self.catalogue
        if self.row is None:
            return [
                (s, catalogue.sheet_indicators_at(s, self.month))
                for s in catalogue.sheets_at(self.month)
            ]
        out = []
        areas = catalogue.areas if self.month is None else catalogue.areas_at(self.month)
        for area in areas:
            indicators = catalogue.sheet_indicators_at(area.name, self.month)
            columns = tuple(i for i in indicators if self.fills(i, self.row))
            if columns:
                out.append((area.name, columns))
        return out


def unit_label(row: str) -> str:
    """The 填报单位 a row stands for: a village's name, or 镇本级 for the 全镇 row."""
    return TOWN_UNIT if row == TOWN else row


def template_name(catalogue: Catalogue, month: str | None, row: str | None = None) -> str:
    """The file name to send: 潭湾镇2024年3月月报_酉庄村.xlsx (one village) or
    潭湾镇2024年3月月报模板.xlsx (the township's)."""
    period = months.label(month) if month else ""
    if row is None:
        return f"{catalogue.township_name}{period}月报模板.xlsx"
    return f"{catalogue.township_name}{period}月报_{unit_label(row)}.xlsx"


def zip_name(catalogue: Catalogue, month: str) -> str:
    return f"{catalogue.township_name}{months.label(month)}月报模板_各村（社区）.zip"


def write_template(
    catalogue: Catalogue,
    month: str | None = None,
    row: str | None = None,
    carried: Carried | None = None,
) -> bytes:
    """The monthly workbook: the township's (row None) or one village's (or 全镇's) row only;
    `carried` pre-fills last month's stocks (needs the month)."""
    buffer = io.BytesIO()
    template_book(catalogue, month, row, carried).save(buffer)
    return buffer.getvalue()


def write_village_zip(catalogue: Catalogue, month: str, carried: Carried | None = None) -> bytes:
    """One workbook per village, each named with its village and month, in one zip to forward
    to the villages' group."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for village in catalogue.village_names:
            data = write_template(catalogue, month, village, carried)
            archive.writestr(template_name(catalogue, month, village), data)
    return buffer.getvalue()


def _styles() -> dict[str, NamedStyle]:
    """Named styles, registered once per workbook: far cheaper than styling cell by cell."""
    plain = NamedStyle("填报格", border=_BORDER)
    blocked = NamedStyle("不填格", border=_BORDER, fill=_BLOCKED_FILL)
    town = NamedStyle("全镇格", border=_BORDER, fill=_TOWN_FILL)
    month = NamedStyle("月份格", border=_BORDER, number_format="@")
    carried = NamedStyle("上月格", border=_BORDER, fill=CARRIED_FILL)
    header = NamedStyle(
        "表头格",
        font=Font(bold=True),
        fill=_HEADER_FILL,
        border=_BORDER,
        alignment=Alignment(wrap_text=True, horizontal="center", vertical="center"),
    )
    return {
        "plain": plain,
        "blocked": blocked,
        "town": town,
        "month": month,
        "carried": carried,
        "header": header,
    }


def template_book(
    catalogue: Catalogue,
    month: str | None = None,
    row: str | None = None,
    carried: Carried | None = None,
) -> Workbook:
    """The template as an openpyxl workbook (the sample generator fills it before saving)."""
    month = months.parse_month(month) if month else None
    if row is not None and catalogue.resolve_village(row) != row:
        raise ValueError(f"未知的村（社区）“{row}”")
    if carried and month is None:
        raise ValueError("预填上月数需要指定月份")
    layout = _Layout(
        catalogue,
        month,
        row,
        carried or {},
        months.shift(month, -1) if carried and month else None,
    )
    wb = Workbook()
    for style in _styles().values():
        wb.add_named_style(style)
    _notes_sheet(wb.active, layout)
    for sheet, indicators in layout.sheets():
        _data_sheet(wb.create_sheet(sheet), layout, sheet, indicators)
    if row is None:
        add_events_sheet(wb, catalogue, month)
    return wb


def _notes_sheet(notes, layout: _Layout) -> None:
    catalogue = layout.catalogue
    notes.title = "填表说明"
    who = f"（{unit_label(layout.row)}）" if layout.row else ""
    notes["A1"] = f"{catalogue.township_name}月度工作数据填报说明{who}"
    notes["A1"].font = Font(bold=True, size=14)
    for i, (head, text) in enumerate(_rules_text(layout), start=3):
        notes.cell(i, 1, head).font = Font(bold=True)
        notes.cell(i, 2, text).alignment = Alignment(wrap_text=True, vertical="top")
        if head == "绿色格子":
            notes.cell(i, 1).fill = CARRIED_FILL
    notes.column_dimensions["A"].width = 14
    notes.column_dimensions["B"].width = 100


def _data_sheet(ws, layout: _Layout, sheet: str, indicators: tuple[Indicator, ...]) -> None:
    catalogue, month = layout.catalogue, layout.month
    contest = sheet == catalogue.contest.sheet
    names = catalogue.village_names if contest else layout.rows
    period = months.label(month) if month else "____年__月"
    who = f"（{unit_label(layout.row)}）" if layout.row else ""
    title = f"{catalogue.township_name}{period}{sheet}{'评分表' if contest else '工作统计表'}{who}"
    ws.cell(1, 1, title).font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=2 + len(indicators))
    unit = unit_label(layout.row) if layout.row else "                "
    line = f"填报单位：{unit}　　　　填表人：　　　　　　　　填报日期："
    carries = any((sheet, name, ind.name) in layout.carried for name in names for ind in indicators)
    if carries and layout.carried_from:
        # A legend line: above the header is the only place the reader skips.
        line += f"　　绿色格子为上月（{months.label(layout.carried_from)}）数，有变化的请改正"
    ws.cell(2, 1, line)
    _header(ws, indicators)
    for r, name in enumerate(names, start=4):
        ws.cell(r, 1, name).style = "填报格"
        ws.cell(r, 2, month or "").style = "月份格"
        for col, ind in enumerate(indicators, start=3):
            cell = ws.cell(r, col)
            value = layout.carried.get((sheet, name, ind.name))
            if value is not None and layout.carried_from and layout.fills(ind, name):
                cell.value = int(value) if float(value).is_integer() else value
                cell.style = "上月格"
                cell.comment = Comment(
                    f"上月（{months.label(layout.carried_from)}）数：{value:g} {ind.unit}。"
                    "有变化的请改正，没变化的不用改。",
                    "填表说明",
                    width=220,
                    height=70,
                )
                continue
            blocked = not layout.fills(ind, name)
            cell.style = "不填格" if blocked else "全镇格" if name == TOWN else "填报格"
    _add_validations(ws, indicators, 3 + len(names))
    ws.freeze_panes = "C4"


def _header(ws, indicators: Sequence[Indicator]) -> None:
    headers = ["村（社区）", "月份", *[i.label for i in indicators]]
    for col, text in enumerate(headers, start=1):
        ws.cell(3, col, text).style = "表头格"
        ws.column_dimensions[get_column_letter(col)].width = (
            12 if col <= 2 else max(10, min(24, len(text) * 1.8))
        )
    ws.row_dimensions[3].height = 48
    for col, ind in enumerate(indicators, start=3):
        ws.cell(3, col).comment = Comment(_column_note(ind), "填表说明")


def _rules_text(layout: _Layout) -> list[tuple[str, str]]:
    """The 填表说明 sheet's rules, (heading, text): a one-village template leaves out the
    rules about other rows, totals, several months and the whole-township sheets."""
    catalogue, whole = layout.catalogue, layout.row is None
    return [
        (
            "适用",
            f"{catalogue.township_name}每月工作数据填报。每个工作表对应一个工作领域，表名不要修改。",
        ),
        *_FORM_RULES,
        *_row_rules(layout),
        *_VALUE_RULES,
        *(_SEVERAL_ROWS_RULES if whole else ()),
        _REUPLOAD_RULE,
        *(_township_sheet_rules(catalogue) if whole else ()),
        _ERRORS_RULE,
    ]


_FORM_RULES = (
    (
        "表头",
        "第 3 行为表头，“村（社区）”列和“月份”列不要删除；指标列可以删去不填的，但不要改名。",
    ),
    (
        "月份",
        "写成 2024-03、2024年3月 或 202403，也可以用日期格式的单元格；不要写成小数 2024.1。",
    ),
)
_VALUE_RULES = (
    (
        "数字",
        "只填数字。次数、人数、户数等为不小于 0 的整数；百分比填 0–100 之间的数（如 95.5）；金额不能为负。",
    ),
    ("未报", "没有数据请留空，或填“-”“/”；留空表示“未报”，不会当作 0。确实为零请填 0。"),
)
_SEVERAL_ROWS_RULES = (
    ("合计行", "可以保留“合计”行，导入时会核对各列合计，但合计行本身不导入。"),
    ("多个月", "一个工作簿可以包含多个月（补录历史数据时），每行填写各自的月份。"),
)
_REUPLOAD_RULE = (
    "再次上传",
    "同一领域同一月份再次上传，只更新表中有的村（社区），表中没有的村（社区）保持不变；"
    "表中有的村（社区）留空的格子记为未报。旧版本保留，可在“数据管理”中恢复。"
    "整张表都空着的工作表不会导入。",
)
_ERRORS_RULE = (
    "出错",
    "上传时会一次列出所有问题（工作表和单元格位置），全部改正后才会导入，不会导入一半。",
)


def _row_rules(layout: _Layout) -> list[tuple[str, str]]:
    """Which rows to fill (the whole list, or the one village), and the carried stocks."""
    catalogue, row = layout.catalogue, layout.row
    if row is None:
        rules = [
            (
                "村（社区）",
                f"使用本镇名单中的名称；“全镇”行填写镇本级开展的工作。名单：{'、'.join(catalogue.village_names)}。",
            ),
            (
                "灰色格子",
                "灰色格子不用填：按村填报的指标全镇行留空（全镇合计自动相加），只在全镇填报的指标各村行留空。",
            ),
        ]
    else:
        whose = "镇本级开展的工作" if row == TOWN else "本村（社区）的数据"
        rules = [
            (
                "村（社区）",
                f"本表只含“{row}”一行，填写{whose}，名称不要改；只列出需要填报的领域和指标。",
            )
        ]
    if layout.carried_from:
        rules.append(
            (
                "绿色格子",
                f"存量指标（如基干民兵、公益性岗位、信访重点人员）已预填上月"
                f"（{months.label(layout.carried_from)}）的数：有变化的请改成本月数，没变化的不用改，"
                "但不要删除——发回后即作为本月的数。次数、人数等当月工作量不预填，请如实填写。",
            )
        )
    return rules


def _township_sheet_rules(catalogue: Catalogue) -> list[tuple[str, str]]:
    """The 打擂 and 大事记 sheets, which only the whole-township template has."""
    contest = catalogue.contest
    items = "、".join(f"{i.name}（{i.max:g}分）" for i in contest.items)
    return [
        (
            "打擂",
            f"“{contest.sheet}”表填写各村当月得分：{items}，满分 {contest.full_marks:g} 分；总分可不填，自动相加。",
        ),
        (
            "大事记",
            "“大事记”表可记录本月的重要事件（防汛抢险、表彰大会等），每行一件：日期、领域、"
            "村（社区）（全镇可留空）、类别、一句话的事件内容；不需要时留空。",
        ),
    ]


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
