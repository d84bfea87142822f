"""Monthly trends: lines or bars per indicator with 未报 marked, years overlaid, cumulative."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .. import months
from .base import (
    MONTH_NAMES,
    OLDER_YEAR,
    PALETTE,
    _clean,
    _layout,
    _missing_marks,
    _month_axis,
    _panel_titles,
    _whole_ticks,
    axis_title,
)
from .events import event_marks


def trend(
    frame: pd.DataFrame,
    units: dict[str, tuple[str, str]],
    title: str,
    kind: str = "line",
    subtitle: str = "",
    events: Sequence[tuple[str, str, str]] = (),
) -> go.Figure:
    """Monthly figures of some indicators: one panel per unit, months as 2024年3月 categories.

    `frame` is months ('YYYY-MM') × indicators with NaN for 未报; `units` maps an indicator to
    (unit, unit kind). Lines break at a missing month; bars leave it empty and mark it 未报.
    `events` (month, kind, line) of the 大事记 are marked at their months.
    """
    labels = [months.label(m) for m in frame.index]
    by_unit: dict[tuple[str, str], list[str]] = {}
    for name in frame.columns:
        by_unit.setdefault(units[name], []).append(name)
    rows = max(len(by_unit), 1)
    fig = make_subplots(
        rows=rows,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.1 if rows > 1 else 0.08,
        subplot_titles=[f"{'、'.join(names)}（{unit}）" for (unit, _), names in by_unit.items()]
        if rows > 1
        else None,
    )
    colour = 0
    for row, ((unit, unit_kind), names) in enumerate(by_unit.items(), start=1):
        for name in names:
            y = _clean(frame[name].tolist())
            style = {"color": PALETTE[colour % len(PALETTE)]}
            colour += 1
            hover = f"{name}<br>%{{x}}：%{{y:,}} {unit}<extra></extra>"
            if kind == "bar":
                trace = go.Bar(x=labels, y=y, name=name, marker=style, hovertemplate=hover)
            else:
                trace = go.Scatter(
                    x=labels,
                    y=y,
                    name=name,
                    mode="lines+markers",
                    connectgaps=False,
                    line={**style, "width": 2.5},
                    marker={**style, "size": 7},
                    hovertemplate=hover,
                )
            fig.add_trace(trace, row=row, col=1)
            if kind == "bar" or len(names) == 1:
                _missing_marks(fig, labels, y, row=row, col=1)
        fig.update_yaxes(title_text=axis_title(unit, unit_kind), row=row, col=1)
        if unit_kind == "percent":
            fig.update_yaxes(rangemode="normal", row=row, col=1)
        _whole_ticks(fig, unit_kind, frame[names].max(skipna=True).max(), "y", row=row, col=1)
    _month_axis(fig, labels)
    fig.update_xaxes(title_text="月份", row=rows, col=1)
    fig.update_layout(barmode="group")
    fig = _layout(fig, title, 190 + 250 * rows, subtitle)
    if rows > 1:
        _panel_titles(fig)
    event_marks(fig, dict(zip(frame.index, labels, strict=True)), events, rows)
    return fig


def year_overlay(
    panels: list[tuple[str, str, pd.DataFrame]], title: str, subtitle: str = ""
) -> go.Figure:
    """One panel per indicator, 1月–12月 across, a line per year: the seasons line up.

    `panels` holds (indicator, unit, metrics.by_year() grid). The Spring-Festival peak of
    fireworks and traffic enforcement shows as the same hump every January–February.
    """
    rows = max(len(panels), 1)
    fig = make_subplots(
        rows=rows,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.06,
        subplot_titles=[f"{name}（{unit}）" for name, unit, _ in panels],
    )
    years = sorted({str(y) for _, _, grid in panels for y in grid.columns})
    older = [OLDER_YEAR, PALETTE[1], PALETTE[4], PALETTE[5]]
    styles = {
        y: {"color": older[i % len(older)], "dash": "dash"} for i, y in enumerate(years[-2::-1])
    }
    styles[years[-1] if years else ""] = {"color": PALETTE[0]}
    for row, (name, unit, grid) in enumerate(panels, start=1):
        for year in grid.columns:
            fig.add_trace(
                go.Scatter(
                    x=MONTH_NAMES,
                    y=_clean(grid[year].tolist()),
                    name=f"{year}年",
                    legendgroup=str(year),
                    showlegend=row == 1,
                    mode="lines+markers",
                    connectgaps=False,
                    line={**styles[str(year)], "width": 2.5},
                    marker={"color": styles[str(year)]["color"]},
                    hovertemplate=f"{year}年%{{x}}<br>{name}：%{{y:,}} {unit}<extra></extra>",
                ),
                row=row,
                col=1,
            )
        fig.update_yaxes(title_text=axis_title(unit), row=row, col=1)
    _month_axis(fig, MONTH_NAMES)
    fig.update_xaxes(title_text="月份", row=rows, col=1)
    fig = _layout(fig, title, 170 + 190 * rows, subtitle)
    _panel_titles(fig)
    return fig


def cumulative(
    grid: pd.DataFrame,
    name: str,
    unit: str,
    title: str,
    unit_kind: str = "count",
    subtitle: str = "",
) -> go.Figure:
    """Running total since January of this year against last year's, month by month."""
    fig = go.Figure()
    years = [str(c) for c in grid.columns]
    styles = {0: {"color": OLDER_YEAR, "dash": "dash"}, 1: {"color": PALETTE[0]}}
    for i, year in enumerate(years):
        fig.add_trace(
            go.Scatter(
                x=MONTH_NAMES,
                y=_clean(grid[grid.columns[i]].tolist()),
                name=f"{year}年累计",
                mode="lines+markers",
                connectgaps=False,
                line={**styles[min(i, 1)], "width": 2.5},
                hovertemplate=f"{year}年1月至%{{x}}<br>{name}累计：%{{y:,}} {unit}<extra></extra>",
            )
        )
    _month_axis(fig, MONTH_NAMES)
    fig.update_xaxes(title_text="月份")
    fig.update_yaxes(title_text=axis_title(unit, unit_kind))
    return _layout(fig, title, 420, subtitle)
