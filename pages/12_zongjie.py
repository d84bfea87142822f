"""工作总结: the report text for a chosen period, every figure traceable, free text editable."""

from functools import partial

import streamlit as st

from township_data import months, report, roles
from views import editors, loaders, shell

context = shell.setup(__file__)


def _request_save(first: str, last: str) -> None:
    """Form callback: only marks the request; the save runs inside shell.guard() below."""
    st.session_state["report_save_request"] = (first, last)


with shell.guard():
    st.title("工作总结")
    st.caption(
        "按所选期间，由各村（社区）月报数据自动填写工作开展情况；每个数字都可查看计算方法和来源单元格。"
        "措辞在模板文件 report_template.md 中修改。"
    )
    loaded = loaders.loaded_months(context)
    if not loaded:
        st.warning("还没有任何数据。请先在“数据上传”页上传月报工作簿。")
        st.stop()
    years = sorted({int(m[:4]) for m in loaded})
    latest = loaded[-1]

    c1, c2, c3 = st.columns([4, 1, 2])
    kind = c1.radio("报告期间", report.PERIOD_KINDS, horizontal=True, key="report_kind")
    year = years[-1]
    if kind != "自选月份":
        year = c2.selectbox(
            "年份", years, index=len(years) - 1, format_func=lambda y: f"{y}年", key="report_year"
        )
    quarter, upto, chosen = 1, 12, (None, None)
    if kind == "季度":
        quarter = c3.selectbox(
            "季度",
            [1, 2, 3, 4],
            format_func=lambda q: months.QUARTER_NAMES[q],
            key="report_quarter",
        )
    elif kind == "年初以来":
        default = int(latest[5:]) if latest.startswith(str(year)) else 12
        upto = c3.selectbox(
            "截至",
            range(1, 13),
            index=default - 1,
            format_func=lambda m: f"{m}月",
            key="report_upto",
        )
    elif kind == "自选月份":
        a, b = c3.columns(2)
        chosen = (
            a.selectbox("起始月份", loaded, format_func=months.label, key="report_from"),
            b.selectbox(
                "结束月份",
                loaded,
                index=len(loaded) - 1,
                format_func=months.label,
                key="report_to",
            ),
        )
    first, last = report.period(kind, year, quarter, upto, *chosen)

    work = loaders.work_report(context, first, last)
    slots = work.template.slots
    saved_now = st.session_state.pop("report_save_request", None) == (first, last)
    if saved_now:
        editor = editors.editor_for_change(context, roles.TEXTS)
        for index, slot in enumerate(slots):
            typed = st.session_state.get(f"report_text_{index}_{first}_{last}", "")
            context.store.save_report_text(
                first, last, slot.name, report.normalise_text(typed), editor
            )
    texts = report.saved_texts(context.store, first, last)

    counted, missing, partial_figures = work.counted(), work.missing(), work.partial()
    pending = work.pending(texts)
    st.markdown(
        f"**{work.period_name}**"
        + ("" if first == last else f"（{months.label(first)}至{months.label(last)}）")
        + "："
        f"共 **{len(counted)}** 个数字，未报 **{len(missing)}** 个，"
        f"部分村（社区）或月份未填报 **{len(partial_figures)}** 个；"
        f"待填写的文字 **{len(pending)}** 处。"
    )
    st.caption(
        "未报：本期没有任何数据，文中显示为【未报】，不按 0 计。"
        "部分未填报：有村（社区）或月份没有填，按已填报的数计算，详见“数字来源”。"
    )
    d1, d2, _ = st.columns([1, 1, 2])
    d1.download_button(
        "下载 Word 文档（.docx）",
        data=partial(work.docx, texts),
        file_name=f"{work.file_stem}.docx",
        mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        on_click="ignore",
        icon=":material/description:",
        key="report_docx",
        width="stretch",
    )
    d2.download_button(
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

    read_tab, source_tab, edit_tab = st.tabs(
        [
            ":material/article: 报告全文",
            ":material/search: 数字来源",
            ":material/edit: 填写文字部分",
        ]
    )

    with read_tab:
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

    with source_tab:
        named = {
            i: p.name for i, p in enumerate(work.template.paragraphs) if work.paragraph_figures(i)
        }
        s1, s2 = st.columns([2, 1], vertical_alignment="bottom")
        chosen_paragraphs = s1.selectbox(
            "段落",
            [-1, *named],
            index=1 if named else 0,
            format_func=lambda i: named.get(i, "全部段落"),
            key="report_source_paragraph",
        )
        flagged_only = s2.toggle("只看未报和部分未填报的", key="report_flagged_only")
        st.caption("点开一个数字，可看到它的计算方法、来源文件（版本）、工作表和单元格。")
        for p_index, name in named.items():
            if chosen_paragraphs not in (-1, p_index):
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
                    if box.open and not fig.sources.empty:
                        st.dataframe(fig.source_table(), hide_index=True, width="stretch")

    with edit_tab:
        if editors.editor_gate(context, "report", roles.TEXTS, notice=False) is None:
            st.stop()
        if saved_now:
            st.success(f"已保存{work.period_name}的文字部分，报告全文和下载文件已更新。")
        with st.form(key=f"report_form_{first}_{last}", border=False):
            for index, slot in enumerate(slots):
                st.markdown(f"**{slot.name}**")
                st.text_area(
                    slot.name,
                    value=texts.get(slot.name, ""),
                    placeholder=slot.hint,
                    height=200,
                    key=f"report_text_{index}_{first}_{last}",
                    label_visibility="collapsed",
                )
            st.form_submit_button(
                f"保存（{work.period_name}）",
                type="primary",
                on_click=_request_save,
                args=(first, last),
            )
        st.caption(
            "文字按期间保存：每个期间的存在不足、下步工作重点各自保存，换期间不会互相覆盖。每行为一段。"
        )
