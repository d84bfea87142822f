"""AppTests of 数据上传's templates: the township's, one village's, every village's in a zip,
with last month's stocks carried when chosen."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import load_workbook

from township_data import months
from township_data.workbook import read_workbook
from views import registry

PAGE = registry.UPLOAD.path
MONTH = months.recent(2)[1]  # the page's default: last month
PREVIOUS = months.shift(MONTH, -1)
HEADER = ["村（社区）", "月份", "基干民兵（人）", "兵役登记（人）"]


@pytest.fixture
def stocks(store, make_workbook, catalogue):
    """The month before the default one: 酉庄村 has 12 基干民兵 and 6 兵役登记."""
    rows = [HEADER, ["酉庄村", PREVIOUS, 12, 6], ["蛇形村", PREVIOUS, 20, 4]]
    data = make_workbook({"党管武装": rows})
    store.import_workbook(read_workbook(data, "上月.xlsx", catalogue), "甲")
    return store


def open_upload_page(app_test):
    at = app_test("app.py").run()
    at.switch_page(PAGE).run()
    assert not at.exception
    return at


def militia_row(data: bytes, village: str) -> dict[str, object]:
    sheet = load_workbook(io.BytesIO(data))["党管武装"]
    header = [c.value for c in sheet[3]]
    row = next(r for r in sheet.iter_rows(min_row=4, values_only=True) if r[0] == village)
    return dict(zip(header, row, strict=True))


@pytest.fixture
def offered(monkeypatch) -> dict[str, tuple[str, object]]:
    """Every download the page offers, by key: its file name and its data (a callable the
    browser's click would run), recorded as the page draws its buttons."""
    import streamlit as st

    found: dict[str, tuple[str, object]] = {}
    real = st.download_button

    def record(label, data, file_name=None, *args, **kwargs):
        found[kwargs.get("key", label)] = (file_name, data)
        return real(label, data, file_name, *args, **kwargs)

    monkeypatch.setattr(st, "download_button", record)
    return found


def fetched(offered: dict, key: str) -> tuple[str, bytes]:
    """The file name and the bytes a click on that download would give."""
    name, data = offered[key]
    return name, data() if callable(data) else data


def test_the_townships_template_is_blank_unless_chosen(app_test, stocks, offered) -> None:
    at = open_upload_page(app_test)
    assert at.radio(key="upload_template_kind").value == "town"
    carry = at.checkbox(key="upload_template_carry_town")
    assert carry.value is False
    assert f"预填{months.label(PREVIOUS)}的存量指标" in carry.label
    name, data = fetched(offered, "upload_template_download")
    assert name == f"潭湾镇{months.label(MONTH)}月报模板.xlsx"
    assert militia_row(data, "酉庄村")["基干民兵（人）"] is None

    carry.check().run()
    name, data = fetched(offered, "upload_template_download")
    row = militia_row(data, "酉庄村")
    assert (row["基干民兵（人）"], row["兵役登记（人）"]) == (12, None)


def test_one_villages_template_carries_its_stocks(app_test, stocks, offered) -> None:
    at = open_upload_page(app_test)
    at.radio(key="upload_template_kind").set_value("village").run()
    choice = at.selectbox(key="upload_template_village")
    assert choice.options[-1] == "全镇（镇本级）"
    choice.set_value("蛇形村").run()
    assert not at.exception
    assert at.checkbox(key="upload_template_carry_village").value is True
    assert any("只含所选村（社区）一行" in c.value for c in at.caption)
    name, data = fetched(offered, "upload_template_download")
    assert name == f"潭湾镇{months.label(MONTH)}月报_蛇形村.xlsx"
    book = load_workbook(io.BytesIO(data))
    assert [r[0] for r in book["党管武装"].iter_rows(min_row=4, values_only=True)] == ["蛇形村"]
    assert militia_row(data, "蛇形村")["基干民兵（人）"] == 20

    at.checkbox(key="upload_template_carry_village").uncheck().run()
    _, data = fetched(offered, "upload_template_download")
    assert militia_row(data, "蛇形村")["基干民兵（人）"] is None


def test_every_village_in_a_zip(app_test, stocks, offered, catalogue) -> None:
    at = open_upload_page(app_test)
    at.radio(key="upload_template_kind").set_value("zip").run()
    assert not at.exception
    assert at.checkbox(key="upload_template_carry_zip").value is True
    name, data = fetched(offered, "upload_template_zip")
    label = months.label(MONTH)
    assert name == f"潭湾镇{label}月报模板_各村（社区）.zip"
    bundle = zipfile.ZipFile(io.BytesIO(data))
    assert bundle.namelist() == [f"潭湾镇{label}月报_{v}.xlsx" for v in catalogue.village_names]
    assert (
        militia_row(bundle.read(f"潭湾镇{label}月报_酉庄村.xlsx"), "酉庄村")["基干民兵（人）"] == 12
    )
    assert f"潭湾镇{label}月报_酉庄村.xlsx" in " ".join(c.value for c in at.caption)


def test_without_last_months_stocks_nothing_is_offered(
    app_test, store, make_workbook, catalogue
) -> None:
    header = ["村（社区）", "月份", "检查生产经营单位（家次）"]
    data = make_workbook({"安全生产": [header, ["酉庄村", MONTH, 3]]})
    store.import_workbook(read_workbook(data, "本月.xlsx", catalogue), "甲")
    at = open_upload_page(app_test)
    assert not at.checkbox
    assert any(f"{months.label(PREVIOUS)}还没有存量指标的数据" in c.value for c in at.caption)
