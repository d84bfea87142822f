"""What the store hands back and the small helpers its reads and writes share."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .. import months

KEY = ["area", "month", "village", "indicator"]
KEYED = [*KEY, "value"]
# A version's values with where each came from: an import merged by village holds values of
# earlier versions too (their file, sheet and cell).
VERSION_COLUMNS = [
    "area",
    "indicator",
    "village",
    "month",
    "value",
    "sheet",
    "cell",
    "version_id",
    "file_name",
]
ACTIONS = {"import": "导入", "restore": "恢复"}


@dataclass(frozen=True)
class SavedText:
    """The office's words for one part of the 工作总结 of one period, and who saved them."""

    body: str
    updated_at: dt.datetime
    updated_by: str


@dataclass
class ChangeResult:
    """What an import or restore did, for the summary printed or shown to the user."""

    changed: bool
    message: str
    version_id: int | None = None
    slices: list[tuple[str, str]] = field(default_factory=list)
    added: int = 0
    replaced: int = 0
    removed: int = 0
    unchanged: int = 0
    revision: int | None = None
    events_added: int = 0


class NoChange(Exception):
    """Raised inside a write transaction to roll it back and report that nothing changed."""

    def __init__(self, result: ChangeResult, results: list[ChangeResult] | None = None) -> None:
        super().__init__(result.message)
        self.result = result
        self.results = results


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def summarise_slices(slices: list[tuple[str, str]]) -> str:
    """'2024年3月：安全生产、党建引领' — areas grouped by the months they cover."""
    by_area: dict[str, list[str]] = {}
    for area, month in slices:
        by_area.setdefault(area, []).append(month)
    by_span: dict[str, list[str]] = {}
    for area, ms in by_area.items():
        ms.sort()
        span = (
            months.label(ms[0])
            if len(ms) == 1
            else f"{months.label(ms[0])}–{months.label(ms[-1])}（{len(ms)}个月）"
        )
        by_span.setdefault(span, []).append(area)
    return "；".join(f"{span}：{'、'.join(areas)}" for span, areas in by_span.items())


def summary_areas(summary: str) -> dict[str, int]:
    """Each area's position in a `summarise_slices` text, so a restore keeps the import's order."""
    order: dict[str, int] = {}
    for part in summary.split("；"):
        for area in part.partition("：")[2].split("、"):
            if area:
                order.setdefault(area, len(order))
    return order


def rows_frame(rows: Sequence, columns: list[str]) -> pd.DataFrame:
    """Result rows as a DataFrame, column by column.

    Handing SQLAlchemy Row objects to the DataFrame constructor makes pandas probe every row
    for attributes, each probe a caught exception: several times slower for 100,000 rows.
    """
    if not rows:
        return pd.DataFrame(columns=columns)
    return pd.DataFrame(dict(zip(columns, map(list, zip(*rows, strict=True)), strict=True)))


def insert_many(conn: Connection, table: sa.Table, columns: list[str], rows: list[tuple]) -> None:
    """Insert many rows through the driver's executemany, without building a dict per row.

    The statement is compiled by SQLAlchemy for the connection's dialect (qmark on SQLite,
    pyformat on PostgreSQL), once per table, columns and dialect, so it stays portable; rows
    are tuples in `columns` order. Roughly twice as fast as executing the Core insert with a
    list of dicts.
    """
    if not rows:
        return
    sql, order = _compiled_insert(table, tuple(columns), conn.dialect)
    if order is None:
        conn.exec_driver_sql(sql, [dict(zip(columns, row, strict=True)) for row in rows])
        return
    if order != list(range(len(columns))):
        rows = [tuple(row[i] for i in order) for row in rows]
    conn.exec_driver_sql(sql, rows)


_COMPILED: dict[tuple, tuple[str, list[int] | None]] = {}


def _compiled_insert(
    table: sa.Table, columns: tuple[str, ...], dialect
) -> tuple[str, list[int] | None]:
    """The insert's SQL, and the order of its positional parameters (None: named ones)."""
    key = (table.name, columns, dialect.name, dialect.paramstyle)
    found = _COMPILED.get(key)
    if found is None:
        compiled = table.insert().compile(dialect=dialect, column_keys=list(columns))
        order = (
            [columns.index(name) for name in compiled.positiontup or ()]
            if compiled.positional
            else None
        )
        found = (str(compiled), order)
        _COMPILED[key] = found
    return found


def compare(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """Outer-join old and new values on the key and label each row's change in Chinese."""
    merged = old[KEYED].merge(new[KEYED], on=KEY, how="outer", suffixes=("_old", "_new"))
    merged = merged.rename(columns={"value_old": "old", "value_new": "new"})
    has_old, has_new = merged["old"].notna(), merged["new"].notna()
    same = has_old & has_new & ((merged["old"] - merged["new"]).abs() < 1e-9)
    merged["change"] = "修改"
    merged.loc[~has_old, "change"] = "新增"
    merged.loc[~has_new, "change"] = "改为未报"
    merged.loc[same, "change"] = "不变"
    return merged.sort_values(KEY, ignore_index=True)
