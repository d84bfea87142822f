"""The data-status heatmap: areas × months, 已报 / 部分 / 未报."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from .. import months
from ..metrics import NOT_APPLICABLE, NOT_REPORTED, PARTIAL, REPORTED
from .base import base_layout

STATUS_COLOURS = {NOT_REPORTED: "#E8E8E8", PARTIAL: "#F4B942", REPORTED: "#3A9D5D"}


def status_heatmap(matrix: pd.DataFrame, title: str = "各领域数据报送情况") -> go.Figure:
    """Areas × months coloured 已报 / 部分 / 未报; the same matrix the table below shows.

    A month outside an area's span ("—", after its work ended) is left blank: not 未报."""
    codes = {NOT_REPORTED: 0.0, PARTIAL: 1.0, REPORTED: 2.0, NOT_APPLICABLE: float("nan")}
    z = matrix.replace(codes).astype("float64").to_numpy()
    x = [months.label(m) for m in matrix.columns]
    colours = [STATUS_COLOURS[NOT_REPORTED], STATUS_COLOURS[PARTIAL], STATUS_COLOURS[REPORTED]]
    scale = [
        [0.0, colours[0]],
        [0.33, colours[0]],
        [0.34, colours[1]],
        [0.66, colours[1]],
        [0.67, colours[2]],
        [1.0, colours[2]],
    ]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=x,
            y=list(matrix.index),
            text=matrix.to_numpy(),
            hovertemplate="%{y}<br>%{x}：%{text}<extra></extra>",
            colorscale=scale,
            zmin=0,
            zmax=2,
            xgap=2,
            ygap=2,
            showscale=False,
        )
    )
    for status, colour in STATUS_COLOURS.items():
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                name=status,
                marker={"color": colour, "size": 12, "symbol": "square"},
            )
        )
    # The legend sits at the foot of the figure (base_layout), below the month labels.
    fig.update_xaxes(type="category", title_text="月份")
    fig.update_yaxes(type="category", title_text="工作领域", autorange="reversed")
    return base_layout(fig, title, height=170 + 34 * len(matrix.index))
