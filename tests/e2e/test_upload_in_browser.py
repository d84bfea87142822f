"""An office's monthly upload, through the browser: the template from the upload page, filled
with openpyxl, dropped on the uploader, confirmed, and the new figures on the area page; and a
workbook with mistakes, which shows every mistake with sheet and cell and changes nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from township_data import config
from township_data.catalogue import load_catalogue

from . import sheets
from .driver import download, errors_on, open_page, settle, table_rows

pytestmark = pytest.mark.e2e

CATALOGUE = load_catalogue(config.DEFAULT_CATALOGUE)
AREA = "安全生产"
INSPECTED = "检查生产经营单位"
MONTH = config.SAMPLE_LAST_MONTH  # replaces a month the sample holds
MONTH_LABEL = "2024年12月"


def _revision(page: Page) -> int:
    """The store's revision from the sidebar: 第 N 次更新 (every import or restore adds one)."""
    found = re.search(r"第 (\d+) 次更新", page.get_by_test_id("stSidebar").inner_text())
    assert found, page.get_by_test_id("stSidebar").inner_text()
    return int(found.group(1))


def _history_count(page: Page, base_url: str) -> int:
    open_page(page, base_url, "guanli")
    page.get_by_role("tab", name="导入记录").click()
    caption = page.get_by_text(re.compile(r"共 \d+ 次导入或恢复"))
    expect(caption).to_be_visible()
    return int(re.search(r"共 (\d+) 次", caption.inner_text()).group(1))


def _template(page: Page, base_url: str, folder: Path) -> Path:
    """The blank workbook as the upload page offers it, reduced to the 安全生产 sheet."""
    open_page(page, base_url, "shangchuan")
    got = download(page, "下载空白月报模板（.xlsx）")
    assert got.suggested_filename.endswith("月报模板.xlsx")
    path = folder / got.suggested_filename
    got.save_as(path)
    wb = load_workbook(path)
    # a month after 疫情防控 ended: its sheet is not in the template
    sheets = CATALOGUE.sheets_at(config.SAMPLE_LAST_MONTH)
    assert set(sheets) <= set(wb.sheetnames) and "疫情防控" not in wb.sheetnames
    for name in sheets:
        if name != AREA:
            del wb[name]
    wb.save(path)
    return path


def _upload(page: Page, path: Path) -> None:
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(path)


def test_filled_template_uploaded_and_confirmed_shows_on_the_area_page(
    server, desktop, tmp_path
) -> None:
    page = desktop
    path = _template(page, server.url, tmp_path)
    before = _revision(page)
    wb = load_workbook(path)
    ws = wb[AREA]
    month_col, inspected_col = sheets.column(ws, "月份"), sheets.column(ws, INSPECTED)
    villages = [(v, r) for v, r in sheets.rows(ws) if v != "全镇"]
    assert [v for v, _ in villages] == CATALOGUE.village_names
    for number, (_, row) in enumerate(villages, start=1):
        ws.cell(row, month_col).value = MONTH
        ws.cell(row, inspected_col).value = 100 + number
    ws.cell(sheets.rows(ws)[-1][1], month_col).value = MONTH  # 全镇: this indicator is per village
    path = path.with_name("潭湾镇十二月月报.xlsx")
    wb.save(path)
    total = sum(100 + n for n in range(1, len(villages) + 1))

    _upload(page, path)
    expect(page.get_by_text("校验通过")).to_be_visible(timeout=60_000)
    settle(page)
    changed = page.get_by_test_id("stMetric").filter(has_text="修改数值")
    assert int(changed.get_by_test_id("stMetricValue").inner_text().replace(",", "")) > 0
    assert errors_on(page) == []
    page.get_by_role("button", name="确认导入").click()
    link = page.get_by_role("link", name=f"查看{AREA}")
    expect(link).to_be_visible(timeout=60_000)
    assert AREA in page.get_by_test_id("stAlertContentSuccess").first.inner_text()
    assert _revision(page) == before + 1

    link.click()
    page.wait_for_url(f"{server.url}/anquan")
    settle(page)
    assert page.get_by_role("combobox", name="月份").input_value() == MONTH_LABEL
    card = page.get_by_test_id("stMetric").filter(has_text=INSPECTED)
    assert card.get_by_test_id("stMetricValue").inner_text() == f"{total:,} 家次"

    page.get_by_role("tab", name="分村数据表").click()
    table = table_rows(page.get_by_test_id("stDataFrame").last)
    column = table[0].index(f"{INSPECTED}（家次）")
    shown = {row[0]: row[column] for row in table[1:]}
    assert shown[CATALOGUE.village_names[0]] == "101"
    assert shown[CATALOGUE.village_names[-1]] == str(100 + len(villages))
    assert shown["全镇"] == f"{total:,}"


def test_workbook_with_mistakes_shows_sheet_and_cell_and_changes_nothing(
    server, desktop, tmp_path
) -> None:
    page = desktop
    history = _history_count(page, server.url)
    path = _template(page, server.url, tmp_path)
    revision = _revision(page)
    wb = load_workbook(path)
    ws = wb[AREA]
    inspected_col = sheets.column(ws, INSPECTED)
    (_, first_row), (_, second_row) = sheets.rows(ws)[:2]
    ws.cell(first_row, inspected_col).value = "十二"  # not a number
    ws.cell(second_row, 1).value = "不存在村"  # not a configured village, with a figure
    ws.cell(second_row, inspected_col).value = 5
    bad_cell = ws.cell(first_row, inspected_col).coordinate
    village_cell = ws.cell(second_row, 1).coordinate
    wb.save(path)

    _upload(page, path)
    error = page.get_by_test_id("stAlertContentError")
    expect(error).to_contain_text("没有导入任何数据", timeout=60_000)
    settle(page)
    table = table_rows(page.get_by_test_id("stDataFrame").first)
    assert table[0] == ["文件", "工作表", "单元格", "问题", "处理建议"]
    located = {(row[1], row[2]) for row in table[1:]}
    assert {(AREA, bad_cell), (AREA, village_cell)} <= located
    assert all(row[0] == path.name for row in table[1:])
    assert page.get_by_role("button", name="确认导入").count() == 0

    assert _revision(page) == revision
    assert _history_count(page, server.url) == history


def _village_file(template: Path, village: str, month: str, value: int, folder: Path) -> Path:
    """The template cut to one village's row, filled: the file a village sends back."""
    wb = load_workbook(template)
    ws = wb[AREA]
    month_col, inspected_col = sheets.column(ws, "月份"), sheets.column(ws, INSPECTED)
    for name, row in reversed(sheets.rows(ws)):
        if name != village:
            ws.delete_rows(row)
    ((_, row),) = sheets.rows(ws)
    ws.cell(row, month_col).value = month
    ws.cell(row, inspected_col).value = value
    path = folder / f"{village}{month}.xlsx"
    wb.save(path)
    return path


def test_two_village_files_in_one_upload_both_show_and_the_others_keep_theirs(
    server, desktop, tmp_path
) -> None:
    page = desktop
    template = _template(page, server.url, tmp_path)
    month, label = "2024-11", "2024年11月"
    first, second = CATALOGUE.village_names[:2]
    files = [
        _village_file(template, first, month, 501, tmp_path),
        _village_file(template, second, month, 502, tmp_path),
    ]
    open_page(page, server.url, "shangchuan")
    before = _revision(page)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(files)
    expect(page.get_by_text("校验通过")).to_be_visible(timeout=60_000)
    settle(page)
    assert page.get_by_text("按村（社区）更新").first.is_visible()
    assert errors_on(page) == []
    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_role("link", name=f"查看{AREA}")).to_be_visible(timeout=60_000)
    assert _revision(page) == before + 1  # one confirm, one write

    page.get_by_role("link", name=f"查看{AREA}").click()
    page.wait_for_url(f"{server.url}/anquan")
    settle(page)
    page.get_by_role("combobox", name="月份").click()
    page.get_by_role("option", name=label).click()
    settle(page)
    page.get_by_role("tab", name="分村数据表").click()
    table = table_rows(page.get_by_test_id("stDataFrame").last)
    column = table[0].index(f"{INSPECTED}（家次）")
    shown = {row[0]: row[column] for row in table[1:]}
    assert (shown[first], shown[second]) == ("501", "502")
    others = [v for v in CATALOGUE.village_names[2:] if shown[v] not in ("未报", "")]
    assert others, shown  # the sample's figures of the other villages are still there
