"""The command line as scripts use it: `python -m township_data …` in a real subprocess."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from tests.conftest import ROOT
from tests.readback import read_back_csv, read_back_xlsx
from tests.test_ranking import SCORES, contest_workbook
from township_data import auth, cli, ranking
from township_data.cli import main
from township_data.workbook import read_workbook


def run(*args: str, data_dir: Path | None) -> subprocess.CompletedProcess[str]:
    """The command in a subprocess: on `data_dir`'s SQLite file, or with None on the store that
    TOWNSHIP_DATABASE_URL names (the database_url fixture: SQLite, then PostgreSQL)."""
    extra = ["--data-dir", str(data_dir)] if data_dir else []
    return subprocess.run(
        [sys.executable, "-m", "township_data", *args, *extra],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def fill(template: Path, out: Path, checks: int, hazards: int) -> None:
    book = load_workbook(template)
    ws = book["安全生产"]
    ws["D4"] = checks  # 酉庄村 检查生产经营单位
    ws["F5"] = hazards  # 蛇形村 排查安全隐患
    ws["C20"] = 3  # 全镇 专项隐患排查整治
    book.save(out)


def test_template_fill_import_export_replace_history_restore(
    tmp_path: Path, database_url: str
) -> None:
    data = None  # the database_url store
    template = tmp_path / "模板.xlsx"
    done = run("template", "--out", str(template), "--month", "2024-03", data_dir=data)
    assert done.returncode == 0 and "2024年3月" in done.stdout
    first, second = tmp_path / "三月.xlsx", tmp_path / "三月更正.xlsx"
    fill(template, first, checks=12, hazards=5)
    fill(template, second, checks=15, hazards=5)

    done = run("import", str(first), data_dir=data)
    assert done.returncode == 0, done.stderr
    assert "版本 1" in done.stdout and "新增 3 项" in done.stdout

    out = tmp_path / "安全生产.csv"
    done = run("export", "--area", "安全生产", "--out", str(out), data_dir=data)
    assert done.returncode == 0, done.stderr
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    table = pd.read_csv(out, encoding="utf-8-sig").set_index("村（社区）")
    assert table.loc["酉庄村", "检查生产经营单位（家次）"] == "12"
    assert table.loc["蛇形村", "排查安全隐患（处）"] == "5"
    assert table.loc["镇本级", "专项隐患排查整治（次）"] == "3"
    assert table.loc["杉林村", "检查生产经营单位（家次）"] == "未报"
    assert table.loc["杉林村", "专项隐患排查整治（次）"] == "—"  # town-level: not a village's cell

    assert run("import", str(second), data_dir=data).returncode == 0
    xlsx = tmp_path / "安全生产.xlsx"
    assert (
        run(
            "export",
            "--area",
            "安全生产",
            "--from",
            "2024-03",
            "--to",
            "2024-03",
            "--out",
            str(xlsx),
            data_dir=data,
        ).returncode
        == 0
    )
    sheet = load_workbook(xlsx)["安全生产"]
    assert sheet["A1"].value == "潭湾镇2024年3月安全生产工作数据"
    frame = pd.read_excel(io.BytesIO(xlsx.read_bytes()), header=1, engine="calamine").set_index(
        "村（社区）"
    )
    assert frame.loc["酉庄村", "检查生产经营单位（家次）"] == 15

    history = run("history", data_dir=data)
    assert history.returncode == 0
    lines = history.stdout.strip().splitlines()
    assert lines[0].startswith("版本") and len(lines) == 3
    assert "三月更正.xlsx" in lines[1] and "三月.xlsx" in lines[2]

    restored = run("restore", "1", data_dir=data)
    assert restored.returncode == 0 and "已恢复版本 1" in restored.stdout
    run("export", "--area", "安全生产", "--out", str(out), data_dir=data)
    table = pd.read_csv(out, encoding="utf-8-sig").set_index("村（社区）")
    assert table.loc["酉庄村", "检查生产经营单位（家次）"] == "12"

    again = run("import", str(first), data_dir=data)
    assert again.returncode == 0 and "完全相同" in again.stdout


def test_invalid_workbook_exit_1_with_chinese_problems_and_nothing_stored(
    tmp_path: Path, database_url: str
) -> None:
    data = None  # the database_url store
    template = tmp_path / "t.xlsx"
    run("template", "--out", str(template), data_dir=data)
    book = load_workbook(template)
    book["安全生产"]["D4"] = "十二"
    book["安全生产"]["D5"] = -1
    book.save(template)
    done = run("import", str(template), "--month", "2024-03", data_dir=data)
    assert done.returncode == 1
    assert (
        "安全生产!D4" in done.stderr
        and "安全生产!D5" in done.stderr
        and "没有导入任何数据" in done.stderr
    )
    assert "Traceback" not in done.stderr
    assert "还没有任何导入记录" in run("history", data_dir=data).stdout


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    done = run("export", "--area", "安全生产", data_dir=tmp_path)
    assert done.returncode == 2 and "缺少必需的参数" in done.stderr
    done = run(
        "template", "--out", str(tmp_path / "x.xlsx"), "--month", "2024-13", data_dir=tmp_path
    )
    assert done.returncode == 2 and "不在有效范围内" in done.stderr
    assert not (tmp_path / "x.xlsx").exists()


def test_missing_file_and_unknown_version_exit_1(tmp_path: Path) -> None:
    done = run("import", str(tmp_path / "无此文件.xlsx"), data_dir=tmp_path)
    assert done.returncode == 1 and "无法读取文件" in done.stderr
    done = run("restore", "7", data_dir=tmp_path)
    assert done.returncode == 1 and "版本 7 不存在" in done.stderr
    done = run("export", "--area", "安全生产", "--out", str(tmp_path / "x.csv"), data_dir=tmp_path)
    assert done.returncode == 1 and "还没有任何数据" in done.stderr


def test_sample_command_writes_24_months_and_a_corrected_one(tmp_path: Path) -> None:
    done = run("sample", "--out", str(tmp_path / "s"), data_dir=tmp_path)
    assert done.returncode == 0
    assert len(list((tmp_path / "s").glob("*.xlsx"))) == 25


# ------------------------------------------------------------------ rank (人居环境打擂)


def stored(store, catalogue) -> None:
    store.import_workbook(read_workbook(contest_workbook(SCORES), "打擂.xlsx", catalogue), "测试")


def test_rank_month_writes_the_ranked_xlsx(store, catalogue, data_dir, tmp_path) -> None:
    stored(store, catalogue)
    out = tmp_path / "排名.xlsx"
    done = run("rank", "--month", "2024-03", "--out", str(out), data_dir=data_dir)
    assert done.returncode == 0, done.stderr
    assert "已导出潭湾镇2024年3月人居环境打擂排名" in done.stdout
    assert "红榜：杨龙村、蛇形村、酉庄村" in done.stdout
    assert "未报（不参加排名）：青石村" in done.stdout
    back = read_back_xlsx(out.read_bytes(), rows=16)
    assert list(back.columns) == ranking.columns(catalogue)
    assert back["村（社区）"].tolist()[:6] == [
        "杨龙村",
        "蛇形村",
        "酉庄村",
        "杉林村",
        "潭湾社区",
        "石牌村",
    ]
    assert back["排名"].tolist()[:6] == [1, 2, 3, 4, 5, 6]
    assert back["榜单"].fillna("").tolist()[:6] == ["红榜"] * 3 + ["黑榜"] * 3
    assert back["较上期名次变化"].tolist()[4] == -1


def test_rank_quarter_csv_with_top_and_bottom(store, catalogue, data_dir, tmp_path) -> None:
    stored(store, catalogue)
    out = tmp_path / "季度.csv"
    args = ["rank", "--quarter", "2024Q1", "--top", "2", "--bottom", "1", "--out", str(out)]
    assert main([*args, "--data-dir", str(data_dir)]) == 0
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    back = read_back_csv(data)
    scores = ranking.score_table(store.current(), catalogue)
    expected = ranking.rank_quarter(scores, catalogue, "2024Q1", 2, 1)
    pd.testing.assert_frame_equal(
        ranking.display_table(back, 2), ranking.display_table(expected.table, 2)
    )
    assert back["榜单"].fillna("").tolist()[:6] == ["红榜", "红榜", "", "", "", "黑榜"]
    # Plain names, every one a catalogue village; the count in its own column.
    assert set(back["村（社区）"]) <= set(catalogue.village_names)
    assert back.set_index("村（社区）").loc["杉林村", "评分月数"] == 2


def test_rank_invalid_input_exits_1_in_chinese(
    store, catalogue, data_dir, tmp_path, capsys
) -> None:
    stored(store, catalogue)
    out = tmp_path / "x.xlsx"
    code = main(["rank", "--month", "2025-01", "--out", str(out), "--data-dir", str(data_dir)])
    assert code == 1 and not out.exists()
    assert "2025年1月没有打擂评分数据" in capsys.readouterr().err
    code = main(
        [
            "rank",
            "--month",
            "2024-01",
            "--top",
            "40",
            "--out",
            str(out),
            "--data-dir",
            str(data_dir),
        ]
    )
    assert code == 1 and "红榜人数应为 1 到 16 之间的整数" in capsys.readouterr().err


def test_rank_bad_usage_exits_2(data_dir, tmp_path, capsys) -> None:
    out = str(tmp_path / "x.xlsx")
    for argv, message in (
        (["rank", "--out", out], "以下参数必须给出一个"),
        (
            ["rank", "--month", "2024-01", "--quarter", "2024Q1", "--out", out],
            "不能与以下参数同时使用",
        ),
        (["rank", "--quarter", "2024Q5", "--out", out], "无法识别的季度"),
        (["rank", "--month", "2024-01", "--top", "0", "--out", out], "应为正整数"),
        (
            ["rank", "--month", "2024-01", "--out", str(tmp_path / "x.txt")],
            ".xlsx、.csv、.png、.docx、.html",
        ),
    ):
        with pytest.raises(SystemExit) as caught:
            main([*argv, "--data-dir", str(data_dir)])
        assert caught.value.code == 2, argv
        assert message in capsys.readouterr().err


# ------------------------------------------------------------------ editor
# The password comes from a prompt or stdin, never an argument.


@pytest.fixture
def fast_bcrypt(monkeypatch) -> None:
    monkeypatch.setattr(auth, "BCRYPT_ROUNDS", 4)


def test_editor_add_reads_the_password_from_stdin(
    data_dir, monkeypatch, capsys, fast_bcrypt
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("管道里的密码-123\n"))
    assert cli.main(["editor", "add", "张三", "--data-dir", str(data_dir)]) == cli.EXIT_OK
    assert "已添加编辑人员“张三”" in capsys.readouterr().out
    text = (data_dir / "editors.json").read_text(encoding="utf-8")
    assert "管道里的密码-123" not in text
    editor = json.loads(text)["editors"][0]
    assert auth.check_password("管道里的密码-123", editor["bcrypt"])

    assert cli.main(["editor", "list", "--data-dir", str(data_dir)]) == cli.EXIT_OK
    assert "张三" in capsys.readouterr().out
    assert cli.main(["editor", "remove", "张三", "--data-dir", str(data_dir)]) == cli.EXIT_OK
    assert "单用户模式" in capsys.readouterr().out


def test_editor_add_from_a_terminal_asks_twice(data_dir, monkeypatch, capsys, fast_bcrypt) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    typed = iter(["first-password", "other-password"])
    monkeypatch.setattr("sys.stdin", Terminal())
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(typed))
    assert cli.main(["editor", "add", "张三", "--data-dir", str(data_dir)]) == cli.EXIT_INVALID
    assert "两次输入的密码不一致" in capsys.readouterr().err
    assert not (data_dir / "editors.json").exists()


def test_editor_usage_errors(data_dir, monkeypatch, capsys, fast_bcrypt) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert cli.main(["editor", "add", "张三", "--data-dir", str(data_dir)]) == cli.EXIT_INVALID
    assert "密码至少 8 个字符" in capsys.readouterr().err
    assert cli.main(["editor", "add", "--data-dir", str(data_dir)]) == cli.EXIT_USAGE
    with pytest.raises(SystemExit) as caught:
        cli.main(["editor", "add", "张三", "password-as-argument"])
    assert caught.value.code == cli.EXIT_USAGE


def test_a_county_names_the_township_on_the_command_line(
    tmp_path: Path, county_catalogues: Path
) -> None:
    out = tmp_path / "石桥模板.xlsx"
    done = run("template", "--out", str(out), "--township", "shiqiao", data_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    sheet = load_workbook(out)["安全生产"]
    assert [sheet.cell(row, 1).value for row in range(4, 10)] == [
        "石桥社区",
        "柳溪村",
        "马鞍村",
        "双河村",
        "红岩村",
        "大坪村",
    ]
    done = run("history", data_dir=tmp_path)
    assert done.returncode == 1 and "有 2 个镇，请指定是哪个镇" in done.stderr
    assert "--township" in done.stderr and "Traceback" not in done.stderr


def test_rank_writes_the_long_image_bulletins_and_snapshot(
    store, catalogue, data_dir, tmp_path
) -> None:
    import io as _io

    from docx import Document
    from PIL import Image

    stored(store, catalogue)
    image = tmp_path / "排名.png"
    assert (
        main(["rank", "--month", "2024-03", "--out", str(image), "--data-dir", str(data_dir)]) == 0
    )
    picture = Image.open(image)
    assert picture.format == "PNG" and picture.width == 1080
    for period, name, first in (
        (["--month", "2024-03"], "月.docx", "2024年3月人居环境打擂情况通报"),
        (["--quarter", "2024Q1"], "季.docx", "2024年第一季度人居环境打擂情况通报"),
    ):
        out = tmp_path / name
        assert main(["rank", *period, "--out", str(out), "--data-dir", str(data_dir)]) == 0
        paragraphs = [p.text for p in Document(_io.BytesIO(out.read_bytes())).paragraphs]
        assert paragraphs[0] == first
    page = tmp_path / "排名.html"
    assert (
        main(["rank", "--quarter", "2024Q1", "--out", str(page), "--data-dir", str(data_dir)]) == 0
    )
    text = page.read_text(encoding="utf-8")
    assert "<h1>潭湾镇人居环境打擂</h1>" in text and "杉林村（仅评2个月）" in text


def test_rank_refuses_an_unknown_output_type(data_dir, tmp_path) -> None:
    done = run("rank", "--month", "2024-03", "--out", str(tmp_path / "x.pdf"), data_dir=data_dir)
    assert done.returncode == 2
    assert ".png" in done.stderr and ".html" in done.stderr
