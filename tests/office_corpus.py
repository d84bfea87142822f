"""Workbooks as Excel and WPS users really save them, built in code, each with what it must read as.

Every case is run on every import path (tests/test_office_workbooks.py: the reader, the command
line, the upload page): the values it stores, or the located error it is refused with, and the
notes and warnings the preview shows. No binary fixtures: .xlsx through openpyxl, .xls through
xlwt, the rest written byte by byte.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field

import xlwt
from openpyxl import Workbook
from openpyxl.styles import Alignment

Key = tuple[str, str, str, str]  # area, month, village, indicator


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[], bytes]
    file_name: str = "月报.xlsx"
    month: str | None = None  # the month chosen on the upload form / --month
    values: dict[Key, float] = field(default_factory=dict)  # must be stored exactly so
    absent: tuple[Key, ...] = ()  # must not be stored (未报)
    error: tuple[str, ...] = ()  # substrings of the one problem (cell included), when refused
    notes: tuple[str, ...] = ()  # substrings the preview's notes must hold
    warnings: tuple[str, ...] = ()  # substrings the preview's warnings must hold


def _save(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _sheet(wb: Workbook, name: str, rows: list[list[object]]):
    ws = wb.create_sheet(name)
    for row in rows:
        ws.append(row)
    return ws


def _book() -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    return wb


def percent_formatted() -> bytes:
    wb = _book()
    ws = _sheet(
        wb,
        "乡村振兴",
        [
            ["村（社区）", "月份", "家庭医生签约率（%）"],
            ["酉庄村", "2024-03", 0.955],
            ["蛇形村", "2024-03", 0.9],
        ],
    )
    for cell in ("C2", "C3"):
        ws[cell].number_format = "0.0%"
    return _save(wb)


def percent_as_fractions() -> bytes:
    wb = _book()
    _sheet(
        wb,
        "乡村振兴",
        [
            ["村（社区）", "月份", "家庭医生签约率"],
            ["酉庄村", "2024-03", 0.955],
            ["蛇形村", "2024-03", 0.9],
        ],
    )
    return _save(wb)


def percent_on_a_count() -> bytes:
    wb = _book()
    ws = _sheet(
        wb, "安全生产", [["村（社区）", "月份", "排查安全隐患"], ["酉庄村", "2024-03", 0.5]]
    )
    ws["C2"].number_format = "0%"
    return _save(wb)


def wan_yuan_header() -> bytes:
    wb = _book()
    _sheet(
        wb,
        "社会事务",
        [
            ["村（社区）", "月份", "临时救助金额（万元）"],
            ["酉庄村", "2024-03", 1.5],
            ["蛇形村", "2024-03", 0.07],
        ],
    )
    return _save(wb)


def wrong_unit_header() -> bytes:
    wb = _book()
    _sheet(wb, "安全生产", [["村（社区）", "月份", "排查安全隐患（户）"], ["酉庄村", "2024-03", 4]])
    return _save(wb)


def total_under_header() -> bytes:
    wb = _book()
    _sheet(
        wb,
        "安全生产",
        [
            ["潭湾镇2024年3月安全生产工作统计表"],
            ["村（社区）", "检查生产经营单位", "排查安全隐患"],
            ["合计", 30, 7],
            ["酉庄村", 10, 3],
            ["蛇形村", 20, 4],
        ],
    )
    return _save(wb)


def total_under_header_wrong() -> bytes:
    wb = _book()
    _sheet(
        wb,
        "安全生产",
        [
            ["村（社区）", "月份", "检查生产经营单位"],
            ["合计", "2024-03", 31],
            ["酉庄村", "2024-03", 10],
            ["蛇形村", "2024-03", 20],
        ],
    )
    return _save(wb)


def groups_with_subtotals() -> bytes:
    wb = _book()
    _sheet(
        wb,
        "安全生产",
        [
            ["村（社区）", "月份", "检查生产经营单位"],
            ["东片区", None, None],
            ["酉庄村", "2024-03", 10],
            ["蛇形村", "2024-03", 20],
            ["东片区小计", "2024-03", 30],
            ["西片区", None, None],
            ["杉林村", "2024-03", 5],
            ["西片区小计", "2024-03", 5],
            ["全镇合计", "2024-03", 35],
        ],
    )
    return _save(wb)


def two_row_merged_header() -> bytes:
    wb = _book()
    ws = _sheet(
        wb,
        "乡村振兴",
        [
            ["潭湾镇乡村振兴工作统计表"],
            ["村（社区）", "月份", "危房改造", None, None, "家庭医生签约率"],
            [None, None, "户数（户）", "其中脱贫户", "已完成", "（%）"],
            ["酉庄村", "2024-03", 3, 1, 2, 96],
            ["蛇形村", "2024-03", 2, 0, 2, 95.5],
        ],
    )
    for cells in ("A2:A3", "B2:B3", "C2:E2"):
        ws.merge_cells(cells)
    ws["A2"].alignment = Alignment(vertical="center")
    return _save(wb)


def three_row_header_aliases() -> bytes:
    """Group labels over names over units: the lowest label a unit, the name above it."""
    wb = _book()
    ws = _sheet(
        wb,
        "信访维稳",
        [
            ["村（社区）", "月份", "矛盾纠纷化解", None],
            [None, None, "矛盾纠纷", "矛盾纠纷已调解处理"],
            [None, None, "起", "起"],
            ["酉庄村", "2024-03", 4, 3],
        ],
    )
    ws.merge_cells("A1:A3")
    ws.merge_cells("B1:B3")
    ws.merge_cells("C1:D1")
    return _save(wb)


def old_xls() -> bytes:
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("乡村振兴")
    percent = xlwt.easyxf(num_format_str="0.0%")
    for col, text in enumerate(["村（社区）", "月份", "家庭医生签约率", "公益性岗位（个）"]):
        sheet.write(0, col, text)
    sheet.write(1, 0, "酉庄村")
    sheet.write(1, 1, "2024-03")
    sheet.write(1, 2, 0.955, percent)
    sheet.write(1, 3, 12)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def text_numbers() -> bytes:
    wb = _book()
    _sheet(
        wb,
        "社会事务",
        [
            ["村（社区）", "月份", "临时救助金额（元）", "临时救助", "新增低保"],
            ["酉庄村", "2024-03", "1,234", "１２", "3 户"],
            ["蛇形村", "2024-03", "\u00a0500\u00a0", "4人", " 2 "],
        ],
    )
    return _save(wb)


def unit_in_cell_differs() -> bytes:
    wb = _book()
    _sheet(wb, "社会事务", [["村（社区）", "月份", "临时救助"], ["酉庄村", "2024-03", "3户"]])
    return _save(wb)


def formula_without_value() -> bytes:
    wb = _book()
    ws = _sheet(
        wb,
        "安全生产",
        [
            ["村（社区）", "月份", "检查生产经营单位", "排查安全隐患"],
            ["酉庄村", "2024-03", 10, None],
        ],
    )
    ws["D2"] = "=C2*2"  # openpyxl writes the formula without a cached value
    return _save(wb)


def error_value() -> bytes:
    wb = _book()
    ws = _sheet(
        wb,
        "安全生产",
        [
            ["村（社区）", "月份", "检查生产经营单位", "排查安全隐患"],
            ["酉庄村", "2024-03", 10, None],
        ],
    )
    ws["D2"] = "#DIV/0!"
    return _save(wb)


def month_from_title() -> bytes:
    wb = _book()
    ws = _sheet(
        wb,
        "安全生产",
        [
            ["潭湾镇2024年3月安全生产工作统计表"],
            ["填报单位：潭湾镇安监办", None, "填报日期：2024年4月3日"],
            ["村（社区）", "检查生产经营单位（家次）"],
            ["酉庄村", 12],
        ],
    )
    ws.merge_cells("A1:B1")
    return _save(wb)


def quarter_title() -> bytes:
    wb = _book()
    _sheet(
        wb,
        "安全生产",
        [
            ["潭湾镇2024年第一季度安全生产工作数据"],
            ["村（社区）", "检查生产经营单位（家次）"],
            ["酉庄村", 36],
        ],
    )
    return _save(wb)


def hidden_parts() -> bytes:
    wb = _book()
    ws = _sheet(
        wb,
        "安全生产",
        [
            ["村（社区）", "月份", "检查生产经营单位", "排查安全隐患"],
            ["酉庄村", "2024-03", 10, 3],
            ["蛇形村", "2024-03", 20, 4],
        ],
    )
    ws.row_dimensions[3].hidden = True
    ws.column_dimensions["D"].hidden = True
    other = _sheet(wb, "信访维稳", [["村（社区）", "月份", "矛盾纠纷"], ["酉庄村", "2024-03", 2]])
    other.sheet_state = "hidden"
    return _save(wb)


def merged_village_cells() -> bytes:
    wb = _book()
    ws = _sheet(
        wb,
        "安全生产",
        [
            ["村（社区）", "月份", "检查生产经营单位"],
            ["酉庄村", "2024-01", 10],
            [None, "2024-02", 11],
            [None, "2024-03", 12],
            ["蛇形村", "2024-01", 5],
        ],
    )
    ws.merge_cells("A2:A4")
    return _save(wb)


def merged_figure() -> bytes:
    wb = _book()
    ws = _sheet(
        wb,
        "安全生产",
        [
            ["村（社区）", "月份", "检查生产经营单位"],
            ["酉庄村", "2024-03", 10],
            ["蛇形村", "2024-03", None],
        ],
    )
    ws.merge_cells("C2:C3")
    return _save(wb)


def wps_et() -> bytes:
    return _save_xls_bytes()


def _save_xls_bytes() -> bytes:
    book = xlwt.Workbook(encoding="utf-8")
    book.add_sheet("安全生产").write(0, 0, "村（社区）")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def app_download() -> bytes:
    """The 分村数据表 this app downloads for one month: title with the month, 镇本级 as the
    township's input row, the computed 全镇 total, 未报 and — as blank markers."""
    wb = _book()
    _sheet(
        wb,
        "安全生产",
        [
            ["潭湾镇2024年3月安全生产工作数据"],
            [
                "村（社区）",
                "检查生产经营单位（家次）",
                "排查安全隐患（处）",
                "专项隐患排查整治（次）",
            ],
            ["酉庄村", 10, 3, "—"],
            ["蛇形村", 20, "未报", "—"],
            ["镇本级", "—", "—", 2],
            ["全镇", 30, 3, 2],
        ],
    )
    return _save(wb)


SAFETY, RURAL, SOCIAL = "安全生产", "乡村振兴", "社会事务"
M = "2024-03"

CASES = [
    Case(
        "percent format read as shown",
        percent_formatted,
        values={
            (RURAL, M, "酉庄村", "家庭医生签约率"): 95.5,
            (RURAL, M, "蛇形村", "家庭医生签约率"): 90.0,
        },
    ),
    Case(
        "percent column of fractions asks",
        percent_as_fractions,
        values={(RURAL, M, "酉庄村", "家庭医生签约率"): 0.955},
        warnings=("“家庭医生签约率”的数值都不大于 1", "95.5% 应填 95.5"),
    ),
    Case(
        "percent format on a count refused",
        percent_on_a_count,
        error=("安全生产!C2", "百分比格式", "50%", "单位是处"),
    ),
    Case(
        "万元 header converted",
        wan_yuan_header,
        values={
            (SOCIAL, M, "酉庄村", "临时救助金额"): 15000.0,
            (SOCIAL, M, "蛇形村", "临时救助金额"): 700.0,
        },
        notes=("临时救助金额", "万元", "10,000", "换算为元"),
    ),
    Case(
        "unit that cannot convert refused",
        wrong_unit_header,
        error=("安全生产!C1", "“户”", "排查安全隐患", "“处”"),
    ),
    Case(
        "合计 right under the header",
        total_under_header,
        month=M,
        values={
            (SAFETY, M, "酉庄村", "检查生产经营单位"): 10.0,
            (SAFETY, M, "蛇形村", "排查安全隐患"): 4.0,
        },
        absent=((SAFETY, M, "合计", "检查生产经营单位"),),
    ),
    Case(
        "合计 under the header checked",
        total_under_header_wrong,
        error=("安全生产!C2", "合计 31", "30"),
    ),
    Case(
        "小计 per group and 全镇合计",
        groups_with_subtotals,
        values={(SAFETY, M, "杉林村", "检查生产经营单位"): 5.0},
        notes=("东片区",),
    ),
    Case(
        "two-row merged header",
        two_row_merged_header,
        values={
            (RURAL, M, "酉庄村", "危房改造"): 3.0,
            (RURAL, M, "酉庄村", "危房改造（其中脱贫户）"): 1.0,
            (RURAL, M, "蛇形村", "危房改造已完成"): 2.0,
            (RURAL, M, "蛇形村", "家庭医生签约率"): 95.5,
        },
    ),
    Case(
        "three-row header, units in their own row",
        three_row_header_aliases,
        values={(("信访维稳", M, "酉庄村", "矛盾纠纷已调解处理")): 3.0},
    ),
    Case(
        ".xls with a percent format",
        old_xls,
        file_name="三月.xls",
        values={
            (RURAL, M, "酉庄村", "家庭医生签约率"): 95.5,
            (RURAL, M, "酉庄村", "公益性岗位"): 12.0,
        },
    ),
    Case(
        "numbers as text",
        text_numbers,
        values={
            (SOCIAL, M, "酉庄村", "临时救助金额"): 1234.0,
            (SOCIAL, M, "酉庄村", "临时救助"): 12.0,
            (SOCIAL, M, "酉庄村", "新增低保"): 3.0,
            (SOCIAL, M, "蛇形村", "临时救助金额"): 500.0,
            (SOCIAL, M, "蛇形村", "临时救助"): 4.0,
            (SOCIAL, M, "蛇形村", "新增低保"): 2.0,
        },
    ),
    Case(
        "unit in a cell that differs", unit_in_cell_differs, error=("社会事务!C2", "“户”", "“人”")
    ),
    Case("formula without a value", formula_without_value, error=("安全生产!D2", "公式", "保存后")),
    Case("error value", error_value, error=("安全生产!D2", "#DIV/0!")),
    Case(
        "month from the title",
        month_from_title,
        values={(SAFETY, M, "酉庄村", "检查生产经营单位"): 12.0},
        notes=("月份取自标题", "2024年3月"),
    ),
    Case(
        "title month against the chosen month",
        month_from_title,
        month="2024-04",
        error=("安全生产!A1", "2024年3月", "2024年4月"),
    ),
    Case("quarter table refused", quarter_title, error=("第一季度", "多个月")),
    Case(
        "hidden rows, columns and sheets read and said",
        hidden_parts,
        values={
            (SAFETY, M, "蛇形村", "排查安全隐患"): 4.0,
            ("信访维稳", M, "酉庄村", "矛盾纠纷"): 2.0,
        },
        notes=("第 3 行", "第 D 列", "“信访维稳”是隐藏的"),
    ),
    Case(
        "merged village cells",
        merged_village_cells,
        values={(SAFETY, "2024-02", "酉庄村", "检查生产经营单位"): 11.0},
        notes=("合并的村（社区）",),
    ),
    Case("a figure merged over two rows", merged_figure, error=("安全生产!C2", "C2:C3", "合并")),
    Case("WPS .et", wps_et, file_name="三月.et", error=("WPS", ".et", "另存为")),
    Case(
        "this app's own one-month download",
        app_download,
        values={
            (SAFETY, M, "酉庄村", "检查生产经营单位"): 10.0,
            (SAFETY, M, "全镇", "专项隐患排查整治"): 2.0,
        },
        absent=((SAFETY, M, "蛇形村", "排查安全隐患"),),
        notes=("月份取自标题",),
    ),
]
