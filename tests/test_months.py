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


# ------------------------------------------------------------------ periods (area pages)


@pytest.mark.parametrize(
    ("kind", "token", "first", "last", "previous", "year_ago", "name"),
    [
        ("month", "2024-03", "2024-03", "2024-03", ("2024-02", "2024-02"), ("2023-03",) * 2, "2024年3月"),
        ("month", "2024-01", "2024-01", "2024-01", ("2023-12", "2023-12"), ("2023-01",) * 2, "2024年1月"),
        ("quarter", "2024Q1", "2024-01", "2024-03", ("2023-10", "2023-12"), ("2023-01", "2023-03"), "2024年第一季度"),
        ("half", "2024H1", "2024-01", "2024-06", ("2023-07", "2023-12"), ("2023-01", "2023-06"), "2024年上半年"),
        ("half", "2024H2", "2024-07", "2024-12", ("2024-01", "2024-06"), ("2023-07", "2023-12"), "2024年下半年"),
        ("year", "2024", "2024-01", "2024-12", ("2023-01", "2023-12"), ("2023-01", "2023-12"), "2024年"),
        ("range", "2024-02:2024-04", "2024-02", "2024-04", ("2023-11", "2024-01"), ("2023-02", "2023-04"), "2024年2月至4月"),
        ("ytd", "2024-08", "2024-01", "2024-08", ("2023-05", "2023-12"), ("2023-01", "2023-08"), "2024年1月至8月"),
    ],
)  # fmt: skip
def test_period_of_and_its_comparisons(kind, token, first, last, previous, year_ago, name) -> None:
    period = months.period_of(kind, token)
    assert (period.first, period.last, period.label) == (first, last, name)
    assert (period.previous().first, period.previous().last) == previous
    assert (period.year_ago().first, period.year_ago().last) == year_ago


def test_period_orders_its_ends_and_clips_to_loaded_months() -> None:
    assert months.Period("2024-05", "2024-02") == months.Period("2024-02", "2024-05")
    year = months.period_of("year", "2024")
    assert year.clip("2023-01", "2024-06") == months.Period("2024-01", "2024-06")
    assert year.clip("2025-01", "2025-03") is None
    assert months.Period("2024-01", "2024-03").span == "2024年1月–2024年3月"
    assert months.Period("2024-03", "2024-03").span == "2024年3月"
    assert months.Period("2023-11", "2024-02").length == 4


def test_period_options_newest_first_with_labels() -> None:
    assert months.period_options("month", "2023-11", "2024-01") == ["2024-01", "2023-12", "2023-11"]
    assert months.period_options("quarter", "2023-11", "2024-04") == ["2024Q2", "2024Q1", "2023Q4"]
    assert months.period_options("half", "2023-05", "2024-01") == ["2024H1", "2023H2", "2023H1"]
    assert months.period_options("year", "2023-05", "2024-01") == ["2024", "2023"]
    assert months.option_label("quarter", "2024Q3") == "2024年第三季度"
    assert months.option_label("half", "2023H2") == "2023年下半年"
    assert months.option_label("year", "2024") == "2024年"
    assert months.option_label("month", "2024-10") == "2024年10月"
    # 年初以来, the report's kind, runs up to a loaded month
    assert months.period_options("ytd", "2023-11", "2024-01") == ["2024-01", "2023-12", "2023-11"]
    assert months.option_label("ytd", "2024-08") == "2024年1月至8月"
    assert set(months.BROWSE_KINDS) | set(months.REPORT_KINDS) == set(months.PERIOD_KINDS)
    assert months.period_of("range", "2024-03:2024-03").label == "2024年3月"  # a report of a month


def test_year_to_date_and_trend_window() -> None:
    assert months.year_to_date("2024-05") == months.Period("2024-01", "2024-05")
    # a month shows the twelve months up to it, never before the first loaded month
    assert months.trend_window(months.Period("2024-03", "2024-03"), "2023-01") == (
        months.month_range("2023-04", "2024-03")
    )
    assert months.trend_window(months.Period("2023-03", "2023-03"), "2023-01") == [
        "2023-01",
        "2023-02",
        "2023-03",
    ]
    # a period of a year or longer is shown whole
    long = months.Period("2023-01", "2024-06")
    assert months.trend_window(long, "2023-01") == long.months
