"""facts.py: the percent-format rule, references and SheetFacts."""

from __future__ import annotations

import pytest

from township_data.workbook.facts import (
    FactsError,
    SheetFacts,
    cell_key,
    column_letters,
    format_verdicts,
    is_percent_format,
    parse_range,
    parse_ref,
)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("0%", True),
        ("0.00%", True),
        ("0.0%", True),
        ("#,##0.0%", True),
        ("[Red]0.0%", True),
        ("[$-804]0.0%", True),
        ("0.0%;[Red]-0.0%", True),
        ("0%;0", True),  # positive numbers decide
        ("0;0%", False),
        ('0.00"%"', False),  # a quoted % is text: the cell shows the stored number
        ("0.00\\%", False),  # escaped, as LibreOffice writes it
        ('"完成率"0.0', False),
        ("0.0_%", False),  # padding the width of a %
        ("0*%", False),  # a repeated fill character
        ("[$%-804]0", False),
        ("General", False),
        ("@", False),
        ("0.00", False),
        ("[>=1]0;0%", None),  # conditional sections that disagree
        ("[<1]0.0%;0.0%", True),  # conditional sections that agree
    ],
)
def test_is_percent_format(code: str, expected: bool | None) -> None:
    assert is_percent_format(code) is expected


def test_format_verdicts_sorts_indexes_into_percent_and_unclear() -> None:
    percent, unclear = format_verdicts(["General", "0%", None, "[>1]0;0%", "0.00%", ""])
    assert percent == {1, 4}
    assert unclear == {3}


@pytest.mark.parametrize(
    ("col", "letters"), [(0, "A"), (25, "Z"), (26, "AA"), (701, "ZZ"), (702, "AAA"), (16383, "XFD")]
)
def test_column_letters_and_back(col: int, letters: str) -> None:
    assert column_letters(col) == letters
    assert parse_ref(f"{letters}7") == (6, col)


def test_parse_ref_accepts_lower_case_and_dollars() -> None:
    assert parse_ref("e4") == (3, 4)
    assert parse_ref("$E$4") == (3, 4)


@pytest.mark.parametrize("bad", ["", "4E", "E0", "ABCD1", "E-1"])
def test_parse_ref_refuses(bad: str) -> None:
    with pytest.raises(FactsError):
        parse_ref(bad)


def test_parse_range_orders_corners() -> None:
    assert parse_range("A1:D2") == (0, 0, 1, 3)
    assert parse_range("D2:A1") == (0, 0, 1, 3)
    assert parse_range("C3") == (2, 2, 2, 2)


def test_sheet_facts_answers_by_position() -> None:
    facts = SheetFacts(percent={cell_key(3, 4), cell_key(10, 2)}, unclear_percent={cell_key(1, 1)})
    assert facts.is_percent(3, 4)
    assert not facts.is_percent(4, 3)
    assert facts.percent_cells == {(3, 4), (10, 2)}
    assert facts.is_unclear_percent(1, 1)
    assert facts.unclear_percent_cells == {(1, 1)}
