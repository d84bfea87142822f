"""The app shell every page starts with: page setup, sidebar, township choice, the guard.

`setup(__file__)` configures the page from its registry entry, loads the catalogue (a broken
one is shown in Chinese and stops the page), opens the store, imports the sample workbooks on
first start, draws the Chinese sidebar and marks sample data. `guard()` turns any failure of a
page body into a Chinese message: no stack trace reaches a user.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import streamlit as st

from township_data import config, months
from township_data.catalogue import Catalogue, load_catalogues
from township_data.errors import CatalogueError, TownshipError
from township_data.store import Store

from . import printing, registry, signin

APP_NAME = "乡镇工作数据看板"
LOG = logging.getLogger("township_data")


# st.page_link renders hrefs relative to the app ("zongjie"); tools that read the attribute
# (link checkers, the team's screenshot script) need the absolute address the browser resolves.
# On a phone the sidebar covers the page: once a page is chosen it closes, as Streamlit's own
# navigation does. Installed once per browser tab (the script runs again on every rerun).
_SIDEBAR_SCRIPT = """<script>
(() => {
  if (window.townshipSidebar) return;
  window.townshipSidebar = true;
  const fix = () => document.querySelectorAll('[data-testid="stSidebar"] a[href]').forEach((a) => {
    if (!/^https?:/.test(a.getAttribute("href"))) a.setAttribute("href", a.href);
  });
  fix();
  new MutationObserver(fix).observe(document.body, { childList: true, subtree: true });
  document.addEventListener("click", (event) => {
    const link = event.target.closest('[data-testid="stSidebar"] a[href]');
    if (!link || !window.matchMedia("(max-width: 767.98px)").matches) return;
    setTimeout(() => document.querySelector('[data-testid="stSidebarCollapseButton"] button')?.click());
  });
})();
</script>"""

# Streamlit has no setting for a few of its own English words: the file uploader's button and
# note, the "Press Enter to apply" hint under text and number inputs (a value is applied
# when the field is left anyway), the main menu (Print, Record screen) and the "Running…/Stop"
# status (kept in the page, invisible: tests and tools wait for it; stale parts of the page
# are dimmed while it runs, and long steps show a Chinese spinner). The dataframe toolbar's CSV download is hidden: it has no
# BOM, so Excel shows its Chinese garbled; pages offer their own .xlsx/.csv downloads. On a
# touch screen that toolbar is always shown above a table: tables get room for it there, so it
# does not cover the chart legend or caption above.
_PAGE_CSS = """<style>
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p {
  display: none;
}
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"]::after {
  content: "选择文件";
}
[data-testid="stFileUploaderDropzoneInstructions"] span { display: none; }
[data-testid="stFileUploaderDropzoneInstructions"] > div::after {
  content: "或把文件拖到这里 · 每个文件不超过 %(max_mb)s MB";
  font-size: 0.875rem;
  opacity: 0.6;
}
[data-testid="InputInstructions"] { display: none; }
[data-testid="stMainMenu"] { display: none; }
[data-testid="stStatusWidget"] { visibility: hidden; }
[data-testid="stElementToolbar"] button[aria-label="Download as CSV"] { display: none; }
@media (hover: none) {
  [data-testid="stDataFrame"] { margin-top: 2.25rem; }
}
</style>"""


@dataclass(frozen=True)
class Context:
    """What every page needs: the catalogue, the store and the revision that keys caches."""

    catalogue: Catalogue
    store: Store
    revision: int
    is_sample: bool

    @property
    def cache_key(self) -> tuple[str, str, int, str]:
        return (self.store.url, self.store.township, self.revision, self.catalogue.fingerprint)


@st.cache_resource(show_spinner=False)
def _store(url: str, township: str, name: str) -> Store:
    return Store(url, township, name)


def store_of(catalogue: Catalogue) -> Store:
    """The store of any township of the deployment (the county view reads them all)."""
    return _store(database_url(), catalogue.township_key, catalogue.township_name)


def _bootstrap(store: Store, catalogue: Catalogue) -> None:
    """First start with an empty store: import the sample workbooks so every page has charts."""
    if os.environ.get("TOWNSHIP_NO_SAMPLE") or not store.is_empty():
        return
    from township_data.sample import load_into

    with st.spinner("首次启动，正在载入示例数据……"):
        load_into(store, catalogue)


def _multipage() -> bool:
    """Streamlit only knows app.py as a page once pages/ holds a page file."""
    pages_dir = config.PROJECT_ROOT / "pages"
    return pages_dir.is_dir() and any(pages_dir.glob("*.py"))


def _link(page: registry.Page, icon: str | None = None) -> None:
    st.page_link(page.path, label=page.label, icon=icon or page.icon)


def _sidebar(catalogue: Catalogue, revision: int, latest: str | None, county: bool) -> None:
    with st.sidebar:
        st.markdown(f"### {catalogue.township_name}工作数据看板")
        if not _multipage():
            st.caption(f"数据截至 {months.label(latest)}" if latest else "尚无数据")
            return
        _link(registry.HOME)
        if county and registry.COUNTY.exists:  # townships compared: only for a county
            _link(registry.COUNTY)
        st.caption(registry.AREA_GROUP)
        # An area whose work ended before the latest data (疫情防控) leaves the sidebar; its
        # page and history stay reachable from 数据管理.
        for area in catalogue.areas_at(latest or months.this_month()):
            page = registry.area_page(area.name)
            if page and page.exists:
                _link(page, area.icon)
        if registry.CONTEST.exists:
            st.caption(registry.CONTEST_GROUP)
            _link(registry.CONTEST)
        others = [p for p in registry.OTHERS if p.exists]
        if others:
            st.caption(registry.DATA_GROUP)
            for page in others:
                _link(page)
        st.divider()
        st.caption(
            f"数据截至 {months.label(latest)} · 第 {revision} 次更新" if latest else "尚无数据"
        )
        signin.sidebar_status()
        st.html(_SIDEBAR_SCRIPT, unsafe_allow_javascript=True)


def database_url() -> str:
    """TOWNSHIP_DATABASE_URL, else `[database] url` of Streamlit's secrets file, else SQLite.

    The secrets file (.streamlit/secrets.toml, never committed) keeps a server's password out of
    the environment and the process list.
    """
    if os.environ.get("TOWNSHIP_DATABASE_URL"):
        return config.database_url()
    try:
        url = st.secrets.get("database", {}).get("url")
    except (FileNotFoundError, KeyError, AttributeError):
        url = None
    return config.normalise_url(str(url)) if url else config.database_url()


TOWNSHIP_CHOICE = "township_choice"
_TOWNSHIP_KEPT = "keep_township_choice"
# Previews the upload and history pages keep until the user confirms: computed against one
# township's data, they must never be confirmed for another.
TOWNSHIP_BOUND = ("upload_preview", "restore_preview")


def _keep_township() -> None:
    st.session_state[_TOWNSHIP_KEPT] = st.session_state[TOWNSHIP_CHOICE]
    for key in TOWNSHIP_BOUND:
        st.session_state.pop(key, None)


def choose_township(catalogues: dict[str, Catalogue]) -> Catalogue:
    """A county's catalogue folder holds several townships: the sidebar chooser picks one.

    The choice is kept in the session under its own key, because Streamlit drops a widget's
    state on a page switch: every page then opens on the township chosen last. A township's own
    deployment (TOWNSHIP_CATALOGUE naming its one file) has no chooser and sees only its data.
    """
    if len(catalogues) == 1:
        return next(iter(catalogues.values()))
    keys = list(catalogues)
    for remembered in (st.session_state.get(TOWNSHIP_CHOICE), st.session_state.get(_TOWNSHIP_KEPT)):
        if remembered in catalogues:
            st.session_state[TOWNSHIP_CHOICE] = remembered
            break
    else:
        st.session_state[TOWNSHIP_CHOICE] = keys[0]
    st.session_state[_TOWNSHIP_KEPT] = st.session_state[TOWNSHIP_CHOICE]
    st.sidebar.selectbox(
        "乡镇（街道）",
        keys,
        format_func=lambda key: catalogues[key].township_name,
        key=TOWNSHIP_CHOICE,
        on_change=_keep_township,
    )
    return catalogues[st.session_state[TOWNSHIP_CHOICE]]


@st.cache_resource(show_spinner=False, max_entries=8)
def _is_sample(_store: Store, key: tuple) -> bool:
    return _store.is_sample()


@st.cache_resource(show_spinner=False, max_entries=8)
def _latest_month(_store: Store, key: tuple) -> str | None:
    span = _store.month_span()
    return None if span is None else span[1]


def setup(script: str) -> Context:
    """Configure the page named by its script (`__file__`) and return the shared context.

    Stops the page with a Chinese message on a broken catalogue or an unreachable database.
    """
    page = registry.page_of(script)
    st.set_page_config(page_title=f"{page.title}｜{APP_NAME}", page_icon=page.icon, layout="wide")
    st.html(_PAGE_CSS % {"max_mb": st.get_option("server.maxUploadSize")})
    printing.inject()
    try:
        catalogues = load_catalogues()
    except CatalogueError as exc:
        st.error("指标目录文件（catalogue.toml）有误，看板无法启动。请改正以下问题后刷新页面：")
        st.markdown("\n".join(f"- {p}" for p in exc.problems))
        st.stop()
    signin.write_cookie()
    signin.view_gate(APP_NAME)
    catalogue = choose_township(catalogues)
    url = database_url()
    try:
        store = _store(url, catalogue.township_key, catalogue.township_name)
        # One query per view: every import or restore bumps the revision, so a township that
        # has one was never empty, and whether its data is the sample changes only with it.
        revision = store.revision()
        if revision == 0:
            _bootstrap(store, catalogue)
            revision = store.revision()
        is_sample = _is_sample(store, (url, catalogue.township_key, revision))
    except Exception:
        LOG.exception("store unavailable")
        st.error("无法打开数据库，请检查数据文件夹或数据库设置（详情见服务器日志）。")
        st.stop()
    context = Context(catalogue, store, revision, is_sample)
    _sidebar(catalogue, revision, _latest_month(store, context.cache_key), len(catalogues) > 1)
    if is_sample:
        st.info(
            "当前显示的是**示例数据**（虚构数字，用于演示）。在“数据上传”页上传本镇月报后，"
            "对应领域和月份会替换为真实数据。",
            icon=":material/info:",
        )
    return context


@contextmanager
def guard() -> Iterator[None]:
    """Show any failure of a page body as a Chinese message; never a stack trace."""
    try:
        yield
    except TownshipError as exc:
        st.error(exc.title)
        st.markdown("\n".join(f"- {p}" for p in exc.problems))
    except Exception:
        LOG.exception("page failed")
        st.error("页面处理时出错，已记录到服务器日志。请刷新页面重试；如仍出错请联系管理员。")


def page_link(
    page: registry.Page | None,
    label: str,
    icon: str = ":material/arrow_forward:",
    query_params: dict[str, str] | None = None,
) -> None:
    """A link to another page of the app, drawn only when that page exists; `query_params`
    tell it what to open on (报送进度's month)."""
    if page is not None and page.exists:
        st.page_link(page.path, label=label, icon=icon, query_params=query_params)
