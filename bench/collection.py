"""Village-by-village collection (issue 13): a month sent as one file per village, through the
upload's preview and confirm, against the same month as one workbook.

The village files are cut from the month's workbook (title and header kept, one village's rows
each, the 全镇 rows in a file of their own), so both ways store exactly the same values; each
run starts from a copy of the same store (every earlier month imported).
"""

from __future__ import annotations

import shutil
import statistics
import time
from pathlib import Path

USER = "基准测试"
TARGET_VILLAGE_FILES = 2.0


def village_files(month_book: Path, folder: Path) -> list[Path]:
    """One file per row label (village or 全镇) of the month's workbook, as villages send them."""
    from openpyxl import Workbook, load_workbook

    source = load_workbook(month_book, read_only=True)
    sheets = {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in source}
    labels = list(dict.fromkeys(row[0] for rows in sheets.values() for row in rows[2:]))
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for label in labels:
        book = Workbook(write_only=True)
        for title, rows in sheets.items():
            mine = [row for row in rows[2:] if row[0] == label]
            if not mine:
                continue
            ws = book.create_sheet(title)
            for row in [*rows[:2], *mine]:
                ws.append(row)
        path = folder / f"{month_book.stem}_{label}.xlsx"
        book.save(path)
        paths.append(path)
    return paths


def collect_once(paths: list[Path], catalogue, folder: Path, base: Path) -> float:
    """Validate, preview and confirm these files as the upload page does, on a copy of `base`."""
    from township_data import changes
    from township_data.store import Store, dispose_engines

    if folder.exists():
        dispose_engines()
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    shutil.copy(base / "township.sqlite3", folder / "township.sqlite3")
    store = Store(f"sqlite:///{folder / 'township.sqlite3'}", catalogue.township_key)
    contents = [(p.name, p.read_bytes()) for p in paths]
    store.revision()
    start = time.perf_counter()
    parsed, problems = changes.read_all(contents, catalogue)
    if problems:
        raise RuntimeError(f"{problems[0]}")
    preview = changes.preview_import(store, parsed, catalogue)
    outcome = changes.import_all(store, parsed, USER, preview.revision, preview=preview)
    elapsed = time.perf_counter() - start
    if outcome.error or not outcome.stored:
        raise RuntimeError(f"nothing stored: {outcome.error}")
    return elapsed


def measure(month_book: Path, catalogue, scratch: Path, base: Path, repeat: int) -> dict:
    """Seconds for the one workbook and for the village files (medians), and their ratio."""
    singles = village_files(month_book, scratch / "villages")
    one = statistics.median(
        collect_once([month_book], catalogue, scratch / f"one_{i}", base) for i in range(repeat)
    )
    many = statistics.median(
        collect_once(singles, catalogue, scratch / f"many_{i}", base) for i in range(repeat)
    )
    return {"files": len(singles), "one_workbook": one, "village_files": many, "ratio": many / one}


def report_lines(found: dict) -> list[str]:
    flag = "达标" if found["ratio"] <= TARGET_VILLAGE_FILES else "未达标"
    return [
        "",
        "village collection (validate + preview + confirm, one month)",
        f"{'one workbook':<44} {found['one_workbook']:11.3f} s",
        f"{found['files']} village files{'':<28} {found['village_files']:11.3f} s"
        f"   {found['ratio']:.2f}× one workbook (≤ {TARGET_VILLAGE_FILES:g}×) {flag}",
    ]
