"""安全生产's hazards: found and fixed per month, the rectification rate and the backlog."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .figures import select_villages

# The indicators the township named for each safety trend; one missing from the catalogue is
# simply left out of its chart.
SAFETY_AREA = "安全生产"


SAFETY_INSPECTION = ("专项隐患排查整治", "检查生产经营单位", "联合集中整治行动", "检查车辆")


SAFETY_FOUND, SAFETY_FIXED = "排查安全隐患", "已整改安全隐患"


SAFETY_ENFORCEMENT = ("查处非法营运", "查处交通违法", "查处非法烟花爆竹零售点", "扣押非法烟花爆竹")


SAFETY_TRAINING = ("安全知识培训讲座和现场演练", "观看安全警示教育片")


def hazards(
    values: pd.DataFrame,
    found: str,
    fixed: str,
    month_list: Sequence[str],
    villages: Sequence[str] | None = None,
    area: str = SAFETY_AREA,
) -> pd.DataFrame:
    """Hazards found and rectified per month, the rectification rate and the open backlog.

    found / fixed are the month's sums of every reported figure. The rate and the backlog use
    only rows (village, month) where both were reported, so a missing 整改 figure is not read as
    "nothing rectified": rate = rectified ÷ found × 100; backlog = found − rectified added up
    from the first month holding data to each month. Index: month_list.
    """
    cut = select_villages(values[values["area"] == area], villages)
    cut = cut[cut["indicator"].isin([found, fixed])]
    wide = cut.pivot_table(
        index=["month", "village"], columns="indicator", values="value", aggfunc="first"
    ).reindex(columns=[found, fixed])
    return _hazard_table(
        wide.index.get_level_values("month"),
        wide[found].to_numpy(dtype="float64"),
        wide[fixed].to_numpy(dtype="float64"),
        month_list,
    )


def hazards_from_wide(
    wide: pd.DataFrame, found: str, fixed: str, month_list: Sequence[str]
) -> pd.DataFrame:
    """`hazards` of the whole township from the safety sheet's rows as kept (Store.wide: month,
    village, one column per indicator): a county's ten years without unpacking and pivoting."""
    return _hazard_table(
        wide["month"],
        wide[found].to_numpy(dtype="float64"),
        wide[fixed].to_numpy(dtype="float64"),
        month_list,
    )


def _hazard_table(
    row_months: Sequence[str],
    found: np.ndarray,
    fixed: np.ndarray,
    month_list: Sequence[str],
) -> pd.DataFrame:
    """The `hazards` table from one (found, fixed) pair per (month, village) row."""
    codes, names = pd.factorize(np.asarray(row_months, dtype=object))
    count = len(names)

    def per_month(values: np.ndarray, rows: np.ndarray) -> pd.Series:
        """Sum per month over `rows`, NaN for a month without any of them."""
        sums = np.bincount(codes[rows], weights=values[rows], minlength=count)
        seen = np.bincount(codes[rows], minlength=count) > 0
        return pd.Series(np.where(seen, sums, np.nan), index=list(names), dtype="float64")

    both = ~np.isnan(found) & ~np.isnan(fixed)
    sums_found, sums_fixed = per_month(found, ~np.isnan(found)), per_month(fixed, ~np.isnan(fixed))
    history = sorted(set(names) | set(month_list))
    paired_found = per_month(found, both).reindex(history)
    paired_fixed = per_month(fixed, both).reindex(history)
    backlog = (paired_found - paired_fixed).cumsum(skipna=True)
    backlog[paired_found.isna()] = float("nan")
    out = pd.DataFrame(
        {
            "found": sums_found.reindex(list(month_list)),
            "fixed": sums_fixed.reindex(list(month_list)),
            "paired_found": paired_found.reindex(list(month_list)),
            "paired_fixed": paired_fixed.reindex(list(month_list)),
            "backlog": backlog.reindex(list(month_list)),
        },
        index=list(month_list),
    ).astype("float64")
    out["rate"] = (out["paired_fixed"] / out["paired_found"] * 100).where(out["paired_found"] > 0)
    out.index.name = "month"
    return out


def rectification_rate(table: pd.DataFrame) -> float:
    """Rectified ÷ found × 100 over the rows of a `hazards` table (paired figures), NaN if none."""
    found = table["paired_found"].sum(min_count=1)
    if pd.isna(found) or found == 0:
        return float("nan")
    return float(table["paired_fixed"].sum() / found * 100)
