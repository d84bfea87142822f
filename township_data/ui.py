"""Page setup and cached loaders: the only module of the package that imports Streamlit.

Every page calls `setup()` first. It loads the catalogue (a broken one is shown in Chinese and
stops the page), opens the store, imports the sample workbooks on first start, draws the Chinese
sidebar, and marks sample data. Cached computations are keyed on the store's revision, which
every import and restore bumps, so a page never shows stale data and never re-reads workbooks.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from . import config, metrics, months, ranking, report
from .catalogue import Catalogue, load_catalogue
from .errors import CatalogueError, TownshipError
from .store import Store

APP_NAME = "乡镇工作数据看板"
LOG = logging.getLogger("township_data")

AREA_PAGES = {
    "党建引领": "pages/1_dangjian.py",
    "乡村振兴": "pages/2_xiangcun.py",
    "安全生产": "pages/3_anquan.py",
    "信访维稳": "pages/4_xinfang.py",
    "党管武装": "pages/5_wuzhuang.py",
    "人居环境": "pages/6_renju.py",
    "疫情防控": "pages/7_yiqing.py",
    "社会事务": "pages/8_shehui.py",
}
CONTEST_PAGE = "pages/9_dalei.py"
OTHER_PAGES = [
    ("pages/10_shangchuan.py", "数据上传", ":material/upload_file:"),
    ("pages/11_guanli.py", "数据管理", ":material/manage_history:"),
    ("pages/12_zongjie.py", "工作总结", ":material/description:"),
]


# st.page_link renders hrefs relative to the app ("zongjie"); tools that read the attribute
# (link checkers, the team's screenshot script) need the absolute address the browser resolves.
_ABSOLUTE_LINKS = """<script>
(() => {
  const fix = () => document.querySelectorAll('[data-testid="stSidebar"] a[href]').forEach((a) => {
    if (!/^https?:/.test(a.getAttribute("href"))) a.setAttribute("href", a.href);
  });
  fix();
  new MutationObserver(fix).observe(document.body, { childList: true, subtree: true });
})();
</script>"""


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


def page_exists(path: str) -> bool:
    return (config.PROJECT_ROOT / path).is_file()


@st.cache_resource(show_spinner=False)
def _store(url: str, township: str, name: str) -> Store:
    return Store(url, township, name)


def _bootstrap(store: Store, catalogue: Catalogue) -> None:
    """First start with an empty store: import the sample workbooks so every page has charts."""
    if os.environ.get("TOWNSHIP_NO_SAMPLE") or not store.is_empty():
        return
    from .sample import load_into

    with st.spinner("首次启动，正在载入示例数据……"):
        load_into(store, catalogue)


def _multipage() -> bool:
    """Streamlit only knows app.py as a page once pages/ holds a page file."""
    pages_dir = config.PROJECT_ROOT / "pages"
    return pages_dir.is_dir() and any(pages_dir.glob("*.py"))


def _sidebar(catalogue: Catalogue, revision: int, latest: str | None) -> None:
    with st.sidebar:
        st.markdown(f"### {catalogue.township_name}工作数据看板")
        if not _multipage():
            st.caption(f"数据截至 {months.label(latest)}" if latest else "尚无数据")
            return
        st.page_link("app.py", label="总览", icon=":material/home:")
        st.caption("工作领域")
        for area in catalogue.areas:
            path = AREA_PAGES.get(area.name)
            if path and page_exists(path):
                st.page_link(path, label=area.name, icon=area.icon)
        if page_exists(CONTEST_PAGE):
            st.caption("人居环境打擂")
            st.page_link(CONTEST_PAGE, label="打擂排名", icon=":material/emoji_events:")
        others = [p for p in OTHER_PAGES if page_exists(p[0])]
        if others:
            st.caption("数据与报告")
            for path, label, icon in others:
                st.page_link(path, label=label, icon=icon)
        st.divider()
        st.caption(
            f"数据截至 {months.label(latest)} · 第 {revision} 次更新" if latest else "尚无数据"
        )
        st.html(_ABSOLUTE_LINKS, unsafe_allow_javascript=True)


def setup(title: str, icon: str = ":material/bar_chart:") -> Context:
    """Configure the page and return the shared context; stops the page on a broken catalogue."""
    st.set_page_config(page_title=f"{title}｜{APP_NAME}", page_icon=icon, layout="wide")
    try:
        catalogue = load_catalogue()
    except CatalogueError as exc:
        st.error("指标目录文件（catalogue.toml）有误，看板无法启动。请改正以下问题后刷新页面：")
        st.markdown("\n".join(f"- {p}" for p in exc.problems))
        st.stop()
    url = config.database_url()
    try:
        store = _store(url, catalogue.township_key, catalogue.township_name)
        _bootstrap(store, catalogue)
        revision = store.revision()
        is_sample = store.is_sample()
    except Exception:
        LOG.exception("store unavailable")
        st.error("无法打开数据库，请检查数据文件夹或数据库设置（详情见服务器日志）。")
        st.stop()
    context = Context(catalogue, store, revision, is_sample)
    latest = latest_month(context)
    _sidebar(catalogue, revision, latest)
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


# ------------------------------------------------------------------ cached loaders


@st.cache_data(show_spinner=False, max_entries=8)
def _values(_store: Store, key: tuple) -> pd.DataFrame:
    return _store.current()


def values(context: Context) -> pd.DataFrame:
    """All current values (tidy); recomputed only when the store's revision changes."""
    return _values(context.store, context.cache_key)


@st.cache_data(show_spinner=False, max_entries=8)
def _town_monthly(_store: Store, _catalogue: Catalogue, key: tuple) -> pd.DataFrame:
    return metrics.town_monthly(_store.current(), _catalogue)


def town_monthly(context: Context) -> pd.DataFrame:
    """The township's figure per indicator and month (pre-aggregated once per revision)."""
    return _town_monthly(context.store, context.catalogue, context.cache_key)


@st.cache_data(show_spinner=False, max_entries=8)
def _contest_scores(_store: Store, _catalogue: Catalogue, key: tuple) -> pd.DataFrame:
    values = _store.current(areas=[_catalogue.contest.sheet])
    return ranking.score_table(values, _catalogue)


def contest_scores(context: Context) -> pd.DataFrame:
    """The 打擂 score table (month, village, items, 总分), built once per store revision."""
    return _contest_scores(context.store, context.catalogue, context.cache_key)


@st.cache_data(show_spinner=False, max_entries=8)
def _latest_month(_store: Store, key: tuple) -> str | None:
    frame = _store.slices()
    return None if frame.empty else str(frame["month"].max())


def latest_month(context: Context) -> str | None:
    return _latest_month(context.store, context.cache_key)


def loaded_months(context: Context) -> list[str]:
    """Every month from the first to the last one holding data (gaps included)."""
    frame = values(context)
    if frame.empty:
        return []
    return months.month_range(frame["month"].min(), frame["month"].max())


@st.cache_data(show_spinner=False, max_entries=16)
def _work_report(
    _store: Store,
    _catalogue: Catalogue,
    _template: report.Template,
    key: tuple,
    first: str,
    last: str,
) -> report.Report:
    return report.build(_store, _catalogue, _template, first, last)


def work_report(context: Context, first: str, last: str) -> report.Report:
    """The 工作总结 for a period, filled once per store revision, template and period."""
    template = report.load_template(context.catalogue)
    key = (*context.cache_key, template.fingerprint)
    return _work_report(context.store, context.catalogue, template, key, first, last)
