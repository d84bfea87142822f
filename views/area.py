"""The body of every work-area page: headline cards, trends, villages, the period table."""

from __future__ import annotations

import functools
from typing import Any

import pandas as pd
import streamlit as st

from township_data import charts, downloads, formatting, metrics, months, pagedata
from township_data.catalogue import COMBINES, LEVELS, Area, Catalogue, Indicator
from views import loaders, registry, sharing, shell, widgets

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


ROW_PX = 35


def tone(text: str, higher_better: bool | None) -> str:
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
    return f"{prefix}:{tone(text, better)}[{arrow} {text}]"


def _reported_text(ind: Indicator, reported: int, view: widgets.View, catalogue: Catalogue) -> str:
    if not ind.village_rows:
        return "全镇填报"
    expected = len(view.villages) if view.villages else len(catalogue.village_names)
    return f"{reported}/{expected} 个村（社区）有数据"


def metric_delta(change: str, higher_better: bool | None) -> dict[str, Any]:
    """st.metric's delta arguments: coloured by good/bad direction, grey for 持平."""
    if not change:
        return {"delta": None}
    if change == "持平":
        return {"delta": change, "delta_color": "gray", "delta_arrow": "off"}
    colour = {True: "normal", False: "inverse"}.get(higher_better, "off")
    return {"delta": change, "delta_color": colour}


def headline_cards(
    context: shell.Context, area: Area, data: pagedata.AreaData, view: widgets.View
) -> None:
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
                    **metric_delta(change, ind.higher_better),
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


def coverage_note(coverage: metrics.Coverage, view: widgets.View) -> None:
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


def units(catalogue: Catalogue, area: str, names: list[str]) -> dict[str, tuple[str, str]]:
    return {
        n: (catalogue.indicator(area, n).unit, catalogue.indicator(area, n).kind) for n in names
    }


def view_params(view: widgets.View) -> tuple:
    return (view.period.first, view.period.last, view.villages, view.window)


def window_text(view: widgets.View) -> str:
    return f"{months.label(view.window[0])}–{months.label(view.window[-1])}"


def trend_section(
    context: shell.Context, area: Area, data: pagedata.AreaData, view: widgets.View
) -> None:
    """Monthly trend of chosen indicators (line or bar), months as 2024年3月."""
    catalogue = context.catalogue
    st.subheader("月度趋势")
    names = list(data.monthly.columns)
    pick_key, kind_key = f"trend_{area.name}", f"trend_kind_{area.name}"
    pick_col, kind_col = st.columns([4, 1], vertical_alignment="bottom")
    with pick_col:
        widgets.seed(
            pick_key,
            lambda v: isinstance(v, list) and all(n in names for n in v),
            _default_trend(area, names, catalogue),
        )
        chosen = st.multiselect("指标", names, key=pick_key, placeholder="请选择要查看的指标")
        widgets.keep(pick_key)
    with kind_col:
        widgets.seed(kind_key, lambda v: v in ("line", "bar"), "line")
        kind = st.segmented_control(
            "图形",
            ["line", "bar"],
            format_func={"line": "折线", "bar": "柱状"}.get,
            key=kind_key,
            required=True,
        )
        widgets.keep(kind_key)
    if not chosen:
        st.info("请在上方选择要查看的指标。")
        return
    widgets.plot(
        context,
        f"trend_{area.name}",
        (*view_params(view), tuple(chosen), kind),
        lambda: charts.trend(
            data.monthly[chosen],
            units(catalogue, area.name, chosen),
            f"{area.name}月度趋势",
            kind,
            subtitle=f"{view.scope} · {window_text(view)}",
            events=data.event_marks,
        ),
    )
    st.caption(
        "每月数值；比率、存量类指标为当月数（各村平均，全镇填报时以全镇为准）；空缺处为未报。"
        + ("▼ 为大事记，鼠标移到上面可看详情。" if data.events else "")
    )
    event_list(data)


def event_list(data: pagedata.AreaData) -> None:
    """The window's 大事记 of the area under its trend chart."""
    if not data.events:
        return
    with st.expander(f"大事记（{len(data.events)} 件）", icon=":material/event_note:"):
        st.markdown("\n".join(f"- {e.line}" for e in data.events))


def progress_section(data: pagedata.AreaData, view: widgets.View) -> None:
    """Plans against actuals, January to the period's end, with the schedule's share."""
    if not data.progress:
        return
    month = view.period.last
    st.subheader(f"计划完成进度（{months.year_to_date(month).label}）")
    st.dataframe(
        metrics.progress_table(data.progress), hide_index=True, width="stretch", key="plans"
    )
    notes = [f"{p.actual.name}：{p.verdict}" for p in data.progress if p.verdict]
    st.caption(
        "完成进度 = 年初以来完成数 ÷ 计划数；序时进度 = 已过月份 ÷ 12，按进度应完成 = 计划数 × "
        "序时进度（全年任务才有）；计划本身逐月相加的（如危房改造）只看完成进度。"
        + ("  \n" + "；".join(notes) if notes else "")
    )


def village_section(
    context: shell.Context, area: Area, data: pagedata.AreaData, view: widgets.View
) -> None:
    """Villages compared over the period, and a village × month heatmap of the same indicator."""
    catalogue = context.catalogue
    st.subheader("分村对比")
    names = list(data.village_values.columns)
    if not names:
        st.caption("本领域的指标只在全镇填报，没有分村数据。")
        return
    key = f"village_indicator_{area.name}"
    keys = [i.name for i in area.key_indicators if i.name in names]
    widgets.seed(key, lambda v: v in names, (keys or names)[0])
    name = st.selectbox("指标", names, key=key)
    widgets.keep(key)
    ind = catalogue.indicator(area.name, name)
    how = "本期合计" if ind.combine == "sum" else "本期最新填报值"
    widgets.plot(
        context,
        f"villages_{area.name}",
        (*view_params(view), name),
        lambda: charts.village_bars(
            data.village_values[[name]],
            ind.unit,
            f"各村（社区）{name}",
            ind.kind,
            subtitle=f"{view.period.label} · {how}",
        ),
    )
    widgets.plot(
        context,
        f"heatmap_{area.name}",
        (*view_params(view), name),
        lambda: charts.village_heatmap(
            data.village_month[name],
            name,
            ind.unit,
            f"逐月{name}",
            subtitle=f"各村（社区） · {window_text(view)} · 单位：{ind.unit}",
        ),
    )


def table_section(
    context: shell.Context, area: Area, data: pagedata.AreaData, view: widgets.View
) -> None:
    """The period's figures per village, 镇本级 and 全镇, with .xlsx and .csv downloads."""
    catalogue = context.catalogue
    st.subheader(f"{view.period.label}分村数据表")
    shown = data.shown_table
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        height=ROW_PX * (len(shown) + 1) + 3,
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
            mime=XLSX,
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
        sharing.area(
            context,
            area.name,
            view.period.label,
            view.scope,
            data.headline,
            functools.partial(snapshot_figures, context, area, data, view),
            shown,
        )
    st.caption(sharing.PRINT_HINT)


def snapshot_figures(
    context: shell.Context, area: Area, data: pagedata.AreaData, view: widgets.View
) -> list:
    """The offline page's charts: the key indicators' trend, and the first key indicator per
    village and per month (the page's default choices)."""
    catalogue = context.catalogue
    names = list(data.monthly.columns)
    figures = []
    if names:
        chosen = _default_trend(area, names, catalogue)
        figures.append(
            charts.trend(
                data.monthly[chosen],
                units(catalogue, area.name, chosen),
                f"{area.name}月度趋势",
                "line",
                subtitle=f"{view.scope} · {window_text(view)}",
                events=data.event_marks,
            )
        )
    per_village = list(data.village_values.columns)
    if per_village:
        keys = [i.name for i in area.key_indicators if i.name in per_village]
        name = (keys or per_village)[0]
        ind = catalogue.indicator(area.name, name)
        figures.append(
            charts.village_bars(
                data.village_values[[name]],
                ind.unit,
                f"各村（社区）{name}",
                ind.kind,
                subtitle=view.period.label,
            )
        )
        figures.append(
            charts.village_heatmap(
                data.village_month[name],
                name,
                ind.unit,
                f"逐月{name}",
                subtitle=f"各村（社区） · {window_text(view)} · 单位：{ind.unit}",
            )
        )
    return figures


def area_header(
    context: shell.Context, area_name: str
) -> tuple[widgets.View, pagedata.AreaData] | None:
    """Title, period chooser, village filter, headline cards and the 未报 note of an area page."""
    area = context.catalogue.area(area_name)
    st.title(f"{area.icon} {area.name}")
    heading = st.empty()
    loaded = loaders.loaded_months(context)
    ended = bool(loaded) and area.span.end is not None and area.span.end < loaded[-1]
    if ended:
        st.info(
            f"{area.name}{area.span.rule}，此后不再填报，也不再列入侧边栏、总览和工作总结；"
            "以下为停止填报前的历史数据。",
            icon=":material/history:",
        )
    month_list = area.span.clip(loaded)
    if not month_list:
        st.warning("还没有任何数据。请在“数据上传”页上传月报工作簿。")
        return None
    # A finished area's months are not the other pages' months: its choice is kept apart.
    view = widgets.choose_view(context, month_list, "history" if ended else widgets.PERIOD_PREFIX)
    sharing.print_title(context, area.name, f"{view.period.label}（{view.scope}）", heading)
    previous, year_ago = view.period.previous(), view.period.year_ago()
    line = (
        f"统计期：**{view.period.label}**（{view.period.span}）　对比：上期 {previous.label}，"
        f"去年同期 {year_ago.label}　范围：{view.scope}"
    )
    if view.clipped:
        line += f"　（数据截至 {months.label(month_list[-1])}，按已有月份统计）"
    st.markdown(line)
    data = loaders.area_data(context, area.name, view)
    headline_cards(context, area, data, view)
    coverage_note(data.coverage, view)
    progress_section(data, view)
    return view, data


def area_body(
    context: shell.Context, area_name: str, view: widgets.View, data: pagedata.AreaData
) -> None:
    """Trend, per-village comparison, heatmap and the downloadable period table."""
    area = context.catalogue.area(area_name)
    trend_section(context, area, data, view)
    village_section(context, area, data, view)
    table_section(context, area, data, view)


def area_page(context: shell.Context, area_name: str) -> None:
    """The whole page of one work area, driven by its indicators in the catalogue."""
    shown = area_header(context, area_name)
    if shown is not None:
        area_body(context, area_name, *shown)


def ended_areas(context: shell.Context, latest: str) -> None:
    """Areas whose work ended before `latest`: gone from the sidebar, their history one click
    away (数据管理 shows every version of their sheets as of any other)."""
    ended = context.catalogue.ended_areas(latest)
    if not ended:
        return
    st.caption(
        "已停止填报的领域（不再列入侧边栏、总览和工作总结，历史数据仍保留，下面可查看各版本）："
        + "、".join(f"{a.name}（{a.span.rule}）" for a in ended)
    )
    for area in ended:
        shell.page_link(
            registry.area_page(area.name), f"查看{area.name}历史数据", ":material/history:"
        )
