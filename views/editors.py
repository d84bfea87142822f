"""Editor sign-in for the pages that change data (upload, restore).

Browsing never needs a login; changing data needs an editor's sign-in unless no editor is
configured (single-user mode). The name is checked again at the moment of the write.
"""

from __future__ import annotations

import streamlit as st

from township_data import auth, config
from township_data.errors import TownshipError

from .shell import Context


@st.cache_resource(show_spinner=False)
def _throttle() -> auth.LoginThrottle:
    return auth.LoginThrottle()


EDITOR_KEY = "signed_in_editor"


def editor_gate(context: Context, key: str) -> str | None:
    """Who may change data in this session: an editor's name, single-user mode, or None.

    Shows the single-user notice, the signed-in editor with a sign-out button, or the sign-in
    form. The sign-in lasts for this browser session on every page.
    """
    try:
        editors = auth.load_editors()
    except TownshipError as exc:
        st.error(exc.title)
        st.markdown("\n".join(f"- {p}" for p in exc.problems))
        return None
    if not editors:
        st.info(
            "**单用户模式**：尚未设置编辑人员，打开本页的任何人都可以上传和恢复数据，操作人记为"
            f"“{config.SINGLE_USER}”。如需只让指定人员修改数据，请在服务器上运行 "
            "`python -m township_data editor add 姓名` 添加编辑人员。",
            icon=":material/person:",
        )
        return config.SINGLE_USER
    signed_in = st.session_state.get(EDITOR_KEY)
    if signed_in in editors:
        left, right = st.columns([4, 1], vertical_alignment="center")
        left.success(f"已登录编辑人员：{signed_in}", icon=":material/person:")
        if right.button("退出登录", key=f"{key}_logout"):
            del st.session_state[EDITOR_KEY]
            st.rerun()
        return signed_in
    st.warning(
        "修改数据（上传、恢复）需要编辑人员登录；浏览各页面不需要登录。", icon=":material/lock:"
    )
    with st.form(key=f"{key}_login_form", border=True):
        name = st.text_input("编辑人员姓名", key=f"{key}_login_name")
        password = st.text_input("密码", type="password", key=f"{key}_login_password")
        submitted = st.form_submit_button("登录", key=f"{key}_login")
    if submitted:
        try:
            st.session_state[EDITOR_KEY] = auth.login(name, password, _throttle())
        except TownshipError as exc:
            st.error("；".join(p.message for p in exc.problems))
            return None
        st.rerun()
    return None


def editor_for_change() -> str:
    """The name to record for an upload or restore; AuthError when an editor must sign in.

    Checked again at the moment of the write, against the editors file as it is now, so a
    page that was open before editors were added cannot change data without a sign-in.
    """
    return auth.require_editor(auth.load_editors(), st.session_state.get(EDITOR_KEY))
