"""Offline snapshot: a page as one self-contained .html file for phones, WeChat and USB sticks.

Everything is inside the file: plotly's JavaScript (once, in the head), the figures' data, the
stylesheet. No tag, style or figure refers to anything on a server, so it opens the same from
a chat, an e-mail or a meeting-room PC without network. Tables and text are plain HTML, so a
browser too old for plotly's JavaScript (older WeChat in-app browsers) still shows every figure
in words and tables; the charts are the interactive extra.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go
import plotly.offline

from . import charts, digest, formatting, months, ranking
from .catalogue import Catalogue
from .digest import BAD, GOOD, WARN, Digest, Section, Source

# Figure types that draw from their own data only (map and geo traces fetch tiles or shapes).
OFFLINE_TRACES = frozenset({"bar", "scatter", "heatmap", "box", "histogram", "violin", "table"})
_CONFIG = {"displaylogo": False, "responsive": True, "displayModeBar": False}
_TONE_CLASSES = {GOOD: "good", BAD: "bad", WARN: "warn", "note": "note"}
_CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", SimHei,
  sans-serif; color: #222; background: #fff; line-height: 1.6; font-size: 16px; }
main { max-width: 1080px; margin: 0 auto; padding: 0 14px 24px; }
header.band { background: #8E1B1B; color: #fff; padding: 18px 14px 14px; }
header.band div { max-width: 1080px; margin: 0 auto; }
header.band h1 { margin: 0; font-size: 26px; line-height: 1.3; }
header.band p { margin: 4px 0 0; color: #FFE9A8; font-weight: bold; }
h2 { font-size: 20px; border-left: 6px solid #8E1B1B; padding-left: 10px; margin: 26px 0 10px; }
p.note, footer { color: #666; font-size: 14px; }
ul.lines { list-style: none; padding: 0; margin: 0; }
ul.lines li { padding: 6px 0; border-bottom: 1px solid #eee; }
.good { color: #2E7D32; } .bad { color: #C00000; } .warn { color: #B26A00; }
.scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; }
table { border-collapse: collapse; width: 100%; font-size: 15px; }
th, td { border: 1px solid #ddd; padding: 6px 8px; white-space: nowrap; }
th { background: #F1F1F1; font-weight: bold; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
tr { break-inside: avoid; page-break-inside: avoid; }
thead { display: table-header-group; }
.chart { margin: 10px 0; break-inside: avoid; page-break-inside: avoid; }
footer { border-top: 1px solid #ddd; margin-top: 28px; padding-top: 10px; }
@page { size: A4 portrait; margin: 14mm 12mm 16mm; }
@media print {
  header.band { background: none; color: #000; border-bottom: 2px solid #8E1B1B; }
  header.band p { color: #8E1B1B; }
  main { max-width: none; padding: 0; }
  .scroll { overflow: visible; }
}
"""


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Paragraph:
    text: str
    tone: str = ""  # digest's GOOD, BAD, WARN, or "note" for small grey text


@dataclass(frozen=True)
class Lines:
    """A section of labelled lines (digest.Section): heading, note, one line each."""

    section: Section


@dataclass(frozen=True)
class Chart:
    figure: go.Figure


@dataclass(frozen=True)
class Table:
    """A table as shown on the page (text cells); `row_colours` shades rows by position."""

    frame: pd.DataFrame
    row_colours: Mapping[int, str] = field(default_factory=dict)
    numeric: Sequence[str] = ()
    cell_classes: Mapping[tuple[int, str], str] = field(default_factory=dict)


Part = Heading | Paragraph | Lines | Chart | Table


def _escape(text: object) -> str:
    return html.escape(str(text), quote=True)


def _lines(section: Section) -> str:
    out = [f"<h2>{_escape(section.title)}</h2>"]
    if section.note:
        out.append(f'<p class="note">{_escape(section.note)}</p>')
    items = "".join(
        f"<li><b>{_escape(line.label)}：</b>"
        f'<span class="{_TONE_CLASSES.get(line.tone, "")}">{_escape(line.text)}</span></li>'
        for line in section.lines
    )
    return out[0] + "".join(out[1:]) + f'<ul class="lines">{items}</ul>'


def _table(part: Table) -> str:
    frame = part.frame
    head = "".join(f"<th>{_escape(c)}</th>" for c in frame.columns)
    rows = []
    for i, row in enumerate(frame.itertuples(index=False)):
        colour = part.row_colours.get(i)
        style = f' style="background:{_escape(colour)}"' if colour else ""
        cells = []
        for column, value in zip(frame.columns, row, strict=True):
            classes = [part.cell_classes.get((i, column), "")]
            if column in part.numeric:
                classes.append("number")
            css = " ".join(c for c in classes if c)
            cells.append(
                f'<td class="{css}">{_escape(value)}</td>' if css else f"<td>{_escape(value)}</td>"
            )
        rows.append(f"<tr{style}>{''.join(cells)}</tr>")
    return (
        f'<div class="scroll"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _check_offline(figure: go.Figure) -> None:
    kinds = {trace.type for trace in figure.data}
    if not kinds <= OFFLINE_TRACES:
        raise ValueError(
            f"chart types that load data from a server: {sorted(kinds - OFFLINE_TRACES)}"
        )


def _chart(figure: go.Figure, number: int) -> str:
    """A div and the script that draws it; the figure's JSON is escaped for a script tag."""
    _check_offline(figure)
    shown = go.Figure(figure)
    shown.update_layout(width=None, autosize=True)
    data = json.dumps(shown.to_plotly_json(), cls=plotly.utils.PlotlyJSONEncoder)
    data = data.replace("</", "<\\/")
    height = int(shown.layout.height or 420)
    return (
        f'<div class="chart" id="chart{number}" style="height:{height}px"></div>'
        f"<script>(function(){{var f={data};"
        f'if(window.Plotly){{Plotly.newPlot("chart{number}",f.data,f.layout,'
        f"{json.dumps(_CONFIG)});}}}})();</script>"
    )


def document(title: str, subtitle: str, parts: Sequence[Part], source: Source) -> str:
    """The whole page as one HTML document with plotly's JavaScript embedded once."""
    body = []
    charts = 0
    for part in parts:
        if isinstance(part, Heading):
            body.append(f"<h2>{_escape(part.text)}</h2>")
        elif isinstance(part, Paragraph):
            tone = _TONE_CLASSES.get(part.tone, "")
            body.append(
                f'<p class="{tone}">{_escape(part.text)}</p>'
                if tone
                else f"<p>{_escape(part.text)}</p>"
            )
        elif isinstance(part, Lines):
            body.append(_lines(part.section))
        elif isinstance(part, Chart):
            charts += 1
            body.append(_chart(part.figure, charts))
        else:
            body.append(_table(part))
    script = (
        f'<script type="text/javascript">{plotly.offline.get_plotlyjs()}</script>' if charts else ""
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_escape(title)}｜{_escape(subtitle)}</title><style>{_CSS}</style>{script}</head>"
        f'<body><header class="band"><div><h1>{_escape(title)}</h1>'
        f"<p>{_escape(subtitle)}</p></div></header><main>{''.join(body)}"
        f"<footer>{_escape(source.made_line)}<br>{_escape(source.line)}</footer></main>"
        "</body></html>"
    )


def to_bytes(text: str) -> bytes:
    return text.encode("utf-8")


# ------------------------------------------------------------------ the pages' snapshots


def ranking_table(result: ranking.Ranking) -> Table:
    """The ranked table as the page shows it, 红榜/黑榜 shaded, fewer months marked."""
    shown = ranking.display_table(result.table, result.digits, result.fewer_months)
    classes: dict[tuple[int, str], str] = {}
    for i, (move, board) in enumerate(
        zip(shown[ranking.CHANGE], shown[ranking.BOARD], strict=True)
    ):
        if move.startswith("↑"):
            classes[(i, ranking.CHANGE)] = "bad"  # offices mark a rise in red
        elif move.startswith("↓"):
            classes[(i, ranking.CHANGE)] = "good"
        if board == ranking.RED:
            classes[(i, ranking.BOARD)] = "bad"
    numeric = [
        c for c in shown.columns if c not in (ranking.VILLAGE, ranking.CHANGE, ranking.BOARD)
    ]
    colours = {
        i: ranking.ROW_COLOURS[b]
        for i, b in enumerate(shown[ranking.BOARD])
        if b in ranking.ROW_COLOURS
    }
    return Table(shown, colours, numeric, classes)


def _period_months(scores: pd.DataFrame, result: ranking.Ranking) -> list[str]:
    """The scored months of the year up to the ranked period's end (the page's default view)."""
    last = result.period if result.kind == ranking.MONTH else months.parse_quarter(result.period)[1]
    return [m for m in ranking.scored_months(scores) if months.shift(last, -12) < m <= last]


def ranking_html(
    result: ranking.Ranking,
    found: Sequence[ranking.Notice],
    scores: pd.DataFrame,
    catalogue: Catalogue,
    source: Source,
) -> str:
    """The 打擂 page of one period: figures, the ranked table, warnings and the three charts."""
    shown_months = _period_months(scores, result)
    recent = scores[scores["month"].isin(shown_months)]
    span = months.period_label(shown_months[0], shown_months[-1])
    unscored = f"，{len(result.unscored)} 个未报" if result.unscored else ""
    parts: list[Part] = [
        Paragraph(
            f"参评村（社区）{len(result.ranked)} 个{unscored}；全镇平均分 "
            f"{formatting.number(result.average, '分', 2, fixed=True)}；第一名："
            f"{'、'.join(result.leaders)}；{ranking.RED} {len(result.red)} 个，"
            f"{ranking.BLACK} {len(result.black)} 个。"
        ),
        Heading(f"{result.label}排名"),
        ranking_table(result),
        Paragraph(" ".join(result.notes), "note"),
        Heading("预警与表扬"),
    ]
    parts += [Paragraph(n.text, BAD if n.kind == "warning" else GOOD) for n in found]
    if not found:
        parts.append(Paragraph("本期没有需要提示的连续黑榜、连续第一或名次大幅上升。"))
    parts += [
        Heading("全镇概览"),
        Chart(charts.contest_distribution(recent, "各月总分分布", span)),
        Chart(charts.contest_average(ranking.month_summary(recent), "全镇打擂平均分", span)),
        Chart(
            charts.contest_rank_heatmap(
                ranking.monthly_ranks(recent, catalogue, by_latest=True),
                "各村（社区）逐月名次",
                f"{span}，按{months.label(shown_months[-1])}名次排列",
            )
        ),
    ]
    return document(
        f"{catalogue.township_name}{catalogue.contest.sheet}", f"{result.label}排名", parts, source
    )


def overview_html(found: Digest, status: pd.DataFrame | None, source: Source) -> str:
    """The overview: every digest section, then the data status of the last months."""
    parts: list[Part] = [Lines(section) for section in found.sections]
    if status is not None and not status.empty:
        span = months.period_label(status.columns[0], status.columns[-1])
        table = status.copy()
        table.columns = [months.label(m) for m in table.columns]
        parts += [
            Heading("数据报送情况"),
            Chart(charts.status_heatmap(status, f"各领域数据报送情况（{span}）")),
            Table(table.reset_index(names="领域")),
        ]
    return document(found.title, found.subtitle, parts, source)


def area_html(
    catalogue: Catalogue,
    area: str,
    period: str,
    scope: str,
    headline: pd.DataFrame,
    figures: Sequence[go.Figure],
    table: pd.DataFrame,
    source: Source,
) -> str:
    """A work area's page of one period: key indicators in words, its charts, the table."""
    found = catalogue.area(area)
    parts: list[Part] = [
        Paragraph(f"统计期：{period}　范围：{scope}"),
        Lines(digest.headline_section(found, headline, period)),
    ]
    if figures:
        parts.append(Heading("图表"))
        parts += [Chart(figure) for figure in figures]
    parts += [
        Heading(f"{period}分村数据表"),
        Table(table, numeric=list(table.columns[1:])),
        Paragraph("未报：本期没有填报（不按 0 计）；—：该指标不在此行填报。", "note"),
    ]
    return document(f"{catalogue.township_name}{found.name}", period, parts, source)
