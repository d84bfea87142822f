"""数据上传: template download, upload, every error at once, preview with warnings, confirm."""

import functools

import streamlit as st

from township_data import changes, downloads, months
from township_data.store import summarise_slices
from views import changes as changes_view
from views import editors, loaders, registry, shell

context = shell.setup(__file__)
catalogue = context.catalogue

with shell.guard():
    st.title("数据上传")
    st.caption(
        "上传各月的月报工作簿：系统逐格校验，全部无误并经您确认后才保存。每次导入都保留版本，"
        "可在“数据管理”页查看和恢复。"
    )

    st.subheader("1. 下载空白模板")
    choices = months.recent(37)
    left, right = st.columns([1, 2], vertical_alignment="bottom")
    template_month = left.selectbox(
        "模板月份", choices, index=1, format_func=months.label, key="upload_template_month"
    )
    right.download_button(
        "下载空白月报模板（.xlsx）",
        # Written only when clicked: a county's template is 500 villages on every sheet.
        data=functools.partial(loaders.template_bytes, context, template_month),
        file_name=f"{catalogue.township_name}{months.label(template_month)}月报模板.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        on_click="ignore",
        icon=":material/download:",
        key="upload_template_download",
    )
    st.caption(
        "模板已预填村（社区）名单和月份，每个工作领域一个工作表；“填表说明”页写明了填报规则。"
    )

    st.subheader("2. 上传月报")
    user = editors.editor_gate(context, "upload")
    done = st.session_state.pop("upload_done", None)
    if done:
        for line in done["stored"]:
            st.success(line, icon=":material/check_circle:")
        for line in done["unchanged"]:
            st.info(line, icon=":material/info:")
        if done.get("error"):
            st.error(done["error"])
        for area in done["areas"]:
            shell.page_link(registry.area_page(area), f"查看{area}", catalogue.area(area).icon)
    if user is None:
        st.stop()

    month_column, _ = st.columns([1, 1])
    form_month = (
        month_column.selectbox(
            "表中没有“月份”列（或月份为空）时，数据属于",
            ["", *choices],
            format_func=lambda m: months.label(m) if m else "按表中“月份”列",
            key="upload_month",
        )
        or None
    )
    generation = st.session_state.setdefault("upload_generation", 0)
    files = st.file_uploader(
        "选择月报工作簿（.xlsx，可一次选多个）",
        type=["xlsx"],
        accept_multiple_files=True,
        key=f"upload_files_{generation}",
        help="单个文件最大 20 MB。文件名可以是中文。",
    )
    if not files:
        st.stop()

    parsed, problems = loaders.read_uploads(context, files, form_month)
    if problems:
        st.session_state.pop("upload_preview", None)
        st.error(
            f"发现 {len(problems)} 处问题，**没有导入任何数据**。请按下表逐项改正后重新上传"
            "（单元格位置即 Excel 中的列字母和行号）。",
            icon=":material/block:",
        )
        table = changes.problem_table(problems)
        st.dataframe(table, hide_index=True, width="stretch", key="upload_problems")
        st.download_button(
            "下载问题清单（.xlsx）",
            data=downloads.to_xlsx(table, "月报校验问题清单", sheet_name="问题清单"),
            file_name="月报校验问题清单.xlsx",
            on_click="ignore",
            key="upload_problems_download",
        )
        st.stop()

    inputs = (tuple((p.file_name, p.sha256) for p in parsed), form_month)
    pending = st.session_state.get("upload_preview")
    if st.session_state.pop("upload_confirmed", False) and pending and pending[0] == inputs:
        preview = pending[1]
        if preview.revision != context.revision:
            st.warning(
                "预览之后数据已被他人更新，本次没有保存。下面是按最新数据重新计算的预览，"
                "请核对后再确认。",
                icon=":material/sync_problem:",
            )
        else:
            recorded = editors.editor_for_change()
            bar = st.progress(0.0, text=f"正在导入 {len(parsed)} 个文件……")
            outcome = changes.import_all(
                context.store,
                parsed,
                recorded,
                preview.revision,
                lambda i, n, _: bar.progress(i / n, text=f"已导入 {i} / {n} 个文件"),
            )
            st.session_state["upload_done"] = {
                "stored": [changes.result_line(r) for r in outcome.stored],
                "unchanged": [r.message for r in outcome.results if not r.changed],
                "error": str(outcome.error) if outcome.error else "",
                "areas": sorted(
                    {a for r in outcome.stored for a, _ in r.slices},
                    key=catalogue.sheet_names.index,
                ),
            }
            st.session_state.pop("upload_preview", None)
            if not outcome.error:
                st.session_state["upload_generation"] = generation + 1
            st.rerun()

    if pending is None or pending[0] != inputs or pending[1].revision != context.revision:
        with st.spinner("正在比较上传的数据与当前数据……"):
            pending = (inputs, changes.preview_import(context.store, parsed, catalogue))
        st.session_state["upload_preview"] = pending
    preview = pending[1]

    total = sum(len(p.values) for p in parsed)
    st.success(
        f"校验通过：{len(parsed)} 个文件，共 {total:,} 个数值。以下是导入后将发生的变化，"
        "确认无误后点击“确认导入”。",
        icon=":material/task_alt:",
    )
    files_table = {
        "文件": [p.file_name for p in parsed],
        "领域和月份": [summarise_slices(p.slices) for p in parsed],
        "数值条数": [f"{len(p.values):,}" for p in parsed],
    }
    st.dataframe(files_table, hide_index=True, width="stretch", key="upload_files_table")
    for note in preview.notes:
        st.caption(f"说明：{note}")

    changes_view.show_preview(preview, catalogue, "upload")
    if preview.changes_anything:
        st.button(
            "确认导入",
            type="primary",
            icon=":material/upload:",
            key="upload_confirm",
            on_click=st.session_state.__setitem__,
            args=("upload_confirmed", True),
        )
        st.caption(
            f"预览基于第 {preview.revision} 次更新后的数据；确认时如数据已变化，会重新预览。"
        )
    else:
        st.info("上传的数据与当前数据完全相同，无需导入。", icon=":material/info:")
