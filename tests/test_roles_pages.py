"""Every role boundary through the pages, on SQLite and on PostgreSQL: a village reporter's
upload, a township editor in another township, a viewer, and viewing behind a login."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import build_workbook
from tests.test_county import store_both
from tests.test_store import safety as safety_rows
from township_data import accounts, auth, config, roles
from township_data.catalogue import load_catalogues
from township_data.store import Store
from township_data.workbook import read_workbook
from views import registry

UPLOAD, MANAGE, REPORT = "pages/10_shangchuan.py", "pages/11_guanli.py", "pages/12_zongjie.py"
EVENTS = "pages/14_dashiji.py"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PASSWORD = "correct-horse"
HEADER = ["村（社区）", "月份", "检查生产经营单位（家次）", "排查安全隐患（处）"]
PEOPLE = (
    ("县管", roles.COUNTY, None, None),
    ("潭编", roles.TOWNSHIP, "tanwan", None),
    ("李四", roles.VILLAGE, "tanwan", "酉庄村"),
    ("看看", roles.VIEWER, None, None),
)


@pytest.fixture(autouse=True)
def fast_bcrypt(monkeypatch) -> None:
    monkeypatch.setattr(auth, "BCRYPT_ROUNDS", 4)


@pytest.fixture
def county(database_url: str, county_catalogues: Path) -> str:
    """潭湾镇 and 石桥镇 with data, and one account of every role in the county's database."""
    store_both(database_url)
    catalogues = load_catalogues()
    # A correction in each township: restoring its first version then changes something.
    tanwan = Store(database_url, "tanwan", "潭湾镇")
    tanwan.import_workbook(
        read_workbook(safety_rows("2024-03", 12), "潭湾更正.xlsx", catalogues["tanwan"]), "潭湾"
    )
    shiqiao = Store(database_url, "shiqiao", "石桥镇")
    correction = build_workbook(
        {"安全生产": [["村（社区）", "月份", "检查生产经营单位"], ["柳溪村", "2024-01", 50]]}
    )
    shiqiao.import_workbook(
        read_workbook(correction, "石桥更正.xlsx", catalogues["shiqiao"]), "石桥"
    )
    book = accounts.book(database_url, catalogues, config.editors_path())
    for name, role, township, village in PEOPLE:
        book.save(accounts.make_account(name, PASSWORD, role, catalogues, township, village))
    return database_url


def sign_in(at, key: str, name: str, password: str = PASSWORD):
    at.text_input(key=f"{key}_login_name").input(name)
    at.text_input(key=f"{key}_login_password").input(password)
    at.button(key=f"{key}_login").click().run()
    assert not at.exception
    return at


def open_page(app_test, page: str):
    at = app_test("app.py").run()
    assert not at.exception
    at.switch_page(page).run()
    assert not at.exception
    return at


def safety(rows) -> bytes:
    return build_workbook({"安全生产": [HEADER, *rows]})


def problems_table(at):
    return next(d.value for d in at.dataframe if "单元格" in d.value.columns)


def checks_of(url: str, village: str, month: str = "2024-03") -> float | None:
    frame = Store(url, "tanwan", "潭湾镇").current(areas=["安全生产"])
    hit = frame[
        (frame["village"] == village)
        & (frame["month"] == month)
        & (frame["indicator"] == "检查生产经营单位")
    ]
    return None if hit.empty else float(hit["value"].iloc[0])


def test_a_village_reporters_upload_holding_another_village_is_refused_naming_the_row(
    app_test, county: str
) -> None:
    at = open_page(app_test, UPLOAD)
    assert not at.file_uploader
    sign_in(at, "upload", "李四")
    assert any("已登录：李四（村级报送员·潭湾镇·酉庄村）" in s.value for s in at.success)
    assert any("只能上传“酉庄村”的行" in i.value for i in at.info)
    revision = Store(county, "tanwan", "潭湾镇").revision()

    mixed = safety([["酉庄村", "2024-03", 20, 1], ["蛇形村", "2024-03", 30, 2]])
    at.file_uploader(key="upload_files_0").set_value(("酉庄村3月.xlsx", mixed, XLSX)).run()
    assert not at.exception
    table = problems_table(at)
    assert table[["文件", "工作表", "单元格"]].values.tolist() == [
        ["酉庄村3月.xlsx", "安全生产", "C3"]
    ]
    assert table["问题"].iloc[0].startswith("第 3 行是“蛇形村”2024年3月的数据")
    assert not [b for b in at.button if b.key == "upload_confirm"]
    assert Store(county, "tanwan", "潭湾镇").revision() == revision

    own = safety([["酉庄村", "2024-03", 20, 1]])
    at.file_uploader(key="upload_files_0").set_value(("酉庄村.xlsx", own, XLSX)).run()
    assert not at.exception and not at.error
    assert not [r for r in at.radio if r.key == "upload_mode"]  # no "以本表为准" for a village
    at.button(key="upload_confirm").click().run()
    assert not at.exception
    store = Store(county, "tanwan", "潭湾镇")
    assert store.history().iloc[0]["created_by"] == "李四（村级报送员·酉庄村）"
    assert checks_of(county, "酉庄村") == 20
    assert checks_of(county, "蛇形村") == 13  # another village's value, untouched


def test_a_township_editor_cannot_import_into_or_restore_another_township(
    app_test, county: str
) -> None:
    at = open_page(app_test, UPLOAD)
    sign_in(at, "upload", "潭编")
    assert any("已登录：潭编（乡镇编辑人员·潭湾镇）" in s.value for s in at.success)
    assert at.file_uploader  # their own township

    at.selectbox(key="township_choice").set_value("shiqiao").run()
    assert not at.exception
    assert not at.file_uploader
    assert any(
        "乡镇编辑人员（潭编）只能修改潭湾镇的数据，不能上传数据到石桥镇" in w.value
        for w in at.warning
    )

    at.switch_page(MANAGE).run()
    assert at.selectbox(key="township_choice").value == "shiqiao"
    first = int(Store(county, "shiqiao", "石桥镇").history()["id"].min())
    at.selectbox(key="manage_version").set_value(first).run()
    assert not at.exception
    assert not [b for b in at.button if b.key == "restore_confirm"]
    assert any("不能恢复版本到石桥镇" in w.value for w in at.warning)

    at.selectbox(key="township_choice").set_value("tanwan").run()
    at.switch_page(UPLOAD).run()
    assert at.file_uploader  # back in their own township


def test_a_viewer_cannot_reach_upload_restore_the_report_texts_or_the_events(
    app_test, county: str
) -> None:
    at = open_page(app_test, UPLOAD)
    sign_in(at, "upload", "看看")
    assert not at.file_uploader
    assert any("浏览人员账号（看看）只能查看数据，不能上传数据" in w.value for w in at.warning)

    at.switch_page(MANAGE).run()
    first = int(Store(county, "tanwan", "潭湾镇").history()["id"].min())
    at.selectbox(key="manage_version").set_value(first).run()
    assert not [b for b in at.button if b.key == "restore_confirm"]
    assert any("不能恢复版本" in w.value for w in at.warning)

    at.switch_page(REPORT).run()
    assert not at.exception
    assert not at.text_area  # the free-text form is not drawn
    assert any("不能填写工作总结文字" in w.value for w in at.warning)

    at.switch_page(EVENTS).run()
    assert not at.exception
    assert not [w for w in at.text_input if w.key == "ev_title"]  # the add form is not drawn
    assert any("只能查看数据，不能记录大事记" in w.value for w in at.warning)


def test_a_county_admin_restores_in_any_township(app_test, county: str) -> None:
    at = open_page(app_test, MANAGE)
    at.selectbox(key="township_choice").set_value("shiqiao").run()
    store = Store(county, "shiqiao", "石桥镇")
    first = int(store.history()["id"].min())
    at.selectbox(key="manage_version").set_value(first).run()
    sign_in(at, "restore", "县管")
    at.button(key="restore_confirm").click().run()
    assert not at.exception
    assert store.history().iloc[0]["created_by"] == "县管（县级管理员）"


# ------------------------------------------------------------------ viewing behind a login


DATA_ELEMENTS = ("dataframe", "metric", "plotly_chart", "table", "download_button")


def shows_data(at) -> list[str]:
    """Every kind of element that carries data, found on the page (the sidebar included)."""
    found = [kind for kind in DATA_ELEMENTS if at.get(kind)]
    words = [m.value for m in (*at.markdown, *at.caption, *at.sidebar.markdown)]
    found += [w for w in words if "潭湾镇" in w or "数据截至" in w or "第 " in w]
    return found


def test_with_viewing_login_on_no_page_shows_data_before_a_sign_in(
    app_test, county: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TOWNSHIP_LOGIN_TO_VIEW", "1")
    at = app_test("app.py").run()
    assert not at.exception
    for page in registry.PAGES:
        at.switch_page(page.path).run()
        assert not at.exception, page.path
        assert [t.value for t in at.title] == ["乡镇工作数据看板"], page.path
        assert any("需要登录后才能查看" in i.value for i in at.info), page.path
        assert shows_data(at) == [], page.path
        assert not at.selectbox  # not even the township chooser

    at.switch_page("app.py").run()
    sign_in(at, "view", "看看", "wrong-horse")
    assert any("姓名或密码不正确" in e.value for e in at.error)
    assert shows_data(at) == []
    sign_in(at, "view", "看看")
    assert at.title[0].value == "潭湾镇工作数据看板"
    assert at.metric  # the overview's figures
    assert any("已登录：看看（浏览人员·全县）" in c.value for c in at.sidebar.caption)
    at.switch_page("pages/3_anquan.py").run()
    assert not at.exception and at.get("plotly_chart")
    at.button(key="sidebar_logout").click().run()
    assert [t.value for t in at.title] == ["乡镇工作数据看板"] and shows_data(at) == []


def test_viewing_login_without_any_account_shows_nothing(
    app_test, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TOWNSHIP_LOGIN_TO_VIEW", "1")
    at = app_test("app.py").run()
    assert not at.exception
    assert any("还没有任何账号" in e.value for e in at.error)
    assert shows_data(at) == [] and not at.text_input
