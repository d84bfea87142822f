"""AppTests of 数据管理: import history, version values, restore (the status matrix moved to
报送进度, tests/test_progress_page.py)."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from township_data import auth
from township_data.workbook import read_workbook

PAGE = "pages/11_guanli.py"
HEADER = ["村（社区）", "月份", "检查生产经营单位（家次）", "排查安全隐患（处）"]


def safety(rows):
    return {"安全生产": [HEADER, *rows]}


FIRST = [["酉庄村", "2024-03", 10, 3], ["蛇形村", "2024-03", 12, None]]
SECOND = [["酉庄村", "2024-03", 11, 3], ["蛇形村", "2024-03", 12, None]]


@pytest.fixture
def versions(store, make_workbook, catalogue):
    """Two imports of 安全生产 2024年3月 by two people; the second corrects 酉庄村."""
    first_bytes = make_workbook(safety(FIRST))
    first = store.import_workbook(read_workbook(first_bytes, "三月初报.xlsx", catalogue), "张三")
    second_bytes = make_workbook(safety(SECOND))
    second = store.import_workbook(read_workbook(second_bytes, "三月更正.xlsx", catalogue), "李四")
    return first, second, first_bytes


def open_page(app_test):
    at = app_test("app.py").run()
    at.switch_page(PAGE).run()
    assert not at.exception
    return at


def table_with(at, *columns: str):
    return next(d.value for d in at.dataframe if set(columns) <= set(d.value.columns))


def checks_value(store, village: str, indicator: str) -> float | None:
    frame = store.current()
    hit = frame[(frame["village"] == village) & (frame["indicator"] == indicator)]
    return None if hit.empty else float(hit["value"].iloc[0])


def test_history_lists_every_import_in_beijing_time(app_test, store, versions) -> None:
    first, second, first_bytes = versions
    at = open_page(app_test)
    table = table_with(at, "版本", "SHA-256")
    assert table["版本"].tolist() == [second.version_id, first.version_id]
    assert table["操作人"].tolist() == ["李四", "张三"]
    assert table["文件"].tolist() == ["三月更正.xlsx", "三月初报.xlsx"]
    assert table["SHA-256"].iloc[1] == hashlib.sha256(first_bytes).hexdigest()
    assert table["领域和月份"].tolist() == ["2024年3月：安全生产"] * 2
    assert table["数值条数"].tolist() == ["3", "3"]
    assert table["当前数据"].tolist() == ["是", ""]
    utc = store.history()["created_at"].iloc[0]
    shown = dt.datetime.strptime(table["时间（北京时间）"].iloc[0], "%Y-%m-%d %H:%M:%S")
    assert shown - utc == dt.timedelta(hours=8)


def test_the_values_of_any_version(app_test, store, versions) -> None:
    first, _, _ = versions
    at = open_page(app_test)
    at.selectbox(key="manage_version").set_value(first.version_id).run()
    assert not at.exception
    table = table_with(at, "村（社区）", "检查生产经营单位（家次）").set_index("村（社区）")
    assert table.loc["酉庄村", "检查生产经营单位（家次）"] == "10"
    assert table.loc["蛇形村", "排查安全隐患（处）"] == "未报"


def test_restore_brings_back_the_earlier_values(app_test, store, versions) -> None:
    first, second, _ = versions
    at = open_page(app_test)
    at.selectbox(key="manage_version").set_value(first.version_id).run()
    changed = table_with(at, "原值", "新值")
    assert changed[["村（社区）", "原值", "新值"]].values.tolist() == [
        ["酉庄村", "11 家次", "10 家次"]
    ]
    assert checks_value(store, "酉庄村", "检查生产经营单位") == 11
    at.button(key="restore_confirm").click().run()
    assert not at.exception
    assert any(f"已恢复版本 {first.version_id}" in s.value for s in at.success)
    assert checks_value(store, "酉庄村", "检查生产经营单位") == 10
    newest = store.history().iloc[0]
    assert (newest["action"], newest["restored_from"]) == ("restore", first.version_id)
    assert any("无需恢复" in i.value for i in at.info)

    # And back again: the corrected version is one restore away.
    at.selectbox(key="manage_version").set_value(second.version_id).run()
    at.button(key="restore_confirm").click().run()
    assert checks_value(store, "酉庄村", "检查生产经营单位") == 11


def test_restore_previews_again_when_data_changed(
    app_test, store, versions, make_workbook, catalogue
) -> None:
    first, _, _ = versions
    at = open_page(app_test)
    at.selectbox(key="manage_version").set_value(first.version_id).run()
    data = make_workbook(safety([["酉庄村", "2024-03", 50, 3]]))
    store.import_workbook(read_workbook(data, "又改了.xlsx", catalogue), "王五")
    revision = store.revision()
    at.button(key="restore_confirm").click().run()
    assert any("预览之后数据已被他人更新" in w.value for w in at.warning)
    assert store.revision() == revision
    assert table_with(at, "原值", "新值")["原值"].tolist()[0] == "50 家次"


def test_restore_needs_an_editor_when_editors_exist(app_test, store, versions, monkeypatch) -> None:
    first, _, _ = versions
    monkeypatch.setattr(auth, "BCRYPT_ROUNDS", 4)
    auth.add_editor("张三", "correct-horse")
    at = open_page(app_test)
    at.selectbox(key="manage_version").set_value(first.version_id).run()
    assert not [b for b in at.button if b.key == "restore_confirm"]
    assert table_with(at, "版本", "SHA-256") is not None  # browsing needs no login
    at.text_input(key="restore_login_name").input("张三")
    at.text_input(key="restore_login_password").input("correct-horse")
    at.button(key="restore_login").click().run()
    at.button(key="restore_confirm").click().run()
    assert checks_value(store, "酉庄村", "检查生产经营单位") == 10
    assert store.history().iloc[0]["created_by"] == "张三（乡镇编辑人员）"
