"""The preview of an upload or a restore, shared by the upload and history pages."""

from __future__ import annotations

import streamlit as st

from township_data import changes, checks
from township_data.catalogue import Catalogue


def show_preview(preview: changes.Preview, catalogue: Catalogue, key: str) -> None:
    """The preview of an upload or a restore: counts, warnings, areas × months, every change."""
    counts = preview.counts
    cols = st.columns(4)
    cols[0].metric("新增数值", f"{counts[changes.ADDED]:,}")
    cols[1].metric("修改数值", f"{counts[changes.REPLACED]:,}")
    cols[2].metric("改为未报", f"{counts[changes.REMOVED]:,}")
    cols[3].metric("不变", f"{counts[changes.SAME]:,}")
    if preview.notices:
        st.warning(
            f"有 {len(preview.notices)} 条提示请核实（不影响导入）：数值较上月大幅增加，"
            "或上月已报的村（社区）本月没有数据。",
            icon=":material/warning:",
        )
        st.dataframe(
            checks.notice_table(preview.notices),
            hide_index=True,
            width="stretch",
            key=f"{key}_notices",
        )
    st.markdown(f"**涉及的领域和月份**：{preview.summary}")
    st.dataframe(
        changes.slice_table(preview, catalogue),
        hide_index=True,
        width="stretch",
        key=f"{key}_slices",
    )
    kinds = [k for k in changes.CHANGE_KINDS if counts[k]]
    if kinds:
        tabs = st.tabs([f"{k}（{counts[k]:,}）" for k in kinds])
        for tab, kind in zip(tabs, kinds, strict=True):
            with tab:
                st.dataframe(
                    changes.change_table(preview.changes, catalogue, kind),
                    hide_index=True,
                    width="stretch",
                    key=f"{key}_changes_{kind}",
                )
