"""The leaders' overview (总览): what needs attention and every area since January."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from township_data import config, formatting, metrics, months, pagedata, ranking
from views import loaders, registry, shell
from views.area import compare_text, tone


def _area_link(area: str, label: str) -> None:
    shell.page_link(registry.area_page(area), label)


def attention(context: shell.Context, data: pagedata.OverviewData, month_list: list[str]) -> None:
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
        shell.page_link(registry.PROGRESS, "查看报送进度和催报", query_params={"month": latest})
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
    return f":{tone(relative, better)}[{arrow} {relative.lstrip('+-')}]"


def area_cards(context: shell.Context, data: pagedata.OverviewData, month_list: list[str]) -> None:
    """Per work area its key figures since January against the same months last year."""
    period = months.year_to_date(month_list[-1])
    st.subheader(f"各领域年初以来（{period.label}）")
    st.caption(
        "计数类为 1 月以来累计，比率、存量类为最新月份数；箭头为与去年同期相比"
        "（绿色向好，红色向差，灰色不评价）。"
    )
    columns = st.columns(2)
    shown = [a for a in context.catalogue.areas if a.name in data.year_so_far]
    for i, area in enumerate(shown):
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


def contest_card(context: shell.Context) -> None:
    """The latest 打擂 month at a glance: 红榜 and 黑榜 with totals, and repeated 黑榜 warnings."""
    found = loaders.latest_contest(context)
    if found is None:
        return
    latest, streaks = found
    st.subheader(f"人居环境打擂（{latest.label}）")
    red_col, black_col = st.columns(2)
    for column, board, names, colour in (
        (red_col, ranking.RED, latest.red, "red"),
        (black_col, ranking.BLACK, latest.black, "gray"),
    ):
        with column, st.container(border=True):
            st.markdown(f"**:{colour}[{board}]**（{len(names)} 个）")
            lines = []
            for name in names:
                row = latest.row(name)
                total = formatting.number(row[ranking.TOTAL_SCORE], "分", fixed=True)
                lines.append(f"- 第 {int(row[ranking.RANK])} 名　{name}　{total}")
            st.markdown("\n".join(lines))
    if streaks:
        st.warning(
            "连续进入黑榜：" + "、".join(f"{name}（连续 {n} 个月）" for name, n in streaks.items()),
            icon=":material/warning:",
        )
    shell.page_link(registry.CONTEST, "查看打擂排名")


def events_card(context: shell.Context, data: pagedata.OverviewData, month_list: list[str]) -> None:
    """The latest month's 大事记: what happened, where, in which area."""
    latest = month_list[-1]
    st.subheader(f"{months.label(latest)}大事记")
    if not data.events:
        st.caption("本月没有记录大事记。可在“大事记”页记录防汛抢险、表彰大会、上级检查等事件。")
    else:
        st.markdown(
            "\n".join(
                f"- **{e.day_label}** {e.kind}（{e.area}"
                + (f"·{'、'.join(e.villages)}" if e.villages else "")
                + f"）：{e.title}"
                for e in data.events
            )
        )
    shell.page_link(registry.EVENTS, "查看大事记")
