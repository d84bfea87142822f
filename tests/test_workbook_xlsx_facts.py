"""xlsx_facts.py on workbooks built in memory with openpyxl, and on their XML rewritten the ways
other writers write it (prefixes, no r, other attribute order, quoting, LibreOffice's flags)."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable

import pytest
import python_calamine
from openpyxl import Workbook

from township_data.workbook.facts import FactsError, SheetFacts
from township_data.workbook.xlsx_facts import scan_xlsx

FIELDS = (
    "hidden",
    "percent",
    "unclear_percent",
    "hidden_rows",
    "hidden_cols",
    "uncached_formulas",
    "blank_formulas",
    "error_cells",
)


def build(fill: Callable[[Workbook], None]) -> bytes:
    wb = Workbook()
    fill(wb)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def patch(data: bytes, entry: str, change: Callable[[bytes], bytes]) -> bytes:
    """The workbook with one part's XML rewritten."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            part = source.read(info.filename)
            target.writestr(info.filename, change(part) if info.filename == entry else part)
    return out.getvalue()


def same_facts(a: SheetFacts, b: SheetFacts) -> bool:
    return all(getattr(a, f) == getattr(b, f) for f in FIELDS) and sorted(a.merged) == sorted(
        b.merged
    )


def statistics_sheet(wb: Workbook) -> None:
    """A monthly sheet as a clerk leaves it: title merged, a percent column, a hidden row and
    column, a formula without cached value, an error, a hidden 说明 sheet."""
    ws = wb.active
    ws.title = "社会事务"
    ws["A1"] = "潭湾镇2024年3月社会事务工作统计表"
    ws.merge_cells("A1:E1")
    ws.append(["村（社区）", "月份", "家庭医生签约率（%）", "临时救助金额（万元）", "合计"])
    ws.append(["甲村", "2024-03", 0.955, 1.5, "=D3*2"])
    ws.append(["乙村", "2024-03", 0.9, 2, "=1/0"])
    ws.append(["丙村", "2024-03", 1, 3, 6])
    for row in (3, 4, 5):
        ws.cell(row, 3).number_format = "0.0%"
    ws["D3"].number_format = '0.00"%"'  # shows 1.50%, stores 1.5: not a percent format
    ws.row_dimensions[4].hidden = True
    ws.column_dimensions["D"].hidden = True
    notes = wb.create_sheet("说明")
    notes["A1"] = "填表说明"
    notes.sheet_state = "hidden"
    secret = wb.create_sheet("底稿")
    secret.sheet_state = "veryHidden"


@pytest.fixture(scope="module")
def workbook() -> bytes:
    return build(statistics_sheet)


def test_percent_cells_are_those_with_a_percent_number_format(workbook: bytes) -> None:
    facts = scan_xlsx(workbook)["社会事务"]
    assert facts.percent_cells == {(2, 2), (3, 2), (4, 2)}
    assert facts.is_percent(2, 2)
    assert not facts.is_percent(2, 3)  # 0.00"%" shows the stored number
    assert not facts.parsed


@pytest.mark.parametrize(("code", "percent"), [("0%", True), ("0.00%", True), ("0.00", False)])
def test_built_in_formats_9_and_10_are_percent(code: str, percent: bool) -> None:
    def fill(wb: Workbook) -> None:
        wb.active["B2"] = 0.5
        wb.active["B2"].number_format = code

    facts = scan_xlsx(build(fill))["Sheet"]
    assert facts.is_percent(1, 1) is percent


def test_hidden_rows_columns_and_sheets(workbook: bytes) -> None:
    found = scan_xlsx(workbook)
    sheet = found["社会事务"]
    assert sheet.hidden_rows == {3}
    assert sheet.hidden_cols == {3}
    assert not sheet.hidden
    assert found["说明"].hidden
    assert found["底稿"].hidden


def test_sheet_visibility_agrees_with_calamine(workbook: bytes) -> None:
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(workbook))
    hidden = {
        m.name: m.visible != python_calamine.SheetVisibleEnum.Visible for m in book.sheets_metadata
    }
    assert hidden == {name: f.hidden for name, f in scan_xlsx(workbook).items()}


def test_merged_ranges_agree_with_calamine(workbook: bytes) -> None:
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(workbook))
    ranges = book.get_sheet_by_name("社会事务").merged_cell_ranges
    assert [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in ranges] == [(0, 0, 0, 4)]
    assert scan_xlsx(workbook)["社会事务"].merged == [(0, 0, 0, 4)]


def test_formulas_without_cached_values(workbook: bytes) -> None:
    # openpyxl writes <f>D3*2</f><v></v>: no value until Excel or WPS calculates and saves.
    facts = scan_xlsx(workbook)["社会事务"]
    assert facts.uncached_formulas == {(2, 4), (3, 4)}
    assert facts.blank_formulas == set()


def test_calamine_reads_an_uncached_formula_and_an_error_as_empty_text(workbook: bytes) -> None:
    """Why the facts are needed: calamine 0.9.1 cannot tell these from an empty cell."""
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(workbook))
    rows = book.get_sheet_by_name("社会事务").to_python(skip_empty_area=False)
    assert rows[2][4] == ""
    errors = _sheet_xml_patch(
        workbook,
        b'<c r="E4"><f>1/0</f><v></v></c>',
        b'<c r="E4" t="e"><f>1/0</f><v>#DIV/0!</v></c>',
    )
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(errors))
    assert book.get_sheet_by_name("社会事务").to_python(skip_empty_area=False)[3][4] == ""


def _sheet_xml_patch(data: bytes, old: bytes, new: bytes) -> bytes:
    def change(xml: bytes) -> bytes:
        assert old in xml, old
        return xml.replace(old, new)

    return patch(data, "xl/worksheets/sheet1.xml", change)


@pytest.mark.parametrize(
    ("cell", "uncached", "blank", "error"),
    [
        (b'<c r="E3"><f>D3*2</f></c>', {(2, 4)}, set(), None),  # no <v> at all
        (b'<c r="E3"><f>D3*2</f><v/></c>', {(2, 4)}, set(), None),
        (b'<c r="E3"><f>D3*2</f><v>3</v></c>', set(), set(), None),
        (b'<c r="E3" t="str"><f>IF(D3&gt;5,1,"")</f><v></v></c>', set(), {(2, 4)}, None),
        (b'<c r="E3" t="str"><f>IF(D3&gt;5,1,"")</f></c>', {(2, 4)}, set(), None),
        (b'<c r="E3" t="e"><f>D3/0</f><v>#DIV/0!</v></c>', set(), set(), "#DIV/0!"),
        (b'<c r="E3" t="e"><v>#N/A</v></c>', set(), set(), "#N/A"),
        (b'<c r="E3" s="0" t="n"><f aca="false">D3*2</f><v>3</v></c>', set(), set(), None),
        (b'<c r="E3"><f t="shared" ref="E3:E4" si="0">D3*2</f><v>3</v></c>', set(), set(), None),
    ],
)
def test_formula_and_error_cells_as_each_writer_writes_them(
    workbook: bytes, cell: bytes, uncached: set, blank: set, error: str | None
) -> None:
    data = _sheet_xml_patch(workbook, b'<c r="E3"><f>D3*2</f><v></v></c>', cell)
    for parse in (False, True):
        facts = scan_xlsx(data, parse=parse)["社会事务"]
        assert facts.uncached_formulas - {(3, 4)} == uncached
        assert facts.blank_formulas == blank
        assert facts.error_cells.get((2, 4)) == error


# The same sheet XML written other ways: each must give the same facts, read by the parser when
# the fast scan cannot vouch for it.
VARIANTS: dict[str, tuple[Callable[[bytes], bytes], bool]] = {
    "prefixed": (
        lambda x: re.sub(rb"<(/?)(?!\?)", rb"<\1x:", x).replace(
            b'xmlns="http://schemas', b'xmlns:x="http://schemas'
        ),
        True,
    ),
    "no r on cells": (lambda x: re.sub(rb'<c r="[A-Z]+[0-9]+"', b"<c", x), True),
    "s before r": (
        lambda x: re.sub(rb'<c r="([A-Z]+[0-9]+)" s="([0-9]+)"', rb'<c s="\2" r="\1"', x),
        True,
    ),
    "single quotes": (lambda x: re.sub(rb' s="([0-9]+)"', rb" s='\1'", x), True),
    "tab before attributes": (lambda x: x.replace(b' s="', b'\ts="'), True),
    "line breaks between cells": (lambda x: x.replace(b"</c><c", b"</c>\n<c"), False),
    "LibreOffice row flags": (
        lambda x: re.sub(
            rb'<row r="([0-9]+)"(?! hidden)', rb'<row r="\1" customFormat="false" hidden="false"', x
        ).replace(b'hidden="1"', b'hidden="true"'),
        False,
    ),
    "row style": (lambda x: x.replace(b'<row r="5"', b'<row r="5" s="1" customFormat="1"'), False),
}


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_other_writers_give_the_same_facts(workbook: bytes, variant: str) -> None:
    change, needs_parser = VARIANTS[variant]
    data = patch(workbook, "xl/worksheets/sheet1.xml", change)
    reference = scan_xlsx(workbook)["社会事务"]
    facts = scan_xlsx(data)["社会事务"]
    assert same_facts(facts, reference), variant
    assert facts.parsed is needs_parser


def test_no_percent_style_means_no_percent_search() -> None:
    def fill(wb: Workbook) -> None:
        for r in range(1, 50):
            wb.active.append([f"村{r}", r, r * 2])

    facts = scan_xlsx(build(fill))["Sheet"]
    assert facts.percent == set()
    assert not facts.parsed


def test_default_style_formatted_as_percent_reads_unstyled_cells_too() -> None:
    """When style 0 itself is a percent format, every cell written without s= is percent."""

    def fill(wb: Workbook) -> None:
        wb.active["A1"] = 0.5

    data = build(fill)
    data = patch(
        data, "xl/styles.xml", lambda x: x.replace(b'<xf numFmtId="0"', b'<xf numFmtId="9"', 2)
    )
    facts = scan_xlsx(data)["Sheet"]
    assert facts.parsed
    assert facts.is_percent(0, 0)


def test_fast_scan_agrees_with_the_parser_on_a_back_fill() -> None:
    """Hundreds of rows in several sheets, percent columns, a few hidden rows and formulas."""

    def fill(wb: Workbook) -> None:
        wb.remove(wb.active)
        for s, name in enumerate(("党建引领", "安全生产", "社会事务")):
            ws = wb.create_sheet(name)
            ws.append(["村（社区）", "月份", "率（%）", "人数（人）", "合计"])
            for i in range(400):
                ws.append(
                    [f"村{i % 17}", f"2024-{i % 12 + 1:02d}", (i % 100) / 100, i, f"=D{i + 2}*2"]
                )
                ws.cell(i + 2, 3).number_format = "0.0%" if (i + s) % 5 else "0.00"
                if i % 37 == 0:
                    ws.row_dimensions[i + 2].hidden = True

    data = build(fill)
    fast, parsed = scan_xlsx(data), scan_xlsx(data, parse=True)
    assert fast.keys() == parsed.keys()
    for name in fast:
        assert not fast[name].parsed
        assert same_facts(fast[name], parsed[name])
        assert len(fast[name].percent) == 320
        assert len(fast[name].uncached_formulas) == 400


def test_a_hidden_column_span_to_the_last_column_stops_at_the_used_range(workbook: bytes) -> None:
    data = patch(
        workbook,
        "xl/worksheets/sheet1.xml",
        lambda x: re.sub(
            rb"<cols>.*</cols>", b'<cols><col min="6" max="16384" hidden="1"/></cols>', x
        ),
    )
    assert scan_xlsx(data)["社会事务"].hidden_cols == set()  # used range ends at E
    data = patch(
        data,
        "xl/worksheets/sheet1.xml",
        lambda x: x.replace(b'<dimension ref="A1:E5"/>', b'<dimension ref="A1:H5"/>'),
    )
    assert scan_xlsx(data)["社会事务"].hidden_cols == {5, 6, 7}


def test_only_the_sheets_asked_for(workbook: bytes) -> None:
    assert set(scan_xlsx(workbook, ["说明"])) == {"说明"}


def test_a_broken_archive_or_part_is_a_facts_error(workbook: bytes) -> None:
    with pytest.raises(FactsError):
        scan_xlsx(b"PK\x03\x04 not really a zip")
    with pytest.raises(FactsError):
        scan_xlsx(patch(workbook, "xl/styles.xml", lambda x: x[: len(x) // 2]))
