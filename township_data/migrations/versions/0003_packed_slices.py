"""Packed slices: one stored row per (version, area, month) instead of one per value.

Revision ID: 0003
Revises: 0002
Create Date: 2024-07-03

`recorded_values` (one row per value of every version) becomes `recorded_slices`: one row per
(version, area, month) holding the villages, the indicators, the values as a float64 matrix and
their cells (township_data/packing describes the format). `current_values`, a copy of the
current versions' values, is dropped: the current data is `current_slices` joined to the
history, which it always equalled. That equality is checked before anything is dropped, so a
store whose copy disagreed stops here with its data untouched (the upgrade is one transaction
on both databases).

The values are converted in one ordered scan, slice by slice, in Python: the same code on
SQLite and PostgreSQL. Villages keep their sheet order and indicators their column order (both
read back from the cells), as an import stores them. The format is written here rather than
imported from the packing package, so this revision keeps working when that module changes.
"""

from __future__ import annotations

import base64
import json
import math
import re
import struct
from collections.abc import Iterator

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

BATCH = 5_000  # values read per round trip
SLICES = 200  # slices written per insert
_CELL = re.compile(r"^([A-Z]+)(\d+)")
_ROW = re.compile(r"^第 (\d+) 行")

_meta = sa.MetaData()
recorded_values = sa.Table(
    "recorded_values",
    _meta,
    sa.Column("version_id", sa.Integer, primary_key=True),
    sa.Column("area", sa.String(50), primary_key=True),
    sa.Column("month", sa.String(7), primary_key=True),
    sa.Column("village", sa.String(50), primary_key=True),
    sa.Column("indicator", sa.String(100), primary_key=True),
    sa.Column("value", sa.Float, nullable=False),
    sa.Column("sheet", sa.String(100), nullable=False),
    sa.Column("cell", sa.String(40), nullable=False),
)
current_values = sa.Table(
    "current_values",
    _meta,
    sa.Column("township", sa.String(64), primary_key=True),
    sa.Column("area", sa.String(50), primary_key=True),
    sa.Column("month", sa.String(7), primary_key=True),
    sa.Column("village", sa.String(50), primary_key=True),
    sa.Column("indicator", sa.String(100), primary_key=True),
    sa.Column("value", sa.Float, nullable=False),
    sa.Column("version_id", sa.Integer, nullable=False),
    sa.Column("sheet", sa.String(100), nullable=False),
    sa.Column("cell", sa.String(40), nullable=False),
)
current_slices = sa.Table(
    "current_slices",
    _meta,
    sa.Column("township", sa.String(64), primary_key=True),
    sa.Column("area", sa.String(50), primary_key=True),
    sa.Column("month", sa.String(7), primary_key=True),
    sa.Column("version_id", sa.Integer, nullable=False),
    sa.Column("data_version_id", sa.Integer, nullable=False),
)
recorded_slices = sa.Table(
    "recorded_slices",
    _meta,
    sa.Column("version_id", sa.Integer, primary_key=True),
    sa.Column("area", sa.String(50), primary_key=True),
    sa.Column("month", sa.String(7), primary_key=True),
    sa.Column("sheet", sa.String(100), nullable=False),
    sa.Column("villages", sa.Text, nullable=False),
    sa.Column("indicators", sa.Text, nullable=False),
    sa.Column("data", sa.Text, nullable=False),
    sa.Column("cells", sa.Text, nullable=False),
)


def _place(cell: str) -> tuple[int, int, int, str]:
    """Where a value sat in its sheet: (row, 0 for a plain cell, column); a cell the reader
    wrote otherwise (a 总分 it added up itself, "H7（由各项相加）" or "第 7 行（由各项相加）")
    after the plain cells of its row."""
    found = _CELL.match(cell) or _ROW.match(cell)
    if found is None:
        return (0, 1, 0, cell)
    if found.re is _ROW:
        return (int(found.group(1)), 1, 0, cell)
    column = 0
    for letter in found.group(1):
        column = column * 26 + ord(letter) - 64
    plain = cell == found.group(0)
    return (int(found.group(2)), 0 if plain else 1, column if plain else 0, cell)


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _slice(key: tuple, sheet: str, values: list[tuple]) -> dict:
    """One packed slice from its (village, indicator, value, cell) values."""
    by_village: dict[str, list[tuple]] = {}
    for village, indicator, value, cell in values:
        by_village.setdefault(village, []).append((_place(cell), indicator, value, cell))
    rows = sorted((sorted(found), village) for village, found in by_village.items())
    villages = [village for _, village in rows]
    names = list(dict.fromkeys(name for found, _ in rows for _, name, _, _ in found))
    index = {name: i for i, name in enumerate(names)}
    matrix = [[float("nan")] * len(villages) for _ in names]
    cells: list[list[str | None]] = [[None] * len(villages) for _ in names]
    for j, (found, _) in enumerate(rows):
        for _, name, value, cell in found:
            matrix[index[name]][j] = value
            cells[index[name]][j] = cell
    data = struct.pack(f"<{len(names) * len(villages)}d", *(x for row in matrix for x in row))
    return {
        "version_id": key[0],
        "area": key[1],
        "month": key[2],
        "sheet": sheet,
        "villages": _dumps(villages),
        "indicators": _dumps(names),
        "data": base64.b64encode(data).decode("ascii"),
        "cells": _dumps(cells),
    }


def _packed(conn: sa.Connection) -> Iterator[list[dict]]:
    """recorded_values as packed slices, in batches (one ordered scan: a slice's values are
    adjacent)."""
    rv = recorded_values
    query = sa.select(rv).order_by(rv.c.version_id, rv.c.area, rv.c.month)
    # Per statement: Connection.execution_options would stream every later statement too.
    result = conn.execute(query.execution_options(yield_per=BATCH))
    key, sheet, values = None, "", []
    batch: list[dict] = []
    for r in result:
        here = (r.version_id, r.area, r.month)
        if here != key:
            if key is not None:
                batch.append(_slice(key, sheet, values))
                if len(batch) >= SLICES:
                    yield batch
                    batch = []
            key, sheet, values = here, r.sheet, []
        values.append((r.village, r.indicator, r.value, r.cell))
    if key is not None:
        batch.append(_slice(key, sheet, values))
    if batch:
        yield batch


def _count(conn: sa.Connection, query: sa.Select) -> int:
    return conn.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one()


def _check_current_is_the_history(conn: sa.Connection) -> None:
    """current_values must hold exactly the values of each current slice's recorded version."""
    cv, cs, rv = current_values, current_slices, recorded_values
    copies = _count(conn, sa.select(cv.c.township))
    slice_of = sa.and_(
        cs.c.township == cv.c.township, cs.c.area == cv.c.area, cs.c.month == cv.c.month
    )
    matching = _count(
        conn,
        sa.select(cv.c.township)
        .join(cs, sa.and_(slice_of, cs.c.data_version_id == cv.c.version_id))
        .join(
            rv,
            sa.and_(
                rv.c.version_id == cv.c.version_id,
                rv.c.area == cv.c.area,
                rv.c.month == cv.c.month,
                rv.c.village == cv.c.village,
                rv.c.indicator == cv.c.indicator,
                rv.c.value == cv.c.value,
                rv.c.cell == cv.c.cell,
            ),
        ),
    )
    recorded = _count(
        conn,
        sa.select(rv.c.version_id).join(
            cs,
            sa.and_(
                cs.c.data_version_id == rv.c.version_id,
                cs.c.area == rv.c.area,
                cs.c.month == rv.c.month,
            ),
        ),
    )
    if not copies == matching == recorded:
        raise RuntimeError(
            "current_values does not equal the recorded values of the current slices "
            f"({copies} current values, {matching} matching, {recorded} recorded): "
            "the store was left at revision 0002"
        )


def upgrade() -> None:
    conn = op.get_bind()
    # As 0001 does, a table made before migrations by create_all is adopted, not made again.
    tables = set(sa.inspect(conn).get_table_names())
    if "recorded_slices" not in tables:
        op.create_table(
            "recorded_slices",
            sa.Column("version_id", sa.Integer, sa.ForeignKey("versions.id"), primary_key=True),
            sa.Column("area", sa.String(50), primary_key=True),
            sa.Column("month", sa.String(7), primary_key=True),
            sa.Column("sheet", sa.String(100), nullable=False),
            sa.Column("villages", sa.Text, nullable=False),
            sa.Column("indicators", sa.Text, nullable=False),
            sa.Column("data", sa.Text, nullable=False),
            sa.Column("cells", sa.Text, nullable=False),
        )
    if "recorded_values" not in tables:
        return
    _check_current_is_the_history(conn)
    for batch in _packed(conn):
        conn.execute(recorded_slices.insert(), batch)
    op.drop_table("current_values")
    op.drop_table("recorded_values")


def downgrade() -> None:
    conn = op.get_bind()
    op.create_table(
        "recorded_values",
        sa.Column("version_id", sa.Integer, sa.ForeignKey("versions.id"), primary_key=True),
        sa.Column("area", sa.String(50), primary_key=True),
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("village", sa.String(50), primary_key=True),
        sa.Column("indicator", sa.String(100), primary_key=True),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("sheet", sa.String(100), nullable=False),
        sa.Column("cell", sa.String(40), nullable=False),
    )
    op.create_table(
        "current_values",
        sa.Column("township", sa.String(64), primary_key=True),
        sa.Column("area", sa.String(50), primary_key=True),
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("village", sa.String(50), primary_key=True),
        sa.Column("indicator", sa.String(100), primary_key=True),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("version_id", sa.Integer, nullable=False),
        sa.Column("sheet", sa.String(100), nullable=False),
        sa.Column("cell", sa.String(40), nullable=False),
    )
    op.create_index(
        "ix_current_area_indicator_month",
        "current_values",
        ["township", "area", "indicator", "month"],
    )
    rows = conn.execute(sa.select(recorded_slices).execution_options(yield_per=SLICES))
    for part in rows.partitions():
        values = []
        for r in part:
            villages, names = json.loads(r.villages), json.loads(r.indicators)
            cells = json.loads(r.cells)
            data = base64.b64decode(r.data)
            matrix = struct.unpack(f"<{len(data) // 8}d", data)
            for i, name in enumerate(names):
                for j, village in enumerate(villages):
                    value = matrix[i * len(villages) + j]
                    if math.isnan(value):
                        continue
                    values.append(
                        {
                            "version_id": r.version_id,
                            "area": r.area,
                            "month": r.month,
                            "village": village,
                            "indicator": name,
                            "value": value,
                            "sheet": r.sheet,
                            "cell": cells[i][j],
                        }
                    )
        if values:
            conn.execute(recorded_values.insert(), values)
    rv, cs = recorded_values, current_slices
    conn.execute(
        current_values.insert().from_select(
            [c.name for c in current_values.c],
            sa.select(
                cs.c.township,
                rv.c.area,
                rv.c.month,
                rv.c.village,
                rv.c.indicator,
                rv.c.value,
                rv.c.version_id,
                rv.c.sheet,
                rv.c.cell,
            ).join(
                cs,
                sa.and_(
                    cs.c.data_version_id == rv.c.version_id,
                    cs.c.area == rv.c.area,
                    cs.c.month == rv.c.month,
                ),
            ),
        )
    )
    op.drop_table("recorded_slices")
