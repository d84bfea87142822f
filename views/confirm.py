"""The preview → confirm flow shared by upload and restore.

A preview is computed against one store revision and kept in the session with the inputs it
was computed for. Confirming applies exactly that preview; when anyone else wrote in between,
nothing is stored, the user is told, and a fresh preview is shown (the store checks the
revision again inside its write transaction, so what is confirmed is what is stored).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

import streamlit as st

from township_data import changes

from .shell import Context

STALE = "预览之后数据已被他人更新，本次没有保存。下面是按最新数据重新计算的预览，请核对后再确认。"


def preview(
    context: Context,
    key: str,
    inputs: Hashable,
    compute: Callable[[], changes.Preview],
    apply: Callable[[changes.Preview], dict[str, Any]],
) -> changes.Preview:
    """The preview to show for `inputs`; applies it first when the user just confirmed it.

    `apply` stores the preview and returns what to tell the user after the rerun (`done`).
    """
    pending = st.session_state.get(f"{key}_preview")
    confirmed = st.session_state.pop(f"{key}_confirmed", None)
    if confirmed == inputs and pending is not None and pending[0] == inputs:
        if pending[1].revision != context.revision:
            st.warning(STALE, icon=":material/sync_problem:")
        else:
            st.session_state[f"{key}_done"] = apply(pending[1])
            st.session_state.pop(f"{key}_preview", None)
            st.rerun()
    if pending is None or pending[0] != inputs or pending[1].revision != context.revision:
        pending = (inputs, compute())
        st.session_state[f"{key}_preview"] = pending
    return pending[1]


def button(key: str, label: str, inputs: Hashable, icon: str, revision: int) -> None:
    """The confirm button of a preview, and the revision it was computed against."""
    st.button(
        label,
        type="primary",
        icon=icon,
        key=f"{key}_confirm",
        on_click=st.session_state.__setitem__,
        args=(f"{key}_confirmed", inputs),
    )
    st.caption(f"预览基于第 {revision} 次更新后的数据；确认时如数据已变化，会重新预览。")


def done(key: str) -> dict[str, Any] | None:
    """What the last confirm stored (or why it stored nothing), once, after its rerun."""
    return st.session_state.pop(f"{key}_done", None)
