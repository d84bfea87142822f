"""The sample's 大事记 and its corrected month: what a township's year holds besides figures.

A summer flood (two in June 2024, as in the seed's 上半年), a 表彰大会 after every quarter of
打擂, the city's flood drill, the Spring-Festival fireworks campaign, inspections from above;
and one month re-sent with corrections, so 数据管理 has two versions to compare and restore.
"""

from __future__ import annotations

import io

from openpyxl import load_workbook

from .catalogue import Catalogue
from .events import SHEET, Event

# (date, area, kind, text, villages)
SAMPLE_EVENTS: tuple[tuple[str, str, str, str, tuple[str, ...]], ...] = (
    ("2023-01-10", "安全生产", "专项整治", "春节前烟花爆竹安全专项整治行动", ()),
    ("2023-04-12", "人居环境", "表彰大会", "2023年第一季度人居环境打擂表彰大会", ()),
    ("2023-07-08", "党管武装", "防汛抢险", "强降雨引发山洪，民兵转移受威胁群众", ("杉林村",)),
    ("2023-07-14", "人居环境", "表彰大会", "2023年第二季度人居环境打擂表彰大会", ()),
    ("2023-10-13", "人居环境", "表彰大会", "2023年第三季度人居环境打擂表彰大会", ()),
    ("2023-11-20", "安全生产", "上级检查", "县安委会检查道路交通和烟花爆竹安全", ()),
    ("2024-01-12", "人居环境", "表彰大会", "2023年第四季度人居环境打擂表彰大会", ()),
    ("2024-01-18", "安全生产", "专项整治", "春节前烟花爆竹安全专项整治行动", ()),
    (
        "2024-04-11",
        "人居环境",
        "表彰大会",
        "2024年第一季度人居环境打擂表彰大会，荷塘村等作表态发言",
        ("荷塘村",),
    ),
    ("2024-05-22", "党管武装", "防汛演练", "全市防汛演练", ()),
    (
        "2024-06-16",
        "党管武装",
        "防汛抢险",
        "强降雨引发洪灾，民兵赶赴受灾乡镇抢险救灾",
        ("蛇形村", "杉林村"),
    ),
    ("2024-06-29", "党管武装", "防汛抢险", "持续强降雨再次引发洪灾", ("龙泉村",)),
    ("2024-07-12", "人居环境", "表彰大会", "2024年第二季度人居环境打擂表彰大会", ()),
    ("2024-09-05", "乡村振兴", "上级检查", "省巩固拓展脱贫攻坚成果后评估抽查", ()),
    ("2024-10-15", "人居环境", "表彰大会", "2024年第三季度人居环境打擂表彰大会", ()),
    ("2024-12-10", "安全生产", "专项整治", "冬季消防和烟花爆竹安全专项整治", ()),
)
# Months with floods and how many: the militia go out then (sample.FLOOD_MILITIA).
FLOOD_MONTHS = {"2023-07": 1, "2024-06": 2}
CORRECTED_MONTH = "2024-06"
CORRECTED_FILE = f"{CORRECTED_MONTH}_更正.xlsx"
# The corrected cells: (village, indicator) → amount added to what was first sent.
CORRECTIONS = {
    ("青石村", "检查生产经营单位"): 4,
    ("青石村", "排查安全隐患"): 2,
    ("青石村", "已整改安全隐患"): 2,
}


def sample_events(catalogue: Catalogue) -> list[Event]:
    """The events whose areas and villages the catalogue has (a county's other townships have
    other villages: their events are kept for the whole township)."""
    names = set(catalogue.village_names)
    return [
        Event(date, area, kind, text, tuple(v for v in villages if v in names))
        for date, area, kind, text, villages in SAMPLE_EVENTS
        if area in catalogue.area_names and kind in catalogue.event_kinds
    ]


def fill_events(book, found: list[Event], month: str) -> None:
    """Write the month's events into the workbook's 大事记 sheet (below its header row)."""
    ws = book[SHEET]
    for row, event in enumerate((e for e in found if e.month == month), start=4):
        for col, value in enumerate(
            (event.date, event.area, "、".join(event.villages), event.kind, event.title), start=1
        ):
            ws.cell(row, col, value)


def corrected(data: bytes, sheet: str = "安全生产") -> bytes:
    """The month's workbook re-sent with only `sheet`, some of its cells corrected."""
    book = load_workbook(io.BytesIO(data))
    for name in book.sheetnames:
        if name not in (sheet, "填表说明"):
            book.remove(book[name])
    ws = book[sheet]
    headers = {str(ws.cell(3, c).value).split("（")[0]: c for c in range(1, ws.max_column + 1)}
    for r in range(4, ws.max_row + 1):
        for (village, name), extra in CORRECTIONS.items():
            if ws.cell(r, 1).value == village and name in headers:
                cell = ws.cell(r, headers[name])
                cell.value = int(cell.value or 0) + extra
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
