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
