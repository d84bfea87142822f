"""报送进度: a month's reporting village by village, who is late, and the 催报 notice."""

import streamlit as st

from views import loaders, progress, shell

context = shell.setup(__file__)

with shell.guard():
    st.title("报送进度")
    st.caption(
        "各村（社区）某月各领域的报送情况：报了没有、什么时候报的、来自哪个文件，过了截止日还没报的"
        "标为逾期；下方的催报通知可以直接复制发到微信群。"
    )
    now = progress.today()
    month = progress.choose_month(context, now)
    found = loaders.month_progress(context, month, now)
    progress.summary(context, found)
    progress.matrix_section(context, found)
    progress.chase_section(context, found)
    progress.details_section(found)
