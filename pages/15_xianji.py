"""全县各乡镇对比: townships side by side on each area's key figures, and their 打擂 standing."""

import streamlit as st

from views import county, shell

context = shell.setup(__file__)

with shell.guard():
    st.title("全县各乡镇对比")
    st.caption(
        "同一期间各乡镇（街道）各领域关键指标并排比较，以及各乡镇的人居环境打擂排名。"
        "点选上方的统计周期；表格可下载为 Excel 和 CSV。"
    )
    county.page(context)
