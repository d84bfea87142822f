"""A version's values as a workbook: it says where each value came from and imports again."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from township_data import changes, exports
from township_data.workbook import read_workbook

HEADER = [
    "村（社区）",
    "月份",
    "检查生产经营单位（家次）",
    "排查安全隐患（处）",
    "专项隐患排查整治",
]


def test_a_version_downloads_as_sheets_that_import_back_unchanged_then_with_one_fix(
    store, make_workbook, catalogue
) -> None:
    data = make_workbook(
        {
            "安全生产": [
                HEADER,
                ["酉庄村", "2024-03", 10, 3, None],
                ["蛇形村", "2024-03", 12, None, None],
                ["全镇", "2024-03", None, None, 2],
                ["酉庄村", "2024-04", 11, 1, None],
            ]
        }
    )
    version = store.import_workbook(read_workbook(data, "底稿.xlsx", catalogue), "甲").version_id
    values = store.version_values(version)
    book = exports.version_workbook(values, catalogue, version, "底稿.xlsx")
    wb = load_workbook(io.BytesIO(book))
    assert wb.sheetnames == ["安全生产", exports.SOURCE_SHEET]
    sheet = wb["安全生产"]
    header = [c.value for c in sheet[2]]
    assert header[:2] == ["村（社区）", "月份"]  # then every indicator of the area, with units
    assert header[2:] == [i.label for i in catalogue.sheet_indicators("安全生产")]

    def row(r: int) -> dict:
        return dict(zip(header, [c.value for c in sheet[r]], strict=True))

    assert [row(r)["村（社区）"] for r in range(3, 7)] == ["酉庄村", "蛇形村", "全镇", "酉庄村"]
    first, second, town = row(3), row(4), row(5)
    assert (first["月份"], first[HEADER[2]], first[HEADER[3]]) == ("2024年3月", 10, 3)
    assert first["专项隐患排查整治（次）"] == "—"  # filled by 全镇 only
    assert (second[HEADER[2]], second[HEADER[3]]) == (12, "未报")
    assert (town["专项隐患排查整治（次）"], town[HEADER[2]]) == (2, "—")
    sources = wb[exports.SOURCE_SHEET]
    assert [c.value for c in sources[3]][6:] == ["底稿.xlsx", "安全生产!C2"]

    back = read_workbook(book, "版本1.xlsx", catalogue)
    assert back.ignored_sheets == [exports.SOURCE_SHEET]
    same = changes.preview_import(store, [back], catalogue)
    assert not same.changes_anything

    column = header.index(HEADER[2]) + 1
    sheet.cell(4, column, 13)  # 蛇形村 2024年3月 检查生产经营单位: 12 → 13
    fixed = io.BytesIO()
    wb.save(fixed)
    parsed = read_workbook(fixed.getvalue(), "改.xlsx", catalogue)
    preview = changes.preview_import(store, [parsed], catalogue)
    changed = preview.changes[preview.changes["change"] != changes.SAME]
    assert changed[["village", "month", "indicator", "old", "new"]].values.tolist() == [
        ["蛇形村", "2024-03", "检查生产经营单位", 12.0, 13.0]
    ]
