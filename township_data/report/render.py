"""Writing the template out for a period: conditions decided, figures in place, tidy text.

A condition holds, fails, or cannot be decided because a figure it tests is 未报. Undecided
wording is written in the branch that shows that figure (so its 【未报】 is seen and listed),
else the alternative, else nothing; the figure is listed as 未报 at the end either way, so a
missing figure never silently turns a sentence off. Where a skipped clause leaves two
punctuation marks side by side, the stronger one stays (、 < ， < ； < 。), and a paragraph
never ends on a comma.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .figures import Figure
from .syntax import NUMBERING, Choice, Node, Template, Test, base, fields

PENDING = "【待填写】"
_STRENGTH = {"、": 1, "，": 2, "；": 3, "。": 4}
_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Rendered:
    """A paragraph as written out: runs of (text, figure key or ''); `index` is the template
    paragraph it comes from (-1 for the office's extra paragraphs)."""

    kind: str
    runs: tuple[tuple[str, str], ...]
    slot: str = ""
    index: int = -1

    @property
    def text(self) -> str:
        return "".join(text for text, _ in self.runs)


def _compare(left: float, op: str, right: float) -> bool:
    if op == "=":
        return abs(left - right) < _TOLERANCE
    if op == "!=":
        return abs(left - right) >= _TOLERANCE
    if op == ">":
        return left > right + _TOLERANCE
    if op == "<":
        return left < right - _TOLERANCE
    if op == ">=":
        return left > right - _TOLERANCE
    return left < right + _TOLERANCE


class Writer:
    """Decides conditions and writes nodes as runs; remembers which figures it used."""

    def __init__(self, figures: Mapping[str, Figure]) -> None:
        self.figures = figures
        self.used: dict[str, None] = {}

    def _value(self, key: str) -> float | None:
        fig = self.figures[key]
        return None if fig.missing or fig.value is None else float(fig.value)

    def test(self, test: Test) -> bool | None:
        left = self._value(test.left)
        if not test.op:
            return None if left is None else left > _TOLERANCE
        right = test.right if isinstance(test.right, float) else self._value(str(test.right))
        if left is None or right is None:
            return None
        return _compare(left, test.op, right)

    def choose(self, choice: Choice) -> tuple[Node, ...]:
        """The branch a condition picks (see the module's note on undecided conditions)."""
        condition = choice.condition
        states = [self.test(t) for t in condition.tests]
        if condition.joiner == "且":
            state = False if False in states else (None if None in states else True)
        else:
            state = True if True in states else (None if None in states else False)
        if state is True:
            return choice.then
        if state is False:
            return choice.otherwise or ()
        unknown = [
            k for t, s in zip(condition.tests, states, strict=True) if s is None for k in t.keys
        ]
        unknown = [k for k in unknown if self._value(k) is None]
        shown = {base(k) for k in fields(choice.then)}
        branch = choice.then if {base(k) for k in unknown} & shown else choice.otherwise or ()
        # A tested figure not written as 【未报】 in the chosen branch is still listed at the end.
        written = {base(k) for k in fields(branch)}
        self.used.update(dict.fromkeys(k for k in unknown if base(k) not in written))
        return branch

    def runs(self, nodes: tuple[Node, ...]) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for node in nodes:
            if isinstance(node, Choice):
                out += self.runs(self.choose(node))
            elif node.ref:
                self.used[node.ref] = None
                out.append((self.figures[node.ref].text, node.ref))
            elif node.text:
                out.append((node.text, ""))
        return out


def tidy(runs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Two punctuation marks left side by side by a skipped clause: the stronger one stays;
    a trailing comma or semicolon becomes a full stop. Figures are never changed."""
    out: list[tuple[str, str]] = []
    for text, key in runs:
        while not key and text and text[0] in _STRENGTH and out and out[-1][0][-1:] in _STRENGTH:
            before, before_key = out[-1]
            if before_key:
                break
            if _STRENGTH[text[0]] > _STRENGTH[before[-1]]:
                out[-1] = (before[:-1], "")
                if not out[-1][0]:
                    out.pop()
            else:
                text = text[1:]
        if text or key:
            out.append((text, key))
    if out and not out[-1][1] and out[-1][0][-1:] in ("，", "；", "、"):
        out[-1] = (out[-1][0][:-1] + "。", "")
    return out


def free_paragraphs(text: str) -> list[str]:
    """The office's text as paragraphs: one per non-empty line, indentation stripped."""
    return [
        line.strip(" \t\u3000") for line in (text or "").splitlines() if line.strip(" \t\u3000")
    ]


def render(
    template: Template, figures: Mapping[str, Figure], texts: Mapping[str, str] | None = None
) -> tuple[list[Rendered], list[str]]:
    """Every paragraph written out (empty ones left out, numbered ones renumbered), the
    office's words in their places; and the figures used, in order."""
    texts = texts or {}
    writer = Writer(figures)
    out: list[Rendered] = []
    number = 0
    for index, para in enumerate(template.paragraphs):
        if para.kind != "body":
            number = 0
        runs = tidy(writer.runs(para.segments))
        if para.kind == "body" and para.slot is None and not "".join(t for t, _ in runs).strip():
            continue
        if any(key == NUMBERING for _, key in runs):
            number += 1
            runs = [(str(number), k) if k == NUMBERING else (t, k) for t, k in runs]
        if para.slot is None:
            out.append(Rendered(para.kind, tuple(runs), index=index))
            continue
        lines = free_paragraphs(texts.get(para.slot.name, ""))
        first = lines[0] if lines else PENDING
        out.append(Rendered("body", (*runs, (first, "")), slot=para.slot.name, index=index))
        out += [Rendered("body", ((line, ""),), slot=para.slot.name) for line in lines[1:]]
    used = [k for k in writer.used if figures[k].kind != "period"]
    return out, used
