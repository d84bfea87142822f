"""What keeps a page view cheap must not change what it shows.

A kept figure answers `to_dict()` with its dict built once, so Streamlit sends exactly the JSON
it would send for the figure itself; the 安全生产 hazards read from the sheets' rows as kept, and
its year-so-far figures from the kept monthly totals, equal those computed from the values one
by one, for the whole township and for some villages.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import plotly.tools
import pytest

from township_data import metrics, months, pagedata
from township_data.sample import load_into
from views.widgets import SentFigure, sent_once


def _figure() -> go.Figure:
    figure = go.Figure()
    figure.add_bar(x=["酉庄村", "蛇形村"], y=[3, 5], name="检查生产经营单位")
    figure.add_scatter(x=["酉庄村", "蛇形村"], y=[1.5, None], name="整改率")
    figure.update_layout(title="各村（社区）检查生产经营单位（家次）", height=360)
    return figure


def _sent_json(figure: go.Figure) -> str:
    """What st.plotly_chart serialises for a figure (its two plotly calls)."""
    as_dict = plotly.tools.return_figure_from_figure_or_data(figure, validate_figure=True)
    return pio.to_json(as_dict, validate=False)


def test_a_kept_figure_sends_the_same_json_and_is_still_a_figure() -> None:
    kept = sent_once(_figure())
    assert isinstance(kept, SentFigure) and isinstance(kept, go.Figure)
    assert _sent_json(kept) == _sent_json(_figure())
    assert kept.to_dict() is kept.to_dict()  # built once
    assert kept.layout.height == 360 and kept.data[0].name == "检查生产经营单位"


@pytest.mark.parametrize("villages", [(), ("酉庄村", "蛇形村")])
def test_safety_hazards_from_the_kept_rows_equal_those_from_the_values(
    store, catalogue, villages
) -> None:
    load_into(store, catalogue)
    loaded = months.month_range(*store.month_span())
    data = pagedata.safety_data(store, catalogue, loaded[-1], villages, loaded)
    pair = [metrics.SAFETY_FOUND, metrics.SAFETY_FIXED]
    expected = metrics.hazards(
        store.current(areas=[metrics.SAFETY_AREA], indicators=pair),
        *pair,
        loaded,
        list(villages),
        metrics.SAFETY_AREA,
    )
    assert data.hazards.notna().to_numpy().any()
    assert data.hazards.equals(expected)
    # The year so far (whole township: from the kept totals) against every value read.
    ytd = months.year_to_date(loaded[-1])
    sums = [
        i
        for i in metrics.shown_indicators(catalogue, metrics.SAFETY_AREA, list(villages))
        if i.combine == "sum"
    ]
    needed = sorted({*ytd.months, *ytd.previous().months, *ytd.year_ago().months})
    read = metrics.headline(
        store.current(areas=[metrics.SAFETY_AREA], months=needed),
        catalogue,
        metrics.SAFETY_AREA,
        ytd,
        list(villages),
        sums,
    )
    figures = ["indicator", "unit", "value", "previous", "year_ago"]
    assert read["value"].notna().any()
    pd.testing.assert_frame_equal(data.year_so_far[figures], read[figures])


def test_every_indicator_in_one_pass_equals_one_indicator_at_a_time(store, catalogue) -> None:
    load_into(store, catalogue)
    area = metrics.SAFETY_AREA
    loaded = months.month_range(*store.month_span())
    period = months.Period(loaded[-3], loaded[-1])
    names = [i.name for i in catalogue.area(area).indicators if i.village_rows]
    values = store.current(areas=[area])
    for villages in ([], catalogue.village_names[:2]):
        table = metrics.villages_values(values, catalogue, area, names, period, villages)
        grids = metrics.villages_month(values, catalogue, area, names, loaded[-12:], villages)
        assert list(table.columns) == names and table.notna().to_numpy().any()
        for name in names:
            alone = metrics.villages_values(values, catalogue, area, [name], period, villages)
            pd.testing.assert_series_equal(table[name], alone[name])
            one = metrics.villages_month(values, catalogue, area, [name], loaded[-12:], villages)
            pd.testing.assert_frame_equal(grids[name], one[name])
