"""A county deployment in the browser: the township chooser, a township's own view, secrets."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import build_workbook
from tests.test_store import safety
from township_data.catalogue import load_catalogue
from township_data.store import Store, dispose_engines
from township_data.workbook import read_workbook

CHOICE = "township_choice"


def store_both(url: str) -> None:
    """潭湾镇 reports 2024年3月; 石桥镇 (its own villages) reports 2024年1–2月."""
    tanwan = load_catalogue(township="tanwan")
    store = Store(url, "tanwan", "潭湾镇")
    store.import_workbook(read_workbook(safety("2024-03", 10), "潭湾.xlsx", tanwan), "潭湾")
    shiqiao = load_catalogue(township="shiqiao")
    store = Store(url, "shiqiao", "石桥镇")
    for month, checks in (("2024-01", 5), ("2024-02", 7)):
        book = build_workbook(
            {
                "安全生产": [
                    ["村（社区）", "月份", "检查生产经营单位"],
                    ["柳溪村", month, checks],
                    ["马鞍村", month, checks + 1],
                ]
            }
        )
        store.import_workbook(read_workbook(book, f"{month}.xlsx", shiqiao), "石桥")


def shown(at) -> tuple[str, dict[str, str]]:
    """The home page's title and figures (the data span is a caption: 数据月份：…)."""
    figures = {m.label: m.value for m in at.metric}
    for caption in at.caption:
        if caption.value.startswith("数据月份："):
            figures["数据月份"] = caption.value.removeprefix("数据月份：")
    return at.title[0].value, figures


def test_a_county_user_chooses_the_township_and_keeps_it_across_pages(
    app_test, data_dir: Path, county_catalogues: Path
) -> None:
    from township_data import config

    store_both(config.database_url(data_dir))
    at = app_test("app.py").run()
    assert not at.exception
    chooser = at.selectbox(key=CHOICE)
    assert chooser.label == "乡镇（街道）" and chooser.options == ["潭湾镇", "石桥镇"]
    title, metrics = shown(at)
    assert title == "潭湾镇工作数据看板"
    assert metrics["数据月份"] == "2024年3月–2024年3月" and metrics["村（社区）"] == "16 个"

    at.session_state["upload_preview"] = ("潭湾镇的预览", None)
    at.selectbox(key=CHOICE).set_value("shiqiao").run()
    assert not at.exception
    title, metrics = shown(at)
    assert title == "石桥镇工作数据看板"
    assert metrics["数据月份"] == "2024年1月–2024年2月" and metrics["村（社区）"] == "6 个"
    assert "upload_preview" not in at.session_state  # never confirmed for another township
    assert metrics["已载入月份"] == "2 个月"
    assert not any("示例数据" in i.value for i in at.info)

    at.switch_page("pages/12_zongjie.py").run()
    assert not at.exception
    assert at.selectbox(key=CHOICE).value == "shiqiao"
    assert any("石桥镇" in m.value for m in at.markdown)
    assert not any("潭湾镇" in m.value for m in at.markdown if m.value.startswith("<h3"))


def test_a_township_user_sees_only_their_own_township(
    app_test, data_dir: Path, county_catalogues: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from township_data import config

    store_both(config.database_url(data_dir))
    monkeypatch.setenv("TOWNSHIP_CATALOGUE", str(county_catalogues / "2_shiqiao.toml"))
    at = app_test("app.py").run()
    assert not at.exception
    assert not [s for s in at.selectbox if s.key == CHOICE]
    title, metrics = shown(at)
    assert title == "石桥镇工作数据看板" and metrics["数据月份"] == "2024年1月–2024年2月"


def test_a_new_township_of_the_county_gets_sample_data_with_its_own_villages(
    app_test, data_dir: Path, county_catalogues: Path
) -> None:
    at = app_test("app.py").run()
    at.selectbox(key=CHOICE).set_value("shiqiao").run()
    assert not at.exception
    title, metrics = shown(at)
    assert title == "石桥镇工作数据看板" and metrics["已载入月份"] == "24 个月"
    assert any("示例数据" in i.value for i in at.info)
    store = Store(f"sqlite:///{data_dir / 'township.sqlite3'}", "shiqiao")
    assert set(store.current()["village"]) <= {
        "全镇",
        *load_catalogue(township="shiqiao").village_names,
    }


def test_the_database_comes_from_the_secrets_file(
    app_test, data_dir: Path, catalogue, tmp_path: Path
) -> None:
    """[database] url in .streamlit/secrets.toml, read when TOWNSHIP_DATABASE_URL is unset."""
    url = f"sqlite:///{tmp_path / 'server' / 'county.sqlite3'}"
    store = Store(url, catalogue.township_key, catalogue.township_name)
    store.import_workbook(read_workbook(safety("2024-05", 10), "五月.xlsx", catalogue), "张三")
    dispose_engines()
    at = app_test("app.py")
    at.secrets["database"] = {"url": url}
    at.run()
    assert not at.exception
    assert shown(at)[1]["数据月份"] == "2024年5月–2024年5月"
    assert not (data_dir / "township.sqlite3").exists()  # the default file was never opened
