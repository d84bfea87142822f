"""大事记 in the store: events added from the page or a workbook, listed, deleted.

Every change bumps the township's revision, as an import does: the trend charts, the overview
and the report show events, and the revision is their cache key.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..errors import Problem, StoreError
from .base import StoreBase
from .records import insert_many, now, rows_frame
from .tables import events as events_table

if TYPE_CHECKING:
    from ..events import Event
    from ..parsed import ParsedWorkbook

_READ = ["id", "date", "month", "area", "kind", "villages", "title", "source", "created_by"]


class StoreEvents(StoreBase):
    """Reads and writes of one township's 大事记."""

    def events(
        self, first: str | None = None, last: str | None = None, area: str | None = None
    ) -> pd.DataFrame:
        """Events of months [first, last] (of one area), oldest first: the columns of
        township_data.events.COLUMNS."""
        t = events_table
        query = sa.select(
            t.c.id,
            t.c.event_date,
            t.c.month,
            t.c.area,
            t.c.kind,
            t.c.villages,
            t.c.title,
            t.c.source,
            t.c.created_by,
        ).where(t.c.township == self.township)
        if first:
            query = query.where(t.c.month >= first)
        if last:
            query = query.where(t.c.month <= last)
        if area:
            query = query.where(t.c.area == area)
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(t.c.event_date, t.c.id)).all()
        return rows_frame(rows, _READ)

    def add_events(self, found: Sequence[Event], user: str, source: str) -> int:
        """Keep these events (one transaction); those already kept are skipped. How many new."""
        with self._write() as conn:
            added = self._insert_events(conn, found, user, source, None)
            if added:
                self._lock(conn)
            return added

    def delete_event(self, event_id: int) -> None:
        """Remove one event; StoreError when it is not this township's."""
        t = events_table
        with self._write() as conn:
            gone = conn.execute(
                t.delete().where(t.c.id == event_id, t.c.township == self.township)
            ).rowcount
            if not gone:
                raise StoreError(
                    problems=[Problem(f"大事记第 {event_id} 条不存在（可能已被删除）")],
                    title="删除失败",
                )
            self._lock(conn)

    def _keep_file_events(
        self, conn: Connection, files: Sequence[ParsedWorkbook], results: list, user: str
    ) -> None:
        """The events of each file's 大事记 sheet, in the import's transaction: new events
        alone are a change worth keeping even when the file changes no value."""
        for parsed, result in zip(files, results, strict=True):
            added = self._insert_events(
                conn, parsed.events, user, parsed.file_name, result.version_id
            )
            if not added:
                continue
            result.events_added = added
            if result.changed:
                result.message += f"；新增大事记 {added} 条"
            else:
                result.changed = True
                result.message = f"“{parsed.file_name}”的数据与当前数据相同；新增大事记 {added} 条"

    def _insert_events(
        self,
        conn: Connection,
        found: Sequence[Event],
        user: str,
        source: str,
        version_id: int | None,
    ) -> int:
        """Insert the events not kept yet (same date, area, kind, villages and text)."""
        if not found:
            return 0
        t = events_table
        months = sorted({e.month for e in found})
        kept = {
            tuple(row)
            for row in conn.execute(
                sa.select(t.c.event_date, t.c.area, t.c.kind, t.c.villages, t.c.title).where(
                    t.c.township == self.township, t.c.month.in_(months)
                )
            ).all()
        }
        stamp = now()
        rows = []
        for event in found:
            key = (event.date, event.area, event.kind, "、".join(event.villages), event.title)
            if key in kept:
                continue
            kept.add(key)
            rows.append((self.township, *key[:1], event.month, *key[1:], source, version_id))
        insert_many(
            conn,
            t,
            [
                "township",
                "event_date",
                "month",
                "area",
                "kind",
                "villages",
                "title",
                "source",
                "version_id",
                "created_at",
                "created_by",
            ],
            [(*row, stamp, user) for row in rows],
        )
        return len(rows)
