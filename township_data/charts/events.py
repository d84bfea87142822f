"""大事记 on a monthly chart: a dotted line at the event's month, its kind above the plot, the
event itself on hover, so a jump in 抢险救灾出动民兵 stands beside the flood that explains it."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

EVENT_COLOUR = "#6A1B9A"


def event_marks(
    fig: go.Figure,
    month_labels: dict[str, str],
    events: Sequence[tuple[str, str, str]],
    rows: int = 1,
) -> None:
    """Mark (month, kind, line) events on a figure whose x axis shows `month_labels` (month →
    its category label); events outside the shown months are left out."""
    by_month: dict[str, list[tuple[str, str]]] = {}
    for month, kind, line in events:
        if month in month_labels:
            by_month.setdefault(month, []).append((kind, line))
    for month, found in by_month.items():
        x = month_labels[month]
        for row in range(1, rows + 1):
            axis = "" if row == 1 else str(row)
            fig.add_shape(
                type="line",
                x0=x,
                x1=x,
                y0=0,
                y1=1,
                xref=f"x{axis}",
                yref=f"y{axis} domain",
                line={"color": EVENT_COLOUR, "width": 1.5, "dash": "dot"},
            )
        kinds = "、".join(dict.fromkeys(kind for kind, _ in found))
        fig.add_annotation(
            x=x,
            xref="x",
            y=1,
            yref="y domain",
            yanchor="bottom",
            text=f"▼{kinds}",
            showarrow=False,
            font={"size": 11, "color": EVENT_COLOUR},
            hovertext="<br>".join(line for _, line in found),
        )
