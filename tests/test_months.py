import datetime as dt

import pytest

from township_data import months


@pytest.mark.parametrize(
    "raw",
    [
        "2024-03",
        "2024/3",
        "2024.03",
        "2024年3月",
        "2024年03月",
        "202403",
        202403,
        202403.0,
        dt.date(2024, 3, 1),
        dt.datetime(2024, 3, 15, 8),
        "２０２４－０３",
        " 2024 - 03 ",
    ],
)
def test_accepted_spellings(raw: object) -> None:
    assert months.parse_month(raw) == "2024-03"


@pytest.mark.parametrize("raw", [2024.1, 2024.03, "2024-13", "三月", "", 2024, "2024"])
def test_refused(raw: object) -> None:
    with pytest.raises(months.MonthError):
        months.parse_month(raw)


def test_decimal_month_message_explains_ambiguity() -> None:
    with pytest.raises(months.MonthError, match=r"2024\.1"):
        months.parse_month(2024.1)


def test_labels_and_ranges() -> None:
    assert months.label("2024-03") == "2024年3月"
    assert months.month_range("2023-11", "2024-02") == ["2023-11", "2023-12", "2024-01", "2024-02"]
    assert months.shift("2024-01", -1) == "2023-12"
    assert months.quarter_of("2024-05") == "2024Q2"
    assert months.parse_quarter("2024Q1") == ("2024-01", "2024-03")
    assert months.quarter_label("2024Q1") == "2024年第一季度"
    assert months.period_label("2024-01", "2024-06") == "2024年上半年"
    assert months.period_label("2024-07", "2024-12") == "2024年下半年"
    assert months.period_label("2024-01", "2024-12") == "2024年"
    assert months.period_label("2024-04", "2024-06") == "2024年第二季度"
    assert months.period_label("2024-02", "2024-05") == "2024年2月至5月"
    assert months.period_label("2023-11", "2024-02") == "2023年11月至2024年2月"
