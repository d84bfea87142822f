"""A county on an internet-facing server, in the browser: nothing before a sign-in, a sign-in
that survives a page refresh (a cookie, no secret in the address), the county page's figures
downloaded and read back, and signing out."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Download, Page, expect

from tests.conftest import second_township_catalogue
from tests.readback import read_back_csv, read_back_xlsx
from tests.test_county_view import store_county
from township_data import accounts, config, roles
from township_data.catalogue import load_catalogues
from township_data.store import dispose_engines

from .conftest import Server, running_server
from .driver import open_page, screenshot, settle

pytestmark = pytest.mark.e2e

PASSWORD = "县里的密码-2024"


@pytest.fixture(scope="module")
def county_server(tmp_path_factory: pytest.TempPathFactory, artifacts: Path) -> Iterator[Server]:
    """Two townships with known data, viewing behind a login, one county admin."""
    root = tmp_path_factory.mktemp("county")
    folder, data_dir = root / "catalogues", root / "data"
    folder.mkdir()
    (folder / "1_tanwan.toml").write_bytes(config.DEFAULT_CATALOGUE.read_bytes())
    (folder / "2_shiqiao.toml").write_text(second_township_catalogue(), encoding="utf-8")
    url = config.database_url(data_dir)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TOWNSHIP_CATALOGUE", str(folder))
        store_county(url)
        catalogues = load_catalogues()
        book = accounts.book(url, catalogues, config.editors_path(data_dir))
        book.save(accounts.make_account("县管", PASSWORD, roles.COUNTY, catalogues))
    dispose_engines()
    settings = {"TOWNSHIP_CATALOGUE": str(folder), "TOWNSHIP_LOGIN_TO_VIEW": "1"}
    with running_server(data_dir, artifacts / "county-server.log", settings) as running:
        yield running


def download(page: Page, button: str, index: int) -> Download:
    """The `index`-th of the page's download buttons with this label (each section has one)."""
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name=button).nth(index).click()
    return info.value


def _heading(page: Page) -> str:
    return page.locator('[data-testid="stMainBlockContainer"] h1').first.inner_text()


def _no_data(page: Page) -> None:
    for test_id in ("stDataFrame", "stMetric", "stPlotlyChart", "stSidebarNav"):
        expect(page.get_by_test_id(test_id)).to_have_count(0)
    assert "潭湾镇" not in page.locator("body").inner_text()


def _sign_in(page: Page, name: str, password: str) -> None:
    page.get_by_label("姓名").fill(name)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=\"stMainBlockContainer\"] h1')"
        "?.innerText.includes('潭湾镇')"
    )
    settle(page)


def test_a_sign_in_survives_a_refresh_and_the_county_page_downloads(
    county_server: Server, desktop: Page, artifacts: Path, tmp_path: Path
) -> None:
    page = desktop
    open_page(page, county_server.url, "")
    assert _heading(page) == "乡镇工作数据看板"
    _no_data(page)
    screenshot(page, artifacts / "signin-desktop.png")

    _sign_in(page, "县管", PASSWORD)
    assert _heading(page) == "潭湾镇工作数据看板"
    page.reload(wait_until="domcontentloaded")
    settle(page)
    assert _heading(page) == "潭湾镇工作数据看板"  # still signed in after the refresh
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text("已登录：县管（县级管理员·全县）")).to_be_visible()

    (cookie,) = [c for c in page.context.cookies() if c["name"] == config.LOGIN_COOKIE]
    assert cookie["sameSite"] == "Strict" and cookie["path"] == "/"
    assert 11 * 3600 < cookie["expires"] - time.time() <= 12 * 3600
    assert PASSWORD not in cookie["value"] and cookie["value"] not in page.url

    # A new tab of the same browser (a page opened from a bookmark) is signed in too.
    other = page.context.new_page()
    open_page(other, county_server.url, "xianji")
    assert _heading(other) == "全县各乡镇对比"
    other.get_by_role("radio", name="季度", exact=True).click()
    settle(other)
    expect(other.get_by_text("2024年第一季度").first).to_be_visible()
    got = download(other, "下载 Excel（.xlsx）", 0)
    assert got.suggested_filename == "全县各乡镇（街道）2024年第一季度各领域关键指标.xlsx"
    saved = tmp_path / got.suggested_filename
    got.save_as(saved)
    back = read_back_xlsx(saved.read_bytes(), rows=2)
    assert back["乡镇（街道）"].tolist() == ["潭湾镇", "石桥镇"]
    assert back["安全生产·检查生产经营单位（家次）"].tolist() == [27, 12]
    got = download(other, "下载 CSV（.csv）", 1)  # the standing's
    assert got.suggested_filename == "全县2024年第一季度乡镇（街道）打擂排名.csv"
    saved = tmp_path / got.suggested_filename
    got.save_as(saved)
    standing = read_back_csv(saved.read_bytes())
    assert standing[["名次", "乡镇（街道）"]].values.tolist() == [[1, "潭湾镇"], [2, "石桥镇"]]
    assert standing["村均打擂得分（分）"].tolist() == [82.5, 80]
    screenshot(other, artifacts / "county-desktop.png")
    other.close()

    sidebar.get_by_role("button", name="退出登录").click()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=\"stMainBlockContainer\"] h1')"
        "?.innerText === '乡镇工作数据看板'"
    )
    page.reload(wait_until="domcontentloaded")
    settle(page)
    assert _heading(page) == "乡镇工作数据看板"  # signed out stays signed out
    _no_data(page)
    assert not [c for c in page.context.cookies() if c["name"] == config.LOGIN_COOKIE]
    assert re.search("本看板需要登录后才能查看", page.locator("body").inner_text())
