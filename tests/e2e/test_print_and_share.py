"""What leaders print and forward: pages printed to A4 by Chromium, the 长图 and the offline
snapshot downloaded from the pages.

Printing is Chromium's own PDF output (Playwright's page.pdf, which uses the page's print
stylesheet and @page rules). Each PDF is checked for its paper size, page count, the print
title, the page numbers and the absence of the sidebar; each chart's drawn width times its
print zoom must lie within the printable width, and nothing may be drawn in the right margin
of any sheet (a cut chart or table would run into it). The PDFs and their pages as PNGs are
kept in test-artifacts/e2e/ for review.
"""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from PIL import Image

from township_data import config
from township_data.catalogue import load_catalogue
from views import printing

from .driver import download, open_page

pytestmark = pytest.mark.e2e

CATALOGUE = load_catalogue(config.DEFAULT_CATALOGUE)
A4_POINTS = (595.0, 842.0)  # 210 × 297 mm at 72 points per inch
RIGHT_MARGIN_MM = 12.0
# page slug, its printed name, the period its title names, page count range on A4
PRINTED = [
    ("", "总览", "数据截至2024年12月", (2, 6)),
    ("anquan", "安全生产", "2024年12月", (3, 12)),
    ("dalei", "人居环境打擂", "2024年12月", (2, 6)),
]

# On screen: each chart's drawn width and the zoom the print stylesheet will apply to it.
_CHART_WIDTHS = """() => Array.from(document.querySelectorAll('[data-testid="stPlotlyChart"]'))
    .map((box) => {
        const svg = box.querySelector('svg.main-svg');
        const zoom = parseFloat(box.style.getPropertyValue('--print-zoom') || '1');
        return { drawn: svg ? svg.getBoundingClientRect().width : 0, zoom: zoom };
    })"""


def _pdf_pages(data: bytes):
    import pypdfium2 as pdfium

    return pdfium.PdfDocument(data)


@pytest.mark.parametrize(("slug", "name", "period", "pages"), PRINTED)
def test_page_prints_on_a4_portrait(server, tab, artifacts, slug, name, period, pages) -> None:
    page = tab("desktop")
    open_page(page, server.url, slug)
    page.wait_for_timeout(400)  # the print zoom is set on the frame after the charts draw
    # Charts in a tab not shown are not drawn (and not printed): only drawn ones count.
    charts = [c for c in page.evaluate(_CHART_WIDTHS) if c["drawn"] > 0]
    assert charts, "the page printed should have charts"
    for chart in charts:
        # Printing runs no script: each chart keeps its screen width, and the zoom kept
        # beside it brings it within the paper's printable width.
        assert chart["drawn"] > printing.PRINTABLE_WIDTH_PX  # a desktop window is wider
        assert chart["drawn"] * chart["zoom"] <= printing.PRINTABLE_WIDTH_PX + 1
    title = page.locator(".township-print-title").text_content()
    assert title.startswith(f"{CATALOGUE.township_name} · {name}") and period in title

    data = page.pdf(format="A4", prefer_css_page_size=True, print_background=True)
    stem = f"print-{slug or 'home'}"
    (artifacts / f"{stem}.pdf").write_bytes(data)
    pdf = _pdf_pages(data)
    count = len(pdf)
    assert pages[0] <= count <= pages[1]
    text = ""
    for number in range(count):
        sheet = pdf[number]
        width, height = sheet.get_size()
        assert abs(width - A4_POINTS[0]) < 1 and abs(height - A4_POINTS[1]) < 1
        page_text = sheet.get_textpage().get_text_range()
        assert f"第 {number + 1} 页 / 共 {count} 页" in page_text
        text += page_text
        image = sheet.render(scale=1.5).to_pil().convert("RGB")
        image.save(artifacts / f"{stem}-{number + 1}.png")
        pixels = np.asarray(image.convert("L"))
        margin = int(pixels.shape[1] * (RIGHT_MARGIN_MM - 2) / 210)
        # Nothing drawn in the right margin: no chart or table runs over the paper's width.
        assert (pixels[:, -margin:] < 200).sum() == 0, (
            f"ink in the right margin of sheet {number + 1}"
        )
    assert "数据与报告" not in text  # the sidebar's section caption
    assert "下载长图" not in text and "下载离线网页" not in text  # no buttons on paper
    assert f"{CATALOGUE.township_name} · {name}" in text


def test_contest_long_image_and_monthly_bulletin_downloads(server, desktop, artifacts) -> None:
    page = desktop
    open_page(page, server.url, "dalei")
    got = download(page, "下载长图（.png）")
    assert got.suggested_filename == f"{CATALOGUE.township_name}2024年12月人居环境打擂排名.png"
    data = got.path().read_bytes()
    (artifacts / "share-dalei.png").write_bytes(data)
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG" and image.width == 1080 and image.height > 1200

    got = download(page, "下载月度通报草稿（Word）")
    assert got.suggested_filename == (
        f"{CATALOGUE.township_name}2024年12月人居环境打擂情况通报（草稿）.docx"
    )
    from docx import Document

    text = "\n".join(p.text for p in Document(io.BytesIO(got.path().read_bytes())).paragraphs)
    assert "二、红榜（前 3 名）" in text and "三、黑榜（后 3 名）" in text


def test_overview_long_image_downloads(server, desktop, artifacts) -> None:
    page = desktop
    open_page(page, server.url, "")
    got = download(page, "下载长图（.png）")
    data = got.path().read_bytes()
    (artifacts / "share-home.png").write_bytes(data)
    image = Image.open(io.BytesIO(data))
    assert image.width == 1080 and image.height > 1500


@pytest.mark.parametrize(("slug", "charts"), [("dalei", 3), ("", 1), ("anquan", 3)])
def test_offline_snapshot_opens_from_disk_without_any_request(
    server, desktop, new_page, artifacts, slug, charts
) -> None:
    open_page(desktop, server.url, slug)
    if slug == "anquan":  # 安全生产 keeps its table and downloads on a tab of their own
        desktop.get_by_role("tab", name="分村数据表").click()
    got = download(desktop, "下载离线网页（.html）")
    assert got.suggested_filename.endswith(".html")
    path = artifacts / f"snapshot-{slug or 'home'}.html"
    path.write_bytes(got.path().read_bytes())

    offline = new_page("phone")
    requests: list[str] = []
    offline.on("request", lambda r: requests.append(r.url))
    offline.route(re.compile(r"^https?://"), lambda route: route.abort())
    offline.goto(path.as_uri(), wait_until="load")
    offline.wait_for_function(
        f"document.querySelectorAll('.js-plotly-plot').length >= {charts}", timeout=30_000
    )
    assert [u for u in requests if not u.startswith(("file:", "data:", "blob:"))] == []
    assert offline.locator("h1").inner_text().startswith(CATALOGUE.township_name)
    offline.screenshot(path=str(artifacts / f"snapshot-{slug or 'home'}-phone.png"), full_page=True)
