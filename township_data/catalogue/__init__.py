"""The indicator catalogue: loaded and validated in one place from the editable TOML file.

Everything the rest of the code knows about areas, indicators, units, combining rules, villages,
the 打擂 score items, the 大事记 kinds and when an area begins and ends comes from here, so adding
an indicator to the file adds it to the workbook template, the reader, the pages and the exports
without touching code.

model (what the catalogue holds and its lookups), parse (checking the file), load (files and
folders, re-read when they change).
"""

from __future__ import annotations

from .load import load_catalogue, load_catalogues
from .model import (
    ACROSS,
    ALWAYS,
    COMBINES,
    EVENT_KINDS,
    LEVELS,
    TOTAL_SCORE,
    TOWN,
    UNIT_KINDS,
    Area,
    Catalogue,
    Contest,
    Indicator,
    Span,
    Village,
    norm,
)
from .parse import parse_catalogue

__all__ = [
    "ACROSS",
    "ALWAYS",
    "COMBINES",
    "EVENT_KINDS",
    "LEVELS",
    "TOTAL_SCORE",
    "TOWN",
    "UNIT_KINDS",
    "Area",
    "Catalogue",
    "Contest",
    "Indicator",
    "Span",
    "Village",
    "load_catalogue",
    "load_catalogues",
    "norm",
    "parse_catalogue",
]
