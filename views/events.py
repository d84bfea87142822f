"""The 大事记 page's layout: the list of events, a form to add one, delete, import a sheet."""

from __future__ import annotations

import datetime as dt
import functools

import streamlit as st

from township_data import downloads, events, months, roles
from township_data.errors import TownshipError
from township_data.workbook.events import read_events
from views import editors, loaders, shell

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DONE = "events_done"


def _done(message: str, error: bool = False) -> None:
    st.session_state[DONE] = (message, error)
    st.rerun()


def event_table(context: shell.Context) -> None:
    """Every event, filtered by year and area, with an .xlsx download."""
    found = loaders.events(context)
    if found.empty:
        st.info("还没有记录任何大事记。", icon=":material/info:")
        return
    years = sorted({d[:4] for d in found["date"]}, reverse=True)
    left, right = st.columns([1, 2])
    year = left.selectbox(
        "年份",
        ["全部", *years],
        format_func=lambda y: y if y == "全部" else f"{y}年",
        key="ev_year",
    )
    areas = right.multiselect(
        "领域",
        [*context.catalogue.area_names, events.GENERAL],
        key="ev_areas",
        placeholder="全部领域",
    )
    if year != "全部":
        found = found[found["date"].str.startswith(year)]
    if areas:
        found = found[found["area"].isin(areas)]
    shown = events.table(found)
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        height=min(600, 35 * (len(shown) + 1) + 3),
        key="ev_table",
    )
    name = f"{context.catalogue.township_name}大事记"
    st.download_button(
        "下载大事记（.xlsx）",
        data=functools.partial(downloads.to_xlsx, shown, name, "大事记"),
        file_name=f"{name}.xlsx",
        mime=XLSX,
        on_click="ignore",
        icon=":material/download:",
        key="ev_download",
    )


def add_form(context: shell.Context, latest: str) -> None:
    """One event typed in: date, area, villages, kind and one line of text."""
    catalogue = context.catalogue
    with st.form("ev_add", border=True):
        st.markdown("**记录一件大事**")
        first, second, third = st.columns(3)
        year, month = (int(x) for x in latest.split("-"))
        day = first.date_input("日期", value=dt.date(year, month, 1), key="ev_date")
        area = second.selectbox(
            "领域", [*(a.name for a in catalogue.areas_at(latest)), events.GENERAL], key="ev_area"
        )
        kind = third.selectbox("类别", catalogue.event_kinds, key="ev_kind")
        villages = st.multiselect(
            "村（社区）", catalogue.village_names, key="ev_villages", placeholder="全镇（不选）"
        )
        title = st.text_input(
            "事件（一句话）",
            max_chars=events.MAX_TITLE,
            key="ev_title",
            placeholder="如：强降雨引发山洪，转移受威胁群众 120 人",
        )
        submitted = st.form_submit_button("保存", type="primary", icon=":material/add:")
    if not submitted:
        return
    try:
        found = events.make_event(catalogue, day, area, kind, title, villages)
        added = context.store.add_events(
            [found], editors.editor_for_change(context, roles.EVENTS), events.PAGE_SOURCE
        )
    except (events.EventError, TownshipError) as exc:
        _done(str(exc) if isinstance(exc, events.EventError) else exc.title, error=True)
        return
    _done(f"已记录：{found.line}" if added else "这件事已经记录过了，未重复保存。")


def delete_form(context: shell.Context) -> None:
    found = loaders.events(context)
    if found.empty:
        return
    lines = {
        int(row.id): events.from_frame(found.iloc[[i]])[0].line
        for i, row in enumerate(found.itertuples(index=False))
    }
    with st.form("ev_delete", border=True):
        st.markdown("**删除一条记错的大事记**")
        chosen = st.selectbox("大事记", list(lines)[::-1], format_func=lines.get, key="ev_pick")
        submitted = st.form_submit_button("删除", icon=":material/delete:")
    if submitted:
        try:
            editors.editor_for_change(context, roles.EVENTS)
            context.store.delete_event(chosen)
        except TownshipError as exc:
            _done("；".join(str(p) for p in exc.problems) or exc.title, error=True)
            return
        _done(f"已删除：{lines[chosen]}")


def import_sheet(context: shell.Context) -> None:
    """The 大事记 sheet of a workbook (the monthly template has one), checked, then kept."""
    st.markdown("**从工作簿导入**（月报工作簿中的“大事记”表，或只有这一张表的工作簿）")
    upload = st.file_uploader(
        "工作簿", type=["xlsx"], key="ev_upload", label_visibility="collapsed"
    )
    if upload is None:
        return
    try:
        found = read_events(upload.getvalue(), upload.name, context.catalogue)
    except TownshipError as exc:
        st.error(exc.title)
        st.markdown("\n".join(f"- {p}" for p in exc.problems))
        return
    st.markdown("\n".join(f"- {e.line}" for e in found))
    if st.button(f"导入这 {len(found)} 件", type="primary", key="ev_import"):
        try:
            added = context.store.add_events(
                found, editors.editor_for_change(context, roles.EVENTS), upload.name
            )
        except TownshipError as exc:
            _done(exc.title, error=True)
            return
        _done(f"已导入 {added} 件大事记" + ("（其余已记录过）" if added < len(found) else "。"))


def events_page(context: shell.Context) -> None:
    st.title("大事记")
    st.caption(
        "记录防汛抢险、表彰大会、上级检查等事件：显示在该领域的趋势图和总览上，并用于工作总结中"
        "与事件有关的句子（如有防汛抢险才写防汛的句子）。也可在月报工作簿的“大事记”表中填写。"
    )
    done = st.session_state.pop(DONE, None)
    if done:
        (st.error if done[1] else st.success)(done[0])
    event_table(context)
    loaded = loaders.loaded_months(context)
    latest = loaded[-1] if loaded else months.this_month()
    st.subheader("记录和修改")
    if editors.editor_gate(context, "events", roles.EVENTS) is None:
        return
    add_form(context, latest)
    delete_form(context)
    import_sheet(context)
