"""The 报送进度 page's layout: the month, who has sent what (and when, from which file), who is
late, and the 催报 notice to copy into the villages' WeChat group."""

from __future__ import annotations

import datetime as dt
import functools

import streamlit as st

from township_data import changes, charts, downloads, metrics, months, progress

from . import loaders, shell

STATUS_CSS = {
    metrics.REPORTED: f"background-color: {charts.STATUS_COLOURS[metrics.REPORTED]}; color: white",
    metrics.PARTIAL: f"background-color: {charts.STATUS_COLOURS[metrics.PARTIAL]}",
    metrics.NOT_REPORTED: (
        f"background-color: {charts.STATUS_COLOURS[metrics.NOT_REPORTED]}; "
        "color: #B22222; font-weight: bold"
    ),
    metrics.NOT_APPLICABLE: "color: #999999",
    progress.OVERDUE_MISSING: "background-color: #B22222; color: white; font-weight: bold",
}


def today() -> dt.date:
    """Today in Beijing: the one place the page reads the clock (tests replace it)."""
    return changes.beijing(dt.datetime.now(dt.UTC)).date()


def cell_css(text: object) -> str:
    """A status cell's colours: by its status; late cells in bold (逾期未报 in red)."""
    text = str(text)
    status = text.removesuffix(progress.LATE_MARK)
    return STATUS_CSS.get(status, "") + ("; font-weight: bold" if status != text else "")


def choose_month(context: shell.Context, now: dt.date) -> str:
    """The month to follow: the one the link came with (?month=), else last month, the one
    being collected in the first days of this one."""
    loaded = loaders.loaded_months(context)
    choices = sorted({*months.recent(13, now), *loaded}, reverse=True)
    wanted = st.query_params.get("month", "")
    default = wanted if wanted in choices else months.shift(months.recent(1, now)[0], -1)
    return st.columns([1, 2])[0].selectbox(
        "月份",
        choices,
        index=choices.index(default),
        format_func=months.label,
        key="progress_month",
    )


def summary(context: shell.Context, found: progress.Progress) -> None:
    """The deadline and where the month stands, in numbers."""
    catalogue = context.catalogue
    due = progress.date_label(found.deadline)
    if found.past_deadline:
        when = f"已过截止日 {found.days_overdue} 天"
    elif found.days_left == 0:
        when = "今天截止"
    else:
        when = f"还有 {found.days_left} 天"
    st.markdown(
        f"**报送截止：{due}**（每月 {catalogue.deadline_day} 日前报送上月数据）· "
        f"今天 {progress.date_label(found.today)}，{when}"
    )
    counts = metrics.status_counts(found.status)
    cols = st.columns(4)
    cols[0].metric("已报（村×领域）", f"{counts[metrics.REPORTED]} 项")
    cols[1].metric("部分填报", f"{counts[metrics.PARTIAL]} 项")
    cols[2].metric("未报", f"{counts[metrics.NOT_REPORTED]} 项")
    cols[3].metric("逾期未报的村（社区）", f"{len(found.late_villages())} 个")


def matrix_section(context: shell.Context, found: progress.Progress) -> None:
    """Villages × areas, coloured, late cells framed in red; and its download."""
    catalogue = context.catalogue
    marked = found.marked()
    st.dataframe(
        marked.style.map(cell_css),
        width="stretch",
        height=38 + 35 * len(marked),
        key="progress_table",
    )
    st.caption(
        "已报：该行应填的指标都有数据；部分：只填了一部分；未报：没有任何数据；"
        "—：该行不需填报此领域（如只按村填报的领域的全镇行）。逾期未报：过了截止日仍未报送；"
        "已报·逾期、部分·逾期：截止日后才报送（按该村该领域最近一次导入的时间，天数见下方明细）。"
        "人居环境打擂由镇里评分，不计逾期。"
    )
    label = months.label(found.month)
    st.download_button(
        "下载报送情况（.xlsx）",
        data=functools.partial(
            downloads.to_xlsx,
            marked.reset_index(),
            f"{catalogue.township_name}{label}各村（社区）数据报送情况",
            sheet_name="报送情况",
        ),
        file_name=f"{catalogue.township_name}{label}报送情况.xlsx",
        on_click="ignore",
        key="progress_download",
    )


def details_section(found: progress.Progress) -> None:
    """When and from which file each village's figures of each area came."""
    st.subheader("报送时间和来源文件")
    st.dataframe(
        found.detail_table(),
        hide_index=True,
        width="stretch",
        height=400,
        key="progress_details",
    )
    st.caption(
        "报送时间为该村该领域当前数据中最近一次导入的时间（北京时间）；来源文件为那次导入的文件。"
    )


def chase_section(context: shell.Context, found: progress.Progress) -> None:
    """The 催报 notice, ready to copy (the code block's copy button)."""
    st.subheader("催报通知")
    text = found.chase_text(context.catalogue)
    if not text:
        st.success(
            f"{months.label(found.month)}各村（社区）均已报送齐全，无需催报。",
            icon=":material/task_alt:",
        )
        return
    st.caption("复制下面的文字（点右上角的复制按钮）发到村（社区）微信群；可先按需要修改。")
    st.code(text, language=None, wrap_lines=True)
