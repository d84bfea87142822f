"""Plotly figures, built without Streamlit so they can be tested and reused in reports.

Every figure has a Chinese title, axis titles with units, months as categories (2024年3月) so
Plotly does not turn them into dates, and a CJK-capable font stack.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from . import formatting, months
from .metrics import NOT_REPORTED, PARTIAL, REPORTED

FONT = "Noto Sans CJK SC, Microsoft YaHei, PingFang SC, SimHei, sans-serif"
STATUS_COLOURS = {NOT_REPORTED: "#E8E8E8", PARTIAL: "#F4B942", REPORTED: "#3A9D5D"}
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
    # The legend sits at the foot of the figure (base_layout), below the month labels.
    fig.update_xaxes(type="category", title_text="月份")
    fig.update_yaxes(type="category", title_text="工作领域", autorange="reversed")
    return base_layout(fig, title, height=170 + 34 * len(matrix.index))


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


# ------------------------------------------------------------------ area pages

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


def trend(
    frame: pd.DataFrame,
    units: dict[str, tuple[str, str]],
    title: str,
    kind: str = "line",
    subtitle: str = "",
) -> go.Figure:
    """Monthly figures of some indicators: one panel per unit, months as 2024年3月 categories.

    `frame` is months ('YYYY-MM') × indicators with NaN for 未报; `units` maps an indicator to
    (unit, unit kind). Lines break at a missing month; bars leave it empty and mark it 未报.
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
    return fig


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


# ------------------------------------------------------------------ 安全生产 in depth


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
