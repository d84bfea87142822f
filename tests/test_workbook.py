"""Every rule of contracts.md §1, with workbooks built in the test, plus files that are not xlsx."""

from __future__ import annotations

import datetime as dt
import io
import re
import tracemalloc
import types
import zipfile

import pytest
from openpyxl import load_workbook

from tests.cfb_writer import write_cfb
from tests.conftest import build_huge_sheet, build_workbook
from township_data import config, workbook
from township_data.catalogue import load_catalogue
from township_data.errors import WorkbookError
from township_data.workbook import read_workbook, write_template

HEADER = [
    "村（社区）",
    "月份",
    "检查生产经营单位（家次）",
    "排查安全隐患（处）",
    "专项隐患排查整治（次）",
]


def problems_of(
    data: bytes, catalogue, month: str | None = None, name: str = "月报.xlsx"
) -> list[str]:
    with pytest.raises(WorkbookError) as caught:
        read_workbook(data, name, catalogue, month)
    return [str(p) for p in caught.value.problems]


def safety(*rows: list[object], header: list[object] = HEADER) -> bytes:
    return build_workbook({"安全生产": [header, *rows]})


def value_map(parsed) -> dict[tuple[str, str, str], float]:
    frame = parsed.values
    return {(r.indicator, r.village, r.month): r.value for r in frame.itertuples()}


def test_valid_sheet_becomes_tidy_values_with_cells(catalogue) -> None:
    parsed = read_workbook(
        safety(["酉庄村", "2024-03", 12, 3, None], ["全镇", "2024-03", None, None, 5]),
        "三月.xlsx",
        catalogue,
    )
    frame = parsed.values
    assert list(frame.columns) == [
        "area",
        "indicator",
        "village",
        "month",
        "value",
        "file",
        "sheet",
        "cell",
    ]
    rows = {(r.indicator, r.village): (r.value, r.cell) for r in frame.itertuples()}
    assert rows == {
        ("检查生产经营单位", "酉庄村"): (12.0, "C2"),
        ("排查安全隐患", "酉庄村"): (3.0, "D2"),
        ("专项隐患排查整治", "全镇"): (5.0, "E3"),
    }
    assert set(frame["file"]) == {"三月.xlsx"} and set(frame["sheet"]) == {"安全生产"}
    assert parsed.slices == [("安全生产", "2024-03")]
    assert len(parsed.sha256) == 64


def test_title_rows_above_header_are_skipped(catalogue) -> None:
    data = build_workbook(
        {
            "安全生产": [
                ["潭湾镇2024年3月安全生产工作统计表"],
                ["填报单位：潭湾镇应急办"],
                HEADER,
                ["蛇形村", "2024-03", 7, None, None],
            ]
        }
    )
    parsed = read_workbook(data, "a.xlsx", catalogue)
    assert value_map(parsed) == {("检查生产经营单位", "蛇形村", "2024-03"): 7.0}
    assert parsed.values["cell"].tolist() == ["C4"]


@pytest.mark.parametrize(
    "village_header",
    ["村(社区)", "村（居）", "村名", "单位", " 村 （ 社区 ） ", "村\u3000（社区）"],
)
def test_village_header_variants(catalogue, village_header: str) -> None:
    data = safety(["石牌村", "2024-03", 1, None, None], header=[village_header, *HEADER[1:]])
    assert value_map(read_workbook(data, "a.xlsx", catalogue)) == {
        ("检查生产经营单位", "石牌村", "2024-03"): 1.0
    }


def test_header_must_be_within_first_ten_rows(catalogue) -> None:
    data = build_workbook(
        {"安全生产": [[f"说明{i}"] for i in range(10)] + [HEADER, ["酉庄村", "2024-03", 1]]}
    )
    (message,) = problems_of(data, catalogue)
    assert "安全生产" in message and "前 10 行中找不到表头“村（社区）”" in message


def test_header_spaces_widths_and_units_are_ignored(catalogue) -> None:
    header = [
        "村（社区）",
        "月份",
        " 检查 生产经营单位 (家次) ",
        "排查安全隐患【处】",
        "专项隐患排查整治",
    ]
    parsed = read_workbook(
        safety(
            ["全镇", "2024-03", None, None, 2], ["杉林村", "2024-03", 4, 1, None], header=header
        ),
        "a.xlsx",
        catalogue,
    )
    assert value_map(parsed) == {
        ("专项隐患排查整治", "全镇", "2024-03"): 2.0,
        ("检查生产经营单位", "杉林村", "2024-03"): 4.0,
        ("排查安全隐患", "杉林村", "2024-03"): 1.0,
    }


def test_unknown_column_suggests_closest_name(catalogue) -> None:
    header = ["村（社区）", "月份", "检查生产单位（家次）"]
    (message,) = problems_of(safety(["酉庄村", "2024-03", 1], header=header), catalogue)
    assert message.startswith("月报.xlsx 安全生产!C1：未知的指标列“检查生产单位（家次）”")
    assert "是否应为“检查生产经营单位”" in message


def test_sequence_and_remark_columns_are_allowed(catalogue) -> None:
    header = ["序号", "村（社区）", "月份", "检查生产经营单位", "备注"]
    parsed = read_workbook(
        safety([1, "酉庄村", "2024-03", 3, "含夜查"], header=header), "a.xlsx", catalogue
    )
    assert value_map(parsed) == {("检查生产经营单位", "酉庄村", "2024-03"): 3.0}


@pytest.mark.parametrize(
    "month_cell",
    ["2024-03", "2024/3", "2024.03", "2024年3月", "202403", 202403, dt.datetime(2024, 3, 1)],
)
def test_month_spellings(catalogue, month_cell: object) -> None:
    parsed = read_workbook(safety(["酉庄村", month_cell, 1, None, None]), "a.xlsx", catalogue)
    assert parsed.months == ["2024-03"]


def test_decimal_month_is_refused_as_ambiguous(catalogue) -> None:
    (message,) = problems_of(safety(["酉庄村", 2024.1, 1, None, None]), catalogue)
    assert "安全生产!B2" in message and "小数" in message and "2024.10" in message


def test_month_from_form_when_no_month_column(catalogue) -> None:
    header = ["村（社区）", "检查生产经营单位"]
    data = safety(["酉庄村", 9], header=header)
    assert read_workbook(data, "a.xlsx", catalogue, month="2024-05").months == ["2024-05"]
    (message,) = problems_of(data, catalogue)
    assert "没有“月份”列" in message and "--month" in message


def test_month_column_wins_over_form_month(catalogue) -> None:
    parsed = read_workbook(
        safety(["酉庄村", "2024-03", 1, None, None]), "a.xlsx", catalogue, month="2024-05"
    )
    assert parsed.months == ["2024-03"]


def test_several_months_in_one_sheet(catalogue) -> None:
    parsed = read_workbook(
        safety(["酉庄村", "2024-01", 1, None, None], ["酉庄村", "2024-02", 2, None, None]),
        "a.xlsx",
        catalogue,
    )
    assert parsed.slices == [("安全生产", "2024-01"), ("安全生产", "2024-02")]


def test_unknown_village_suggests_closest(catalogue) -> None:
    (message,) = problems_of(safety(["杉材村", "2024-03", 1, None, None]), catalogue)
    assert "安全生产!A2：未知的村（社区）“杉材村”" in message and "是否应为“杉林村”" in message


def test_village_aliases_are_accepted(catalogue) -> None:
    parsed = read_workbook(
        safety(["杉林村委会", "2024-03", 1, None, None], ["镇本级", "2024-03", None, None, 4]),
        "a.xlsx",
        catalogue,
    )
    assert set(parsed.values["village"]) == {"杉林村", "全镇"}


def test_level_rules_for_town_and_village_rows(catalogue) -> None:
    messages = problems_of(
        safety(["全镇", "2024-03", 5, None, None], ["酉庄村", "2024-03", None, None, 2]), catalogue
    )
    assert any("安全生产!C2" in m and "按村（社区）填报，全镇行请留空" in m for m in messages)
    assert any("安全生产!E3" in m and "只在“全镇”行填报" in m for m in messages)


def test_both_level_indicator_accepts_village_and_town(catalogue) -> None:
    header = ["村（社区）", "月份", "安全知识培训讲座和现场演练"]
    parsed = read_workbook(
        safety(["酉庄村", "2024-03", 2], ["全镇", "2024-03", 1], header=header), "a.xlsx", catalogue
    )
    assert len(parsed.values) == 2


def test_total_row_is_checked_not_stored(catalogue) -> None:
    ok = safety(
        ["酉庄村", "2024-03", 2, 1, None],
        ["蛇形村", "2024-03", 3, None, None],
        ["合计", "2024-03", 5, 1, None],
    )
    parsed = read_workbook(ok, "a.xlsx", catalogue)
    assert "合计" not in set(parsed.values["village"]) and len(parsed.values) == 3
    bad = safety(
        ["酉庄村", "2024-03", 2, 1, None],
        ["蛇形村", "2024-03", 3, None, None],
        ["总计", "2024-03", 6, 1, None],
    )
    (message,) = problems_of(bad, catalogue)
    assert "安全生产!C4" in message and "总计 6 与相应各行之和 5 不符" in message


@pytest.mark.parametrize("blank", [None, "", "-", "—", "/", "*", " - ", "－"])
def test_not_reported_markers_are_not_zero(catalogue, blank: object) -> None:
    parsed = read_workbook(safety(["酉庄村", "2024-03", blank, 0, None]), "a.xlsx", catalogue)
    assert value_map(parsed) == {("排查安全隐患", "酉庄村", "2024-03"): 0.0}


@pytest.mark.parametrize(
    ("text", "number"), [("12", 12.0), ("1,234", 1234.0), ("１２３４", 1234.0), (" 7 ", 7.0)]
)
def test_numbers_stored_as_text(catalogue, text: str, number: float) -> None:
    parsed = read_workbook(safety(["酉庄村", "2024-03", text, None, None]), "a.xlsx", catalogue)
    assert value_map(parsed) == {("检查生产经营单位", "酉庄村", "2024-03"): number}


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("十二", "不是数字"),
        (-1, "小于下限"),
        (2.5, "不是整数"),
        ("12,34", "不是数字"),
        (True, "不是数字"),
    ],
)
def test_invalid_counts(catalogue, cell: object, expected: str) -> None:
    (message,) = problems_of(safety(["酉庄村", "2024-03", cell, None, None]), catalogue)
    assert "安全生产!C2" in message and expected in message


def test_percent_and_money_ranges(catalogue) -> None:
    data = build_workbook(
        {
            "乡村振兴": [
                ["村（社区）", "月份", "家庭医生签约率（%）"],
                ["酉庄村", "2024-03", 120],
                ["蛇形村", "2024-03", "95.5%"],
            ],
            "社会事务": [
                ["村（社区）", "月份", "临时救助金额（元）"],
                ["酉庄村", "2024-03", -5],
                ["蛇形村", "2024-03", 1234.5],
            ],
        }
    )
    messages = problems_of(data, catalogue)
    assert len(messages) == 2
    assert any("乡村振兴!C2" in m and "超过上限 100%" in m for m in messages)
    assert any("社会事务!C2" in m and "小于下限" in m for m in messages)


def test_duplicate_village_month_row(catalogue) -> None:
    (message,) = problems_of(
        safety(["酉庄村", "2024-03", 1, None, None], ["酉庄", "2024-03", 2, None, None]), catalogue
    )
    assert "安全生产!A3" in message and "重复" in message and "第 2 行" in message


CONTEST_HEADER = [
    "村（社区）",
    "月份",
    "农村改厕",
    "垃圾治理",
    "污水治理",
    "村容村貌",
    "长效管护",
    "总分",
]


def contest(*rows: list[object]) -> bytes:
    return build_workbook({"人居环境打擂": [CONTEST_HEADER, *rows]})


def test_contest_total_computed_when_missing(catalogue) -> None:
    parsed = read_workbook(
        contest(["酉庄村", "2024-03", 18, 20, 16.5, 17, 12, None]), "a.xlsx", catalogue
    )
    values = value_map(parsed)
    assert values[("总分", "酉庄村", "2024-03")] == 83.5
    assert parsed.values.set_index("indicator").loc["总分", "cell"] == "H2（由各项相加）"


def test_contest_rules(catalogue) -> None:
    messages = problems_of(
        contest(
            ["酉庄村", "2024-03", 18, 20, 16, 17, 12, 90],
            ["蛇形村", "2024-03", 21, 20, 16, 17, 12, None],
            ["杉林村", "2024-03", 18, None, 16, 17, 12, None],
            ["全镇", "2024-03", 18, 20, 16, 17, 12, None],
        ),
        catalogue,
    )
    assert any("人居环境打擂!H2" in m and "总分 90 不等于各评分项之和 83" in m for m in messages)
    assert any("人居环境打擂!C3" in m and "超过上限 20分" in m for m in messages)
    assert any("人居环境打擂!H4" in m and "没有填全" in m for m in messages)
    assert any("人居环境打擂!A5" in m and "全镇" in m for m in messages)


def test_contest_total_alone_is_accepted(catalogue) -> None:
    parsed = read_workbook(
        contest(["酉庄村", "2024-03", None, None, None, None, None, 88.5]), "a.xlsx", catalogue
    )
    assert value_map(parsed) == {("总分", "酉庄村", "2024-03"): 88.5}


def test_all_errors_of_a_workbook_reported_at_once(catalogue) -> None:
    data = build_workbook(
        {
            "安全生产": [
                HEADER,
                ["杉材村", "2024-03", 1, None, None],
                ["酉庄村", "2024-03", "x", -1, None],
            ],
            "党建引领": [["村（社区）", "月份", "主题党日活动"], ["蛇形村", 2024.1, 1]],
        }
    )
    messages = problems_of(data, catalogue)
    assert len(messages) == 4
    assert all(m.startswith("月报.xlsx ") for m in messages)


def test_other_sheets_ignored_and_named(catalogue) -> None:
    data = build_workbook(
        {
            "填表须知": [["说明"]],
            " 安全生产 ": [HEADER, ["酉庄村", "2024-03", 1, None, None]],
            "安全生产3月": [["x"]],
        }
    )
    parsed = read_workbook(data, "a.xlsx", catalogue)
    assert parsed.slices == [("安全生产", "2024-03")]
    assert parsed.ignored_sheets[0] == "填表须知"
    assert "名称须与领域完全一致" in parsed.ignored_sheets[1]


def test_empty_sheets_are_skipped_not_wiping_data(catalogue) -> None:
    data = build_workbook(
        {
            "安全生产": [HEADER, ["酉庄村", "2024-03", 1, None, None]],
            "党建引领": [["村（社区）", "月份", "主题党日活动"], ["酉庄村", "2024-03", None]],
        }
    )
    parsed = read_workbook(data, "a.xlsx", catalogue)
    assert parsed.slices == [("安全生产", "2024-03")]
    assert any("党建引领" in n and "跳过" in n for n in parsed.notes)


# ------------------------------------------------------------------ files that are not xlsx


def one_problem(data: bytes, catalogue, name: str = "上报.xlsx") -> str:
    (message,) = problems_of(data, catalogue, name=name)
    assert message.startswith(name)
    return message


def test_not_a_zip(catalogue) -> None:
    assert "不是有效的 Excel" in one_problem(b"\x00\x01garbage" * 20, catalogue)


def test_empty_file(catalogue) -> None:
    assert "空的" in one_problem(b"", catalogue)


def test_broken_compound_file(catalogue) -> None:
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2000 + "Workbook".encode("utf-16-le")
    message = one_problem(data, catalogue, name="三月.xls")
    assert "损坏" in message and "另存为" in message


def test_password_protected(catalogue) -> None:
    """Excel keeps a workbook with an open password as a compound file with these streams."""
    data = write_cfb({"EncryptionInfo": b"\0" * 200, "EncryptedPackage": b"\0" * 5000})
    assert "密码" in one_problem(data, catalogue)


def test_html_saved_as_xls(catalogue) -> None:
    data = "<html><body><table><tr><td>村（社区）</td></tr></table></body></html>".encode()
    message = one_problem(data, catalogue, name="导出.xls")
    assert "网页" in message and "另存为" in message


def test_csv_renamed(catalogue) -> None:
    data = "村（社区）,月份,检查生产经营单位\n酉庄村,2024-03,1\n".encode("gb18030")
    assert "CSV" in one_problem(data, catalogue)


def test_truncated_file(catalogue) -> None:
    full = safety(["酉庄村", "2024-03", 1, None, None])
    assert "不完整或已损坏" in one_problem(full[: len(full) // 2], catalogue)


def test_workbook_without_known_sheet(catalogue) -> None:
    message = one_problem(build_workbook({"Sheet1": [["a", "b"]]}), catalogue)
    assert "没有可识别的工作表" in message and "安全生产" in message


def test_blank_template_has_no_data(catalogue) -> None:
    assert "没有任何已填写的数据" in one_problem(write_template(catalogue, "2024-03"), catalogue)


def _bomb(rows: int, declared: str | None) -> bytes:
    """An xlsx whose one sheet has `rows` rows, optionally declaring a dimension."""
    base = safety(["酉庄村", "2024-03", 1, None, None])
    source = zipfile.ZipFile(io.BytesIO(base))
    buffer = io.BytesIO()
    dimension = f'<dimension ref="{declared}"/>' if declared else ""
    body = "".join(f'<row r="{i}"><c r="A{i}"><v>1</v></c></row>' for i in range(1, rows + 1))
    sheet = f'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{dimension}<sheetData>{body}</sheetData></worksheet>'
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = (
                sheet.encode()
                if info.filename == "xl/worksheets/sheet1.xml"
                else source.read(info.filename)
            )
            target.writestr(info.filename, content)
    return buffer.getvalue()


def test_declared_huge_sheet_refused_before_parsing(catalogue) -> None:
    assert "1,048,576 行" in one_problem(_bomb(3, "A1:XFD1048576"), catalogue)


def test_many_rows_without_dimension_refused(catalogue) -> None:
    message = one_problem(_bomb(config.MAX_SHEET_ROWS + 10, None), catalogue)
    assert "超过" in message and f"{config.MAX_SHEET_ROWS:,}" in message


def test_too_large_unpacked(catalogue, monkeypatch) -> None:
    monkeypatch.setattr(config, "MAX_UNPACKED_BYTES", 1000)
    assert "解压后" in one_problem(safety(["酉庄村", "2024-03", 1, None, None]), catalogue)


# ------------------------------------------------------------------ zip bombs (read in extent)
# A sheet's used range is what the reader allocates; these forge what no spreadsheet writes.


def _with_sheet_xml(data: bytes, edit) -> bytes:
    """Rewrite the first sheet's XML of a workbook (to forge what no spreadsheet writes)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = edit(content)
            target.writestr(info.filename, content)
    return out.getvalue()


def test_million_row_compressed_sheet_is_refused_with_bounded_memory(catalogue) -> None:
    data = build_huge_sheet(1_000_000)
    unpacked = zipfile.ZipFile(io.BytesIO(data)).getinfo("xl/worksheets/sheet1.xml").file_size
    assert len(data) < config.MAX_UPLOAD_BYTES < unpacked  # small upload, big sheet
    tracemalloc.start()
    try:
        with pytest.raises(WorkbookError) as caught:
            workbook.read_workbook(data, "百万行.xlsx", catalogue, "2024-03")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    problem = caught.value.problems[0]
    assert problem.file == "百万行.xlsx" and problem.sheet == "安全生产"
    assert "超过 20,000 行" in problem.message
    # Streamed in 1 MB blocks: far below the 49 MB sheet, let alone a parsed grid.
    assert peak < 32 * 1024 * 1024


def test_declared_dimension_is_refused_from_the_first_block(catalogue) -> None:
    data = build_huge_sheet(30_000, dimension="A1:B1000000")
    problems = workbook.check_archive(data, "x.xlsx")
    assert len(problems) == 1 and "声明了 1,000,000 行 × 2 列" in problems[0].message


@pytest.mark.parametrize(
    ("row", "cell", "expected"),
    [
        (1_048_576, "XFD1048576", "超过 20,000 行"),
        (5, "XFD5", "第 16,384 列"),
        (19_000, "KM19000", "超过上限 2,000,000 个单元格"),
    ],
)
def test_one_far_away_cell_is_refused_before_the_reader_allocates_its_range(
    make_workbook, catalogue, row, cell, expected
) -> None:
    """A 7 KB file with one cell at XFD1048576 made the reader ask for 512 GB and abort."""
    data = make_workbook({"安全生产": [["村（社区）", "月份"], ["酉庄村", "2024-03"]]})

    def forge(xml: bytes) -> bytes:
        xml = re.sub(rb"<dimension[^>]*/>", b'<dimension ref="A1:B2"/>', xml)
        extra = f'<row r="{row}"><c r="{cell}" t="n"><v>5</v></c></row></sheetData>'
        return xml.replace(b"</sheetData>", extra.encode())

    forged = _with_sheet_xml(data, forge)
    problems = workbook.check_archive(forged, "伪造.xlsx")
    assert len(problems) == 1
    assert problems[0].sheet == "安全生产" and expected in problems[0].message


def test_cells_without_references_are_counted_in_order(make_workbook) -> None:
    data = make_workbook({"安全生产": [["村（社区）"]]})
    cells = b"<c><v>1</v></c>" * (config.MAX_SHEET_COLUMNS + 1)
    forged = _with_sheet_xml(
        data, lambda xml: xml.replace(b"</sheetData>", b"<row>" + cells + b"</row></sheetData>")
    )
    problems = workbook.check_archive(forged, "x.xlsx")
    assert problems and f"第 {config.MAX_SHEET_COLUMNS + 1} 列" in problems[0].message


def _sheet_moved(data: bytes, entry: str, rows: bytes, targets: dict[bytes, bytes]) -> bytes:
    """The first sheet stored as `entry` with `rows` added, its relationship target rewritten
    (`targets`: old → new, quotes included where they matter)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                target.writestr(
                    entry,
                    content.replace(b"</sheetData>", rows + b"</sheetData>").replace(
                        b"<sheetData/>", b"<sheetData>" + rows + b"</sheetData>"
                    ),
                )
                continue
            if info.filename == "xl/_rels/workbook.xml.rels":
                for old, new in targets.items():
                    content = content.replace(old, new)
            target.writestr(info.filename, content)
    return out.getvalue()


def test_a_sheet_stored_outside_the_worksheets_folder_is_still_checked(make_workbook) -> None:
    data = make_workbook({"安全生产": [["村（社区）"]]})
    huge = b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (r, r) for r in range(1, 25_001))
    moved = _sheet_moved(
        data, "xl/hidden/data.xml", huge, {b"worksheets/sheet1.xml": b"hidden/data.xml"}
    )
    problems = workbook.check_archive(moved, "x.xlsx")
    assert problems and problems[0].sheet == "安全生产"


def test_a_target_written_from_the_archive_root_is_checked_as_written(make_workbook) -> None:
    """Target="xl/worksheets/x.bin": one reading joins it under xl/ (xl/xl/…), another takes
    it as written; the entry that exists is checked whichever way it is read."""
    data = make_workbook({"安全生产": [["村（社区）"]]})
    far = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    moved = _sheet_moved(
        data,
        "xl/worksheets/x.bin",
        far,
        {
            b'"worksheets/sheet1.xml"': b'"xl/worksheets/x.bin"',
            b'"/xl/worksheets/sheet1.xml"': b'"xl/worksheets/x.bin"',
        },
    )
    problems = workbook.check_archive(moved, "x.xlsx")
    assert len(problems) == 1 and problems[0].sheet == "安全生产"


def test_sample_workbook_passes_the_archive_checks() -> None:
    data = (config.SAMPLE_DIR / "2024-03.xlsx").read_bytes()
    assert workbook.check_archive(data, "2024-03.xlsx") == []


# ------------------------------------------------------------------ template


def test_template_layout(catalogue) -> None:
    book = load_workbook(io.BytesIO(write_template(catalogue, "2024-03")))
    # 疫情防控 ended in January 2023: March 2024's workbook has no sheet for it; 大事记 last
    sheets = [s for s in catalogue.sheet_names if s != "疫情防控"]
    assert book.sheetnames == ["填表说明", *sheets, "大事记"]
    january = load_workbook(io.BytesIO(write_template(catalogue, "2023-01")))
    assert "疫情防控" in january.sheetnames
    assert [c.value for c in book["大事记"][3]] == ["日期", "领域", "村（社区）", "类别", "事件"]
    ws = book["安全生产"]
    assert ws["A1"].value == "潭湾镇2024年3月安全生产工作统计表"
    assert [c.value for c in ws[3]][:3] == ["村（社区）", "月份", "专项隐患排查整治（次）"]
    villages = [ws.cell(r, 1).value for r in range(4, ws.max_row + 1)]
    assert villages == [*catalogue.village_names, "全镇"]
    assert ws["B4"].value == "2024-03"
    assert ws["C4"].fill.fgColor.rgb.endswith(
        "E7E6E6"
    )  # town-level indicator greyed on a village row
    assert ws.freeze_panes == "C4"
    rules = " ".join(str(c.value) for row in book["填表说明"].iter_rows() for c in row if c.value)
    assert "未报" in rules and "2024.1" in rules


def test_filled_template_round_trip(catalogue) -> None:
    book = load_workbook(io.BytesIO(write_template(catalogue, "2024-03")))
    ws = book["安全生产"]
    ws["D4"] = 12  # 酉庄村 检查生产经营单位
    ws["C20"] = 3  # 全镇 专项隐患排查整治
    buffer = io.BytesIO()
    book.save(buffer)
    parsed = read_workbook(buffer.getvalue(), "t.xlsx", catalogue)
    assert value_map(parsed) == {
        ("检查生产经营单位", "酉庄村", "2024-03"): 12.0,
        ("专项隐患排查整治", "全镇", "2024-03"): 3.0,
    }
    assert "填表说明" in parsed.ignored_sheets


def test_bad_cells_of_an_unknown_village_row_are_reported_too(catalogue) -> None:
    messages = problems_of(safety(["杉材村", "2024-03", "十二", -1, None]), catalogue)
    assert len(messages) == 3
    assert any("安全生产!A2" in m for m in messages)
    assert any("安全生产!C2" in m and "不是数字" in m for m in messages)
    assert any("安全生产!D2" in m and "小于下限" in m for m in messages)


def _extent(block: bytes, plain: bool) -> tuple[int, int, int, int, int]:
    extent = workbook.SheetExtent()
    if plain:
        assert extent._feed_plain(block)
    else:
        extent._feed_in_order(block)
    return extent.rows, extent.row, extent.col, extent.max_row, extent.max_col


def test_sheet_extent_fast_path_agrees_with_the_general_path() -> None:
    block = (
        b'<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1"><v>1</v></c></row>'
        b'<row r="7" spans="1:3"><c r="B7"><v>2</v></c><c r="AB9"/></row></sheetData>'
    )
    assert _extent(block, plain=True) == _extent(block, plain=False) == (2, 7, 28, 9, 28)


def test_sheet_extent_unusual_tags_take_the_general_path() -> None:
    for block in (
        b'<x:row r="1"><x:c r="XFD1"/></x:row>',  # prefixed tags
        b'<row r="1"><c t="s" r="XFD1"/></row>',  # r is not the first attribute
        b'<row><c r="A1"/></row>',  # a row without r
        b'<row r="1"><c\tr="XFD1"/></row>',  # other whitespace
    ):
        assert not workbook.SheetExtent()._feed_plain(block)
        extent = workbook.SheetExtent()
        extent.feed(block)
        assert extent.max_col >= 1
    wide = workbook.SheetExtent()
    wide.feed(b'<row r="1"><c t="s" r="XFD1"/></row>')
    assert wide.max_col == 16384 and wide.too_big()


def test_rows_values_and_value_rows_hold_the_same_values(catalogue, make_workbook) -> None:
    """The reader hands the store one row per sheet row; the tidy table is built from them."""
    data = make_workbook(
        {
            "安全生产": [
                ["村（社区）", "月份", "检查生产经营单位", "排查安全隐患"],
                ["酉庄村", "2024-03", 5, None],
                ["蛇形村", "2024-03", 6, 2],
            ]
        }
    )
    parsed = read_workbook(data, "a.xlsx", catalogue)
    assert parsed.rows == [
        ("安全生产", "2024-03", "酉庄村", "安全生产", {"检查生产经营单位": 5.0}, ["C2"]),
        (
            "安全生产",
            "2024-03",
            "蛇形村",
            "安全生产",
            {"检查生产经营单位": 6.0, "排查安全隐患": 2.0},
            ["C3", "D3"],
        ),
    ]
    expected = [
        ("安全生产", "检查生产经营单位", "酉庄村", "2024-03", 5.0, "a.xlsx", "安全生产", "C2"),
        ("安全生产", "检查生产经营单位", "蛇形村", "2024-03", 6.0, "a.xlsx", "安全生产", "C3"),
        ("安全生产", "排查安全隐患", "蛇形村", "2024-03", 2.0, "a.xlsx", "安全生产", "D3"),
    ]
    assert parsed.value_rows() == expected and parsed.value_count == 3
    assert list(parsed.values.itertuples(index=False, name=None)) == expected


def test_a_small_block_is_bounded_without_reading_every_reference() -> None:
    block = b'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="Z9999"><v>1</v></c></row>'
    extent = workbook.SheetExtent()
    assert extent._feed_small(block)
    assert (extent.rows, extent.row, extent.col, extent.bounded) == (1, 1, 26, True)
    assert extent.too_big() is None
    for beyond in (
        b'<row r="1"><c r="AA1"><v>1</v></c></row>',  # a column past Z
        b'<row r="1"><c r="A10000"><v>1</v></c></row>',  # a row past 9,999
        b'<row r="10000"><c r="A1"><v>1</v></c></row>',
        b'<row r="1"><c t="s" r="A1"/></row>',  # r not first
        b'<row spans="1:2" r="1"><c r="A1"/></row>',  # a row's r not first
        b'<row r="1"><c/><c><v>1</v></c></row>',  # cells without r
        b'<row r="1"><c r="A"/></row>',  # a reference without its row
        b'<row><c r="A1"/></row>',  # a row without r
        b'<x:row r="1"><x:c r="A1"/></x:row>',  # prefixed tags
    ):
        assert not workbook.SheetExtent()._feed_small(beyond), beyond
    # measured, not bounded, when asked to be exact
    exact = workbook.SheetExtent(exact=True)
    exact.feed(block)
    assert (exact.max_row, exact.max_col, exact.bounded) == (9999, 26, False)


def _sheet_of(rows: bytes, make_workbook) -> bytes:
    data = make_workbook({"安全生产": [["村（社区）"]]})
    return _with_sheet_xml(
        data,
        lambda xml: re.sub(
            rb"<sheetData>.*</sheetData>|<sheetData/>",
            lambda _: b"<sheetData>" + rows + b"</sheetData>",
            xml,
            flags=re.S,
        ),
    )


def test_a_bound_that_would_refuse_is_measured_before_refusing(make_workbook) -> None:
    """A first block bounded at 9,999 rows and a later one 250 columns wide would be refused
    by the bound (9,999 × 250 cells); measured, 6,001 × 250 cells are within the limits, and a
    refusal names the measured extent."""
    padding = b"<v>" + b"1" * 200 + b"</v>"
    rows = b"".join(
        b'<row r="%d"><c r="A%d">%s</c></row>' % (r, r, padding) for r in range(1, 6001)
    )
    wide = b'<row r="6001"><c r="IP6001"><v>1</v></c></row>'  # column 250, row 6,001
    assert len(rows) > (1 << 20)  # the wide row comes in a later block
    assert workbook.check_archive(_sheet_of(rows + wide, make_workbook), "x.xlsx") == []
    far = b'<row r="9000"><c r="IP9000"><v>1</v></c></row>'  # 9,000 × 250 > 2,000,000
    problems = workbook.check_archive(_sheet_of(rows + far, make_workbook), "x.xlsx")
    assert len(problems) == 1
    assert "9,000 行 × 250 列，超过上限 2,000,000 个单元格" in problems[0].message


def test_reading_holds_the_cycle_collector_and_gives_it_back() -> None:
    import gc

    assert gc.isenabled()
    with workbook.gc_paused():
        assert not gc.isenabled()
        with workbook.gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner hold does not end the outer one
    assert gc.isenabled()
    gc.disable()
    try:
        with workbook.gc_paused():
            pass
        assert not gc.isenabled()  # held before: stays held
    finally:
        gc.enable()


def test_a_sheet_the_parser_cannot_read_is_named_and_the_others_still_checked(
    make_workbook, catalogue
) -> None:
    """Sheets are parsed in a worker thread: a failure there is still the sheet's problem."""
    data = make_workbook(
        {
            "安全生产": [["村（社区）", "月份", "检查生产经营单位"], ["酉庄村", "2024-03", 5]],
            "党建引领": [["村（社区）", "月份", "主题党日活动"], ["酉庄村", "2024-03", "x"]],
        }
    )
    # a shared-string index the workbook does not have
    broken = _with_sheet_xml(
        data,
        lambda xml: xml.replace(
            b"</sheetData>", b'<row r="9"><c r="A9" t="s"><v>999</v></c></row></sheetData>'
        ),
    )
    assert problems_of(broken, catalogue, name="x.xlsx") == [
        "x.xlsx 安全生产：工作表已损坏，无法读取",
        "x.xlsx 党建引领!C2：主题党日活动：“x”不是数字（未报请留空或填“-”）",
    ]


def test_figures_of_an_ended_area_are_refused(catalogue, tmp_path) -> None:
    header = ["村（社区）", "月份", "敲门行动排查", "疫苗接种"]
    data = build_workbook(
        {
            "疫情防控": [
                header,
                ["酉庄村", "2023-01", 30, 10],
                ["蛇形村", "2023-02", 20, None],
                ["杉林村", "2023-03", None, 5],
            ]
        }
    )
    messages = problems_of(data, catalogue)
    assert messages == [
        "月报.xlsx 疫情防控：“疫情防控”已于2023年1月停止填报（指标目录），表中有2023年2月、2023年3月"
        "的数据（请删去这张表或清空其中的数据；如该项工作仍在进行，请修改指标目录中该领域的 start / end）"
    ]
    # January itself is inside the span
    january = build_workbook({"疫情防控": [header, ["酉庄村", "2023-01", 30, 10]]})
    assert len(read_workbook(january, "t.xlsx", catalogue).values) == 2
    # an indicator of its own that ended: named with its cells
    text = config.DEFAULT_CATALOGUE.read_text(encoding="utf-8").replace(
        '{ name = "检查车辆", unit = "台次"', '{ name = "检查车辆", end = "2023-12", unit = "台次"'
    )
    path = tmp_path / "catalogue.toml"
    path.write_text(text, encoding="utf-8")
    ended = load_catalogue(path)
    rows = [["村（社区）", "月份", "检查车辆"], ["酉庄村", "2023-12", 4], ["蛇形村", "2024-01", 6]]
    (message,) = problems_of(build_workbook({"安全生产": rows}), ended)
    assert "“检查车辆”已于2023年12月停止填报（指标目录），C3是2024年1月的数据" in message


def test_no_sheet_is_parsed_before_every_worksheet_entry_passed_its_size_check(
    make_workbook, catalogue, monkeypatch
) -> None:
    """Which archive entry the parser reads for a sheet is the parser's business: a refused
    entry anywhere (here an ignored sheet stored first) means nothing is parsed at all, even
    in a workbook large enough to be parsed in a worker thread."""
    from township_data.workbook import reader

    data = make_workbook(
        {"说明": [["填表说明"]], "安全生产": [["村（社区）", "月份"], ["酉庄村", "2024-03"]]}
    )
    forged = _with_sheet_xml(
        data,
        lambda xml: xml.replace(
            b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>5</v></c></row></sheetData>'
        ),
    )
    opened: list[str] = []
    real = reader.python_calamine

    def from_filelike(stream):
        opened.append("workbook")
        return real.CalamineWorkbook.from_filelike(stream)

    recording = types.SimpleNamespace(
        PasswordError=real.PasswordError,
        CalamineWorkbook=types.SimpleNamespace(from_filelike=from_filelike),
    )
    monkeypatch.setattr(reader, "_SMALL_WORKBOOK", 0)  # the worker thread, whatever the size
    monkeypatch.setattr(reader, "python_calamine", recording)
    (message,) = problems_of(forged, catalogue)
    assert "说明" in message and "超过" in message
    assert opened == []
