import pytest

from township_data import formatting


def test_numbers_units_and_missing() -> None:
    assert formatting.number(1234, "家次") == "1,234 家次"
    assert formatting.number(95.5, "%") == "95.5%"
    assert formatting.number(float("nan"), "人") == "未报"
    assert formatting.number(None) == "未报"
    assert formatting.signed(12, "起") == "+12 起"
    assert formatting.signed(-3.5, "%") == "-3.5%"
    assert formatting.signed(0) == "持平"
    assert formatting.signed(float("nan")) == ""
    assert formatting.percent_change(120, 100) == "+20%"
    assert formatting.percent_change(1, 0) == ""


NAN = float("nan")


@pytest.mark.parametrize(
    ("now", "before", "unit", "text"),
    [
        (12, 10, "家次", "+2 家次（+20%）"),
        (8, 12, "处", "-4 处（-33.3%）"),
        (3, 3, "次", "持平"),
        (3, 0, "次", "+3 次"),
        (1234.5, 1000, "元", "+234.5 元（+23.4%）"),
        (95.5, 94.3, "%", "+1.2 个百分点"),
        (80, 85, "%", "-5 个百分点"),
        (NAN, 3, "次", ""),
        (3, None, "次", ""),
    ],
)
def test_change_counts_and_rates(now, before, unit, text) -> None:
    assert formatting.change(now, before, unit) == text
