"""The packed slice format: reader rows → slices → stored text → the pages' tables, exactly."""

from __future__ import annotations

import importlib
import math

import numpy as np
import pandas as pd
import pytest

from township_data import metrics, packing
from township_data.catalogue import TOWN
from township_data.store import compare

# Two sheets of one workbook as the reader hands them over: 安全生产 March with a 全镇 row and
# a village that left a cell empty, 安全生产 April, and 党建引领 March.
ROWS: list[packing.SheetRow] = [
    ("安全生产", "2024-03", "酉庄村", "安全生产", {"检查": 10.0, "隐患": 4.0}, ["C2", "D2"]),
    ("安全生产", "2024-03", "蛇形村", "安全生产", {"检查": 11.0}, ["C3"]),
    ("安全生产", "2024-03", TOWN, "安全生产", {"整治": 2.0}, ["E4"]),
    ("安全生产", "2024-04", "酉庄村", "安全生产", {"检查": 0.1, "隐患": 3.5}, ["C5", "D5"]),
    ("党建引领", "2024-03", "酉庄村", "党建 ", {"会议": 1e-300}, ["C2"]),
]


def tidy(rows: list[packing.SheetRow]) -> list[tuple]:
    """The (area, indicator, village, month, value, sheet, cell) of every value, sorted."""
    return sorted(
        (area, name, village, month, value, sheet, cell)
        for area, month, village, sheet, values, cells in rows
        for (name, value), cell in zip(values.items(), cells, strict=True)
    )


def test_rows_become_slices_in_sheet_and_column_order() -> None:
    slices = packing.from_rows(ROWS)
    assert [(s.area, s.month, s.sheet) for s in slices] == [
        ("安全生产", "2024-03", "安全生产"),
        ("安全生产", "2024-04", "安全生产"),
        ("党建引领", "2024-03", "党建 "),
    ]
    march = slices[0]
    assert march.villages == ["酉庄村", "蛇形村", TOWN]
    assert march.indicators == ["检查", "隐患", "整治"]
    # 未报 is NaN in the matrix, never 0
    assert np.array_equal(
        march.values,
        np.array([[10, 11, np.nan], [4, np.nan, np.nan], [np.nan, np.nan, 2]]),
        equal_nan=True,
    )
    assert march.cells == [["C2", "C3", None], ["D2", None, None], [None, None, "E4"]]
    assert march.value_count == 4
    assert march.rows() == {
        "酉庄村": {"检查": 10, "隐患": 4},
        "蛇形村": {"检查": 11},
        TOWN: {"整治": 2},
    }
    # rows that all hold every indicator are transposed as a whole: the same slice
    april = slices[1]
    assert april.values.tolist() == [[0.1], [3.5]] and april.cells == [["C5"], ["D5"]]


def test_stored_text_reads_back_bit_for_bit() -> None:
    for piece in packing.from_rows(ROWS):
        text = packing.encode(piece)
        assert text.pop("origins") is None  # every value is the slice's own version's
        assert all(isinstance(v, str) for v in text.values())
        names = packing.decode_names([text["villages"], text["indicators"], text["cells"]])
        assert names[:2] == [piece.villages, piece.indicators] and names[2] == piece.cells
        back = packing.decode_values(
            text["data"], len(piece.indicators), len(piece.villages)
        ).tobytes()
        assert back == piece.values.astype("<f8").tobytes()
    assert packing.decode_values(packing.encode_values(np.array([[0.1, 1e-300]])), 1, 2)[
        0, 1
    ] == pytest.approx(1e-300, rel=0)
    with pytest.raises(ValueError):
        packing.decode_values(packing.encode_values(np.zeros((2, 3))), 3, 3)


def test_the_long_table_holds_every_value_once_with_its_source() -> None:
    slices = packing.from_rows(ROWS)
    for piece in slices:
        piece.version_id, piece.file_name = 7, "三月.xlsx"
    frame = packing.long_frame(slices, sources=True)
    assert list(frame.columns) == [*packing.VALUES, *packing.SOURCES]
    assert str(frame["area"].dtype) == "str" and str(frame["value"].dtype) == "float64"
    got = sorted(
        zip(
            frame["area"],
            frame["indicator"],
            frame["village"],
            frame["month"],
            frame["value"],
            frame["sheet"],
            frame["cell"],
            strict=True,
        )
    )
    assert got == tidy(ROWS)
    assert set(frame["version_id"]) == {7} and set(frame["file_name"]) == {"三月.xlsx"}
    only = packing.long_frame(slices, indicators=["隐患"])
    assert list(only.columns) == packing.VALUES
    assert sorted(zip(only["village"], only["month"], only["value"], strict=True)) == [
        ("酉庄村", "2024-03", 4.0),
        ("酉庄村", "2024-04", 3.5),
    ]
    empty = packing.long_frame([], sources=True)
    assert empty.empty and list(empty.columns) == [*packing.VALUES, *packing.SOURCES]
    assert packing.long_frame(slices, indicators=[]).empty


def test_the_wide_table_has_a_row_per_village_and_month() -> None:
    slices = packing.from_rows(ROWS)[:2]
    wide = packing.wide_frame(slices, ["检查", "隐患", "没有的指标"])
    assert list(wide.columns) == ["month", "village", "检查", "隐患", "没有的指标"]
    rows = [
        tuple(None if isinstance(v, float) and math.isnan(v) else v for v in row)
        for row in wide.itertuples(index=False, name=None)
    ]
    assert rows == [
        ("2024-03", "酉庄村", 10.0, 4.0, None),
        ("2024-03", "蛇形村", 11.0, None, None),
        ("2024-03", TOWN, None, None, None),
        ("2024-04", "酉庄村", 0.1, 3.5, None),
    ]
    assert list(packing.wide_frame([], ["检查"]).columns) == ["month", "village", "检查"]


def test_totals_are_the_monthly_totals_of_the_values() -> None:
    slices = packing.from_rows(ROWS)
    kept = pd.DataFrame(packing.totals(slices), columns=metrics.TOTALS_COLUMNS)
    expected = metrics.monthly_totals(packing.long_frame(slices))
    pd.testing.assert_frame_equal(
        kept.sort_values(metrics.TOTALS_KEY, ignore_index=True), expected, check_dtype=False
    )
    march = kept.set_index(["area", "month", "indicator"]).loc[("安全生产", "2024-03")]
    assert (march.at["检查", "village_sum"], march.at["检查", "village_count"]) == (21, 2)
    # only the 全镇 row reported 整治: no village sum (not 0), its own value kept
    assert pd.isna(march.at["整治", "village_sum"]) and march.at["整治", "town_value"] == 2
    assert set(march["slice_villages"]) == {2}


def changed(old: list[packing.SheetRow], new: list[packing.SheetRow]) -> packing.ChangeCounts:
    return packing.count_changes(packing.from_rows(old), packing.from_rows(new))


def test_change_counts_label_values_as_compare_does() -> None:
    new = [
        # 检查 replaced, 隐患 left empty (改为未报), a new indicator (新增)
        ("安全生产", "2024-03", "酉庄村", "安全生产", {"检查": 12.0, "排查": 1.0}, ["C2", "F2"]),
        # unchanged
        ("安全生产", "2024-03", "蛇形村", "安全生产", {"检查": 11.0}, ["C3"]),
        # the 全镇 row left out entirely (改为未报); a new village (新增)
        ("安全生产", "2024-03", "杉林村", "安全生产", {"检查": 5.0}, ["C4"]),
    ]
    counts = changed(ROWS[:3], new)
    labels = compare(
        packing.long_frame(packing.from_rows(ROWS[:3])), packing.long_frame(packing.from_rows(new))
    )["change"].value_counts()
    assert counts == packing.ChangeCounts(
        added=int(labels["新增"]),
        replaced=int(labels["修改"]),
        removed=int(labels["改为未报"]),
        unchanged=int(labels["不变"]),
    )
    assert counts == packing.ChangeCounts(added=2, replaced=1, removed=2, unchanged=1)
    assert changed(ROWS, ROWS) == packing.ChangeCounts(unchanged=7)
    assert not changed(ROWS, ROWS).changes_anything
    # a slice that was not there before: every value is new
    assert changed([], ROWS[:1]) == packing.ChangeCounts(added=2)


def test_provisional_origins_are_numbered_with_their_versions() -> None:
    """A batch's k-th file marks its values -(k + 1) until the store numbers it; values of
    earlier versions keep theirs, and an origin the batch did not number stays as it was."""
    origins = np.array([[-1, -2, -3], [5, -2, -1]], dtype="int64")
    text = packing.encode_origins(origins, 11, {-1: 10, -2: 11})
    assert text is not None
    back = packing.decode_origins(text, 2, 3)
    assert back is not None and back.tolist() == [[10, 11, -3], [5, 11, 10]]
    assert packing.encode_origins(np.full((2, 2), -1, dtype="int64"), 7) is None  # all its own
    assert packing.encode_origins(np.full((1, 2), -2, dtype="int64"), 7, {-2: 7}) is None


def test_rows_come_back_from_their_slices() -> None:
    """rows_of is from_rows backwards: each row, its values and cells in column order."""
    slices = packing.from_rows(ROWS)
    order = [(0, 0), (0, 1), (0, 2), (1, 0), (2, 0)]
    columns = {"安全生产": ["检查", "隐患", "整治"], "党建引领": ["会议"]}
    assert packing.rows_of(slices, order, columns) == ROWS
    # a row whose first-named indicator comes later in its sheet still lists column order
    flipped = [("安全生产", "2024-05", "酉庄村", "安全生产", {"隐患": 1.0}, ["D2"])]
    flipped += [
        ("安全生产", "2024-05", "蛇形村", "安全生产", {"检查": 2.0, "隐患": 3.0}, ["C3", "D3"])
    ]
    pieces = packing.from_rows(flipped)
    assert pieces[0].indicators == ["隐患", "检查"]
    assert packing.rows_of(pieces, [(0, 0), (0, 1)], columns) == flipped


def _slice(villages, indicators, values, origins=None, cells=True) -> packing.Slice:
    """A slice of 安全生产 2024-03 (version 7); `cells` False: None, or [] as a slice stored
    without cells reads back."""
    grid = np.array(values, dtype="float64").reshape(len(indicators), len(villages))
    return packing.Slice(
        "安全生产",
        "2024-03",
        "安全生产",
        list(villages),
        list(indicators),
        grid,
        [[f"{n}{v}" for v in villages] for n in indicators] if cells else cells,
        7,
        "",
        None if origins is None else np.array(origins, dtype="int64").reshape(grid.shape),
    )


def test_a_file_changes_only_its_own_villages_in_its_own_columns() -> None:
    """Hand-worked: 酉庄村 sends 检查 12 (was 10) and leaves 排查 empty (was 3: now 未报);
    蛇形村 keeps everything; 隐患 is a column the file's sheet does not have."""
    nan = math.nan
    old = _slice(["酉庄村", "蛇形村"], ["检查", "排查", "隐患"], [10, 11, 3, 4, 1, 2])
    new = _slice(["酉庄村"], ["检查"], [12])
    merged, counts = packing.merge_counted(old, new, ["检查", "排查"], False, origin=-1)
    assert merged.villages == ["酉庄村", "蛇形村"]
    assert merged.indicators == ["检查", "排查", "隐患"]
    np.testing.assert_array_equal(merged.values, [[12, 11], [nan, 4], [1, 2]])
    np.testing.assert_array_equal(merged.origins, [[-1, 7], [-1, 7], [7, 7]])
    assert merged.cells == [
        ["检查酉庄村", "检查蛇形村"],
        [None, "排查蛇形村"],
        ["隐患酉庄村", "隐患蛇形村"],
    ]
    assert counts == packing.ChangeCounts(added=0, replaced=1, removed=1, unchanged=0)
    # the same file "以本表为准": 蛇形村 and the 隐患 column are gone, counted as removed
    replaced, counts = packing.merge_counted(old, new, ["检查", "排查"], True, origin=-1)
    assert (replaced.villages, replaced.indicators) == (["酉庄村"], ["检查"])
    assert counts == packing.ChangeCounts(added=0, replaced=1, removed=5, unchanged=0)


def test_a_new_villages_file_widens_the_slice() -> None:
    """杉林村 was not in the slice: its values are added, an indicator only it has becomes a
    row (empty for the others), a column it leaves empty adds no row."""
    nan = math.nan
    old = _slice(["酉庄村", "蛇形村"], ["检查"], [10, 11], origins=[3, 5])
    new = _slice(["杉林村"], ["检查", "隐患"], [9, 2])
    merged, counts = packing.merge_counted(old, new, ["检查", "隐患", "排查"], False, origin=-2)
    assert merged.villages == ["酉庄村", "蛇形村", "杉林村"]
    assert merged.indicators == ["检查", "隐患"]
    np.testing.assert_array_equal(merged.values, [[10, 11, 9], [nan, nan, 2]])
    np.testing.assert_array_equal(merged.origins, [[3, 5, -2], [-2, -2, -2]])
    assert merged.cells == [["检查酉庄村", "检查蛇形村", "检查杉林村"], [None, None, "隐患杉林村"]]
    assert counts == packing.ChangeCounts(added=2)


def test_a_slice_read_back_without_cells_merges_with_empty_cells() -> None:
    nan = math.nan
    old = _slice(["酉庄村", "蛇形村"], ["检查", "排查"], [10, 11, 3, 4], cells=[])
    for place, expected in (
        ("酉庄村", [[5, 11], [nan, 4]]),
        ("杉林村", [[10, 11, 5], [3, 4, nan]]),
    ):
        new = _slice([place], ["检查"], [5])
        merged, _ = packing.merge_counted(old, new, ["检查", "排查"], False)
        np.testing.assert_array_equal(merged.values, expected)
        assert merged.cells == [
            [f"检查{place}" if v == place else None for v in merged.villages],
            [None] * len(merged.villages),
        ]


def test_appending_villages_gives_what_the_general_merge_gives() -> None:
    """The shortcut for a file of villages new to the slice (`_appended`) against the general
    merge, over many random slices: values, cells, origins and counts alike."""
    # the module, not the function `packing.merge` its package exports under that name
    merging = importlib.import_module("township_data.packing.merge")
    rng = np.random.default_rng(13)
    names = ["甲", "乙", "丙", "丁", "戊"]
    places = [f"村{k}" for k in range(8)]
    for _ in range(300):
        cut = int(rng.integers(0, 7))
        old_villages, new_villages = places[:cut], places[cut : cut + int(rng.integers(1, 3))]
        old_names = list(rng.permutation(names)[: int(rng.integers(1, 5))])
        new_names = list(rng.permutation(names)[: int(rng.integers(1, 5))])
        columns = list(dict.fromkeys([*new_names, *rng.permutation(names)[:2]]))

        def grid(rows, cols):
            found = rng.integers(0, 9, (len(rows), len(cols))).astype(float)
            found[rng.random(found.shape) < 0.3] = np.nan
            return found

        old = _slice(
            old_villages,
            old_names,
            grid(old_names, old_villages),
            origins=rng.integers(1, 4, (len(old_names), len(old_villages))),
            cells=[True, None, []][int(rng.integers(0, 3))],
        )
        new = _slice(new_villages, new_names, grid(new_names, new_villages))
        order = list(dict.fromkeys([*new.indicators, *columns]))
        fast = merging._appended(old, new, order, -3)
        slow = merging._merged_over(old, new, order, -3)
        assert fast[0].villages == slow[0].villages
        assert fast[0].indicators == slow[0].indicators
        np.testing.assert_array_equal(fast[0].values, slow[0].values)
        np.testing.assert_array_equal(fast[0].origins, slow[0].origins)
        assert fast[0].cells == slow[0].cells
        assert fast[1] == slow[1]
