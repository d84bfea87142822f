"""Page setup, shared widgets and cached loaders: the only module of the package that imports
Streamlit. Page layout shared by several pages lives in the top-level `views/` package.

Every page calls `setup()` first. It loads the catalogue (a broken one is shown in Chinese and
stops the page), opens the store, imports the sample workbooks on first start, draws the Chinese
sidebar, and marks sample data. Cached computations are keyed on the store's revision, which
every import and restore bumps, so a page never shows stale data and never re-reads workbooks.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from . import (
    auth,
    bulletin,
    changes,
    config,
    metrics,
    months,
    ranking,
    report,
)
from .catalogue import Catalogue, load_catalogues
from .documents import Block
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
_TOWNSHIP_BOUND = ("upload_preview", "restore_preview")


def _keep_township() -> None:
    st.session_state[_TOWNSHIP_KEPT] = st.session_state[TOWNSHIP_CHOICE]
    for key in _TOWNSHIP_BOUND:
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


def setup(title: str, icon: str = ":material/bar_chart:") -> Context:
    """Configure the page and return the shared context; stops the page on a broken catalogue."""
    st.set_page_config(page_title=f"{title}｜{APP_NAME}", page_icon=icon, layout="wide")
    st.html(_PAGE_CSS % {"max_mb": st.get_option("server.maxUploadSize")})
    try:
        catalogue = choose_township(load_catalogues())
    except CatalogueError as exc:
        st.error("指标目录文件（catalogue.toml）有误，看板无法启动。请改正以下问题后刷新页面：")
        st.markdown("\n".join(f"- {p}" for p in exc.problems))
        st.stop()
    url = database_url()
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


# Every value of a township: a county's ten years are millions of rows, so only one is kept.
@st.cache_data(show_spinner=False, max_entries=1)
def _values(_store: Store, key: tuple) -> pd.DataFrame:
    return _store.current()


def values(context: Context) -> pd.DataFrame:
    """All current values (tidy); recomputed only when the store's revision changes."""
    return _values(context.store, context.cache_key)


@st.cache_data(show_spinner=False, max_entries=8)
def _village_status(_store: Store, _catalogue: Catalogue, key: tuple, month: str) -> pd.DataFrame:
    return metrics.village_status(_store.current(months=[month]), _catalogue, month)


def village_status(context: Context, month: str) -> pd.DataFrame:
    """Villages × areas 已报 / 部分 / 未报 of one month (its 报送情况), once per revision."""
    return _village_status(context.store, context.catalogue, context.cache_key, month)


@st.cache_data(show_spinner=False, max_entries=8)
def _town_monthly(_store: Store, _catalogue: Catalogue, key: tuple) -> pd.DataFrame:
    return metrics.town_monthly_from_totals(_store.totals(), _catalogue)


def town_monthly(context: Context) -> pd.DataFrame:
    """The township's figure per indicator and month, from the totals the store keeps."""
    return _town_monthly(context.store, context.catalogue, context.cache_key)


def _area_series(store: Store, catalogue: Catalogue, area: str, month_list) -> pd.DataFrame:
    """The whole township's monthly series of one area from the kept totals."""
    totals = store.totals(areas=[area], first=min(month_list), last=max(month_list))
    return metrics.town_monthly_from_totals(totals, catalogue)


@st.cache_data(show_spinner=False, max_entries=4)
def _contest_scores(_store: Store, _catalogue: Catalogue, key: tuple) -> pd.DataFrame:
    return ranking.stored_scores(_store, _catalogue)


def contest_scores(context: Context) -> pd.DataFrame:
    """The 打擂 score table (month, village, items, 总分), built once per store revision."""
    return _contest_scores(context.store, context.catalogue, context.cache_key)


@dataclass(frozen=True)
class ContestView:
    """One ranked period of the 打擂 page with its warnings and honours (and, for a quarter,
    the bulletin draft's paragraphs): computed once per revision and choice."""

    result: ranking.Ranking
    notices: list[ranking.Notice]
    bulletin: list[Block]


@st.cache_data(show_spinner=False, max_entries=16)
def _contest_view(
    _store: Store,
    _catalogue: Catalogue,
    key: tuple,
    by_quarter: bool,
    period: str,
    top_n: int,
    bottom_n: int,
) -> ContestView:
    scores = _contest_scores(_store, _catalogue, key)
    rank = ranking.rank_quarter if by_quarter else ranking.rank_month
    result = rank(scores, _catalogue, period, top_n, bottom_n)
    return ContestView(
        result,
        ranking.notices(scores, result, _catalogue),
        bulletin.blocks(scores, _catalogue, result) if by_quarter else [],
    )


def contest_view(
    context: Context, by_quarter: bool, period: str, top_n: int, bottom_n: int
) -> ContestView:
    return _contest_view(
        context.store, context.catalogue, context.cache_key, by_quarter, period, top_n, bottom_n
    )


@st.cache_data(show_spinner=False, max_entries=32)
def _contest_village(
    _store: Store, _catalogue: Catalogue, key: tuple, village: str, month: str
) -> tuple[ranking.Movement, pd.DataFrame]:
    scores = _contest_scores(_store, _catalogue, key)
    return (
        ranking.movement(scores, _catalogue, village, month),
        ranking.trajectory(scores, _catalogue, village),
    )


def contest_village(
    context: Context, village: str, month: str
) -> tuple[ranking.Movement, pd.DataFrame]:
    """Why a village moved in `month`, and its rank in every scored month."""
    return _contest_village(context.store, context.catalogue, context.cache_key, village, month)


@st.cache_data(show_spinner=False, max_entries=8)
def _latest_contest(
    _store: Store, _catalogue: Catalogue, key: tuple
) -> tuple[ranking.Ranking, dict[str, int]] | None:
    scores = _contest_scores(_store, _catalogue, key)
    scored = ranking.scored_months(scores)
    if not scored:
        return None
    latest = ranking.rank_month(scores, _catalogue, scored[-1])
    return latest, ranking.bottom_streaks(scores, scored[-1], _catalogue.contest.black_n)


def latest_contest(context: Context) -> tuple[ranking.Ranking, dict[str, int]] | None:
    """The latest scored 打擂 month's ranking and its consecutive-黑榜 warnings, or None."""
    return _latest_contest(context.store, context.catalogue, context.cache_key)


@st.cache_data(show_spinner=False, max_entries=8)
def _latest_month(_store: Store, key: tuple) -> str | None:
    span = _store.month_span()
    return None if span is None else span[1]


def latest_month(context: Context) -> str | None:
    return _latest_month(context.store, context.cache_key)


@st.cache_data(show_spinner=False, max_entries=8)
def _loaded_months(_store: Store, key: tuple) -> list[str]:
    span = _store.month_span()
    return [] if span is None else months.month_range(*span)


def loaded_months(context: Context) -> list[str]:
    """Every month from the first to the last one holding data (gaps included).

    Cached on its own so a page view does not copy the whole value table just for two months.
    """
    return _loaded_months(context.store, context.cache_key)


@st.cache_data(show_spinner=False, max_entries=16)
def _work_report(
    _store: Store,
    _catalogue: Catalogue,
    _template: report.Template,
    key: tuple,
    first: str,
    last: str,
) -> report.Report:
    return report.build(_store, _catalogue, _template, first, last, sources=False)


def work_report(context: Context, first: str, last: str) -> report.Report:
    """The 工作总结 for a period, filled once per store revision, template and period.

    Without the figures' cells: a county's half-year draws on 200,000 of them, and the page
    shows those of one paragraph at a time (`show_sources`).
    """
    template = report.load_template(context.catalogue)
    key = (*context.cache_key, template.fingerprint)
    return _work_report(context.store, context.catalogue, template, key, first, last)


@st.cache_data(show_spinner=False, max_entries=16)
def _report_sources(
    _store: Store,
    _catalogue: Catalogue,
    _work: report.Report,
    key: tuple,
    first: str,
    last: str,
    keys: tuple[str, ...],
) -> dict[str, pd.DataFrame | None]:
    report.attach_sources(_work, _store, _catalogue, keys)
    return {k: _work.figures[k].sources for k in keys}


def show_sources(context: Context, work: report.Report, keys: list[str]) -> None:
    """Read (once per revision and period) the cells behind these figures of `work`."""
    template = work.template
    found = _report_sources(
        context.store,
        context.catalogue,
        work,
        (*context.cache_key, template.fingerprint),
        work.first,
        work.last,
        tuple(keys),
    )
    for key, sources in found.items():
        work.figures[key].sources = sources


# ------------------------------------------------------------------ upload and editors


@st.cache_data(show_spinner=False, max_entries=16)
def _template(_catalogue: Catalogue, fingerprint: str, month: str) -> bytes:
    from .workbook import write_template

    return write_template(_catalogue, month)


def template_bytes(context: Context, month: str) -> bytes:
    """The blank workbook for a month (villages and month pre-filled), built once per month."""
    return _template(context.catalogue, context.catalogue.fingerprint, month)


@st.cache_data(show_spinner=False, max_entries=8)
def _history(_store: Store, key: tuple) -> pd.DataFrame:
    return _store.history()


def history(context: Context) -> pd.DataFrame:
    """Every version, newest first; re-read only when the revision changes."""
    return _history(context.store, context.cache_key)


def read_uploads(context: Context, files: list, month: str | None) -> tuple[list, list]:
    """Validate uploaded files once per (content, month): reruns reuse the result.

    Kept in the session, not in st.cache_data, so one office's uploads are never shared with
    another session and leave with it.
    """
    contents = [(f.name, f.getvalue()) for f in files]
    key = (
        tuple((name, hashlib.sha256(data).hexdigest()) for name, data in contents),
        month,
        context.catalogue.fingerprint,
    )
    cached = st.session_state.get("_upload_checked")
    if cached and cached[0] == key:
        return cached[1], cached[2]
    with st.spinner("正在逐格校验上传的工作簿……"):
        parsed, problems = changes.read_all(contents, context.catalogue, month)
    st.session_state["_upload_checked"] = (key, parsed, problems)
    return parsed, problems


@st.cache_resource(show_spinner=False)
def _throttle() -> auth.LoginThrottle:
    return auth.LoginThrottle()


EDITOR_KEY = "signed_in_editor"


def editor_gate(context: Context, key: str) -> str | None:
    """Who may change data in this session: an editor's name, single-user mode, or None.

    Shows the single-user notice, the signed-in editor with a sign-out button, or the sign-in
    form. The sign-in lasts for this browser session on every page.
    """
    try:
        editors = auth.load_editors()
    except TownshipError as exc:
        st.error(exc.title)
        st.markdown("\n".join(f"- {p}" for p in exc.problems))
        return None
    if not editors:
        st.info(
            "**单用户模式**：尚未设置编辑人员，打开本页的任何人都可以上传和恢复数据，操作人记为"
            f"“{config.SINGLE_USER}”。如需只让指定人员修改数据，请在服务器上运行 "
            "`python -m township_data editor add 姓名` 添加编辑人员。",
            icon=":material/person:",
        )
        return config.SINGLE_USER
    signed_in = st.session_state.get(EDITOR_KEY)
    if signed_in in editors:
        left, right = st.columns([4, 1], vertical_alignment="center")
        left.success(f"已登录编辑人员：{signed_in}", icon=":material/person:")
        if right.button("退出登录", key=f"{key}_logout"):
            del st.session_state[EDITOR_KEY]
            st.rerun()
        return signed_in
    st.warning(
        "修改数据（上传、恢复）需要编辑人员登录；浏览各页面不需要登录。", icon=":material/lock:"
    )
    with st.form(key=f"{key}_login_form", border=True):
        name = st.text_input("编辑人员姓名", key=f"{key}_login_name")
        password = st.text_input("密码", type="password", key=f"{key}_login_password")
        submitted = st.form_submit_button("登录", key=f"{key}_login")
    if submitted:
        try:
            st.session_state[EDITOR_KEY] = auth.login(name, password, _throttle())
        except TownshipError as exc:
            st.error("；".join(p.message for p in exc.problems))
            return None
        st.rerun()
    return None


def editor_for_change() -> str:
    """The name to record for an upload or restore; AuthError when an editor must sign in.

    Checked again at the moment of the write, against the editors file as it is now, so a
    page that was open before editors were added cannot change data without a sign-in.
    """
    return auth.require_editor(auth.load_editors(), st.session_state.get(EDITOR_KEY))


@st.cache_data(show_spinner=False, max_entries=32)
def _version_slices(_store: Store, url: str, township: str, version_id: int) -> list:
    return _store.version_slices(version_id)


def version_slices(context: Context, version_id: int) -> list[tuple[str, str]]:
    """The (area, month) slices a version holds; a version never changes, so its id alone
    keys the cache."""
    return _version_slices(context.store, context.store.url, context.store.township, version_id)


@st.cache_data(show_spinner=False, max_entries=32)
def _version_values(
    _store: Store, url: str, township: str, version_id: int, area: str, month: str
) -> pd.DataFrame:
    return _store.version_values(version_id, [(area, month)])


def version_values(context: Context, version_id: int, area: str, month: str) -> pd.DataFrame:
    """One slice of a version's values: the page shows one sheet at a time, so a back-fill
    version of a county is not read whole to show one month of one area."""
    store = context.store
    return _version_values(store, store.url, store.township, version_id, area, month)


@st.cache_data(show_spinner=False, max_entries=8)
def _restore_preview(
    _store: Store, _catalogue: Catalogue, key: tuple, version_id: int
) -> changes.Preview:
    return changes.preview_restore(_store, version_id, _catalogue)


def restore_preview(context: Context, version_id: int) -> changes.Preview:
    """What restoring a version would change, computed once per store revision and version
    (a back-fill version compares tens of thousands of values)."""
    return _restore_preview(context.store, context.catalogue, context.cache_key, version_id)


# ------------------------------------------------------------------ shared widgets

PERIOD_KIND_KEY = "period_kind"
PERIOD_KEYS = {
    "month": "period_month",
    "quarter": "period_quarter",
    "half": "period_half",
    "year": "period_year",
    "range": "period_range",
}
VILLAGE_KEY = "village_filter"
_KEEP = "keep_"
_PERIOD_LABELS = {
    "month": "月份",
    "quarter": "季度",
    "half": "半年",
    "year": "年度",
    "range": "月份范围",
}


def seed(key: str, valid: Callable[[Any], bool], default: Any) -> None:
    """Put the remembered choice (else `default`) into a widget's state before it is drawn.

    Streamlit forgets a widget's state on a page that does not draw it, so every choice is also
    kept under an own key (keep_…) that survives page switches: the period chosen on one page
    is the period of the next.
    """
    for candidate in (st.session_state.get(key), st.session_state.get(_KEEP + key)):
        if candidate is not None and valid(candidate):
            st.session_state[key] = candidate
            return
    st.session_state[key] = default


def keep(key: str) -> None:
    st.session_state[_KEEP + key] = st.session_state[key]


@dataclass(frozen=True)
class View:
    """What an area page shows: the chosen period, the same cut to the loaded months, villages."""

    period: months.Period
    chosen: months.Period
    villages: tuple[str, ...]
    loaded: tuple[str, ...]

    @property
    def clipped(self) -> bool:
        return self.period != self.chosen

    @property
    def window(self) -> tuple[str, ...]:
        """Months of the trend charts: the period when long, else the year up to its end."""
        return tuple(months.trend_window(self.period, self.loaded[0]))

    @property
    def scope(self) -> str:
        return "、".join(self.villages) if self.villages else "全镇"


def period_chooser(month_list: list[str]) -> tuple[months.Period, months.Period]:
    """Month / quarter / half-year / year / custom range, remembered across pages.

    Returns the chosen period and the same period cut to the months holding data.
    """
    first, last = month_list[0], month_list[-1]
    kinds = list(months.PERIOD_KINDS)
    kind_col, value_col = st.columns([3, 2], vertical_alignment="bottom")
    with kind_col:
        seed(PERIOD_KIND_KEY, lambda v: v in kinds, "month")
        kind = st.segmented_control(
            "统计周期",
            kinds,
            format_func=months.PERIOD_KINDS.get,
            key=PERIOD_KIND_KEY,
            required=True,
        )
        keep(PERIOD_KIND_KEY)
    key = PERIOD_KEYS[kind]
    with value_col:
        if kind == "range":
            seed(
                key,
                lambda v: len(v) == 2 and all(m in month_list for m in v),
                (max(first, months.year_to_date(last).first), last),
            )
            start, end = st.select_slider(
                _PERIOD_LABELS[kind], options=month_list, format_func=months.label, key=key
            )
            chosen = months.Period(start, end)
        else:
            options = months.period_options(kind, first, last)
            seed(key, lambda v: v in options, options[0])
            token = st.selectbox(
                _PERIOD_LABELS[kind],
                options,
                format_func=lambda t: months.option_label(kind, t),
                key=key,
            )
            chosen = months.period_of(kind, token)
        keep(key)
    return chosen, chosen.clip(first, last) or chosen


def village_filter(catalogue: Catalogue) -> list[str]:
    """Some villages, or none chosen for the whole township; remembered across pages."""
    names = catalogue.village_names
    seed(VILLAGE_KEY, lambda v: isinstance(v, list) and all(n in names for n in v), [])
    chosen = st.multiselect(
        "村（社区）",
        names,
        key=VILLAGE_KEY,
        placeholder="全镇（全部村、社区）",
    )
    keep(VILLAGE_KEY)
    return [n for n in names if n in chosen]


def choose_view(context: Context, month_list: list[str]) -> View:
    """The period chooser and the village filter in one row (stacked on a phone)."""
    left, right = st.columns([2, 1], vertical_alignment="bottom")
    with left:
        chosen, period = period_chooser(month_list)
    with right:
        villages = village_filter(context.catalogue)
    return View(period, chosen, tuple(villages), tuple(month_list))


# ------------------------------------------------------------------ area pages: cached data


@dataclass(frozen=True)
class AreaData:
    """Everything an area page needs for one view, computed once per store revision."""

    headline: pd.DataFrame
    coverage: metrics.Coverage
    monthly: pd.DataFrame
    table: pd.DataFrame
    shown_table: pd.DataFrame
    file_table: pd.DataFrame
    village_values: pd.DataFrame
    village_month: dict[str, pd.DataFrame]


@st.cache_data(show_spinner=False, max_entries=64)
def _area_data(
    _store: Store,
    _catalogue: Catalogue,
    key: tuple,
    area: str,
    first: str,
    last: str,
    villages: tuple[str, ...],
    window: tuple[str, ...],
) -> AreaData:
    period = months.Period(first, last)
    needed = {*window, *period.months, *period.previous().months, *period.year_ago().months}
    frame = _store.current(areas=[area], months=sorted(needed))
    chosen = list(villages)
    per_village = [i.name for i in _catalogue.area(area).indicators if i.village_rows]
    table = metrics.period_table(frame, _catalogue, area, first, last, chosen)
    monthly = (
        metrics.monthly(frame, _catalogue, area, window, chosen)
        if chosen
        else metrics.monthly_wide(
            _area_series(_store, _catalogue, area, window), _catalogue, area, window
        )
    )
    return AreaData(
        headline=metrics.headline(frame, _catalogue, area, period, chosen),
        coverage=metrics.coverage(frame, _catalogue, area, period.months, chosen),
        monthly=monthly,
        table=table,
        shown_table=metrics.display_table(table, _catalogue, area),
        file_table=metrics.download_table(table, _catalogue, area),
        village_values=pd.concat(
            [
                metrics.village_values(frame, _catalogue, area, name, period, chosen)
                for name in per_village
            ],
            axis=1,
        ),
        village_month={
            name: metrics.village_month(frame, _catalogue, area, name, window, chosen)
            for name in per_village
        },
    )


def area_data(context: Context, area: str, view: View) -> AreaData:
    return _area_data(
        context.store,
        context.catalogue,
        context.cache_key,
        area,
        view.period.first,
        view.period.last,
        view.villages,
        view.window,
    )


_CHART_CONFIG = {"displayModeBar": False}


@st.cache_resource(show_spinner=False, max_entries=256)
def _figure(key: tuple, _make: Callable[[], go.Figure]) -> go.Figure:
    return _make()


def plot(context: Context, name: str, params: tuple, make: Callable[[], go.Figure]) -> None:
    """Draw a chart at full width without Plotly's English toolbar, built once per input.

    Building a Plotly figure costs far more than drawing it, so each figure is kept (shared,
    never changed: Streamlit copies it to send it) under the store revision, the chart's name
    and every input that shapes it (`params`).
    """
    figure = _figure((context.cache_key, name, *params), make)
    st.plotly_chart(figure, width="stretch", config=_CHART_CONFIG, key=f"chart_{name}")


@dataclass(frozen=True)
class SafetyData:
    """The safety trends of one view: hazards of every loaded month, every month's figures of
    the area, and the year so far against last year."""

    hazards: pd.DataFrame
    all_monthly: pd.DataFrame
    year_so_far: pd.DataFrame


@st.cache_data(show_spinner=False, max_entries=32)
def safety_data(
    _store: Store,
    _catalogue: Catalogue,
    key: tuple,
    last: str,
    villages: tuple[str, ...],
    loaded: tuple[str, ...],
) -> SafetyData:
    area = metrics.SAFETY_AREA
    chosen = list(villages)
    pair = [metrics.SAFETY_FOUND, metrics.SAFETY_FIXED]
    hazard_values = _store.current(areas=[area], indicators=pair)
    ytd = months.year_to_date(last)
    needed = {*ytd.months, *ytd.previous().months, *ytd.year_ago().months}
    sums = [i for i in metrics.shown_indicators(_catalogue, area, chosen) if i.combine == "sum"]
    if chosen:
        all_monthly = metrics.monthly(
            _store.current(areas=[area]), _catalogue, area, loaded, chosen
        )
    else:
        all_monthly = metrics.monthly_wide(
            _area_series(_store, _catalogue, area, loaded), _catalogue, area, loaded
        )
    return SafetyData(
        hazards=metrics.hazards(hazard_values, *pair, loaded, chosen, area),
        all_monthly=all_monthly,
        year_so_far=metrics.headline(
            _store.current(areas=[area], months=sorted(needed)),
            _catalogue,
            area,
            ytd,
            chosen,
            sums,
        ),
    )


def present(names: tuple[str, ...], columns: pd.Index) -> list[str]:
    return [n for n in names if n in columns]


@dataclass(frozen=True)
class OverviewData:
    """Since-January figures of every area's key indicators, and what needs attention."""

    year_so_far: dict[str, pd.DataFrame]
    behind: pd.DataFrame
    unreported: pd.DataFrame
    hazards: pd.DataFrame


def _has_hazards(catalogue: Catalogue) -> bool:
    names = (
        {i.name for i in catalogue.sheet_indicators(metrics.SAFETY_AREA)}
        if (metrics.SAFETY_AREA in catalogue.area_names)
        else set()
    )
    return {metrics.SAFETY_FOUND, metrics.SAFETY_FIXED} <= names


@st.cache_data(show_spinner=False, max_entries=8)
def _overview_data(
    _store: Store, _catalogue: Catalogue, key: tuple, loaded: tuple[str, ...]
) -> OverviewData:
    period = months.year_to_date(loaded[-1])
    needed = sorted({*period.months, *period.previous().months, *period.year_ago().months})
    # Monthly counts come from the kept totals as one township row a month; only stocks and
    # rates are read per village, and only the indicators the overview shows or judges.
    used = [
        *(i for a in _catalogue.areas for i in a.key_indicators),
        *(i for i in _catalogue.all_indicators() if i.higher_better is not None),
    ]
    per_village = sorted({i.name for i in used if (i.combine, i.across) != ("sum", "sum")})
    # Only the sheets holding such an indicator: the others' slices would be unpacked for
    # nothing (a county's two years of every sheet).
    holding = sorted({i.area for i in _catalogue.all_indicators() if i.name in per_village})
    series = metrics.town_monthly_from_totals(
        _store.totals(first=needed[0], last=needed[-1]), _catalogue
    )
    frame = metrics.township_rows(
        series[series["month"].isin(needed)],
        _store.current(areas=holding, months=needed, indicators=per_village),
        _catalogue,
    )
    pair = [metrics.SAFETY_FOUND, metrics.SAFETY_FIXED]
    # Every indicator's figures once: the cards show the key ones, the warnings judge others.
    tables = metrics.headlines(
        frame,
        _catalogue,
        period,
        indicators={a.name: a.indicators for a in _catalogue.areas},
    )
    return OverviewData(
        year_so_far={
            area.name: metrics.headline_rows(tables[area.name], area.key_indicators)
            for area in _catalogue.areas
        },
        behind=metrics.behind_last_year(frame, _catalogue, loaded[-1], tables),
        unreported=metrics.unreported(_store.current(months=[loaded[-1]]), _catalogue, loaded[-1]),
        hazards=metrics.hazards_from_wide(
            _store.wide(metrics.SAFETY_AREA, pair), *pair, list(loaded)
        )
        if _has_hazards(_catalogue)
        else pd.DataFrame(),
    )


@st.cache_data(show_spinner=False, max_entries=8)
def _status_matrix(
    _store: Store, _catalogue: Catalogue, key: tuple, month_list: tuple[str, ...]
) -> pd.DataFrame:
    return metrics.status_from_counts(_store.slice_villages(), _catalogue, list(month_list))


def status_matrix(context: Context, month_list: list[str]) -> pd.DataFrame:
    """Areas × months 已报 / 部分 / 未报, computed once per store revision."""
    return _status_matrix(context.store, context.catalogue, context.cache_key, tuple(month_list))


def overview_data(context: Context, month_list: list[str]) -> OverviewData:
    return _overview_data(context.store, context.catalogue, context.cache_key, tuple(month_list))
