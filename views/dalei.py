"""The 打擂 page's layout: the period and N, the ranked table and its files, the quarter's
meeting, warnings, why a village moved, and the township's months at a glance."""

from __future__ import annotations

import functools

import pandas as pd
import streamlit as st

from township_data import bulletin, charts, formatting, months, pagedata, ranking

from . import loaders, sharing, shell, widgets

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def choose(context: shell.Context, scores: pd.DataFrame) -> tuple[bool, str, int, int]:
    """Month or quarter, which one, and the sizes of 红榜 and 黑榜 (a trial, not a setting)."""
    contest = context.catalogue.contest
    month_list = ranking.scored_months(scores)
    village_count = len(ranking.village_order(scores, context.catalogue))
    pick = st.columns([1.2, 1.4, 1, 1])
    by_quarter = (
        pick[0].radio("排名周期", ["按月", "按季度"], horizontal=True, key="dalei_mode") == "按季度"
    )
    if by_quarter:
        period = pick[1].selectbox(
            "季度",
            ranking.scored_quarters(scores)[::-1],
            format_func=months.quarter_label,
            key="dalei_quarter",
        )
    else:
        period = pick[1].selectbox(
            "月份", month_list[::-1], format_func=months.label, key="dalei_month"
        )
    top_n = int(
        pick[2].number_input(
            "红榜人数（前 N 名）", 1, village_count, contest.red_n, key="dalei_top_n"
        )
    )
    bottom_n = int(
        pick[3].number_input(
            "黑榜人数（后 N 名）", 1, village_count, contest.black_n, key="dalei_bottom_n"
        )
    )
    if (top_n, bottom_n) != (contest.red_n, contest.black_n):
        st.caption(
            f"正在试算：红榜 {top_n} 名、黑榜 {bottom_n} 名（设置为 {contest.red_n} 名、"
            f"{contest.black_n} 名）。只影响本页的查看和下载。"
        )
    return by_quarter, period, top_n, bottom_n


def ranking_section(context: shell.Context, view: pagedata.ContestView, scores) -> None:
    """The figures, the ranked table and its downloads, and the sharing buttons."""
    catalogue, result = context.catalogue, view.result
    figures = st.columns(4)
    unscored = f"，{len(result.unscored)} 个未报" if result.unscored else ""
    figures[0].metric("参评村（社区）", f"{len(result.ranked)} 个{unscored}")
    figures[1].metric("全镇平均分", formatting.number(result.average, "分", 2, fixed=True))
    figures[2].metric("第一名", "、".join(result.leaders))
    figures[3].metric("红榜 / 黑榜", f"{len(result.red)} 个 / {len(result.black)} 个")

    st.subheader(f"{result.label}排名")
    shown = ranking.display_table(result.table, result.digits, result.fewer_months)
    st.dataframe(
        ranking.style_table(shown),
        hide_index=True,
        width="stretch",
        height=38 + 35 * len(shown),
        column_config={
            ranking.RANK: st.column_config.TextColumn(pinned=True, width="small"),
            ranking.VILLAGE: st.column_config.TextColumn(pinned=True, width="medium"),
        },
        key="dalei_table",
    )
    st.caption(" ".join(result.notes))
    files = st.columns([1, 1, 2])
    files[0].download_button(
        "下载排名表（Excel）",
        functools.partial(ranking.to_xlsx, result, catalogue),
        file_name=ranking.file_name(result, catalogue, ".xlsx"),
        mime=XLSX,
        key="dalei_xlsx",
        on_click="ignore",
        icon=":material/download:",
    )
    files[1].download_button(
        "下载排名表（CSV）",
        functools.partial(ranking.to_csv, result),
        file_name=ranking.file_name(result, catalogue, ".csv"),
        mime="text/csv",
        key="dalei_csv",
        on_click="ignore",
        icon=":material/download:",
    )
    sharing.contest(context, result, view.notices, scores)


def meeting_section(
    context: shell.Context,
    view: pagedata.ContestView,
    scores,
    period: str,
    top_n: int,
    bottom_n: int,
) -> None:
    """A quarter's 表彰大会: who speaks, and the 通报 draft."""
    catalogue, result = context.catalogue, view.result
    st.subheader("季度表彰大会发言名单")
    speak = st.columns(2)
    with speak[0].container(border=True):
        st.markdown(f"**经验交流（{ranking.RED}，前 {top_n} 名）**")
        st.markdown("\n".join(f"- {v}" for v in result.red))
    with speak[1].container(border=True):
        st.markdown(f"**表态发言（{ranking.BLACK}，后 {bottom_n} 名）**")
        st.markdown("\n".join(f"- {v}" for v in result.black))
    with st.expander(f"{bulletin.title(catalogue, period)}（草稿预览）"):
        st.text(bulletin.text(view.bulletin))
    st.download_button(
        "下载季度通报草稿（Word）",
        functools.partial(bulletin.to_docx, scores, catalogue, result),
        file_name=bulletin.file_name(catalogue, period),
        mime=DOCX,
        key="dalei_docx",
        on_click="ignore",
        icon=":material/description:",
    )


def notices_section(view: pagedata.ContestView) -> None:
    st.subheader("预警与表扬")
    for notice in view.notices:
        if notice.kind == "warning":
            st.warning(notice.text, icon=":material/warning:")
        else:
            st.success(notice.text, icon=":material/military_tech:")
    if not view.notices:
        st.caption("本期没有需要提示的连续黑榜、连续第一或名次大幅上升。")


def movement_section(
    context: shell.Context, scores: pd.DataFrame, by_quarter: bool, period: str
) -> str:
    """Why a chosen village moved in the period's last scored month; that month."""
    catalogue = context.catalogue
    month_list = ranking.scored_months(scores)
    st.subheader("名次变化原因")
    inside = [m for m in month_list if months.quarter_of(m) == period] if by_quarter else [period]
    at = inside[-1]
    if by_quarter:
        st.caption(f"按季度查看时，比较本季度最后一个评分月（{months.label(at)}）与上月。")
    village = st.selectbox(
        "选择村（社区）", ranking.village_order(scores, catalogue), key="dalei_village"
    )
    moved, path = loaders.contest_village(context, village, at)
    st.markdown(moved.summary)
    if not moved.items.empty:
        st.dataframe(
            ranking.movement_display(moved), hide_index=True, width="stretch", key="dalei_items"
        )
    village_count = len(ranking.village_order(scores, catalogue))
    widgets.plot(
        context,
        "dalei_trajectory",
        (village,),
        lambda: charts.contest_trajectory(path, village, village_count),
    )
    return at


def overview_section(context: shell.Context, scores: pd.DataFrame, at: str) -> None:
    """Score distribution, the township's average and every village's rank, month by month."""
    st.subheader("全镇概览")
    show_all = st.toggle("显示全部月份", value=False, key="dalei_all_months")
    shown_months = [m for m in ranking.scored_months(scores) if m <= at]
    if not show_all:
        shown_months = [m for m in shown_months if m > months.shift(at, -12)]
    span = months.period_label(shown_months[0], shown_months[-1])
    shown = (tuple(shown_months),)

    def recent() -> pd.DataFrame:
        return scores[scores["month"].isin(shown_months)]

    tabs = st.tabs(["总分分布", "全镇平均分", "名次热力图"])
    with tabs[0]:
        widgets.plot(
            context,
            "dalei_distribution",
            shown,
            lambda: charts.contest_distribution(recent(), "各月总分分布", span),
        )
    with tabs[1]:
        widgets.plot(
            context,
            "dalei_average",
            shown,
            lambda: charts.contest_average(ranking.month_summary(recent()), "全镇打擂平均分", span),
        )
    with tabs[2]:
        widgets.plot(
            context,
            "dalei_heatmap",
            shown,
            lambda: charts.contest_rank_heatmap(
                ranking.monthly_ranks(recent(), context.catalogue, by_latest=True),
                "各村（社区）逐月名次",
                f"{span}，按{months.label(shown_months[-1])}名次排列",
            ),
        )
