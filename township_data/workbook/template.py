"""The blank monthly workbook: villages pre-filled, units in headers, rules and validation."""

from __future__ import annotations

import io

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
            "大事记",
            "“大事记”表可记录本月的重要事件（防汛抢险、表彰大会等），每行一件：日期、领域、"
            "村（社区）（全镇可留空）、类别、一句话的事件内容；不需要时留空。",
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
    for sheet in catalogue.sheets_at(month):
        ws = wb.create_sheet(sheet)
        indicators = catalogue.sheet_indicators_at(sheet, month)
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
    add_events_sheet(wb, catalogue, month)
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
