"""What a leader forwards: the overview's key figures and warnings as plain lines.

The overview page shows these as cards; the 长图 (sharing.py draws it) and the offline snapshot
(snapshot.py) need the same content without Streamlit, so it is put into words here once:
sections of lines, each line with a tone (good, bad, warn, neutral) the renderers colour.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from . import config, formatting, metrics, months, ranking
from .catalogue import TOTAL_SCORE, Area, Catalogue

GOOD, BAD, WARN, NEUTRAL = "good", "bad", "warn", ""


@dataclass(frozen=True)
class Source:
    """Where a forwarded picture or page comes from, printed at its foot."""

    township: str
    revision: int
    made: dt.date
    is_sample: bool = False

    @property
    def line(self) -> str:
        """'数据来源：潭湾镇工作数据看板，第 12 次更新（示例数据）'."""
        sample = "（示例数据，数字为虚构）" if self.is_sample else ""
        return f"数据来源：{self.township}工作数据看板，第 {self.revision} 次更新{sample}"

    @property
    def made_line(self) -> str:
        return f"生成日期：{self.made.year}年{self.made.month}月{self.made.day}日"


@dataclass(frozen=True)
class Line:
    """One line of a section: a bold label, its text, and how to colour the text."""

    label: str
    text: str
    tone: str = NEUTRAL


@dataclass(frozen=True)
class Section:
    title: str
    lines: tuple[Line, ...]
    note: str = ""


@dataclass(frozen=True)
class Digest:
    """A page in words: title, the period it covers and its sections."""

    title: str
    subtitle: str
    sections: tuple[Section, ...]


def change_tone(change: str, higher_better: bool | None) -> str:
    """GOOD for a change in the good direction, BAD for the other, NEUTRAL when not judged."""
    if change in ("", "持平") or higher_better is None:
        return NEUTRAL
    return GOOD if (not change.startswith("-")) == higher_better else BAD


def year_ago_text(now: object, before: object, unit: str) -> str:
    """'较去年同期 ↑ +8 家次（+5.1%）', '较去年同期持平' or '无可比数据'."""
    text = formatting.change(now, before, unit)
    if not text:
        return "无可比数据"
    if text == "持平":
        return "较去年同期持平"
    return f"较去年同期 {'↓' if text.startswith('-') else '↑'} {text}"


def _hazard_lines(hazards: pd.DataFrame, latest: str) -> list[Line]:
    backlog = hazards["backlog"].dropna() if not hazards.empty else pd.Series(dtype="float64")
    if backlog.empty:
        return []
    ytd = hazards.reindex(months.year_to_date(latest).months)
    rate = metrics.rectification_rate(ytd)
    at = months.label(str(backlog.index[-1]))
    left = float(backlog.iloc[-1])
    return [
        Line(
            "安全隐患整改",
            f"未整改隐患 {formatting.number(left, '处')}（截至{at}），"
            f"{latest[:4]}年以来整改率 {formatting.number(round(rate, 1), '%')}",
            WARN if left > 0 else GOOD,
        )
    ]


def _unreported_lines(unreported: pd.DataFrame, latest: str) -> list[Line]:
    if unreported.empty:
        return [Line(f"{months.label(latest)}报送", "各领域、各村（社区）均已报送", GOOD)]
    return [
        Line(
            f"{row.area}未报送",
            "整表未报" if row.sheet_missing else "、".join(row.villages),
            WARN,
        )
        for row in unreported.itertuples(index=False)
    ]


def _behind_lines(behind: pd.DataFrame) -> list[Line]:
    share = f"{config.BEHIND_SHARE:.0%}"
    if behind.empty:
        return [Line("与去年同期比", f"没有差 {share} 以上的指标", GOOD)]
    return [
        Line(
            f"{row.area}·{row.indicator}",
            f"{formatting.number(row.value, row.unit)}，去年同期 "
            f"{formatting.number(row.year_ago, row.unit)}"
            f"（{formatting.percent_change(row.value, row.year_ago)}）",
            BAD,
        )
        for row in behind.itertuples(index=False)
    ]


def contest_section(latest: ranking.Ranking, streaks: dict[str, int]) -> Section:
    """The latest 打擂 month: 红榜 and 黑榜 with totals, repeated 黑榜 as warnings."""

    def names(board: list[str]) -> str:
        return "、".join(
            f"{v}（{formatting.number(latest.row(v)[TOTAL_SCORE], '分', fixed=True)}）"
            for v in board
        )

    lines = [
        Line(ranking.RED, names(latest.red), GOOD),
        Line(ranking.BLACK, names(latest.black), BAD),
    ]
    lines += [Line("连续黑榜", f"{v}已连续 {n} 个月进入黑榜", WARN) for v, n in streaks.items()]
    return Section(f"人居环境打擂（{latest.label}）", tuple(lines))


def overview(
    catalogue: Catalogue,
    latest: str,
    year_so_far: dict[str, pd.DataFrame],
    behind: pd.DataFrame,
    unreported: pd.DataFrame,
    hazards: pd.DataFrame,
    contest: tuple[ranking.Ranking, dict[str, int]] | None = None,
) -> Digest:
    """The overview in words: what needs attention, the 打擂 month, every area since January.

    Takes what the overview page computes (metrics.headline_rows per area, behind_last_year,
    unreported, hazards) so the picture and the page never disagree.
    """
    period = months.year_to_date(latest)
    attention = [
        *_hazard_lines(hazards, latest),
        *_unreported_lines(unreported, latest),
        *_behind_lines(behind),
    ]
    sections = [
        Section(
            "需要关注",
            tuple(attention),
            f"明显落后：{period.label}累计较去年同期差 {config.BEHIND_SHARE:.0%} 以上",
        )
    ]
    if contest is not None:
        sections.append(contest_section(*contest))
    for area in catalogue.areas:
        table = year_so_far.get(area.name)
        if table is None or table.empty:
            continue
        lines = []
        for ind, row in zip(area.key_indicators, table.itertuples(index=False), strict=True):
            change = formatting.change(row.value, row.year_ago, ind.unit)
            lines.append(
                Line(
                    ind.name,
                    f"{formatting.number(row.value, ind.unit)}　"
                    f"{year_ago_text(row.value, row.year_ago, ind.unit)}",
                    change_tone(change, ind.higher_better),
                )
            )
        sections.append(Section(f"{area.name}（{period.label}）", tuple(lines)))
    return Digest(
        title=f"{catalogue.township_name}工作概览",
        subtitle=f"数据截至{months.label(latest)}",
        sections=tuple(sections),
    )


def headline_section(area: Area, headline: pd.DataFrame, period_label: str) -> Section:
    """An area's key indicators of a period (metrics.headline), each against the previous
    period (coloured by direction) and the same period a year earlier."""
    table = headline.set_index("indicator")
    lines = []
    for ind in area.key_indicators:
        if ind.name not in table.index:
            continue
        row = table.loc[ind.name]
        change = formatting.change(row["value"], row["previous"], ind.unit)
        before = f"较上期 {change}" if change else "较上期无可比数据"
        lines.append(
            Line(
                ind.name,
                f"{formatting.number(row['value'], ind.unit)}　{before}　"
                f"{year_ago_text(row['value'], row['year_ago'], ind.unit)}",
                change_tone(change, ind.higher_better),
            )
        )
    return Section(f"{area.name}主要指标（{period_label}）", tuple(lines))
