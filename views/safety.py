"""安全生产 in depth: inspection effort, hazards and backlog, seasonal enforcement, cumulative."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from township_data import charts, formatting, metrics, months, pagedata
from views import loaders, shell, widgets
from views.area import (
    ROW_PX,
    area_header,
    metric_delta,
    table_section,
    trend_section,
    units,
    view_params,
    village_section,
    window_text,
)


def _hazard_cards(history: pd.DataFrame, view: widgets.View) -> None:
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
            **metric_delta(change, better),
            delta_description="较上期" if change else None,
            help=note,
            border=True,
        )


def safety_section(context: shell.Context, view: widgets.View, data: pagedata.AreaData) -> None:
    """安全生产 in depth: inspection effort, hazards and their rectification, enforcement and its
    seasons, the year so far against last year, villages with most hazards, training."""
    safety = loaders.safety_data(context, view)
    _inspection(context, view, data)
    _hazards(context, view, data, safety)
    _enforcement(context, view, safety)
    _year_so_far(context, view, safety)
    _villages(context, view, data)
    _training(context, view, data)


def _subtitle(view: widgets.View) -> str:
    return f"{view.scope} · {window_text(view)}"


def _inspection(context: shell.Context, view: widgets.View, data: pagedata.AreaData) -> None:
    inspection = widgets.present(metrics.SAFETY_INSPECTION, data.monthly.columns)
    if not inspection:
        return
    st.subheader("检查力度")
    widgets.plot(
        context,
        "safety_inspection",
        view_params(view),
        lambda: charts.trend(
            data.monthly[inspection],
            units(context.catalogue, metrics.SAFETY_AREA, inspection),
            "各类检查逐月数量",
            subtitle=_subtitle(view),
            events=data.event_marks,
        ),
    )


def _hazards(
    context: shell.Context,
    view: widgets.View,
    data: pagedata.AreaData,
    safety: pagedata.SafetyData,
) -> None:
    found, fixed = metrics.SAFETY_FOUND, metrics.SAFETY_FIXED
    if found not in data.monthly.columns or fixed not in data.monthly.columns:
        return
    st.subheader("隐患排查与整改")
    _hazard_cards(safety.hazards, view)
    widgets.plot(
        context,
        "safety_hazards",
        view_params(view),
        lambda: charts.hazards(
            safety.hazards.reindex(list(view.window)),
            "每月排查、整改隐患与整改率",
            _subtitle(view),
        ),
    )
    st.caption(
        "整改率和未整改数只计同时填报了排查数和整改数的村（社区）；"
        "未整改 = 自有数据以来累计排查 − 累计整改。"
    )


def _enforcement(context: shell.Context, view: widgets.View, safety: pagedata.SafetyData) -> None:
    enforcement = widgets.present(metrics.SAFETY_ENFORCEMENT, safety.all_monthly.columns)
    if not enforcement:
        return
    catalogue, area = context.catalogue, metrics.SAFETY_AREA
    st.subheader("执法查处的季节规律")
    widgets.plot(
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


def _year_so_far(context: shell.Context, view: widgets.View, safety: pagedata.SafetyData) -> None:
    names = list(safety.year_so_far["indicator"])
    if not names:
        return
    catalogue, area = context.catalogue, metrics.SAFETY_AREA
    year = view.period.last[:4]
    upto = months.year_to_date(view.period.last)
    st.subheader(f"年初以来累计与去年同期（{upto.label}）")
    key = "safety_cumulative"
    default = "检查生产经营单位" if "检查生产经营单位" in names else names[0]
    widgets.seed(key, lambda v: v in names, default)
    name = st.selectbox("指标", names, key=key)
    widgets.keep(key)
    ind = catalogue.indicator(area, name)
    widgets.plot(
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
    _year_table(safety.year_so_far, upto)


def _year_table(ytd: pd.DataFrame, upto: months.Period) -> None:
    st.dataframe(
        pd.DataFrame(
            {
                "指标": [f"{n}（{u}）" for n, u in zip(ytd["indicator"], ytd["unit"], strict=True)],
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
        height=ROW_PX * (len(ytd) + 1) + 3,
        key="table_safety_year",
        column_config={
            c: st.column_config.TextColumn(alignment="right")
            for c in (f"{upto.label}累计", "去年同期", "增减")
        },
    )


def _villages(context: shell.Context, view: widgets.View, data: pagedata.AreaData) -> None:
    found, fixed = metrics.SAFETY_FOUND, metrics.SAFETY_FIXED
    if found not in data.village_values.columns or fixed not in data.village_values.columns:
        return
    st.subheader("隐患较多的村（社区）")
    widgets.plot(
        context,
        "safety_villages",
        view_params(view),
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


def _training(context: shell.Context, view: widgets.View, data: pagedata.AreaData) -> None:
    training = widgets.present(metrics.SAFETY_TRAINING, data.monthly.columns)
    if not training:
        return
    st.subheader("培训演练与警示教育")
    widgets.plot(
        context,
        "safety_training",
        view_params(view),
        lambda: charts.trend(
            data.monthly[training],
            units(context.catalogue, metrics.SAFETY_AREA, training),
            "每月培训演练和警示教育次数",
            kind="bar",
            subtitle=_subtitle(view),
            events=data.event_marks,
        ),
    )


def safety_page(context: shell.Context) -> None:
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
