"""工作总结: the office's half-year report written from the data, every figure traceable.

The wording lives in an editable template (report_template.md): the office changes the phrasing
without touching code. Every figure in it is a placeholder naming a catalogue indicator, a fact
of the period, or a kind of 大事记; wording can depend on its figures ({如果 …：…}{否则：…}), so
the text never states a zero as an achievement nor leaves an event sentence without its event.
A figure is computed exactly as the catalogue says, remembers how it was computed and which
imported cells it came from, and reads 【未报】 when the period holds no data for it, so
nothing silently becomes 0. The free-text parts (存在不足, 下步工作重点) are written on the page
and stored with the period.

syntax (what a parsed template is), parse (reading the template), figures (indicator figures),
facts (the period, 打擂 and 大事记 figures), sources (the cells behind a figure), render
(conditions decided, text tidied), document (the filled report and its forms), build (from
the store).
"""

from __future__ import annotations

from .build import (
    attach_sources,
    build,
    fill,
    normalise_text,
    previous_texts,
    reach,
    saved_texts,
)
from .document import Report
from .facts import since_phrase, within_year
from .figures import MISSING, NONE_TEXT, Figure
from .parse import load_template, parse_template
from .render import PENDING, Rendered, free_paragraphs
from .sources import SOURCE_COLUMNS, SourceSpec, cell_ranges
from .syntax import (
    EVENT_MODES,
    FACTS,
    MODES,
    Choice,
    Condition,
    Ref,
    Segment,
    Slot,
    Template,
    TemplateParagraph,
    Test,
)

__all__ = [
    "EVENT_MODES",
    "FACTS",
    "MISSING",
    "MODES",
    "NONE_TEXT",
    "PENDING",
    "SOURCE_COLUMNS",
    "Choice",
    "Condition",
    "Figure",
    "Ref",
    "Rendered",
    "Report",
    "Segment",
    "Slot",
    "SourceSpec",
    "Template",
    "TemplateParagraph",
    "Test",
    "attach_sources",
    "build",
    "cell_ranges",
    "fill",
    "free_paragraphs",
    "load_template",
    "normalise_text",
    "parse_template",
    "previous_texts",
    "reach",
    "saved_texts",
    "since_phrase",
    "within_year",
]
