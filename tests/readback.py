"""Reading the app's downloads back, for tests: what a user would see on opening the file.

Kept out of the production modules, which only write these files.
"""

from __future__ import annotations

import io

import pandas as pd
from docx import Document

from township_data.downloads import MISSING


def read_back_xlsx(data: bytes, rows: int | None = None) -> pd.DataFrame:
    """Read a workbook written by `downloads.to_xlsx` (header on row 2).

    `rows` stops before the notes written under the table.
    """
    return pd.read_excel(
        io.BytesIO(data), header=1, engine="calamine", nrows=rows, na_values=[MISSING]
    )


def read_back_csv(data: bytes) -> pd.DataFrame:
    """Read a CSV written by `downloads.to_csv` (BOM, 未报)."""
    return pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", na_values=[MISSING])


def paragraphs_of(data: bytes) -> list[str]:
    """The text of every paragraph of a .docx."""
    return [p.text for p in Document(io.BytesIO(data)).paragraphs]
