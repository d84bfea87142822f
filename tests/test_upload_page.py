"""AppTests of 数据上传: errors at once, preview with warnings, confirm, editors, limits."""

from __future__ import annotations

import pytest

from tests.conftest import build_huge_sheet
from township_data import auth, config
from township_data.workbook import read_workbook
from views import registry

PAGE = "pages/10_shangchuan.py"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = ["村（社区）", "月份", "检查生产经营单位（家次）", "排查安全隐患（处）"]


def safety(rows, header=HEADER):
    return {"安全生产": [header, *rows]}


@pytest.fixture
def base(store, make_workbook, catalogue):
    """February and March of 安全生产 for two villages (so no sample data is loaded)."""
    data = make_workbook(
        safety(
            [
                ["酉庄村", "2024-02", 10, 3],
                ["蛇形村", "2024-02", 12, 4],
                ["酉庄村", "2024-03", 10, 3],
                ["蛇形村", "2024-03", 12, 4],
            ]
        )
    )
    return store.import_workbook(read_workbook(data, "底稿.xlsx", catalogue), "甲")


def open_upload_page(app_test):
    at = app_test("app.py").run()
    at.switch_page(PAGE).run()
    assert not at.exception
    return at


def value_of(store, village: str, month: str, indicator: str) -> float | None:
    frame = store.current()
    hit = frame[
        (frame["village"] == village)
        & (frame["month"] == month)
        & (frame["indicator"] == indicator)
    ]
    return None if hit.empty else float(hit["value"].iloc[0])


def table_with(at, *columns: str, index: int = 0):
    """The index-th table that has these columns (AppTest keeps no key on a dataframe)."""
    tables = [d.value for d in at.dataframe if set(columns) <= set(d.value.columns)]
    return tables[index]


def metrics_of(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_valid_workbook_shows_the_preview_and_confirm_stores_it(
    app_test, store, base, make_workbook
) -> None:
    at = open_upload_page(app_test)
    assert any("单用户模式" in i.value for i in at.info)
    data = make_workbook(
        safety(
            [
                ["酉庄村", "2024-03", 40, 3],  # 10 → 40, and 4× February: a warning
                ["蛇形村", "2024-03", 12, 4],
                ["杉林村", "2024-03", 1, 1],
            ]
        )
    )
    at.file_uploader(key="upload_files_0").set_value(("三月 安全生产.xlsx", data, XLSX)).run()
    assert not at.exception and not at.error
    assert metrics_of(at) == {"新增数值": "2", "修改数值": "1", "改为未报": "0", "不变": "3"}
    notices = table_with(at, "提示类型", "说明")
    assert notices.iloc[0]["村（社区）"] == "酉庄村"
    assert "是上月的 4.0 倍" in notices.iloc[0]["说明"]
    changed = table_with(at, "原值", "新值")
    assert changed[["原值", "新值"]].values.tolist() == [["10 家次", "40 家次"]]
    slices = table_with(at, "领域", "月份", "不变")
    assert slices[["领域", "月份"]].values.tolist() == [["安全生产", "2024年3月"]]
    assert value_of(store, "酉庄村", "2024-03", "检查生产经营单位") == 10  # nothing stored yet

    at.button(key="upload_confirm").click().run()
    assert not at.exception
    assert any("已导入“三月 安全生产.xlsx”" in s.value for s in at.success)
    assert value_of(store, "酉庄村", "2024-03", "检查生产经营单位") == 40
    assert value_of(store, "杉林村", "2024-03", "排查安全隐患") == 1
    newest = store.history().iloc[0]
    assert newest["created_by"] == config.SINGLE_USER
    assert newest["file_name"] == "三月 安全生产.xlsx"
    assert len(at.file_uploader(key="upload_files_1").value or []) == 0  # the form is cleared

    area_page = registry.AREA_PAGES["安全生产"]
    if registry.page_exists(area_page):
        at.switch_page(area_page).run()
        assert not at.exception
        shown = [str(x) for d in at.dataframe for x in d.value.to_numpy().ravel()]
        shown += [m.value for m in at.metric]
        assert any("40" in text for text in shown)


def test_invalid_workbook_shows_every_error_with_sheet_and_cell_and_stores_nothing(
    app_test, store, base, make_workbook
) -> None:
    revision, versions = store.revision(), len(store.history())
    at = open_upload_page(app_test)
    data = make_workbook(
        safety(
            [
                ["酉庄村", "2024-03", "十二", 3],
                ["蛇行村", "2024-03", 12, 4],
                ["杉林村", "2024-03", -1, 1],
            ],
            header=[*HEADER, "检查生产经营单位数"],
        )
    )
    at.file_uploader(key="upload_files_0").set_value(("有错的月报.xlsx", data, XLSX)).run()
    assert not at.exception
    assert any("没有导入任何数据" in e.value for e in at.error)
    table = table_with(at, "单元格", "处理建议")
    assert list(table.columns) == ["文件", "工作表", "单元格", "问题", "处理建议"]
    found = {f"{r['工作表']}!{r['单元格']}": r for r in table.to_dict("records")}
    assert set(found) == {"安全生产!E1", "安全生产!C2", "安全生产!A3", "安全生产!C4"}
    assert "检查生产经营单位" in found["安全生产!E1"]["处理建议"]  # closest indicator
    assert "蛇形村" in found["安全生产!A3"]["处理建议"]  # closest village
    assert {r["文件"] for r in found.values()} == {"有错的月报.xlsx"}
    assert not [b for b in at.button if b.key == "upload_confirm"]
    assert store.revision() == revision and len(store.history()) == versions


def test_zip_bomb_is_refused_through_the_page(app_test, store, base) -> None:
    revision = store.revision()
    at = open_upload_page(app_test)
    bomb = build_huge_sheet(1_000_000)
    at.file_uploader(key="upload_files_0").set_value(("百万行.xlsx", bomb, XLSX)).run()
    assert not at.exception
    table = table_with(at, "单元格", "处理建议")
    assert table.iloc[0]["工作表"] == "安全生产"
    assert "超过 20,000 行" in table.iloc[0]["问题"]
    assert store.revision() == revision


def test_several_village_files_at_once_one_preview_one_confirm(
    app_test, store, base, make_workbook
) -> None:
    """Villages send their own files: dropped together they are one preview and one confirm;
    each file's village is named, a village already reported shows old → new, and villages
    absent from every file keep their figures."""
    at = open_upload_page(app_test)
    no_month = ["村（社区）", "检查生产经营单位（家次）"]
    files = [
        ("酉庄村四月.xlsx", make_workbook({"安全生产": [no_month, ["酉庄村", 20]]}), XLSX),
        ("杉林村四月.xlsx", make_workbook({"安全生产": [no_month, ["杉林村", 7]]}), XLSX),
        ("蛇形村三月更正.xlsx", make_workbook(safety([["蛇形村", "2024-03", 13, 4]])), XLSX),
    ]
    at.selectbox(key="upload_month").set_value("2024-04")
    at.file_uploader(key="upload_files_0").set_value(files).run()
    assert not at.exception and not at.error
    table = table_with(at, "文件", "村（社区）", "重报（本月已有数据）")
    assert table["村（社区）"].tolist() == ["酉庄村", "杉林村", "蛇形村"]
    assert table["重报（本月已有数据）"].tolist() == ["—", "—", "蛇形村"]
    assert any("按村（社区）更新" in m.value and "保持不变" in m.value for m in at.markdown)
    counts = metrics_of(at)
    assert (counts["新增数值"], counts["修改数值"], counts["改为未报"]) == ("2", "1", "0")
    revision = store.revision()
    at.button(key="upload_confirm").click().run()
    assert not at.exception
    assert len([s for s in at.success if "已导入" in s.value]) == 3
    assert store.revision() == revision + 1  # one transaction for the three files
    assert value_of(store, "酉庄村", "2024-04", "检查生产经营单位") == 20
    assert value_of(store, "杉林村", "2024-04", "检查生产经营单位") == 7
    assert value_of(store, "蛇形村", "2024-03", "检查生产经营单位") == 13
    assert value_of(store, "酉庄村", "2024-03", "检查生产经营单位") == 10  # untouched


def test_two_files_that_disagree_are_refused_with_both_cells(app_test, store, base, make_workbook):
    at = open_upload_page(app_test)
    one = make_workbook(safety([["酉庄村", "2024-03", 20, 3]]))
    two = make_workbook(safety([["酉庄村", "2024-03", 21, 3]]))
    at.file_uploader(key="upload_files_0").set_value(
        [("甲.xlsx", one, XLSX), ("乙.xlsx", two, XLSX)]
    ).run()
    assert not at.exception
    table = table_with(at, "单元格", "处理建议")
    assert len(table) == 1 and table.iloc[0]["单元格"] == "C2"
    assert "“甲.xlsx”的 安全生产!C2 为 20，“乙.xlsx”的 安全生产!C2 为 21" in table.iloc[0]["问题"]


def test_replace_is_chosen_explicitly_in_the_preview(app_test, store, base, make_workbook):
    at = open_upload_page(app_test)
    mine = make_workbook(safety([["酉庄村", "2024-03", 10, 3]]))
    at.file_uploader(key="upload_files_0").set_value(("以此为准.xlsx", mine, XLSX)).run()
    assert any("无需导入" in i.value for i in at.info)  # merged, it changes nothing
    at.radio(key="upload_mode").set_value("replace").run()
    assert metrics_of(at)["改为未报"] == "2"  # 蛇形村's two values
    assert any("以本表为准" in m.value for m in at.markdown)
    at.button(key="upload_confirm").click().run()
    assert not at.exception
    assert value_of(store, "蛇形村", "2024-03", "检查生产经营单位") is None
    assert value_of(store, "酉庄村", "2024-03", "检查生产经营单位") == 10


def test_revision_moved_before_confirm_previews_again(
    app_test, store, base, make_workbook, catalogue
) -> None:
    at = open_upload_page(app_test)
    mine = make_workbook(safety([["酉庄村", "2024-03", 31, 3]]))
    at.file_uploader(key="upload_files_0").set_value(("我的.xlsx", mine, XLSX)).run()
    assert metrics_of(at)["修改数值"] == "1"

    other = make_workbook(safety([["酉庄村", "2024-03", 30, 3], ["蛇形村", "2024-03", 99, 4]]))
    store.import_workbook(read_workbook(other, "别人的.xlsx", catalogue), "乙")
    revision = store.revision()

    at.button(key="upload_confirm").click().run()
    assert not at.exception
    assert any("预览之后数据已被他人更新" in w.value for w in at.warning)
    assert store.revision() == revision  # nothing stored
    # The new preview is against 别人的 data: 酉庄村 30 → 31, and 蛇形村 (not in my file)
    # keeps 别人的 figures.
    assert (metrics_of(at)["修改数值"], metrics_of(at)["改为未报"]) == ("1", "0")
    at.button(key="upload_confirm").click().run()
    assert any("已导入“我的.xlsx”" in s.value for s in at.success)
    assert store.history().iloc[0]["file_name"] == "我的.xlsx"


def test_byte_identical_reupload_needs_no_confirm(app_test, store, make_workbook, catalogue):
    data = make_workbook(safety([["酉庄村", "2024-03", 10, 3]]))
    store.import_workbook(read_workbook(data, "三月.xlsx", catalogue), "甲")
    at = open_upload_page(app_test)
    at.file_uploader(key="upload_files_0").set_value(("三月.xlsx", data, XLSX)).run()
    assert any("完全相同" in i.value for i in at.info)
    assert not [b for b in at.button if b.key == "upload_confirm"]


def test_when_editors_exist_an_upload_needs_a_login(
    app_test, store, base, make_workbook, monkeypatch
) -> None:
    monkeypatch.setattr(auth, "BCRYPT_ROUNDS", 4)
    auth.add_editor("张三", "correct-horse")
    at = open_upload_page(app_test)
    assert not at.file_uploader  # no upload without a sign-in
    assert any("需要编辑人员登录" in w.value for w in at.warning)
    assert at.get("download_button")  # the template stays available to everyone

    at.text_input(key="upload_login_name").input("张三")
    at.text_input(key="upload_login_password").input("wrong-horse")
    at.button(key="upload_login").click().run()
    assert any("姓名或密码不正确" in e.value for e in at.error)
    assert not at.file_uploader

    at.text_input(key="upload_login_password").input("correct-horse")
    at.button(key="upload_login").click().run()
    assert not at.exception
    assert any("已登录编辑人员：张三" in s.value for s in at.success)
    data = make_workbook(safety([["酉庄村", "2024-03", 11, 3]]))
    at.file_uploader(key="upload_files_0").set_value(("张三的.xlsx", data, XLSX)).run()
    at.button(key="upload_confirm").click().run()
    assert store.history().iloc[0]["created_by"] == "张三"


def test_editors_added_while_the_page_was_open_block_the_confirm(
    app_test, store, base, make_workbook, monkeypatch
) -> None:
    monkeypatch.setattr(auth, "BCRYPT_ROUNDS", 4)
    at = open_upload_page(app_test)
    data = make_workbook(safety([["酉庄村", "2024-03", 11, 3]]))
    at.file_uploader(key="upload_files_0").set_value(("晚了.xlsx", data, XLSX)).run()
    revision = store.revision()
    auth.add_editor("张三", "correct-horse")
    at.button(key="upload_confirm").click().run()
    assert not at.exception
    assert store.revision() == revision
    assert any("需要编辑人员登录" in w.value for w in at.warning)


def test_confirmed_upload_shows_on_the_contest_page(app_test, store, catalogue) -> None:
    """After confirm the other pages show the new values (the revision keys their caches)."""
    from tests.test_ranking import SCORES, contest_workbook

    store.import_workbook(read_workbook(contest_workbook(SCORES), "打擂.xlsx", catalogue), "甲")
    at = open_upload_page(app_test)
    at.switch_page("pages/9_dalei.py").run()
    assert at.dataframe[0].value.iloc[0]["村（社区）"] == "杨龙村"  # 90 before the correction
    at.switch_page(PAGE).run()
    march = dict(SCORES["2024-03"], 石牌村=[20, 24, 19, 19, 14])  # 74 → 96: now first
    corrected = {"2024-03": march}
    at.file_uploader(key="upload_files_0").set_value(
        ("三月打擂（更正）.xlsx", contest_workbook(corrected), XLSX)
    ).run()
    assert not at.exception and not at.error
    assert metrics_of(at)["修改数值"] == "6"  # five items and 总分 of 石牌村
    at.button(key="upload_confirm").click().run()
    assert any("已导入“三月打擂（更正）.xlsx”" in s.value for s in at.success)
    at.switch_page("pages/9_dalei.py").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert (table.iloc[0]["村（社区）"], table.iloc[0]["总分"]) == ("石牌村", "96.0")
    assert table.iloc[1]["村（社区）"] == "杨龙村"
