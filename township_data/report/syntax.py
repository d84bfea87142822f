"""What a parsed template is made of: paragraphs of text, figures and conditional wording.

A paragraph is a sequence of nodes: literal text (`Segment(text=…)`), a figure
(`Segment(ref=key)`), or a `Choice` — wording written only when its condition holds, with an
optional alternative (`{如果 …：…}{否则：…}`). report_template.md documents the syntax for the
office; parse.py reads it, render.py writes it out for a period.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..catalogue import Indicator

# Placeholders that name no indicator: the period, the township, the contest, the numbering.
FACTS = (
    "镇名",
    "期间",
    "本期",
    "年份",
    "时段",
    "学期",
    "村数",
    "评比村数",
    "红榜数",
    "黑榜数",
    "红榜村",
    "黑榜村",
    "序号",
)
# Prefixes of an indicator placeholder ({数值:安全生产/检查车辆}); report_template.md says what
# each one writes.
MODES = ("", "数值", "余", "千多", "村数", "村名", "月份", "进度", "应完成")
# Prefixes of an event placeholder ({事件月份:防汛抢险}): the kind comes from the catalogue.
EVENT_MODES = ("事件", "事件月份", "事件次数", "事件数")
# {如果 领域:疫情防控：…}: whether an area is reported in the period (conditions only).
AREA_MODE = "领域"
PREFIXES = (*(m for m in MODES if m), *EVENT_MODES, AREA_MODE)
OPERATORS = (">=", "<=", "!=", ">", "<", "=")
NUMBERING = "序号"


@dataclass(frozen=True)
class Ref:
    """A placeholder resolved against the catalogue: what one figure of the report is.

    kind: indicator, fact, event (a kind of 大事记) or area (an area's span).
    """

    key: str
    mode: str = ""
    indicator: Indicator | None = None
    kind: str = "fact"
    name: str = ""

    @property
    def label(self) -> str:
        """How the figure is named on the page: 安全生产·检查生产经营单位（村数）."""
        if self.indicator is not None:
            name = f"{self.indicator.area}·{self.indicator.name}"
            return f"{name}（{self.mode}）" if self.mode and self.mode != "数值" else name
        if self.kind == "event":
            return f"大事记·{self.name}（{self.mode}）"
        if self.kind == "area":
            return f"领域·{self.name}（本期是否填报）"
        return self.key


@dataclass(frozen=True)
class Segment:
    """A run of a paragraph: literal text, or the key of the figure that fills it."""

    text: str = ""
    ref: str = ""


@dataclass(frozen=True)
class Test:
    """One comparison of a condition: a figure against a number or another figure.

    `op` '' is the bare test: the figure is above 0 (an event kind happened, an area is
    reported).
    """

    left: str
    op: str = ""
    right: str | float | None = None

    @property
    def keys(self) -> list[str]:
        return [self.left, *([self.right] if isinstance(self.right, str) else [])]


@dataclass(frozen=True)
class Condition:
    tests: tuple[Test, ...]
    joiner: str = "且"
    text: str = ""

    @property
    def keys(self) -> list[str]:
        return [k for t in self.tests for k in t.keys]


@dataclass(frozen=True)
class Choice:
    """Wording written when the condition holds, else the alternative (or nothing)."""

    condition: Condition
    then: tuple[Node, ...]
    otherwise: tuple[Node, ...] | None = None


Node = Segment | Choice


def base(key: str) -> str:
    """The indicator a key names, whatever its prefix ({数值:党管武装/基干民兵} → 党管武装/基干民兵)."""
    return key.rpartition(":")[2] if "/" in key else key


def walk(nodes: tuple[Node, ...]) -> Iterator[str]:
    """Every figure key the nodes name, conditions included, in order of appearance."""
    for node in nodes:
        if isinstance(node, Choice):
            yield from node.condition.keys
            yield from walk(node.then)
            yield from walk(node.otherwise or ())
        elif node.ref:
            yield node.ref


def fields(nodes: tuple[Node, ...]) -> set[str]:
    """The keys written as figures (not only tested) anywhere in the nodes."""
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, Choice):
            found |= fields(node.then) | fields(node.otherwise or ())
        elif node.ref:
            found.add(node.ref)
    return found


@dataclass(frozen=True)
class Slot:
    """Room for the office's own words, stored per period under `name`."""

    name: str
    hint: str


@dataclass(frozen=True)
class TemplateParagraph:
    """One paragraph of the template: kind is title, heading or body."""

    kind: str
    segments: tuple[Node, ...]
    line: int
    slot: Slot | None = None

    @property
    def keys(self) -> list[str]:
        """The figures of the paragraph (tested or written), each once, in order."""
        return list(dict.fromkeys(walk(self.segments)))


@dataclass(frozen=True)
class Template:
    path: Path
    fingerprint: str
    paragraphs: tuple[TemplateParagraph, ...]
    refs: dict[str, Ref]

    @property
    def slots(self) -> list[Slot]:
        return [p.slot for p in self.paragraphs if p.slot is not None]
