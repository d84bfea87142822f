"""The county deployment run as a whole: Debian's nginx with the site configuration of docs/deploy.md
(rendered from township_data/nginx.conf.template), three `streamlit run` processes on one
PostgreSQL database, and browsers going through nginx over HTTPS.

A county admin signs in (the county's accounts are in that database), uploads a monthly workbook
and sees its figures; a browser held by another process sees them too (one database). Then the
first browser's process is stopped: the other browser's session goes on undisturbed (its choices
are still there on the next page), and the first browser, reloaded, is served by a remaining
process with the same data, still signed in.

nginx runs as this test's own process with its configuration, pid file, logs and temporary files
in a temporary folder (`nginx -p`), on a free port above 1024, stopped by its PID.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from tests.conftest import second_township_catalogue
from township_data import accounts, config, roles
from township_data.catalogue import load_catalogues
from township_data.deployment import Site, render_nginx
from township_data.store import dispose_engines

from .conftest import _FOREIGN_SETTINGS
from .driver import ARTIFACTS, ROOT, errors_on, settle
from .sheets import column, rows

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

PROCESSES = 3
ADMIN, PASSWORD = "县管", "县里的密码-2024"
WORKBOOK = ROOT / "sample_data" / "2024-12.xlsx"
AREA, INDICATOR = "安全生产", "检查生产经营单位"
# One log line per request: the sticky key nginx hashed, and the app process that answered.
_LOG_FORMAT = "log_format township '$township_backend|$upstream_addr|$status|$request';"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _nginx() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else "")
    if not found:
        message = "nginx is missing: run `bash .ci/install-system-deps`"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message)
        pytest.skip(message)
    return found


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


@dataclass
class County:
    url: str
    apps: dict[str, subprocess.Popen]  # "127.0.0.1:port" -> its streamlit process
    access_log: Path

    def backend_of(self, page: Page) -> str:
        """The app process nginx sends this browser to (its sticky cookie, in the access log)."""
        cookie = next(c["value"] for c in page.context.cookies() if c["name"] == "township_backend")
        answered = [
            fields[1].split(",")[-1].strip()
            for fields in (line.split("|") for line in self.access_log.read_text().splitlines())
            if fields[0] == cookie and fields[1] != "-"
        ]
        assert answered, f"no request of {cookie} in the access log"
        return answered[-1]


@pytest.fixture
def county_database(postgres_server: str) -> Iterator[str]:
    """An empty database of its own on the test cluster (the county's one PostgreSQL)."""
    name = f"county_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(postgres_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    try:
        yield sa.engine.make_url(postgres_server).set(database=name).render_as_string(False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.dispose()


def _start_apps(folder: Path, database: str) -> dict[str, subprocess.Popen]:
    """Three app processes as the systemd unit of docs/deploy.md starts them, sharing one database."""
    catalogues = folder / "catalogues"
    catalogues.mkdir()
    (catalogues / "1_tanwan.toml").write_bytes(config.DEFAULT_CATALOGUE.read_bytes())
    (catalogues / "2_shiqiao.toml").write_text(second_township_catalogue(), encoding="utf-8")
    found = load_catalogues(catalogues)
    book = accounts.book(database, found, folder / "data" / config.EDITORS_FILE_NAME)
    book.save(accounts.make_account(ADMIN, PASSWORD, roles.COUNTY, found))
    dispose_engines()
    env = {k: v for k, v in os.environ.items() if k not in _FOREIGN_SETTINGS}
    env.update(
        TOWNSHIP_DATABASE_URL=database,
        TOWNSHIP_CATALOGUE=str(catalogues),
        TOWNSHIP_NO_SAMPLE="1",
        TOWNSHIP_DATA_DIR=str(folder / "data"),
        STREAMLIT_SERVER_COOKIE_SECRET=uuid.uuid4().hex,  # the same on every process
    )
    apps = {}
    for number in range(PROCESSES):
        port = _free_port()
        log = (ARTIFACTS / f"county-app-{number}.log").open("w", encoding="utf-8")
        apps[f"127.0.0.1:{port}"] = subprocess.Popen(
            [
                *(sys.executable, "-m", "streamlit", "run", "app.py"),
                *("--server.port", str(port), "--server.address", "127.0.0.1"),
                *("--server.headless", "true", "--browser.gatherUsageStats", "false"),
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    for address, process in apps.items():
        _wait_for(f"http://{address}/_stcore/health", process)
    return apps


def _wait_for(url: str, process: subprocess.Popen, attempts: int = 600) -> None:
    for _ in range(attempts):
        assert process.poll() is None, f"{process.args} exited with {process.returncode}"
        try:
            context = ssl._create_unverified_context()  # the test's self-signed certificate
            with urllib.request.urlopen(url, timeout=2, context=context) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"{url} did not answer")


def _nginx_config(prefix: Path, ports: list[int], listen: int) -> Path:
    """nginx.conf for `nginx -p prefix`: the site of docs/deploy.md inside a main file of the test's own,
    with pid, logs and temporary files in `prefix` (Debian's /etc/nginx/nginx.conf does this part
    on a server)."""
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=127.0.0.1", "-keyout", str(prefix / "key.pem")),
            *("-out", str(prefix / "cert.pem")),
        ],
        check=True,
        capture_output=True,
    )
    site = Site(
        ports=ports,
        server_name="127.0.0.1",
        listen=f"127.0.0.1:{listen}",
        certificate=str(prefix / "cert.pem"),
        certificate_key=str(prefix / "key.pem"),
    )
    (prefix / "township.conf").write_text(render_nginx(site), encoding="utf-8")
    temp = "".join(
        f"    {kind}_temp_path {prefix / kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    main = (
        ("user root;\n" if os.geteuid() == 0 else "")  # workers must reach the temporary folder
        + f"pid {prefix / 'nginx.pid'};\nerror_log {prefix / 'error.log'} info;\n"
        + "worker_processes 1;\nevents { worker_connections 512; }\nhttp {\n"
        + f"    {_LOG_FORMAT}\n    access_log {prefix / 'access.log'} township;\n{temp}"
        + f"    include {prefix / 'township.conf'};\n}}\n"
    )
    path = prefix / "nginx.conf"
    path.write_text(main, encoding="utf-8")
    return path


@pytest.fixture
def county(tmp_path: Path, county_database: str) -> Iterator[County]:
    nginx = _nginx()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    apps = _start_apps(tmp_path, county_database)
    proxy = None
    try:
        listen = _free_port()
        ports = [int(address.rsplit(":", 1)[1]) for address in apps]
        conf = _nginx_config(prefix, ports, listen)
        check = subprocess.run(
            [nginx, "-t", "-p", str(prefix), "-c", str(conf)], capture_output=True, text=True
        )
        assert check.returncode == 0, check.stderr
        proxy = subprocess.Popen(
            [nginx, "-p", str(prefix), "-c", str(conf), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"https://127.0.0.1:{listen}"
        _wait_for(f"{url}/_stcore/health", proxy)
        yield County(url, apps, prefix / "access.log")
    finally:
        if proxy is not None:
            _stop(proxy)
            shutil.copy(prefix / "error.log", ARTIFACTS / "county-nginx-error.log")
        for process in apps.values():
            _stop(process)


def _browser_page(browser) -> Page:
    context = browser.new_context(
        viewport={"width": 1366, "height": 900},
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        ignore_https_errors=True,  # the test's self-signed certificate
    )
    context.set_default_timeout(90_000)
    return context.new_page()


def _open(page: Page, url: str) -> None:
    page.goto(url, wait_until="domcontentloaded")
    settle(page)
    assert errors_on(page) == []


def _expected_total() -> int:
    """The township's 检查生产经营单位 of the workbook's month, read with openpyxl alone."""
    ws = load_workbook(WORKBOOK)[AREA]
    col = column(ws, INDICATOR)
    return sum(int(ws.cell(r, col).value or 0) for place, r in rows(ws) if place != "全镇")


def _card(page: Page) -> str:
    card = page.get_by_test_id("stMetric").filter(has_text=INDICATOR)
    return card.get_by_test_id("stMetricValue").inner_text()


def _go(page: Page, label: str) -> None:
    """Go to another page by the sidebar link: a rerun in the same Streamlit session."""
    page.get_by_test_id("stSidebar").get_by_role("link", name=label).click()
    settle(page)
    assert errors_on(page) == []


def test_three_processes_behind_nginx_share_data_and_survive_one_stopping(
    county: County, browser
) -> None:
    uploader = _browser_page(browser)
    _open(uploader, f"{county.url}/shangchuan")
    first = county.backend_of(uploader)
    viewers = []
    for _ in range(12):  # nginx picks a process at random for a new browser
        viewer = _browser_page(browser)
        _open(viewer, county.url)
        viewers.append(viewer)
        if county.backend_of(viewer) != first:
            break
    other = viewers[-1]
    assert county.backend_of(other) != first, "nginx sent every new browser to one process"
    for extra in viewers[:-1]:
        extra.context.close()
    expect(other.get_by_text("还没有任何数据")).to_be_visible()

    uploader.get_by_label("姓名").fill(ADMIN)
    uploader.get_by_label("密码").fill(PASSWORD)
    uploader.get_by_role("button", name="登录").click()
    signed_in = f"已登录：{ADMIN}（县级管理员·全县）"
    expect(uploader.get_by_test_id("stSidebar").get_by_text(signed_in)).to_be_visible()
    settle(uploader)

    uploader.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(WORKBOOK)
    expect(uploader.get_by_text("校验通过")).to_be_visible(timeout=90_000)
    settle(uploader)
    uploader.get_by_role("button", name="确认导入").click()
    link = uploader.get_by_role("link", name=f"查看{AREA}")
    expect(link).to_be_visible(timeout=90_000)
    link.click()
    settle(uploader)
    total = f"{_expected_total():,} 家次"
    assert _card(uploader) == total

    _go(other, AREA)  # another process, the same database
    assert _card(other) == total
    other.get_by_test_id("stButtonGroup").get_by_text("季度", exact=True).click()
    settle(other)
    assert "第四季度" in other.get_by_role("combobox", name="季度").input_value()

    stopped = county.apps[first]
    stopped.send_signal(signal.SIGTERM)
    stopped.wait(timeout=30)
    _go(other, "党建引领")
    # The same session: the period chosen before the stop is still chosen on the next page.
    assert "第四季度" in other.get_by_role("combobox", name="季度").input_value()
    _go(other, AREA)
    assert "第四季度" in other.get_by_role("combobox", name="季度").input_value()
    assert re.search(r"\d", _card(other))

    _open(uploader, f"{county.url}/anquan")  # reloaded: served by a process still running
    assert county.backend_of(uploader) != first
    assert _card(uploader) == total
    # Still signed in: the sign-in is in the county's database, not in the stopped process.
    expect(uploader.get_by_test_id("stSidebar").get_by_text(signed_in)).to_be_visible()
    (cookie,) = [c for c in uploader.context.cookies() if c["name"] == config.LOGIN_COOKIE]
    assert cookie["secure"] and cookie["sameSite"] == "Strict"  # over HTTPS: Secure
