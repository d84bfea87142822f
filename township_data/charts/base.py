"""The look every chart shares: fonts that show Chinese, colours, titles, legends, axes."""

from __future__ import annotations

import math
from collections.abc import Sequence

import plotly.graph_objects as go

from .. import formatting

FONT = "Noto Sans CJK SC, Microsoft YaHei, PingFang SC, SimHei, sans-serif"


# A legend at the bottom edge of the whole figure: Plotly grows the margin for it, so it stays
# clear of the axis labels however far they are turned.
FOOT_LEGEND = {"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom", "x": 0}


def base_layout(fig: go.Figure, title: str, height: int = 420) -> go.Figure:
    """Shared look: Chinese font, title, compact margins, legend at the foot (phones are narrow)."""
    fig.update_layout(
        title={"text": title, "x": 0.01, "xanchor": "left", "font": {"size": 17}},
        font={"family": FONT, "size": 13},
        height=height,
        margin={"l": 10, "r": 10, "t": 56, "b": 10},
        legend=FOOT_LEGEND,
        plot_bgcolor="white",
        hoverlabel={"font": {"family": FONT}},
    )
    # Labels turn only when the width needs it (flat on a desktop, upright on a phone), and
    # then far enough apart to read: at Plotly's default 30° long month names touch.
    fig.update_xaxes(autotickangles=[0, 45, 90])
    return fig


PALETTE = ["#B22222", "#1F6FB2", "#2E8B57", "#E08A1E", "#7B4FA0", "#8C564B", "#D1477A", "#5F6B73"]


MISSING_COLOUR = "#9A9A9A"


OLDER_YEAR = "#8C8C8C"


KIND_NAMES = {
    "count": "数量",
    "percent": "比率",
    "money": "金额",
    "length": "长度",
    "score": "得分",
}


MONTH_NAMES = [f"{m}月" for m in range(1, 13)]


def axis_title(unit: str, kind: str = "count") -> str:
    """'数量（家次）', '比率（%）': what the axis measures and in which unit."""
    return f"{KIND_NAMES.get(kind, '数值')}（{unit}）"


def _clean(values: Sequence[float]) -> list[float | None]:
    """NaN → None so Plotly leaves a gap instead of drawing anything."""
    return [None if v is None or (isinstance(v, float) and math.isnan(v)) else v for v in values]


def _month_axis(fig: go.Figure, labels: list[str], **where: int) -> None:
    fig.update_xaxes(
        type="category",
        categoryorder="array",
        categoryarray=labels,
        showgrid=False,
        **where,
    )


def _layout(fig: go.Figure, title: str, height: int, subtitle: str = "") -> go.Figure:
    """base_layout plus the area pages' look: a short title with the scope as subtitle (titles
    do not wrap, and phones are 390 px wide), the legend at the foot of the figure where it
    pushes the margin instead of covering the title, and 1,234-style ticks."""
    base_layout(fig, title, height)
    fig.update_layout(
        title={"subtitle": {"text": subtitle, "font": {"size": 12, "color": "#6B6B6B"}}},
        colorway=PALETTE,
        margin={"l": 10, "r": 10, "t": 70 if subtitle else 50, "b": 10},
        legend={
            "orientation": "h",
            "yref": "container",
            "y": 0,
            "yanchor": "bottom",
            "x": 0,
            "title": None,
        },
    )
    fig.update_yaxes(
        gridcolor="#E6E6E6", zerolinecolor="#BDBDBD", rangemode="tozero", tickformat=",~f"
    )
    return fig


def _whole_ticks(fig: go.Figure, unit_kind: str, top: float, axis: str, **where: int) -> None:
    """Counts of a few (or none) get ticks 0, 1, 2 … instead of 0.2, 0.4: there is no 0.4 次."""
    if unit_kind != "count" or (not math.isnan(top) and top > 5):
        return
    limit = max(1.0, 0.0 if math.isnan(top) else float(top)) * 1.15
    update = fig.update_yaxes if axis == "y" else fig.update_xaxes
    update(dtick=1, range=[0, limit], **where)


def _panel_titles(fig: go.Figure) -> None:
    """Panel titles at the left edge, small, clear of the subtitle (long ones fit a phone)."""
    fig.update_annotations(x=0, xanchor="left", font={"size": 12, "color": "#444444"})
    fig.update_layout(margin={"t": 96})


def _missing_marks(fig: go.Figure, x: list[str], y: list[float | None], **where: int) -> None:
    """A grey 未报 at the foot of a month (or village) with no figure, so a gap never reads as 0."""
    gaps = [label for label, value in zip(x, y, strict=True) if value is None]
    if gaps:
        fig.add_trace(
            go.Scatter(
                x=gaps,
                y=[0] * len(gaps),
                mode="text",
                text=[formatting.MISSING] * len(gaps),
                textposition="top center",
                textfont={"color": MISSING_COLOUR, "size": 11},
                hoverinfo="skip",
                showlegend=False,
            ),
            **where,
        )
