"""Sign-ins that survive a page refresh for a working day, without a secret in the URL.

At sign-in the server draws a random id (256 bits) and keeps only its SHA-256 in
`login_sessions`, with the account's name, the account's stamp (roles.Account.stamp) and when
the sign-in ends; the page keeps the id in a cookie. A refreshed page is a new Streamlit
session whose websocket request carries that cookie (st.context.cookies), and the id is looked
up again. It signs in only while its row exists and has not ended and the account still has the
stamp it had: a new password, another role or village, or a removed account ends every sign-in
of that name. Signing out deletes the row, so the id is worthless even if it was copied.

The table lives in the deployment's database, so every app process of a county (behind one
reverse proxy) recognises a sign-in made on any of them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Mapping

import sqlalchemy as sa

from . import config
from .roles import Account
from .store import get_engine, login_sessions

TOKEN_BYTES = 32
MAX_TOKEN_CHARS = 100


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _write(url: str):
    return get_engine(url).connect().execution_options(township_write=True)


def start(
    url: str,
    account: Account,
    hours: float = config.LOGIN_SESSION_HOURS,
    now: dt.datetime | None = None,
) -> tuple[str, dt.datetime]:
    """A new sign-in for the account: the id for the cookie, and when it ends (UTC).

    Sign-ins that have ended are deleted on the way (of anyone): the table stays small.
    """
    moment = now or _now()
    token = secrets.token_urlsafe(TOKEN_BYTES)
    ends = moment + dt.timedelta(hours=hours)
    with _write(url) as conn, conn.begin():
        conn.execute(login_sessions.delete().where(login_sessions.c.expires_at <= moment))
        conn.execute(
            login_sessions.insert().values(
                token_hash=_hash(token),
                account=account.name,
                stamp=account.stamp,
                created_at=moment,
                expires_at=ends,
            )
        )
    return token, ends


def resume(
    url: str, token: str | None, accounts: Mapping[str, Account], now: dt.datetime | None = None
) -> Account | None:
    """The account a cookie's id signs in, or None (unknown, ended, or the account changed)."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_CHARS:
        return None
    with get_engine(url).connect() as conn:
        row = conn.execute(
            sa.select(
                login_sessions.c.account, login_sessions.c.stamp, login_sessions.c.expires_at
            ).where(login_sessions.c.token_hash == _hash(token))
        ).first()
    if row is None or row.expires_at <= (now or _now()):
        return None
    account = accounts.get(row.account)
    if account is None or not secrets.compare_digest(account.stamp, row.stamp):
        return None
    return account


def ends_at(url: str, token: str) -> dt.datetime | None:
    """When a sign-in ends (UTC), None when there is no such sign-in."""
    with get_engine(url).connect() as conn:
        return conn.execute(
            sa.select(login_sessions.c.expires_at).where(
                login_sessions.c.token_hash == _hash(token)
            )
        ).scalar()


def end(url: str, token: str | None) -> None:
    """Sign out: the id signs nobody in from now on."""
    if not token:
        return
    with _write(url) as conn, conn.begin():
        conn.execute(login_sessions.delete().where(login_sessions.c.token_hash == _hash(token)))
