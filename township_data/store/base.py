"""The part of the store every read and write stands on: the engine, the township row, the
write transaction with its lock, and the queries both sides use."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .. import packing
from ..errors import Problem, StoreError
from .engine import get_engine
from .records import insert_many
from .tables import current_slices, monthly_totals, recorded_slices, townships, versions


class StoreBase:
    """One township in one database: the connection, the write lock, the shared queries."""

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
            cols += [rs.c.sheet, rs.c.cells, rs.c.version_id, versions.c.file_name, rs.c.origins]
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

    def _slices_of(
        self, conn: Connection, slices: list[tuple[str, str]], full: bool = False
    ) -> list[packing.Slice]:
        """The current packed slices of these (area, month)s; `full` adds each slice's sheet,
        cells, version and per-value origins (what a merge carries over)."""
        by_area: dict[str, list[str]] = {}
        for area, month in slices:
            by_area.setdefault(area, []).append(month)
        rows: list = []
        for area, ms in by_area.items():
            rows += conn.execute(self._current_query([area], None, None, ms, full)).fetchall()
        return packing.decode(rows, cells=full)

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
        self,
        conn: Connection,
        slices: list[tuple[str, str]],
        packed: list[packing.Slice],
        fresh: Collection[tuple[str, str]] = (),
    ) -> None:
        """Replace the kept monthly totals of these slices with those of `packed` (the slices'
        current data). `fresh`: slices that were not current before this write, so have no
        totals (totals are only ever written for current slices)."""
        self._delete_slices(conn, monthly_totals, [s for s in slices if s not in fresh])
        insert_many(
            conn,
            monthly_totals,
            ["township", *packing.TOTALS_COLUMNS],
            [(self.township, *row) for row in packing.totals(packed)],
        )

    def _refresh_totals(self, conn: Connection, slices: list[tuple[str, str]]) -> None:
        """Recompute the kept totals of these slices from their current data."""
        self._write_totals(conn, slices, self._slices_of(conn, slices))
