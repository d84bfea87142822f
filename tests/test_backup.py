"""`python -m township_data backup`: a consistent copy while the app runs, and its restore.

SQLite: a backup taken while another process is inside an import's write transaction (every row
written, nothing committed) holds the store as it was before that import; one taken after holds
it. Restored (copied back as the data folder's database file), a copy shows the same `history`
and exports byte-identical tables. PostgreSQL: pg_dump (through the same command) and
pg_restore, the commands in docs/deploy.md, round-trip the store.
"""

from __future__ import annotations

import multiprocessing
import shutil
import sqlite3
import subprocess
import traceback
import uuid
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from tests.conftest import ROOT, start_processes
from township_data import config
from township_data.backup import libpq_target, pg_tool
from township_data.cli import main
from township_data.store import Store, dispose_engines, open_store
from township_data.workbook import read_workbook

SAMPLES = sorted((ROOT / "sample_data").glob("*.xlsx"))


def _import(store: Store, catalogue, paths: list[Path]) -> None:
    for path in paths:
        store.import_workbook(read_workbook(path.read_bytes(), path.name, catalogue), "测试")


def _import_with_a_restore(store: Store, catalogue, tmp_path: Path) -> None:
    """Three months, then January again with one figure changed, then January's first version
    restored: a history with every kind of entry."""
    _import(store, catalogue, SAMPLES[:3])
    book = load_workbook(SAMPLES[0])
    sheet = book["安全生产"]
    cell = next(c for row in sheet.iter_rows(min_row=3) for c in row if isinstance(c.value, int))
    cell.value += 1
    changed = tmp_path / "2023-01（更正）.xlsx"
    book.save(changed)
    _import(store, catalogue, [changed])
    assert store.restore(1, "测试").changed


def _state(store: Store) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Everything a copy must agree on: versions, current values and the kept monthly totals."""
    current = store.current().sort_values(["area", "month", "village", "indicator"])
    totals = store.totals()
    totals = totals.sort_values(list(totals.columns[:-1])) if not totals.empty else totals
    return store.history(), current.reset_index(drop=True), totals.reset_index(drop=True)


def _assert_same_state(copy: Store, live: Store) -> None:
    for got, want in zip(_state(copy), _state(live), strict=True):
        pd.testing.assert_frame_equal(got, want)


def _write_lock_held(path: Path) -> bool:
    """Whether another connection holds the database's write lock (BEGIN IMMEDIATE fails)."""
    conn = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError as exc:
        assert "locked" in str(exc)
        return True
    finally:
        conn.close()


def _import_and_pause(url, township, name, path, written, proceed, results) -> None:
    """Another process: import `path`, stopping inside the write transaction once every row of
    the new version is written (nothing committed) until the test says `proceed`."""
    from township_data import store as store_module
    from township_data.catalogue import load_catalogue

    try:
        write_totals = store_module.Store._write_totals

        def write_then_wait(self, conn, slices, packed, *fresh) -> None:
            write_totals(self, conn, slices, packed, *fresh)
            written.set()
            if not proceed.wait(timeout=120):
                raise TimeoutError("the test never let the import finish")

        store_module.Store._write_totals = write_then_wait
        parsed = read_workbook(Path(path).read_bytes(), Path(path).name, load_catalogue())
        result = Store(url, township, name).import_workbook(parsed, "另一个进程")
        results.put(("ok", result.version_id))
    except BaseException:
        results.put(("failed", traceback.format_exc()))
        raise


def _restored(backup: Path, folder: Path) -> Path:
    """The SQLite restore of docs/deploy.md: the backup file becomes the data folder's database."""
    folder.mkdir(parents=True)
    shutil.copy(backup, folder / config.DATABASE_FILE_NAME)
    return folder


def _cli_output(capsys, *args: str) -> str:
    capsys.readouterr()
    assert main(list(args)) == 0
    return capsys.readouterr().out


def _exports(folder: Path, out: Path, catalogue, capsys) -> dict[str, bytes]:
    """Every area's table as CSV, the 打擂 ranking and the half-year report, from `folder`."""
    out.mkdir()
    data = ["--data-dir", str(folder)]
    files = {}
    for area in catalogue.sheet_names:
        target = out / f"{area}.csv"
        _cli_output(capsys, "export", "--area", area, "--out", str(target), *data)
        files[target.name] = target.read_bytes()
    rank = out / "rank.csv"
    _cli_output(capsys, "rank", "--month", "2023-03", "--out", str(rank), *data)
    report = out / "report.md"
    _cli_output(
        capsys, "report", "--from", "2023-01", "--to", "2023-06", "--out", str(report), *data
    )
    return {**files, rank.name: rank.read_bytes(), report.name: report.read_bytes()}


def test_sqlite_backup_while_another_process_imports(
    data_dir: Path, catalogue, tmp_path: Path, capsys
) -> None:
    store = open_store(data_dir, catalogue)
    _import_with_a_restore(store, catalogue, tmp_path)
    before = _state(store)
    ctx = multiprocessing.get_context("spawn")
    written, proceed, results = ctx.Event(), ctx.Event(), ctx.Queue()
    importer = ctx.Process(
        target=_import_and_pause,
        args=(
            store.url,
            store.township,
            catalogue.township_name,
            SAMPLES[3],
            written,
            proceed,
            results,
        ),
    )
    database = data_dir / config.DATABASE_FILE_NAME
    start_processes(importer)
    try:
        assert written.wait(timeout=120), "the import never reached its last write"
        assert _write_lock_held(database)
        during = _backup(data_dir, tmp_path / "during.sqlite3", capsys)
        # The backup neither waited for the import nor ended it: the lock is still held.
        assert _write_lock_held(database)
    finally:
        proceed.set()
    status, detail = results.get(timeout=120)
    importer.join(timeout=60)
    assert status == "ok", detail
    assert importer.exitcode == 0
    after = _backup(data_dir, tmp_path / "after.sqlite3", capsys)

    copy_during = open_store(_restored(during, tmp_path / "restored-during"), catalogue)
    assert detail not in copy_during.history()["id"].tolist()
    for got, want in zip(_state(copy_during), before, strict=True):
        pd.testing.assert_frame_equal(got, want)
    restored = _restored(after, tmp_path / "restored-after")
    copy_after = open_store(restored, catalogue)
    assert detail in copy_after.history()["id"].tolist()
    _assert_same_state(copy_after, store)

    history = _cli_output(capsys, "history", "--data-dir", str(data_dir))
    assert _cli_output(capsys, "history", "--data-dir", str(restored)) == history
    assert "另一个进程" in history and "恢复" in history
    live = _exports(data_dir, tmp_path / "live-exports", catalogue, capsys)
    assert _exports(restored, tmp_path / "copy-exports", catalogue, capsys) == live


def _backup(data_dir: Path, out: Path, capsys) -> Path:
    printed = _cli_output(capsys, "backup", "--out", str(out), "--data-dir", str(data_dir))
    assert "已备份 SQLite 数据库" in printed and str(out) in printed
    with sqlite3.connect(out) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert not list(out.parent.glob(f".{out.name}.partial"))
    return out


def test_backup_refuses_to_overwrite_or_to_copy_nothing(data_dir: Path, tmp_path, capsys) -> None:
    out = tmp_path / "kept.sqlite3"
    out.write_bytes(b"an earlier backup")
    assert main(["backup", "--out", str(out), "--data-dir", str(data_dir)]) == 1
    assert "已存在，没有覆盖" in capsys.readouterr().err
    assert out.read_bytes() == b"an earlier backup"
    fresh = tmp_path / "new.sqlite3"
    assert main(["backup", "--out", str(fresh), "--data-dir", str(tmp_path / "none")]) == 1
    assert "数据库文件" in capsys.readouterr().err and not fresh.exists()
    assert main(["backup", "--out", str(tmp_path / "no" / "b.sqlite3")]) == 1
    assert "文件夹" in capsys.readouterr().err


# ------------------------------------------------------------------ PostgreSQL


@pytest.fixture
def two_databases(postgres_server: str) -> Iterator[tuple[str, str]]:
    """A source and an empty target database on the test cluster, dropped afterwards."""
    admin = sa.create_engine(postgres_server, isolation_level="AUTOCOMMIT")
    names = [f"backup_{kind}_{uuid.uuid4().hex[:8]}" for kind in ("src", "dst")]
    with admin.connect() as conn:
        for name in names:
            conn.exec_driver_sql(f"CREATE DATABASE {name}")
    base = sa.engine.make_url(postgres_server)
    urls = [base.set(database=name).render_as_string(hide_password=False) for name in names]
    try:
        yield urls[0], urls[1]
    finally:
        dispose_engines()
        with admin.connect() as conn:
            for name in names:
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.dispose()


def _pg_exports(url: str, out: Path, catalogue, monkeypatch, capsys) -> tuple[str, dict]:
    monkeypatch.setenv("TOWNSHIP_DATABASE_URL", url)
    history = _cli_output(capsys, "history")
    out.mkdir()
    files = {}
    for area in catalogue.sheet_names:
        target = out / f"{area}.csv"
        _cli_output(capsys, "export", "--area", area, "--out", str(target))
        files[area] = target.read_bytes()
    return history, files


@pytest.mark.postgres
def test_postgres_round_trip_with_pg_dump_and_pg_restore(
    two_databases, catalogue, tmp_path: Path, monkeypatch, capsys
) -> None:
    source, target = two_databases
    store = Store(source, catalogue.township_key, catalogue.township_name)
    _import_with_a_restore(store, catalogue, tmp_path)
    dump = tmp_path / "county.dump"
    monkeypatch.setenv("TOWNSHIP_DATABASE_URL", source)
    printed = _cli_output(capsys, "backup", "--out", str(dump))
    assert "PostgreSQL" in printed and "pg_restore" in printed
    assert dump.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom archive
    # The restore of docs/deploy.md: pg_restore into an empty database.
    dbname, env = libpq_target(target)
    done = subprocess.run(
        [pg_tool("pg_restore"), "--no-owner", f"--dbname={dbname}", str(dump)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    live = _pg_exports(source, tmp_path / "live", catalogue, monkeypatch, capsys)
    copy = _pg_exports(target, tmp_path / "copy", catalogue, monkeypatch, capsys)
    assert copy == live
    assert "恢复" in live[0] and len(live[0].splitlines()) == 6  # header, 4 imports, 1 restore
    _assert_same_state(Store(target, catalogue.township_key), store)
