"""AppTest of the home page (总览): runs without exception and shows the right numbers."""

from __future__ import annotations

import json

from township_data import config


def test_home_loads_sample_on_first_start(app_test) -> None:
    at = app_test("app.py").run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    first, last = config.SAMPLE_FIRST_MONTH, config.SAMPLE_LAST_MONTH
    assert (
        metrics["数据月份"] == "2023年1月–2024年12月" and first == "2023-01" and last == "2024-12"
    )
    assert metrics["已载入月份"] == "24 个月"
    assert any("示例数据" in i.value for i in at.info)
    figure = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert "数据报送情况" in figure["layout"]["title"]["text"]
