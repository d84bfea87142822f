"""A leader's first minute: the app starts on an empty data folder and shows the sample."""

from __future__ import annotations

import pytest

from township_data import config, months
from township_data.catalogue import load_catalogue

from .driver import APP_TITLE, errors_on, open_page, table_rows

pytestmark = pytest.mark.e2e

# Axis labels as a reader sees them, top to bottom (the DOM keeps Plotly's own order).
TOP_DOWN = """(labels) => labels
    .sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top)
    .map((label) => label.textContent)"""


def test_first_start_loads_the_sample_and_shows_the_status_matrix(server, desktop) -> None:
    page = desktop
    open_page(page, server.url, "")
    catalogue = load_catalogue(config.DEFAULT_CATALOGUE)
    last = months.label(config.SAMPLE_LAST_MONTH)

    assert page.title() == f"总览｜{APP_TITLE}"
    assert errors_on(page) == []
    assert "示例数据" in page.get_by_test_id("stAlertContentInfo").first.inner_text()
    assert page.locator("h1").first.inner_text() == f"{catalogue.township_name}工作数据看板"
    assert f"数据截至 {last}" in page.get_by_test_id("stSidebar").inner_text()
    # The sample is on disk in the fresh data folder the server was given.
    assert (server.data_dir / "township.sqlite3").is_file()

    heatmap = page.locator(".js-plotly-plot").filter(has_text="各领域数据报送情况")
    assert heatmap.count() == 1
    rows = heatmap.locator(".yaxislayer-above .ytick text").evaluate_all(TOP_DOWN)
    # the last twelve months (2024): 疫情防控 had ended, so it has no row
    areas = catalogue.sheets_at(config.SAMPLE_LAST_MONTH)
    assert rows == areas and "疫情防控" not in areas

    table = table_rows(page.get_by_test_id("stDataFrame").last)
    header, body = table[0], table[1:]
    assert header[0] == "工作领域"
    assert header[1:] and all(h.endswith("月") and "年" in h for h in header[1:])
    assert [row[0] for row in body] == areas
    assert {cell for row in body for cell in row[1:]} <= {"已报", "部分", "未报"}
    assert any("已报" in row for row in body)
