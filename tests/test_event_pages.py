"""AppTest: 大事记 on the charts of their area and on the overview, the 大事记 page, and an
area whose work ended leaving the sidebar and the overview for the months after its end."""

from __future__ import annotations

from township_data.catalogue import Catalogue
from township_data.events import Event
from township_data.store import Store
from township_data.workbook import read_workbook
from views.registry import AREA_PAGES, EVENTS

from .conftest import build_workbook

ARMED = ["村（社区）", "月份", "基干民兵", "抢险救灾出动民兵"]
SAFETY = ["村（社区）", "月份", "检查生产经营单位"]
COVID = ["村（社区）", "月份", "敲门行动排查", "疫苗接种"]


def _import(store: Store, catalogue: Catalogue, sheets: dict, name: str) -> None:
    store.import_workbook(read_workbook(build_workbook(sheets), name, catalogue), "测试")


def _specs(at) -> list[str]:
    return [c.proto.spec for c in at.get("plotly_chart")]


def test_events_are_marked_on_the_chart_of_their_area(
    app_test, store: Store, catalogue: Catalogue
) -> None:
    armed = [ARMED, *[["酉庄村", f"2024-0{m}", 10, 3 * (m == 2)] for m in (1, 2, 3)]]
    safety = [SAFETY, *[["酉庄村", f"2024-0{m}", 5] for m in (1, 2, 3)]]
    _import(store, catalogue, {"党管武装": armed, "安全生产": safety}, "一季度.xlsx")
    store.add_events(
        [
            Event("2024-02-10", "党管武装", "防汛抢险", "冰冻灾害，民兵清除道路积冰", ("酉庄村",)),
            Event("2024-03-05", "安全生产", "上级检查", "县安委会检查"),
        ],
        "测试",
        "大事记页",
    )
    at = app_test("app.py")
    at.switch_page(AREA_PAGES["党管武装"]).run()
    assert not at.exception
    trend = _specs(at)[0]
    assert "▼防汛抢险" in trend and "冰冻灾害，民兵清除道路积冰" in trend
    assert "上级检查" not in trend  # another area's event
    listed = "\n".join(m.value for m in at.markdown)
    assert "2024年2月10日 防汛抢险（酉庄村）：冰冻灾害，民兵清除道路积冰" in listed
    at.switch_page(AREA_PAGES["安全生产"]).run()
    assert any("▼上级检查" in spec for spec in _specs(at))
    # the overview lists the latest month's events
    at.switch_page("app.py").run()
    overview = "\n".join(m.value for m in at.markdown)
    assert "**2024年3月5日** 上级检查（安全生产）：县安委会检查" in overview
    assert "冰冻灾害" not in overview


def _sidebar_labels(at) -> list[str]:
    return [p.proto.label for p in at.sidebar.get("page_link")]


def _overview_areas(at) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith("**:material/")]


def test_an_ended_area_leaves_the_sidebar_and_the_overview_after_its_end(
    app_test, store: Store, catalogue: Catalogue
) -> None:
    covid = [COVID, ["酉庄村", "2023-01", 40, 12], ["蛇形村", "2023-01", 25, 9]]
    safety = [SAFETY, ["酉庄村", "2023-01", 5]]
    _import(store, catalogue, {"疫情防控": covid, "安全生产": safety}, "2023-01.xlsx")
    at = app_test("app.py").run()
    assert not at.exception
    # January 2023, the area's last month: in the sidebar and on the overview
    assert "疫情防控" in _sidebar_labels(at)
    assert any("疫情防控" in card for card in _overview_areas(at))
    _import(store, catalogue, {"安全生产": [SAFETY, ["酉庄村", "2023-03", 6]]}, "2023-03.xlsx")
    at = app_test("app.py").run()
    assert not at.exception
    assert "疫情防控" not in _sidebar_labels(at) and "社会事务" in _sidebar_labels(at)
    assert not any("疫情防控" in card for card in _overview_areas(at))
    # the overview's status table: its January still shown, the months after it not 未报
    assert list(at.dataframe[-1].value.loc["疫情防控"]) == ["部分", "—", "—"]
    # its history: linked from 数据管理, its page shows January 2023 with a note
    at.switch_page("pages/11_guanli.py").run()
    assert "查看疫情防控历史数据" in [p.proto.label for p in at.get("page_link")]
    at.switch_page(AREA_PAGES["疫情防控"]).run()
    assert not at.exception
    assert "已于2023年1月停止填报" in at.info[0].value
    assert "统计期：**2023年1月**" in "\n".join(m.value for m in at.markdown)
    cards = {m.label: m.value for m in at.metric}
    assert cards["敲门行动排查"] == "65 人"  # 40 + 25


def test_an_event_is_recorded_on_its_page(app_test, store: Store, catalogue: Catalogue) -> None:
    _import(store, catalogue, {"安全生产": [SAFETY, ["酉庄村", "2024-06", 5]]}, "六月.xlsx")
    at = app_test("app.py")
    at.switch_page(EVENTS.path).run()
    assert not at.exception
    assert "还没有记录任何大事记" in at.info[0].value
    at.selectbox(key="ev_area").set_value("党管武装")
    at.selectbox(key="ev_kind").set_value("防汛抢险")
    at.multiselect(key="ev_villages").set_value(["杉林村"])
    at.text_input(key="ev_title").input("强降雨引发洪灾")
    next(b for b in at.button if b.label == "保存").click().run()
    assert not at.exception
    assert at.success[0].value == "已记录：2024年6月1日 防汛抢险（杉林村）：强降雨引发洪灾"
    table = at.dataframe[0].value
    assert list(table["事件"]) == ["强降雨引发洪灾"] and list(table["村（社区）"]) == ["杉林村"]
    # an empty text is refused in Chinese and nothing is kept
    at.text_input(key="ev_title").input("")
    next(b for b in at.button if b.label == "保存").click().run()
    assert "事件内容为空" in at.error[0].value
    assert len(store.events()) == 1
