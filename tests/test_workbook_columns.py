"""The column-wise reading of a sheet's data rows (workbook/columns.py): the same values,
cells and messages, in the same order, as reading every cell on its own."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.conftest import build_workbook
from township_data import packing
from township_data.errors import WorkbookError
from township_data.workbook import columns, read_workbook

HEADER = [
    "村（社区）",
    "月份",
    "检查生产经营单位（家次）",  # villages only
    "排查安全隐患（处）",  # villages only
    "专项隐患排查整治（次）",  # 全镇 only
]


@pytest.fixture(autouse=True, params=["one cell at a time", "a column at a time"])
def way(request, monkeypatch) -> str:
    """Every test reads its sheet both ways: a few rows cell by cell, many a column at once."""
    monkeypatch.setattr(columns, "SMALL", 10**9 if request.param == "one cell at a time" else 0)
    return request.param


def _problems(data: bytes, catalogue) -> list[str]:
    with pytest.raises(WorkbookError) as caught:
        read_workbook(data, "月报.xlsx", catalogue)
    return [f"{p.cell} {p.message}" for p in caught.value.problems]


def test_irregular_rows_give_the_slices_their_rows_describe(catalogue) -> None:
    """Months interleaved, a first row that lacks an indicator, text numbers and markers:
    the slices equal what grouping the rows gives, and the rows come back in sheet order."""
    data = build_workbook(
        {
            "安全生产": [
                HEADER,
                ["酉庄村", "2024-03", None, 3, None],
                ["酉庄村", "2024-04", "1,234", "-", None],
                ["蛇形村", "2024-03", 7, 0, None],
                ["全镇", "2024-03", None, None, "12次"],
                ["蛇形村", "2024-04", None, None, None],  # nothing reported: no row
                ["杉林村", "2024-03", "未报", 2.0, None],
            ]
        }
    )
    parsed = read_workbook(data, "a.xlsx", catalogue)
    assert parsed.rows == [
        ("安全生产", "2024-03", "酉庄村", "安全生产", {"排查安全隐患": 3.0}, ["D2"]),
        ("安全生产", "2024-04", "酉庄村", "安全生产", {"检查生产经营单位": 1234.0}, ["C3"]),
        (
            "安全生产",
            "2024-03",
            "蛇形村",
            "安全生产",
            {"检查生产经营单位": 7.0, "排查安全隐患": 0.0},
            ["C4", "D4"],
        ),
        ("安全生产", "2024-03", "全镇", "安全生产", {"专项隐患排查整治": 12.0}, ["E5"]),
        ("安全生产", "2024-03", "杉林村", "安全生产", {"排查安全隐患": 2.0}, ["D7"]),
    ]
    by_key = {(p.area, p.month): p for p in parsed.pieces}
    for expected in packing.from_rows(parsed.rows):
        piece = by_key.pop((expected.area, expected.month))
        assert piece.villages == expected.villages
        assert piece.indicators == expected.indicators  # first named first: 排查安全隐患
        np.testing.assert_array_equal(piece.values, expected.values)
        assert piece.cells == expected.cells
    assert not by_key
    march = next(p for p in parsed.pieces if p.month == "2024-03")
    assert march.villages == ["酉庄村", "蛇形村", "全镇", "杉林村"]
    assert march.indicators == ["排查安全隐患", "检查生产经营单位", "专项隐患排查整治"]
    assert math.isnan(march.values[1, 0]) and march.cells[1][0] is None
    assert parsed.value_count == 6 and parsed.villages("安全生产", "2024-04") == ["酉庄村"]


def test_problems_are_listed_row_by_row_then_column_by_column(catalogue) -> None:
    """Cell problems found a column at a time are told in sheet order, around the problems
    of whole rows (an unknown village) found on the way down."""
    data = build_workbook(
        {
            "安全生产": [
                HEADER,
                ["酉庄村", "2024-03", -1, "x", None],
                ["杉材村", "2024-03", 1, None, None],
                ["全镇", "2024-03", 4, None, True],
                ["蛇形村", "2024-03", 2.5, 1, 3],
            ]
        }
    )
    assert _problems(data, catalogue) == [
        "C2 检查生产经营单位：-1 小于下限 0家次",
        "D2 排查安全隐患：“x”不是数字（未报请留空或填“-”）",
        "A3 未知的村（社区）“杉材村”",
        "C4 “检查生产经营单位”按村（社区）填报，全镇行请留空",
        "E4 专项隐患排查整治：“True”不是数字",
        "C5 检查生产经营单位：2.5 不是整数（家次须为整数）",
        "E5 “专项隐患排查整治”只在“全镇”行填报，村（社区）行请留空",
    ]


def test_a_column_of_plain_numbers_is_checked_as_a_whole(catalogue) -> None:
    """Bounds and whole numbers hold for a column checked at once as for one cell."""
    rows = [["酉庄村", f"2024-{m:02d}", float(m), 0.0, None] for m in range(1, 13)]
    rows[5][2], rows[8][3] = 6.5, -2.0
    data = build_workbook({"安全生产": [HEADER, *rows]})
    assert _problems(data, catalogue) == [
        "C7 检查生产经营单位：6.5 不是整数（家次须为整数）",
        "D10 排查安全隐患：-2 小于下限 0处",
    ]
    rows[5][2], rows[8][3] = 6, 0
    parsed = read_workbook(build_workbook({"安全生产": [HEADER, *rows]}), "a.xlsx", catalogue)
    assert [r[4]["检查生产经营单位"] for r in parsed.rows] == [float(m) for m in range(1, 13)]
    assert parsed.value_count == 24


def test_an_integer_beyond_a_float_goes_through_the_cell_rules_and_blanks_stay_untold() -> None:
    """A whole number too large for a float to hold exactly is judged cell by cell (what
    .xls integer cells could bring); the empty cells of that column are still 未报 unasked."""
    rows = columns.DataRows()
    for r, raw in enumerate([2**60, "", 7.0]):
        rows.add(r + 1, "酉庄村", "2024-03", ["酉庄村", "2024-03", raw])
    asked: list[object] = []

    def parse(r, col, raw, spec):
        asked.append(raw)
        return float(raw), None

    spec = (2, None, "C", "检查", True, 0.0, None, False, True, "家次", 1, True)
    read = columns.read_columns([spec], rows, parse)
    assert 2**60 in asked and "" not in asked
    assert read.values[0].tolist()[0] == float(2**60) and math.isnan(read.values[0][1])
    assert read.values[0][2] == 7.0
    assert read.cells == [["C2", None, "C4"]]
