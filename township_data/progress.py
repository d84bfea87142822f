"""报送进度: which village has sent which area of a month, when and in which file, who is late,
and the 催报 notice to paste into the villages' WeChat group.

Month M is due by the catalogue's deadline day of month M+1 (inclusive, Beijing time). A row
reported after it is 逾期 N 天 (by the import time of its newest value); a row still missing
after it is 逾期未报. The 打擂 scores are the township's to give, so they are shown but never
chased; the 全镇 row is shown and marked but the notice goes to the villages only. "Today" is
always passed in: nothing here reads the clock.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any

import pandas as pd

from . import metrics, months
from .catalogue import TOWN, Catalogue
from .changes import beijing

REPORTED, PARTIAL = metrics.REPORTED, metrics.PARTIAL
NOT_REPORTED, NOT_APPLICABLE = metrics.NOT_REPORTED, metrics.NOT_APPLICABLE
ON_TIME, NOT_DUE, OVERDUE_MISSING, LATE_MARK = "按时", "未到截止日", "逾期未报", "·逾期"
DETAIL_COLUMNS = ["village", "area", "status", "reported_at", "file_name", "files", "days_late"]


def deadline(month: str, day: int) -> dt.date:
    """The last day (inclusive) to send month M's figures: `day` of month M+1."""
    year, mon = (int(x) for x in months.shift(month, 1).split("-"))
    return dt.date(year, mon, day)


def date_label(day: dt.date) -> str:
    """2024-04-05 → 2024年4月5日."""
    return f"{day.year}年{day.month}月{day.day}日"


@dataclass(frozen=True)
class Progress:
    """One month's reporting: the status matrix and, per (row, sheet), when, which file and how
    late (`details`, one row per cell that row fills)."""

    month: str
    deadline: dt.date
    today: dt.date
    status: pd.DataFrame  # rows (villages, 全镇) × sheets: 已报 / 部分 / 未报 / —
    details: pd.DataFrame  # DETAIL_COLUMNS; reported_at Beijing time or None
    chased: tuple[str, ...]  # the areas villages send (not the 打擂 scores)

    @property
    def past_deadline(self) -> bool:
        return self.today > self.deadline

    @property
    def days_overdue(self) -> int:
        return max((self.today - self.deadline).days, 0)

    @property
    def days_left(self) -> int:
        return max((self.deadline - self.today).days, 0)

    def lateness(self, status: str, days_late: Any) -> str:
        """One cell's words: 按时 / 逾期 N 天 / 逾期未报 / 未到截止日 ("" where not chased)."""
        if pd.isna(days_late):
            return ""
        if status == NOT_REPORTED:
            return OVERDUE_MISSING if self.past_deadline else NOT_DUE
        return f"逾期 {int(days_late)} 天" if int(days_late) > 0 else ON_TIME

    def marked(self) -> pd.DataFrame:
        """The status matrix with each late cell marked, short enough for a narrow column:
        逾期未报, 已报·逾期, 部分·逾期 (the days are in `detail_table`). Made once per Progress
        (a county's 500 villages × 8 areas are drawn on every view of the page)."""
        return self._marked

    @functools.cached_property
    def _marked(self) -> pd.DataFrame:
        details = self.details
        cells = self.status.to_numpy(dtype=object, copy=True)
        rows = self.status.index.get_indexer(details["village"])
        cols = self.status.columns.get_indexer(details["area"])
        for r, c, status, days in zip(
            rows, cols, details["status"], details["days_late"], strict=True
        ):
            late = self.lateness(status, days)
            if late == OVERDUE_MISSING:
                cells[r, c] = OVERDUE_MISSING
            elif late.startswith("逾期"):
                cells[r, c] = f"{status}{LATE_MARK}"
        return pd.DataFrame(cells, index=self.status.index, columns=self.status.columns)

    def detail_table(self) -> pd.DataFrame:
        """The page's and download's table: per (row, sheet) its status, when, which file, and
        how late, with Chinese headers (made once per Progress)."""
        return self._detail_table

    @functools.cached_property
    def _detail_table(self) -> pd.DataFrame:
        details = self.details
        return pd.DataFrame(
            {
                "村（社区）": details["village"],
                "工作领域": details["area"],
                "报送情况": details["status"],
                "报送时间（北京时间）": [
                    "" if pd.isna(at) else at.strftime("%Y-%m-%d %H:%M")
                    for at in details["reported_at"]
                ],
                "来源文件": [
                    f"{file}（共 {n} 个文件）" if n > 1 else file
                    for file, n in zip(details["file_name"], details["files"], strict=True)
                ],
                "逾期情况": [
                    self.lateness(status, late)
                    for status, late in zip(details["status"], details["days_late"], strict=True)
                ],
            }
        )

    def _villages_with(self, status: str) -> list[tuple[str, list[str]]]:
        out = []
        for village in self.status.index:
            if village == TOWN:
                continue
            areas = [a for a in self.chased if self.status.loc[village, a] == status]
            if areas:
                out.append((str(village), areas))
        return out

    def missing(self) -> list[tuple[str, list[str]]]:
        """(village, the areas it has sent nothing of), in catalogue order."""
        return self._villages_with(NOT_REPORTED)

    def partial(self) -> list[tuple[str, list[str]]]:
        """(village, the areas it has sent only part of)."""
        return self._villages_with(PARTIAL)

    def late_villages(self) -> list[str]:
        """The villages still missing an area after the deadline."""
        return [village for village, _ in self.missing()] if self.past_deadline else []

    def chase_text(self, catalogue: Catalogue) -> str:
        """The 催报 notice for the villages' WeChat group, or "" when nothing is missing.

        One line for the villages that sent nothing, then one line per village naming the
        areas it has not sent and those it sent only part of.
        """
        missing, partial = dict(self.missing()), dict(self.partial())
        if not missing and not partial:
            return ""
        label, due = months.label(self.month), date_label(self.deadline)
        if self.past_deadline:
            head = f"{label}工作数据应于{due}前报送，现已逾期{self.days_overdue}天。"
            ask = f"请以上村（社区）今天内将月报发回{catalogue.office}。谢谢！"
        else:
            left = "今天截止" if self.days_left == 0 else f"还有{self.days_left}天"
            head = f"{label}工作数据请于{due}前报送（{left}）。"
            ask = f"请抓紧填报，按时将月报发回{catalogue.office}。谢谢！"
        lines = [
            "各村（社区）：",
            f"{head}截至{date_label(self.today)}，以下村（社区）还未报送或未报全：",
        ]
        nothing = [v for v, areas in missing.items() if len(areas) == len(self.chased)]
        if nothing:
            lines.append(f"{'、'.join(nothing)}：各领域均未报送")
        for village in self.status.index:
            if village in nothing:
                continue
            parts = []
            if village in missing:
                parts.append(f"{'、'.join(missing[village])}未报送")
            if village in partial:
                parts.append(f"{'、'.join(partial[village])}有指标未填")
            if parts:
                lines.append(f"{village}：{'；'.join(parts)}")
        lines += [ask, f"{catalogue.township_name}{catalogue.office}"]
        return "\n".join(lines)


def build(
    values: pd.DataFrame,
    versions: pd.DataFrame,
    catalogue: Catalogue,
    month: str,
    today: dt.date,
) -> Progress:
    """A month's progress from its current values with their sources (Store.current with
    with_source) and the versions (Store.history: id, created_at)."""
    status = metrics.village_status(values, catalogue, month)
    # Only the areas reported in this month (an area whose work ended is not chased).
    chased = tuple(
        a.name
        for a in catalogue.areas_at(month)
        if any(i.village_rows for i in catalogue.sheet_indicators_at(a.name, month))
    )
    due = deadline(month, catalogue.deadline_day)
    details = _details(values, versions, status, month, chased, due, today)
    return Progress(month, due, today, status, details, chased)


def _details(
    values: pd.DataFrame,
    versions: pd.DataFrame,
    status: pd.DataFrame,
    month: str,
    chased: tuple[str, ...],
    due: dt.date,
    today: dt.date,
) -> pd.DataFrame:
    """Per (row, sheet) the row fills: its status, the newest value's import time (Beijing) and
    file, how many files its values came from, and its days late (None where not chased)."""
    cut = values[values["month"] == month]
    # Each version's time in Beijing once (a county's month holds 40,000 values, ~100 versions).
    created = {
        int(version): beijing(at)
        for version, at in zip(versions["id"], versions["created_at"], strict=True)
    }
    newest: dict[tuple[str, str], tuple[dt.datetime, str]] = {}
    files: dict[tuple[str, str], set[str]] = {}
    for village, area, version, file in zip(
        cut["village"], cut["area"], cut["version_id"], cut["file_name"], strict=True
    ):
        key = (village, area)
        at = created[int(version)]
        files.setdefault(key, set()).add(file)
        if key not in newest or at > newest[key][0]:
            newest[key] = (at, file)
    overdue = max((today - due).days, 0)
    rows = []
    cells = status.to_numpy(dtype=object)
    for r, village in enumerate(status.index):
        for c, area in enumerate(status.columns):
            state = cells[r, c]
            if state == NOT_APPLICABLE:
                continue
            found = newest.get((village, area))
            late = None
            if area in chased:
                late = overdue if found is None else max((found[0].date() - due).days, 0)
            when: dt.datetime | None = found[0] if found is not None else None
            file = found[1] if found is not None else ""
            rows.append(
                (village, area, state, when, file, len(files.get((village, area), ())), late)
            )
    return pd.DataFrame(rows, columns=DETAIL_COLUMNS)
