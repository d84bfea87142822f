"""Every path and tunable setting, in one place.

Paths derive from this package's own location or from environment variables, never from the
current directory, so `streamlit run`, `python -m township_data` and pytest agree wherever they
are started.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent
SAMPLE_DIR = PROJECT_ROOT / "sample_data"
DEFAULT_DATA_DIR = PROJECT_ROOT / "data"
DEFAULT_CATALOGUE = PACKAGE_DIR / "catalogue.toml"
DEFAULT_REPORT_TEMPLATE = PACKAGE_DIR / "report_template.md"
# The county deployment's nginx site (township_data/deployment.py renders it; docs/deploy.md shows it).
NGINX_TEMPLATE = PACKAGE_DIR / "nginx.conf.template"
DATABASE_FILE_NAME = "township.sqlite3"
EDITORS_FILE_NAME = "editors.json"

# Limits checked on the zip archive before any sheet is parsed (a 70 KB upload can unpack to a
# million-row sheet). Generous for any township: 20 villages x 120 months is 2,400 rows.
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_SHEET_ROWS = 20_000
MAX_SHEET_COLUMNS = 300
MAX_ARCHIVE_ENTRIES = 2_000
# The reader allocates the whole used range (last row x last column) of a sheet, so one cell at
# XFD1048576 would ask for 17 billion cells: the range is bounded too (~120 MB at this size).
MAX_SHEET_CELLS = 2_000_000
# A single row's XML longer than this is not a monthly report row (300 cells of long text fit).
MAX_ROW_XML_BYTES = 16 * 1024 * 1024

# Seed of the sample workbooks, so `sample` writes the same files on every machine.
SAMPLE_SEED = 20240630
SAMPLE_FIRST_MONTH = "2023-01"
SAMPLE_LAST_MONTH = "2024-12"
SAMPLE_USER = "示例数据"

# Who is recorded for a browser import or restore when no editor is configured.
SINGLE_USER = "网页（单用户模式）"
# Import times are stored in UTC and shown in the office's time zone.
DISPLAY_TIMEZONE = "Asia/Shanghai"
# Editor sign-in: failed attempts per name before a pause, and the pause in seconds.
LOGIN_MAX_FAILURES = 5
LOGIN_LOCKOUT_SECONDS = 300
# A sign-in lasts a working day, across page refreshes (sessions.py): then sign in again.
LOGIN_SESSION_HOURS = 12
# The browser cookie holding a sign-in's random id (never the password, never in the URL).
LOGIN_COOKIE = "township_login"
# A county's own 打擂 rules for ranking its townships, beside the catalogues in their folder
# (county.py); not a township's catalogue.
COUNTY_RULES_FILE = "county.toml"


def login_to_view() -> bool:
    """TOWNSHIP_LOGIN_TO_VIEW=1: every page asks for a sign-in before it shows any data (an
    internet-facing server). Off by default: on an office network browsing needs no login."""
    return os.environ.get("TOWNSHIP_LOGIN_TO_VIEW", "").strip().lower() in (
        "1",
        "true",
        "yes",
        "on",
    )


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The data folder: an explicit override, else TOWNSHIP_DATA_DIR, else <project>/data."""
    if override:
        return Path(override).expanduser().resolve()
    env = os.environ.get("TOWNSHIP_DATA_DIR")
    if env:
        return Path(env).expanduser().resolve()
    return DEFAULT_DATA_DIR


def catalogue_path() -> Path:
    """The indicator catalogue: TOWNSHIP_CATALOGUE if set, else the file shipped in the package.

    A file is one township's catalogue. A folder holds one `*.toml` catalogue per township: a
    county's app then serves every township of the folder from one shared database.
    """
    env = os.environ.get("TOWNSHIP_CATALOGUE")
    return Path(env).expanduser().resolve() if env else DEFAULT_CATALOGUE


def report_template_path() -> Path:
    """The 工作总结 template: TOWNSHIP_REPORT_TEMPLATE if set, else the file shipped in the package."""
    env = os.environ.get("TOWNSHIP_REPORT_TEMPLATE")
    return Path(env).expanduser().resolve() if env else DEFAULT_REPORT_TEMPLATE


def database_url(data_folder: Path | None = None) -> str:
    """TOWNSHIP_DATABASE_URL for a shared server, else the SQLite file inside the data folder.

    An explicit data folder (the command line's --data-dir) always means its SQLite file.
    """
    env = os.environ.get("TOWNSHIP_DATABASE_URL")
    if env and data_folder is None:
        return normalise_url(env)
    folder = data_folder if data_folder is not None else data_dir()
    return f"sqlite:///{folder / DATABASE_FILE_NAME}"


def editors_path(data_folder: Path | None = None) -> Path:
    """The editors file (names and bcrypt hashes): TOWNSHIP_EDITORS_FILE, else in the data folder.

    It lives beside the database it protects, so one backup holds both and each deployment's
    TOWNSHIP_DATA_DIR has its own editors.
    """
    env = os.environ.get("TOWNSHIP_EDITORS_FILE")
    if env and data_folder is None:
        return Path(env).expanduser().resolve()
    folder = data_folder if data_folder is not None else data_dir()
    return folder / EDITORS_FILE_NAME


# The overview's "far behind last year": a monthly count since January at least this share
# worse than the same months last year, where last year's figure was at least BEHIND_MIN_BASE.
BEHIND_SHARE = 0.30
BEHIND_MIN_BASE = 10


def normalise_url(url: str) -> str:
    """A PostgreSQL address as hosting panels print it (postgres://, postgresql://) → psycopg 3.

    SQLAlchemy would pick psycopg2 for a bare postgresql://, which this project does not install.
    """
    url = url.strip()
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def display_url(url: str) -> str:
    """The database address for messages and logs, with any password masked."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url.rsplit("@", 1)[-1]
