"""Passwords, the single township's editors file, sign-in and its throttle.

A single township keeps who may sign in in a small JSON file in the data folder
(config.editors_path()) holding each name with a bcrypt hash, never a password, and optionally
a role (roles.py; an entry without one is a township editor, as every entry was before roles).
The file sits beside the database it protects, so one backup keeps both, and the command line
adds editors without Streamlit and without restarting the app. A county keeps its accounts in
the shared database instead (accounts.py). With no file (or nobody in it) the app runs in
single-user mode; a file that cannot be read fails closed: nobody may change data until it is
fixed.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import bcrypt

from . import config
from .catalogue import norm
from .errors import AuthError, Problem
from .roles import ROLES, TOWNSHIP, Account

MIN_PASSWORD_CHARS = 8
MAX_PASSWORD_BYTES = 72  # bcrypt uses only the first 72 bytes: refuse longer instead of truncating
MAX_NAME_CHARS = 50
BCRYPT_ROUNDS = 12
FILE_VERSION = 1


# An editor of the file is an account (roles.Account); the old name stays for callers.
Editor = Account


def hash_password(password: str, rounds: int | None = None) -> str:
    """A salted bcrypt hash of a password that passed `password_problems`."""
    salt = bcrypt.gensalt(rounds or BCRYPT_ROUNDS)
    return bcrypt.hashpw(password.encode("utf-8"), salt).decode("ascii")


def check_password(password: str, password_hash: str) -> bool:
    """True when the password matches; False (never an exception) for anything malformed."""
    data = password.encode("utf-8")
    if len(data) > MAX_PASSWORD_BYTES:
        return False
    try:
        return bcrypt.checkpw(data, password_hash.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        return False


def password_problems(password: str) -> list[str]:
    """Why a new password is refused, in Chinese; empty when it is acceptable."""
    problems = []
    if len(password) < MIN_PASSWORD_CHARS:
        problems.append(f"密码至少 {MIN_PASSWORD_CHARS} 个字符")
    if len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
        problems.append(f"密码太长（最多 {MAX_PASSWORD_BYTES} 字节，约 24 个汉字或 72 个字母数字）")
    if password != password.strip():
        problems.append("密码首尾不能有空格")
    return problems


def name_problems(name: str) -> list[str]:
    problems = []
    if not name.strip():
        problems.append("姓名不能为空")
    if len(name) > MAX_NAME_CHARS:
        problems.append(f"姓名最多 {MAX_NAME_CHARS} 个字符")
    if any(ch in name for ch in "\r\n\t"):
        problems.append("姓名不能含换行或制表符")
    return problems


def _broken(path: Path, reason: str) -> AuthError:
    return AuthError(
        problems=[
            Problem(
                f"编辑人员文件 {path} 无法读取（{reason}）；在修好之前，任何人都不能上传或恢复数据",
                hint="请用 python -m township_data editor add 重新添加编辑人员，或从备份恢复该文件",
            )
        ],
        title="编辑人员设置有误",
    )


def load_editors(path: Path | None = None) -> dict[str, Editor]:
    """Name → editor; empty when no editor is configured (single-user mode).

    Read on every call (the file is tiny), so an editor added or removed on the command line
    counts from the next page interaction on.
    """
    target = path or config.editors_path()
    try:
        text = target.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise _broken(target, exc.strerror or "无法打开") from None
    try:
        raw = json.loads(text)
        editors = {str(e["name"]): _entry(e) for e in raw["editors"]}
    except (ValueError, KeyError, TypeError, AttributeError):
        raise _broken(target, "内容格式不对") from None
    if not all(e.password_hash.startswith("$2") for e in editors.values()):
        raise _broken(target, "含有不是 bcrypt 散列的密码")
    if not all(e.role in ROLES for e in editors.values()):
        raise _broken(target, "含有未知的角色")
    return editors


def _entry(raw: dict) -> Account:
    """One entry of the file; without a role it is a township editor (the file before roles)."""
    village = raw.get("village")
    return Account(
        str(raw["name"]),
        str(raw["bcrypt"]),
        str(raw.get("added_at", "")),
        str(raw.get("role", TOWNSHIP)),
        None,
        str(village) if village else None,
    )


def _save(path: Path, editors: dict[str, Editor]) -> None:
    """Write atomically (temp file + rename) and readable by the owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {
        "version": FILE_VERSION,
        "note": "乡镇工作数据看板编辑人员；只保存 bcrypt 散列，不保存密码。用 python -m township_data editor 管理。",
        "editors": [_record(e) for e in editors.values()],
    }
    handle, temp = tempfile.mkstemp(prefix=".editors-", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(body, out, ensure_ascii=False, indent=2)
            out.write("\n")
        os.chmod(temp, 0o600)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _record(account: Account) -> dict[str, str]:
    record = {"name": account.name, "bcrypt": account.password_hash, "added_at": account.added_at}
    if account.role != TOWNSHIP:
        record["role"] = account.role
    if account.village:
        record["village"] = account.village
    return record


def new_account(
    name: str, password: str, role: str = TOWNSHIP, township: str | None = None, village=None
) -> Account:
    """An account with a fresh bcrypt hash, or AuthError naming what is wrong with the input."""
    problems = name_problems(name) + password_problems(password)
    if problems:
        raise AuthError(problems=[Problem(p) for p in problems], title="无法设置账号")
    added = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    return Account(name, hash_password(password), added, role, township, village)


def save_editor(account: Account, path: Path | None = None) -> bool:
    """Put an account into the editors file (replacing one of that name); True when new."""
    target = path or config.editors_path()
    editors = load_editors(target)
    is_new = account.name not in editors
    editors[account.name] = account
    _save(target, editors)
    return is_new


def add_editor(name: str, password: str, path: Path | None = None) -> bool:
    """Add a township editor or set a new password; True when the name is new."""
    return save_editor(new_account(name, password), path)


def remove_editor(name: str, path: Path | None = None) -> None:
    target = path or config.editors_path()
    editors = load_editors(target)
    if name not in editors:
        raise AuthError(problems=[Problem(f"没有名为“{name}”的编辑人员")], title="无法删除")
    del editors[name]
    _save(target, editors)


class LoginThrottle:
    """Pauses sign-in for a name after repeated wrong passwords (process-wide, thread-safe).

    Streamlit sessions are threads of one process, so one throttle guards every browser tab.
    """

    def __init__(
        self,
        max_failures: int = config.LOGIN_MAX_FAILURES,
        lockout_seconds: float = config.LOGIN_LOCKOUT_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.lockout_seconds = lockout_seconds
        self.clock = clock
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def wait_seconds(self, name: str) -> float:
        """How long this name must wait before the next attempt (0 when it may try now)."""
        with self._lock:
            recent = self._recent(norm(name))
            if len(recent) < self.max_failures:
                return 0.0
            return max(0.0, recent[0] + self.lockout_seconds - self.clock())

    def failed(self, name: str) -> None:
        with self._lock:
            key = norm(name)
            self._failures[key] = [*self._recent(key), self.clock()][-self.max_failures :]

    def succeeded(self, name: str) -> None:
        with self._lock:
            self._failures.pop(norm(name), None)

    def _recent(self, key: str) -> list[float]:
        cutoff = self.clock() - self.lockout_seconds
        return [t for t in self._failures.get(key, []) if t > cutoff]


_DUMMY_HASH: list[str] = []


def _dummy_hash() -> str:
    """A hash to check unknown names against, so a wrong name takes as long as a wrong password."""
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(hash_password("不存在的编辑人员-placeholder"))
    return _DUMMY_HASH[0]


def login(
    name: str,
    password: str,
    throttle: LoginThrottle,
    path: Path | None = None,
    accounts: Mapping[str, Account] | None = None,
) -> str:
    """The account's name when name and password match; AuthError in Chinese otherwise.

    `accounts`: who may sign in (a county's, from the database); default the editors file.
    """
    name = name.strip()
    wait = throttle.wait_seconds(name)
    if wait > 0:
        raise AuthError(
            problems=[Problem(f"密码错误次数过多，请 {math.ceil(wait / 60)} 分钟后再试")],
            title="暂时不能登录",
        )
    editors = accounts if accounts is not None else load_editors(path)
    editor = editors.get(name)
    ok = check_password(password, editor.password_hash if editor else _dummy_hash())
    if not (editor and ok):
        throttle.failed(name)
        raise AuthError(problems=[Problem("姓名或密码不正确")], title="登录失败")
    throttle.succeeded(name)
    return editor.name
