"""The ranked table as the page shows it and as .xlsx/.csv files (contracts.md §3)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .. import downloads, formatting
from ..catalogue import Catalogue

if TYPE_CHECKING:  # the Styler needs Jinja2; only the page styles tables, the CLI never does
    from pandas.io.formats.style import Styler

from .rank import Ranking
from .scores import BLACK, BOARD, CHANGE, MONTHS_SCORED, RANK, RED, VILLAGE

SIGNED_FORMAT = "+0;-0;0"


ROW_COLOURS = {RED: "#FCE4E4", BLACK: "#D9D9D9"}


UP_COLOUR, DOWN_COLOUR = "#C00000", "#2E7D32"


def row_fills(ranking: Ranking) -> dict[int, object]:
    """Row position → shading of the 红榜 and 黑榜 rows in the .xlsx download."""
    fills = {RED: downloads.RED_FILL, BLACK: downloads.BLACK_FILL}
    return {i: fills[b] for i, b in enumerate(ranking.table[BOARD]) if b in fills}


def to_xlsx(ranking: Ranking, catalogue: Catalogue) -> bytes:
    """The ranked table as a styled workbook: title row, frozen header, shaded lists."""
    return downloads.to_xlsx(
        ranking.table,
        ranking.title(catalogue),
        sheet_name=f"{ranking.label}排名",
        row_fills=row_fills(ranking),
        notes=list(ranking.notes),
        blank=(CHANGE, MONTHS_SCORED),
        number_formats={CHANGE: SIGNED_FORMAT},
    )


def to_csv(ranking: Ranking) -> bytes:
    """The ranked table as CSV with a BOM; an empty 较上期名次变化 stays empty."""
    return downloads.to_csv(ranking.table, blank=(CHANGE, MONTHS_SCORED))


def file_name(ranking: Ranking, catalogue: Catalogue, suffix: str) -> str:
    return f"{ranking.title(catalogue)}{suffix}"


def arrow(change: object) -> str:
    """↑2 / ↓1 / 持平, and '' where there was no previous rank."""
    if formatting.is_missing(change) or change is pd.NA:
        return ""
    value = int(change)  # type: ignore[call-overload]
    if value > 0:
        return f"↑{value}"
    if value < 0:
        return f"↓{-value}"
    return "持平"


def display_table(
    table: pd.DataFrame, digits: int = 1, fewer: dict[str, int] | None = None
) -> pd.DataFrame:
    """The ranked table as the page shows it: 未报 for missing scores, arrows for movement.

    Works on the table itself and on a download read back with pandas, so tests can check
    that the files hold exactly what the page shows. `fewer` (Ranking.fewer_months) marks
    those villages' names '东岸社区（仅评2个月）' for the eye; files keep the plain name.
    """
    shown = pd.DataFrame(index=table.index)
    for column in table.columns:
        data = table[column]
        if column == VILLAGE and fewer:
            shown[column] = [
                f"{v}（仅评{fewer[v]}个月）" if v in fewer else str(v)
                for v in data.astype("object")
            ]
        elif column == MONTHS_SCORED:
            shown[column] = ["" if pd.isna(v) else str(int(v)) for v in data.astype("object")]
        elif column == RANK:
            shown[column] = [
                formatting.MISSING if pd.isna(v) else str(int(v)) for v in data.astype("object")
            ]
        elif column == CHANGE:
            shown[column] = [arrow(v) for v in data.astype("object")]
        elif column in (VILLAGE, BOARD):
            shown[column] = ["" if pd.isna(v) else str(v) for v in data.astype("object")]
        else:
            shown[column] = [
                formatting.number(None if pd.isna(v) else float(v), digits=digits, fixed=True)
                for v in data.astype("object")
            ]
    return shown.astype("str").reset_index(drop=True)


def style_table(shown: pd.DataFrame) -> Styler:
    """Shade 红榜 and 黑榜 rows, colour the arrows (up red, down green, as offices mark them)."""

    def shade(table: pd.DataFrame) -> pd.DataFrame:
        # One call for the whole table: a county ranks 500 villages.
        colours = table[BOARD].map(ROW_COLOURS)
        css = ("background-color: " + colours).where(colours.notna(), "")
        return pd.DataFrame(
            np.repeat(css.to_numpy(dtype=object)[:, None], table.shape[1], axis=1),
            index=table.index,
            columns=table.columns,
        )

    def arrows(value: str) -> str:
        if value.startswith("↑"):
            return f"color: {UP_COLOUR}; font-weight: bold"
        if value.startswith("↓"):
            return f"color: {DOWN_COLOUR}; font-weight: bold"
        return ""

    def board(value: str) -> str:
        if value == RED:
            return f"color: {UP_COLOUR}; font-weight: bold"
        return "font-weight: bold" if value == BLACK else ""

    return (
        shown.style.apply(shade, axis=None).map(arrows, subset=[CHANGE]).map(board, subset=[BOARD])
    )
