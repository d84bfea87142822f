"""The files a leader takes to a meeting, downloaded through the pages and read back: the 打擂
ranked table (.xlsx) and the 工作总结 (.docx), checked against figures computed here from the
sample workbooks with openpyxl alone."""

from __future__ import annotations

import io
import re

import pytest
from docx import Document
from docx.shared import Cm
from openpyxl import load_workbook

from township_data import config
from township_data.catalogue import load_catalogue

from . import sheets
from .driver import download, open_page, table_rows

pytestmark = pytest.mark.e2e

CATALOGUE = load_catalogue(config.DEFAULT_CATALOGUE)
CONTEST = CATALOGUE.contest


def _ranks(month: str) -> dict[str, tuple[int, float]]:
    """Village → (rank, 总分) of a sample month, ranked 1, 2, 2, 4 by 总分, highest first."""
    totals = {
        village: float(total)
        for village, total in sheets.values(sheets.sample(month), CONTEST.sheet, "总分").items()
        if total is not None
    }
    return {v: (1 + sum(t > total for t in totals.values()), total) for v, total in totals.items()}


def test_contest_ranking_xlsx_downloaded_from_the_page(server, desktop) -> None:
    page = desktop
    open_page(page, server.url, "dalei")
    month, previous = config.SAMPLE_LAST_MONTH, "2024-11"
    assert page.get_by_role("combobox", name="月份").input_value() == "2024年12月"

    got = download(page, "下载排名表（Excel）")
    assert got.suggested_filename == f"{CATALOGUE.township_name}2024年12月人居环境打擂排名.xlsx"
    ws = load_workbook(io.BytesIO(got.path().read_bytes())).active
    assert ws["A1"].value == f"{CATALOGUE.township_name}2024年12月人居环境打擂排名"
    items = [i.name for i in CONTEST.items]
    header = [c.value for c in ws[2]]
    assert header == ["排名", "村（社区）", "总分", *items, "较上期名次变化", "榜单"]
    assert ws.freeze_panes is not None
    table = {}
    for row in ws.iter_rows(min_row=3, values_only=True):
        if row[0] is None:
            break
        table[row[1]] = dict(zip(header, row, strict=True))

    now, before = _ranks(month), _ranks(previous)
    assert set(table) == set(now)
    totals = sorted(t for _, t in now.values())
    for village, (rank, total) in now.items():
        row = table[village]
        assert (row["排名"], row["总分"]) == (rank, total), village
        assert row["较上期名次变化"] == before[village][0] - rank, village
        red = sum(t > total for t in totals) < CONTEST.red_n
        black = sum(t < total for t in totals) < CONTEST.black_n
        assert row["榜单"] == ("红榜" if red else "黑榜" if black else None), village
    ranks = [r["排名"] for r in table.values()]
    assert ranks == sorted(ranks)

    # What the page shows is what the file holds.
    shown = table_rows(page.get_by_test_id("stDataFrame").first)
    assert shown[0][:3] == ["排名", "村（社区）", "总分"]
    assert {r[1]: int(r[0]) for r in shown[1:]} == {v: r["排名"] for v, r in table.items()}


def test_work_report_docx_downloaded_from_the_page(server, desktop) -> None:
    page = desktop
    open_page(page, server.url, "zongjie")
    # the page opens on the newest half-year with data: the sample's second half of 2024
    second_half = [f"2024-{m:02d}" for m in range(7, 13)]
    inspected = sum(
        v
        for month in second_half
        for v in sheets.values(sheets.sample(month), "安全生产", "检查生产经营单位").values()
        if v is not None
    )
    sentence = f"检查各类生产经营单位{inspected:,}家次"
    assert sentence in page.get_by_test_id("stMainBlockContainer").inner_text()

    got = download(page, "下载 Word 文档（.docx）")
    title = f"{CATALOGUE.township_name}2024年下半年工作总结"
    assert got.suggested_filename == f"{title}.docx"
    document = Document(io.BytesIO(got.path().read_bytes()))
    texts = [p.text.strip() for p in document.paragraphs if p.text.strip()]
    assert texts[0] == title
    assert "一、工作开展情况" in texts
    assert any(sentence in t for t in texts)
    assert any(re.match(r"1\.党建引领高效推进。", t) for t in texts)
    section = document.sections[0]
    assert abs(section.page_width - Cm(21)) < Cm(0.1)
    assert abs(section.page_height - Cm(29.7)) < Cm(0.1)
