"""AppTest of the home page (总览): runs without exception and shows the right numbers."""

from __future__ import annotations

import json

from township_data import config


def test_home_loads_sample_on_first_start(app_test) -> None:
    at = app_test("app.py").run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    first, last = config.SAMPLE_FIRST_MONTH, config.SAMPLE_LAST_MONTH
    assert first == "2023-01" and last == "2024-12"
    assert any(c.value == "数据月份：2023年1月–2024年12月" for c in at.caption)
    assert metrics["已载入月份"] == "24 个月"
    assert any("示例数据" in i.value for i in at.info)
    figure = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert "数据报送情况" in figure["layout"]["title"]["text"]


def test_home_shows_latest_contest_boards(app_test, store, catalogue) -> None:
    from tests.conftest import build_workbook
    from township_data.workbook import read_workbook

    header = ["村（社区）", "月份", *(i.name for i in catalogue.contest.items)]
    villages = catalogue.village_names
    rows = [[v, "2024-03", 20, 25, 20, 20, 15 - i] for i, v in enumerate(villages)]
    data = build_workbook({"人居环境打擂": [header, *rows]})
    store.import_workbook(read_workbook(data, "打擂.xlsx", catalogue), "张三")
    at = app_test("app.py").run()
    assert not at.exception
    texts = [m.value for m in at.markdown]
    assert any(f"第 1 名\u3000{villages[0]}\u3000100.0 分" in t for t in texts)
    last = len(villages)
    assert any(f"第 {last} 名\u3000{villages[-1]}\u3000{100 - last + 1:.1f} 分" in t for t in texts)
    assert any("人居环境打擂（2024年3月）" in s.value for s in at.subheader)
