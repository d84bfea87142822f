"""安全生产's hazards: found and fixed per month with the open backlog."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .. import months
from .base import PALETTE, _clean, _layout, _missing_marks, _month_axis


def hazards(table: pd.DataFrame, title: str, subtitle: str = "") -> go.Figure:
    """Hazards found vs rectified per month with the rectification rate, and the open backlog.

    `table` is metrics.hazards(): month index, columns found, fixed, rate, backlog.
    """
    labels = [months.label(m) for m in table.index]
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        row_heights=[0.62, 0.38],
        vertical_spacing=0.08,
        specs=[[{"secondary_y": True}], [{}]],
    )
    for column, name, colour in (
        ("found", "排查隐患", PALETTE[0]),
        ("fixed", "已整改", PALETTE[2]),
    ):
        fig.add_trace(
            go.Bar(
                x=labels,
                y=_clean(table[column].tolist()),
                name=name,
                marker={"color": colour},
                hovertemplate=f"%{{x}}<br>{name}：%{{y:,}} 处<extra></extra>",
            ),
            row=1,
            col=1,
        )
    _missing_marks(fig, labels, _clean(table["found"].tolist()), row=1, col=1)
    fig.add_trace(
        go.Scatter(
            x=labels,
            y=_clean(table["rate"].round(1).tolist()),
            name="整改率",
            mode="lines+markers",
            connectgaps=False,
            line={"color": PALETTE[3], "width": 2.5},
            hovertemplate="%{x}<br>整改率：%{y}%<extra></extra>",
        ),
        row=1,
        col=1,
        secondary_y=True,
    )
    fig.add_trace(
        go.Scatter(
            x=labels,
            y=_clean(table["backlog"].tolist()),
            name="未整改隐患（累计）",
            mode="lines+markers",
            connectgaps=False,
            fill="tozeroy",
            line={"color": PALETTE[1], "width": 2},
            hovertemplate="%{x}<br>未整改隐患：%{y:,} 处<extra></extra>",
        ),
        row=2,
        col=1,
    )
    _month_axis(fig, labels)
    fig.update_xaxes(title_text="月份", row=2, col=1)
    fig.update_layout(barmode="group")
    fig = _layout(fig, title, 600, subtitle)
    fig.update_yaxes(title_text="隐患（处）", row=1, col=1, secondary_y=False)
    fig.update_yaxes(
        title_text="整改率（%）",
        range=[0, 105],
        dtick=20,
        rangemode="normal",
        showgrid=False,
        row=1,
        col=1,
        secondary_y=True,
    )
    fig.update_yaxes(title_text="未整改（处）", row=2, col=1)
    return fig
