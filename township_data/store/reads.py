"""Reading the store: current values (cut by area, month and indicator), kept totals, the
data-status counts, the history of versions and any version's values."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from .. import config, merging, packing
from ..errors import Problem, StoreError
from ..parsed import ParsedWorkbook
from .base import StoreBase
from .records import KEYED, VERSION_COLUMNS, SavedText, compare, rows_frame
from .tables import (
    current_slices,
    monthly_totals,
    recorded_slices,
    report_texts,
    townships,
    version_slices,
    versions,
)


class StoreReads(StoreBase):
    """Every read of one township's data."""

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
        frame = packing.long_frame(slices, indicators, sources=with_source)
        return self._name_sources(frame) if with_source else frame

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

    def totals(
        self,
        areas: list[str] | None = None,
        first: str | None = None,
        last: str | None = None,
    ) -> pd.DataFrame:
        """The kept per-(area, month, indicator) totals of the current data
        (metrics.monthly_totals' columns): the township's monthly figures without reading
        village values."""
        query = sa.select(*(monthly_totals.c[c] for c in packing.TOTALS_COLUMNS)).where(
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
        frame = rows_frame(rows, packing.TOTALS_COLUMNS)
        for column in ("village_sum", "town_value"):
            frame[column] = frame[column].astype("float64")
        return frame.sort_values(packing.TOTALS_KEY, ignore_index=True)

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
        return rows_frame(rows, ["area", "month", "villages"])

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
        return rows_frame(
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
        frame = rows_frame(
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
            rows: list = []
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
                        rs.c.version_id,
                        rs.c.origins,
                    )
                    .where(rs.c.version_id == data_id, rs.c.area == area, rs.c.month.in_(ms))
                    .order_by(rs.c.month)
                ).fetchall()
        frame = packing.long_frame(packing.decode(rows, cells=True), sources=True)
        return self._name_sources(frame)[VERSION_COLUMNS]

    def _name_sources(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Each value's file and sheet from the version it came from (its origin): a slice
        merged by village holds values of several versions, each with its own file."""
        if frame.empty:
            return frame
        ids = sorted({int(v) for v in frame["version_id"].unique()})
        with self.engine.connect() as conn:
            files = dict(
                conn.execute(
                    sa.select(versions.c.id, versions.c.file_name).where(versions.c.id.in_(ids))
                ).all()
            )
            sheets = {
                (v, a, m): sheet
                for v, a, m, sheet in conn.execute(
                    sa.select(
                        recorded_slices.c.version_id,
                        recorded_slices.c.area,
                        recorded_slices.c.month,
                        recorded_slices.c.sheet,
                    ).where(recorded_slices.c.version_id.in_(ids))
                ).all()
            }
        keys = frame[["version_id", "area", "month"]].drop_duplicates()
        named = keys.assign(
            file_name=[files.get(int(v), "") for v in keys["version_id"]],
            sheet=[
                sheets.get((int(v), a, m), "")
                for v, a, m in zip(keys["version_id"], keys["area"], keys["month"], strict=True)
            ],
        )
        out = frame.drop(columns=["file_name", "sheet"]).merge(
            named, on=["version_id", "area", "month"], how="left", sort=False
        )
        for column in ("file_name", "sheet"):
            out[column] = out[column].astype("str")
        return out[frame.columns]

    def merge_preview(
        self, files: list[ParsedWorkbook], replace: bool = False
    ) -> list[merging.FileMerge]:
        """What importing these files in order would make of the current slices (merging.py),
        computed as `import_files` computes it, without writing."""
        touched = list(dict.fromkeys(s for parsed in files for s in parsed.slices))
        with self.engine.connect() as conn:
            current = {(p.area, p.month): p for p in self._slices_of(conn, touched, full=True)}
        return merging.merge_files(current, files, replace)

    def diff(self, values: pd.DataFrame, slices: list[tuple[str, str]]) -> pd.DataFrame:
        """What storing `values` for `slices` would change: one row per added/replaced/removed value.

        Columns: area, month, village, indicator, old, new, change (新增/修改/改为未报/不变).
        """
        with self.engine.connect() as conn:
            old = packing.long_frame(self._slices_of(conn, slices))
        return compare(old[KEYED], values[KEYED])

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

    def report_text_periods(self) -> list[tuple[str, str]]:
        """Every period with saved report texts, as (first, last) months, oldest first."""
        query = (
            sa.select(report_texts.c.first_month, report_texts.c.last_month)
            .where(report_texts.c.township == self.township)
            .distinct()
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return sorted((first, last) for first, last in rows)
