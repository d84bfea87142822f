"""`account` on the command line: roles in a single township's editors file, and in a county's
database (SQLite and PostgreSQL); `editor` keeps working for a single township."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from township_data import accounts, auth, cli, config
from township_data.catalogue import load_catalogues


@pytest.fixture(autouse=True)
def fast_bcrypt(monkeypatch) -> None:
    monkeypatch.setattr(auth, "BCRYPT_ROUNDS", 4)


def typed(monkeypatch, password: str = "correct-horse") -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))


def test_a_single_township_adds_a_village_reporter_to_its_file(
    data_dir: Path, monkeypatch, capsys
) -> None:
    typed(monkeypatch)
    args = ["account", "add", "李四", "--role", "village", "--village", "酉庄", "--data-dir"]
    assert cli.main([*args, str(data_dir)]) == cli.EXIT_OK
    out = capsys.readouterr().out
    assert "已添加账号“李四”：村级报送员（潭湾镇·酉庄村）" in out and "editors.json" in out
    (entry,) = json.loads((data_dir / "editors.json").read_text(encoding="utf-8"))["editors"]
    assert entry["role"] == "village" and entry["village"] == "酉庄村"
    assert "correct-horse" not in json.dumps(entry)

    typed(monkeypatch)
    assert cli.main(["editor", "add", "张三", "--data-dir", str(data_dir)]) == cli.EXIT_OK
    assert cli.main(["account", "list", "--data-dir", str(data_dir)]) == cli.EXIT_OK
    listed = capsys.readouterr().out
    assert "李四\t村级报送员\t潭湾镇·酉庄村" in listed
    assert "张三\t乡镇编辑人员\t潭湾镇" in listed

    typed(monkeypatch)
    county_admin = ["account", "add", "王五", "--role", "county", "--data-dir", str(data_dir)]
    assert cli.main(county_admin) == cli.EXIT_INVALID
    assert "只有一个镇的部署没有县级管理员" in capsys.readouterr().err
    assert cli.main(["account", "add", "王五", "--data-dir", str(data_dir)]) == cli.EXIT_USAGE
    assert cli.main(["account", "remove", "李四", "--data-dir", str(data_dir)]) == cli.EXIT_OK
    assert set(auth.load_editors(data_dir / "editors.json")) == {"张三"}


def test_a_county_keeps_its_accounts_in_the_database(
    database_url: str, county_catalogues: Path, monkeypatch, capsys
) -> None:
    typed(monkeypatch)
    assert cli.main(["account", "add", "潭编", "--role", "township", "--township", "tanwan"]) == 0
    assert "已添加账号“潭编”：乡镇编辑人员（潭湾镇）" in capsys.readouterr().out
    typed(monkeypatch)
    args = ["account", "add", "柳溪", "--role", "village", "--township", "shiqiao"]
    assert cli.main([*args, "--village", "柳溪村"]) == cli.EXIT_OK
    typed(monkeypatch)
    assert cli.main(["account", "add", "县管", "--role", "county"]) == cli.EXIT_OK
    capsys.readouterr()
    book = accounts.book(database_url, load_catalogues(), config.editors_path())
    found = book.load()
    assert {n: (a.role, a.township, a.village) for n, a in found.items()} == {
        "潭编": ("township", "tanwan", None),
        "柳溪": ("village", "shiqiao", "柳溪村"),
        "县管": ("county", None, None),
    }
    assert not config.editors_path().exists()  # nothing in any process's data folder

    assert cli.main(["account", "list"]) == cli.EXIT_OK
    listed = capsys.readouterr().out
    assert "数据库的账号表" in listed and "柳溪\t村级报送员\t石桥镇·柳溪村" in listed

    typed(monkeypatch)
    assert cli.main(["account", "add", "某", "--role", "township"]) == cli.EXIT_INVALID
    assert "乡镇编辑人员须用 --township 指明是哪个镇" in capsys.readouterr().err
    typed(monkeypatch)
    assert cli.main(["editor", "add", "老张"]) == cli.EXIT_INVALID
    err = capsys.readouterr().err
    assert "县级部署" in err and "account add 姓名 --role township --township 代号" in err
    assert cli.main(["account", "remove", "柳溪"]) == cli.EXIT_OK
    assert set(book.load()) == {"潭编", "县管"}
