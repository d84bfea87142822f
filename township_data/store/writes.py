"""Writing the store: imports and restores, each one version in one locked transaction, and
the office's report texts."""

from __future__ import annotations

from collections.abc import Collection

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .. import merging, packing
from ..errors import Problem, StoreError
from ..gc_pause import gc_paused
from ..parsed import ParsedWorkbook
from .events import StoreEvents
from .records import ChangeResult, NoChange, insert_many, now, summarise_slices, summary_areas
from .tables import current_slices, recorded_slices, report_texts, version_slices, versions

# The text columns of a recorded slice (packing.encode).
_RECORDED = ["sheet", "villages", "indicators", "data", "cells", "origins"]


_VERSION_SLICE_COLUMNS = [
    "version_id",
    "area",
    "month",
    "data_version_id",
    "replaced_version_id",
    "value_count",
]


def _version_slice_rows(
    version_id: int,
    slices: list[tuple[str, str]],
    per_slice: dict[tuple[str, str], int],
    current_map: dict[tuple[str, str], tuple[int, int]],
    data_ids: dict[tuple[str, str], int] | None = None,
) -> list[tuple]:
    """The slices a version makes current. `data_ids` names, per slice, the version whose
    recorded rows the slice will hold (an import records its own rows: None); each slice notes
    the version it replaces in `current_map` (the current pointers before this version)."""
    return [
        (
            version_id,
            area,
            month,
            (data_ids or {}).get((area, month), version_id),
            current_map.get((area, month), (None, None))[0],
            per_slice.get((area, month), 0),
        )
        for area, month in slices
    ]


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
        self,
        parsed: ParsedWorkbook,
        user: str,
        expected_revision: int | None = None,
        replace: bool = False,
    ) -> ChangeResult:
        """Store a validated workbook as one new version, all or nothing (see `import_files`)."""
        return self.import_files([parsed], user, expected_revision, replace)[0]

    def import_files(
        self,
        files: list[ParsedWorkbook],
        user: str,
        expected_revision: int | None = None,
        replace: bool = False,
        prepared: list[merging.FileMerge] | None = None,
    ) -> list[ChangeResult]:
        """Store validated workbooks in order, each as one version, all in one transaction.

        Each file merges by village into what is current (merging.py); with `replace` the
        files replace the (area, month)s they touch. A byte-identical file whose data is still
        current, or a file that changes no value, is reported and stores nothing.
        `expected_revision`: refuse with StoreError when the township changed since the
        preview the user confirmed was computed. Nothing is stored when nothing changes.
        `prepared`: that preview's merges (Store.merge_preview of these files), used only with
        `expected_revision`: once the lock confirms no write landed since, the current data is
        what they were computed from.
        """
        try:
            with self._write() as conn:
                revision = self._lock(conn, expected_revision)
                reuse = prepared if expected_revision is not None else None
                with gc_paused():
                    results = self._import(conn, files, user, replace, reuse)
                self._keep_file_events(conn, files, results, user)
                if not any(r.changed for r in results):
                    raise NoChange(results[0], results)
                for result in results:
                    result.revision = revision
                return results
        except NoChange as stop:
            return stop.results or [stop.result]

    def _import(
        self,
        conn: Connection,
        files: list[ParsedWorkbook],
        user: str,
        replace: bool,
        prepared: list[merging.FileMerge] | None = None,
    ) -> list[ChangeResult]:
        current_map = self._current_slice_map(conn)
        # Slices no version made current yet (read under the write lock): nothing to fetch,
        # no pointer or totals to delete; a back-fill into an empty store is all of them.
        fresh = {key for parsed in files for key in parsed.slices if key not in current_map}
        if (
            prepared is not None
            and len(prepared) == len(files)
            and all(m.parsed is f for m, f in zip(prepared, files, strict=True))
        ):
            merges = prepared
        else:
            touched = [
                s
                for s in dict.fromkeys(s for parsed in files for s in parsed.slices)
                if s not in fresh
            ]
            current = {(p.area, p.month): p for p in self._slices_of(conn, touched, full=True)}
            merges = merging.merge_files(current, files, replace)
        same_files = self._same_files(conn, files, current_map)
        storing = [
            merge
            for merge in merges
            if same_files.get(merge.parsed.sha256) is None and merge.changes_anything
        ]
        # Every version of the upload in one statement (a month's sixteen village files are
        # sixteen versions), their slices and recorded rows in one each, after the loop.
        ids = self._insert_versions(
            conn,
            [
                self._version_row(
                    "import",
                    merge.parsed.file_name,
                    merge.parsed.sha256,
                    user,
                    merge.parsed.slices,
                    merge.parsed.value_count,
                )
                for merge in storing
            ],
        )
        version_of = {id(merge): vid for merge, vid in zip(storing, ids, strict=True)}
        numbers: dict[int, int] = {}
        recorded: list[tuple] = []
        slice_rows: list[tuple] = []
        results = []
        final: dict[tuple[str, str], packing.Slice] = {}  # as the whole upload leaves them
        for merge in merges:
            parsed = merge.parsed
            if id(merge) not in version_of:
                results.append(self._unchanged(parsed, same_files.get(parsed.sha256), merge.counts))
                continue
            version_id = version_of[id(merge)]
            per_slice = {(p.area, p.month): p.value_count for p in merge.after}
            slice_rows += _version_slice_rows(version_id, parsed.slices, per_slice, current_map)
            numbers[merge.origin] = version_id
            # The merged slices into the history, then the current pointers to them: each
            # slice is written once.
            recorded += [
                (version_id, p.area, p.month, *(text[c] for c in _RECORDED))
                for p in merge.after
                for text in [packing.encode(p, version_id, numbers)]
            ]
            for key, piece in zip(parsed.slices, merge.after, strict=True):
                current_map[key] = (version_id, version_id)
                final[key] = piece
            counts = merge.counts
            results.append(
                ChangeResult(
                    changed=True,
                    message=f"已导入“{parsed.file_name}”为版本 {version_id}：{summarise_slices(parsed.slices)}",
                    version_id=version_id,
                    slices=parsed.slices,
                    added=counts.added,
                    replaced=counts.replaced,
                    removed=counts.removed,
                    unchanged=counts.unchanged,
                )
            )
        insert_many(conn, version_slices, _VERSION_SLICE_COLUMNS, slice_rows)
        insert_many(conn, recorded_slices, ["version_id", "area", "month", *_RECORDED], recorded)
        # The current pointers and kept totals once, to the last version of each slice: a
        # month sent as sixteen village files moves each pointer once, not sixteen times.
        touched_now = list(final)
        self._point(conn, {key: current_map[key] for key in touched_now}, fresh)
        self._write_totals(conn, touched_now, list(final.values()), fresh)
        return results

    def _same_files(
        self,
        conn: Connection,
        files: list[ParsedWorkbook],
        current_map: dict[tuple[str, str], tuple[int, int]],
    ) -> dict[str, int]:
        """Per file hash, the version that imported that very file, when its data is still what
        is current (one query for the whole upload)."""
        hashes = sorted({parsed.sha256 for parsed in files})
        rows = conn.execute(
            sa.select(versions.c.sha256, sa.func.max(versions.c.id))
            .where(
                versions.c.township == self.township,
                versions.c.sha256.in_(hashes),
                versions.c.action == "import",
            )
            .group_by(versions.c.sha256)
        ).all()
        latest = {sha: int(vid) for sha, vid in rows}
        found = {}
        for parsed in files:
            vid = latest.get(parsed.sha256)
            if vid and all(current_map.get(s, (0, 0))[1] == vid for s in parsed.slices):
                found[parsed.sha256] = vid
        return found

    @staticmethod
    def _unchanged(
        parsed: ParsedWorkbook, same: int | None, counts: packing.ChangeCounts
    ) -> ChangeResult:
        if same is not None:
            message = f"“{parsed.file_name}”与已导入的版本 {same} 完全相同，未做任何更改"
        else:
            message = f"“{parsed.file_name}”的数据与当前数据完全相同，未做任何更改"
        return ChangeResult(
            changed=False,
            message=message,
            version_id=same,
            slices=parsed.slices,
            unchanged=counts.unchanged,
        )

    def _version_row(
        self,
        action: str,
        file_name: str,
        sha256: str,
        user: str,
        slices: list[tuple[str, str]],
        value_count: int,
        restored_from: int | None = None,
    ) -> dict[str, object]:
        """One row of the versions table."""
        return {
            "township": self.township,
            "action": action,
            "file_name": file_name,
            "sha256": sha256,
            "created_at": now(),
            "created_by": user,
            "restored_from": restored_from,
            "value_count": value_count,
            "summary": summarise_slices(slices),
        }

    @staticmethod
    def _insert_versions(conn: Connection, rows: list[dict[str, object]]) -> list[int]:
        """Insert version rows in one statement; their ids, in the rows' order."""
        if not rows:
            return []
        if len(rows) == 1:
            # The statement with its values as parameters: compiled once, not once per version.
            inserted = conn.execute(versions.insert(), rows[0]).inserted_primary_key
            assert inserted is not None  # an insert of one row always has its key
            return [int(inserted[0])]
        statement = versions.insert().returning(versions.c.id, sort_by_parameter_order=True)
        return [int(vid) for vid in conn.execute(statement, rows).scalars().all()]

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
        """Insert a version and the slices it makes current; its id (see `_version_slice_rows`).

        The version's value count is the sum of its slices' counts.
        """
        row = self._version_row(
            action,
            file_name,
            sha256,
            user,
            slices,
            sum(per_slice.get(s, 0) for s in slices),
            restored_from,
        )
        version_id = self._insert_versions(conn, [row])[0]
        rows = _version_slice_rows(version_id, slices, per_slice, current_map, data_ids)
        insert_many(conn, version_slices, _VERSION_SLICE_COLUMNS, rows)
        return version_id

    def _point(
        self,
        conn: Connection,
        pointers: dict[tuple[str, str], tuple[int, int]],
        fresh: Collection[tuple[str, str]] = (),
    ) -> None:
        """Make each slice's (version, data version) current: the version that made it current
        and the version whose recorded rows it holds. `fresh`: slices known to have no pointer
        yet (nothing to delete)."""
        if not pointers:
            return
        self._delete_slices(conn, current_slices, [k for k in pointers if k not in fresh])
        insert_many(
            conn,
            current_slices,
            ["township", "area", "month", "version_id", "data_version_id"],
            [(self.township, a, m, v, d) for (a, m), (v, d) in pointers.items()],
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
        self._point(conn, {s: (new_id, data_ids[s]) for s in slices})
        self._refresh_totals(conn, slices)
        return ChangeResult(
            changed=True,
            message=f"已恢复版本 {version_id}（{target.file_name}）为当前数据，记为版本 {new_id}：{summarise_slices(slices)}",
            version_id=new_id,
            slices=slices,
        )
