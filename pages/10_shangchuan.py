"""数据上传: template download, upload, every error at once, preview with warnings, confirm."""

import streamlit as st

from views import shell, upload

context = shell.setup(__file__)

with shell.guard():
    st.title("数据上传")
    st.caption(
        "上传各月的月报工作簿（全镇汇总的，或各村分别报来的）：系统逐格校验，全部无误并经您确认后"
        "才保存。每次导入都保留版本，可在“数据管理”页查看和恢复。"
    )
    upload.template_section(context)
    upload.upload_section(context)
