"""Cached loaders: each page computation once per store revision (and choice), then shared.

Every function keys its cache on `Context.cache_key` (database, township, revision, catalogue),
which every import and restore changes, so a page never shows stale data and never re-reads
what another view already computed. The computations themselves are domain functions
(township_data.pagedata, ranking, report …) that know nothing of Streamlit.

Results are kept as shared objects (st.cache_resource), not as pickled copies (st.cache_data):
a cache_data hit unpickles the whole value on every page view, 10% of the server's CPU per view
under load (bench/load.py). Pages only read them, and pandas' copy-on-write keeps every frame
derived from them separate. Whatever a view would otherwise rebuild from them on every run
(display tables, summaries) is cached here too.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import pandas as pd
import streamlit as st

from township_data import changes, pagedata, progress, ranking, report, workbook
from township_data.catalogue import Catalogue
from township_data.store import Store

from .shell import Context
from .widgets import View

# ------------------------------------------------------------------ months and status


@st.cache_resource(show_spinner=False, max_entries=8)
def _loaded_months(_store: Store, key: tuple) -> list[str]:
    return pagedata.loaded_months(_store)


def loaded_months(context: Context) -> list[str]:
    """Every month from the first to the last one holding data (gaps included)."""
    return _loaded_months(context.store, context.cache_key)


@st.cache_resource(show_spinner=False, max_entries=8)
def _month_progress(
    _store: Store, _catalogue: Catalogue, key: tuple, month: str, today: dt.date
) -> progress.Progress:
    return pagedata.month_progress(_store, _catalogue, month, today)


def month_progress(context: Context, month: str, today: dt.date) -> progress.Progress:
    """报送进度 of a month as of `today`, once per revision and day."""
    return _month_progress(context.store, context.catalogue, context.cache_key, month, today)


@st.cache_resource(show_spinner=False, max_entries=8)
def _status_matrix(
    _store: Store, _catalogue: Catalogue, key: tuple, month_list: tuple[str, ...]
) -> pd.DataFrame:
    return pagedata.status_matrix(_store, _catalogue, month_list)


def status_matrix(context: Context, month_list: list[str]) -> pd.DataFrame:
    """Areas × months 已报 / 部分 / 未报, computed once per store revision."""
    return _status_matrix(context.store, context.catalogue, context.cache_key, tuple(month_list))


# ------------------------------------------------------------------ overview and areas


@st.cache_resource(show_spinner=False, max_entries=8)
def _overview_data(
    _store: Store, _catalogue: Catalogue, key: tuple, loaded: tuple[str, ...]
) -> pagedata.OverviewData:
    return pagedata.overview_data(_store, _catalogue, loaded)


def overview_data(context: Context, month_list: list[str]) -> pagedata.OverviewData:
    return _overview_data(context.store, context.catalogue, context.cache_key, tuple(month_list))


@st.cache_resource(show_spinner=False, max_entries=64)
def _area_data(
    _store: Store,
    _catalogue: Catalogue,
    key: tuple,
    area: str,
    first: str,
    last: str,
    villages: tuple[str, ...],
    window: tuple[str, ...],
) -> pagedata.AreaData:
    from township_data.months import Period

    return pagedata.area_data(_store, _catalogue, area, Period(first, last), villages, window)


def area_data(context: Context, area: str, view: View) -> pagedata.AreaData:
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


@st.cache_resource(show_spinner=False, max_entries=32)
def _safety_data(
    _store: Store,
    _catalogue: Catalogue,
    key: tuple,
    last: str,
    villages: tuple[str, ...],
    loaded: tuple[str, ...],
) -> pagedata.SafetyData:
    return pagedata.safety_data(_store, _catalogue, last, villages, loaded)


def safety_data(context: Context, view: View) -> pagedata.SafetyData:
    """安全生产's own sections for the view's last month and villages."""
    return _safety_data(
        context.store,
        context.catalogue,
        context.cache_key,
        view.period.last,
        view.villages,
        view.loaded,
    )


# ------------------------------------------------------------------ 打擂


@st.cache_resource(show_spinner=False, max_entries=4)
def _contest_scores(_store: Store, _catalogue: Catalogue, key: tuple) -> pd.DataFrame:
    return ranking.stored_scores(_store, _catalogue)


def contest_scores(context: Context) -> pd.DataFrame:
    """The 打擂 score table (month, village, items, 总分), built once per store revision."""
    return _contest_scores(context.store, context.catalogue, context.cache_key)


@st.cache_resource(show_spinner=False, max_entries=16)
def _contest_view(
    _store: Store,
    _catalogue: Catalogue,
    key: tuple,
    by_quarter: bool,
    period: str,
    top_n: int,
    bottom_n: int,
) -> pagedata.ContestView:
    scores = _contest_scores(_store, _catalogue, key)
    return pagedata.contest_view(scores, _catalogue, by_quarter, period, top_n, bottom_n)


def contest_view(
    context: Context, by_quarter: bool, period: str, top_n: int, bottom_n: int
) -> pagedata.ContestView:
    return _contest_view(
        context.store, context.catalogue, context.cache_key, by_quarter, period, top_n, bottom_n
    )


@st.cache_resource(show_spinner=False, max_entries=32)
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


@st.cache_resource(show_spinner=False, max_entries=8)
def _latest_contest(
    _store: Store, _catalogue: Catalogue, key: tuple
) -> tuple[ranking.Ranking, dict[str, int]] | None:
    return pagedata.latest_contest(_contest_scores(_store, _catalogue, key), _catalogue)


def latest_contest(context: Context) -> tuple[ranking.Ranking, dict[str, int]] | None:
    """The latest scored 打擂 month's ranking and its consecutive-黑榜 warnings, or None."""
    return _latest_contest(context.store, context.catalogue, context.cache_key)


# ------------------------------------------------------------------ 工作总结


@st.cache_resource(show_spinner=False, max_entries=16)
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


@st.cache_resource(show_spinner=False, max_entries=16)
def _report_sources(
    _store: Store,
    _catalogue: Catalogue,
    _work: report.Report,
    key: tuple,
    first: str,
    last: str,
    keys: tuple[str, ...],
) -> dict[str, tuple[pd.DataFrame | None, str]]:
    report.attach_sources(_work, _store, _catalogue, keys)
    return {k: (_work.figures[k].sources, _work.figures[k].source_summary()) for k in keys}


def show_sources(context: Context, work: report.Report, keys: list[str]) -> dict[str, str]:
    """Read (once per revision and period) the cells behind these figures of `work`; returns
    each figure's one-line source summary, built once with them."""
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
    for key, (sources, _summary) in found.items():
        work.figures[key].sources = sources
    return {key: summary for key, (_sources, summary) in found.items()}


# ------------------------------------------------------------------ upload, history, restore


@st.cache_resource(show_spinner=False, max_entries=8)
def _carried(_store: Store, _catalogue: Catalogue, key: tuple, month: str) -> dict:
    return pagedata.carried_stocks(_store, _catalogue, month)


def carried_stocks(context: Context, month: str) -> dict[tuple[str, str, str], float]:
    """Last month's stocks that a month's templates pre-fill, once per revision."""
    return _carried(context.store, context.catalogue, context.cache_key, month)


def _template_key(context: Context, carry: bool) -> tuple:
    # A blank template depends on the catalogue only; a pre-filled one on the data too.
    return context.cache_key if carry else (context.catalogue.fingerprint,)


@st.cache_data(show_spinner=False, max_entries=16)
def _template(
    _store: Store, _catalogue: Catalogue, key: tuple, month: str, row: str | None, carry: bool
) -> bytes:
    carried = _carried(_store, _catalogue, key, month) if carry else None
    return workbook.write_template(_catalogue, month, row, carried)


def template_bytes(
    context: Context, month: str, row: str | None = None, carry: bool = False
) -> bytes:
    """A month's workbook: the township's (row None) or one village's, with last month's
    stocks when `carry`; built once per choice (and revision, when carried)."""
    key = _template_key(context, carry)
    return _template(context.store, context.catalogue, key, month, row, carry)


@st.cache_data(show_spinner=False, max_entries=4)
def _village_zip(
    _store: Store, _catalogue: Catalogue, key: tuple, month: str, carry: bool
) -> bytes:
    carried = _carried(_store, _catalogue, key, month) if carry else None
    return workbook.write_village_zip(_catalogue, month, carried)


def village_zip(context: Context, month: str, carry: bool) -> bytes:
    """One workbook per village in a zip, built once per month and choice."""
    key = _template_key(context, carry)
    return _village_zip(context.store, context.catalogue, key, month, carry)


@st.cache_resource(show_spinner=False, max_entries=8)
def _history(_store: Store, key: tuple) -> pd.DataFrame:
    return _store.history()


def history(context: Context) -> pd.DataFrame:
    """Every version, newest first; re-read only when the revision changes."""
    return _history(context.store, context.cache_key)


@st.cache_resource(show_spinner=False, max_entries=8)
def _history_table(_store: Store, key: tuple) -> pd.DataFrame:
    return changes.history_table(_history(_store, key))


def history_table(context: Context) -> pd.DataFrame:
    """The import records as the page shows them (Chinese columns, Beijing time)."""
    return _history_table(context.store, context.cache_key)


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


@st.cache_resource(show_spinner=False, max_entries=32)
def _version_slices(_store: Store, url: str, township: str, version_id: int) -> list:
    return _store.version_slices(version_id)


def version_slices(context: Context, version_id: int) -> list[tuple[str, str]]:
    """The (area, month) slices a version holds; a version never changes, so its id alone
    keys the cache."""
    return _version_slices(context.store, context.store.url, context.store.township, version_id)


@st.cache_resource(show_spinner=False, max_entries=32)
def _version_values(
    _store: Store, url: str, township: str, version_id: int, area: str, month: str
) -> pd.DataFrame:
    return _store.version_values(version_id, [(area, month)])


def version_values(context: Context, version_id: int, area: str, month: str) -> pd.DataFrame:
    """One slice of a version's values: the page shows one sheet at a time, so a back-fill
    version of a county is not read whole to show one month of one area."""
    store = context.store
    return _version_values(store, store.url, store.township, version_id, area, month)


@st.cache_resource(show_spinner=False, max_entries=32)
def _version_sheet(
    _store: Store, _catalogue: Catalogue, key: tuple, version_id: int, area: str, month: str
) -> pd.DataFrame:
    values = _version_values(_store, _store.url, _store.township, version_id, area, month)
    return changes.version_table(values, _catalogue, area, month)


def version_sheet(context: Context, version_id: int, area: str, month: str) -> pd.DataFrame:
    """One slice of a version as its workbook sheet looked (villages × indicators)."""
    key = (context.store.url, context.store.township, context.catalogue.fingerprint)
    return _version_sheet(context.store, context.catalogue, key, version_id, area, month)


@st.cache_resource(show_spinner=False, max_entries=8)
def _restore_preview(
    _store: Store, _catalogue: Catalogue, key: tuple, version_id: int
) -> changes.Preview:
    return changes.preview_restore(_store, version_id, _catalogue)


def restore_preview(context: Context, version_id: int) -> changes.Preview:
    """What restoring a version would change, computed once per store revision and version
    (a back-fill version compares tens of thousands of values)."""
    return _restore_preview(context.store, context.catalogue, context.cache_key, version_id)


# ------------------------------------------------------------------ 大事记


@st.cache_resource(show_spinner=False, max_entries=8)
def _events(_store: Store, key: tuple) -> pd.DataFrame:
    return _store.events()


def events(context: Context) -> pd.DataFrame:
    """Every 大事记 of the township, oldest first, once per store revision."""
    return _events(context.store, context.cache_key)
