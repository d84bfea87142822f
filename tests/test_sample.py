"""The sample workbooks: deterministic, committed as generated, complete and believable."""

from __future__ import annotations

import pandas as pd
import pytest

from township_data import config, metrics, months
from township_data.sample import load_into, sample_workbooks
from township_data.sample_events import CORRECTED_FILE, CORRECTIONS, SAMPLE_EVENTS, sample_events
from township_data.workbook import read_workbook


@pytest.fixture(scope="module")
def generated(catalogue) -> dict[str, bytes]:
    return sample_workbooks(catalogue)


@pytest.fixture(scope="module")
def values(generated, catalogue) -> pd.DataFrame:
    """Every month's values as first sent (the corrected June is compared on its own)."""
    frames = [
        read_workbook(data, name, catalogue).values
        for name, data in generated.items()
        if name != CORRECTED_FILE
    ]
    return pd.concat(frames, ignore_index=True)


def test_committed_sample_equals_generator(generated) -> None:
    committed = {p.name: p.read_bytes() for p in sorted(config.SAMPLE_DIR.glob("*.xlsx"))}
    assert sorted(committed) == sorted(generated)
    assert len(committed) == 25 and CORRECTED_FILE in committed  # 24 months, June re-sent
    for name, data in generated.items():
        assert committed[name] == data, (
            f"{name}: run `python -m township_data sample --out sample_data`"
        )


def test_every_indicator_and_month_present(values, catalogue) -> None:
    span = months.month_range(config.SAMPLE_FIRST_MONTH, config.SAMPLE_LAST_MONTH)
    assert sorted(values["month"].unique()) == span
    expected = {(i.area, i.name) for i in catalogue.all_indicators()}
    expected |= {(catalogue.contest.sheet, i.name) for i in catalogue.contest.columns}
    assert set(zip(values["area"], values["indicator"], strict=True)) == expected


def test_some_cells_are_not_reported(values, catalogue) -> None:
    safety = values[(values.area == "安全生产") & (values.indicator == "检查生产经营单位")]
    per_month = safety.groupby("month")["village"].nunique()
    assert (per_month < len(catalogue.village_names)).any()


def test_seasons(values, catalogue) -> None:
    town = metrics.town_monthly(values, catalogue)

    def monthly(name: str) -> pd.Series:
        return town[town.indicator == name].set_index("month")["value"]

    fireworks = monthly("查处非法烟花爆竹零售点")
    assert fireworks[["2024-01", "2024-02"]].sum() > 3 * fireworks[["2024-06", "2024-07"]].sum()
    # militia go out in the months of the sample's floods only (July 2023, two in June 2024)
    flood = monthly("抢险救灾出动民兵")
    assert list(flood[flood > 0].index) == ["2023-07", "2024-06"]
    enlisted = monthly("入伍")
    assert (
        enlisted[["2024-03", "2024-09"]].sum() > 0 and enlisted[["2024-05", "2024-11"]].sum() == 0
    )


def test_contest_has_ties_and_a_missing_village(values, catalogue) -> None:
    totals = values[(values.area == catalogue.contest.sheet) & (values.indicator == "总分")]
    tied_months = [m for m, g in totals.groupby("month") if g["value"].duplicated().any()]
    assert {"2023-08", "2024-03", "2024-06"} <= set(tied_months)
    may = totals[totals.month == "2024-05"]
    assert len(may) == len(catalogue.village_names) - 1


def test_load_into_imports_each_month_once(store, catalogue) -> None:
    assert load_into(store, catalogue) == 25
    assert store.is_sample() and len(store.history()) == 25
    assert load_into(store, catalogue) == 0
    # June has two versions of 安全生产 to compare and restore in 数据管理
    june = store.history().query("summary.str.contains('2024年6月')")
    assert list(june["file_name"]) == [CORRECTED_FILE, "2024-06.xlsx"]
    assert len(store.events()) == len(SAMPLE_EVENTS) == 16


def test_a_township_would_recognise_it(values, catalogue) -> None:
    town = metrics.town_monthly(values, catalogue)

    def monthly(name: str) -> pd.Series:
        return town[town.indicator == name].set_index("month")["value"]

    # 疫情防控 ends with its area (January 2023)
    assert set(values[values.area == "疫情防控"]["month"]) == {"2023-01"}
    # 中心组理论学习 at least once every month
    assert monthly("中心组理论学习").min() >= 1 and len(monthly("中心组理论学习")) == 24
    # magnitudes for 16 villages: a year's 兵役登记 and 入伍, the standing 基干民兵, 信访重点人员
    year = town[town.month.str.startswith("2024")].groupby("indicator")["value"].sum()
    assert 100 <= year["兵役登记"] <= 250 and 5 <= year["入伍"] <= 20
    assert 30 <= monthly("基干民兵").max() <= 60
    assert monthly("信访重点人员（五包一）").max() <= 20
    # the seed's own villages: its 产业基地 and its roadside planting
    bases = values[(values.indicator == "乡村振兴产业基地") & (values.value > 0)]
    assert set(bases["village"]) == {"酉庄村", "蛇形村", "杉林村"}
    planted = values[(values.indicator == "公路两边播种花籽及绿化") & (values.value > 0)]
    assert set(planted["village"]) == {"杨龙村", "杉林村", "石牌村"}


def test_a_black_list_village_climbs_after_its_pledge(values, catalogue) -> None:
    from township_data import ranking

    scores = ranking.score_table(values, catalogue)
    first = ranking.rank_quarter(scores, catalogue, "2024Q1")
    second = ranking.rank_quarter(scores, catalogue, "2024Q2")
    assert "荷塘村" in first.black and "荷塘村" in second.red
    pledge = [
        e for e in sample_events(catalogue) if e.kind == "表彰大会" and "荷塘村" in e.villages
    ]
    assert [e.date for e in pledge] == ["2024-04-11"]


def test_the_corrected_june(generated, catalogue) -> None:
    first = read_workbook(generated["2024-06.xlsx"], "2024-06.xlsx", catalogue).values
    fixed = read_workbook(generated[CORRECTED_FILE], CORRECTED_FILE, catalogue).values
    assert set(fixed["area"]) == {"安全生产"}
    key = ["village", "indicator"]
    before = first[first.area == "安全生产"].set_index(key)["value"]
    after = fixed.set_index(key)["value"]
    changed = (after - before.reindex(after.index).fillna(0)).loc[lambda d: d != 0]
    assert changed.to_dict() == {(v, n): float(x) for (v, n), x in CORRECTIONS.items()}
