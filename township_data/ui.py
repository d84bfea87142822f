"""Page setup and cached loaders: the only module of the package that imports Streamlit.

Every page calls `setup()` first. It loads the catalogue (a broken one is shown in Chinese and
stops the page), opens the store, imports the sample workbooks on first start, draws the Chinese
sidebar, and marks sample data. Cached computations are keyed on the store's revision, which
every import and restore bumps, so a page never shows stale data and never re-reads workbooks.
"""

from __future__ import annotations

import functools
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
    changes,
    charts,
    checks,
    config,
    downloads,
    formatting,
    metrics,
    months,
    ranking,
    report,
)
from .catalogue import COMBINES, LEVELS, Area, Catalogue, Indicator, load_catalogue
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


@st.cache_data(show_spinner=False, max_entries=8)
def _loaded_months(_store: Store, key: tuple) -> list[str]:
    frame = _store.slices()
    return [] if frame.empty else months.month_range(frame["month"].min(), frame["month"].max())


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
    return report.build(_store, _catalogue, _template, first, last)


def work_report(context: Context, first: str, last: str) -> report.Report:
    """The 工作总结 for a period, filled once per store revision, template and period."""
    template = report.load_template(context.catalogue)
    key = (*context.cache_key, template.fingerprint)
    return _work_report(context.store, context.catalogue, template, key, first, last)


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


def show_preview(preview: changes.Preview, catalogue: Catalogue, key: str) -> None:
    """The preview of an upload or a restore: counts, warnings, areas × months, every change."""
    counts = preview.counts
    cols = st.columns(4)
    cols[0].metric("新增数值", f"{counts[changes.ADDED]:,}")
    cols[1].metric("修改数值", f"{counts[changes.REPLACED]:,}")
    cols[2].metric("改为未报", f"{counts[changes.REMOVED]:,}")
    cols[3].metric("不变", f"{counts[changes.SAME]:,}")
    if preview.notices:
        st.warning(
            f"有 {len(preview.notices)} 条提示请核实（不影响导入）：数值较上月大幅增加，"
            "或上月已报的村（社区）本月没有数据。",
            icon=":material/warning:",
        )
        st.dataframe(
            checks.notice_table(preview.notices),
            hide_index=True,
            width="stretch",
            key=f"{key}_notices",
        )
    st.markdown(f"**涉及的领域和月份**：{preview.summary}")
    st.dataframe(
        changes.slice_table(preview, catalogue),
        hide_index=True,
        width="stretch",
        key=f"{key}_slices",
    )
    kinds = [k for k in changes.CHANGE_KINDS if counts[k]]
    if kinds:
        tabs = st.tabs([f"{k}（{counts[k]:,}）" for k in kinds])
        for tab, kind in zip(tabs, kinds, strict=True):
            with tab:
                st.dataframe(
                    changes.change_table(preview.changes, catalogue, kind),
                    hide_index=True,
                    width="stretch",
                    key=f"{key}_changes_{kind}",
                )


@st.cache_data(show_spinner=False, max_entries=32)
def _version_values(_store: Store, url: str, township: str, version_id: int) -> pd.DataFrame:
    return _store.version_values(version_id)


def version_values(context: Context, version_id: int) -> pd.DataFrame:
    """A version's values; a version never changes, so its id alone keys the cache."""
    return _version_values(context.store, context.store.url, context.store.township, version_id)


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


def _seed(key: str, valid: Callable[[Any], bool], default: Any) -> None:
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


def _keep(key: str) -> None:
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
        _seed(PERIOD_KIND_KEY, lambda v: v in kinds, "month")
        kind = st.segmented_control(
            "统计周期",
            kinds,
            format_func=months.PERIOD_KINDS.get,
            key=PERIOD_KIND_KEY,
            required=True,
        )
        _keep(PERIOD_KIND_KEY)
    key = PERIOD_KEYS[kind]
    with value_col:
        if kind == "range":
            _seed(
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
            _seed(key, lambda v: v in options, options[0])
            token = st.selectbox(
                _PERIOD_LABELS[kind],
                options,
                format_func=lambda t: months.option_label(kind, t),
                key=key,
            )
            chosen = months.period_of(kind, token)
        _keep(key)
    return chosen, chosen.clip(first, last) or chosen


def village_filter(catalogue: Catalogue) -> list[str]:
    """Some villages, or none chosen for the whole township; remembered across pages."""
    names = catalogue.village_names
    _seed(VILLAGE_KEY, lambda v: isinstance(v, list) and all(n in names for n in v), [])
    chosen = st.multiselect(
        "村（社区）",
        names,
        key=VILLAGE_KEY,
        placeholder="全镇（全部村、社区）",
    )
    _keep(VILLAGE_KEY)
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
    frame = _store.current(areas=[area])
    period = months.Period(first, last)
    chosen = list(villages)
    per_village = [i.name for i in _catalogue.area(area).indicators if i.village_rows]
    table = metrics.period_table(frame, _catalogue, area, first, last, chosen)
    return AreaData(
        headline=metrics.headline(frame, _catalogue, area, period, chosen),
        coverage=metrics.coverage(frame, _catalogue, area, period.months, chosen),
        monthly=metrics.monthly(frame, _catalogue, area, window, chosen),
        table=table,
        shown_table=display_table(table, _catalogue, area),
        file_table=download_table(table, _catalogue, area),
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


# ------------------------------------------------------------------ area pages: drawing

_CHART_CONFIG = {"displayModeBar": False}
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_ROW_PX = 35


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


def _tone(text: str, higher_better: bool | None) -> str:
    """Green for a change in the good direction, red for the bad one, grey when neither."""
    if text in ("", "持平") or higher_better is None:
        return "gray"
    up = not text.startswith("-")
    return "green" if up == higher_better else "red"


def compare_text(label: str, now: object, before: object, unit: str, better: bool | None) -> str:
    """'较去年同期 :green[↑ +8 家次（+5.1%）]' as Markdown; '无可比数据' when a side is 未报."""
    text = formatting.change(now, before, unit)
    prefix = f"{label} " if label else ""
    if not text:
        return f"{prefix}无可比数据"
    if text == "持平":
        return f"{prefix}持平"
    arrow = "↓" if text.startswith("-") else "↑"
    return f"{prefix}:{_tone(text, better)}[{arrow} {text}]"


def _reported_text(ind: Indicator, reported: int, view: View, catalogue: Catalogue) -> str:
    if not ind.village_rows:
        return "全镇填报"
    expected = len(view.villages) if view.villages else len(catalogue.village_names)
    return f"{reported}/{expected} 个村（社区）有数据"


def _metric_delta(change: str, higher_better: bool | None) -> dict[str, Any]:
    """st.metric's delta arguments: coloured by good/bad direction, grey for 持平."""
    if not change:
        return {"delta": None}
    if change == "持平":
        return {"delta": change, "delta_color": "gray", "delta_arrow": "off"}
    colour = {True: "normal", False: "inverse"}.get(higher_better, "off")
    return {"delta": change, "delta_color": colour}


def headline_cards(context: Context, area: Area, data: AreaData, view: View) -> None:
    """The area's key indicators over the period, vs the previous period and a year earlier."""
    catalogue = context.catalogue
    table = data.headline.set_index("indicator")
    keys = [i for i in area.key_indicators if i.name in table.index]
    skipped = [i.name for i in area.key_indicators if i.name not in table.index]
    previous, year_ago = view.period.previous(), view.period.year_ago()
    per_row = 3 if len(keys) in (3, 5, 6, 9) else 4
    for start in range(0, len(keys), per_row):
        columns = st.columns(per_row)
        for column, ind in zip(columns, keys[start : start + per_row], strict=False):
            row = table.loc[ind.name]
            change = formatting.change(row["value"], row["previous"], ind.unit)
            spark = data.monthly[ind.name].dropna().tolist() if ind.name in data.monthly else []
            how = COMBINES[ind.combine]
            with column, st.container(border=True):
                st.metric(
                    ind.name,
                    formatting.number(row["value"], ind.unit),
                    **_metric_delta(change, ind.higher_better),
                    delta_description="较上期" if change else None,
                    help=(
                        f"{how}；{LEVELS[ind.level]}。上期 {previous.label}："
                        f"{formatting.number(row['previous'], ind.unit)}；去年同期 "
                        f"{year_ago.label}：{formatting.number(row['year_ago'], ind.unit)}"
                    ),
                    chart_data=spark if len(spark) > 1 else None,
                    chart_type="bar" if ind.combine == "sum" else "line",
                )
                st.caption(
                    compare_text(
                        "较去年同期", row["value"], row["year_ago"], ind.unit, ind.higher_better
                    )
                    + f"  \n{_reported_text(ind, int(row['villages_reported']), view, catalogue)}"
                    + ("" if ind.combine == "sum" else f" · {how}")
                )
    if skipped:
        st.caption(f"按村（社区）查看时，只在全镇填报的指标不显示：{'、'.join(skipped)}。")


def coverage_note(coverage: metrics.Coverage, view: View) -> None:
    """How many figures the view expects and how many are 未报 (never counted as 0)."""
    if coverage.expected == 0:
        return
    name = view.period.label
    if coverage.missing == 0:
        st.caption(f":material/check_circle: {name}应报 {coverage.expected:,} 项数据，已全部报送。")
        return
    text = (
        f":material/warning: {name}应报 {coverage.expected:,} 项数据，"
        f"**未报 {coverage.missing:,} 项**（{coverage.missing / coverage.expected:.1%}）。"
        "未报不按 0 计算：合计只含已报数据，图中留空并标“未报”。"
    )
    if coverage.empty_months:
        text += f"其中 {'、'.join(months.label(m) for m in coverage.empty_months)} 整月未报。"
    st.markdown(text)
    with st.expander("未报明细（按村、社区）"):
        st.dataframe(
            pd.DataFrame(
                {
                    "村（社区）": coverage.by_village.index,
                    "未报项数": coverage.by_village.to_numpy(),
                }
            ),
            hide_index=True,
            width="stretch",
        )


def _default_trend(area: Area, names: list[str], catalogue: Catalogue) -> list[str]:
    """The key indicators of the most common unit among them: one panel, comparable lines."""
    keys = [i for i in area.key_indicators if i.name in names] or [
        catalogue.indicator(area.name, names[0])
    ]
    units = [i.unit for i in keys]
    unit = max(units, key=units.count)
    return [i.name for i in keys if i.unit == unit]


def _units(catalogue: Catalogue, area: str, names: list[str]) -> dict[str, tuple[str, str]]:
    return {
        n: (catalogue.indicator(area, n).unit, catalogue.indicator(area, n).kind) for n in names
    }


def _view_params(view: View) -> tuple:
    return (view.period.first, view.period.last, view.villages, view.window)


def _window_text(view: View) -> str:
    return f"{months.label(view.window[0])}–{months.label(view.window[-1])}"


def trend_section(context: Context, area: Area, data: AreaData, view: View) -> None:
    """Monthly trend of chosen indicators (line or bar), months as 2024年3月."""
    catalogue = context.catalogue
    st.subheader("月度趋势")
    names = list(data.monthly.columns)
    pick_key, kind_key = f"trend_{area.name}", f"trend_kind_{area.name}"
    pick_col, kind_col = st.columns([4, 1], vertical_alignment="bottom")
    with pick_col:
        _seed(
            pick_key,
            lambda v: isinstance(v, list) and all(n in names for n in v),
            _default_trend(area, names, catalogue),
        )
        chosen = st.multiselect("指标", names, key=pick_key, placeholder="请选择要查看的指标")
        _keep(pick_key)
    with kind_col:
        _seed(kind_key, lambda v: v in ("line", "bar"), "line")
        kind = st.segmented_control(
            "图形",
            ["line", "bar"],
            format_func={"line": "折线", "bar": "柱状"}.get,
            key=kind_key,
            required=True,
        )
        _keep(kind_key)
    if not chosen:
        st.info("请在上方选择要查看的指标。")
        return
    plot(
        context,
        f"trend_{area.name}",
        (*_view_params(view), tuple(chosen), kind),
        lambda: charts.trend(
            data.monthly[chosen],
            _units(catalogue, area.name, chosen),
            f"{area.name}月度趋势",
            kind,
            subtitle=f"{view.scope} · {_window_text(view)}",
        ),
    )
    st.caption(
        "每月数值；比率、存量类指标为当月数（各村平均，全镇填报时以全镇为准）；空缺处为未报。"
    )


def village_section(context: Context, area: Area, data: AreaData, view: View) -> None:
    """Villages compared over the period, and a village × month heatmap of the same indicator."""
    catalogue = context.catalogue
    st.subheader("分村对比")
    names = list(data.village_values.columns)
    if not names:
        st.caption("本领域的指标只在全镇填报，没有分村数据。")
        return
    key = f"village_indicator_{area.name}"
    keys = [i.name for i in area.key_indicators if i.name in names]
    _seed(key, lambda v: v in names, (keys or names)[0])
    name = st.selectbox("指标", names, key=key)
    _keep(key)
    ind = catalogue.indicator(area.name, name)
    how = "本期合计" if ind.combine == "sum" else "本期最新填报值"
    plot(
        context,
        f"villages_{area.name}",
        (*_view_params(view), name),
        lambda: charts.village_bars(
            data.village_values[[name]],
            ind.unit,
            f"各村（社区）{name}",
            ind.kind,
            subtitle=f"{view.period.label} · {how}",
        ),
    )
    plot(
        context,
        f"heatmap_{area.name}",
        (*_view_params(view), name),
        lambda: charts.village_heatmap(
            data.village_month[name],
            name,
            ind.unit,
            f"逐月{name}",
            subtitle=f"各村（社区） · {_window_text(view)} · 单位：{ind.unit}",
        ),
    )


def display_table(table: pd.DataFrame, catalogue: Catalogue, area: str) -> pd.DataFrame:
    """The period table as a leader reads it: 1,234 · 未报 · — (not filled in this row)."""
    mask = metrics.applicable(table, catalogue, area)
    shown = table.astype(object)
    for column in table.columns[1:]:
        shown[column] = [
            formatting.number(v) if ok else metrics.NOT_APPLICABLE
            for v, ok in zip(table[column], mask[column], strict=True)
        ]
    return shown


def download_table(table: pd.DataFrame, catalogue: Catalogue, area: str) -> pd.DataFrame:
    """The period table for files: numbers stay numbers, NaN is written 未报, — where the row
    does not fill the indicator."""
    mask = metrics.applicable(table, catalogue, area)
    return table.astype(object).where(mask, metrics.NOT_APPLICABLE)


def table_section(context: Context, area: Area, data: AreaData, view: View) -> None:
    """The period's figures per village, 镇本级 and 全镇, with .xlsx and .csv downloads."""
    catalogue = context.catalogue
    st.subheader(f"{view.period.label}分村数据表")
    shown = data.shown_table
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        height=_ROW_PX * (len(shown) + 1) + 3,
        key=f"table_{area.name}",
        column_config={
            "村（社区）": st.column_config.TextColumn(pinned=True),
            **{c: st.column_config.TextColumn(alignment="right") for c in shown.columns[1:]},
        },
    )
    st.caption(
        "未报：本期没有填报（不按 0 计）；—：该指标不在此行填报。"
        + (
            "全镇 = 各村（社区）相加 + 镇本级；比率类取各村平均（全镇填报时以全镇为准），不相加。"
            if not view.villages
            else "所选合计只含所选村（社区）。"
        )
        + "存量、比率类取本期最新填报值。"
    )
    title = f"{catalogue.township_name}{view.period.label}{area.name}工作数据"
    if view.villages:
        title += f"（{view.scope}）"
    files = data.file_table
    stem = f"{catalogue.township_name}{area.name}_{view.period.label}"
    with st.container(horizontal=True):
        st.download_button(
            "下载 Excel 表格（.xlsx）",
            data=functools.partial(downloads.to_xlsx, files, title, area.name),
            file_name=f"{stem}.xlsx",
            mime=_XLSX,
            key=f"download_xlsx_{area.name}",
            on_click="ignore",
            icon=":material/download:",
        )
        st.download_button(
            "下载 CSV（.csv）",
            data=functools.partial(downloads.to_csv, files),
            file_name=f"{stem}.csv",
            mime="text/csv",
            key=f"download_csv_{area.name}",
            on_click="ignore",
            icon=":material/download:",
        )


def area_header(context: Context, area_name: str) -> tuple[View, AreaData] | None:
    """Title, period chooser, village filter, headline cards and the 未报 note of an area page."""
    area = context.catalogue.area(area_name)
    st.title(f"{area.icon} {area.name}")
    month_list = loaded_months(context)
    if not month_list:
        st.warning("还没有任何数据。请在“数据上传”页上传月报工作簿。")
        return None
    view = choose_view(context, month_list)
    previous, year_ago = view.period.previous(), view.period.year_ago()
    line = (
        f"统计期：**{view.period.label}**（{view.period.span}）　对比：上期 {previous.label}，"
        f"去年同期 {year_ago.label}　范围：{view.scope}"
    )
    if view.clipped:
        line += f"　（数据截至 {months.label(month_list[-1])}，按已有月份统计）"
    st.markdown(line)
    data = area_data(context, area.name, view)
    headline_cards(context, area, data, view)
    coverage_note(data.coverage, view)
    return view, data


def area_body(context: Context, area_name: str, view: View, data: AreaData) -> None:
    """Trend, per-village comparison, heatmap and the downloadable period table."""
    area = context.catalogue.area(area_name)
    trend_section(context, area, data, view)
    village_section(context, area, data, view)
    table_section(context, area, data, view)


def area_page(context: Context, area_name: str) -> None:
    """The whole page of one work area, driven by its indicators in the catalogue."""
    shown = area_header(context, area_name)
    if shown is not None:
        area_body(context, area_name, *shown)


# ------------------------------------------------------------------ 安全生产 in depth


@dataclass(frozen=True)
class SafetyData:
    """The safety trends of one view: hazards of every loaded month, every month's figures of
    the area, and the year so far against last year."""

    hazards: pd.DataFrame
    all_monthly: pd.DataFrame
    year_so_far: pd.DataFrame


@st.cache_data(show_spinner=False, max_entries=32)
def _safety_data(
    _store: Store,
    _catalogue: Catalogue,
    key: tuple,
    last: str,
    villages: tuple[str, ...],
    loaded: tuple[str, ...],
) -> SafetyData:
    area = metrics.SAFETY_AREA
    frame = _store.current(areas=[area])
    chosen = list(villages)
    sums = [i for i in metrics.shown_indicators(_catalogue, area, chosen) if i.combine == "sum"]
    return SafetyData(
        hazards=metrics.hazards(
            frame, metrics.SAFETY_FOUND, metrics.SAFETY_FIXED, loaded, chosen, area
        ),
        all_monthly=metrics.monthly(frame, _catalogue, area, loaded, chosen),
        year_so_far=metrics.headline(
            frame, _catalogue, area, months.year_to_date(last), chosen, sums
        ),
    )


def _present(names: tuple[str, ...], columns: pd.Index) -> list[str]:
    return [n for n in names if n in columns]


def _hazard_cards(history: pd.DataFrame, view: View) -> None:
    """Rectification rate, newly open hazards and the open backlog, each against last period."""
    now_rows = history.reindex(view.period.months)
    before_rows = history.reindex(view.period.previous().months)

    def opened(rows: pd.DataFrame) -> float:
        return rows["paired_found"].sum(min_count=1) - rows["paired_fixed"].sum(min_count=1)

    cards = (
        (
            "本期整改率",
            round(metrics.rectification_rate(now_rows), 1),
            round(metrics.rectification_rate(before_rows), 1),
            "%",
            True,
            "已整改 ÷ 排查 × 100，只计同时填报了排查数和整改数的村（社区）和月份。",
        ),
        (
            "本期新增未整改",
            opened(now_rows),
            opened(before_rows),
            "处",
            False,
            "本期排查数减本期整改数（同上口径）；负数表示整改了往期隐患。",
        ),
        (
            f"未整改隐患（截至{months.label(view.period.last)}）",
            history["backlog"].get(view.period.last, float("nan")),
            history["backlog"].get(view.period.previous().last, float("nan")),
            "处",
            False,
            "自有数据以来累计排查数减累计整改数。",
        ),
    )
    for column, (label, value, before, unit, better, note) in zip(
        st.columns(3), cards, strict=True
    ):
        change = formatting.change(value, before, unit)
        column.metric(
            label,
            formatting.number(value, unit),
            **_metric_delta(change, better),
            delta_description="较上期" if change else None,
            help=note,
            border=True,
        )


def safety_section(context: Context, view: View, data: AreaData) -> None:
    """安全生产 in depth: inspection effort, hazards and their rectification, enforcement and its
    seasons, the year so far against last year, villages with most hazards, training."""
    catalogue = context.catalogue
    area = metrics.SAFETY_AREA
    safety = _safety_data(
        context.store,
        context.catalogue,
        context.cache_key,
        view.period.last,
        view.villages,
        view.loaded,
    )
    params = _view_params(view)
    subtitle = f"{view.scope} · {_window_text(view)}"

    inspection = _present(metrics.SAFETY_INSPECTION, data.monthly.columns)
    if inspection:
        st.subheader("检查力度")
        plot(
            context,
            "safety_inspection",
            params,
            lambda: charts.trend(
                data.monthly[inspection],
                _units(catalogue, area, inspection),
                "各类检查逐月数量",
                subtitle=subtitle,
            ),
        )

    found, fixed = metrics.SAFETY_FOUND, metrics.SAFETY_FIXED
    if found in data.monthly.columns and fixed in data.monthly.columns:
        st.subheader("隐患排查与整改")
        _hazard_cards(safety.hazards, view)
        plot(
            context,
            "safety_hazards",
            params,
            lambda: charts.hazards(
                safety.hazards.reindex(list(view.window)), "每月排查、整改隐患与整改率", subtitle
            ),
        )
        st.caption(
            "整改率和未整改数只计同时填报了排查数和整改数的村（社区）；"
            "未整改 = 自有数据以来累计排查 − 累计整改。"
        )

    enforcement = _present(metrics.SAFETY_ENFORCEMENT, safety.all_monthly.columns)
    if enforcement:
        st.subheader("执法查处的季节规律")
        plot(
            context,
            "safety_enforcement",
            (view.villages,),
            lambda: charts.year_overlay(
                [
                    (n, catalogue.indicator(area, n).unit, metrics.by_year(safety.all_monthly[n]))
                    for n in enforcement
                ],
                "执法查处：各年同月对照",
                f"{view.scope} · 红线为最近一年，灰色虚线为往年",
            ),
        )
        st.caption("横轴为月份，各年同一月份上下对照，可看出春节前后等季节性高峰。")

    names = list(safety.year_so_far["indicator"])
    if names:
        year = view.period.last[:4]
        upto = months.year_to_date(view.period.last)
        st.subheader(f"年初以来累计与去年同期（{upto.label}）")
        key = "safety_cumulative"
        default = "检查生产经营单位" if "检查生产经营单位" in names else names[0]
        _seed(key, lambda v: v in names, default)
        name = st.selectbox("指标", names, key=key)
        _keep(key)
        ind = catalogue.indicator(area, name)
        plot(
            context,
            "safety_cumulative",
            (view.period.last, view.villages, name),
            lambda: charts.cumulative(
                metrics.cumulative_by_year(safety.all_monthly[name], view.period.last),
                name,
                ind.unit,
                f"{name}累计",
                ind.kind,
                subtitle=f"{year}年与{int(year) - 1}年逐月累计对比 · {view.scope}",
            ),
        )
        ytd = safety.year_so_far
        st.dataframe(
            pd.DataFrame(
                {
                    "指标": [
                        f"{n}（{u}）" for n, u in zip(ytd["indicator"], ytd["unit"], strict=True)
                    ],
                    f"{upto.label}累计": [formatting.number(v) for v in ytd["value"]],
                    "去年同期": [formatting.number(v) for v in ytd["year_ago"]],
                    "增减": [
                        formatting.change(a, b) or "无可比数据"
                        for a, b in zip(ytd["value"], ytd["year_ago"], strict=True)
                    ],
                }
            ),
            hide_index=True,
            width="stretch",
            height=_ROW_PX * (len(ytd) + 1) + 3,
            key="table_safety_year",
            column_config={
                c: st.column_config.TextColumn(alignment="right")
                for c in (f"{upto.label}累计", "去年同期", "增减")
            },
        )

    if found in data.village_values.columns and fixed in data.village_values.columns:
        st.subheader("隐患较多的村（社区）")
        plot(
            context,
            "safety_villages",
            params,
            lambda: charts.village_bars(
                data.village_values[[found, fixed]].rename(
                    columns={found: "排查隐患", fixed: "已整改"}
                ),
                "处",
                "各村（社区）排查与整改隐患",
                subtitle=f"{view.period.label} · 按排查数从多到少",
                colours=(charts.PALETTE[0], charts.PALETTE[2]),
            ),
        )

    training = _present(metrics.SAFETY_TRAINING, data.monthly.columns)
    if training:
        st.subheader("培训演练与警示教育")
        plot(
            context,
            "safety_training",
            params,
            lambda: charts.trend(
                data.monthly[training],
                _units(catalogue, area, training),
                "每月培训演练和警示教育次数",
                kind="bar",
                subtitle=subtitle,
            ),
        )


def safety_page(context: Context) -> None:
    """The 安全生产 page: the common header, then the in-depth trends, the common body and the
    table on tabs (the page is three times as long as the others)."""
    shown = area_header(context, metrics.SAFETY_AREA)
    if shown is None:
        return
    view, data = shown
    area = context.catalogue.area(metrics.SAFETY_AREA)
    special, trends, table = st.tabs(["安全生产专题", "月度趋势与分村对比", "分村数据表"])
    with special:
        safety_section(context, view, data)
    with trends:
        trend_section(context, area, data, view)
        village_section(context, area, data, view)
    with table:
        table_section(context, area, data, view)


# ------------------------------------------------------------------ the leaders' overview (总览)


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
    frame = _store.current()
    period = months.year_to_date(loaded[-1])
    return OverviewData(
        year_so_far={
            area.name: metrics.headline(
                frame, _catalogue, area.name, period, indicators=area.key_indicators
            )
            for area in _catalogue.areas
        },
        behind=metrics.behind_last_year(frame, _catalogue, loaded[-1]),
        unreported=metrics.unreported(frame, _catalogue, loaded[-1]),
        hazards=metrics.hazards(frame, metrics.SAFETY_FOUND, metrics.SAFETY_FIXED, list(loaded))
        if _has_hazards(_catalogue)
        else pd.DataFrame(),
    )


@st.cache_data(show_spinner=False, max_entries=8)
def _status_matrix(
    _store: Store, _catalogue: Catalogue, key: tuple, month_list: tuple[str, ...]
) -> pd.DataFrame:
    return metrics.status_matrix(_store.current(), _catalogue, list(month_list))


def status_matrix(context: Context, month_list: list[str]) -> pd.DataFrame:
    """Areas × months 已报 / 部分 / 未报, computed once per store revision."""
    return _status_matrix(context.store, context.catalogue, context.cache_key, tuple(month_list))


def overview_data(context: Context, month_list: list[str]) -> OverviewData:
    return _overview_data(context.store, context.catalogue, context.cache_key, tuple(month_list))


def _area_link(area: str, label: str) -> None:
    path = AREA_PAGES.get(area)
    if path and page_exists(path):
        st.page_link(path, label=label, icon=":material/arrow_forward:")


def attention(context: Context, data: OverviewData, month_list: list[str]) -> None:
    """What a leader should look at first: hazard backlog, missing reports, falling indicators."""
    latest = month_list[-1]
    st.subheader("需要关注")
    backlog_col, missing_col, behind_col = st.columns(3)
    with backlog_col, st.container(border=True):
        st.markdown("**:material/construction: 安全隐患整改**")
        backlog = data.hazards["backlog"].dropna() if not data.hazards.empty else pd.Series()
        if backlog.empty:
            st.caption("暂无隐患排查和整改数据。")
        else:
            ytd = data.hazards.reindex(months.year_to_date(latest).months)
            rate = metrics.rectification_rate(ytd)
            st.metric(
                f"未整改隐患（截至{months.label(str(backlog.index[-1]))}）",
                formatting.number(float(backlog.iloc[-1]), "处"),
            )
            st.caption(f"{latest[:4]}年以来整改率 {formatting.number(round(rate, 1), '%')}")
        _area_link(metrics.SAFETY_AREA, "查看安全生产")
    with missing_col, st.container(border=True):
        st.markdown(f"**:material/assignment_late: {months.label(latest)}未报送**")
        if data.unreported.empty:
            st.markdown(":green[各领域、各村（社区）均已报送。]")
        lines = [
            f"- **{row.area}**：" + ("整表未报" if row.sheet_missing else "、".join(row.villages))
            for row in data.unreported.itertuples(index=False)
        ]
        if lines:
            st.markdown("\n".join(lines))
    with behind_col, st.container(border=True):
        st.markdown("**:material/trending_down: 明显落后于去年同期**")
        st.caption(
            f"{months.year_to_date(latest).label}累计，较去年同期差 {config.BEHIND_SHARE:.0%} 以上"
        )
        if data.behind.empty:
            st.markdown(":green[没有明显落后的指标。]")
        lines = [
            f"- **{row.area}·{row.indicator}**：{formatting.number(row.value, row.unit)}，"
            f"去年同期 {formatting.number(row.year_ago, row.unit)}"
            f"（:red[{formatting.percent_change(row.value, row.year_ago)}]）"
            for row in data.behind.itertuples(index=False)
        ]
        if lines:
            st.markdown("\n".join(lines))


def _short_change(now: object, before: object, unit: str, better: bool | None) -> str:
    """The overview's compact change: '↑ 8.5%' for counts, '↑ 1.2 个百分点' for rates."""
    if unit == "%":
        return compare_text("", now, before, unit, better)
    relative = formatting.percent_change(now, before)
    if not relative:
        return compare_text("", now, before, unit, better)
    if relative == "持平":
        return "持平"
    arrow = "↓" if relative.startswith("-") else "↑"
    return f":{_tone(relative, better)}[{arrow} {relative.lstrip('+-')}]"


def area_cards(context: Context, data: OverviewData, month_list: list[str]) -> None:
    """Per work area its key figures since January against the same months last year."""
    period = months.year_to_date(month_list[-1])
    st.subheader(f"各领域年初以来（{period.label}）")
    st.caption(
        "计数类为 1 月以来累计，比率、存量类为最新月份数；箭头为与去年同期相比"
        "（绿色向好，红色向差，灰色不评价）。"
    )
    columns = st.columns(2)
    for i, area in enumerate(context.catalogue.areas):
        table = data.year_so_far[area.name]
        with columns[i % 2], st.container(border=True):
            st.markdown(f"**{area.icon} {area.name}**")
            lines = [
                f"- {ind.name}：**{formatting.number(row.value, ind.unit)}**　"
                + _short_change(row.value, row.year_ago, ind.unit, ind.higher_better)
                for ind, row in zip(area.key_indicators, table.itertuples(index=False), strict=True)
            ]
            st.markdown("\n".join(lines))
            _area_link(area.name, f"查看{area.name}")
