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


# ====================================================================== 人居环境打擂 (issue 4)
# Contest figures: score distribution per month, town average, village × month rank heatmap,
# one village's rank trajectory. Inputs are the small frames built by township_data.ranking.

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
                y=chunk["总分"],
                name=months.label(str(month)),
                text=chunk["village"],
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
    fig.add_trace(
        go.Scatter(
            x=x,
            y=frame["max"],
            name="最高分",
            mode="lines",
            line={"color": "#E6B0AA", "width": 1, "dash": "dot"},
            hovertemplate="%{x} 最高分：%{y:.1f} 分<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=frame["min"],
            name="最低分",
            mode="lines",
            line={"color": "#A6ACAF", "width": 1, "dash": "dot"},
            hovertemplate="%{x} 最低分：%{y:.1f} 分<extra></extra>",
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
    text = [["未报" if pd.isna(v) else f"第{int(v)}名" for v in row] for row in z]
    labels = [["" if pd.isna(v) else str(int(v)) for v in row] for row in z]
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
    fig.update_xaxes(type="category", title_text="月份", tickangle=-45, side="bottom")
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
