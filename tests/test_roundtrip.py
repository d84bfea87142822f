"""Download, correct, upload again (contracts.md §1): every table exported for an area imports
back; with one cell corrected, exactly that one value changes. On SQLite and PostgreSQL."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from township_data import changes, cli
from township_data.catalogue import load_catalogue
from township_data.store import Store
from township_data.workbook import read_workbook

MONTH = "2024-03"


@pytest.fixture
def sample_store(database_url: str, catalogue) -> Store:
    """The three months up to MONTH of the shipped sample workbooks."""
    from township_data import config

    store = Store(database_url, catalogue.township_key, catalogue.township_name)
    for name in ("2024-01.xlsx", "2024-02.xlsx", f"{MONTH}.xlsx"):
        data = (config.SAMPLE_DIR / name).read_bytes()
        store.import_workbook(read_workbook(data, name, catalogue), "示例")
    return store


def export(area: str, tmp_path, capsys) -> bytes:
    out = tmp_path / f"{area}.xlsx"
    code = cli.main(["export", "--area", area, "--from", MONTH, "--to", MONTH, "--out", str(out)])
    assert code == cli.EXIT_OK, capsys.readouterr().err
    return out.read_bytes()


def first_number(sheet) -> tuple[int, int, float]:
    """The first village cell holding a number (row, column, value), below the header."""
    for r in range(3, sheet.max_row + 1):
        for c in range(2, sheet.max_column + 1):
            value = sheet.cell(r, c).value
            if isinstance(value, int | float) and not isinstance(value, bool):
                return r, c, float(value)
    raise AssertionError("no number in the exported table")


# every area reported in MONTH (疫情防控 had ended: the sample holds none of it then)
@pytest.mark.parametrize("area", [a.name for a in load_catalogue().areas_at(MONTH)])
def test_an_exported_area_table_corrected_in_one_cell_changes_exactly_that_value(
    area: str, sample_store: Store, catalogue, tmp_path, capsys
) -> None:
    data = export(area, tmp_path, capsys)
    back = read_workbook(data, f"{area}.xlsx", catalogue)  # the month from the title
    assert back.months == [MONTH] and any("月份取自标题" in n for n in back.notes)
    assert not changes.preview_import(sample_store, [back], catalogue).changes_anything

    book = load_workbook(io.BytesIO(data))
    sheet = book.active
    r, c, value = first_number(sheet)
    sheet.cell(r, c, value + 1)
    total = [row for row in range(3, sheet.max_row + 1) if sheet.cell(row, 1).value == "全镇合计"]
    if total and isinstance(sheet.cell(total[0], c).value, int | float):
        ind = catalogue.indicator(area, str(sheet.cell(2, c).value).rsplit("（", 1)[0])
        if ind.across == "sum":  # the computed 全镇 total is checked: keep it true
            sheet.cell(total[0], c, sheet.cell(total[0], c).value + 1)
    fixed = io.BytesIO()
    book.save(fixed)
    parsed = read_workbook(fixed.getvalue(), f"{area}（改）.xlsx", catalogue)
    preview = changes.preview_import(sample_store, [parsed], catalogue)
    changed = preview.changes[preview.changes["change"] != changes.SAME]
    assert len(changed) == 1, changed
    row = changed.iloc[0]
    assert (row["month"], row["old"], row["new"]) == (MONTH, value, value + 1)
    outcome = changes.import_all(sample_store, [parsed], "乙", preview.revision, preview=preview)
    assert outcome.error is None and outcome.stored[0].replaced == 1
