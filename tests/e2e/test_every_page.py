"""Every page of the sidebar, at desktop and phone width: opens cleanly, in Chinese, with its
charts (or what the page shows instead), without sideways scrolling; photographed for review.

The screenshots land in test-artifacts/e2e/NN-<page>-<size>.png.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from township_data import config
from township_data.catalogue import load_catalogue

from .driver import (
    APP_TITLE,
    CHART,
    SIZES,
    english_words,
    errors_on,
    open_page,
    overflow,
    screenshot,
    sidebar_pages,
    table_rows,
)

pytestmark = pytest.mark.e2e

PAGES = sidebar_pages()
CATALOGUE = load_catalogue(config.DEFAULT_CATALOGUE)


def _upload_page(page: Page) -> None:
    """A form, not a chart: the template download and the dropzone."""
    assert page.get_by_role("button", name="下载空白月报模板（.xlsx）").is_visible()
    assert page.get_by_test_id("stFileUploaderDropzone").is_visible()


def _progress_page(page: Page) -> None:
    """The reporting status of every village (a coloured table) and the 催报 notice."""
    labels = page.get_by_test_id("stMetricLabel").all_inner_texts()
    assert [label.strip() for label in labels] == [
        "已报（村×领域）",
        "部分填报",
        "未报",
        "逾期未报的村（社区）",
    ]
    rows = table_rows(page.get_by_test_id("stDataFrame").first)
    assert [r[0] for r in rows[1:]] == [*CATALOGUE.village_names, "全镇"]
    # The sample's months are long past: last month (the default) has nothing yet.
    assert page.get_by_test_id("stCode").first.inner_text().startswith("各村（社区）：")


def _manage_page(page: Page) -> None:
    """The import history and the versions; the status moved to 报送进度."""
    tabs = page.get_by_role("tab").all_inner_texts()
    assert [t.strip() for t in tabs] == ["导入记录", "版本内容与恢复"]
    assert page.get_by_test_id("stDataFrame").first.is_visible()


def _report_page(page: Page) -> None:
    """A written report: its title and first heading, and the Word download."""
    text = page.get_by_test_id("stMainBlockContainer").inner_text()
    assert re.search(rf"{CATALOGUE.township_name}\d{{4}}年[上下]半年工作总结", text)
    assert "一、工作开展情况" in text
    assert page.get_by_role("button", name="下载 Word 文档（.docx）").is_visible()


def _events_page(page: Page) -> None:
    """The township's events in a table (the sample's 16), newest year first to filter."""
    rows = table_rows(page.get_by_test_id("stDataFrame").first)
    assert rows[0][:5] == ["日期", "领域", "村（社区）", "类别", "事件"]
    assert len(rows) == 1 + 16
    assert any(r[3] == "防汛抢险" for r in rows[1:])


INSTEAD_OF_A_CHART: dict[str, Callable[[Page], None]] = {
    "数据上传": _upload_page,
    "报送进度": _progress_page,
    "数据管理": _manage_page,
    "大事记": _events_page,
    "工作总结": _report_page,
}


def test_every_page_without_a_chart_says_what_it_shows_instead() -> None:
    assert {p.label for p in PAGES if not p.has_chart} == set(INSTEAD_OF_A_CHART)


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("target", PAGES, ids=[p.file_stem for p in PAGES])
def test_page_opens_in_chinese_without_errors_or_overflow(
    server, tab, artifacts, size, target
) -> None:
    page = tab(size)
    open_page(page, server.url, target.slug)

    assert errors_on(page) == []
    assert re.fullmatch(rf"[^A-Za-z]+｜{APP_TITLE}", page.title()), page.title()
    if target.has_chart:
        assert page.locator(CHART).count() >= 1
    else:
        INSTEAD_OF_A_CHART[target.label](page)
    assert english_words(page) == set()
    widths = overflow(page)
    assert widths["document"] <= widths["window"] + 1, widths
    assert widths["main"] <= widths["main_client"] + 1, widths

    number = PAGES.index(target)
    screenshot(page, artifacts / f"{number:02d}-{target.file_stem}-{size}.png")
