"""人居环境打擂: monthly and quarterly ranks, 红榜/黑榜, movement, streaks (contracts.md §3).

Everything here works on the small score table (one row per month and village, one column per
score item and 总分) built once per store revision from the tidy values, so the page, the
command line and the bulletin rank the same way. Rules kept in one place:

- Totals are compared to 0.01 分 (the precision the sheet and the tables carry): equal totals
  share a rank and the next rank skips (1, 2, 2, 4).
- A village with no 总分 in a period is 未报: listed after the ranked villages, never ranked last.
- 红榜 is every village whose rank is within the top N, 黑榜 every village within the bottom N
  counted from the last place; a tie at the edge therefore takes in all tied villages. When
  there are so few villages that the two lists meet, 红榜 wins.
- A quarter ranks by the mean monthly 总分 over the months a village was scored, rounded to 0.01
  before ranking so that two villages shown with the same mean share a rank.

scores (the score table and its months), rank (a month's or quarter's ranking), tables (the
ranked table as shown and downloaded), notices (streaks, warnings, why a village moved).
"""

from __future__ import annotations

from ..catalogue import TOTAL_SCORE
from .notices import (
    Movement,
    Notice,
    bottom_streaks,
    first_place_streaks,
    item_strengths,
    most_improved,
    movement,
    movement_display,
    notices,
    trajectory,
)
from .rank import Ranking, rank_month, rank_quarter
from .scores import (
    BLACK,
    BOARD,
    CHANGE,
    MONTH,
    MONTHS_SCORED,
    QUARTER,
    RANK,
    RED,
    VILLAGE,
    columns,
    month_summary,
    month_totals,
    monthly_ranks,
    score_table,
    scored_months,
    scored_quarters,
    scores_from_wide,
    stored_scores,
    village_order,
)
from .tables import (
    DOWN_COLOUR,
    ROW_COLOURS,
    SIGNED_FORMAT,
    UP_COLOUR,
    arrow,
    display_table,
    file_name,
    row_fills,
    style_table,
    to_csv,
    to_xlsx,
)

__all__ = [
    "BLACK",
    "BOARD",
    "CHANGE",
    "DOWN_COLOUR",
    "MONTH",
    "MONTHS_SCORED",
    "QUARTER",
    "RANK",
    "RED",
    "ROW_COLOURS",
    "SIGNED_FORMAT",
    "TOTAL_SCORE",
    "UP_COLOUR",
    "VILLAGE",
    "Movement",
    "Notice",
    "Ranking",
    "arrow",
    "bottom_streaks",
    "columns",
    "display_table",
    "file_name",
    "first_place_streaks",
    "item_strengths",
    "month_summary",
    "month_totals",
    "monthly_ranks",
    "most_improved",
    "movement",
    "movement_display",
    "notices",
    "rank_month",
    "rank_quarter",
    "row_fills",
    "score_table",
    "scored_months",
    "scored_quarters",
    "scores_from_wide",
    "stored_scores",
    "style_table",
    "to_csv",
    "to_xlsx",
    "trajectory",
    "village_order",
]
