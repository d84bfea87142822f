"""`move`: a township's SQLite store copied into another database, every version kept.

Run with the target on PostgreSQL (the county's server) and on another SQLite file.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, build_workbook
from tests.test_store import safety
from township_data import config, move
from township_data.catalogue import load_catalogue
from township_data.events import Event
from township_data.sample import load_into
from township_data.store import Store, dispose_engines, open_store
from township_data.workbook import read_workbook


def cli(*args: str, data_dir: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`python -m township_data …`: on the SQLite store of `data_dir`, else on the store that
    TOWNSHIP_DATABASE_URL names (the target the database_url fixture sets)."""
    extra = ["--data-dir", str(data_dir)] if data_dir else []
    return subprocess.run(
        [sys.executable, "-m", "township_data", *args, *extra],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A data folder whose SQLite store holds the 24 sample months (and the sample's corrected
    June), a corrected month, a restore, a saved report text and the sample's 16 大事记: every
    table has rows. Built once; tests copy it."""
    folder = tmp_path_factory.mktemp("sample-store")
    catalogue = load_catalogue(config.DEFAULT_CATALOGUE)
    store = open_store(folder, catalogue)
    assert load_into(store, catalogue) == 25
    fixed = store.import_workbook(
        read_workbook(safety("2024-03", 10), "三月更正.xlsx", catalogue), "张三"
    )
    assert fixed.version_id == 26
    store.restore(15, "李四")  # the 2024-03 sample workbook's data current again
    store.save_report_text("2024-01", "2024-06", "存在不足", "部分村报送不及时。", "王五")
    dispose_engines()
    yield folder


@pytest.fixture
def source(sample_store: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "township-data"
    shutil.copytree(sample_store, folder)
    return folder


def counts(stdout: str) -> dict[str, tuple[int, int, str]]:
    """The per-table lines of the move's output: table → (source rows, target rows, check)."""
    rows = {}
    for line in stdout.splitlines():
        parts = line.split("\t")
        if len(parts) == 4 and parts[1].isdigit():
            table = parts[0][parts[0].index("（") + 1 : -1]
            rows[table] = (int(parts[1]), int(parts[2]), parts[3])
    return rows


def test_the_sample_store_moved_reads_the_same(
    source: Path, database_url: str, tmp_path: Path
) -> None:
    done = cli("move", "--to", database_url, data_dir=source)
    assert done.returncode == 0, done.stderr
    table = counts(done.stdout)
    assert table == {
        "townships": (1, 1, "一致"),
        # 25 sample files, the fix, the restore
        "versions": (27, 27, "一致"),
        # sheets: January 2023 has 9 (8 areas and 打擂), the 23 months after it 8 (疫情防控
        # ended): 9 + 23 × 8 = 193; the sample's corrected June 1, the fix 1, restored 8
        "version_slices": (203, 203, "一致"),
        "recorded_slices": (195, 195, "一致"),  # 193, the corrected June and the fix
        "current_slices": (193, 193, "一致"),
        # one row per indicator of every current slice: 93 in January 2023 (10 + 14 + 16 + 6 +
        # 8 + 8 + 5 + 20 + the 5 score items and 总分), 88 without 疫情防控: 93 + 23 × 88
        "monthly_totals": (2117, 2117, "一致"),
        "report_texts": (1, 1, "一致"),
        "events": (16, 16, "一致"),  # the sample's 大事记 (sample_events.py)
    }
    assert "已复制潭湾镇的 27 个版本，版本号 1–27 不变" in done.stdout

    before, after = cli("history", data_dir=source), cli("history")
    assert before.returncode == after.returncode == 0
    assert after.stdout == before.stdout and len(after.stdout.splitlines()) == 28
    old, new = tmp_path / "old.csv", tmp_path / "new.csv"
    assert cli("export", "--area", "安全生产", "--out", str(old), data_dir=source).returncode == 0
    assert cli("export", "--area", "安全生产", "--out", str(new)).returncode == 0
    assert new.read_bytes() == old.read_bytes() and len(old.read_bytes()) > 1000
    old, new = tmp_path / "old.md", tmp_path / "new.md"
    args = ("report", "--from", "2024-01", "--to", "2024-06", "--out")
    assert cli(*args, str(old), data_dir=source).returncode == 0
    assert cli(*args, str(new)).returncode == 0
    text = new.read_text(encoding="utf-8")
    assert text == old.read_text(encoding="utf-8") and "部分村报送不及时。" in text

    again = cli("move", "--to", database_url, data_dir=source)
    assert again.returncode == 1
    assert "已有数据（27 个版本，1 段工作总结文字）" in again.stderr
    assert "未复制任何数据" in again.stderr and "Traceback" not in again.stderr

    # The next version continues after the copied numbers (PostgreSQL's sequence was moved).
    target = Store(database_url, "tanwan", "潭湾镇")
    catalogue = load_catalogue(config.DEFAULT_CATALOGUE)
    result = target.import_workbook(
        read_workbook(safety("2024-03", 30), "三月再更正.xlsx", catalogue), "赵六"
    )
    assert result.version_id == 28


def test_another_township_whose_numbers_are_taken_needs_new_ids(
    source: Path, database_url: str, tmp_path: Path, county_catalogues: Path
) -> None:
    assert cli("move", "--to", database_url, data_dir=source).returncode == 0
    other = tmp_path / "shiqiao-data"
    catalogue = load_catalogue(township="shiqiao")
    store = open_store(other, catalogue)
    rows = [
        ["村（社区）", "月份", "检查生产经营单位"],
        ["柳溪村", "2024-03", 6],
        ["马鞍村", "2024-03", 8],
    ]
    for n, name in enumerate(("三月.xlsx", "三月更正.xlsx"), 1):
        data = build_workbook({"安全生产": [rows[0], *[[*r[:2], r[2] * n] for r in rows[1:]]]})
        store.import_workbook(read_workbook(data, name, catalogue), "石桥")
    assert store.restore(1, "石桥").version_id == 3
    # its 大事记 is number 1 in its own store, as 潭湾镇's first one is in the target
    store.add_events([Event("2024-03-08", "安全生产", "上级检查", "县安委会检查")], "石桥", "页")
    dispose_engines()
    before = cli("history", "--township", "shiqiao", data_dir=other)
    assert before.returncode == 0, before.stderr

    refused = cli("move", "--to", database_url, data_dir=other)
    assert refused.returncode == 1
    assert "版本号 1–3 有 3 个已被其他镇使用" in refused.stderr
    assert "加 --new-ids 可把复制的版本号顺延为从 28 起" in refused.stderr

    done = cli("move", "--to", database_url, "--new-ids", data_dir=other)
    assert done.returncode == 0, done.stderr
    assert "版本号顺延为 28–30（原版本号加 27）" in done.stdout
    assert counts(done.stdout)["recorded_slices"] == (2, 2, "一致")
    assert counts(done.stdout)["events"] == (1, 1, "一致")  # numbered afresh: no clash
    after = cli("history", "--township", "shiqiao")
    assert after.returncode == 0
    # Same history, numbers shifted by 27 (the restore names its source by the new number).
    lines = before.stdout.splitlines()
    shifted = [lines[0]]
    for line in lines[1:]:
        number, rest = line.split("\t", 1)
        shifted.append(f"{int(number) + 27}\t{rest.replace('自版本 1）', '自版本 28）')}")
    assert after.stdout.splitlines() == shifted
    tanwan = cli("history", "--township", "tanwan")
    assert tanwan.stdout == cli("history", "--township", "tanwan", data_dir=source).stdout


def test_move_refuses_the_same_database_and_unknown_townships(
    source: Path, database_url: str
) -> None:
    same = cli("move", "--to", config.database_url(source), data_dir=source)
    assert same.returncode == 1 and "源数据库和目标数据库是同一个" in same.stderr
    unknown = cli("move", "--to", database_url, "--township", "nowhere", data_dir=source)
    assert unknown.returncode == 1 and "没有代号为“nowhere”的镇" in unknown.stderr


def test_a_failed_count_check_rolls_the_whole_copy_back(
    source: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_copy = move._copy

    def lossy(src, dst, table, keys, offset):
        real_copy(src, dst, table, keys, offset)
        if table.name == "recorded_slices":
            dst.execute(table.delete().where(table.c.version_id == 5))

    monkeypatch.setattr(move, "_copy", lossy)
    with pytest.raises(move.StoreError, match=r"行数不一致.*历次导入的数据"):
        move.move(config.database_url(source), database_url)
    target = Store(database_url, "tanwan", "潭湾镇")
    assert target.is_empty() and target.history().empty
