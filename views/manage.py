"""The 数据管理 page's layout: every import, any version's values, restore."""

from __future__ import annotations

import functools

import pandas as pd
import streamlit as st

from township_data import changes, downloads, exports, months, roles
from township_data.errors import StoreError

from . import changes as changes_view
from . import confirm, editors, loaders, shell


def history_tab(context: shell.Context, history: pd.DataFrame) -> None:
    """Every import and restore, newest first, with a download."""
    catalogue = context.catalogue
    table = loaders.history_table(context)
    st.caption(f"共 {len(table)} 次导入或恢复，最新的在最上面。时间为北京时间。")
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        key="manage_history_table",
        column_config={
            "领域和月份": st.column_config.TextColumn(width="medium"),
            "SHA-256": st.column_config.TextColumn(width="medium"),
        },
    )
    st.download_button(
        "下载导入记录（.xlsx）",
        data=functools.partial(
            downloads.to_xlsx, table, f"{catalogue.township_name}数据导入记录", "导入记录"
        ),
        file_name=f"{catalogue.township_name}数据导入记录.xlsx",
        on_click="ignore",
        key="manage_history_download",
    )


def version_tab(context: shell.Context, history: pd.DataFrame) -> None:
    """One version: its record, its values sheet by sheet, a download, and restoring it."""
    catalogue = context.catalogue
    labels = {int(row["id"]): changes.version_label(row) for _, row in history.iterrows()}
    version_id = st.selectbox(
        "选择版本", list(labels), format_func=labels.get, key="manage_version"
    )
    record = history[history["id"] == version_id].iloc[0]
    st.markdown(
        f"**{changes.action_label(record['action'], record['restored_from'])}** · "
        f"{changes.local_time(record['created_at'])}（北京时间） · 操作人：{record['created_by']}  \n"
        f"文件：{record['file_name']}  \n"
        f"SHA-256：`{record['sha256'] or '—'}`  \n"
        f"内容：{record['summary']}"
    )
    slices = sorted(
        loaders.version_slices(context, version_id),
        key=lambda s: (catalogue.sheet_names.index(s[0]), s[1]),
    )
    chosen = st.selectbox(
        "查看该版本的工作表",
        slices,
        format_func=lambda s: f"{s[0]} · {months.label(s[1])}",
        key="manage_version_slice",
    )
    st.dataframe(
        loaders.version_sheet(context, version_id, *chosen),
        hide_index=True,
        width="stretch",
        key="manage_version_values",
    )
    st.download_button(
        "下载该版本全部数值（.xlsx）",
        # Read and built only when clicked: a back-fill version holds tens of thousands of
        # values, which the page itself shows one sheet at a time.
        data=lambda: exports.version_workbook(
            context.store.version_values(version_id), catalogue, version_id, record["file_name"]
        ),
        file_name=f"版本{version_id}数值.xlsx",
        on_click="ignore",
        key="manage_version_download",
    )
    st.caption(
        "下载的工作簿与月报模板格式相同（每个领域一个工作表），改正后可直接在“数据上传”页重新上传；"
        "“来源”工作表列出每个数值来自哪个文件的哪个单元格。"
    )
    restore_section(context, version_id)


def _restore(context: shell.Context, version_id: int, preview: changes.Preview) -> dict:
    try:
        result = context.store.restore(
            version_id,
            editors.editor_for_change(context, roles.RESTORE),
            expected_revision=preview.revision,
        )
        return {"message": result.message, "error": False}
    except StoreError as exc:
        return {"message": "；".join(str(p) for p in exc.problems), "error": True}


def restore_section(context: shell.Context, version_id: int) -> None:
    """What restoring the version would change, the sign-in, and the confirm button."""
    st.subheader("恢复此版本")
    done = confirm.done("restore")
    if done:
        (st.error if done["error"] else st.success)(done["message"])
    preview = confirm.preview(
        context,
        "restore",
        version_id,
        lambda: loaders.restore_preview(context, version_id),
        lambda shown: _restore(context, version_id, shown),
    )
    if not preview.changes_anything:
        st.info("该版本的数值与当前数据完全相同，无需恢复。", icon=":material/info:")
        return
    st.caption(
        "恢复会把该版本的数值重新设为当前数据（记为一个新版本）；当前数据不会删除，"
        "随时可以再恢复回来。恢复后将发生以下变化："
    )
    if editors.editor_gate(context, "restore", roles.RESTORE) is None:
        return
    changes_view.show_preview(preview, context.catalogue, "restore")
    confirm.button(
        "restore", f"确认恢复版本 {version_id}", version_id, ":material/restore:", preview.revision
    )
