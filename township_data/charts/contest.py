"""打擂 charts: score distribution, township average, rank heatmap, a village's path."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .. import months
from .base import base_layout

CONTEST_RED = "#C0392B"


CONTEST_GREY = "#5F6B7A"


# Rank 1 deep red (红榜) fading through pale to dark grey at the bottom (黑榜).
RANK_SCALE = [[0.0, "#B22222"], [0.3, "#F4A582"], [0.6, "#F7F7F7"], [1.0, "#4D4D4D"]]


def _contest_layout(fig: go.Figure, title: str, subtitle: str, height: int = 420) -> go.Figure:
    """base_layout plus the period as a subtitle: long titles are cut off on a phone."""
    base_layout(fig, title, height)
    if subtitle:
        fig.update_layout(
            title_subtitle={"text": subtitle, "font": {"size": 12, "color": "#666666"}},
            margin={"t": 72},
        )
    return fig


def contest_distribution(
    scores: pd.DataFrame, title: str = "各月总分分布", subtitle: str = ""
) -> go.Figure:
    """One box per month of the villages' 总分 (every village a point), months as categories."""
    fig = go.Figure()
    for month, chunk in scores.groupby("month", sort=True):
        fig.add_trace(
            go.Box(
                y=chunk["总分"].to_numpy(dtype="float64"),
                name=months.label(str(month)),
                text=chunk["village"].to_numpy(dtype=object),
                boxpoints="all",
                jitter=0.4,
                pointpos=0,
                marker={"color": CONTEST_RED, "size": 5, "opacity": 0.75},
                line={"color": CONTEST_GREY},
                fillcolor="rgba(192,57,43,0.08)",
                hovertemplate="%{text}：%{y:.1f} 分<extra>%{x}</extra>",
                showlegend=False,
            )
        )
    fig.update_xaxes(type="category", title_text="月份")
    fig.update_yaxes(title_text="总分（分）", gridcolor="#EEEEEE")
    return _contest_layout(fig, title, subtitle)


def contest_average(
    summary: pd.DataFrame, title: str = "全镇打擂平均分", subtitle: str = ""
) -> go.Figure:
    """The town's average 总分 per month, with the highest and lowest village as a band.

    `summary` is ranking.month_summary: month, villages, mean, max, min. A month without
    scores is a gap, never a zero.
    """
    frame = summary.set_index("month")
    all_months = months.month_range(frame.index.min(), frame.index.max()) if not frame.empty else []
    frame = frame.reindex(all_months)
    x = [months.label(m) for m in all_months]
    fig = go.Figure()
    for column, name, colour in (("max", "最高分", "#E6B0AA"), ("min", "最低分", "#A6ACAF")):
        fig.add_trace(
            go.Scatter(
                x=x,
                y=frame[column],
                name=name,
                mode="lines",
                line={"color": colour, "width": 1, "dash": "dot"},
                hovertemplate=f"%{{x}} {name}：%{{y:.1f}} 分<extra></extra>",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=frame["mean"],
            name="全镇平均分",
            mode="lines+markers",
            line={"color": CONTEST_RED, "width": 3},
            customdata=frame["villages"],
            hovertemplate="%{x} 全镇平均：%{y:.2f} 分（%{customdata} 个村参评）<extra></extra>",
            connectgaps=False,
        )
    )
    fig.update_xaxes(type="category", title_text="月份")
    fig.update_yaxes(title_text="得分（分）", gridcolor="#EEEEEE")
    _contest_layout(fig, title, subtitle)
    # The legend goes above the plot: below it, it would sit on the month labels.
    fig.update_layout(
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0},
        margin={"t": 100 if subtitle else 84},
    )
    return fig


def contest_rank_heatmap(
    ranks: pd.DataFrame, title: str = "各村（社区）逐月名次", subtitle: str = ""
) -> go.Figure:
    """Villages × months coloured by rank (1 = deep red); 未报 cells stay blank."""
    x = [months.label(m) for m in ranks.columns]
    z = ranks.to_numpy(dtype="float64")
    # Arrays, not nested lists: plotly checks a list cell by cell (a county is 500 × 12).
    missing = np.isnan(z)
    whole = np.where(missing, 0, z).astype(int).astype(str)
    text = np.where(missing, "未报", np.char.add(np.char.add("第", whole), "名")).astype(object)
    labels = np.where(missing, "", whole).astype(object)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=x,
            y=list(ranks.index),
            customdata=text,
            text=labels,
            texttemplate="%{text}",
            textfont={"size": 11},
            hovertemplate="%{y}<br>%{x}：%{customdata}<extra></extra>",
            colorscale=RANK_SCALE,
            zmin=1,
            zmax=max(float(pd.Series(z.ravel()).max()), 2.0) if z.size else 2.0,
            xgap=2,
            ygap=2,
            showscale=False,
        )
    )
    fig.update_xaxes(type="category", title_text="月份", side="bottom")
    fig.update_yaxes(type="category", title_text="村（社区）", autorange="reversed")
    return _contest_layout(fig, title, subtitle, height=150 + 28 * max(len(ranks.index), 1))


def contest_trajectory(frame: pd.DataFrame, village: str, villages: int) -> go.Figure:
    """A village's rank month by month, rank 1 at the top; months not scored are gaps.

    `frame` is ranking.trajectory: month, rank, total, villages (ranked that month).
    """
    x = [months.label(m) for m in frame["month"]]
    fig = go.Figure(
        go.Scatter(
            x=x,
            y=frame["rank"],
            mode="lines+markers",
            line={"color": CONTEST_RED, "width": 2},
            marker={"size": 8},
            customdata=frame[["total", "villages"]].to_numpy(),
            hovertemplate=(
                "%{x}：第 %{y} 名（共 %{customdata[1]} 个村参评），总分 %{customdata[0]:.1f} 分"
                "<extra></extra>"
            ),
            connectgaps=False,
            name=village,
        )
    )
    fig.update_xaxes(type="category", title_text="月份")
    fig.update_yaxes(
        title_text="名次（第几名）",
        range=[villages + 0.5, 0.2],
        tick0=1,
        dtick=1 if villages <= 20 else 5,
        gridcolor="#EEEEEE",
        zeroline=False,
    )
    return _contest_layout(fig, f"{village}逐月名次", "第 1 名在最上方；没有评分的月份留空")
