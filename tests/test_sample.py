"""The sample workbooks: deterministic, committed as generated, complete and believable."""

from __future__ import annotations

import pandas as pd
import pytest

from township_data import config, metrics, months
from township_data.sample import load_into, sample_workbooks
from township_data.workbook import read_workbook


@pytest.fixture(scope="module")
def generated(catalogue) -> dict[str, bytes]:
    return sample_workbooks(catalogue)


@pytest.fixture(scope="module")
def values(generated, catalogue) -> pd.DataFrame:
    frames = [read_workbook(data, name, catalogue).values for name, data in generated.items()]
    return pd.concat(frames, ignore_index=True)


def test_committed_sample_equals_generator(generated) -> None:
    committed = {p.name: p.read_bytes() for p in sorted(config.SAMPLE_DIR.glob("*.xlsx"))}
    assert sorted(committed) == sorted(generated)
    assert len(committed) == 24
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
    flood = monthly("抢险救灾出动民兵")
    assert flood[["2024-06", "2024-07"]].min() > 0 and flood[["2024-01", "2024-11"]].max() == 0
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
    assert load_into(store, catalogue) == 24
    assert store.is_sample() and len(store.history()) == 24
    assert load_into(store, catalogue) == 0
