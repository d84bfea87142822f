"""A consistent copy of the whole store, taken while the app runs.

SQLite: the online backup API (`sqlite3.Connection.backup`) copies every page in one step, inside
one read transaction, so the copy is the store as it was at one instant: an import running in
another process is wholly in it or not at all. In WAL mode the copy neither waits for a writer nor
blocks one. The copy is written to a temporary file beside the target, checked
(`PRAGMA integrity_check`), switched to a single-file journal and only then renamed, so a failed
backup never leaves a half-written file under the target's name.

PostgreSQL: the database's own tool, `pg_dump --format=custom` (one repeatable-read snapshot of
the whole database: every township), restored with `pg_restore` (docs/deploy.md, 备份与恢复). The password
goes to pg_dump through PGPASSWORD, never on its command line.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import sqlite3
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from . import config
from .errors import Problem, StoreError

TITLE = "备份失败"


@dataclass(frozen=True)
class BackupResult:
    """What a backup wrote, for the printed summary."""

    path: Path
    kind: str  # "SQLite" or "PostgreSQL"
    size: int
    versions: int | None  # versions in the copy (SQLite); None for a pg_dump archive
    seconds: float


def _refuse(message: str, hint: str = "") -> StoreError:
    return StoreError(problems=[Problem(message, hint=hint)], title=TITLE)


def backup(url: str, out: Path) -> BackupResult:
    """Copy the store at `url` to the file `out` (which must not exist yet)."""
    out = Path(out).expanduser().resolve()
    if out.exists():
        raise _refuse(f"备份文件“{out}”已存在，没有覆盖", "请换一个文件名，例如在文件名中加上日期")
    if not out.parent.is_dir():
        raise _refuse(f"备份文件夹“{out.parent}”不存在")
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return backup_sqlite(Path(parsed.database or ""), out)
    if parsed.get_backend_name() == "postgresql":
        return backup_postgres(url, out)
    raise _refuse(f"不支持备份这种数据库：{config.display_url(url)}")


def backup_sqlite(source: Path, out: Path) -> BackupResult:
    """The online backup of a SQLite store into `out`, checked before it gets its name."""
    start = time.perf_counter()
    source = source.expanduser().resolve()
    if not source.is_file():
        raise _refuse(f"数据库文件“{source}”不存在", "请检查 --data-dir 或 TOWNSHIP_DATA_DIR")
    if out == source:
        raise _refuse("备份文件不能是数据库文件本身")
    partial = out.with_name(f".{out.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        with (
            contextlib.closing(sqlite3.connect(source, timeout=30)) as src,
            contextlib.closing(sqlite3.connect(partial)) as dst,
        ):
            src.backup(dst)  # all pages in one step: one read transaction, one instant
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            versions = _check_copy(dst, partial)
        with open(partial, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, out)
    except sqlite3.Error as exc:
        raise _refuse(f"复制数据库时出错：{exc}") from exc
    finally:
        partial.unlink(missing_ok=True)
    return BackupResult(out, "SQLite", out.stat().st_size, versions, time.perf_counter() - start)


def _check_copy(conn: sqlite3.Connection, path: Path) -> int:
    """The copy must pass SQLite's own check and hold the store's tables; its version count."""
    problems = [row[0] for row in conn.execute("PRAGMA integrity_check")]
    if problems != ["ok"]:
        raise _refuse(f"备份副本“{path.name}”未通过完整性检查：{'；'.join(problems[:5])}")
    try:
        return int(conn.execute("SELECT count(*) FROM versions").fetchone()[0])
    except sqlite3.OperationalError:
        raise _refuse("这个文件不是看板的数据库（没有版本表）") from None


def pg_tool(name: str) -> str:
    """pg_dump or pg_restore: on PATH, else the newest Debian /usr/lib/postgresql/N/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    if not candidates:
        raise _refuse(
            f"找不到 PostgreSQL 的 {name} 命令",
            "请安装 PostgreSQL 客户端（Debian：apt-get install postgresql-client）",
        )
    return candidates[-1]


def libpq_target(url: str) -> tuple[str, dict[str, str]]:
    """A SQLAlchemy PostgreSQL URL as a libpq connection URI without its password, and the
    environment that carries the password (PGPASSWORD) to pg_dump or pg_restore."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    uri = parsed.set(drivername="postgresql", password=None)
    return uri.render_as_string(hide_password=False), env


def backup_postgres(url: str, out: Path) -> BackupResult:
    """`pg_dump --format=custom` of the whole database into `out` (restore with pg_restore)."""
    start = time.perf_counter()
    target, env = libpq_target(url)
    partial = out.with_name(f".{out.name}.partial")
    command = [pg_tool("pg_dump"), "--format=custom", f"--file={partial}", f"--dbname={target}"]
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=3600)
        if done.returncode != 0:
            detail = (done.stderr or done.stdout).strip().splitlines()
            raise _refuse(f"pg_dump 失败：{detail[-1] if detail else done.returncode}")
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    return BackupResult(out, "PostgreSQL", out.stat().st_size, None, time.perf_counter() - start)
