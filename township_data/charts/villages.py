"""Villages compared: bars over a period and a village × month heatmap."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from .. import formatting, months
from .base import MISSING_COLOUR, PALETTE, _clean, _layout, _month_axis, _whole_ticks, axis_title


def village_bars(
    frame: pd.DataFrame,
    unit: str,
    title: str,
    unit_kind: str = "count",
    subtitle: str = "",
    colours: Sequence[str] = PALETTE,
) -> go.Figure:
    """Villages side by side for one period: horizontal bars, largest first, 未报 marked.

    `frame` is villages × one or more series of the same unit (e.g. 排查 and 已整改); villages
    are sorted by the first series, villages without a figure come last.
    """
    first = frame.columns[0]
    order = frame.sort_values(first, ascending=False, na_position="last", kind="stable").index
    ordered = frame.reindex(order)
    names = [str(v) for v in ordered.index]
    fig = go.Figure()
    for i, column in enumerate(ordered.columns):
        x = _clean(ordered[column].tolist())
        fig.add_trace(
            go.Bar(
                x=x,
                y=names,
                orientation="h",
                name=str(column),
                marker={"color": colours[i % len(colours)]},
                text=[formatting.number(v) if v is not None else "" for v in x],
                textposition="outside",
                cliponaxis=False,
                hovertemplate=f"%{{y}}<br>{column}：%{{x:,}} {unit}<extra></extra>",
            )
        )
    missing = [n for n, v in zip(names, _clean(ordered[first].tolist()), strict=True) if v is None]
    if missing:
        fig.add_trace(
            go.Scatter(
                x=[0] * len(missing),
                y=missing,
                mode="text",
                text=[formatting.MISSING] * len(missing),
                textposition="middle right",
                textfont={"color": MISSING_COLOUR},
                hoverinfo="skip",
                showlegend=False,
            )
        )
    fig.update_yaxes(type="category", autorange="reversed", title_text="村（社区）")
    # 1,234-style ticks on the value axis (Plotly would write 20k for 20,000 元).
    fig.update_xaxes(title_text=axis_title(unit, unit_kind), tickformat=",~f")
    _whole_ticks(fig, unit_kind, frame.max(skipna=True).max(), "x")
    fig.update_layout(barmode="group", showlegend=len(frame.columns) > 1)
    per_row = 22 * max(len(frame.columns), 1) + 8
    return _layout(fig, title, 150 + per_row * len(names), subtitle)


def _colour_bar(z: list[list[float | None]], unit: str) -> dict:
    """The heatmap's scale in the unit, 1,234-style; whole steps for a few counts (no 0.5 次)."""
    bar: dict = {"title": {"text": unit}, "thickness": 12, "tickformat": ",~f"}
    known = [v for row in z for v in row if v is not None]
    if known and all(float(v).is_integer() for v in known) and max(known) <= 10:
        bar["dtick"] = 1
    return bar


def village_heatmap(
    grid: pd.DataFrame, name: str, unit: str, title: str, subtitle: str = ""
) -> go.Figure:
    """Villages × months of one indicator; grey cells marked 未报 are months with no figure."""
    labels = [months.label(m) for m in grid.columns]
    villages = [str(v) for v in grid.index]
    z = [_clean(row) for row in grid.to_numpy(dtype="float64").tolist()]
    text = [[formatting.number(v) if v is not None else "" for v in row] for row in z]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=labels,
            y=villages,
            text=text,
            texttemplate="%{text}",
            textfont={"size": 10},
            colorscale=[[0, "#FFF5EB"], [0.5, "#F28E5C"], [1, "#A61B1B"]],
            colorbar=_colour_bar(z, unit),
            hovertemplate=f"%{{y}} %{{x}}<br>{name}：%{{z:,}} {unit}<extra></extra>",
            hoverongaps=False,
            xgap=1,
            ygap=1,
        )
    )
    gaps_x = [labels[c] for row in z for c, v in enumerate(row) if v is None]
    gaps_y = [villages[r] for r, row in enumerate(z) for v in row if v is None]
    if gaps_x:
        fig.add_trace(
            go.Scatter(
                x=gaps_x,
                y=gaps_y,
                mode="text",
                text=[formatting.MISSING] * len(gaps_x),
                textfont={"color": "#6B6B6B", "size": 10},
                hovertemplate="%{y} %{x}：未报<extra></extra>",
                showlegend=False,
            )
        )
    _month_axis(fig, labels)
    fig.update_xaxes(title_text="月份")
    fig.update_yaxes(type="category", autorange="reversed", title_text="村（社区）")
    fig = _layout(fig, title, 190 + 24 * len(villages), subtitle)
    fig.update_layout(plot_bgcolor="#EDEDED")
    return fig
