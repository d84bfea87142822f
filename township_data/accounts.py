"""Where accounts live: a county's shared database, or a single township's editors file.

A county (a catalogue folder of several townships) runs several app processes on one database,
so its accounts live there (the `accounts` table): one list every process reads, changed by
`python -m township_data account …` from any machine that reaches the database. A single
township keeps its editors file beside its data (auth.py), as before roles. Either way only
names and bcrypt hashes are kept.

A county whose database holds no account yet while an editors file still names editors (a county
set up before roles, when every editor could change every township) fails closed: nobody may
change data until accounts are added, rather than everyone (single-user mode).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from . import auth
from .catalogue import TOWN, Catalogue
from .errors import AuthError, Problem
from .roles import COUNTY, ROLES, TOWNSHIP, VILLAGE, Account
from .store import accounts as table
from .store import get_engine


def _refused(message: str, hint: str = "") -> AuthError:
    return AuthError(problems=[Problem(message, hint=hint)], title="无法设置账号")


@dataclass(frozen=True)
class Book:
    """The one list of who may sign in to this deployment."""

    county: bool
    url: str
    path: Path

    @property
    def where(self) -> str:
        return "数据库的账号表（accounts）" if self.county else f"编辑人员文件 {self.path}"

    def load(self) -> dict[str, Account]:
        """Name → account, read on every call so a change counts from the next page action."""
        if not self.county:
            return auth.load_editors(self.path)
        with get_engine(self.url).connect() as conn:
            rows = conn.execute(sa.select(table).order_by(table.c.name)).mappings().all()
        found = {r["name"]: _account(r) for r in rows}
        if not found and auth.load_editors(self.path):
            raise AuthError(
                problems=[
                    Problem(
                        f"县级部署的账号保存在数据库中，{self.path} 中的编辑人员不再有效；"
                        "在添加账号之前，任何人都不能修改数据",
                        hint="请用 python -m township_data account add 姓名 --role county "
                        "（或 township/village/viewer）添加账号",
                    )
                ],
                title="账号设置有误",
            )
        return found

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """One write transaction (BEGIN IMMEDIATE on SQLite)."""
        engine = get_engine(self.url)
        with engine.connect().execution_options(township_write=True) as conn, conn.begin():
            yield conn

    def save(self, account: Account) -> bool:
        """Add an account or replace the one of that name; True when the name is new."""
        if not self.county:
            return auth.save_editor(account, self.path)
        row = {
            "name": account.name,
            "role": account.role,
            "township": account.township,
            "village": account.village,
            "password_hash": account.password_hash,
            "added_at": dt.datetime.fromisoformat(account.added_at).replace(tzinfo=None),
        }
        with self._write() as conn:
            gone = conn.execute(table.delete().where(table.c.name == account.name)).rowcount
            conn.execute(table.insert().values(**row))
        return not gone

    def remove(self, name: str) -> None:
        """Delete an account; its sign-ins end with it (sessions.py finds no account)."""
        if not self.county:
            auth.remove_editor(name, self.path)
            return
        with self._write() as conn:
            gone = conn.execute(table.delete().where(table.c.name == name)).rowcount
        if not gone:
            raise AuthError(problems=[Problem(f"没有名为“{name}”的账号")], title="无法删除")


def _account(row: Mapping) -> Account:
    added = row["added_at"]
    return Account(
        row["name"],
        row["password_hash"],
        added.replace(microsecond=0).isoformat() if added else "",
        row["role"],
        row["township"],
        row["village"],
    )


def book(url: str, catalogues: Mapping[str, Catalogue], path: Path) -> Book:
    """The deployment's accounts: in the database for a county (several townships configured),
    else in the editors file."""
    return Book(len(catalogues) > 1, url, path)


def _township(
    role: str, township: str | None, catalogues: Mapping[str, Catalogue], county: bool
) -> str | None:
    """The township key an account of this role is bound to (None: every township)."""
    if township is not None and township not in catalogues:
        choices = "、".join(f"{k}（{c.township_name}）" for k, c in catalogues.items())
        raise _refused(f"指标目录中没有代号为“{township}”的镇", f"可选：{choices}")
    if role == COUNTY:
        if not county:
            raise _refused(
                "只有一个镇的部署没有县级管理员", "请用 --role township 添加本镇的编辑人员"
            )
        if township is not None:
            raise _refused("县级管理员管理全县各镇，不要给 --township")
        return None
    if county and township is None and role in (TOWNSHIP, VILLAGE):
        raise _refused(f"{ROLES[role]}须用 --township 指明是哪个镇")
    # A single township's file serves that one township: its accounts name none.
    return township if county else None


def _village(role: str, village: str | None, catalogue: Catalogue | None) -> str | None:
    """The canonical 村（社区） name of a village reporter (any accepted spelling)."""
    if role != VILLAGE:
        if village:
            raise _refused("只有村级报送员（--role village）才指定村（社区）")
        return None
    if not village:
        raise _refused("村级报送员须用 --village 指明是哪个村（社区）")
    resolved = catalogue.resolve_village(village) if catalogue else None
    if resolved is None or resolved == TOWN:
        guess = catalogue.suggest_village(village) if catalogue else None
        raise _refused(
            f"“{village}”不是{catalogue.township_name if catalogue else ''}的村（社区）",
            f"是否应为“{guess}”？" if guess and guess != TOWN else "请用指标目录中的村（社区）名称",
        )
    return resolved


def account_reach(
    role: str,
    catalogues: Mapping[str, Catalogue],
    township: str | None = None,
    village: str | None = None,
) -> tuple[str | None, str | None]:
    """The township key and canonical 村（社区） an account of this role is bound to, checked
    against the catalogues (None: every township, or no village); AuthError otherwise."""
    if role not in ROLES:
        choices = "、".join(f"{k}（{v}）" for k, v in ROLES.items())
        raise _refused(f"未知的角色“{role}”", f"可选：{choices}")
    county = len(catalogues) > 1
    key = _township(role, township, catalogues, county)
    only = next(iter(catalogues.values())) if len(catalogues) == 1 else None
    where = _village(role, village, catalogues.get(key) if key else only)
    return (key if county else None), where


def make_account(
    name: str,
    password: str,
    role: str,
    catalogues: Mapping[str, Catalogue],
    township: str | None = None,
    village: str | None = None,
) -> Account:
    """A checked new account: known role, township and village; password rules of auth.py."""
    key, where = account_reach(role, catalogues, township, village)
    return auth.new_account(name.strip(), password, role, key, where)
