"""The 工作总结 page's layout: period, summary, downloads, the text, its sources, the words.

The report itself is township_data.report; this module only draws it. The period picker is the
shared one (months.PERIOD_KINDS, its report kinds) with the report's own remembered choice.
"""

from __future__ import annotations

from functools import partial

import streamlit as st

from township_data import months, report, roles
from views import editors, loaders, shell, widgets

SAVE_REQUEST = "report_save_request"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _request_save(first: str, last: str) -> None:
    """Form callback: only marks the request; the save runs inside shell.guard()."""
    st.session_state[SAVE_REQUEST] = (first, last)


def _text_key(index: int, period: months.Period) -> str:
    return f"report_text_{index}_{period.first}_{period.last}"


def save_if_requested(context: shell.Context, work: report.Report) -> bool:
    """Store the typed words when this period's form was submitted; whether it was."""
    period = months.Period(work.first, work.last)
    if st.session_state.pop(SAVE_REQUEST, None) != (period.first, period.last):
        return False
    editor = editors.editor_for_change(context, roles.TEXTS)
    for index, slot in enumerate(work.template.slots):
        typed = st.session_state.get(_text_key(index, period), "")
        context.store.save_report_text(
            period.first, period.last, slot.name, report.normalise_text(typed), editor
        )
    return True


def summary(work: report.Report, texts: dict[str, str]) -> None:
    counted, missing, partial_figures = work.counted(), work.missing(), work.partial()
    span = (
        ""
        if work.first == work.last
        else f"（{months.label(work.first)}至{months.label(work.last)}）"
    )
    st.markdown(
        f"**{work.period_name}**{span}：共 **{len(counted)}** 个数字，未报 **{len(missing)}** 个，"
        f"部分村（社区）或月份未填报 **{len(partial_figures)}** 个；"
        f"待填写的文字 **{len(work.pending(texts))}** 处。"
    )
    st.caption(
        "未报：本期没有任何数据，文中显示为【未报】，不按 0 计。"
        "部分未填报：有村（社区）或月份没有填，按已填报的数计算，详见“数字来源”。"
        "为 0 的工作和本期没有发生的事件不写入报告。"
    )


def download_buttons(context: shell.Context, work: report.Report, texts: dict[str, str]) -> None:
    left, right, _ = st.columns([1, 1, 2])
    left.download_button(
        "下载 Word 文档（.docx）",
        data=partial(work.docx, texts),
        file_name=f"{work.file_stem}.docx",
        mime=DOCX,
        on_click="ignore",
        icon=":material/description:",
        key="report_docx",
        width="stretch",
    )
    right.download_button(
        "下载 Markdown（.md）",
        # Its table names every figure's source cells: read them only when clicked.
        data=lambda: report.attach_sources(work, context.store, context.catalogue).markdown(texts),
        file_name=f"{work.file_stem}.md",
        mime="text/markdown",
        on_click="ignore",
        icon=":material/download:",
        key="report_md",
        width="stretch",
    )


def full_text(work: report.Report, texts: dict[str, str]) -> None:
    missing, partial_figures = work.missing(), work.partial()
    if missing:
        st.warning(
            f"本期有 {len(missing)} 个数字没有数据，文中显示为{report.MISSING}（不按 0 计），"
            "清单见文末。",
            icon=":material/warning:",
        )
    with st.container(border=True):
        for rendered in work.render(texts):
            st.markdown(work.html(rendered), unsafe_allow_html=True)
        for line in work.appendix(texts):
            st.caption(line)
    if partial_figures:
        with st.expander(
            f"{len(partial_figures)} 个数字有村（社区）或月份未填报，按已填报的数计算"
        ):
            st.markdown(
                "\n".join(f"- **{f.label}**：{'；'.join(f.notes)}" for f in partial_figures)
            )


def sources(context: shell.Context, work: report.Report) -> None:
    """A paragraph's figures, each with its method and, when opened, its cells."""
    named = work.source_paragraphs()
    chooser, toggle = st.columns([2, 1], vertical_alignment="bottom")
    chosen = chooser.selectbox(
        "段落",
        [-1, *named],
        index=1 if named else 0,
        format_func=lambda i: named.get(i, "全部段落"),
        key="report_source_paragraph",
    )
    flagged_only = toggle.toggle("只看未报和部分未填报的", key="report_flagged_only")
    st.caption(
        "点开一个数字，可看到它的计算方法、来源文件（版本）、工作表和单元格；"
        "也列出只用于判断是否写入某句话的数字。"
    )
    for p_index, name in named.items():
        if chosen not in (-1, p_index):
            continue
        figures = [
            (f_index, fig)
            for f_index, fig in enumerate(work.paragraph_figures(p_index))
            if not flagged_only or fig.missing or fig.partial
        ]
        if not figures:
            continue
        summaries = loaders.show_sources(context, work, [fig.key for _, fig in figures])
        st.markdown(f"**{name}**")
        for f_index, fig in figures:
            icon = (
                ":material/error:"
                if fig.missing
                else (":material/warning:" if fig.partial else None)
            )
            with st.expander(
                f"{fig.label}：{fig.text}",
                icon=icon,
                key=f"report_fig_{p_index}_{f_index}",
                on_change="rerun",
            ) as box:
                st.markdown(f"**计算方法**：{fig.explanation}")
                st.markdown(f"**来源**：{summaries[fig.key] or '—'}")
                if box.open and fig.sources is not None and not fig.sources.empty:
                    st.dataframe(fig.source_table(), hide_index=True, width="stretch")


def words(context: shell.Context, work: report.Report, texts: dict[str, str], saved: bool) -> None:
    """This period's 存在不足 and 下步工作重点, each beside what the period before said."""
    period = months.Period(work.first, work.last)
    before, earlier = report.previous_texts(context.store, period.first, period.last)
    if editors.editor_gate(context, "report", roles.TEXTS, notice=False) is None:
        return
    if saved:
        st.success(f"已保存{work.period_name}的文字部分，报告全文和下载文件已更新。")
    with st.form(key=f"report_form_{period.first}_{period.last}", border=False):
        for index, slot in enumerate(work.template.slots):
            st.markdown(f"**{slot.name}**")
            mine, theirs = st.columns(2)
            mine.text_area(
                slot.name,
                value=texts.get(slot.name, ""),
                placeholder=slot.hint,
                height=220,
                key=_text_key(index, period),
                label_visibility="collapsed",
            )
            with theirs, st.container(border=True, height=220):
                st.caption(f"上一期（{before.label}）写的{slot.name}")
                lines = report.free_paragraphs(earlier.get(slot.name, ""))
                st.markdown("\n\n".join(lines) if lines else "（上一期没有填写）")
        st.form_submit_button(
            f"保存（{work.period_name}）",
            type="primary",
            on_click=_request_save,
            args=(period.first, period.last),
        )
    st.caption(
        "文字按期间保存：每个期间的存在不足、下步工作重点各自保存，换期间不会互相覆盖。每行为一段。"
        "右边是上一期（同样长度的前一期；没有时为最近一次填写的期间）写的内容，供对照。"
    )


def report_page(context: shell.Context) -> None:
    """The whole 工作总结 page."""
    st.title("工作总结")
    st.caption(
        "按所选期间，由各村（社区）月报数据和大事记自动填写工作开展情况；每个数字都可查看计算方法"
        "和来源单元格。措辞和写入条件在模板文件 report_template.md 中修改。"
    )
    loaded = loaders.loaded_months(context)
    if not loaded:
        st.warning("还没有任何数据。请先在“数据上传”页上传月报工作簿。")
        return
    chosen, _ = widgets.period_chooser(loaded, months.REPORT_KINDS, "report", "报告期间")
    work = loaders.work_report(context, chosen.first, chosen.last)
    saved = save_if_requested(context, work)
    texts = report.saved_texts(context.store, chosen.first, chosen.last)
    summary(work, texts)
    download_buttons(context, work, texts)
    read_tab, source_tab, edit_tab = st.tabs(
        [
            ":material/article: 报告全文",
            ":material/search: 数字来源",
            ":material/edit: 填写文字部分",
        ]
    )
    with read_tab:
        full_text(work, texts)
    with source_tab:
        sources(context, work)
    with edit_tab:
        words(context, work, texts, saved)
