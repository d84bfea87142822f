"""数据管理: every import, the values of any version, restore with a preview (who has reported
what lives on 报送进度)."""

import streamlit as st

from views import area as area_view
from views import loaders, manage, shell

context = shell.setup(__file__)

with shell.guard():
    st.title("数据管理")
    history = loaders.history(context)
    if history.empty:
        st.warning("还没有任何导入记录。请在“数据上传”页上传月报工作簿。")
        st.stop()
    area_view.ended_areas(context, loaders.loaded_months(context)[-1])
    st.caption("各村（社区）的报送情况和催报见“报送进度”页。")
    history_tab, version_tab = st.tabs(["导入记录", "版本内容与恢复"])
    with history_tab:
        manage.history_tab(context, history)
    with version_tab:
        manage.version_tab(context, history)
