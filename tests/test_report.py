"""工作总结: figures filled exactly as the catalogue says, traced to their cells, 未报 never 0.

The known data (three villages, three months, one workbook per month) is small enough to add up
by hand; every expected number below is written out as the sum or mean it stands for.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from docx import Document

from tests.readback import paragraphs_of
from township_data import cli, report
from township_data.catalogue import Catalogue
from township_data.errors import TemplateError
from township_data.store import Store
from township_data.workbook import read_workbook

from .conftest import build_workbook

SAFETY = [
    "村（社区）",
    "月份",
    "检查生产经营单位（家次）",
    "安全知识培训讲座和现场演练",
    "专项隐患排查整治",
]
REVIVAL = ["村（社区）", "月份", "家庭医生签约率（%）", "公益性岗位"]
ARMED = ["村（社区）", "月份", "基干民兵在位率", "抢险救灾出动民兵"]
CONTEST = ["村（社区）", "月份", "总分"]

# Sheet → rows per month. None is an empty cell (未报).
KNOWN: dict[str, dict[str, list[list[object]]]] = {
    "2024-01": {
        "安全生产": [
            SAFETY,
            ["酉庄村", "2024-01", 10, 1, None],
            ["蛇形村", "2024-01", 20, 2, None],
            ["杉林村", "2024-01", 5, None, None],
            ["全镇", "2024-01", None, 4, 3],
        ],
        "乡村振兴": [
            REVIVAL,
            ["酉庄村", "2024-01", 90, 5],
            ["蛇形村", "2024-01", 80, 3],
            ["杉林村", "2024-01", 71, None],
        ],
        "党管武装": [
            ARMED,
            ["酉庄村", "2024-01", 90, 0],
            ["蛇形村", "2024-01", 100, 0],
            ["全镇", "2024-01", 96, 0],
        ],
        "人居环境打擂": [
            CONTEST,
            ["酉庄村", "2024-01", 90],
            ["蛇形村", "2024-01", 85],
            ["杉林村", "2024-01", 80],
        ],
    },
    "2024-02": {
        "安全生产": [
            SAFETY,
            ["酉庄村", "2024-02", 7, 0, None],
            ["蛇形村", "2024-02", None, 1, None],
            ["杉林村", "2024-02", 3, 1, None],
            ["全镇", "2024-02", None, None, 2],
        ],
        "乡村振兴": [
            REVIVAL,
            ["酉庄村", "2024-02", 92, 6],
            ["蛇形村", "2024-02", 84, None],
        ],
        "党管武装": [ARMED, ["酉庄村", "2024-02", None, 4]],
        "人居环境打擂": [CONTEST, ["酉庄村", "2024-02", 88], ["蛇形村", "2024-02", 86]],
    },
    "2024-04": {
        "安全生产": [
            SAFETY,
            ["酉庄村", "2024-04", 11, None, None],
            ["全镇", "2024-04", None, 5, 6],
        ],
        "党管武装": [
            ARMED,
            ["酉庄村", "2024-04", 95, None],
            ["蛇形村", "2024-04", None, 0],
            ["全镇", "2024-04", None, 6],
        ],
    },
}


def store_known_data(store: Store, catalogue: Catalogue) -> None:
    """Import the known data as three workbooks: versions 1, 2, 3 of a fresh store."""
    for month, sheets in KNOWN.items():
        data = build_workbook(sheets)
        store.import_workbook(read_workbook(data, f"{month}.xlsx", catalogue), "测试")


@pytest.fixture
def known(store: Store, catalogue: Catalogue) -> Store:
    store_known_data(store, catalogue)
    return store


def make(store: Store, catalogue: Catalogue, first: str, last: str) -> report.Report:
    return report.build(store, catalogue, report.load_template(catalogue), first, last)


def test_half_year_figures_equal_hand_computed_values(known: Store, catalogue: Catalogue) -> None:
    work = make(known, catalogue, "2024-01", "2024-06")
    figures = work.figures
    # sum over months, village level: 10 + 20 + 5 (Jan) + 7 + 3 (Feb) + 11 (Apr)
    assert figures["安全生产/检查生产经营单位"].value == 10 + 20 + 5 + 7 + 3 + 11 == 56
    assert figures["安全生产/检查生产经营单位"].text == "56家次"
    # both levels: villages 1 + 2 + 0 + 1 + 1, plus the 全镇 row 4 + 5, each counted once
    assert figures["安全生产/安全知识培训讲座和现场演练"].value == (1 + 2 + 0 + 1 + 1) + (4 + 5)
    assert figures["安全生产/安全知识培训讲座和现场演练"].text == "14次"
    # town level only: 3 + 2 + 6 = 11, written as the seed writes it: "10余次"
    assert figures["余:安全生产/专项隐患排查整治"].value == 3 + 2 + 6
    assert figures["余:安全生产/专项隐患排查整治"].text == "10余次"
    # rate: each village's latest month (酉庄 Feb 92, 蛇形 Feb 84, 杉林 Jan 71), averaged
    assert figures["乡村振兴/家庭医生签约率"].value == pytest.approx((92 + 84 + 71) / 3)
    assert figures["乡村振兴/家庭医生签约率"].text == "82.3%"
    # stock: latest per village (酉庄 Feb 6, 蛇形 Jan 3), added across villages
    assert figures["乡村振兴/公益性岗位"].text == "9个"
    # a rate reported at both levels: the 全镇 row's own rate (96), not the villages' mean
    assert figures["党管武装/基干民兵在位率"].text == "96%"
    # scored villages: 酉庄村, 蛇形村, 杉林村 in January, two of them in February
    assert figures["评比村数"].text == "3"
    assert figures["评比村数"].notes == [
        "3月、4月、5月、6月没有评分数据",
        "2024年2月只有 2 个村（社区）有评分",
    ]
    assert figures["红榜数"].text == str(catalogue.contest.red_n)
    assert figures["年份"].text == "2024" and figures["时段"].text == "年初以来"
    # never reported: 【未报】, not 0
    assert figures["安全生产/查处非法营运"].text == report.MISSING
    assert figures["安全生产/查处非法营运"].value is None
    text = "".join(r.text for r in work.render())
    # a clause whose figure is 未报 is written with its 【未报】, never dropped as if 0
    assert "查处非法营运【未报】" in text
    assert "检查各类生产经营单位56家次" in text
    assert "开展专项隐患排查整治10余次" in text
    assert work.title == f"{catalogue.township_name}2024年上半年工作总结"


def test_village_and_month_placeholders(known: Store, catalogue: Catalogue, tmp_path: Path) -> None:
    text = (
        "# 标题\n\n{村数:乡村振兴/公益性岗位}|{村名:安全生产/检查生产经营单位}|"
        "{数值:安全生产/检查生产经营单位}|{村名:党管武装/抢险救灾出动民兵}|"
        "{月份:安全生产/查处非法营运}|{月份:党管武装/抢险救灾出动民兵}|{党管武装/抢险救灾出动民兵}\n"
    )
    template = report.parse_template(text, tmp_path / "t.md", catalogue)
    values = known.current(with_source=True)
    work = report.fill(values, catalogue, template, "2024-01", "2024-06")
    # 公益性岗位 latest: 酉庄村 6, 蛇形村 3 → 2 villages; 检查: 酉庄 28, 蛇形 20, 杉林 8 (by size);
    # 抢险救灾: 酉庄村 4, 蛇形村 0 (the 全镇 row is not a village); 查处非法营运 never reported;
    # months in which the township's 抢险救灾 is above 0: Feb (4) and Apr (0 + 6), 10 in all
    assert work.render()[1].text == "2|酉庄村、蛇形村、杉林村|56|酉庄村|【未报】|2月、4月|10人"
    names = work.figures["村名:安全生产/检查生产经营单位"]
    assert "酉庄村28、蛇形村20、杉林村8" in names.method


def test_second_quarter_uses_only_its_months(known: Store, catalogue: Catalogue) -> None:
    work = make(known, catalogue, "2024-04", "2024-06")
    figures = work.figures
    assert figures["安全生产/检查生产经营单位"].text == "11家次"
    # only the 全镇 row reported in April: 5
    assert figures["安全生产/安全知识培训讲座和现场演练"].text == "5次"
    assert figures["余:安全生产/专项隐患排查整治"].text == "6次"
    # no 全镇 row this quarter: the villages' mean of their latest rates (酉庄 Apr 95)
    assert figures["党管武装/基干民兵在位率"].text == "95%"
    # no rate reported in the quarter at all
    assert figures["乡村振兴/家庭医生签约率"].text == report.MISSING
    assert figures["评比村数"].text == report.MISSING
    assert figures["时段"].text == "2024年第二季度"
    labels = [f.label for f in work.missing()]
    assert "乡村振兴·家庭医生签约率" in labels and "打擂评比村数" in labels
    assert "安全生产·检查生产经营单位" not in labels


def test_every_missing_figure_is_listed_at_the_end(known: Store, catalogue: Catalogue) -> None:
    work = make(known, catalogue, "2024-04", "2024-06")
    appendix = work.appendix()
    assert appendix[0].startswith(f"附：本期以下 {len(work.missing())} 个数字没有数据")
    listed = appendix[1 : 1 + len(work.missing())]
    assert listed == [f"{i}. {f.label}" for i, f in enumerate(work.missing(), 1)]
    # every figure written as 【未报】 is listed (and so is one a condition could not decide)
    shown = {k for r in work.render() for t, k in r.runs if k and t == report.MISSING}
    assert shown <= {f.key for f in work.missing()}
    assert "乡村振兴/家庭医生签约率" in shown
    assert appendix[-1].startswith("尚未填写的文字部分：存在不足、下步工作重点")


def test_figures_trace_their_files_sheets_and_cells(known: Store, catalogue: Catalogue) -> None:
    work = make(known, catalogue, "2024-01", "2024-06")
    town_only = work.figures["余:安全生产/专项隐患排查整治"]
    # header row 1, then 酉庄村 2, 蛇形村 3, 杉林村 4, 全镇 5; column E is 专项隐患排查整治
    assert town_only.source_summary() == (
        "2024-01.xlsx（版本 1）安全生产!E5；2024-02.xlsx（版本 2）安全生产!E5；"
        "2024-04.xlsx（版本 3）安全生产!E3"
    )
    assert "只取“全镇”行" in town_only.method
    both = work.figures["安全生产/安全知识培训讲座和现场演练"]
    table = both.source_table()
    assert list(table.columns) == ["村（社区）", "月份", "数值", "文件", "工作表", "单元格", "版本"]
    assert table["数值"].sum() == 14 and len(table) == 7
    assert set(table[table["村（社区）"] == "镇本级"]["单元格"]) == {"D5", "D3"}
    assert "再加上“全镇”行" in both.method
    rate = work.figures["乡村振兴/家庭医生签约率"]
    assert sorted(rate.source_table()["单元格"]) == ["C2", "C3", "C4"]
    assert set(rate.source_table()["月份"]) == {"2024年1月", "2024年2月"}
    assert "取 3 个村（社区）的平均值" in rate.method
    # coverage: 蛇形村 did not report 检查生产经营单位 in February, nor the April villages
    notes = "；".join(work.figures["安全生产/检查生产经营单位"].notes)
    assert "蛇形村2024年2月" in notes
    assert "2024年3月" in notes or "3月" in notes


def test_docx_and_markdown_carry_the_same_figures(known: Store, catalogue: Catalogue) -> None:
    work = make(known, catalogue, "2024-01", "2024-06")
    texts = {"存在不足": "产业规模不大。\n\n  基础设施薄弱。", "下步工作重点": "1.学理论固根基。"}
    rendered = [r.text for r in work.render(texts)]
    paragraphs = paragraphs_of(work.docx(texts))
    assert paragraphs == rendered + work.appendix(texts)
    assert any("检查各类生产经营单位56家次" in p for p in paragraphs)
    assert any(p.endswith("但仍存在一些不足。产业规模不大。") for p in paragraphs)
    assert "基础设施薄弱。" in paragraphs and "1.学理论固根基。" in paragraphs
    doc = Document(io.BytesIO(work.docx(texts)))
    assert doc.paragraphs[0].alignment == 1
    markdown = work.markdown(texts)
    assert markdown.startswith(f"# {work.title}\n")
    for line in rendered[2:]:
        assert line in markdown
    assert "| 安全生产·专项隐患排查整治（余） | 10余次 |" in markdown
    assert "2024-04.xlsx（版本 3）安全生产!E3" in markdown


def test_free_text_is_kept_per_period(known: Store, catalogue: Catalogue) -> None:
    known.save_report_text("2024-01", "2024-06", "存在不足", "产业规模不大。", "测试")
    known.save_report_text("2024-04", "2024-06", "存在不足", "第二季度的不足。", "测试")
    half = report.saved_texts(known, "2024-01", "2024-06")
    assert half == {"存在不足": "产业规模不大。"}
    assert report.saved_texts(known, "2024-04", "2024-06") == {"存在不足": "第二季度的不足。"}
    known.save_report_text("2024-01", "2024-06", "存在不足", "产业发展后劲不足。", "测试")
    saved = known.report_texts("2024-01", "2024-06")["存在不足"]
    assert saved.body == "产业发展后劲不足。" and saved.updated_by == "测试"
    known.save_report_text("2024-01", "2024-06", "存在不足", "  ", "测试")
    assert report.saved_texts(known, "2024-01", "2024-06") == {}
    work = make(known, catalogue, "2024-04", "2024-06")
    texts = report.saved_texts(known, "2024-04", "2024-06")
    assert work.pending(texts) == ["下步工作重点"]
    assert any(r.text.endswith("第二季度的不足。") for r in work.render(texts))


def test_since_phrase() -> None:
    assert report.since_phrase("2024-01", "2024-06") == "年初以来"
    assert report.since_phrase("2024-01", "2024-12") == "年初以来"
    assert report.since_phrase("2024-04", "2024-06") == "2024年第二季度"
    assert report.since_phrase("2023-07", "2024-06") == "2023年7月至2024年6月"


def test_template_errors_name_the_line_and_suggest(catalogue: Catalogue, tmp_path: Path) -> None:
    text = "\n".join(
        [
            "# {镇名}{期间}工作总结",
            "",
            "检查{安全生产/检查生产经营}，培训{安全生猪/安全知识培训讲座和现场演练}。",
            "",
            "开展{其间}，{合计:安全生产/检查车辆}，{半截。",
            "",
            "[[存在不足]]后面还有字。",
        ]
    )
    with pytest.raises(TemplateError) as caught:
        report.parse_template(text, tmp_path / "t.md", catalogue)
    messages = [str(p) for p in caught.value.problems]
    assert any("第 3 行" in m and "检查生产经营单位" in m for m in messages)
    assert any("第 3 行" in m and "安全生猪" in m and "安全生产" in m for m in messages)
    assert any("第 5 行" in m and "{期间}" in m for m in messages)
    assert any("第 5 行" in m and "合计:" in m for m in messages)
    assert any("第 5 行" in m and "花括号不成对" in m for m in messages)
    assert any("第 7 行" in m and "末尾" in m for m in messages)


def test_template_alias_and_comment(catalogue: Catalogue, tmp_path: Path) -> None:
    text = (
        "<!-- 说明\n{不是占位符}\n-->\n# 标题\n\n"
        "排查{安全生产/排查整治各类安全隐患}，\n共{数值:安全生产/检查车辆}台次。[[小结：提示]]\n"
    )
    template = report.parse_template(text, tmp_path / "t.md", catalogue)
    body = template.paragraphs[1]
    assert [s.ref for s in body.segments if s.ref] == [
        "安全生产/排查安全隐患",
        "数值:安全生产/检查车辆",
    ]
    assert body.line == 6 and body.slot == report.Slot("小结", "提示")


def test_cell_ranges() -> None:
    import pandas as pd

    cells = pd.Series(["D6", "D4", "D5", "D9", "AA2", "F7（由各项相加）"])
    assert report.cell_ranges(cells) == "D4:D6、D9、AA2、F7（由各项相加）"


def test_report_command_writes_docx_and_md(
    known: Store, data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "r.docx"
    code = cli.main(
        [
            "report",
            "--data-dir",
            str(data_dir),
            "--from",
            "2024-01",
            "--to",
            "2024-06",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert (
        "已生成潭湾镇2024年上半年工作总结" in printed and "未报：安全生产·查处非法营运" in printed
    )
    paragraphs = paragraphs_of(out.read_bytes())
    assert any("检查各类生产经营单位56家次" in p for p in paragraphs)
    assert any("家庭医生签约率达82.3%" in p for p in paragraphs)
    md = tmp_path / "r.md"
    args = ["report", "--data-dir", str(data_dir), "--from", "2024-04", "--to", "2024-06"]
    assert cli.main([*args, "--out", str(md)]) == 0
    assert "家庭医生签约率达【未报】" in md.read_text(encoding="utf-8")
    assert cli.main([*args, "--out", str(tmp_path / "r.pdf")]) == 2
    assert "须为 .docx 或 .md" in capsys.readouterr().err
    backwards = ["report", "--data-dir", str(data_dir), "--from", "2024-06", "--to", "2024-01"]
    assert cli.main([*backwards, "--out", str(md)]) == 1


def test_sources_read_when_shown_are_the_sources_read_at_once(
    known: Store, catalogue: Catalogue
) -> None:
    """The page fills the report without cells and reads a paragraph's cells when shown."""
    template = report.load_template(catalogue)
    eager = report.build(known, catalogue, template, "2024-01", "2024-06")
    lazy = report.build(known, catalogue, template, "2024-01", "2024-06", sources=False)
    assert [f.text for f in lazy.figures.values()] == [f.text for f in eager.figures.values()]
    assert [f.method for f in lazy.figures.values()] == [f.method for f in eager.figures.values()]
    safety = "余:安全生产/专项隐患排查整治"
    assert lazy.figures[safety].sources is None
    with pytest.raises(RuntimeError, match="attach_sources"):
        lazy.figures[safety].source_summary()
    report.attach_sources(lazy, known, catalogue, [safety, "评比村数"])
    assert lazy.figures[safety].source_summary() == eager.figures[safety].source_summary()
    assert lazy.figures["安全生产/检查生产经营单位"].sources is None
    report.attach_sources(lazy, known, catalogue)
    for key, fig in eager.figures.items():
        pd.testing.assert_frame_equal(lazy.figures[key].source_table(), fig.source_table(), obj=key)
    assert lazy.markdown() == eager.markdown()


# ------------------------------------------------------------------ conditional wording


def _written(work: report.Report) -> list[str]:
    return [r.text for r in work.render()[1:]]


def test_conditions_decide_the_wording(known: Store, catalogue: Catalogue, tmp_path: Path) -> None:
    text = "\n".join(
        [
            "# 标题",
            "",
            # 检查 56 > 0; 查处非法营运 never reported (undecided: written with its 【未报】)
            "{如果 安全生产/检查生产经营单位：检查{安全生产/检查生产经营单位}，}"
            "{如果 安全生产/查处非法营运：查处{安全生产/查处非法营运}，}完。",
            "",
            # 抢险救灾 January: 0 → the alternative
            "{如果 党管武装/抢险救灾出动民兵 > 0：出动{党管武装/抢险救灾出动民兵}}{否则：未出动}。",
            "",
            # 专项隐患 11 against 安全知识培训 14; 且 and 或; a rate compared with a number
            "{如果 安全生产/专项隐患排查整治 < 安全生产/安全知识培训讲座和现场演练 且 "
            "乡村振兴/家庭医生签约率 >= 82：甲}{否则：乙}"
            "{如果 安全生产/查处非法营运 或 安全生产/检查生产经营单位 = 56：丙}",
            "",
            # an undecided test whose figure neither branch writes: the alternative, listed at the end
            "{如果 安全生产/查处非法营运 > 3：多}{否则：不多}。",
            "",
            "{如果 领域:疫情防控：疫情}{如果 事件:防汛抢险：防汛}{如果 红榜村：有评分}",
        ]
    )
    template = report.parse_template(text, tmp_path / "t.md", catalogue)
    half = report.build(known, catalogue, template, "2024-01", "2024-06")
    assert _written(half) == [
        "检查56家次，查处【未报】，完。",
        "出动10人。",
        "甲丙",
        "不多。",
        "有评分",
    ]
    assert "安全生产/查处非法营运" in [f.key for f in half.missing()]
    january = report.build(known, catalogue, template, "2024-01", "2024-01")
    assert _written(january)[1] == "未出动。"


def test_tidy_keeps_the_stronger_mark_and_ends_a_paragraph() -> None:
    from township_data.report.render import tidy

    def text(runs: list[tuple[str, str]]) -> str:
        return "".join(t for t, _ in tidy(runs))

    assert text([("甲，", ""), ("；乙", "")]) == "甲；乙"
    assert text([("甲。", ""), ("，乙、", "")]) == "甲。乙。"
    assert text([("甲、", ""), ("；", ""), ("。", "")]) == "甲。"
    # a figure's own text is never changed
    assert tidy([("5次", "k"), ("；", "")]) == [("5次", "k"), ("。", "")]


def test_rounded_and_progress_figures(store: Store, catalogue: Catalogue, tmp_path: Path) -> None:
    party = ["村（社区）", "月份", "计划发展党员", "已发展党员"]
    living = ["村（社区）", "月份", "绿化长度", "拆除旱厕"]
    rows = {
        # plan 2 + 1 + 3 (全镇) = 6 for the year; developed 1 (Jan) + 1 (Feb) + 1 (Mar, 全镇) = 3
        "党建引领": [
            party,
            ["酉庄村", "2024-01", 2, 1],
            ["蛇形村", "2024-01", 1, None],
            ["全镇", "2024-01", 3, None],
            ["蛇形村", "2024-02", 1, 1],
            ["全镇", "2024-03", 3, 1],
        ],
        # 1,800 + 1,460 = 3,260 米; 旱厕 30 + 23 = 53
        "人居环境": [living, ["酉庄村", "2024-03", 1800, 30], ["蛇形村", "2024-03", 1460, 23]],
    }
    data = build_workbook(rows)
    store.import_workbook(read_workbook(data, "一季度.xlsx", catalogue), "测试")
    text = (
        "# 标题\n\n{千多:人居环境/绿化长度}|{余:人居环境/拆除旱厕}|{进度:党建引领/已发展党员}|"
        "{应完成:党建引领/已发展党员}\n"
    )
    template = report.parse_template(text, tmp_path / "t.md", catalogue)
    # the first quarter: 3 of 6 = 50%; by the schedule 6 × 3 / 12 = 1.5 → 2 people
    work = report.build(store, catalogue, template, "2024-01", "2024-03")
    assert _written(work) == ["3千多米|50余处|50%|2人"]
    assert "超序时进度 25 个百分点" in work.figures["进度:党建引领/已发展党员"].method
    # March alone: still counted from January (the plan is yearly)
    march = report.build(store, catalogue, template, "2024-03", "2024-03")
    assert _written(march) == ["3千多米|50余处|50%|2人"]
    assert report.reach(template, "2024-03", "2024-03") == "2024-01"


def test_condition_errors_name_the_line(catalogue: Catalogue, tmp_path: Path) -> None:
    text = "\n".join(
        [
            "# 标题",
            "",
            "{如果 安全生产/检查车辆 且 安全生产/查处非法营运 或 安全生产/查处交通违法：甲}",
            "",
            "{否则：乙}{如果 安全生产/检查车辆 甲}",
            "",
            "{如果 事件:防洪：丙}{领域:疫情防控}{进度:安全生产/检查车辆}",
        ]
    )
    with pytest.raises(TemplateError) as caught:
        report.parse_template(text, tmp_path / "t.md", catalogue)
    messages = [str(p) for p in caught.value.problems]
    assert any("第 3 行" in m and "不能混用" in m for m in messages)
    assert any("第 5 行" in m and "须紧跟在" in m for m in messages)
    assert any("第 5 行" in m and "缺少冒号" in m for m in messages)
    assert any("第 7 行" in m and "防洪" in m and "防汛抢险" in m for m in messages)
    assert any("第 7 行" in m and "只能用在条件中" in m for m in messages)
    assert any("第 7 行" in m and "没有计划指标" in m for m in messages)
