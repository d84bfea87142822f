"""Writing the store: imports and restores, each one version in one locked transaction, and
the office's report texts."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .. import packing
from ..errors import Problem, StoreError
from ..gc_pause import gc_paused
from ..parsed import ParsedWorkbook
from .events import StoreEvents
from .records import ChangeResult, NoChange, insert_many, now, summarise_slices, summary_areas
from .tables import current_slices, recorded_slices, report_texts, version_slices, versions


class StoreWrites(StoreEvents):
    """Every write of one township's data."""

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
            "updated_at": now(),
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
                    result = self._import_with_events(conn, parsed, user)
                result.revision = revision
                return result
        except NoChange as stop:
            return stop.result

    def _import_with_events(
        self, conn: Connection, parsed: ParsedWorkbook, user: str
    ) -> ChangeResult:
        """The import, and the events of the workbook's 大事记 sheet in the same transaction:
        new events alone are a change worth keeping even when the values are unchanged."""
        try:
            result = self._import(conn, parsed, user)
        except NoChange as stop:
            added = self._insert_events(conn, parsed.events, user, parsed.file_name, None)
            if not added:
                raise
            result = stop.result
            result.changed = True
            result.message = f"“{parsed.file_name}”的数据与当前数据相同；新增大事记 {added} 条"
            result.events_added = added
            return result
        added = self._insert_events(conn, parsed.events, user, parsed.file_name, result.version_id)
        if added:
            result.events_added = added
            result.message += f"；新增大事记 {added} 条"
        return result

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
            raise NoChange(
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
            raise NoChange(
                ChangeResult(
                    changed=False,
                    message=f"“{parsed.file_name}”的数据与当前数据完全相同，未做任何更改",
                    slices=parsed.slices,
                    unchanged=counts.unchanged,
                )
            )
        per_slice = {(p.area, p.month): p.value_count for p in packed}
        version_id = self._record_version(
            conn,
            action="import",
            file_name=parsed.file_name,
            sha256=parsed.sha256,
            user=user,
            slices=parsed.slices,
            per_slice=per_slice,
            current_map=current_map,
        )
        # The slices into the history, then the current pointers to them: each slice is
        # written once, whatever its size.
        columns = ["sheet", "villages", "indicators", "data", "cells"]
        insert_many(
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

    def _record_version(
        self,
        conn: Connection,
        *,
        action: str,
        file_name: str,
        sha256: str,
        user: str,
        slices: list[tuple[str, str]],
        per_slice: dict[tuple[str, str], int],
        current_map: dict[tuple[str, str], tuple[int, int]],
        data_ids: dict[tuple[str, str], int] | None = None,
        restored_from: int | None = None,
    ) -> int:
        """Insert a version and the slices it makes current; its id.

        `data_ids` names, per slice, the version whose recorded rows the slice will hold (an
        import records its own rows: None); each slice notes the version it replaces in
        `current_map` (the current pointers before this write).
        """
        version_id = conn.execute(
            versions.insert().values(
                township=self.township,
                action=action,
                file_name=file_name,
                sha256=sha256,
                created_at=now(),
                created_by=user,
                restored_from=restored_from,
                value_count=sum(per_slice.get(s, 0) for s in slices),
                summary=summarise_slices(slices),
            )
        ).inserted_primary_key[0]
        conn.execute(
            version_slices.insert(),
            [
                {
                    "version_id": version_id,
                    "area": area,
                    "month": month,
                    "data_version_id": (data_ids or {}).get((area, month), version_id),
                    "replaced_version_id": current_map.get((area, month), (None, None))[0],
                    "value_count": per_slice.get((area, month), 0),
                }
                for area, month in slices
            ],
        )
        return int(version_id)

    def _point(
        self,
        conn: Connection,
        slices: list[tuple[str, str]],
        version_id: int,
        data_ids: dict[tuple[str, str], int],
    ) -> None:
        """Make `version_id` current for these slices, holding the rows of `data_ids[slice]`."""
        self._delete_slices(conn, current_slices, slices)
        insert_many(
            conn,
            current_slices,
            ["township", "area", "month", "version_id", "data_version_id"],
            [(self.township, a, m, version_id, data_ids[(a, m)]) for a, m in slices],
        )

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
        except NoChange as stop:
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
            raise NoChange(
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
        new_id = self._record_version(
            conn,
            action="restore",
            file_name=target.file_name,
            sha256="",
            user=user,
            slices=slices,
            per_slice=per_slice,
            current_map=current_map,
            data_ids=data_ids,
            restored_from=version_id,
        )
        self._point(conn, slices, new_id, data_ids)
        self._refresh_totals(conn, slices)
        return ChangeResult(
            changed=True,
            message=f"已恢复版本 {version_id}（{target.file_name}）为当前数据，记为版本 {new_id}：{summarise_slices(slices)}",
            version_id=new_id,
            slices=slices,
        )
