"""title_month.py: the month a title row names, only when certain."""

from __future__ import annotations

import pytest

from township_data.workbook.title_month import month_from_rows, month_from_title


@pytest.mark.parametrize(
    ("title", "month"),
    [
        ("潭湾镇2024年3月安全生产工作统计表", "2024-03"),
        ("潭湾镇2024年03月份安全生产工作统计表", "2024-03"),
        ("２０２４年３月统计表", "2024-03"),  # full-width digits
        ("2024 年 3 月 统计表", "2024-03"),
        ("潭湾镇2024.3安全生产统计表", "2024-03"),
        ("2024.10统计表", "2024-10"),  # text keeps the 0 that a number cell would drop
        ("统计表（2024-03）", "2024-03"),
        ("2024/3 统计表", "2024-03"),
        ("二〇二四年三月安全生产统计表", "2024-03"),
        ("二○二四年十二月", "2024-12"),  # ○ (white circle) as offices type 〇
        ("2024年十一月", "2024-11"),
        ("2024年3月安全生产统计表（2024年4月5日填报）", "2024-03"),  # a fill date is no month
        ("2024年3月统计表（3月份）", "2024-03"),  # the same month twice
        ("2024年3月日报汇总", "2024-03"),
        ("截至2024年3月底", "2024-03"),
    ],
)
def test_a_title_naming_one_month(title: str, month: str) -> None:
    assert month_from_title(title) == month


@pytest.mark.parametrize(
    "title",
    [
        "2024年1-3月统计表",  # a span
        "2024年1月至3月",
        "2024年3月—2024年5月",
        "2024年3月份统计（3-4月）",
        "2024年第一季度",  # a period
        "2024年上半年",
        "2024年度工作统计",
        "2024年3月、4月",  # two months
        "2024年3月1日至4月30日",
        "2024年3月31日",  # only a date: maybe the day the form was filled
        "填报日期：2024年4月5日",
        "2024.4.5",
        "24年3月",  # two-digit year
        "1999年3月",
        "2024年13月",
        "2024-2025学年",
        "安全生产统计表",
        "",
    ],
)
def test_a_title_that_is_not_certain(title: str) -> None:
    assert month_from_title(title) is None


@pytest.mark.parametrize("value", [None, 2024.03, 202403])
def test_only_text_is_read(value: object) -> None:
    assert month_from_title(value) is None


def test_rows_above_the_header_agree_on_a_month() -> None:
    rows = [
        ["潭湾镇2024年3月安全生产工作统计表", "", ""],
        ["填报单位：潭湾镇", "填报日期：2024年4月5日", ""],
    ]
    assert month_from_rows(rows) == "2024-03"
    assert month_from_rows([["潭湾镇", "2024年3月", "统计表"]]) == "2024-03"  # split over cells


def test_rows_naming_two_months_or_none() -> None:
    assert month_from_rows([["潭湾镇2024年3月统计表"], ["2024年4月"]]) is None
    assert month_from_rows([["潭湾镇2024年3月统计表"], ["2024年第一季度"]]) is None
    assert month_from_rows([["安全生产统计表"], ["填报单位：潭湾镇"]]) is None
    assert month_from_rows([]) is None
