"""Plotly figures with Chinese titles, axes with units, months as 2024年3月 (no Streamlit).

base (fonts, colours and the shared layout), status (who has reported), contest (打擂),
trends (monthly lines and bars, year overlays, cumulative), villages (villages compared),
safety (hazards found, fixed and open), events (大事记 marked at their months).
"""

from __future__ import annotations

from .base import (
    FONT,
    FOOT_LEGEND,
    KIND_NAMES,
    MISSING_COLOUR,
    MONTH_NAMES,
    OLDER_YEAR,
    PALETTE,
    axis_title,
    base_layout,
)
from .contest import (
    CONTEST_GREY,
    CONTEST_RED,
    RANK_SCALE,
    contest_average,
    contest_distribution,
    contest_rank_heatmap,
    contest_trajectory,
)
from .events import EVENT_COLOUR, event_marks
from .safety import hazards
from .status import STATUS_COLOURS, status_heatmap
from .trends import cumulative, trend, year_overlay
from .villages import village_bars, village_heatmap

__all__ = [
    "CONTEST_GREY",
    "CONTEST_RED",
    "EVENT_COLOUR",
    "FONT",
    "FOOT_LEGEND",
    "KIND_NAMES",
    "MISSING_COLOUR",
    "MONTH_NAMES",
    "OLDER_YEAR",
    "PALETTE",
    "RANK_SCALE",
    "STATUS_COLOURS",
    "axis_title",
    "base_layout",
    "contest_average",
    "contest_distribution",
    "contest_rank_heatmap",
    "contest_trajectory",
    "cumulative",
    "event_marks",
    "hazards",
    "status_heatmap",
    "trend",
    "village_bars",
    "village_heatmap",
    "year_overlay",
]
