"""Plotly figures, built without Streamlit so they can be tested and reused in reports.

Every figure has a Chinese title, axis titles with units, months as categories (2024年3月) so
Plotly does not turn them into dates, and a CJK-capable font stack.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from . import months
from .metrics import NOT_REPORTED, PARTIAL, REPORTED

FONT = "Noto Sans CJK SC, Microsoft YaHei, PingFang SC, SimHei, sans-serif"
STATUS_COLOURS = {NOT_REPORTED: "#E8E8E8", PARTIAL: "#F4B942", REPORTED: "#3A9D5D"}


def base_layout(fig: go.Figure, title: str, height: int = 420) -> go.Figure:
    """Shared look: Chinese font, title, compact margins, legend below (phones are narrow)."""
    fig.update_layout(
        title={"text": title, "x": 0.01, "xanchor": "left", "font": {"size": 17}},
        font={"family": FONT, "size": 13},
        height=height,
        margin={"l": 10, "r": 10, "t": 56, "b": 10},
        legend={"orientation": "h", "yanchor": "top", "y": -0.18, "x": 0},
        plot_bgcolor="white",
        hoverlabel={"font": {"family": FONT}},
    )
    return fig


def status_heatmap(matrix: pd.DataFrame, title: str = "各领域数据报送情况") -> go.Figure:
    """Areas × months coloured 已报 / 部分 / 未报; the same matrix the table below shows."""
    codes = {NOT_REPORTED: 0, PARTIAL: 1, REPORTED: 2}
    z = matrix.replace(codes).astype(int).to_numpy()
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
    fig.update_xaxes(type="category", title_text="月份", tickangle=-45)
    fig.update_yaxes(type="category", title_text="工作领域", autorange="reversed")
    return base_layout(fig, title, height=120 + 34 * len(matrix.index))
