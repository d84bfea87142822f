"""Downloads: BOM, 未报, widths and title; formula-like text neutralised in both files."""

import io
import zipfile

import pandas as pd
from openpyxl import load_workbook

from tests.readback import read_back_xlsx
from township_data import downloads


def test_csv_has_bom_and_marks_missing() -> None:
    frame = pd.DataFrame(
        {"村（社区）": ["酉庄村", "=HYPERLINK(1)"], "检查（家次）": [1.0, float("nan")]}
    )
    data = downloads.to_csv(frame)
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert "未报" in text and "'=HYPERLINK(1)" in text


def test_xlsx_title_header_missing_and_no_formulas() -> None:
    frame = pd.DataFrame(
        {"村（社区）": ["酉庄村", "@SUM(A1)"], "检查（家次）": [1234.0, float("nan")]}
    )
    data = downloads.to_xlsx(
        frame, "潭湾镇2024年3月安全生产工作数据", row_fills={0: downloads.RED_FILL}
    )
    ws = load_workbook(io.BytesIO(data))["数据"]
    assert ws["A1"].value == "潭湾镇2024年3月安全生产工作数据"
    assert [ws["A2"].value, ws["B2"].value] == ["村（社区）", "检查（家次）"]
    assert ws["B3"].value == 1234 and ws["B3"].number_format == "#,##0"
    assert ws["B4"].value == "未报"
    assert ws["A4"].data_type == "s" and ws["A4"].value == "@SUM(A1)"
    assert ws.freeze_panes == "B3"
    assert ws["A3"].fill.fgColor.rgb.endswith("FCE4E4")
    back = read_back_xlsx(data)
    assert back["检查（家次）"].iloc[0] == 1234 and pd.isna(back["检查（家次）"].iloc[1])


RISKY = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "普通文字"]


def test_xlsx_keeps_formula_like_text_as_text_with_quote_prefix() -> None:
    frame = pd.DataFrame({"说明": RISKY, "数值": [1, 2, 3, 4, 5]})
    data = downloads.to_xlsx(frame, "测试")
    ws = load_workbook(io.BytesIO(data)).active
    cells = [ws.cell(r, 1) for r in range(3, 8)]
    assert [c.value for c in cells] == RISKY
    assert all(c.data_type == "s" for c in cells)
    assert [c.quotePrefix for c in cells] == [True, True, True, True, False]
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet  # no formula anywhere in the file


def test_csv_neutralises_formula_like_text_and_has_bom() -> None:
    data = downloads.to_csv(pd.DataFrame({"说明": RISKY}))
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[1] == '"\'=HYPERLINK(""http://x"")"'  # CSV quoting doubles the inner quotes
    assert lines[2:] == ["'+1+1", "'-2+3", "'@SUM(A1)", "普通文字"]


def test_blank_columns_and_number_formats() -> None:
    frame = pd.DataFrame(
        {
            "名称": ["甲", "乙"],
            "得分": [1.5, float("nan")],
            "变化": pd.array([2, None], dtype="Int64"),
        }
    )
    csv = downloads.to_csv(frame, blank=("变化",)).decode("utf-8-sig").splitlines()
    assert csv == ["名称,得分,变化", "甲,1.5,2", "乙,未报,"]
    data = downloads.to_xlsx(frame, "测试", blank=("变化",), number_formats={"变化": "+0;-0;0"})
    ws = load_workbook(io.BytesIO(data)).active
    assert ws["C3"].value == 2 and ws["C3"].number_format == "+0;-0;0"
    assert ws["B4"].value == "未报" and ws["C4"].value is None
    back = read_back_xlsx(data)
    assert back["得分"].isna().tolist() == [False, True] and back["变化"].tolist()[0] == 2


def test_csv_writes_whole_numbers_without_point_zero_in_a_full_column() -> None:
    frame = pd.DataFrame({"总分": [91.0, 86.5], "次数": [3.0, 4.0], "名称": ["甲", "乙"]})
    lines = downloads.to_csv(frame).decode("utf-8-sig").splitlines()
    assert lines == ["总分,次数,名称", "91,3,甲", "86.5,4,乙"]
