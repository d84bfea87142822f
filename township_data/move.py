"""Moving a store into another database: a township's SQLite file into the county's PostgreSQL.

Every version is copied with its number, so `history`, `restore N` and the source notes of the
report read the same afterwards. The copy is one transaction on the target: it takes the
townships' write lock first (as an import does), refuses when a township already has data there,
and commits only after the row count of every table matches the source, so a failed or refused
move leaves the target as it was. The source is read in one transaction too (BEGIN IMMEDIATE on
SQLite: no import can land halfway through the copy) and is left unchanged.

Version numbers are unique across a database. When another township of the target already uses
some of the numbers, the move is refused unless `new_ids` asks to number the copied versions on
after the target's newest one (every reference to a version moves with it).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from . import config
from .errors import Problem, StoreError
from .store import DEPLOYMENT_TABLES, get_engine, metadata, townships, versions

TABLE_LABELS = {
    "townships": "镇",
    "versions": "版本",
    "version_slices": "版本所含领域和月份",
    "recorded_slices": "历次导入的数据",
    "current_slices": "当前数据的领域和月份",
    "monthly_totals": "各月合计",
    "report_texts": "工作总结文字",
    "events": "大事记",
}
# Tables whose rows are numbered across every township by their own `id` (not a version): the
# target numbers the copied rows afresh, so another township's rows there never collide.
RENUMBERED = {"events"}
BATCH_ROWS = 5_000
BATCH_IDS = 500  # version numbers per IN (…) list: well under any driver's parameter limit


@dataclass(frozen=True)
class TableCount:
    """Rows of one table belonging to the moved townships, in the source and in the target."""

    table: str
    source: int
    target: int

    @property
    def label(self) -> str:
        return f"{TABLE_LABELS.get(self.table, self.table)}（{self.table}）"

    @property
    def ok(self) -> bool:
        return self.source == self.target


@dataclass
class MoveResult:
    """What a move copied, for the printed summary."""

    townships: dict[str, str]
    counts: list[TableCount] = field(default_factory=list)
    first_id: int | None = None
    last_id: int | None = None
    offset: int = 0
    seconds: float = 0.0

    @property
    def versions(self) -> int:
        return next((c.source for c in self.counts if c.table == "versions"), 0)


def _refuse(message: str, hint: str = "") -> StoreError:
    return StoreError(problems=[Problem(message, hint=hint)], title="未复制任何数据")


def _is_version_reference(table: sa.Table, column: sa.Column) -> bool:
    """Columns holding a version number: versions.id and every *version_id / restored_from."""
    if table is versions:
        return column.name in ("id", "restored_from")
    return column.name == "version_id" or column.name.endswith("_version_id")


def _rows_of(table: sa.Table, keys: list[str]) -> sa.ColumnElement[bool]:
    """The rows of `table` that belong to the townships `keys`."""
    if "township" in table.c:
        return table.c.township.in_(keys)
    if table is townships:
        return table.c.key.in_(keys)
    if "version_id" in table.c:
        return table.c.version_id.in_(sa.select(versions.c.id).where(versions.c.township.in_(keys)))
    raise RuntimeError(f"move.py does not know which rows of table {table.name} to copy")


def _count(conn: Connection, table: sa.Table, keys: list[str]) -> int:
    return conn.execute(
        sa.select(sa.func.count()).select_from(table).where(_rows_of(table, keys))
    ).scalar_one()


@contextmanager
def _transaction(engine: Engine, snapshot: bool = False) -> Iterator[Connection]:
    """A write transaction (BEGIN IMMEDIATE on SQLite: no other writer until it ends).

    `snapshot`: every read sees the database as at the first one. SQLite's transaction already
    does; PostgreSQL needs REPEATABLE READ (the source of a move from a PostgreSQL store).
    """
    options: dict[str, object] = {"township_write": True}
    if snapshot and engine.dialect.name == "postgresql":
        options["isolation_level"] = "REPEATABLE READ"
    with engine.connect().execution_options(**options) as conn, conn.begin():
        yield conn


def move(
    source_url: str, target_url: str, only: list[str] | None = None, new_ids: bool = False
) -> MoveResult:
    """Copy every version of the source's townships (or of `only`) into the target database."""
    if config.normalise_url(source_url) == config.normalise_url(target_url):
        raise _refuse(
            "源数据库和目标数据库是同一个",
            "用 --data-dir 指定原来的数据文件夹，--to 指定新的数据库",
        )
    began = time.perf_counter()
    source, target = get_engine(source_url), get_engine(target_url)
    with _transaction(source, snapshot=True) as src:
        names = dict(src.execute(sa.select(townships.c.key, townships.c.name)).all())
        keys = sorted(only or names)
        unknown = [k for k in keys if k not in names]
        if unknown:
            raise _refuse(
                f"源数据库中没有代号为“{'、'.join(unknown)}”的镇",
                f"源数据库中的镇：{'、'.join(names) or '（无）'}",
            )
        if not keys:
            raise _refuse("源数据库中还没有任何数据")
        revisions = dict(
            src.execute(
                sa.select(townships.c.key, townships.c.revision).where(townships.c.key.in_(keys))
            ).all()
        )
        ids = sorted(
            src.execute(sa.select(versions.c.id).where(versions.c.township.in_(keys))).scalars()
        )
        result = MoveResult(townships={k: names[k] for k in keys})
        with _transaction(target) as dst:
            offset = _lock_target(dst, result, revisions, ids, new_ids)
            source_counts = {}
            for table in metadata.sorted_tables:
                if table.name in DEPLOYMENT_TABLES:
                    continue  # accounts and sign-ins belong to a deployment, not a township
                source_counts[table.name] = _count(src, table, keys)
                if table is not townships:
                    _copy(src, dst, table, keys, offset)
            shown = [n for n in TABLE_LABELS if n in source_counts]
            shown += [n for n in source_counts if n not in TABLE_LABELS]
            result.counts = [
                TableCount(name, source_counts[name], _count(dst, metadata.tables[name], keys))
                for name in shown
            ]
            bad = [c for c in result.counts if not c.ok]
            if bad:
                raise _refuse(
                    "复制后行数不一致："
                    + "；".join(f"{c.label} 源 {c.source} 行、目标 {c.target} 行" for c in bad)
                )
            _after_copy(dst)
    result.offset = offset
    if ids:
        result.first_id, result.last_id = ids[0] + offset, ids[-1] + offset
    result.seconds = time.perf_counter() - began
    return result


def _lock_target(
    dst: Connection,
    result: MoveResult,
    revisions: dict[str, int],
    ids: list[int],
    new_ids: bool,
) -> int:
    """Take the target's locks, check it can take the townships, and return the id offset.

    The townships' revision rows are locked first, as an import does (so an import of one of
    them finishes before, or waits until after, the move), and everything checked is read after
    the locks are held: under READ COMMITTED those reads see whatever landed meanwhile.
    """
    keys = list(result.townships)
    existing = set(
        dst.execute(sa.select(townships.c.key).where(townships.c.key.in_(keys))).scalars()
    )
    missing = [k for k in keys if k not in existing]
    if missing:
        dst.execute(
            townships.insert(),
            [{"key": k, "name": result.townships[k], "revision": 0} for k in missing],
        )
    for key in keys:
        dst.execute(
            townships.update()
            .where(townships.c.key == key)
            .values(revision=townships.c.revision + 1)
        )
    if dst.dialect.name == "postgresql":
        # Version numbers come from one sequence shared by every township: no other township
        # may take a number while the copied ones are checked, inserted and stepped past.
        dst.exec_driver_sql(f"LOCK TABLE {versions.name} IN SHARE ROW EXCLUSIVE MODE")
    for key in keys:
        held = _count(dst, versions, [key])
        texts = _count(dst, metadata.tables["report_texts"], [key])
        if held or texts:
            raise _refuse(
                f"目标数据库中“{result.townships[key]}”（{key}）已有数据"
                f"（{held} 个版本，{texts} 段工作总结文字）",
                "只能迁移到还没有该镇数据的数据库",
            )
        # Past both its own and the source's revision: no page keeps a cached result under a
        # revision number that now means other data.
        revision = dst.execute(
            sa.select(townships.c.revision).where(townships.c.key == key)
        ).scalar_one()
        dst.execute(
            townships.update()
            .where(townships.c.key == key)
            .values(revision=max(revision, revisions[key] + 1))
        )
    if not ids:
        return 0
    newest = dst.execute(sa.select(sa.func.max(versions.c.id))).scalar() or 0
    if new_ids:
        return newest
    taken = sum(
        dst.execute(
            sa.select(sa.func.count()).where(versions.c.id.in_(ids[i : i + BATCH_IDS]))
        ).scalar_one()
        for i in range(0, len(ids), BATCH_IDS)
    )
    if taken:
        raise _refuse(
            f"目标数据库中版本号 {ids[0]}–{ids[-1]} 有 {taken} 个已被其他镇使用",
            f"加 --new-ids 可把复制的版本号顺延为从 {newest + 1} 起",
        )
    return 0


def _copy(src: Connection, dst: Connection, table: sa.Table, keys: list[str], offset: int) -> None:
    shifted = [c.name for c in table.c if offset and _is_version_reference(table, c)]
    query = sa.select(table).where(_rows_of(table, keys))
    if table.name in RENUMBERED:  # in their order, without their numbers
        query = sa.select(*(c for c in table.c if c.name != "id")).where(_rows_of(table, keys))
        query = query.order_by(table.c.id)
    rows = src.execution_options(yield_per=BATCH_ROWS).execute(query)
    for batch in rows.mappings().partitions():
        records = [dict(r) for r in batch]
        for record in records:
            for name in shifted:
                if record[name] is not None:
                    record[name] += offset
        dst.execute(table.insert(), records)


def _after_copy(dst: Connection) -> None:
    """Move PostgreSQL's id sequences past the copied numbers (SQLite takes max + 1 itself)."""
    if dst.dialect.name != "postgresql":
        return
    for table in metadata.sorted_tables:
        for column in table.primary_key.columns:
            if column.autoincrement is True:
                newest = sa.select(sa.func.max(column)).scalar_subquery()
                dst.execute(
                    sa.select(
                        sa.func.setval(
                            sa.func.pg_get_serial_sequence(table.name, column.name),
                            sa.func.coalesce(newest, 0) + 1,
                            False,
                        )
                    )
                )
