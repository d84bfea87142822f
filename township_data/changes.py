"""What an upload or a restore would change, and the import itself, for the browser pages.

The upload and history pages show a preview before anything is written: new values, replaced
values (old → new), values that become 未报, the areas and months touched, and the warnings of
`checks`. A preview remembers the store revision it was computed against; confirming passes that
revision to the store, which refuses the write when another import landed in between, so what
was confirmed is what is stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

from . import checks, config, formatting, merging, months, packing
from .catalogue import TOWN, Catalogue
from .errors import Problem, StoreError, WorkbookError
from .gc_pause import gc_paused
from .parsed import ParsedWorkbook, to_frame
from .store import ACTIONS, KEY, KEYED, ChangeResult, Store, compare, summarise_slices
from .workbook import read_workbook

ADDED, REPLACED, REMOVED, SAME = "新增", "修改", "改为未报", "不变"
CHANGE_KINDS = (REPLACED, ADDED, REMOVED)
MAX_FILES = 60
_TRIES = 3


@dataclass(frozen=True)
class FileSummary:
    """One uploaded file as the preview lists it: what it holds and whom it repeats."""

    file_name: str
    summary: str  # areas and months
    villages: tuple[str, ...]  # the villages (and 全镇) whose rows it holds, catalogue order
    value_count: int
    repeated: tuple[str, ...]  # villages that had data in those slices before this upload


@dataclass
class Preview:
    """The effect of a confirm, computed against one store revision."""

    revision: int
    changes: pd.DataFrame
    slices: list[tuple[str, str]]
    notices: list[checks.Notice] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    files: list[FileSummary] = field(default_factory=list)
    replace: bool = False
    untouched: int = 0  # villages with data in the touched slices that the upload leaves as is
    warnings: list[str] = field(default_factory=list)
    # The merges this preview shows (an import confirmed at its revision stores exactly them).
    merges: list[merging.FileMerge] = field(default_factory=list, repr=False)

    @property
    def counts(self) -> dict[str, int]:
        counted = self.changes["change"].value_counts()
        return {kind: int(counted.get(kind, 0)) for kind in (ADDED, REPLACED, REMOVED, SAME)}

    @property
    def changes_anything(self) -> bool:
        counts = self.counts
        return any(counts[k] for k in CHANGE_KINDS)

    @property
    def summary(self) -> str:
        return summarise_slices(self.slices)


def safe_file_name(name: str) -> str:
    """The base name a browser sent, cut to what the versions table holds."""
    base = PurePath(name.replace("\\", "/")).name.strip() or "未命名.xlsx"
    return base[:200]


def read_all(
    files: list[tuple[str, bytes]], catalogue: Catalogue, month: str | None = None
) -> tuple[list[ParsedWorkbook], list[Problem]]:
    """Validate every uploaded file; all problems of all files at once, in upload order.

    Files that are valid one by one are also checked against each other: two files giving one
    cell different values are refused with both places named (merging.conflicts).
    """
    if len(files) > MAX_FILES:
        return [], [
            Problem(
                f"一次上传了 {len(files)} 个文件，最多 {MAX_FILES} 个",
                hint="请分几次上传",
            )
        ]
    parsed: list[ParsedWorkbook] = []
    problems: list[Problem] = []

    def read(item: tuple[str, bytes]) -> ParsedWorkbook | WorkbookError:
        try:
            return read_workbook(item[1], safe_file_name(item[0]), catalogue, month)
        except WorkbookError as exc:
            return exc

    # One file after another: a large workbook's sheets are parsed beside its checks already
    # (workbook/reader.py), and reading two files at once only made the two threads wait for
    # the interpreter in turn (a month's 17 village files took 120-180 ms so, 90 ms in turn).
    with gc_paused():  # for the whole upload, not file by file (see gc_pause.py)
        for found in map(read, files):
            if isinstance(found, WorkbookError):
                problems += found.problems
            else:
                parsed.append(found)
    if not problems:
        problems = merging.conflicts(parsed)
    return parsed, problems


def problem_table(problems: list[Problem]) -> pd.DataFrame:
    """The error table of the upload page: 文件, 工作表, 单元格, 问题, 处理建议."""
    columns = ["文件", "工作表", "单元格", "问题", "处理建议"]
    return pd.DataFrame([p.as_row() for p in problems], columns=columns)


def _stable(store: Store, compute: Callable[[], Preview]) -> Preview:
    """Compute a preview between two equal revision reads, so it matches the revision it names.

    Every write bumps the revision, so equal reads before and after mean no write landed while
    the preview was being computed.
    """
    for _ in range(_TRIES):
        before = store.revision()
        with gc_paused():
            preview = compute()
        preview.revision = before
        if store.revision() == before:
            return preview
    raise StoreError(
        problems=[Problem("数据正在被频繁更新，暂时无法计算预览", hint="请稍后刷新页面再试")],
        title="请稍后再试",
    )


def _covered(files: list[ParsedWorkbook]) -> pd.DataFrame:
    """(area, month, village, indicator) of every cell the files hold, filled or 未报."""
    cells = {
        (area, month, village, name)
        for parsed in files
        for area, month, village, _sheet, values, _cells in parsed.rows
        for name in dict.fromkeys([*parsed.columns.get(area, []), *values])
    }
    return pd.DataFrame(sorted(cells), columns=KEY)


def _batch_start(merges: list[merging.FileMerge]) -> dict[tuple[str, str], packing.Slice | None]:
    """Each touched slice as it was before the upload (before the first file touching it)."""
    start: dict[tuple[str, str], packing.Slice | None] = {}
    for merge in merges:
        for key, piece in merge.before.items():
            start.setdefault(key, piece)
    return start


def _merged_changes(merges: list[merging.FileMerge], files: list[ParsedWorkbook]) -> pd.DataFrame:
    """Every value the batch adds, replaces or turns into 未报, and the files' own values that
    stay the same (不变); the other villages' values, left as they were, are not listed."""
    before = _batch_start(merges)
    old = packing.long_frame([p for p in before.values() if p is not None])
    new = packing.long_frame(list(merging.final_slices(merges).values()))
    changes = compare(old[KEYED], new[KEYED])
    same = changes["change"] == SAME
    if same.any():
        inside = changes[same].merge(_covered(files), on=KEY, how="left", indicator=True)
        keep = inside["_merge"].eq("both").to_numpy()
        changes = pd.concat([changes[~same], changes[same][keep]], ignore_index=True).sort_values(
            KEY, ignore_index=True
        )
    return changes


def _file_summaries(
    merges: list[merging.FileMerge], catalogue: Catalogue
) -> tuple[list[FileSummary], int]:
    """Per file: its villages and the ones it repeats; and how many villages with data in the
    touched slices no file of the batch holds (they keep their values)."""
    order = {name: i for i, name in enumerate([*catalogue.village_names, TOWN])}
    start = _batch_start(merges)
    summaries, held, had = [], set(), set()
    for merge in merges:
        parsed = merge.parsed
        villages = {r[2] for r in parsed.rows}
        repeated = set()
        for key in parsed.slices:
            before = start.get(key)
            earlier = set(before.villages) if before is not None else set()
            repeated |= earlier & set(parsed.villages(*key))
            had |= {(key, v) for v in earlier}
            held |= {(key, v) for v in parsed.villages(*key)}
        summaries.append(
            FileSummary(
                parsed.file_name,
                summarise_slices(parsed.slices),
                tuple(sorted(villages, key=lambda v: order.get(v, len(order)))),
                parsed.value_count,
                tuple(sorted(repeated, key=lambda v: order.get(v, len(order)))),
            )
        )
    untouched = len({v for (_, v) in had - held})
    return summaries, untouched


def preview_import(
    store: Store, parsed: list[ParsedWorkbook], catalogue: Catalogue, replace: bool = False
) -> Preview:
    """What importing these validated files (in this order) would change, and what to check.

    Computed by the same merge the store's write runs (merging.py), so the preview is what a
    confirm stores.
    """
    if not parsed:
        raise ValueError("preview_import needs at least one parsed workbook")

    def compute() -> Preview:
        merges = store.merge_preview(parsed, replace)
        slices = sorted({s for item in parsed for s in item.slices}, key=_slice_order(catalogue))
        changes = _merged_changes(merges, parsed)
        previous = checks.previous_slices(slices)
        stored = store.current(
            areas=sorted({a for a, _ in previous}),
            first=min(m for _, m in previous),
            last=max(m for _, m in previous),
        )
        final = packing.long_frame(list(merging.final_slices(merges).values()))
        uploaded = to_frame(row for item in parsed for row in item.value_rows())
        found = checks.notices(uploaded, stored, slices, catalogue, final=final)
        notes, warnings = [], []
        for item in parsed:
            notes += [f"“{item.file_name}”：{note}" for note in item.notes]
            warnings += [f"“{item.file_name}”：{text}" for text in item.warnings]
            if item.ignored_sheets:
                notes.append(
                    f"“{item.file_name}”中未导入的工作表：{'、'.join(item.ignored_sheets)}"
                )
        files, untouched = _file_summaries(merges, catalogue)
        return Preview(
            0, changes, slices, found, notes, files, replace, untouched, warnings, merges
        )

    return _stable(store, compute)


def preview_restore(store: Store, version_id: int, catalogue: Catalogue) -> Preview:
    """What making an earlier version current again would change."""

    def compute() -> Preview:
        slices = sorted(store.version_slices(version_id), key=_slice_order(catalogue))
        changes = store.diff(store.version_values(version_id), slices)
        return Preview(0, changes, slices)

    return _stable(store, compute)


def _slice_order(catalogue: Catalogue) -> Callable[[tuple[str, str]], tuple[int, str]]:
    order = {name: i for i, name in enumerate(catalogue.sheet_names)}
    return lambda s: (order.get(s[0], len(order)), s[1])


@dataclass
class ImportOutcome:
    """What a confirmed import stored, and the refusal that stopped it, if any."""

    results: list[ChangeResult]
    error: StoreError | None = None

    @property
    def stored(self) -> list[ChangeResult]:
        return [r for r in self.results if r.changed]


def import_all(
    store: Store,
    parsed: list[ParsedWorkbook],
    user: str,
    expected_revision: int,
    replace: bool = False,
    preview: Preview | None = None,
) -> ImportOutcome:
    """Import the files in order in one transaction, each as its own version.

    The write starts only from the previewed revision, so a write by anyone else in between
    stores nothing: what is stored is always what the preview showed, never a mix (and the
    preview's own merges are stored, not computed again).
    """
    prepared = preview.merges if preview is not None and preview.merges else None
    try:
        return ImportOutcome(store.import_files(parsed, user, expected_revision, replace, prepared))
    except StoreError as exc:
        return ImportOutcome([], exc)


def result_line(result: ChangeResult) -> str:
    """One line per stored file: the store's message and its counts."""
    if not result.changed:
        return result.message
    return (
        f"{result.message}（新增 {result.added} 项，修改 {result.replaced} 项，"
        f"改为未报 {result.removed} 项，不变 {result.unchanged} 项）"
    )


# ------------------------------------------------------------------ tables for the pages


def _units(catalogue: Catalogue) -> dict[tuple[str, str], str]:
    return {
        (i.area, i.name): ("分" if i.kind == "score" else i.unit)
        for i in [*catalogue.all_indicators(), *catalogue.contest.columns]
    }


def change_table(changes: pd.DataFrame, catalogue: Catalogue, kind: str) -> pd.DataFrame:
    """Rows of one kind of change, in Chinese: 领域, 月份, 村（社区）, 指标, 原值, 新值.

    Numbers carry units and thousands separators; a value that does not exist shows 未报.
    """
    columns = ["领域", "月份", "村（社区）", "指标", "原值", "新值"]
    rows = changes[changes["change"] == kind]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    units = _units(catalogue)
    order = {name: i for i, name in enumerate([*catalogue.village_names, TOWN])}
    rows = rows.assign(_v=rows["village"].map(order)).sort_values(["month", "area", "_v"])
    return pd.DataFrame(
        {
            "领域": rows["area"],
            "月份": rows["month"].map(months.label),
            "村（社区）": rows["village"],
            "指标": rows["indicator"],
            "原值": [
                formatting.number(v, units.get((a, i), ""))
                for v, a, i in zip(rows["old"], rows["area"], rows["indicator"], strict=True)
            ],
            "新值": [
                formatting.number(v, units.get((a, i), ""))
                for v, a, i in zip(rows["new"], rows["area"], rows["indicator"], strict=True)
            ],
        }
    ).reset_index(drop=True)


def slice_table(preview: Preview, catalogue: Catalogue) -> pd.DataFrame:
    """One row per (area, month) touched, with how many values are added, replaced, removed."""
    columns = ["领域", "月份", ADDED, REPLACED, REMOVED, SAME]
    changes = preview.changes
    counts = (
        changes.groupby(["area", "month", "change"]).size().unstack(fill_value=0)
        if not changes.empty
        else pd.DataFrame()
    )
    rows = []
    for area, month in preview.slices:
        row: dict[str, object] = {"领域": area, "月份": months.label(month)}
        for kind in (ADDED, REPLACED, REMOVED, SAME):
            has = (area, month) in counts.index and kind in counts.columns
            row[kind] = int(counts.loc[(area, month), kind]) if has else 0
        rows.append(row)
    return pd.DataFrame(rows, columns=columns)


def _zone() -> dt.tzinfo:
    try:
        return ZoneInfo(config.DISPLAY_TIMEZONE)
    except ZoneInfoNotFoundError:
        return dt.timezone(dt.timedelta(hours=8), "北京时间")  # Asia/Shanghai has no DST


def beijing(utc: dt.datetime) -> dt.datetime:
    """A stored (naive UTC) time in Beijing time (the office's clock and calendar)."""
    aware = utc.replace(tzinfo=dt.UTC) if utc.tzinfo is None else utc
    return aware.astimezone(_zone())


def local_time(utc: dt.datetime) -> str:
    """A stored (naive UTC) time as the office reads it: Beijing time, to the second."""
    return beijing(utc).strftime("%Y-%m-%d %H:%M:%S")


def action_label(action: str, restored_from: Any) -> str:
    label = ACTIONS.get(action, action)
    if action == "restore" and not formatting.is_missing(restored_from):
        label += f"（自版本 {int(restored_from)}）"
    return label


def history_table(history: pd.DataFrame) -> pd.DataFrame:
    """Every import and restore, newest first, as the history page shows it."""
    columns = [
        "版本",
        "时间（北京时间）",
        "操作",
        "操作人",
        "文件",
        "领域和月份",
        "数值条数",
        "当前数据",
        "SHA-256",
    ]
    if history.empty:
        return pd.DataFrame(columns=columns)
    return pd.DataFrame(
        {
            "版本": history["id"].astype(int),
            "时间（北京时间）": history["created_at"].map(local_time),
            "操作": [
                action_label(a, r)
                for a, r in zip(history["action"], history["restored_from"], strict=True)
            ],
            "操作人": history["created_by"],
            "文件": history["file_name"],
            "SHA-256": history["sha256"].replace("", "—（恢复操作，无新文件）"),
            "领域和月份": history["summary"],
            "数值条数": history["value_count"].map(formatting.number),
            "当前数据": history["is_current"].map({True: "是", False: ""}),
        },
        columns=columns,
    ).reset_index(drop=True)


def version_label(row: pd.Series) -> str:
    """'版本 12 · 2024-04-02 09:15 · 导入 · 2024-03.xlsx' for the version picker."""
    when = local_time(row["created_at"])[:16]
    return f"版本 {int(row['id'])} · {when} · {action_label(row['action'], row['restored_from'])} · {row['file_name']}"


def version_table(
    values: pd.DataFrame, catalogue: Catalogue, area: str, month: str
) -> pd.DataFrame:
    """One slice of a version as the workbook sheet looked: villages × indicators.

    未报 where a value is missing, "—" where that row does not fill that indicator.
    """
    indicators = catalogue.sheet_indicators(area)
    cut = values[(values["area"] == area) & (values["month"] == month)]
    rows = list(catalogue.village_names)
    if area != catalogue.contest.sheet and any(i.town_row for i in indicators):
        rows.append(TOWN)
    wide = cut.pivot_table(
        index="village", columns="indicator", values="value", aggfunc="first"
    ).reindex(index=rows, columns=[i.name for i in indicators])
    table = pd.DataFrame({"村（社区）": rows})
    for ind in indicators:
        table[ind.label] = [
            formatting.number(value)
            if (ind.town_row if village == TOWN else ind.village_rows)
            else "—"
            for village, value in zip(rows, wide[ind.name], strict=True)
        ]
    return table
