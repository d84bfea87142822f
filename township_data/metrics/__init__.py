"""Combining months and villages exactly as the catalogue says.

Over a period, monthly counts are added (sum), stocks and rates take their latest reported month
(last), and yearly plans are taken once per year (target). Across villages, counts are added and
rates averaged; the 全镇 row holds the township's own activities and is added once, never twice.
未报 stays missing (NaN) at every step: it is never counted as 0.

combine (months and villages into figures), status (who has reported), tables (the period
table a page shows and downloads), figures (cards, trends, village comparisons), safety (the
hazard backlog of 安全生产), plans (plan against actual, year to date).
"""

from __future__ import annotations

from .combine import (
    GROUP,
    SELECTED_TOTAL_ROW,
    TOTALS_COLUMNS,
    TOTALS_KEY,
    TOWN_LEVEL_ROW,
    TOWN_TOTAL_ROW,
    combine_months,
    contributing,
    in_period,
    monthly_totals,
    rules,
    town_figures,
    town_monthly,
    town_monthly_from_totals,
    township_rows,
)
from .figures import (
    HEADLINE_COLUMNS,
    Coverage,
    behind_last_year,
    by_year,
    coverage,
    cumulative_by_year,
    headline,
    headline_rows,
    headlines,
    monthly,
    monthly_wide,
    period_figures,
    select_villages,
    shown_indicators,
    village_month,
    village_values,
)
from .plans import PROGRESS_COLUMNS, Progress, progress, progress_table
from .safety import (
    SAFETY_AREA,
    SAFETY_ENFORCEMENT,
    SAFETY_FIXED,
    SAFETY_FOUND,
    SAFETY_INSPECTION,
    SAFETY_TRAINING,
    hazards,
    hazards_from_wide,
    rectification_rate,
)
from .status import (
    NOT_APPLICABLE,
    NOT_REPORTED,
    PARTIAL,
    REPORTED,
    missing_by_village,
    status_counts,
    status_from_counts,
    status_matrix,
    unreported,
    village_status,
)
from .tables import applicable, display_table, download_table, period_name, period_table

__all__ = [
    "GROUP",
    "HEADLINE_COLUMNS",
    "NOT_APPLICABLE",
    "NOT_REPORTED",
    "PARTIAL",
    "PROGRESS_COLUMNS",
    "REPORTED",
    "SAFETY_AREA",
    "SAFETY_ENFORCEMENT",
    "SAFETY_FIXED",
    "SAFETY_FOUND",
    "SAFETY_INSPECTION",
    "SAFETY_TRAINING",
    "SELECTED_TOTAL_ROW",
    "TOTALS_COLUMNS",
    "TOTALS_KEY",
    "TOWN_LEVEL_ROW",
    "TOWN_TOTAL_ROW",
    "Coverage",
    "Progress",
    "applicable",
    "behind_last_year",
    "by_year",
    "combine_months",
    "contributing",
    "coverage",
    "cumulative_by_year",
    "display_table",
    "download_table",
    "hazards",
    "hazards_from_wide",
    "headline",
    "headline_rows",
    "headlines",
    "in_period",
    "missing_by_village",
    "monthly",
    "monthly_totals",
    "monthly_wide",
    "period_figures",
    "period_name",
    "period_table",
    "progress",
    "progress_table",
    "rectification_rate",
    "rules",
    "select_villages",
    "shown_indicators",
    "status_counts",
    "status_from_counts",
    "status_matrix",
    "town_figures",
    "town_monthly",
    "town_monthly_from_totals",
    "township_rows",
    "unreported",
    "village_month",
    "village_status",
    "village_values",
]
