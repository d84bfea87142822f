"""Roles: who may change which township, the rows a village reporter may send, where a county
keeps its accounts, and sign-ins that survive a refresh — on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import build_workbook
from township_data import accounts, auth, config, roles, sessions
from township_data.catalogue import load_catalogues
from township_data.errors import AuthError
from township_data.roles import Account
from township_data.store import Store, login_sessions
from township_data.workbook import read_workbook

NAMES = {"tanwan": "潭湾镇", "shiqiao": "石桥镇"}
HEADER = ["村（社区）", "月份", "检查生产经营单位", "排查安全隐患", "专项隐患排查整治"]


@pytest.fixture(autouse=True)
def fast_bcrypt(monkeypatch) -> None:
    monkeypatch.setattr(auth, "BCRYPT_ROUNDS", 4)


def account(role: str, township: str | None = "tanwan", village: str | None = None) -> Account:
    return Account("张三", "$2b$04$hash", "", role, township, village)


ADMIN = account(roles.COUNTY, None)
EDITOR = account(roles.TOWNSHIP)
REPORTER = account(roles.VILLAGE, village="酉庄村")
VIEWER = account(roles.VIEWER, None)


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        (ADMIN, {(a, t) for a in roles.ACTIONS for t in NAMES}),
        (EDITOR, {(a, "tanwan") for a in roles.ACTIONS}),
        (REPORTER, {(roles.IMPORT, "tanwan")}),
        (VIEWER, set()),
    ],
    ids=["county", "township", "village", "viewer"],
)
def test_every_role_may_do_exactly_its_own_changes(who: Account, allowed: set) -> None:
    assert set(roles.ACTIONS) == {roles.IMPORT, roles.RESTORE, roles.TEXTS, roles.EVENTS}
    for action in roles.ACTIONS:
        for township in NAMES:
            if (action, township) in allowed:
                assert roles.authorise(who, True, action, township, NAMES) == who.label
            else:
                with pytest.raises(AuthError) as caught:
                    roles.authorise(who, True, action, township, NAMES)
                assert caught.value.title == "没有权限"


def test_refusals_say_why_in_chinese() -> None:
    assert roles.refusal(EDITOR, roles.IMPORT, "shiqiao", NAMES) == (
        "乡镇编辑人员（张三）只能修改潭湾镇的数据，不能上传数据到石桥镇"
    )
    assert roles.refusal(EDITOR, roles.RESTORE, "shiqiao", NAMES).endswith("不能恢复版本到石桥镇")
    assert roles.refusal(REPORTER, roles.RESTORE, "tanwan", NAMES) == (
        "村级报送员（张三）不能恢复版本，请联系乡镇编辑人员"
    )
    assert roles.refusal(VIEWER, roles.IMPORT, "tanwan", NAMES) == (
        "浏览人员账号（张三）只能查看数据，不能上传数据"
    )


def test_nobody_signed_in_or_no_account_at_all() -> None:
    assert roles.authorise(None, False, roles.RESTORE, "tanwan") == config.SINGLE_USER
    with pytest.raises(AuthError) as caught:
        roles.authorise(None, True, roles.IMPORT, "tanwan")
    assert "修改数据需要登录" in str(caught.value)


def test_the_recorded_name_carries_the_role() -> None:
    assert REPORTER.label == "张三（村级报送员·酉庄村）"
    assert EDITOR.label == "张三（乡镇编辑人员）"
    assert ADMIN.label == "张三（县级管理员）"
    assert len(Account("名" * 50, "$2b$", role=roles.VILLAGE, village="村" * 60).label) == 100


# ------------------------------------------------------------------ the rows a village may send


def reporter_file(catalogue, rows, name: str = "酉庄村3月.xlsx", sheet: str = "安全生产"):
    header = HEADER if sheet == "安全生产" else rows.pop(0)
    return read_workbook(build_workbook({sheet: [header, *rows]}), name, catalogue)


def test_a_village_reporter_may_send_only_their_own_rows(catalogue) -> None:
    parsed = reporter_file(
        catalogue,
        [
            ["酉庄村", "2024-03", 10, 3],
            ["蛇形村", "2024-03", 12, None],  # row 3: another village
            ["杉林村", "2024-03", None, None],  # an empty row of the template: not sent
            ["全镇", "2024-04", None, None, 2],  # row 5: the township's own row
        ],
    )
    problems = roles.village_row_problems(REPORTER, [parsed], catalogue)
    assert [(p.file, p.sheet, p.cell) for p in problems] == [
        ("酉庄村3月.xlsx", "安全生产", "C3"),
        ("酉庄村3月.xlsx", "安全生产", "E5"),
    ]
    assert problems[0].message == (
        "第 3 行是“蛇形村”2024年3月的数据：村级报送员只能报送本村（社区）“酉庄村”的行"
    )
    assert "“全镇”2024年4月" in problems[1].message
    assert "只保留“酉庄村”的行" in problems[0].hint
    own = reporter_file(catalogue, [["酉庄村", "2024-03", 10, 3], ["酉庄村", "2024-04", 9, 1]])
    assert roles.village_row_problems(REPORTER, [own], catalogue) == []  # their months, all
    assert "以本表为准" in roles.village_row_problems(REPORTER, [own], catalogue, True)[0].message
    assert roles.village_row_problems(EDITOR, [parsed], catalogue, True) == []


def test_a_village_reporter_sends_no_contest_scores(catalogue) -> None:
    header = ["村（社区）", "月份", "农村改厕", "垃圾治理", "污水治理", "村容村貌", "长效管护"]
    parsed = reporter_file(
        catalogue, [header, ["酉庄村", "2024-03", 18, 18, 18, 18, 12]], sheet="人居环境打擂"
    )
    (problem,) = roles.village_row_problems(REPORTER, [parsed], catalogue)
    assert problem.cell == "C2" and "打擂评分：评分由镇里评定" in problem.message


def test_a_village_reporter_sends_no_events(catalogue) -> None:
    """大事记 are the township's record: a reporter's workbook carrying them is refused, by sheet."""
    book = build_workbook(
        {
            "安全生产": [HEADER, ["酉庄村", "2024-03", 10, 3]],
            "大事记": [
                ["日期", "领域", "村（社区）", "类别", "事件"],
                ["2024-03-12", "安全生产", "酉庄村", "专项整治", "酉庄村开展燃气安全专项整治"],
            ],
        }
    )
    parsed = read_workbook(book, "酉庄村3月.xlsx", catalogue)
    assert len(parsed.events) == 1
    (problem,) = roles.village_row_problems(REPORTER, [parsed], catalogue)
    assert (problem.file, problem.sheet) == ("酉庄村3月.xlsx", "大事记")
    assert (
        problem.message == "工作簿中有 1 条大事记：大事记由镇里记录，村级报送员（酉庄村）不能上传"
    )
    assert roles.village_row_problems(EDITOR, [parsed], catalogue) == []


# ------------------------------------------------------------------ where accounts live


def test_a_single_township_keeps_roles_in_its_editors_file(data_dir: Path, catalogue) -> None:
    catalogues = {catalogue.township_key: catalogue}
    book = accounts.book(config.database_url(data_dir), catalogues, config.editors_path())
    assert not book.county
    made = accounts.make_account("李四", "correct-horse", roles.VILLAGE, catalogues, None, "酉庄")
    assert made.village == "酉庄村" and made.township is None  # the alias resolved
    assert book.save(made) is True
    auth.add_editor("张三", "correct-horse")  # the editor command, as before roles
    stored = json.loads(config.editors_path().read_text(encoding="utf-8"))["editors"]
    assert [e.get("role") for e in stored] == ["village", None]
    found = book.load()
    assert found["李四"].role == roles.VILLAGE and found["张三"].role == roles.TOWNSHIP
    with pytest.raises(AuthError) as caught:
        accounts.make_account("王五", "correct-horse", roles.COUNTY, catalogues)
    assert "只有一个镇的部署没有县级管理员" in str(caught.value)
    with pytest.raises(AuthError) as caught:
        accounts.make_account("王五", "correct-horse", roles.VILLAGE, catalogues, None, "酉山村")
    assert "“酉山村”不是潭湾镇的村（社区）" in str(caught.value)


def test_a_county_keeps_one_list_in_its_database(database_url: str, county_catalogues) -> None:
    catalogues = load_catalogues()
    book = accounts.book(database_url, catalogues, config.editors_path())
    assert book.county and book.load() == {}
    for name, role, township, village in (
        ("县管", roles.COUNTY, None, None),
        ("潭编", roles.TOWNSHIP, "tanwan", None),
        ("柳溪", roles.VILLAGE, "shiqiao", "柳溪村"),
        ("看看", roles.VIEWER, None, None),
    ):
        book.save(accounts.make_account(name, "correct-horse", role, catalogues, township, village))
    assert (
        book.save(
            accounts.make_account("潭编", "new-password", roles.TOWNSHIP, catalogues, "tanwan")
        )
        is False
    )
    # Another process (another engine on the same database) reads the same list.
    engine = sa.create_engine(database_url)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT name, role, township, village FROM accounts ORDER BY name")
        ).all()
    engine.dispose()
    assert sorted(rows) == sorted(
        [
            ("县管", "county", None, None),
            ("潭编", "township", "tanwan", None),
            ("柳溪", "village", "shiqiao", "柳溪村"),
            ("看看", "viewer", None, None),
        ]
    )
    found = book.load()
    assert auth.check_password("new-password", found["潭编"].password_hash)
    assert found["柳溪"].may(roles.IMPORT, "shiqiao") and not found["柳溪"].may(
        roles.IMPORT, "tanwan"
    )
    for role, township, village, message in (
        (roles.TOWNSHIP, None, None, "须用 --township 指明是哪个镇"),
        (roles.VILLAGE, "shiqiao", "酉庄村", "“酉庄村”不是石桥镇的村（社区）"),
        (roles.COUNTY, "tanwan", None, "县级管理员管理全县各镇"),
        (roles.TOWNSHIP, "baishi", None, "没有代号为“baishi”的镇"),
    ):
        with pytest.raises(AuthError) as caught:
            accounts.make_account("某", "correct-horse", role, catalogues, township, village)
        assert message in str(caught.value)
    book.remove("看看")
    assert "看看" not in book.load()
    with pytest.raises(AuthError):
        book.remove("看看")


def test_a_county_with_only_an_old_editors_file_fails_closed(
    database_url: str, county_catalogues
) -> None:
    """Before roles every editor could change every township: not silently kept, not opened
    to everyone either."""
    auth.add_editor("老编辑", "correct-horse")
    book = accounts.book(database_url, load_catalogues(), config.editors_path())
    with pytest.raises(AuthError) as caught:
        book.load()
    assert "任何人都不能修改数据" in str(caught.value)


# ------------------------------------------------------------------ sign-ins across refreshes


def test_a_sign_in_lasts_a_working_day_and_ends_with_its_account(
    database_url: str, catalogue
) -> None:
    Store(database_url, catalogue.township_key, catalogue.township_name)  # the schema
    editor = auth.new_account("张三", "correct-horse")
    known = {"张三": editor}
    start = dt.datetime(2024, 3, 1, 0, 30)
    token, ends = sessions.start(database_url, editor, now=start)
    assert ends == start + dt.timedelta(hours=config.LOGIN_SESSION_HOURS)
    assert len(token) >= 43
    engine = sa.create_engine(database_url)
    with engine.connect() as conn:
        (stored,) = conn.execute(sa.select(login_sessions.c.token_hash)).scalars().all()
    engine.dispose()
    assert stored != token and token not in stored  # only a hash is kept
    later = start + dt.timedelta(hours=11)
    assert sessions.resume(database_url, token, known, now=later) == editor
    assert sessions.resume(database_url, token + "x", known, now=later) is None
    assert sessions.resume(database_url, token, known, now=ends) is None  # the day is over
    renewed = {"张三": auth.new_account("张三", "another-horse")}  # a new password
    assert sessions.resume(database_url, token, renewed, now=later) is None
    assert sessions.resume(database_url, token, {}, now=later) is None  # account removed
    sessions.end(database_url, token)
    assert sessions.resume(database_url, token, known, now=later) is None
    # Ended sign-ins are cleared by the next sign-in.
    sessions.start(database_url, editor, now=start - dt.timedelta(days=2))
    sessions.start(database_url, editor, now=start)
    engine = sa.create_engine(database_url)
    with engine.connect() as conn:
        left = conn.execute(sa.select(sa.func.count()).select_from(login_sessions)).scalar_one()
    engine.dispose()
    assert left == 1
