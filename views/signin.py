"""Signing in on the app side: the form, the cookie that keeps a sign-in across refreshes, the
sidebar's signed-in line, and the gate that hides every page when viewing needs a login.

Streamlit 1.67 reads cookies (st.context.cookies, from the websocket's opening request) but has
no way to write one from a script, and its ASGI middleware only sets cookies on HTTP responses,
not during a session. So the run after a sign-in draws a two-line script that stores the
sign-in's random id in a cookie: SameSite=Strict (never sent on a request another site starts),
Secure over HTTPS, Max-Age the sign-in's remaining time, path the app's. The id is not a
password and not in the URL; the database keeps only its hash (township_data/sessions.py), and
signing out deletes it. Streamlit itself refuses websockets from other origins and allowed
hosts (server.allowedHosts), and the cookie authorises nothing but this app's own websocket;
uploads keep Streamlit's XSRF token (server.enableXsrfProtection).
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass

import streamlit as st

from township_data import accounts, auth, config, sessions
from township_data.catalogue import load_catalogues
from township_data.errors import TownshipError
from township_data.roles import Account

TOKEN_KEY = "login_token"  # this browser session's sign-in id (server memory only)
_COOKIE_OUT = "login_cookie_out"  # the cookie to write or clear in the next run
_SIGNED_OUT = "login_signed_out"  # signed out here: the opening request's cookie is stale
_CHOICE, _KEPT = "township_choice", "keep_township_choice"  # shell.choose_township's keys
_SEEN = "login_seen"  # the last check of who is signed in (Seen)
# How long a page may draw from the last check; every change of data checks afresh.
RECHECK_SECONDS = 60


@st.cache_resource(show_spinner=False)
def _throttle() -> auth.LoginThrottle:
    """One throttle per process: every Streamlit session of it shares the failure counts."""
    return auth.LoginThrottle()


def book() -> accounts.Book:
    """This deployment's accounts: a county's database, else the editors file."""
    from .shell import database_url  # the shell imports this module

    return accounts.book(database_url(), load_catalogues(), config.editors_path())


def township_names() -> dict[str, str]:
    return {key: c.township_name for key, c in load_catalogues().items()}


def signed_in(where: accounts.Book, known: dict[str, Account]) -> Account | None:
    """The account signed in in this browser session (or by its cookie), checked against the
    accounts as they are now; None when nobody is."""
    token = _token()
    account = sessions.resume(where.url, token, known) if token else None
    if account is None:
        st.session_state.pop(TOKEN_KEY, None)
    else:
        st.session_state[TOKEN_KEY] = token
    st.session_state[_SEEN] = Seen(_token(), bool(known), account, time.monotonic())
    return account


@dataclass(frozen=True)
class Seen:
    """Who was signed in when last checked against the database, and when (monotonic s)."""

    token: str | None
    known: bool  # whether any account exists (else single-user mode)
    account: Account | None
    at: float


def _token() -> str | None:
    token = st.session_state.get(TOKEN_KEY)
    if token is None and not st.session_state.get(_SIGNED_OUT):
        cookie = st.context.cookies.get(config.LOGIN_COOKIE)
        token = cookie if isinstance(cookie, str) else None
    return token


def seen() -> Seen:
    """Who is signed in, for drawing a page: checked against the database at most once every
    RECHECK_SECONDS per browser session, so an ordinary view costs no query for it. A change
    of data always checks afresh (views/editors.py); AuthError when the accounts are broken."""
    token = _token()
    last = st.session_state.get(_SEEN)
    if last is not None and last.token == token and time.monotonic() - last.at < RECHECK_SECONDS:
        return last
    where = book()
    known = where.load()
    if known:
        signed_in(where, known)
    else:
        st.session_state[_SEEN] = Seen(token, False, None, time.monotonic())
    return st.session_state[_SEEN]


def _cookie_path() -> str:
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}" if base else "/"


def write_cookie() -> None:
    """Store (or clear) the sign-in's cookie in the browser, once, in the run after the change."""
    pending = st.session_state.pop(_COOKIE_OUT, None)
    if pending is None:
        return
    value, max_age = pending
    cookie = f"{config.LOGIN_COOKIE}={value}; Max-Age={max_age}; Path={_cookie_path()}"
    cookie += "; SameSite=Strict"
    st.html(
        "<script>document.cookie = "
        f"{json.dumps(cookie)} + (location.protocol === 'https:' ? '; Secure' : '');</script>",
        unsafe_allow_javascript=True,
    )


def _start(where: accounts.Book, account: Account) -> None:
    token, ends = sessions.start(where.url, account)
    seconds = int((ends - dt.datetime.now(dt.UTC).replace(tzinfo=None)).total_seconds())
    st.session_state[TOKEN_KEY] = token
    st.session_state.pop(_SEEN, None)
    st.session_state[_COOKIE_OUT] = (token, max(seconds, 0))
    st.session_state.pop(_SIGNED_OUT, None)
    if account.township and account.township in township_names():
        # Open on the account's own township (the chooser reads its kept choice first).
        st.session_state.pop(_CHOICE, None)
        st.session_state[_KEPT] = account.township


def sign_out(where: accounts.Book) -> None:
    sessions.end(where.url, st.session_state.pop(TOKEN_KEY, None))
    st.session_state.pop(_SEEN, None)
    st.session_state[_SIGNED_OUT] = True
    st.session_state[_COOKIE_OUT] = ("", 0)


def login_form(where: accounts.Book, known: dict[str, Account], key: str) -> None:
    """Name and password; a sign-in lasts a working day on every page, across refreshes."""
    with st.form(key=f"{key}_login_form", border=True):
        name = st.text_input("姓名", key=f"{key}_login_name")
        password = st.text_input("密码", type="password", key=f"{key}_login_password")
        submitted = st.form_submit_button("登录", key=f"{key}_login")
    st.caption(
        f"登录后 {config.LOGIN_SESSION_HOURS} 小时内在本浏览器中有效，刷新页面无须重新登录；"
        "在公用电脑上用完请退出登录。"
    )
    if not submitted:
        return
    try:
        found = auth.login(name, password, _throttle(), accounts=known)
    except TownshipError as exc:
        st.error("；".join(p.message for p in exc.problems))
        return
    _start(where, known[found])
    st.rerun()


def logout_button(where: accounts.Book, key: str) -> None:
    if st.button("退出登录", key=key, icon=":material/logout:"):
        sign_out(where)
        st.rerun()


def view_gate(title: str) -> None:
    """With TOWNSHIP_LOGIN_TO_VIEW on, nothing of a page is drawn before a sign-in."""
    if not config.login_to_view():
        return
    try:
        now = seen()
    except TownshipError as exc:
        st.title(title)
        st.error(exc.title)
        st.markdown("\n".join(f"- {p}" for p in exc.problems))
        st.stop()
    if now.account is not None:
        return
    st.title(title)
    if not now.known:
        st.error(
            "本看板设置为登录后才能查看，但还没有任何账号。请管理员在服务器上运行 "
            "`python -m township_data account add 姓名 --role …` 添加账号。"
        )
        st.stop()
    st.info("本看板需要登录后才能查看。请输入姓名和密码。", icon=":material/lock:")
    where = book()
    login_form(where, where.load(), "view")
    st.stop()


def sidebar_status() -> None:
    """Who is signed in, under the sidebar's links, with a way out."""
    try:
        account = seen().account
    except TownshipError:
        return
    if account is None:
        return
    st.caption(f"已登录：{account.name}（{account.role_label}·{account.reach(township_names())}）")
    logout_button(book(), "sidebar_logout")
