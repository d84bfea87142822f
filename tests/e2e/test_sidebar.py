"""The sidebar lists every page in Chinese and gets a leader there, on a desktop and a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from .driver import open_page, settle, sidebar_pages

pytestmark = pytest.mark.e2e

PAGES = sidebar_pages()

# A link's words without the icon drawn beside it (icons are font ligatures such as "home").
_LINK_LABELS = """(sidebar) => Array.from(sidebar.querySelectorAll('a')).map((a) => {
    const copy = a.cloneNode(true);
    copy.querySelectorAll('[data-testid="stIconMaterial"]').forEach((icon) => icon.remove());
    return copy.innerText.trim();
})"""


SLID_IN = """() => {
    const box = document.querySelector('[data-testid="stSidebar"]').getBoundingClientRect();
    return box.left >= 0 && box.width > 0;
}"""


def _heading(page: Page) -> str:
    return page.locator('[data-testid="stMainBlockContainer"] h1').first.inner_text()


def test_desktop_sidebar_lists_every_page_and_navigates(server, desktop) -> None:
    page = desktop
    open_page(page, server.url, "")
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar).to_be_visible()
    assert sidebar.evaluate(_LINK_LABELS) == [p.label for p in PAGES]

    sidebar.get_by_role("link", name="安全生产").click()
    page.wait_for_url(f"{server.url}/anquan")
    settle(page)
    assert "安全生产" in _heading(page)
    expect(sidebar).to_be_visible()


def test_phone_sidebar_opens_navigates_and_closes(server, phone) -> None:
    page = phone
    open_page(page, server.url, "")
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar).not_to_be_in_viewport()
    # Only Chinese words and icons in the header: no Deploy button, no English main menu.
    expect(page.get_by_test_id("stAppDeployButton")).to_have_count(0)
    expect(page.get_by_test_id("stMainMenu")).to_be_hidden()
    expect(page.get_by_test_id("stStatusWidget")).to_be_hidden()

    page.get_by_test_id("stExpandSidebarButton").click()
    page.wait_for_function(SLID_IN)
    link = sidebar.get_by_role("link", name="打擂排名")
    expect(link).to_be_in_viewport()
    box = link.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    link.click()
    page.wait_for_url(f"{server.url}/dalei")
    settle(page)
    assert _heading(page) == "人居环境打擂排名"

    # On a phone the sidebar gives the page back once a page is chosen.
    expect(sidebar).to_have_attribute("data-collapsed", "true")
    expect(sidebar).not_to_be_in_viewport()
    page.get_by_test_id("stExpandSidebarButton").click()
    page.wait_for_function(SLID_IN)
    page.get_by_test_id("stSidebarCollapseButton").click()
    expect(sidebar).not_to_be_in_viewport()
    expect(page.get_by_test_id("stExpandSidebarButton")).to_be_visible()
