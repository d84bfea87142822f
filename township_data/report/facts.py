"""Figures that are no indicator's total: the period, the township, the 打擂 and the 大事记.

The 打擂 figures name the period's villages (scored, 红榜, 黑榜) from the contest sheet's 总分;
event figures come from the 大事记 of the period, so an event sentence is written only when
its event happened, and names its months.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from .. import events as event_rules
from .. import formatting, months
from ..catalogue import TOTAL_SCORE, Catalogue
from ..events import Event
from ..ranking.rank import boards
from .figures import MISSING, NONE_TEXT, Figure, month_list
from .sources import SourceSpec
from .syntax import NUMBERING, Ref


def since_phrase(first: str, last: str) -> str:
    """'年初以来' for a period running from January, else the period's own name."""
    if first.endswith("-01") and first[:4] == last[:4] and first != last:
        return "年初以来"
    return months.period_label(first, last)


def within_year(first: str, last: str) -> str:
    """The period named without its year: 上半年, 第三季度, 1月至8月, 全年 (else its name)."""
    name = months.period_label(first, last)
    if first[:4] != last[:4]:
        return name
    short = name.removeprefix(f"{int(first[:4])}年")
    return short or "全年"


def school_term(first: str, last: str) -> str:
    """春季 for months of the first half-year, 秋季 for the second, both when the period spans."""
    terms = {"春季" if int(m[5:]) <= 6 else "秋季" for m in months.month_range(first, last)}
    return "、".join(t for t in ("春季", "秋季") if t in terms)


class FactFigures:
    """Computes the period, contest and event figures of one period."""

    def __init__(
        self,
        catalogue: Catalogue,
        first: str,
        last: str,
        values: pd.DataFrame,
        events: Sequence[Event] = (),
    ) -> None:
        self.catalogue = catalogue
        self.first, self.last = first, last
        self.period_name = months.period_label(first, last)
        self.events = event_rules.during(events, first, last)
        sheet = catalogue.contest.sheet
        self.scores = (
            values[(values["area"] == sheet) & (values["indicator"] == TOTAL_SCORE)]
            if not values.empty
            else values
        )

    def figure(self, ref: Ref) -> Figure:
        if ref.kind == "event":
            return self.event(ref)
        if ref.kind == "area":
            return self.area(ref)
        if ref.key in ("评比村数", "红榜村", "黑榜村"):
            return self.contest(ref.key)
        return self.fact(ref.key)

    def fact(self, key: str) -> Figure:
        cat = self.catalogue
        source_file = cat.path.name
        period = {
            "镇名": (cat.township_name, f"{source_file} [township] name"),
            "期间": (self.period_name, "所选期间"),
            "本期": (within_year(self.first, self.last), "所选期间（不写年份）"),
            "年份": (self.last[:4], "所选期间结束月份的年份"),
            "时段": (
                since_phrase(self.first, self.last),
                "期间从1月开始时写“年初以来”，否则写期间名称",
            ),
            "学期": (school_term(self.first, self.last), "1–6月为春季，7–12月为秋季"),
            NUMBERING: ("", "本段在标题下的顺序号（不写出的段落不占号）"),
        }
        if key in period:
            text, how = period[key]
            return Figure(key, key, "period", text, method=how)
        if key == "村数":
            count = len(cat.village_names)
            return Figure(
                key,
                "村（社区）个数",
                "catalogue",
                str(count),
                float(count),
                method="指标目录中的村（社区）名单",
                origin=f"{source_file} [[villages]]（{count} 个）",
            )
        setting = "red_n" if key == "红榜数" else "black_n"
        n = cat.contest.red_n if key == "红榜数" else cat.contest.black_n
        return Figure(
            key,
            f"打擂{key}",
            "catalogue",
            str(n),
            float(n),
            method=f"指标目录中打擂{key[:2]}的村数",
            origin=f"{source_file} [contest] {setting} = {n}",
        )

    # -------------------------------------------------------------- 打擂

    def contest(self, key: str) -> Figure:
        sheet = self.catalogue.contest.sheet
        label = {"评比村数": "打擂评比村数", "红榜村": "打擂红榜村", "黑榜村": "打擂黑榜村"}[key]
        fig = Figure(key, label, "data", MISSING)
        if self.scores.empty:
            fig.method = f"{self.period_name}没有“{sheet}”评分数据"
            return fig
        per_month = self.scores.groupby("month")["village"].nunique().sort_index()
        villages = self.scores["village"].nunique()
        fig.spec = SourceSpec(sheet, TOTAL_SCORE, contributing=False)
        notes = []
        empty = [m for m in months.month_range(self.first, self.last) if m not in per_month.index]
        if empty:
            notes.append(f"{month_list(empty, self.last)}没有评分数据")
        fewer = per_month[per_month < villages]
        if len(fewer):
            notes.append(
                "、".join(f"{months.label(m)}只有 {n} 个" for m, n in fewer.items())
                + "村（社区）有评分"
            )
        fig.notes = notes
        if key == "评比村数":
            fig.value, fig.text = float(villages), str(villages)
            fig.method = f"本期在“{sheet}”表中有总分的村（社区）个数；每月：" + "、".join(
                f"{months.label(m)}{n}个" for m, n in per_month.items()
            )
            return fig
        return self._board(fig, key)

    def _board(self, fig: Figure, key: str) -> Figure:
        """The period's 红榜 or 黑榜: villages ranked by their mean 总分 over the scored months."""
        means = self.scores.groupby("village")["value"].mean()
        order = {v: i for i, v in enumerate(self.catalogue.village_names)}
        means = means.sort_index(key=lambda index: index.map(order))
        contest = self.catalogue.contest
        board = boards(means, contest.red_n, contest.black_n)
        wanted = "红榜" if key == "红榜村" else "黑榜"
        chosen = means[board == wanted].sort_values(ascending=False, kind="stable")
        names = list(chosen.index)
        fig.value = float(len(names))
        fig.text = "、".join(names) if names else NONE_TEXT
        fig.spec = SourceSpec(contest.sheet, TOTAL_SCORE, contributing=False, villages=tuple(names))
        shown = "、".join(f"{v}{formatting.number(x, digits=2)}" for v, x in chosen.items())
        n = contest.red_n if key == "红榜村" else contest.black_n
        fig.method = (
            f"{self.period_name}各村（社区）打擂总分按已评分月份平均后排名，"
            f"{'前' if key == '红榜村' else '后'} {n} 名（并列一并列入）：{shown or '无'}"
        )
        return fig

    # -------------------------------------------------------------- 大事记 and areas

    def event(self, ref: Ref) -> Figure:
        found = [e for e in self.events if e.kind == ref.name]
        count = len(found)
        texts = {
            "事件": "、".join(e.title for e in found),
            "事件月份": event_rules.month_words(found, self.last[:4]),
            "事件次数": event_rules.count_words(count),
            "事件数": str(count),
        }
        lines = "；".join(e.line for e in found)
        return Figure(
            ref.key,
            ref.label,
            "event",
            texts[ref.mode] if found else NONE_TEXT,
            float(count),
            method=f"{self.period_name}大事记中“{ref.name}”{count} 件"
            + (f"：{lines}" if found else ""),
            origin="大事记（“大事记”页或月报工作簿的“大事记”表）",
        )

    def area(self, ref: Ref) -> Figure:
        span = self.catalogue.area(ref.name).span
        active = span.active_during(self.first, self.last)
        how = f"“{ref.name}”{span.rule}" if span.text else f"“{ref.name}”每月填报"
        return Figure(
            ref.key,
            ref.label,
            "period",
            "是" if active else "否",
            1.0 if active else 0.0,
            method=f"{how}；{self.period_name}{'在' if active else '不在'}其中",
        )
