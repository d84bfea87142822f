"""The gate of the pages that change data (upload, restore, report texts), by role.

Browsing needs no login unless the deployment says so (signin.view_gate); changing data needs a
signed-in account whose role allows the change in this township (township_data/roles.py),
unless no account is configured (single-user mode). The account and its reach are checked
again at the moment of the write.
"""

from __future__ import annotations

import streamlit as st

from township_data import config, roles
from township_data.errors import TownshipError
from township_data.roles import Account

from . import signin
from .shell import Context

# What each gated action is called in the gate's words.
_DOING = roles.ACTIONS


def editor_gate(
    context: Context, key: str, action: str = roles.IMPORT, notice: bool = True
) -> Account | str | None:
    """Who may do `action` to this township in this session: the signed-in account,
    single-user mode (config.SINGLE_USER), or None (the sign-in form or a refusal is shown).

    `notice`: say so when the app runs in single-user mode.
    """
    where = signin.book()
    try:
        known = where.load()
    except TownshipError as exc:
        st.error(exc.title)
        st.markdown("\n".join(f"- {p}" for p in exc.problems))
        return None
    if not known:
        if not notice:
            return config.SINGLE_USER
        st.info(
            "**单用户模式**：尚未设置账号，打开本页的任何人都可以修改数据，操作人记为"
            f"“{config.SINGLE_USER}”。如需只让指定人员修改数据，请在服务器上运行 "
            "`python -m township_data editor add 姓名`（县级部署用 `account add`）添加账号。",
            icon=":material/person:",
        )
        return config.SINGLE_USER
    account = signin.signed_in(where, known)
    if account is None:
        st.warning(
            f"{_DOING.get(action, '修改数据')}需要登录：县级管理员、本镇编辑人员"
            + ("或本村（社区）的村级报送员" if action == roles.IMPORT else "")
            + "可以操作。",
            icon=":material/lock:",
        )
        signin.login_form(where, known, key)
        return None
    names = signin.township_names()
    left, right = st.columns([4, 1], vertical_alignment="center")
    reason = roles.refusal(account, action, context.store.township, names)
    if reason:
        left.warning(reason, icon=":material/block:")
    else:
        left.success(
            f"已登录：{account.name}（{account.role_label}·{account.reach(names)}）",
            icon=":material/person:",
        )
    with right:
        signin.logout_button(where, f"{key}_logout")
    return None if reason else account


def signed_in_account() -> Account | None:
    """The account signed in now (None in single-user mode or when nobody is)."""
    where = signin.book()
    known = where.load()
    return signin.signed_in(where, known) if known else None


def editor_for_change(context: Context, action: str = roles.IMPORT) -> str:
    """Who to record for a change of this township; AuthError when the session may not.

    Checked at the moment of the write against the accounts as they are now, so a page that
    was open before accounts were added, or before a role changed, cannot write beyond it.
    """
    where = signin.book()
    known = where.load()
    account = signin.signed_in(where, known) if known else None
    return roles.authorise(
        account, bool(known), action, context.store.township, signin.township_names()
    )
