"""The county page's layout: townships side by side per area, and the townships' 打擂 standing.

Only a county (a catalogue folder of several townships) has this page; the figures are
township_data.county's, cached per revision of every township.
"""

from __future__ import annotations

import functools

import pandas as pd
import streamlit as st

from township_data import charts, config, county, county_rules, downloads, months, pagedata
from township_data.catalogue import load_catalogues

from . import shell, widgets


def members() -> list[county.Member]:
    return [county.Member(c, shell.store_of(c)) for c in load_catalogues().values()]


def county_key(found: list[county.Member]) -> tuple:
    """Changes whenever any township imports or restores, or a catalogue changes."""
    return tuple(
        (m.store.url, m.store.township, m.store.revision(), m.catalogue.fingerprint) for m in found
    )


@st.cache_data(show_spinner=False, max_entries=16)
def _months(_found: list[county.Member], key: tuple) -> list[str]:
    loaded = sorted({m for member in _found for m in pagedata.loaded_months(member.store)})
    return months.month_range(loaded[0], loaded[-1]) if loaded else []


@st.cache_data(show_spinner=False, max_entries=16)
def _figures(_found: list[county.Member], key: tuple, first: str, last: str) -> pd.DataFrame:
    return county.figures(_found, months.Period(first, last))


@st.cache_data(show_spinner=False, max_entries=16)
def _standing(
    _found: list[county.Member],
    _rules: county_rules.Rules,
    key: tuple,
    rules_key: str,
    first: str,
    last: str,
) -> county.Standing:
    return county.standing(_found, months.Period(first, last), _rules)


def _downloads(table: pd.DataFrame, title: str, stem: str, key: str) -> None:
    left, right, _ = st.columns([1, 1, 2])
    left.download_button(
        "下载 Excel（.xlsx）",
        data=functools.partial(downloads.to_xlsx, table, title, sheet_name=stem[:31]),
        file_name=f"{stem}.xlsx",
        on_click="ignore",
        icon=":material/download:",
        key=f"{key}_xlsx",
        width="stretch",
    )
    right.download_button(
        "下载 CSV（.csv）",
        data=functools.partial(downloads.to_csv, table),
        file_name=f"{stem}.csv",
        mime="text/csv",
        on_click="ignore",
        icon=":material/download:",
        key=f"{key}_csv",
        width="stretch",
    )


def figures_section(found: pd.DataFrame, name: str, period: months.Period) -> None:
    """Each area's key figures, townships as rows, one tab per area."""
    st.subheader(f"各领域关键指标（{period.label}）")
    areas = list(dict.fromkeys(found["area"]))
    for tab, area in zip(st.tabs(areas), areas, strict=True):
        with tab:
            st.dataframe(
                county.area_table(found, area),
                hide_index=True,
                width="stretch",
                key=f"county_area_{area}",
            )
    st.caption(
        "各乡镇的数按本镇指标目录的合并方式计算（计数相加，存量和比率取期末最新值），与该镇领域页的"
        "卡片一致；“未报”表示本期没有数据（不按 0 计），“—”表示该镇不统计这项指标。"
        "各镇村（社区）数不同，比较总数时请一并参考。"
    )
    title = f"{name}各乡镇（街道）{period.label}各领域关键指标"
    _downloads(county.download_table(found), title, title, "county_figures")


def standing_section(
    context: shell.Context,
    key: tuple,
    result: county.Standing,
    name: str,
    period: months.Period,
) -> None:
    """The townships ranked, a bar per township, and the downloads."""
    st.subheader(f"{name}乡镇（街道）打擂排名（{period.label}）")
    st.dataframe(
        county.display_standing(result), hide_index=True, width="stretch", key="county_standing"
    )
    st.caption(result.rule)
    bars = result.table.set_index(county.TOWNSHIP)[[result.score_column]]
    unit = "%" if "%" in result.score_column else "分"

    def make():
        fig = charts.village_bars(
            bars, unit, f"{name}各乡镇（街道）打擂得分（{period.label}）", unit_kind="score"
        )
        return fig.update_yaxes(title_text=county.TOWNSHIP)

    widgets.plot(context, "county_standing", (key, period.first, period.last, repr(bars)), make)
    title = f"{name}{period.label}乡镇（街道）打擂排名"
    _downloads(result.table, title, title, "county_standing")


def page(context: shell.Context) -> None:
    catalogues = load_catalogues()
    if len(catalogues) < 2:
        st.info(
            "本页在县级部署中比较各乡镇（街道）：指标目录文件夹中有多个乡镇时才有内容。",
            icon=":material/info:",
        )
        return
    found = members()
    key = county_key(found)
    month_list = _months(found, key)
    if not month_list:
        st.warning("各乡镇都还没有任何数据。请在“数据上传”页上传月报工作簿。")
        return
    rules = county_rules.load_rules(config.catalogue_path(), catalogues)
    _, period = widgets.period_chooser(month_list)
    st.caption(f"共 {len(found)} 个乡镇（街道）；统计 {period.span}。")
    figures_section(_figures(found, key, period.first, period.last), rules.name, period)
    standing_section(
        context,
        key,
        _standing(found, rules, key, repr(rules), period.first, period.last),
        rules.name,
        period,
    )
