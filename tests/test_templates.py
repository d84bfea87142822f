"""Templates to send out: one village's row only, last month's stocks carried and marked, one
file per village in a zip, and a filled village template imports as any workbook does."""

from __future__ import annotations

import io
import zipfile

import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from township_data import cli, pagedata
from township_data.catalogue import TOWN, Catalogue
from township_data.workbook import (
    carried_stocks,
    read_workbook,
    template_name,
    write_template,
    write_village_zip,
    zip_name,
)
from township_data.workbook.template import CARRIED_COLOUR

GREEN = CARRIED_COLOUR


def previous_month(rows: list[tuple]) -> pd.DataFrame:
    """February's current values as Store.current returns them."""
    return pd.DataFrame(
        [(a, i, v, "2024-02", value) for a, i, v, value in rows],
        columns=["area", "indicator", "village", "month", "value"],
    )


FEBRUARY = previous_month(
    [
        ("党管武装", "基干民兵", "酉庄村", 12.0),  # a stock, per village and 全镇
        ("党管武装", "基干民兵", "蛇形村", 20.0),
        ("党管武装", "基干民兵", TOWN, 8.0),
        ("党管武装", "基干民兵在位率", "酉庄村", 95.5),  # a rate: a stock too
        ("党管武装", "兵役登记", "酉庄村", 6.0),  # a count: never carried
        ("乡村振兴", "公益性岗位", "酉庄村", float("nan")),  # 未报 last month: nothing to carry
        ("信访维稳", "信访重点人员（五包一）", "酉庄村", 3.0),
        ("人居环境打擂", "总分", "酉庄村", 88.0),  # a month's own score: never carried
    ]
)


def opened(data: bytes):
    return load_workbook(io.BytesIO(data))


def data_rows(ws) -> list[list[object]]:
    return [[c.value for c in row] for row in ws.iter_rows(min_row=4)]


def test_carried_stocks_are_last_months_stocks_only(catalogue: Catalogue) -> None:
    assert carried_stocks(FEBRUARY, catalogue) == {
        ("党管武装", "酉庄村", "基干民兵"): 12.0,
        ("党管武装", "蛇形村", "基干民兵"): 20.0,
        ("党管武装", TOWN, "基干民兵"): 8.0,
        ("党管武装", "酉庄村", "基干民兵在位率"): 95.5,
        ("信访维稳", "酉庄村", "信访重点人员（五包一）"): 3.0,
    }


def test_a_village_template_holds_only_its_row_and_its_columns(catalogue: Catalogue) -> None:
    book = opened(write_template(catalogue, "2024-03", "酉庄村"))
    # no 打擂 sheet (the township scores it), no 疫情防控 (its work ended in January 2023)
    areas = [a.name for a in catalogue.areas_at("2024-03")]
    assert "疫情防控" not in areas and len(areas) == len(catalogue.areas) - 1
    assert book.sheetnames == ["填表说明", *areas]
    for area in areas:
        ws = book[area]
        assert ws.max_row == 4, area
        assert data_rows(ws)[0][:2] == ["酉庄村", "2024-03"]
        expected = [i.label for i in catalogue.area(area).indicators if i.village_rows]
        assert [c.value for c in ws[3]][2:] == expected
        assert ws["A1"].value == f"潭湾镇2024年3月{area}工作统计表（酉庄村）"
        assert ws["A2"].value.startswith("填报单位：酉庄村")
    safety = book["安全生产"]
    assert "专项隐患排查整治（次）" not in [c.value for c in safety[3]]  # 全镇 only
    # Every column still validates on entry, as in the township's template.
    ranges = {str(dv.sqref) for dv in safety.data_validations.dataValidation}
    assert ranges == {f"{get_column_letter(col)}4" for col in range(3, safety.max_column + 1)}
    rules = {row[0]: row[1] for row in book["填表说明"].iter_rows(min_row=3, values_only=True)}
    assert "本表只含“酉庄村”一行" in rules["村（社区）"] and "灰色格子" not in rules


def test_the_town_row_template_has_the_town_columns(catalogue: Catalogue) -> None:
    book = opened(write_template(catalogue, "2024-03", TOWN))
    safety = book["安全生产"]
    assert data_rows(safety)[0][:2] == [TOWN, "2024-03"]
    assert [c.value for c in safety[3]][2:4] == [
        "专项隐患排查整治（次）",
        "下达行政整改指令（通知）书（份）",
    ]
    assert "乡村振兴" not in book.sheetnames  # filled per village only
    assert template_name(catalogue, "2024-03", TOWN) == "潭湾镇2024年3月月报_镇本级.xlsx"


def test_carried_stocks_are_filled_and_marked(catalogue: Catalogue) -> None:
    carried = carried_stocks(FEBRUARY, catalogue)
    book = opened(write_template(catalogue, "2024-03", "酉庄村", carried))
    militia = book["党管武装"]
    header = [c.value for c in militia[3]]
    row = dict(zip(header, data_rows(militia)[0], strict=True))
    assert row["基干民兵（人）"] == 12 and row["基干民兵在位率（%）"] == 95.5
    assert row["兵役登记（人）"] is None  # counts stay empty
    cell = militia.cell(4, header.index("基干民兵（人）") + 1)
    assert cell.fill.fgColor.rgb.endswith(GREEN)
    assert cell.comment.text.startswith("上月（2024年2月）数：12 人。有变化的请改正")
    count = militia.cell(4, header.index("兵役登记（人）") + 1)
    assert not count.fill.fgColor.rgb.endswith(GREEN) and count.comment is None
    assert militia["A2"].value.endswith("绿色格子为上月（2024年2月）数，有变化的请改正")
    assert "绿色格子" not in book["安全生产"]["A2"].value  # nothing carried there
    petitions = book["信访维稳"]
    header = [c.value for c in petitions[3]]
    assert data_rows(petitions)[0][header.index("信访重点人员（五包一）（人）")] == 3
    notes = {row[0]: row[1] for row in book["填表说明"].iter_rows(min_row=3, values_only=True)}
    assert "已预填上月（2024年2月）的数" in notes["绿色格子"]
    assert book["填表说明"]["A" + str(3 + list(notes).index("绿色格子"))].fill.fgColor.rgb.endswith(
        GREEN
    )


def test_the_township_template_carries_the_town_row_too(catalogue: Catalogue) -> None:
    carried = carried_stocks(FEBRUARY, catalogue)
    militia = opened(write_template(catalogue, "2024-03", None, carried))["党管武装"]
    col = [c.value for c in militia[3]].index("基干民兵（人）")
    rows = {r[0]: r[col] for r in data_rows(militia)}
    assert (rows["酉庄村"], rows["蛇形村"], rows[TOWN], rows["杉林村"]) == (12, 20, 8, None)
    town = militia.cell(4 + len(catalogue.village_names), col + 1)
    assert town.fill.fgColor.rgb.endswith(GREEN) and town.comment.text.startswith("上月")


def test_carrying_needs_a_month_and_a_known_row(catalogue: Catalogue) -> None:
    with pytest.raises(ValueError, match="需要指定月份"):
        write_template(catalogue, None, "酉庄村", {("党管武装", "酉庄村", "基干民兵"): 1.0})
    with pytest.raises(ValueError, match="未知的村（社区）“酉庄”"):
        write_template(catalogue, "2024-03", "酉庄")


def test_the_zip_holds_one_named_file_per_village(catalogue: Catalogue) -> None:
    carried = carried_stocks(FEBRUARY, catalogue)
    archive = zipfile.ZipFile(io.BytesIO(write_village_zip(catalogue, "2024-03", carried)))
    names = archive.namelist()
    assert names == [f"潭湾镇2024年3月月报_{v}.xlsx" for v in catalogue.village_names]
    assert names[0] == "潭湾镇2024年3月月报_酉庄村.xlsx"
    assert all(info.flag_bits & 0x800 for info in archive.infolist())  # names in UTF-8
    assert zip_name(catalogue, "2024-03") == "潭湾镇2024年3月月报模板_各村（社区）.zip"
    for village, expected in (("酉庄村", 12), ("蛇形村", 20), ("杉林村", None)):
        militia = opened(archive.read(f"潭湾镇2024年3月月报_{village}.xlsx"))["党管武装"]
        rows = data_rows(militia)
        assert len(rows) == 1 and rows[0][:3] == [village, "2024-03", expected]


def others_of(values: pd.DataFrame) -> pd.DataFrame:
    """Every village's values but 酉庄村's, in a fixed order."""
    key = ["area", "indicator", "village"]
    rest = values[values["village"] != "酉庄村"]
    return rest.sort_values(key, ignore_index=True)[[*key, "value"]]


def test_a_filled_village_template_changes_only_that_village(
    store, make_workbook, catalogue: Catalogue
) -> None:
    """February's stocks and March's 安全生产 of two villages are in; 酉庄村's March template,
    filled, changes 酉庄村 only, and its carried stocks become March's figures."""
    header = ["村（社区）", "月份", "基干民兵（人）", "兵役登记（人）"]
    february = make_workbook(
        {"党管武装": [header, ["酉庄村", "2024-02", 12, 6], ["蛇形村", "2024-02", 20, 4]]}
    )
    store.import_workbook(read_workbook(february, "二月.xlsx", catalogue), "甲")
    safety = ["村（社区）", "月份", "检查生产经营单位（家次）", "排查安全隐患（处）"]
    march = make_workbook(
        {"安全生产": [safety, ["酉庄村", "2024-03", 10, 3], ["蛇形村", "2024-03", 12, 4]]}
    )
    store.import_workbook(read_workbook(march, "三月.xlsx", catalogue), "甲")
    before = store.current(months=["2024-03"])

    carried = pagedata.carried_stocks(store, catalogue, "2024-03")
    assert carried == {
        ("党管武装", "酉庄村", "基干民兵"): 12.0,
        ("党管武装", "蛇形村", "基干民兵"): 20.0,
    }
    book = opened(write_template(catalogue, "2024-03", "酉庄村", carried))
    sheet = book["安全生产"]
    columns = [c.value for c in sheet[3]]
    sheet.cell(4, columns.index("检查生产经营单位（家次）") + 1, 15)
    sheet.cell(4, columns.index("排查安全隐患（处）") + 1, 3)
    buffer = io.BytesIO()
    book.save(buffer)

    parsed = read_workbook(
        buffer.getvalue(), template_name(catalogue, "2024-03", "酉庄村"), catalogue
    )
    assert {r[2] for r in parsed.rows} == {"酉庄村"}
    assert sorted(parsed.slices) == [("党管武装", "2024-03"), ("安全生产", "2024-03")]
    store.import_workbook(parsed, "酉庄村")

    after = store.current(months=["2024-03"])
    pd.testing.assert_frame_equal(others_of(after), others_of(before))
    mine = after[after["village"] == "酉庄村"].set_index(["area", "indicator"])["value"]
    assert mine.to_dict() == {
        ("安全生产", "检查生产经营单位"): 15.0,
        ("安全生产", "排查安全隐患"): 3.0,
        ("党管武装", "基干民兵"): 12.0,  # carried: now March's figure
    }


def test_the_command_line_writes_a_village_template_and_the_zip(
    tmp_path, data_dir, store, make_workbook, catalogue: Catalogue, capsys
) -> None:
    header = ["村（社区）", "月份", "基干民兵（人）"]
    february = make_workbook({"党管武装": [header, ["酉庄村", "2024-02", 12]]})
    store.import_workbook(read_workbook(february, "二月.xlsx", catalogue), "甲")

    one = tmp_path / "酉庄村.xlsx"
    assert cli.main(["template", "--out", str(one), "--month", "2024-03", "--village", "酉庄"]) == 0
    out = capsys.readouterr().out
    assert "已生成2024年3月酉庄村的月报模板" in out
    assert "已预填2024年2月的存量指标 1 个" in out
    assert opened(one.read_bytes())["党管武装"]["C4"].value == 12

    bundle = tmp_path / "各村.zip"
    assert cli.main(["template", "--out", str(bundle), "--month", "2024-03"]) == 0
    assert "各村（社区）的月报模板 16 个" in capsys.readouterr().out
    assert len(zipfile.ZipFile(bundle).namelist()) == len(catalogue.village_names)

    blank = tmp_path / "全镇.xlsx"
    assert cli.main(["template", "--out", str(blank), "--month", "2024-03"]) == 0
    assert "空白月报模板" in capsys.readouterr().out
    assert opened(blank.read_bytes())["党管武装"]["D4"].value is None  # not carried by default


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ["--out", "x.zip", "--month", "2024-03", "--village", "酉庄村"],
            2,
            "不能与 .zip 同时使用",
        ),
        (["--out", "x.xlsx", "--village", "酉庄村"], 2, "需要 --month"),
        (["--out", "x.zip"], 2, "需要 --month"),
        (["--out", "x.docx", "--month", "2024-03"], 2, "须为 .xlsx 文件"),
        (["--out", "x.xlsx", "--month", "2024-03", "--village", "酉庄坊"], 1, "是不是“酉庄村”"),
    ],
)
def test_template_usage_errors(tmp_path, data_dir, capsys, args, code, message) -> None:
    args = [str(tmp_path / a) if a.startswith("x.") else a for a in args]
    assert cli.main(["template", *args]) == code
    assert message in capsys.readouterr().err
    assert not list(tmp_path.glob("x.*"))
