"""Driving the running dashboard in Chromium: open a page, wait for Streamlit, read what it shows.

Streamlit draws everything after the page has loaded (over a websocket), so "loaded" means: the
script run finished (the app root's data-test-script-state), the page heading is there, no
placeholder is left (charts, metrics and buttons load their code lazily and stand in as
skeletons until then, seconds after the run) and every Plotly chart has been drawn.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Download, Locator, Page

from township_data import config
from township_data.catalogue import load_catalogue
from views import registry, shell

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
CHROMIUM = Path("/usr/bin/chromium")
# As root Chromium needs --no-sandbox; the rest keeps it off the (closed) network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SIZES = {"desktop": (1366, 768), "phone": (390, 844)}

DONE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
ERRORS = '[data-testid="stException"], [data-testid="stAlertContentError"]'
CHART = ".js-plotly-plot"
APP_TITLE = shell.APP_NAME


@dataclass(frozen=True)
class SidebarPage:
    """A page as the sidebar lists it: its Chinese label and the address Streamlit serves."""

    label: str
    slug: str  # "" for the home page, else the file name without its number prefix
    has_chart: bool

    @property
    def file_stem(self) -> str:
        return self.slug or "home"


def _slug(path: str) -> str:
    return re.sub(r"^\d+_", "", Path(path).stem)


def sidebar_pages() -> list[SidebarPage]:
    """Every page the sidebar should list, in its order, from the catalogue and the page registry.

    数据上传, 报送进度, 数据管理, 大事记 and 工作总结 have no chart: a form, a status table with the
    催报 notice, the import history, a list of events and a written report (their own tests say
    what they show instead). The sample's data runs to December 2024: an area whose work ended
    before (疫情防控) is not in the sidebar.
    """
    catalogue = load_catalogue(config.DEFAULT_CATALOGUE)
    pages = [SidebarPage("总览", "", True)]
    pages += [
        SidebarPage(area.name, _slug(registry.AREA_PAGES[area.name]), True)
        for area in catalogue.areas_at(config.SAMPLE_LAST_MONTH)
        if area.name in registry.AREA_PAGES
    ]
    pages.append(SidebarPage(registry.CONTEST.label, _slug(registry.CONTEST.path), True))
    pages += [SidebarPage(p.label, _slug(p.path), False) for p in registry.OTHERS]
    return pages


def settle(page: Page, timeout: float = 90_000) -> None:
    """Wait until the script run is over, the heading is drawn and every chart is rendered."""
    page.wait_for_selector(DONE, timeout=timeout)
    page.wait_for_selector('[data-testid="stMainBlockContainer"] h1', timeout=timeout)
    page.wait_for_function(
        """() => !document.querySelector('[data-testid="stSkeleton"]')
                 && document.querySelectorAll('.js-plotly-plot').length
                    >= document.querySelectorAll('[data-testid="stPlotlyChart"]').length""",
        timeout=timeout,
    )
    page.wait_for_selector(DONE, timeout=timeout)


def open_page(page: Page, base_url: str, slug: str) -> None:
    page.goto(f"{base_url}/{slug}", wait_until="domcontentloaded")
    settle(page)


def errors_on(page: Page) -> list[str]:
    found = page.locator(ERRORS)
    return [found.nth(i).inner_text() for i in range(found.count())]


def overflow(page: Page) -> dict[str, int]:
    """Widths of the page and of Streamlit's scrolling main area against the window.

    Streamlit scrolls inside its main area, so a too-wide element widens that area, not
    necessarily the document: both are checked.
    """
    return page.evaluate(
        """() => {
            const main = document.querySelector('[data-testid="stMain"]');
            return {
                window: window.innerWidth,
                document: document.documentElement.scrollWidth,
                main: main ? main.scrollWidth : 0,
                main_client: main ? main.clientWidth : 0,
            };
        }"""
    )


def screenshot(page: Page, path: Path) -> None:
    """The whole page: the window is grown to the main area's height (it scrolls inside)."""
    width, height = page.viewport_size["width"], page.viewport_size["height"]
    tall = page.evaluate(
        """() => { const m = document.querySelector('[data-testid="stMain"]');
                   return m ? m.scrollHeight : document.body.scrollHeight; }"""
    )
    page.set_viewport_size({"width": width, "height": max(height, min(int(tall), 12_000))})
    page.wait_for_timeout(600)  # Plotly redraws responsive charts after a resize
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path))
    page.set_viewport_size({"width": width, "height": height})


# Text nodes a user reads: visible, not icon ligatures ("upload" drawn as an icon; Streamlit
# marks them translate="no"), not code (the command in the single-user note), not inside
# canvases (st.dataframe's hidden accessibility table holds file names and hashes), and not
# Streamlit's "Skip to main content" link, which only a keyboard user tabbing in ever sees.
_VISIBLE_TEXT = """() => {
    const out = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        const node = walker.currentNode;
        const el = node.parentElement;
        const skip = '[translate="no"], code, pre, script, style, canvas, '
            + '[data-testid="stSkipToContent"]';
        if (!el || el.closest(skip)) continue;
        if (!el.checkVisibility({ visibilityProperty: true, opacityProperty: true })) continue;
        const text = node.textContent.trim();
        if (text) out.push(text);
    }
    return out;
}"""
# Latin words a Chinese office legitimately sees: file types and program names.
# File types, programs and keys an office knows by these names.
ALLOWED_LATIN = {
    *("xlsx", "xlsm", "xls", "et", "csv", "docx", "md", "png", "html", "zip", "pdf"),
    *("excel", "word", "wps", "markdown", "sha", "mb", "n", "ctrl", "a4"),
}


def english_words(page: Page) -> set[str]:
    """Latin words in the visible text, other than file types and names an office knows."""
    words = set()
    for text in page.evaluate(_VISIBLE_TEXT):
        # File names (2024-12.xlsx) are data, not interface text.
        text = re.sub(r"[\w.-]+\.(xlsx|xlsm|xls|csv|docx|md|png|html|zip)\b", "", text)
        words |= {w for w in re.findall(r"[A-Za-z]{2,}", text) if w.lower() not in ALLOWED_LATIN}
    return words


def table_rows(table: Locator) -> list[list[str]]:
    """The cells of an st.dataframe from its hidden accessibility table (it draws on a canvas).

    Only the rows and columns drawn on screen are in that table: give the frame enough height.
    """
    table.scroll_into_view_if_needed()
    table.locator("td").first.wait_for(state="attached")
    header = [h.strip() for h in table.locator("thead th").all_inner_texts()]
    rows = []
    for row in table.locator("tbody tr").all():
        rows.append([c.strip() for c in row.locator("td").all_inner_texts()])
    return [header, *rows]


def download(page: Page, button: str) -> Download:
    """Click a download button by its label and return the finished download."""
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name=button).click()
    return info.value
