"""分享与打印 on the pages: the 长图, the offline snapshot and the print title.

The files are made only when a button is pressed (download_button with a callable), so a page
view costs nothing extra; each page passes what it has already computed.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from township_data import bulletin_month, digest, longimage, ranking, snapshot
from views import printing
from views.shell import Context

PNG, HTML = "image/png", "text/html"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PRINT_HINT = "打印：用浏览器的“打印”（Ctrl+P），纸张选 A4 纵向；侧栏和按钮不会打印，页脚有页码。"


def source(context: Context) -> digest.Source:
    """The foot of every forwarded file: township, store revision, today, sample or not."""
    return digest.Source(
        context.catalogue.township_name, context.revision, dt.date.today(), context.is_sample
    )


def _button(label: str, make: Callable[[], bytes], name: str, mime: str, key: str, icon: str):
    st.download_button(
        label,
        make,
        file_name=name,
        mime=mime,
        key=key,
        on_click="ignore",
        icon=icon,
    )


def _html_bytes(make: Callable[[], str]) -> bytes:
    return make().encode("utf-8")


def contest(
    context: Context,
    result: ranking.Ranking,
    found: Sequence[ranking.Notice],
    scores: pd.DataFrame,
) -> None:
    """The 打擂 period as a 长图, an offline page and (for a month) the monthly 通报."""
    catalogue = context.catalogue
    origin = source(context)
    stem = result.title(catalogue)
    with st.container(horizontal=True):
        _button(
            "下载长图（.png）",
            functools.partial(longimage.ranking_png, result, list(found), catalogue, origin),
            f"{stem}.png",
            PNG,
            "share_dalei_png",
            ":material/image:",
        )
        _button(
            "下载离线网页（.html）",
            functools.partial(
                _html_bytes,
                functools.partial(
                    snapshot.ranking_html, result, list(found), scores, catalogue, origin
                ),
            ),
            f"{stem}.html",
            HTML,
            "share_dalei_html",
            ":material/public_off:",
        )
        if result.kind == ranking.MONTH:
            _button(
                "下载月度通报草稿（Word）",
                functools.partial(bulletin_month.to_docx, scores, catalogue, result),
                bulletin_month.file_name(catalogue, result.period),
                DOCX,
                "share_dalei_month_docx",
                ":material/description:",
            )
    st.caption(PRINT_HINT)


def overview(context: Context, found: digest.Digest, status: pd.DataFrame) -> None:
    """The overview as a 长图 and as an offline page."""
    origin = source(context)
    stem = f"{context.catalogue.township_name}工作概览（{found.subtitle}）"
    with st.container(horizontal=True):
        _button(
            "下载长图（.png）",
            functools.partial(longimage.digest_png, found, origin),
            f"{stem}.png",
            PNG,
            "share_home_png",
            ":material/image:",
        )
        _button(
            "下载离线网页（.html）",
            functools.partial(
                _html_bytes, functools.partial(snapshot.overview_html, found, status, origin)
            ),
            f"{stem}.html",
            HTML,
            "share_home_html",
            ":material/public_off:",
        )
    st.caption(PRINT_HINT)


def area(
    context: Context,
    area_name: str,
    period: str,
    scope: str,
    headline: pd.DataFrame,
    figures: Callable[[], Sequence[go.Figure]],
    table: pd.DataFrame,
) -> None:
    """A work area's period as an offline page (its charts built when the button is pressed)."""
    catalogue = context.catalogue
    origin = source(context)

    def make() -> bytes:
        return snapshot.area_html(
            catalogue, area_name, period, scope, headline, figures(), table, origin
        ).encode("utf-8")

    _button(
        "下载离线网页（.html）",
        make,
        f"{catalogue.township_name}{area_name}_{period}.html",
        HTML,
        f"share_html_{area_name}",
        ":material/public_off:",
    )


def print_title(context: Context, page: str, period: str, where=None) -> None:
    """The print-only title line, at `where` (an st.empty() above the widgets) if given."""
    printing.title(context.catalogue.township_name, page, period, where=where)
