import io

import pandas as pd
from openpyxl import load_workbook

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
    back = downloads.read_back_xlsx(data)
    assert back["检查（家次）"].iloc[0] == 1234 and pd.isna(back["检查（家次）"].iloc[1])
