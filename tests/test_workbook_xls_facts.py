"""xls_facts.py on .xls files written with xlwt in memory, checked against xlrd and calamine, and
its record logic on hand-built BIFF8 records where xlwt cannot write the case."""

from __future__ import annotations

import io
import struct

import pytest
import python_calamine
import xlwt

from tests.cfb_writer import write_cfb
from township_data.workbook.facts import FactsError, cell_key, is_percent_format
from township_data.workbook.xls_facts import (
    BOF,
    EOF,
    FILEPASS,
    FORMULA,
    NUMBER,
    ROW,
    STRING,
    EncryptedError,
    _scan_sheet,
    scan_xls,
)

xlrd = pytest.importorskip("xlrd")


def statistics_book() -> bytes:
    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("社会事务")
    percent = xlwt.easyxf(num_format_str="0.0%")
    whole_percent = xlwt.easyxf(num_format_str="0%")
    quoted = xlwt.easyxf(num_format_str='0.00"%"')
    ws.write_merge(0, 0, 0, 4, "潭湾镇2024年3月社会事务工作统计表")
    for c, text in enumerate(["村（社区）", "月份", "签约率（%）", "人数（人）", "合计"]):
        ws.write(1, c, text)
    ws.write(2, 0, "甲村")
    ws.write(2, 1, "2024-03")
    ws.write(2, 2, 0.955, percent)  # NUMBER
    ws.write(2, 3, 12)
    ws.write(2, 4, xlwt.Formula("D3*2"))  # xlwt writes no cached value
    ws.write(3, 0, "乙村")
    ws.write(3, 2, 1, whole_percent)  # whole numbers go into RK/MULRK records
    ws.write(3, 3, 1, whole_percent)
    ws.write(3, 4, 7, quoted)
    ws.row(3).set_cell_error(5, "#DIV/0!")
    ws.row(3).hidden = True
    ws.col(3).hidden = True
    hidden = book.add_sheet("说明")
    hidden.write(0, 0, "填表说明")
    hidden.visibility = 1
    very = book.add_sheet("底稿")
    very.visibility = 2
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def workbook() -> bytes:
    return statistics_book()


def test_percent_cells_hidden_rows_columns_and_sheets(workbook: bytes) -> None:
    found = scan_xls(workbook)
    sheet = found["社会事务"]
    assert sheet.percent_cells == {(2, 2), (3, 2), (3, 3)}
    assert not sheet.is_percent(3, 4)  # 0.00"%" shows the stored number
    assert sheet.hidden_rows == {3}
    assert sheet.hidden_cols == {3}
    assert not sheet.hidden
    assert found["说明"].hidden and found["底稿"].hidden


def test_agrees_with_xlrd_formatting_info(workbook: bytes) -> None:
    book = xlrd.open_workbook(file_contents=workbook, formatting_info=True)
    found = scan_xls(workbook)
    for sheet in book.sheets():
        percent = set()
        for r in range(sheet.nrows):
            for c in range(sheet.ncols):
                cell = sheet.cell(r, c)
                code = book.format_map[book.xf_list[cell.xf_index].format_key].format_str
                if cell.ctype != xlrd.XL_CELL_EMPTY and is_percent_format(code):
                    percent.add(cell_key(r, c))
        facts = found[sheet.name]
        assert facts.percent == percent
        assert facts.hidden_rows == {r for r, info in sheet.rowinfo_map.items() if info.hidden}
        assert facts.hidden_cols == {c for c, info in sheet.colinfo_map.items() if info.hidden}
        assert facts.hidden == (sheet.visibility != 0)
        merged = {(r0, c0, r1 - 1, c1 - 1) for r0, r1, c0, c1 in sheet.merged_cells}
        assert set(facts.merged) == merged


def test_merged_ranges_and_visibility_agree_with_calamine(workbook: bytes) -> None:
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(workbook))
    ranges = book.get_sheet_by_name("社会事务").merged_cell_ranges
    assert [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in ranges] == scan_xls(workbook)[
        "社会事务"
    ].merged
    visible = [m.visible for m in book.sheets_metadata]
    assert visible == [
        python_calamine.SheetVisibleEnum.Visible,
        python_calamine.SheetVisibleEnum.Hidden,
        python_calamine.SheetVisibleEnum.VeryHidden,
    ]


def test_errors_and_uncached_formulas_that_calamine_reads_as_empty(workbook: bytes) -> None:
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(workbook))
    rows = book.get_sheet_by_name("社会事务").to_python(skip_empty_area=False)
    assert rows[2][4] == "" and rows[3][5] == ""
    facts = scan_xls(workbook)["社会事务"]
    # xlwt writes every formula result as empty text and no RECALCID: nothing was calculated.
    assert facts.uncached_formulas == {(2, 4)}
    assert facts.error_cells == {(3, 5): "#DIV/0!"}


def test_only_the_sheets_asked_for(workbook: bytes) -> None:
    assert set(scan_xls(workbook, ["底稿"])) == {"底稿"}


# ---------------------------------------------------------------- hand-built records


def record(kind: int, body: bytes) -> bytes:
    return struct.pack("<HH", kind, len(body)) + body


def bof() -> bytes:
    return record(BOF, struct.pack("<HH", 0x0600, 0x0010) + bytes(12))


def formula(row: int, col: int, result: bytes) -> bytes:
    return record(FORMULA, struct.pack("<HHH", row, col, 15) + result + bytes(6) + b"\x01\x00\x1e")


TEXT_RESULT = b"\x00\x00\x00\x00\x00\x00\xff\xff"
EMPTY_RESULT = b"\x03\x00\x00\x00\x00\x00\xff\xff"


def sheet(*records: bytes) -> bytes:
    return bof() + b"".join(records) + record(EOF, b"")


@pytest.mark.parametrize("calculated", [True, False])
def test_formula_results_as_excel_writes_them(calculated: bool) -> None:
    stream = sheet(
        formula(1, 1, struct.pack("<d", 42.0)),  # a number: cached
        formula(2, 1, TEXT_RESULT),
        record(STRING, b"\x02\x00\x00ok"),  # text result "ok": cached
        formula(3, 1, TEXT_RESULT),
        record(STRING, b"\x00\x00\x00"),  # text result "": blank
        formula(4, 1, EMPTY_RESULT),  # empty text
        formula(5, 1, TEXT_RESULT),  # a text result with no STRING after it
        record(NUMBER, struct.pack("<HHHd", 6, 1, 15, 1.0)),
        formula(7, 1, b"\x02\x00\x07\x00\x00\x00\xff\xff"),  # #DIV/0!
    )
    facts = _scan_sheet(stream, 0, frozenset(), frozenset(), calculated)
    empty_text = {(3, 1), (4, 1)}
    assert facts.blank_formulas == (empty_text if calculated else set())
    assert facts.uncached_formulas == ({(5, 1)} if calculated else empty_text | {(5, 1)})
    assert facts.error_cells == {(7, 1): "#DIV/0!"}


def test_cells_of_an_embedded_chart_are_not_the_sheets() -> None:
    chart_number = record(NUMBER, struct.pack("<HHHd", 0, 0, 20, 0.5))
    stream = sheet(
        record(NUMBER, struct.pack("<HHHd", 1, 1, 20, 0.5)),
        bof() + chart_number + record(EOF, b""),
        record(ROW, struct.pack("<HHHHHHHH", 9, 0, 1, 255, 0, 0, 0x20, 0x0F)),
    )
    facts = _scan_sheet(stream, 0, frozenset({20}), frozenset(), True)
    assert facts.percent_cells == {(1, 1)}
    assert facts.hidden_rows == {9}


def globals_stream(*records: bytes) -> bytes:
    return bof() + b"".join(records) + record(EOF, b"")


def test_an_open_password_is_refused() -> None:
    data = write_cfb({"Workbook": globals_stream(record(FILEPASS, bytes(6))).ljust(4096, b"\0")})
    with pytest.raises(EncryptedError):
        scan_xls(data)


def test_not_biff8_or_no_workbook_stream_is_a_facts_error() -> None:
    biff5 = record(BOF, struct.pack("<HH", 0x0500, 0x0005) + bytes(4)) + record(EOF, b"")
    with pytest.raises(FactsError):
        scan_xls(write_cfb({"Workbook": biff5}))
    with pytest.raises(FactsError):
        scan_xls(write_cfb({"WordDocument": b"\0" * 64}))
    with pytest.raises(FactsError):
        scan_xls(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100))
