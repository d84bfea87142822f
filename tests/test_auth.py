"""Editors: bcrypt hashes only, sign-in, throttling, and the gate every change passes."""

from __future__ import annotations

import json

import pytest

from township_data import auth, config
from township_data.errors import AuthError


@pytest.fixture(autouse=True)
def fast_bcrypt(monkeypatch) -> None:
    """Cost 4 keeps the tests quick; the app uses 12."""
    monkeypatch.setattr(auth, "BCRYPT_ROUNDS", 4)


def test_the_editors_file_holds_no_plain_text_password(data_dir) -> None:
    password = "潭湾镇2024安全"
    assert auth.add_editor("张三", password) is True
    path = config.editors_path()
    assert path == data_dir / "editors.json"
    text = path.read_text(encoding="utf-8")
    assert password not in text and "2024安全" not in text
    stored = json.loads(text)["editors"][0]
    assert stored["name"] == "张三" and stored["bcrypt"].startswith("$2b$")
    assert auth.check_password(password, stored["bcrypt"])
    assert not auth.check_password("潭湾镇2024安全!", stored["bcrypt"])
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_add_again_changes_the_password(data_dir) -> None:
    auth.add_editor("张三", "first-password")
    assert auth.add_editor("张三", "second-password") is False
    editor = auth.load_editors()["张三"]
    assert auth.check_password("second-password", editor.password_hash)
    assert not auth.check_password("first-password", editor.password_hash)


@pytest.mark.parametrize(
    ("password", "message"),
    [("short", "至少 8 个字符"), ("很长" * 13, "密码太长"), (" padded-password", "首尾不能有空格")],
)
def test_weak_or_unusable_passwords_are_refused(data_dir, password, message) -> None:
    with pytest.raises(AuthError) as caught:
        auth.add_editor("张三", password)
    assert message in str(caught.value)
    assert not config.editors_path().exists()


def test_login_and_wrong_password(data_dir) -> None:
    auth.add_editor("张三", "correct-horse")
    throttle = auth.LoginThrottle()
    assert auth.login(" 张三 ", "correct-horse", throttle) == "张三"
    for name, password in (("张三", "wrong-horse"), ("李四", "correct-horse")):
        with pytest.raises(AuthError) as caught:
            auth.login(name, password, throttle)
        assert "姓名或密码不正确" in str(caught.value)


def test_repeated_failures_pause_that_name(data_dir) -> None:
    auth.add_editor("张三", "correct-horse")
    now = [1000.0]
    throttle = auth.LoginThrottle(max_failures=3, lockout_seconds=300, clock=lambda: now[0])
    for _ in range(3):
        with pytest.raises(AuthError):
            auth.login("张三", "guess-guess", throttle)
    with pytest.raises(AuthError) as caught:
        auth.login("张三", "correct-horse", throttle)  # even the right password waits
    assert "5 分钟后再试" in str(caught.value)
    now[0] += 301
    assert auth.login("张三", "correct-horse", throttle) == "张三"


def test_a_broken_editors_file_fails_closed(data_dir) -> None:
    path = config.editors_path()
    path.parent.mkdir(parents=True)
    for text in ("{not json", '{"editors": [{"name": "张三", "bcrypt": "plain-password"}]}'):
        path.write_text(text, encoding="utf-8")
        with pytest.raises(AuthError) as caught:
            auth.load_editors()
        assert "任何人都不能上传或恢复数据" in str(caught.value)


def test_remove_editor_back_to_single_user(data_dir) -> None:
    auth.add_editor("张三", "correct-horse")
    auth.remove_editor("张三")
    assert auth.load_editors() == {}
    with pytest.raises(AuthError):
        auth.remove_editor("张三")


def test_editors_file_can_be_set_by_environment(tmp_path, monkeypatch) -> None:
    target = tmp_path / "secure" / "editors.json"
    monkeypatch.setenv("TOWNSHIP_EDITORS_FILE", str(target))
    assert config.editors_path() == target
    auth.add_editor("张三", "correct-horse")
    assert target.exists()
