"""Loading catalogues: one file for a township, a folder of files for a county, re-read when
a file changes."""

from __future__ import annotations

import functools
from pathlib import Path

from .. import config
from ..errors import CatalogueError, Problem
from .model import Catalogue
from .parse import parse_catalogue


@functools.lru_cache(maxsize=8)
def _load(path: Path, mtime_ns: int) -> Catalogue:
    return parse_catalogue(path.read_bytes(), path)


def _read(target: Path) -> Catalogue:
    try:
        mtime = target.stat().st_mtime_ns
    except OSError as exc:
        raise CatalogueError(
            problems=[Problem(message=f"找不到指标目录文件 {target}（{exc.strerror}）")],
            title="指标目录文件有误",
        ) from None
    return _load(target, mtime)


def load_catalogues(path: Path | None = None) -> dict[str, Catalogue]:
    """Every township's catalogue by township key: one for a file, one per `*.toml` of a folder.

    A county keeps one catalogue file per township in a folder (TOWNSHIP_CATALOGUE=folder); the
    files are read in name order, and two files claiming the same township key are refused.
    """
    target = Path(path) if path else config.catalogue_path()
    if not target.is_dir():
        catalogue = _read(target)
        return {catalogue.township_key: catalogue}
    # county.toml beside them is the county's own 打擂 rules (county_rules.py), not a township.
    files = sorted(p for p in target.glob("*.toml") if p.name != config.COUNTY_RULES_FILE)
    if not files:
        raise CatalogueError(
            problems=[Problem(message=f"指标目录文件夹 {target} 中没有任何 .toml 指标目录文件")],
            title="指标目录文件有误",
        )
    found: dict[str, Catalogue] = {}
    problems: list[Problem] = []
    for file in files:
        try:
            catalogue = _read(file)
        except CatalogueError as exc:
            problems += exc.problems
            continue
        if catalogue.township_key in found:
            other = found[catalogue.township_key].path.name
            problems.append(
                Problem(
                    message=f"[township] key = “{catalogue.township_key}”已用于 {other}，每个镇的代号须不同",
                    file=file.name,
                )
            )
            continue
        found[catalogue.township_key] = catalogue
    if problems:
        raise CatalogueError(problems=problems, title="指标目录文件有误")
    return found


def load_catalogue(path: Path | None = None, township: str | None = None) -> Catalogue:
    """One township's catalogue (default: config.catalogue_path()), re-read when the file changes.

    `township` picks a township of a county's catalogue folder by its key; it may be left out
    when the path holds a single township.
    """
    catalogues = load_catalogues(path)
    if township is None and len(catalogues) == 1:
        return next(iter(catalogues.values()))
    if township in catalogues:
        return catalogues[township]
    choices = "、".join(f"{key}（{c.township_name}）" for key, c in catalogues.items())
    message = (
        f"指标目录中没有代号为“{township}”的镇"
        if township
        else f"指标目录文件夹中有 {len(catalogues)} 个镇，请指定是哪个镇"
    )
    raise CatalogueError(
        problems=[Problem(message=message, hint=f"可选：{choices}（命令行用 --township 代号）")],
        title="请选择镇",
    )
