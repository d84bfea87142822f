"""Shared widgets: the period and village choosers kept across pages, and the chart drawer.

Streamlit forgets a widget's state on a page that does not draw it, so every choice is also
kept under its own key (keep_…): the period chosen on one page is the period of the next.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from township_data import months
from township_data.catalogue import Catalogue

if TYPE_CHECKING:
    from .shell import Context

PERIOD_PREFIX = "period"
VILLAGE_KEY = "village_filter"
_KEEP = "keep_"
_PERIOD_LABELS = {
    "month": "月份",
    "quarter": "季度",
    "half": "半年",
    "year": "年度",
    "ytd": "截至",
    "range": "月份",
}


def seed(key: str, valid: Callable[[Any], bool], default: Any) -> None:
    """Put the remembered choice (else `default`) into a widget's state before it is drawn.

    Streamlit forgets a widget's state on a page that does not draw it, so every choice is also
    kept under an own key (keep_…) that survives page switches: the period chosen on one page
    is the period of the next.
    """
    for candidate in (st.session_state.get(key), st.session_state.get(_KEEP + key)):
        if candidate is not None and valid(candidate):
            st.session_state[key] = candidate
            return
    st.session_state[key] = default


def keep(key: str) -> None:
    st.session_state[_KEEP + key] = st.session_state[key]


@dataclass(frozen=True)
class View:
    """What an area page shows: the chosen period, the same cut to the loaded months, villages."""

    period: months.Period
    chosen: months.Period
    villages: tuple[str, ...]
    loaded: tuple[str, ...]

    @property
    def clipped(self) -> bool:
        return self.period != self.chosen

    @property
    def window(self) -> tuple[str, ...]:
        """Months of the trend charts: the period when long, else the year up to its end."""
        return tuple(months.trend_window(self.period, self.loaded[0]))

    @property
    def scope(self) -> str:
        return "、".join(self.villages) if self.villages else "全镇"


def period_chooser(
    month_list: list[str],
    kinds: tuple[str, ...] = months.BROWSE_KINDS,
    prefix: str = PERIOD_PREFIX,
    label: str = "统计周期",
) -> tuple[months.Period, months.Period]:
    """A period of `kinds` (months.PERIOD_KINDS) over the loaded months, remembered across
    pages under `prefix` (the area pages share one choice, the report keeps its own).

    Returns the chosen period and the same period cut to the months holding data.
    """
    first, last = month_list[0], month_list[-1]
    kind_key = f"{prefix}_kind"
    kind_col, value_col = st.columns([3, 2], vertical_alignment="bottom")
    with kind_col:
        seed(kind_key, lambda v: v in kinds, kinds[0])
        kind = st.segmented_control(
            label, list(kinds), format_func=months.PERIOD_KINDS.get, key=kind_key, required=True
        )
        keep(kind_key)
    key = f"{prefix}_{kind}"
    with value_col:
        if kind == "range":
            chosen = _range_chooser(month_list, key)
        else:
            options = months.period_options(kind, first, last)
            seed(key, lambda v: v in options, options[0])
            token = st.selectbox(
                _PERIOD_LABELS[kind],
                options,
                format_func=lambda t: months.option_label(kind, t),
                key=key,
            )
            chosen = months.period_of(kind, token)
            keep(key)
    return chosen, chosen.clip(first, last) or chosen


def _range_chooser(month_list: list[str], key: str) -> months.Period:
    """A span of loaded months from two month boxes (a range slider's moved value does not
    reach the remembered choice: the slider sprang back to where it was)."""
    first, last = month_list[0], month_list[-1]
    starts, ends = st.columns(2)
    seed(f"{key}_from", lambda v: v in month_list, max(first, months.year_to_date(last).first))
    with starts:
        start = st.selectbox("起始月份", month_list, format_func=months.label, key=f"{key}_from")
    keep(f"{key}_from")
    seed(f"{key}_to", lambda v: v in month_list, last)
    with ends:
        end = st.selectbox("结束月份", month_list, format_func=months.label, key=f"{key}_to")
    keep(f"{key}_to")
    return months.Period(start, end)


def village_filter(catalogue: Catalogue) -> list[str]:
    """Some villages, or none chosen for the whole township; remembered across pages."""
    names = catalogue.village_names
    seed(VILLAGE_KEY, lambda v: isinstance(v, list) and all(n in names for n in v), [])
    chosen = st.multiselect(
        "村（社区）",
        names,
        key=VILLAGE_KEY,
        placeholder="全镇（全部村、社区）",
    )
    keep(VILLAGE_KEY)
    return [n for n in names if n in chosen]


def choose_view(context: Context, month_list: list[str], prefix: str = PERIOD_PREFIX) -> View:
    """The period chooser and the village filter in one row (stacked on a phone)."""
    left, right = st.columns([2, 1], vertical_alignment="bottom")
    with left:
        chosen, period = period_chooser(month_list, prefix=prefix)
    with right:
        villages = village_filter(context.catalogue)
    return View(period, chosen, tuple(villages), tuple(month_list))


_CHART_CONFIG = {"displayModeBar": False}


class SentFigure(go.Figure):
    """A finished figure that answers `to_dict()` with the dict it had when it was kept.

    st.plotly_chart turns a figure into a plain dict (a deep copy of every trace, ~2.4 ms for
    a 4 × 30 bar chart) before serialising it, on every view; the kept figure never changes,
    so its dict is built once. Streamlit only reads that dict.
    """

    _sent: dict

    def to_dict(self) -> dict:
        return self._sent


def sent_once(figure: go.Figure) -> SentFigure:
    sent = figure.to_dict()
    figure.__class__ = SentFigure
    figure._sent = sent
    return figure


@st.cache_resource(show_spinner=False, max_entries=256)
def _figure(key: tuple, _make: Callable[[], go.Figure]) -> SentFigure:
    return sent_once(_make())


def plot(context: Context, name: str, params: tuple, make: Callable[[], go.Figure]) -> None:
    """Draw a chart at full width without Plotly's English toolbar, built once per input.

    Building a Plotly figure costs far more than drawing it, so each figure is kept (shared,
    never changed) under the store revision, the chart's name and every input that shapes it
    (`params`), together with the dict Streamlit serialises (`SentFigure`).
    """
    figure = _figure((context.cache_key, name, *params), make)
    st.plotly_chart(figure, width="stretch", config=_CHART_CONFIG, key=f"chart_{name}")


def present(names: tuple[str, ...], columns: pd.Index) -> list[str]:
    return [n for n in names if n in columns]
