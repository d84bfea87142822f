"""The versioned store: every import is a version, current values are the newest per slice.

SQLAlchemy Core only, so the same statements run on the embedded SQLite file and on a shared
PostgreSQL server. A slice is one (area, month) of one township: importing a sheet for a month
replaces that slice as current, while every earlier version stays in `recorded_slices` and can be
made current again by `restore`. Each write is one transaction that first bumps the township's
revision: on PostgreSQL that row lock serialises writers of one township, on SQLite the
transaction is BEGIN IMMEDIATE with a busy timeout; either way a reader never sees half an import
and the revision is the cache key of every page.

Values are stored one database row per slice of a version (packing.py): the villages, the
indicators and a villages × indicators matrix of values with their cells. An import of a month
writes a row per sheet, not a row per value, and a page reads an area's months as a hundred rows.
Which version is current is kept per slice in `current_slices`: the current values are that
table joined to the history on its primary key, so an import writes each slice once and a
restore only moves pointers. The tidy long table the pages work with (one row per value) is
unpacked on reading (`Store.current`).

Nothing an import or restore decides on is read before that lock. PostgreSQL runs at READ
COMMITTED: a writer blocked on the revision row proceeds once the other writer commits, and each
of its later statements takes a fresh snapshot, so it compares against, replaces and numbers
after the rows just committed (tests/test_store.py races two OS processes to check it). The
schema itself is created and upgraded by Alembic (schema.py).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from . import config, metrics, months, packing, schema
from .errors import Problem, StoreError
from .workbook import ParsedWorkbook, gc_paused

metadata = sa.MetaData()

townships = sa.Table(
    "townships",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("revision", sa.Integer, nullable=False, server_default="0"),
)

versions = sa.Table(
    "versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("township", sa.String(64), sa.ForeignKey("townships.key"), nullable=False),
    sa.Column("action", sa.String(16), nullable=False),
    sa.Column("file_name", sa.String(255), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("created_by", sa.String(100), nullable=False),
    sa.Column("restored_from", sa.Integer, nullable=True),
    sa.Column("value_count", sa.Integer, nullable=False),
    sa.Column("summary", sa.Text, nullable=False),
    sa.Index("ix_versions_township_sha", "township", "sha256"),
)

version_slices = sa.Table(
    "version_slices",
    metadata,
    sa.Column("version_id", sa.Integer, sa.ForeignKey("versions.id"), primary_key=True),
    sa.Column("area", sa.String(50), primary_key=True),
    sa.Column("month", sa.String(7), primary_key=True),
    sa.Column("data_version_id", sa.Integer, nullable=False),
    sa.Column("replaced_version_id", sa.Integer, nullable=True),
    sa.Column("value_count", sa.Integer, nullable=False),
)

# One row per (version, area, month): the slice as packing.py packs it. Every version's slices
# are kept, so any version can be made current again.
recorded_slices = sa.Table(
    "recorded_slices",
    metadata,
    sa.Column("version_id", sa.Integer, sa.ForeignKey("versions.id"), primary_key=True),
    sa.Column("area", sa.String(50), primary_key=True),
    sa.Column("month", sa.String(7), primary_key=True),
    sa.Column("sheet", sa.String(100), nullable=False),
    sa.Column("villages", sa.Text, nullable=False),
    sa.Column("indicators", sa.Text, nullable=False),
    sa.Column("data", sa.Text, nullable=False),
    sa.Column("cells", sa.Text, nullable=False),
)

# The current data: per slice, the version that made it current (an import or a restore) and
# the version whose recorded rows it holds (data_version_id).
current_slices = sa.Table(
    "current_slices",
    metadata,
    sa.Column("township", sa.String(64), primary_key=True),
    sa.Column("area", sa.String(50), primary_key=True),
    sa.Column("month", sa.String(7), primary_key=True),
    sa.Column("version_id", sa.Integer, nullable=False),
    sa.Column("data_version_id", sa.Integer, nullable=False),
)

# The township's monthly figures need the sum and count of village values and the 全镇 value
# per (area, month, indicator) of the current data: kept here, inside every import and restore
# transaction, so no page view adds up a county's millions of values. Catalogue-independent
# (see metrics.monthly_totals), rebuilt for any current slice that lacks it when a store opens.
monthly_totals = sa.Table(
    "monthly_totals",
    metadata,
    sa.Column("township", sa.String(64), primary_key=True),
    sa.Column("area", sa.String(50), primary_key=True),
    sa.Column("month", sa.String(7), primary_key=True),
    sa.Column("indicator", sa.String(100), primary_key=True),
    sa.Column("village_sum", sa.Float, nullable=True),
    sa.Column("village_count", sa.Integer, nullable=False),
    sa.Column("town_value", sa.Float, nullable=True),
    sa.Column("slice_villages", sa.Integer, nullable=False),
)

report_texts = sa.Table(
    "report_texts",
    metadata,
    sa.Column("township", sa.String(64), sa.ForeignKey("townships.key"), primary_key=True),
    sa.Column("first_month", sa.String(7), primary_key=True),
    sa.Column("last_month", sa.String(7), primary_key=True),
    sa.Column("part", sa.String(100), primary_key=True),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.Column("updated_by", sa.String(100), nullable=False),
)

KEY = ["area", "month", "village", "indicator"]
KEYED = [*KEY, "value"]
VERSION_COLUMNS = ["area", "indicator", "village", "month", "value", "sheet", "cell"]
ACTIONS = {"import": "导入", "restore": "恢复"}
_ENGINES: dict[str, Engine] = {}
_ENGINES_LOCK = threading.Lock()


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


def _use_wal(cursor) -> None:
    """Switch a new database file to WAL (a setting kept in the file, so once is enough).

    The switch needs the file to itself and SQLite does not wait for that with the busy
    handler: two processes creating the same store at once retry for a while instead of failing.
    """
    for _ in range(100):
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
                return
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            time.sleep(0.1)
    cursor.execute("PRAGMA journal_mode=WAL")


def _sqlite_setup(engine: Engine) -> None:
    """Let SQLAlchemy emit BEGIN itself (the pysqlite recipe), WAL and a busy timeout."""

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout=30000")
        _use_wal(cursor)
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        write = conn.get_execution_options().get("township_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def create_engine(url: str) -> Engine:
    """An engine set up for the store (SQLite: its folder, pragmas, BEGIN), schema untouched."""
    if not url.startswith("sqlite"):
        return sa.create_engine(url, pool_pre_ping=True)
    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
    _sqlite_setup(engine)
    return engine


def get_engine(url: str) -> Engine:
    """One engine (and pool) per database per process; Streamlit sessions share it.

    The first use in a process brings the database's schema to the newest revision (schema.py).
    """
    with _ENGINES_LOCK:
        engine = _ENGINES.get(url)
        if engine is None:
            engine = create_engine(url)
            schema.upgrade(engine)
            _ENGINES[url] = engine
        return engine


def dispose_engines() -> None:
    """Close every pooled connection (tests and the CLI call this before removing files)."""
    with _ENGINES_LOCK:
        for engine in _ENGINES.values():
            engine.dispose()
        _ENGINES.clear()


def _now() -> dt.datetime:
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


class _NoChange(Exception):
    """Raised inside a write transaction to roll it back and report that nothing changed."""

    def __init__(self, result: ChangeResult) -> None:
        super().__init__(result.message)
        self.result = result


class Store:
    """Versions and current values of one township in one database."""

    def __init__(self, url: str, township: str, township_name: str = "") -> None:
        self.url = url
        self.township = township
        self.engine = get_engine(url)
        self._ensure_township(township_name or township)
        self._ensure_totals()

    def _ensure_township(self, name: str) -> None:
        with self.engine.connect() as conn:
            exists = conn.execute(
                sa.select(townships.c.key).where(townships.c.key == self.township)
            ).first()
        if exists:
            return
        try:
            with self._write() as conn:
                conn.execute(townships.insert().values(key=self.township, name=name, revision=0))
        except sa.exc.IntegrityError:
            pass

    def _ensure_totals(self) -> None:
        """Fill `monthly_totals` for current slices without them (a store written before the
        table existed); a no-op costing two small queries otherwise."""
        with self.engine.connect() as conn:
            missing = self._slices_without_totals(conn)
        if missing:
            with self._write() as conn:
                self._refresh_totals(conn, self._slices_without_totals(conn))

    def _slices_without_totals(self, conn: Connection) -> list[tuple[str, str]]:
        current = set(self._current_slice_map(conn))
        have = conn.execute(
            sa.select(monthly_totals.c.area, monthly_totals.c.month)
            .where(monthly_totals.c.township == self.township)
            .distinct()
        ).all()
        return sorted(current - {(a, m) for a, m in have})

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """A write transaction: BEGIN IMMEDIATE on SQLite, committed at the end or rolled back."""
        with self.engine.connect().execution_options(township_write=True) as conn, conn.begin():
            yield conn

    def _lock(self, conn: Connection, expected_revision: int | None = None) -> int:
        """Bump the township revision first: the portable write lock, and the new cache key.

        With `expected_revision` (the revision a preview was computed against) the write is
        refused when another import or restore landed since: checked after the lock is held, so
        no writer can slip in between the check and the write.
        """
        conn.execute(
            townships.update()
            .where(townships.c.key == self.township)
            .values(revision=townships.c.revision + 1)
        )
        revision = conn.execute(
            sa.select(townships.c.revision).where(townships.c.key == self.township)
        ).scalar_one()
        if expected_revision is not None and revision - 1 != expected_revision:
            raise StoreError(
                problems=[
                    Problem(
                        f"预览之后数据已被更新（预览时为第 {expected_revision} 次更新，"
                        f"现在是第 {revision - 1} 次），本次没有保存任何数据",
                        hint="请查看重新计算的预览，核对后再确认",
                    )
                ],
                title="数据已被他人更新",
            )
        return revision

    # ------------------------------------------------------------------ reads

    def revision(self) -> int:
        """Changes with every import and restore: the key of every cached page computation."""
        with self.engine.connect() as conn:
            value = conn.execute(
                sa.select(townships.c.revision).where(townships.c.key == self.township)
            ).scalar()
        return int(value or 0)

    def is_empty(self) -> bool:
        with self.engine.connect() as conn:
            return (
                conn.execute(
                    sa.select(versions.c.id).where(versions.c.township == self.township).limit(1)
                ).first()
                is None
            )

    def current(
        self,
        areas: list[str] | None = None,
        first: str | None = None,
        last: str | None = None,
        with_source: bool = False,
        months: list[str] | None = None,
        indicators: list[str] | None = None,
    ) -> pd.DataFrame:
        """Current values as the tidy table (area, indicator, village, month, value).

        Cut in the database to the areas, the months [first, last] and/or the listed `months`
        (the slice table's key serves the cut, so a page reads its months of one area, not a
        county's whole history), then to the indicators a view needs. `with_source` adds each
        value's version_id, file_name, sheet and cell.
        """
        slices = self._current_slices(areas, first, last, months, with_source)
        return packing.long_frame(slices, indicators, sources=with_source)

    def wide(
        self,
        area: str,
        columns: list[str],
        first: str | None = None,
        last: str | None = None,
    ) -> pd.DataFrame:
        """One area's current values as its sheets hold them: month, village, then one float
        column per name of `columns` (NaN = 未报), one row per (month, village) with a value.

        The 打擂 score table has this shape: a county's ten years of scores are 120 stored
        slices, read without unpacking 360,000 values and pivoting them back.
        """
        return packing.wide_frame(self._current_slices([area], first, last, None), columns)

    def _current_slices(
        self,
        areas: list[str] | None,
        first: str | None,
        last: str | None,
        months: list[str] | None,
        with_source: bool = False,
    ) -> list[packing.Slice]:
        with self.engine.connect() as conn:
            query = self._current_query(areas, first, last, months, with_source)
            return packing.decode(conn.execute(query).fetchall(), cells=with_source)

    def _current_query(
        self,
        areas: list[str] | None,
        first: str | None,
        last: str | None,
        months: list[str] | None,
        with_source: bool,
    ) -> sa.Select:
        """Current slices: each slice's pointer joined to the history on its primary key."""
        cs, rs = current_slices, recorded_slices
        cols = [cs.c.area, cs.c.month, rs.c.villages, rs.c.indicators, rs.c.data]
        if with_source:
            cols += [rs.c.sheet, rs.c.cells, rs.c.version_id, versions.c.file_name]
        joined = cs.join(
            rs,
            sa.and_(
                rs.c.version_id == cs.c.data_version_id,
                rs.c.area == cs.c.area,
                rs.c.month == cs.c.month,
            ),
        )
        if with_source:
            joined = joined.join(versions, versions.c.id == rs.c.version_id)
        query = sa.select(*cols).select_from(joined).where(cs.c.township == self.township)
        if areas is not None:
            query = query.where(cs.c.area.in_(sorted(set(areas))))
        if first:
            query = query.where(cs.c.month >= first)
        if last:
            query = query.where(cs.c.month <= last)
        if months is not None:
            query = query.where(cs.c.month.in_(sorted(set(months))))
        # A stable order for equal reads; months are ASCII, ordered alike by both databases.
        return query.order_by(cs.c.month, cs.c.area)

    def totals(
        self,
        areas: list[str] | None = None,
        first: str | None = None,
        last: str | None = None,
    ) -> pd.DataFrame:
        """The kept per-(area, month, indicator) totals of the current data
        (metrics.monthly_totals' columns): the township's monthly figures without reading
        village values."""
        query = sa.select(*(monthly_totals.c[c] for c in metrics.TOTALS_COLUMNS)).where(
            monthly_totals.c.township == self.township
        )
        if areas:
            query = query.where(monthly_totals.c.area.in_(areas))
        if first:
            query = query.where(monthly_totals.c.month >= first)
        if last:
            query = query.where(monthly_totals.c.month <= last)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        frame = _frame(rows, metrics.TOTALS_COLUMNS)
        for column in ("village_sum", "town_value"):
            frame[column] = frame[column].astype("float64")
        return frame.sort_values(metrics.TOTALS_KEY, ignore_index=True)

    def slice_villages(self) -> pd.DataFrame:
        """Per current (area, month): how many villages (not 全镇) have any figure."""
        query = (
            sa.select(
                monthly_totals.c.area,
                monthly_totals.c.month,
                sa.func.max(monthly_totals.c.slice_villages).label("villages"),
            )
            .where(monthly_totals.c.township == self.township)
            .group_by(monthly_totals.c.area, monthly_totals.c.month)
            .order_by(monthly_totals.c.area, monthly_totals.c.month)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return _frame(rows, ["area", "month", "villages"])

    def month_span(self) -> tuple[str, str] | None:
        """The first and last month holding current data, from the small slice table."""
        query = sa.select(
            sa.func.min(current_slices.c.month), sa.func.max(current_slices.c.month)
        ).where(current_slices.c.township == self.township)
        with self.engine.connect() as conn:
            first, last = conn.execute(query).one()
        return None if first is None else (str(first), str(last))

    def slices(self) -> pd.DataFrame:
        """Current slices with their version, file and value count (the data-status matrix)."""
        cs, rs, vs = current_slices, recorded_slices, version_slices
        query = (
            sa.select(
                cs.c.area,
                cs.c.month,
                cs.c.version_id,
                cs.c.data_version_id,
                versions.c.file_name,
                versions.c.created_by,
                sa.func.coalesce(vs.c.value_count, 0).label("value_count"),
                rs.c.villages,
            )
            .join(versions, versions.c.id == cs.c.data_version_id)
            .join(
                rs,
                sa.and_(
                    rs.c.version_id == cs.c.data_version_id,
                    rs.c.area == cs.c.area,
                    rs.c.month == cs.c.month,
                ),
            )
            .outerjoin(
                vs,
                sa.and_(
                    vs.c.version_id == cs.c.version_id,
                    vs.c.area == cs.c.area,
                    vs.c.month == cs.c.month,
                ),
            )
            .where(cs.c.township == self.township)
            .order_by(cs.c.area, cs.c.month)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).fetchall()
        villages = packing.decode_names([r.villages for r in rows])
        return _frame(
            [(*r[:-1], len(v)) for r, v in zip(rows, villages, strict=True)],
            [
                "area",
                "month",
                "version_id",
                "data_version_id",
                "file_name",
                "created_by",
                "value_count",
                "village_count",
            ],
        )

    def is_sample(self) -> bool:
        """True while any current data comes from the shipped sample workbooks."""
        query = (
            sa.select(current_slices.c.area)
            .join(versions, versions.c.id == current_slices.c.data_version_id)
            .where(
                current_slices.c.township == self.township,
                versions.c.created_by == config.SAMPLE_USER,
            )
            .limit(1)
        )
        with self.engine.connect() as conn:
            return conn.execute(query).first() is not None

    def history(self) -> pd.DataFrame:
        """Every version, newest first, with whether its data is still (partly) current."""
        current_ids = sa.union(
            sa.select(current_slices.c.version_id).where(
                current_slices.c.township == self.township
            ),
            sa.select(current_slices.c.data_version_id).where(
                current_slices.c.township == self.township
            ),
        )
        query = (
            sa.select(
                versions.c.id,
                versions.c.action,
                versions.c.created_at,
                versions.c.created_by,
                versions.c.file_name,
                versions.c.sha256,
                versions.c.summary,
                versions.c.value_count,
                versions.c.restored_from,
                versions.c.id.in_(current_ids).label("is_current"),
            )
            .where(versions.c.township == self.township)
            .order_by(versions.c.id.desc())
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        frame = _frame(
            rows,
            [
                "id",
                "action",
                "created_at",
                "created_by",
                "file_name",
                "sha256",
                "summary",
                "value_count",
                "restored_from",
                "is_current",
            ],
        )
        frame["is_current"] = frame["is_current"].astype(bool)
        return frame

    def version(self, version_id: int) -> dict:
        """One version's record; StoreError when it is not a version of this township."""
        with self.engine.connect() as conn:
            row = (
                conn.execute(
                    sa.select(versions).where(
                        versions.c.id == version_id, versions.c.township == self.township
                    )
                )
                .mappings()
                .first()
            )
        if row is None:
            raise StoreError(problems=[Problem(f"版本 {version_id} 不存在")], title="操作失败")
        return dict(row)

    def version_slices(self, version_id: int) -> list[tuple[str, str]]:
        """The (area, month) slices a version wrote or restored, in catalogue-independent order."""
        self.version(version_id)
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(version_slices.c.area, version_slices.c.month)
                .where(version_slices.c.version_id == version_id)
                .order_by(version_slices.c.area, version_slices.c.month)
            ).all()
        return [(a, m) for a, m in rows]

    def version_values(
        self, version_id: int, slices: list[tuple[str, str]] | None = None
    ) -> pd.DataFrame:
        """The values a version holds (for a restore: the values it made current), with sheet
        and cell; only those of `slices` when given (a page shows one sheet at a time)."""
        self.version(version_id)
        wanted = None if slices is None else set(slices)
        rs = recorded_slices
        with self.engine.connect() as conn:
            pairs = conn.execute(
                sa.select(
                    version_slices.c.area, version_slices.c.month, version_slices.c.data_version_id
                ).where(version_slices.c.version_id == version_id)
            ).all()
            by_source: dict[tuple[int, str], list[str]] = {}
            for area, month, data_id in pairs:
                if wanted is None or (area, month) in wanted:
                    by_source.setdefault((data_id, area), []).append(month)
            rows = []
            for (data_id, area), ms in sorted(by_source.items()):
                rows += conn.execute(
                    sa.select(
                        rs.c.area,
                        rs.c.month,
                        rs.c.villages,
                        rs.c.indicators,
                        rs.c.data,
                        rs.c.sheet,
                        rs.c.cells,
                    )
                    .where(rs.c.version_id == data_id, rs.c.area == area, rs.c.month.in_(ms))
                    .order_by(rs.c.month)
                ).fetchall()
        return packing.long_frame(packing.decode(rows, cells=True), cells=True)[VERSION_COLUMNS]

    def diff(self, values: pd.DataFrame, slices: list[tuple[str, str]]) -> pd.DataFrame:
        """What storing `values` for `slices` would change: one row per added/replaced/removed value.

        Columns: area, month, village, indicator, old, new, change (新增/修改/改为未报/不变).
        """
        with self.engine.connect() as conn:
            old = packing.long_frame(self._slices_of(conn, slices))
        return compare(old[KEYED], values[KEYED])

    def _slices_of(self, conn: Connection, slices: list[tuple[str, str]]) -> list[packing.Slice]:
        """The current packed slices of these (area, month)s."""
        by_area: dict[str, list[str]] = {}
        for area, month in slices:
            by_area.setdefault(area, []).append(month)
        rows = []
        for area, ms in by_area.items():
            rows += conn.execute(self._current_query([area], None, None, ms, False)).fetchall()
        return packing.decode(rows)

    def _current_slice_map(self, conn: Connection) -> dict[tuple[str, str], tuple[int, int]]:
        rows = conn.execute(
            sa.select(
                current_slices.c.area,
                current_slices.c.month,
                current_slices.c.version_id,
                current_slices.c.data_version_id,
            ).where(current_slices.c.township == self.township)
        ).all()
        return {(a, m): (v, d) for a, m, v, d in rows}

    def report_texts(self, first: str, last: str) -> dict[str, SavedText]:
        """The free-text parts (存在不足, 下步工作重点 …) saved for the period [first, last]."""
        query = sa.select(
            report_texts.c.part,
            report_texts.c.body,
            report_texts.c.updated_at,
            report_texts.c.updated_by,
        ).where(
            report_texts.c.township == self.township,
            report_texts.c.first_month == first,
            report_texts.c.last_month == last,
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return {part: SavedText(body, at, by) for part, body, at, by in rows}

    # ----------------------------------------------------------------- writes

    def save_report_text(self, first: str, last: str, part: str, body: str, user: str) -> None:
        """Keep the office's words for one part of one period's report; empty text removes them.

        Delete-then-insert in one transaction is the portable upsert (SQLite and PostgreSQL). The
        data revision is not bumped: the words change no figure, so no cached page goes stale.
        """
        where = sa.and_(
            report_texts.c.township == self.township,
            report_texts.c.first_month == first,
            report_texts.c.last_month == last,
            report_texts.c.part == part,
        )
        row = {
            "township": self.township,
            "first_month": first,
            "last_month": last,
            "part": part,
            "body": body,
            "updated_at": _now(),
            "updated_by": user,
        }
        for attempt in range(2):
            try:
                with self._write() as conn:
                    conn.execute(report_texts.delete().where(where))
                    if body.strip():
                        conn.execute(report_texts.insert().values(**row))
                return
            except sa.exc.IntegrityError:
                # Another session saved the same part between our delete and insert (possible
                # on PostgreSQL): the second attempt deletes that row and writes ours.
                if attempt:
                    raise

    def import_workbook(
        self, parsed: ParsedWorkbook, user: str, expected_revision: int | None = None
    ) -> ChangeResult:
        """Store a validated workbook as one new version, all or nothing.

        A byte-identical file whose data is still current, or a file whose values equal the
        current ones, changes nothing and says so. `expected_revision`: refuse with StoreError
        when the township changed since the preview the user confirmed was computed.
        """
        try:
            with self._write() as conn:
                revision = self._lock(conn, expected_revision)
                with gc_paused():
                    result = self._import(conn, parsed, user)
                result.revision = revision
                return result
        except _NoChange as stop:
            return stop.result

    def _import(self, conn: Connection, parsed: ParsedWorkbook, user: str) -> ChangeResult:
        current_map = self._current_slice_map(conn)
        same_file = conn.execute(
            sa.select(versions.c.id)
            .where(
                versions.c.township == self.township,
                versions.c.sha256 == parsed.sha256,
                versions.c.action == "import",
            )
            .order_by(versions.c.id.desc())
        ).first()
        if same_file and all(current_map.get(s, (0, 0))[1] == same_file.id for s in parsed.slices):
            raise _NoChange(
                ChangeResult(
                    changed=False,
                    message=f"“{parsed.file_name}”与已导入的版本 {same_file.id} 完全相同，未做任何更改",
                    version_id=same_file.id,
                    slices=parsed.slices,
                )
            )
        packed = packing.from_rows(parsed.rows)
        counts = packing.count_changes(self._slices_of(conn, parsed.slices), packed)
        new_slices = [s for s in parsed.slices if s not in current_map]
        if not new_slices and not counts.changes_anything:
            raise _NoChange(
                ChangeResult(
                    changed=False,
                    message=f"“{parsed.file_name}”的数据与当前数据完全相同，未做任何更改",
                    slices=parsed.slices,
                    unchanged=counts.unchanged,
                )
            )
        per_slice = {(p.area, p.month): p.value_count for p in packed}
        version_id = conn.execute(
            versions.insert().values(
                township=self.township,
                action="import",
                file_name=parsed.file_name,
                sha256=parsed.sha256,
                created_at=_now(),
                created_by=user,
                restored_from=None,
                value_count=sum(per_slice.values()),
                summary=summarise_slices(parsed.slices),
            )
        ).inserted_primary_key[0]
        conn.execute(
            version_slices.insert(),
            [
                {
                    "version_id": version_id,
                    "area": area,
                    "month": month,
                    "data_version_id": version_id,
                    "replaced_version_id": current_map.get((area, month), (None, None))[0],
                    "value_count": per_slice.get((area, month), 0),
                }
                for area, month in parsed.slices
            ],
        )
        # The slices into the history, then the current pointers to them: each slice is
        # written once, whatever its size.
        columns = ["sheet", "villages", "indicators", "data", "cells"]
        _insert_many(
            conn,
            recorded_slices,
            ["version_id", "area", "month", *columns],
            [
                (version_id, p.area, p.month, *(text[c] for c in columns))
                for p, text in zip(packed, map(packing.encode, packed), strict=True)
            ],
        )
        self._point(conn, parsed.slices, version_id, {s: version_id for s in parsed.slices})
        self._write_totals(conn, parsed.slices, packed)
        return ChangeResult(
            changed=True,
            message=f"已导入“{parsed.file_name}”为版本 {version_id}：{summarise_slices(parsed.slices)}",
            version_id=version_id,
            slices=parsed.slices,
            added=counts.added,
            replaced=counts.replaced,
            removed=counts.removed,
            unchanged=counts.unchanged,
        )

    def _point(
        self,
        conn: Connection,
        slices: list[tuple[str, str]],
        version_id: int,
        data_ids: dict[tuple[str, str], int],
    ) -> None:
        """Make `version_id` current for these slices, holding the rows of `data_ids[slice]`."""
        self._delete_slices(conn, current_slices, slices)
        _insert_many(
            conn,
            current_slices,
            ["township", "area", "month", "version_id", "data_version_id"],
            [(self.township, a, m, version_id, data_ids[(a, m)]) for a, m in slices],
        )

    def _delete_slices(
        self, conn: Connection, table: sa.Table, slices: list[tuple[str, str]]
    ) -> None:
        """Delete this township's rows of `table` in these slices: a statement per area (a
        back-fill names hundreds of slices)."""
        by_area: dict[str, list[str]] = {}
        for area, month in slices:
            by_area.setdefault(area, []).append(month)
        for area, ms in by_area.items():
            conn.execute(
                table.delete().where(
                    table.c.township == self.township,
                    table.c.area == area,
                    table.c.month.in_(sorted(ms)),
                )
            )

    def _write_totals(
        self, conn: Connection, slices: list[tuple[str, str]], packed: list[packing.Slice]
    ) -> None:
        """Replace the kept monthly totals of these slices with those of `packed` (the slices'
        current data)."""
        self._delete_slices(conn, monthly_totals, slices)
        _insert_many(
            conn,
            monthly_totals,
            ["township", *metrics.TOTALS_COLUMNS],
            [(self.township, *row) for row in packing.totals(packed)],
        )

    def _refresh_totals(self, conn: Connection, slices: list[tuple[str, str]]) -> None:
        """Recompute the kept totals of these slices from their current data."""
        self._write_totals(conn, slices, self._slices_of(conn, slices))

    def restore(
        self, version_id: int, user: str, expected_revision: int | None = None
    ) -> ChangeResult:
        """Make an earlier version's data current again, as a new version; nothing is deleted."""
        try:
            with self._write() as conn:
                revision = self._lock(conn, expected_revision)
                result = self._restore(conn, version_id, user)
                result.revision = revision
                return result
        except _NoChange as stop:
            return stop.result

    def _restore(self, conn: Connection, version_id: int, user: str) -> ChangeResult:
        target = conn.execute(
            sa.select(versions.c.id, versions.c.file_name, versions.c.summary).where(
                versions.c.id == version_id, versions.c.township == self.township
            )
        ).first()
        if target is None:
            raise StoreError(
                problems=[Problem(f"版本 {version_id} 不存在", hint="用 history 查看可恢复的版本")],
                title="恢复失败",
            )
        # Sorted here, not by the database: a PostgreSQL collation orders Chinese differently.
        pairs = sorted(
            conn.execute(
                sa.select(
                    version_slices.c.area, version_slices.c.month, version_slices.c.data_version_id
                ).where(version_slices.c.version_id == version_id)
            ).all()
        )
        current_map = self._current_slice_map(conn)
        if all(current_map.get((a, m), (0, 0))[1] == d for a, m, d in pairs):
            raise _NoChange(
                ChangeResult(
                    changed=False,
                    message=f"版本 {version_id} 的数据已经是当前数据，未做任何更改",
                    version_id=version_id,
                )
            )
        # The restore's summary lists the areas in the order the restored version listed them
        # (the catalogue order an import uses), not in code-point order.
        order = summary_areas(target.summary)
        slices = sorted(
            ((a, m) for a, m, _ in pairs), key=lambda s: (order.get(s[0], len(order)), s)
        )
        data_ids = {(a, m): d for a, m, d in pairs}
        # A slice's value count is the one its importing version recorded for it.
        recorded = conn.execute(
            sa.select(
                version_slices.c.version_id,
                version_slices.c.area,
                version_slices.c.month,
                version_slices.c.value_count,
            ).where(
                version_slices.c.version_id.in_(sorted(set(data_ids.values()))),
                version_slices.c.version_id == version_slices.c.data_version_id,
            )
        ).all()
        counts = {(v, a, m): n for v, a, m, n in recorded}
        per_slice = {(a, m): counts.get((d, a, m), 0) for a, m, d in pairs}
        new_id = conn.execute(
            versions.insert().values(
                township=self.township,
                action="restore",
                file_name=target.file_name,
                sha256="",
                created_at=_now(),
                created_by=user,
                restored_from=version_id,
                value_count=sum(per_slice.values()),
                summary=summarise_slices(slices),
            )
        ).inserted_primary_key[0]
        conn.execute(
            version_slices.insert(),
            [
                {
                    "version_id": new_id,
                    "area": area,
                    "month": month,
                    "data_version_id": data_id,
                    "replaced_version_id": current_map.get((area, month), (None, None))[0],
                    "value_count": per_slice[(area, month)],
                }
                for area, month, data_id in pairs
            ],
        )
        self._point(conn, slices, new_id, data_ids)
        self._refresh_totals(conn, slices)
        return ChangeResult(
            changed=True,
            message=f"已恢复版本 {version_id}（{target.file_name}）为当前数据，记为版本 {new_id}：{summarise_slices(slices)}",
            version_id=new_id,
            slices=slices,
        )


def _frame(rows: list, columns: list[str]) -> pd.DataFrame:
    """Result rows as a DataFrame, column by column.

    Handing SQLAlchemy Row objects to the DataFrame constructor makes pandas probe every row
    for attributes, each probe a caught exception: several times slower for 100,000 rows.
    """
    if not rows:
        return pd.DataFrame(columns=columns)
    return pd.DataFrame(dict(zip(columns, map(list, zip(*rows, strict=True)), strict=True)))


def _insert_many(conn: Connection, table: sa.Table, columns: list[str], rows: list[tuple]) -> None:
    """Insert many rows through the driver's executemany, without building a dict per row.

    The statement is compiled by SQLAlchemy for the connection's dialect (qmark on SQLite,
    pyformat on PostgreSQL), so it stays portable; rows are tuples in `columns` order. Roughly
    twice as fast as executing the Core insert with a list of dicts.
    """
    if not rows:
        return
    compiled = table.insert().compile(dialect=conn.dialect, column_keys=columns)
    if compiled.positional:
        order = [columns.index(name) for name in compiled.positiontup]
        if order != list(range(len(columns))):
            rows = [tuple(row[i] for i in order) for row in rows]
        conn.exec_driver_sql(str(compiled), rows)
    else:
        conn.exec_driver_sql(str(compiled), [dict(zip(columns, row, strict=True)) for row in rows])


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


def open_store(data_folder: Path | None = None, catalogue=None) -> Store:
    """The store of the configured township in the configured database."""
    from .catalogue import load_catalogue

    cat = catalogue or load_catalogue()
    url = config.database_url(data_folder) if data_folder else config.database_url()
    return Store(url, cat.township_key, cat.township_name)
