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


def village_files(
    month_book: Path, folder: Path, villages: int | None = None
) -> tuple[Path, list[Path]]:
    """The month as one workbook, and as one file per row label (village or 全镇), as villages
    send them: the first `villages` villages of the month's workbook (all when None) and the
    全镇 rows, so both ways hold exactly the same values."""
    from openpyxl import Workbook, load_workbook

    source = load_workbook(month_book, read_only=True)
    sheets = {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in source}
    labels = list(dict.fromkeys(row[0] for rows in sheets.values() for row in rows[2:]))
    kept = [*[label for label in labels if label != "全镇"][:villages], "全镇"]
    folder.mkdir(parents=True, exist_ok=True)

    def write(path: Path, chosen: list[object]) -> Path:
        book = Workbook(write_only=True)
        for title, rows in sheets.items():
            mine = [row for row in rows[2:] if row[0] in chosen]
            if not mine:
                continue
            ws = book.create_sheet(title)
            for row in [*rows[:2], *mine]:
                ws.append(row)
        book.save(path)
        return path

    whole = write(folder / f"{month_book.stem}.xlsx", kept)
    return whole, [write(folder / f"{month_book.stem}_{label}.xlsx", [label]) for label in kept]


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
    """Seconds for the one workbook and for the village files (medians of runs taken in turns,
    so a shared machine's slow spells fall on both alike), and their ratio: for sixteen
    villages, as issue 13 asks (the target), and for every village of the bench township."""
    found = {}
    for label, villages in (("sixteen", 16), ("all", None)):
        whole, singles = village_files(month_book, scratch / f"villages_{label}", villages)
        one, many = [], []
        for i in range(repeat):
            one.append(collect_once([whole], catalogue, scratch / f"one_{i}", base))
            many.append(collect_once(singles, catalogue, scratch / f"many_{i}", base))
        found[label] = {
            "files": len(singles),
            "one_workbook": statistics.median(one),
            "village_files": statistics.median(many),
            "ratio": statistics.median(many) / statistics.median(one),
        }
    return found


def report_lines(found: dict) -> list[str]:
    lines = ["", "village collection (validate + preview + confirm, one month)"]
    for label, item in found.items():
        target = label == "sixteen"
        flag = (
            ("达标" if item["ratio"] <= TARGET_VILLAGE_FILES else "未达标") if target else "(info)"
        )
        lines += [
            f"{'one workbook, ' + str(item['files'] - 1) + ' villages + 全镇':<44} "
            f"{item['one_workbook']:11.3f} s",
            f"{str(item['files']) + ' files, one per village + 全镇':<44} "
            f"{item['village_files']:11.3f} s   {item['ratio']:.2f}× one workbook"
            + (f" (≤ {TARGET_VILLAGE_FILES:g}×) " if target else " ")
            + flag,
        ]
    return lines
