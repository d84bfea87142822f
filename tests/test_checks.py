"""Upload warnings: jumps against last month, villages that stopped reporting."""

from __future__ import annotations

import pandas as pd

from township_data import checks


def frame(rows: list[tuple[str, str, str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["area", "month", "village", "indicator", "value"])


def test_jump_uses_the_catalogue_ratio_and_minimum(catalogue) -> None:
    assert (catalogue.jump_ratio, catalogue.jump_min) == (3.0, 10)
    before = frame(
        [
            ("社会事务", "2024-02", "酉庄村", "新增低保", 4),
            ("社会事务", "2024-02", "蛇形村", "新增低保", 2),
            ("社会事务", "2024-02", "杉林村", "新增低保", 5),
            ("社会事务", "2024-02", "杨龙村", "新增低保", 0),
        ]
    )
    new = frame(
        [
            ("社会事务", "2024-03", "酉庄村", "新增低保", 13),  # 13 > 12 and +9 < 10: no
            ("社会事务", "2024-03", "蛇形村", "新增低保", 12),  # 12 > 6 and +10: yes
            ("社会事务", "2024-03", "杉林村", "新增低保", 15),  # 15 = 3 × 5: not above: no
            ("社会事务", "2024-03", "杨龙村", "新增低保", 10),  # from 0, +10: yes
            ("社会事务", "2024-03", "石牌村", "新增低保", 50),  # 未报 last month: no
        ]
    )
    found = checks.jumps(new, before, catalogue)
    assert [(n.village, n.message) for n in found] == [
        ("蛇形村", "本月 12 户，上月 2 户，是上月的 6.0 倍；请核实是否填错"),
        ("杨龙村", "本月 10 户，上月为 0 户；请核实是否填错"),
    ]
    assert all(n.kind == checks.JUMP and n.month == "2024-03" for n in found)


def test_an_indicator_of_its_own_sets_a_higher_ratio(catalogue) -> None:
    """扣押非法烟花爆竹 is seasonal: its catalogue entry sets jump = 20."""
    assert catalogue.indicator("安全生产", "扣押非法烟花爆竹").jump == 20.0
    before = frame(
        [
            ("安全生产", "2024-01", "全镇", "扣押非法烟花爆竹", 10),
            ("安全生产", "2024-01", "全镇", "办理简易执法案件", 10),
        ]
    )
    new = frame(
        [
            ("安全生产", "2024-02", "全镇", "扣押非法烟花爆竹", 150),  # 15× < 20×: no
            ("安全生产", "2024-02", "全镇", "办理简易执法案件", 150),  # 15× > 3×: yes
        ]
    )
    found = checks.jumps(new, before, catalogue)
    assert [n.indicator for n in found] == ["办理简易执法案件"]


def test_missing_village_is_one_that_reported_last_month_and_not_this_month(catalogue) -> None:
    before = frame(
        [
            ("安全生产", "2024-02", "酉庄村", "排查安全隐患", 3),
            ("安全生产", "2024-02", "蛇形村", "排查安全隐患", 3),
            ("安全生产", "2024-02", "全镇", "专项隐患排查整治", 3),
            ("信访维稳", "2024-02", "杉林村", "矛盾纠纷", 1),  # area not in the upload
        ]
    )
    new = frame(
        [
            ("安全生产", "2024-03", "酉庄村", "排查安全隐患", 3),
            ("安全生产", "2024-03", "杉林村", "排查安全隐患", 1),
        ]
    )
    found = checks.missing_villages(new, before, [("安全生产", "2024-03")])
    assert [(n.kind, n.area, n.village) for n in found] == [(checks.MISSING, "安全生产", "蛇形村")]
    assert found[0].message.startswith("2024年2月报了“安全生产”，2024年3月没有任何数据")
    # after the import merges by village, a village that keeps its own figures is not missing
    final = frame(
        [*map(tuple, new.to_numpy().tolist()), ("安全生产", "2024-03", "蛇形村", "排查安全隐患", 2)]
    )
    assert checks.missing_villages(new, before, [("安全生产", "2024-03")], final) == []


def test_one_villages_own_file_says_nothing_about_the_other_villages(catalogue) -> None:
    before = frame(
        [
            ("安全生产", "2024-02", "酉庄村", "排查安全隐患", 3),
            ("安全生产", "2024-02", "蛇形村", "排查安全隐患", 3),
        ]
    )
    new = frame([("安全生产", "2024-03", "酉庄村", "排查安全隐患", 3)])
    assert checks.missing_villages(new, before, [("安全生产", "2024-03")]) == []


def test_a_workbook_of_several_months_compares_each_month_with_its_own_previous(
    catalogue,
) -> None:
    stored = frame([("安全生产", "2024-01", "酉庄村", "排查安全隐患", 2)])
    new = frame(
        [
            ("安全生产", "2024-02", "酉庄村", "排查安全隐患", 40),  # vs store: 2 → 40
            ("安全生产", "2024-03", "酉庄村", "排查安全隐患", 41),  # vs upload's Feb: fine
            ("安全生产", "2024-03", "蛇形村", "排查安全隐患", 1),
        ]
    )
    slices = [("安全生产", "2024-02"), ("安全生产", "2024-03")]
    found = checks.notices(new, stored, slices, catalogue)
    assert [(n.kind, n.month, n.village) for n in found] == [
        (checks.JUMP, "2024-02", "酉庄村"),
    ]
    table = checks.notice_table(found)
    assert list(table.columns) == ["提示类型", "领域", "月份", "村（社区）", "指标", "说明"]
    assert table.iloc[0]["月份"] == "2024年2月"


def test_previous_slices() -> None:
    assert checks.previous_slices([("安全生产", "2024-01"), ("党建引领", "2024-01")]) == [
        ("党建引领", "2023-12"),
        ("安全生产", "2023-12"),
    ]
