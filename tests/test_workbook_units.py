"""units.py: certain conversions between a header's unit and the catalogue's."""

from __future__ import annotations

from decimal import Decimal

import pytest

from township_data.workbook.units import convert, normalize, percent_shown, scale, split_header


@pytest.mark.parametrize(
    ("header", "catalogue", "factor"),
    [
        ("万元", "元", Decimal(10000)),
        ("千元", "元", Decimal(1000)),
        ("亿元", "元", Decimal(10) ** 8),
        ("亿元", "万元", Decimal(10000)),
        ("十万元", "元", Decimal(100000)),
        ("元", "万元", Decimal("0.0001")),
        ("千米", "米", Decimal(1000)),
        ("公里", "米", Decimal(1000)),
        ("KM", "米", Decimal(1000)),
        ("km", "米", Decimal(1000)),
        ("厘米", "米", Decimal("0.01")),
        ("延米", "米", Decimal(1)),
        ("米", "公里", Decimal("0.001")),
        ("名", "人", Decimal(1)),
        ("人", "名", Decimal(1)),
        ("万人", "人", Decimal(10000)),
        ("％", "%", Decimal(1)),
        ("百分比", "%", Decimal(1)),
        ("‰", "%", Decimal("0.1")),
        ("件(箱)", "件（箱）", Decimal(1)),
        (" 户 ", "户", Decimal(1)),
        ("家次", "家次", Decimal(1)),
    ],
)
def test_certain_conversions(header: str, catalogue: str, factor: Decimal) -> None:
    assert convert(header, catalogue) == factor


@pytest.mark.parametrize(
    ("header", "catalogue"),
    [
        ("户", "人"),
        ("人次", "人"),
        ("万人次", "人"),
        ("次", "处"),
        ("个", "处"),
        ("家", "家次"),
        ("元", "米"),
        ("万元", "人"),
        ("%", "人"),
        ("件", "件（箱）"),
        ("台", "台次"),
        ("万万元", "元"),
    ],
)
def test_different_things_have_no_factor(header: str, catalogue: str) -> None:
    assert convert(header, catalogue) is None


def test_scale_in_decimal_gives_what_the_clerk_typed() -> None:
    assert 0.07 * 10000 != 700.0  # binary floating point
    assert scale(0.07, Decimal(10000)) == 700.0
    assert scale(1.5, convert("万元", "元")) == 15000.0
    assert scale(2500.0, convert("元", "万元")) == 0.25
    assert scale(3.0, Decimal(1)) == 3.0


@pytest.mark.parametrize(
    ("stored", "shown"), [(0.955, 95.5), (0.1, 10.0), (1.0, 100.0), (0.0, 0.0), (0.0123, 1.23)]
)
def test_percent_shown(stored: float, shown: float) -> None:
    assert percent_shown(stored) == shown


def test_normalize_folds_width_case_spaces_and_synonyms() -> None:
    assert normalize(" ＫＭ ") == "千米"
    assert normalize("件（箱）") == "件(箱)"
    assert normalize("名") == "人"


@pytest.mark.parametrize(
    ("header", "parts"),
    [
        ("临时救助金额（万元）", ("临时救助金额", "万元")),
        ("临时救助金额(万元)", ("临时救助金额", "万元")),
        ("收缴物品（件（箱））", ("收缴物品", "件(箱)")),
        ("检查生产经营单位 （家次）", ("检查生产经营单位", "家次")),
        ("家庭医生签约率", ("家庭医生签约率", None)),
        ("（人）", ("(人)", None)),
        ("名称（）", ("名称", None)),
    ],
)
def test_split_header(header: str, parts: tuple[str, str | None]) -> None:
    assert split_header(header) == parts
