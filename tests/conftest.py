"""Shared fixtures: the catalogue, a store in a temporary folder, workbooks built in memory."""

from __future__ import annotations

import io
import os
import sys
import types
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from openpyxl import Workbook

from township_data import config
from township_data.catalogue import Catalogue, load_catalogue
from township_data.store import Store, dispose_engines, open_store

from . import _postgres

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


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A PostgreSQL database for the session (see tests/_postgres.py).

    Skipped where PostgreSQL cannot be had, except in CI (CI=true), where that fails the run, so
    the PostgreSQL half of the store tests can never silently not run.
    """
    try:
        with _postgres.server() as url:
            yield url
    except _postgres.Unavailable as exc:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"PostgreSQL is required in CI: {exc}")
        pytest.skip(f"PostgreSQL unavailable: {exc}")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(
    request: pytest.FixtureRequest, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """An empty store's database on each engine: the data folder's SQLite file, then PostgreSQL.

    Also set as TOWNSHIP_DATABASE_URL, so command-line runs without --data-dir use it.
    """
    if request.param == "sqlite":
        url = config.database_url(data_dir)
        monkeypatch.setenv("TOWNSHIP_DATABASE_URL", url)
        yield url
        return
    with _postgres.fresh_schema(request.getfixturevalue("postgres_server")) as url:
        monkeypatch.setenv("TOWNSHIP_DATABASE_URL", url)
        yield url
        dispose_engines()


def start_processes(*processes: object) -> None:
    """Start multiprocessing processes (spawn) whose targets are functions of the test modules.

    Streamlit's AppTest leaves the page it ran registered as `__main__`, and spawn re-runs the
    parent's `__main__` in every child: the child would run app.py (importing the sample data
    into the test's database). A neutral `__main__` while starting keeps the children clean.
    """
    saved = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        for process in processes:
            process.start()
    finally:
        sys.modules["__main__"] = saved


SHIQIAO_VILLAGES = ["石桥社区", "柳溪村", "马鞍村", "双河村", "红岩村", "大坪村"]


def second_township_catalogue() -> str:
    """The shipped catalogue's text for another township: 石桥镇 with its own six villages."""
    text = config.DEFAULT_CATALOGUE.read_text(encoding="utf-8")
    text = text.replace('key = "tanwan"', 'key = "shiqiao"', 1)
    text = text.replace('name = "潭湾镇"', 'name = "石桥镇"', 1)
    head = text[: text.index("[[villages]]")]
    return head + "".join(f'[[villages]]\nname = "{v}"\n\n' for v in SHIQIAO_VILLAGES)


@pytest.fixture
def county_catalogues(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A county's catalogue folder (潭湾镇 and 石桥镇), set as TOWNSHIP_CATALOGUE."""
    folder = tmp_path / "catalogues"
    folder.mkdir()
    (folder / "1_tanwan.toml").write_bytes(config.DEFAULT_CATALOGUE.read_bytes())
    (folder / "2_shiqiao.toml").write_text(second_township_catalogue(), encoding="utf-8")
    monkeypatch.setenv("TOWNSHIP_CATALOGUE", str(folder))
    return folder


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
