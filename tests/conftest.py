"""Shared fixtures: the catalogue, a store in a temporary folder, workbooks built in memory."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from openpyxl import Workbook

from township_data import config
from township_data.catalogue import Catalogue, load_catalogue
from township_data.store import Store, dispose_engines, open_store

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue(config.DEFAULT_CATALOGUE)


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh data folder, also set as TOWNSHIP_DATA_DIR for code that reads the environment."""
    folder = tmp_path / "data"
    monkeypatch.setenv("TOWNSHIP_DATA_DIR", str(folder))
    monkeypatch.delenv("TOWNSHIP_DATABASE_URL", raising=False)
    yield folder
    dispose_engines()


@pytest.fixture
def store(data_dir: Path, catalogue: Catalogue) -> Store:
    return open_store(data_dir, catalogue)


Rows = list[list[object]]


def build_workbook(sheets: dict[str, Rows]) -> bytes:
    """A workbook with the given sheets, each a list of rows starting at A1."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def make_workbook() -> Callable[[dict[str, Rows]], bytes]:
    return build_workbook


@pytest.fixture
def app_test(data_dir: Path) -> Iterator[Callable[..., object]]:
    """Build an AppTest for a page (path relative to the project), with clean Streamlit caches.

    The data folder is fresh, so the first run imports the sample workbooks unless the test
    stored its own data first (then the store is not empty and no sample is loaded).
    """
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    st.cache_data.clear()
    st.cache_resource.clear()

    def make(page: str = "app.py", timeout: float = 120) -> AppTest:
        return AppTest.from_file(str(ROOT / page), default_timeout=timeout)

    yield make
    st.cache_data.clear()
    st.cache_resource.clear()


def build_huge_sheet(rows: int, dimension: str | None = None, cell: str = "B") -> bytes:
    """A real .xlsx whose 安全生产 sheet holds `rows` rows, written straight into the zip.

    Deflate squeezes a million such rows into about 5 MB: the zip-bomb shape the upload
    limits must refuse before the reader allocates the sheet.
    """
    import zipfile

    wb = Workbook()
    wb.active.title = "安全生产"
    wb.active["A1"] = "村（社区）"
    buffer = io.BytesIO()
    wb.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                target.writestr(info, source.read(info.filename))
                continue
            with target.open(info.filename, "w", force_zip64=True) as sheet:
                sheet.write(
                    b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns='
                    b'"http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                )
                if dimension:
                    sheet.write(f'<dimension ref="{dimension}"/>'.encode())
                sheet.write(b"<sheetData>")
                for start in range(1, rows + 1, 10_000):
                    sheet.write(
                        b"".join(
                            b'<row r="%d"><c r="%s%d"><v>1</v></c></row>' % (r, cell.encode(), r)
                            for r in range(start, min(start + 10_000, rows + 1))
                        )
                    )
                sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()
