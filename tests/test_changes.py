"""Previews of uploads and restores, the confirmed import, and the history table."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from township_data import changes, checks
from township_data.workbook import read_workbook

HEADER = ["村（社区）", "月份", "检查生产经营单位（家次）", "排查安全隐患（处）"]


def safety(rows):
    return {"安全生产": [HEADER, *rows]}


@pytest.fixture
def stored(store, make_workbook, catalogue):
    """February and March of 安全生产 for two villages."""
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


def test_preview_counts_new_replaced_removed_and_warns(
    store, stored, make_workbook, catalogue
) -> None:
    data = make_workbook(
        safety(
            [
                ["酉庄村", "2024-03", 40, 3],  # replaced, and 4× February (+30): warning
                ["蛇形村", "2024-03", 12, None],  # 排查安全隐患 becomes 未报
                ["杉林村", "2024-03", 1, 1],  # two new values
            ]
        )
    )
    parsed = [read_workbook(data, "三月更正.xlsx", catalogue)]
    preview = changes.preview_import(store, parsed, catalogue)
    assert preview.revision == store.revision()
    assert preview.counts == {"新增": 2, "修改": 1, "改为未报": 1, "不变": 2}
    assert preview.slices == [("安全生产", "2024-03")]
    assert preview.summary == "2024年3月：安全生产"
    assert [(n.kind, n.village, n.indicator) for n in preview.notices] == [
        (checks.JUMP, "酉庄村", "检查生产经营单位")
    ]
    replaced = changes.change_table(preview.changes, catalogue, changes.REPLACED)
    assert replaced.to_dict("records") == [
        {
            "领域": "安全生产",
            "月份": "2024年3月",
            "村（社区）": "酉庄村",
            "指标": "检查生产经营单位",
            "原值": "10 家次",
            "新值": "40 家次",
        }
    ]
    removed = changes.change_table(preview.changes, catalogue, changes.REMOVED)
    assert removed[["原值", "新值"]].values.tolist() == [["4 处", "未报"]]
    table = changes.slice_table(preview, catalogue)
    assert table.to_dict("records") == [
        {"领域": "安全生产", "月份": "2024年3月", "新增": 2, "修改": 1, "改为未报": 1, "不变": 2}
    ]


def test_a_villages_own_file_changes_that_village_only(store, stored, make_workbook, catalogue):
    """The natural workflow: after the month is in, one village's file (the template with only
    its row) changes that village; the others keep their values, and the preview says so."""
    data = make_workbook(safety([["蛇形村", "2024-03", 15, None]]))
    parsed = [read_workbook(data, "蛇形村.xlsx", catalogue)]
    preview = changes.preview_import(store, parsed, catalogue)
    assert preview.counts == {"新增": 0, "修改": 1, "改为未报": 1, "不变": 0}
    assert [(f.villages, f.repeated) for f in preview.files] == [(("蛇形村",), ("蛇形村",))]
    assert preview.untouched == 1  # 酉庄村 keeps its figures
    outcome = changes.import_all(store, parsed, "乙", preview.revision)
    assert outcome.error is None and [r.version_id for r in outcome.stored] == [2]
    march = store.current(months=["2024-03"]).set_index(["village", "indicator"])["value"]
    assert march.to_dict() == {
        ("酉庄村", "检查生产经营单位"): 10.0,
        ("酉庄村", "排查安全隐患"): 3.0,
        ("蛇形村", "检查生产经营单位"): 15.0,  # its empty 排查安全隐患 cell: now 未报
    }


def test_several_village_files_in_one_upload_are_one_preview_and_one_transaction(
    store, stored, make_workbook, catalogue
) -> None:
    one = read_workbook(make_workbook(safety([["酉庄村", "2024-03", 20, 3]])), "一.xlsx", catalogue)
    two = read_workbook(make_workbook(safety([["杉林村", "2024-03", 5, 1]])), "二.xlsx", catalogue)
    preview = changes.preview_import(store, [one, two], catalogue)
    assert preview.counts == {"新增": 2, "修改": 1, "改为未报": 0, "不变": 1}
    assert [f.villages for f in preview.files] == [("酉庄村",), ("杉林村",)]
    assert [f.repeated for f in preview.files] == [("酉庄村",), ()]
    revision = store.revision()
    outcome = changes.import_all(store, [one, two], "甲", preview.revision)
    assert outcome.error is None and [r.version_id for r in outcome.stored] == [2, 3]
    assert store.revision() == revision + 1  # one write for the whole upload
    now = store.current(months=["2024-03"], with_source=True)
    source = now.set_index(["village", "indicator"])["file_name"].to_dict()
    assert source == {
        ("酉庄村", "检查生产经营单位"): "一.xlsx",
        ("酉庄村", "排查安全隐患"): "一.xlsx",
        ("蛇形村", "检查生产经营单位"): "底稿.xlsx",  # every value keeps the file it came from
        ("蛇形村", "排查安全隐患"): "底稿.xlsx",
        ("杉林村", "检查生产经营单位"): "二.xlsx",
        ("杉林村", "排查安全隐患"): "二.xlsx",
    }


def test_two_files_giving_one_cell_differently_are_refused_naming_both(make_workbook, catalogue):
    one = make_workbook(safety([["酉庄村", "2024-03", 20, 3]]))
    two = make_workbook(safety([["酉庄村", "2024-03", 30, None]]))
    same = make_workbook(safety([["酉庄村", "2024-03", 20, 3]]))
    _, problems = changes.read_all([("一.xlsx", one), ("二.xlsx", two)], catalogue)
    texts = sorted(p.message for p in problems)
    assert len(problems) == 2
    assert any("“一.xlsx”的 安全生产!C2 为 20，“二.xlsx”的 安全生产!C2 为 30" in t for t in texts)
    assert any("“二.xlsx”的 安全生产!D2 为 空（未报）" in t for t in texts)
    assert {(p.file, p.sheet, p.cell) for p in problems} == {
        ("二.xlsx", "安全生产", "C2"),
        ("二.xlsx", "安全生产", "D2"),
    }
    _, agreeing = changes.read_all([("一.xlsx", one), ("同.xlsx", same)], catalogue)
    assert agreeing == []  # the same figures twice are no conflict


def test_a_cell_is_compared_with_the_first_file_that_holds_it(make_workbook, catalogue) -> None:
    """一 has no 排查安全隐患 column, so 二 is the first to hold that cell: 三 disagrees with 二
    there, and with nobody on 检查生产经营单位, which all three give alike. Other villages'
    rows never meet."""
    one = make_workbook({"安全生产": [HEADER[:3], ["酉庄村", "2024-03", 20]]})
    two = make_workbook(safety([["酉庄村", "2024-03", 20, 3], ["蛇形村", "2024-03", 1, 1]]))
    three = make_workbook(safety([["酉庄村", "2024-03", 20, 4], ["杉林村", "2024-03", 2, 2]]))
    files = [("一.xlsx", one), ("二.xlsx", two), ("三.xlsx", three)]
    _, problems = changes.read_all(files, catalogue)
    assert [(p.file, p.cell) for p in problems] == [("三.xlsx", "D2")]
    assert "“二.xlsx”的 安全生产!D2 为 3，“三.xlsx”的 安全生产!D2 为 4" in problems[0].message


def test_replace_is_an_explicit_choice_that_turns_absent_villages_into_unreported(
    store, stored, make_workbook, catalogue
) -> None:
    parsed = [
        read_workbook(make_workbook(safety([["蛇形村", "2024-03", 15, 4]])), "全.xlsx", catalogue)
    ]
    preview = changes.preview_import(store, parsed, catalogue, replace=True)
    assert preview.counts == {"新增": 0, "修改": 1, "改为未报": 2, "不变": 1}
    outcome = changes.import_all(store, parsed, "甲", preview.revision, replace=True)
    assert outcome.error is None
    march = store.current(months=["2024-03"])
    assert sorted(set(march["village"])) == ["蛇形村"]


def test_import_all_stops_when_someone_else_wrote_in_between(
    store, stored, make_workbook, catalogue
) -> None:
    one = read_workbook(make_workbook(safety([["酉庄村", "2024-03", 20, 3]])), "一.xlsx", catalogue)
    seen = store.revision()
    other = read_workbook(
        make_workbook(safety([["蛇形村", "2024-02", 1, 1]])), "别人.xlsx", catalogue
    )
    store.import_workbook(other, "乙")
    outcome = changes.import_all(store, [one], "甲", seen)
    assert outcome.results == [] and outcome.error is not None
    assert "预览之后数据已被更新" in str(outcome.error)


def test_restore_preview_shows_what_would_come_back(
    store, stored, make_workbook, catalogue
) -> None:
    data = make_workbook(safety([["酉庄村", "2024-03", 11, 3], ["蛇形村", "2024-03", 12, 4]]))
    store.import_workbook(read_workbook(data, "改.xlsx", catalogue), "乙")
    preview = changes.preview_restore(store, stored.version_id, catalogue)
    assert preview.counts["修改"] == 1
    assert preview.slices == [("安全生产", "2024-02"), ("安全生产", "2024-03")]
    table = changes.change_table(preview.changes, catalogue, changes.REPLACED)
    assert table[["原值", "新值"]].values.tolist() == [["11 家次", "10 家次"]]


def test_read_all_collects_every_problem_of_every_file(make_workbook, catalogue) -> None:
    good = make_workbook(safety([["酉庄村", "2024-03", 1, 1]]))
    bad = make_workbook(safety([["酉庄", "2024-03", "x", 1], ["蛇行村", "2024-03", 1, 1]]))
    parsed, problems = changes.read_all(
        [("三月/好.xlsx", good), ("C:\\文件\\坏的 表.xlsx", bad)], catalogue
    )
    assert [p.file_name for p in parsed] == ["好.xlsx"]
    table = changes.problem_table(problems)
    assert list(table.columns) == ["文件", "工作表", "单元格", "问题", "处理建议"]
    rows = table.to_dict("records")
    assert {r["文件"] for r in rows} == {"坏的 表.xlsx"}
    cells = {(r["工作表"], r["单元格"]): r for r in rows}
    assert "蛇形村" in cells[("安全生产", "A3")]["处理建议"]  # the closest configured name
    assert "不是数字" in cells[("安全生产", "C2")]["问题"]  # 酉庄 is an alias of 酉庄村


def test_too_many_files_are_refused(catalogue) -> None:
    parsed, problems = changes.read_all([("a.xlsx", b"")] * 61, catalogue)
    assert parsed == [] and "最多 60 个" in problems[0].message


def test_history_table_shows_beijing_time_and_restores() -> None:
    history = pd.DataFrame(
        {
            "id": [2, 1],
            "action": ["restore", "import"],
            "created_at": [dt.datetime(2024, 3, 31, 16, 30), dt.datetime(2024, 3, 1, 1, 0)],
            "created_by": ["李四", "张三"],
            "file_name": ["三月.xlsx", "三月.xlsx"],
            "sha256": ["", "ab" * 32],
            "summary": ["2024年3月：安全生产", "2024年3月：安全生产"],
            "value_count": [1234, 1234],
            "restored_from": [1.0, float("nan")],
            "is_current": [True, False],
        }
    )
    table = changes.history_table(history)
    assert table["时间（北京时间）"].tolist() == ["2024-04-01 00:30:00", "2024-03-01 09:00:00"]
    assert table["操作"].tolist() == ["恢复（自版本 1）", "导入"]
    assert table["SHA-256"].tolist()[1] == "ab" * 32
    assert table["数值条数"].tolist() == ["1,234", "1,234"]
    assert table["当前数据"].tolist() == ["是", ""]
    assert changes.version_label(history.iloc[0]) == (
        "版本 2 · 2024-04-01 00:30 · 恢复（自版本 1） · 三月.xlsx"
    )


def test_version_table_marks_missing_and_not_applicable(store, stored, catalogue) -> None:
    values = store.version_values(stored.version_id)
    table = changes.version_table(values, catalogue, "安全生产", "2024-03")
    rows = table.set_index("村（社区）")
    assert rows.loc["酉庄村", "检查生产经营单位（家次）"] == "10"
    assert rows.loc["杉林村", "检查生产经营单位（家次）"] == "未报"
    assert rows.loc["全镇", "检查生产经营单位（家次）"] == "—"  # filled per village only
    assert rows.loc["酉庄村", "专项隐患排查整治（次）"] == "—"  # filled by 全镇 only
