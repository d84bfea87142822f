"""Filling the template for a period from the store, and the office's saved words.

Every figure is computed as the catalogue says; the cells behind the figures are read at once
for the command line's Markdown, or only when the page shows them (`attach_sources`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import pandas as pd

from .. import events as event_rules
from .. import months
from ..catalogue import Catalogue
from ..events import Event
from .document import Report
from .facts import FactFigures
from .figures import IndicatorFigures
from .sources import SOURCE_FIELDS, attach
from .syntax import Template

if TYPE_CHECKING:
    from ..store import Store

YEARLY_MODES = ("进度", "应完成")


def fill(
    values: pd.DataFrame,
    catalogue: Catalogue,
    template: Template,
    first: str,
    last: str,
    events: Sequence[Event] = (),
) -> Report:
    """Fill `template` for [first, last] from tidy values and the period's 大事记; when the
    values carry their sources (Store.current(with_source=True)), every figure's cells are
    attached as well. Values may reach back to January (a plan's progress is counted over the
    year); the period's figures use the period's months only."""
    indicators = IndicatorFigures(values, catalogue, first, last)
    facts = FactFigures(catalogue, first, last, indicators.values, events)
    figures = {
        key: indicators.figure(ref) if ref.kind == "indicator" else facts.figure(ref)
        for key, ref in template.refs.items()
    }
    for fig in figures.values():
        if fig.spec is not None:
            fig.sources = None
    work = Report(catalogue.township_name, first, last, template, figures)
    if all(name in values.columns for name in SOURCE_FIELDS):
        attach(list(figures.values()), indicators.values, catalogue, indicators.used)
    return work


def reach(template: Template, first: str, last: str) -> str:
    """The first month to read: January of the period's last year when a plan's progress is
    in the template, else the period's first month."""
    yearly = any(r.mode in YEARLY_MODES for r in template.refs.values())
    return min(first, months.year_to_date(last).first) if yearly else first


def build(
    store: Store,
    catalogue: Catalogue,
    template: Template,
    first: str,
    last: str,
    sources: bool = True,
) -> Report:
    """Read the period's current values and 大事记 and fill the template.

    With `sources`, the files, sheets and cells of every figure are read too (the command
    line's Markdown lists them all); the page leaves them out and reads a figure's cells only
    when they are shown (`attach_sources`).
    """
    values = store.current(
        areas=catalogue.sheet_names,
        first=reach(template, first, last),
        last=last,
        with_source=sources,
    )
    found = event_rules.from_frame(store.events(first, last))
    return fill(values, catalogue, template, first, last, found)


def attach_sources(
    work: Report, store: Store, catalogue: Catalogue, keys: Iterable[str] | None = None
) -> Report:
    """Read the cells behind the figures named by `keys` (default: every figure) whose cells
    were left out, from one read of the period's values of their areas and indicators."""
    wanted = None if keys is None else set(keys)
    figures = [
        fig
        for key, fig in work.figures.items()
        if (wanted is None or key in wanted) and fig.spec is not None and fig.sources is None
    ]
    if figures:
        values = store.current(
            areas=sorted({f.spec.area for f in figures if f.spec}),
            first=work.first,
            last=work.last,
            with_source=True,
            indicators=sorted({f.spec.indicator for f in figures if f.spec}),
        )
        attach(figures, values, catalogue)
    return work


def saved_texts(store: Store, first: str, last: str) -> dict[str, str]:
    """The office's saved words for the period, by part name (存在不足, 下步工作重点 …)."""
    return {part: saved.body for part, saved in store.report_texts(first, last).items()}


def previous_texts(store: Store, first: str, last: str) -> tuple[months.Period, dict[str, str]]:
    """The words saved for the period before: the one just before of the same length (the
    quarter before a quarter), else the latest saved period ending before `first`. The office
    writes this period's 存在不足 and 下步工作重点 against them."""
    before = months.Period(first, last).previous()
    texts = saved_texts(store, before.first, before.last)
    if texts:
        return before, texts
    earlier = [p for p in store.report_text_periods() if p[1] < first]
    if not earlier:
        return before, {}
    latest = max(earlier, key=lambda p: (p[1], p[0]))
    return months.Period(*latest), saved_texts(store, *latest)


def normalise_text(text: str) -> str:
    """Free text as stored: trailing spaces and empty lines at the ends removed."""
    return "\n".join(line.rstrip() for line in (text or "").strip().splitlines())
