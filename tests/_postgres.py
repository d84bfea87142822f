"""A throwaway PostgreSQL cluster for the test session, so the store tests run on a real server.

Used by tests/conftest.py. TOWNSHIP_TEST_POSTGRES_URL (an empty database the tests may fill)
takes precedence; otherwise, when Debian's `postgresql` binaries are installed, a cluster is made
with initdb in a temporary folder, started on a free port of 127.0.0.1 with its socket in that
folder, and removed at the end of the session. PostgreSQL refuses to run as root, so as root the
cluster runs as the `postgres` user the Debian package creates.

Each test gets its own schema (its own empty store) through the connection's search_path.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa

ENV_URL = "TOWNSHIP_TEST_POSTGRES_URL"
DATABASE = "township_test"
USER = "township"


class Unavailable(Exception):
    """Why no PostgreSQL server can be had here (shown as the skip or failure reason)."""


def binaries() -> Path | None:
    """The folder of initdb/pg_ctl: on PATH, else the newest Debian /usr/lib/postgresql/N/bin."""
    on_path = shutil.which("pg_ctl")
    if on_path and shutil.which("initdb"):
        return Path(on_path).resolve().parent
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cluster:
    """initdb + pg_ctl start in a temporary folder; stop() stops it and removes the folder."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        root = os.environ.get("TOWNSHIP_TEST_PG_ROOT") or None  # .ci/run's trap cleans it
        self.folder = Path(tempfile.mkdtemp(prefix="township-pg-", dir=root))
        self.data = self.folder / "data"
        self.port = _free_port()
        self.prefix: list[str] = []
        if os.geteuid() == 0:
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                shutil.rmtree(self.folder, ignore_errors=True)
                raise Unavailable(
                    "running as root and there is no `postgres` user to run the server as"
                ) from None
            os.chown(self.folder, owner.pw_uid, owner.pw_gid)
            self.prefix = ["runuser", "-u", "postgres", "--"]
        self.started = False

    def _run(self, *args: str) -> None:
        done = subprocess.run(
            [*self.prefix, *args], capture_output=True, text=True, timeout=120, cwd=self.folder
        )
        if done.returncode != 0:
            raise Unavailable(f"{Path(args[0]).name} failed: {done.stdout}{done.stderr}")

    def start(self) -> str:
        """Start the server; returns the URL of an empty database on it."""
        self._run(
            str(self.bin_dir / "initdb"),
            "-D",
            str(self.data),
            "-U",
            USER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        options = (
            f"-k {self.folder} -p {self.port} -h 127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            str(self.bin_dir / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.folder / "server.log"),
            "-w",
            "-t",
            "60",
            "start",
        )
        self.started = True
        admin = sa.create_engine(
            f"postgresql+psycopg://{USER}@127.0.0.1:{self.port}/postgres",
            isolation_level="AUTOCOMMIT",
        )
        with admin.connect() as conn:
            conn.exec_driver_sql(f"CREATE DATABASE {DATABASE}")
        admin.dispose()
        return f"postgresql+psycopg://{USER}@127.0.0.1:{self.port}/{DATABASE}"

    def stop(self) -> None:
        if self.started:
            with contextlib.suppress(Unavailable, subprocess.TimeoutExpired):
                self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "stop")
            self.started = False
        shutil.rmtree(self.folder, ignore_errors=True)


@contextlib.contextmanager
def server() -> Iterator[str]:
    """The URL of an empty PostgreSQL database for this session; raises Unavailable if none."""
    url = os.environ.get(ENV_URL)
    if url:
        yield url
        return
    bin_dir = binaries()
    if bin_dir is None:
        raise Unavailable(
            "no PostgreSQL binaries (install Debian's `postgresql` package, see "
            f".ci/install-system-deps) and {ENV_URL} is not set"
        )
    cluster = Cluster(bin_dir)
    # A plain `kill` of pytest would skip the finalizer and leave the server running.
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        yield cluster.start()
    finally:
        cluster.stop()
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def fresh_schema(server_url: str) -> Iterator[str]:
    """A URL whose connections use a new, empty schema of the server's database; dropped after."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {name}")
    url = sa.engine.make_url(server_url).update_query_dict({"options": f"-csearch_path={name}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {name} CASCADE")
        admin.dispose()
