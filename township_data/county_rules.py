"""A county's own rules for ranking its townships: `county.toml` beside the catalogues.

Without the file, townships are ranked by the mean 打擂 score of their villages (county.py).
With it, each township scores the sum of the file's items; an item is either

- the 打擂 (`source = "打擂"`): the mean village 总分 as a share of 满分, times the item's points;
- a figure of an area (`area`, `indicator`): the period's figure as the area page computes it
  (optionally per village), against a `target`: reaching the target earns the item's points,
  less earns its share (or, with `lower_better`, staying at or under the target earns them).

A township with any item 未报 is listed, not ranked. Mistakes in the file are refused in
Chinese, naming the item, when the county page opens.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from . import config
from .catalogue import Catalogue
from .errors import CatalogueError, Problem

CONTEST = "打擂"
_ITEM_KEYS = {
    "name",
    "source",
    "area",
    "indicator",
    "target",
    "per_village",
    "lower_better",
    "full",
}


@dataclass(frozen=True)
class RuleItem:
    name: str
    full: float
    source: str = ""  # CONTEST, or "" for an area's figure
    area: str = ""
    indicator: str = ""
    target: float = 0.0
    per_village: bool = False
    lower_better: bool = False

    def describe(self) -> str:
        if self.source == CONTEST:
            return f"{self.name}（{self.full:g} 分）：各村（社区）打擂平均得分占满分的比例 × {self.full:g}"
        per = "每村（社区）平均" if self.per_village else "全镇"
        goal = (
            f"不超过 {self.target:g} 得满分"
            if self.lower_better
            else f"达到 {self.target:g} 得满分"
        )
        return f"{self.name}（{self.full:g} 分）：{self.area}“{self.indicator}”{per}，{goal}，不足按比例"


@dataclass(frozen=True)
class Rules:
    name: str
    items: tuple[RuleItem, ...] = ()
    path: Path | None = None

    def describe(self) -> str:
        return (
            f"按县定评分规则（{self.path.name if self.path else config.COUNTY_RULES_FILE}）排名，"
            "得分为各项之和："
            + "；".join(i.describe() for i in self.items)
            + "。任何一项未报的乡镇不参加排名。"
        )


def _problem(path: Path, where: str, message: str) -> Problem:
    return Problem(message=f"{where}：{message}", file=path.name)


def _item(
    raw: object, n: int, path: Path, catalogues: Mapping[str, Catalogue]
) -> tuple[RuleItem | None, list[Problem]]:
    where = f"第 {n} 个 [[items]]"
    if not isinstance(raw, dict):
        return None, [_problem(path, where, "应为一组设置")]
    problems = [
        _problem(path, where, f"未知的设置“{k}”，可用：{'、'.join(sorted(_ITEM_KEYS))}")
        for k in raw
        if k not in _ITEM_KEYS
    ]
    name = str(raw.get("name", "")).strip()
    if not name:
        problems.append(_problem(path, where, "缺少 name（评分项名称）"))
    full = raw.get("full")
    if not isinstance(full, int | float) or isinstance(full, bool) or full <= 0:
        problems.append(_problem(path, where, "full（本项分值）应为大于 0 的数"))
        full = 0
    source = str(raw.get("source", ""))
    if source and source != CONTEST:
        problems.append(_problem(path, where, f"source 只能是“{CONTEST}”或不写"))
    area, indicator = str(raw.get("area", "")), str(raw.get("indicator", ""))
    target = raw.get("target", 0)
    if source != CONTEST:
        known = {
            (a.name, i.name) for c in catalogues.values() for a in c.areas for i in a.indicators
        }
        if (area, indicator) not in known:
            problems.append(
                _problem(path, where, f"各乡镇的指标目录中都没有“{area}”的指标“{indicator}”")
            )
        if not isinstance(target, int | float) or isinstance(target, bool) or target <= 0:
            problems.append(_problem(path, where, "target（满分所需的数）应为大于 0 的数"))
            target = 0
    item = RuleItem(
        name,
        float(full),
        source,
        area,
        indicator,
        float(target or 0),
        bool(raw.get("per_village", False)),
        bool(raw.get("lower_better", False)),
    )
    return item, problems


def load_rules(folder: Path | None, catalogues: Mapping[str, Catalogue]) -> Rules:
    """The county's rules from `county.toml` in the catalogue folder; no items when absent."""
    path = folder / config.COUNTY_RULES_FILE if folder and folder.is_dir() else None
    if path is None or not path.is_file():
        return Rules("全县")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CatalogueError(
            problems=[Problem(message=f"无法读取县级打擂规则：{exc}", file=path.name)],
            title="县级打擂规则有误",
        ) from None
    name = str(raw.get("county", {}).get("name", "")).strip() or "全县"
    items, problems = [], []
    for n, entry in enumerate(raw.get("items", []), start=1):
        item, found = _item(entry, n, path, catalogues)
        problems += found
        if item is not None:
            items.append(item)
    if problems:
        raise CatalogueError(problems=problems, title="县级打擂规则有误")
    return Rules(name, tuple(items), path)
