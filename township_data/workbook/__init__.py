"""The monthly workbook (contracts.md §1): read and validate it, write the blank template.

archive (what the file is, bounded before parsing), cells (one cell's value), sheet (one
sheet's header, columns and rows), reader (the whole workbook), template (the blank workbook).
"""

from ..gc_pause import gc_paused
from ..parsed import COLUMNS, ParsedWorkbook, to_frame
from .archive import SheetExtent, check_archive, sniff
from .cells import NOT_REPORTED, cell_name, parse_value
from .reader import TITLE, read_workbook
from .template import (
    carried_stocks,
    template_book,
    template_name,
    write_template,
    write_village_zip,
    zip_name,
)

__all__ = [
    "COLUMNS",
    "NOT_REPORTED",
    "TITLE",
    "ParsedWorkbook",
    "SheetExtent",
    "carried_stocks",
    "cell_name",
    "check_archive",
    "gc_paused",
    "parse_value",
    "read_workbook",
    "sniff",
    "template_book",
    "template_name",
    "to_frame",
    "write_template",
    "write_village_zip",
    "zip_name",
]
