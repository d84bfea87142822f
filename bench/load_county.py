"""The county deployment under load: P app processes on one store behind Debian's nginx.

    python bench/load.py --processes 1 2                 # 1, 10 and 40 users per process count
    python bench/load.py --processes 1 2 --users 1 10 --seconds 8 --warm-up 3

For the largest P it starts that many dashboard servers sharing one data folder (one SQLite store
in WAL mode): the first alone until its first run has imported the sample workbooks and it has
shown every page, then the others, each shown every page once. As many servers of the one-line
page (the floor, with the project's settings) start beside them. For each P, nginx serves the
site of docs/deploy.md, rendered from township_data/nginx.conf.template (`render_nginx`), with
the first P servers as its upstreams, over HTTPS with a throwaway self-signed certificate; it
runs as this script's child (`nginx -p` with a main configuration of its own) and is stopped by
its PID, as every server is, also on Ctrl-C or an error.

Each simulated user behaves as a browser: a GET of `/` whose answer sets the sticky
`township_backend` cookie, then the websocket upgrade carrying that cookie (so nginx keeps the
session on one process), then page after page as in bench/load.py. Per (P, app, users) it
reports views/s, p50/p95, errors, the cores each app process used, nginx's and the client's
cores, how the users spread over the processes (nginx's access log) and the views/s as a share
of P=1 and of the floor.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import signal
import ssl
import subprocess
import sys
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

from load import (
    EMPTY_PAGE,
    ROOT,
    TICKS,
    VIEW_TIMEOUT,
    Clock,
    Server,
    Session,
    View,
    _client_cpu,
    free_port,
    health,
    percentile,
    user,
    warm,
)

COOKIE = "township_backend"
# One access-log line per request: the sticky cookie it carried, the app process that answered.
LOG_FORMAT = "log_format township '$cookie_township_backend|$upstream_addr|$status|$request';"


# ------------------------------------------------------------------ processes and the proxy


class Cluster:
    """`count` servers of one app on one data folder; the first fills the store alone."""

    def __init__(
        self,
        name: str,
        app_dir: Path,
        env: dict[str, str],
        work: Path,
        options: list[str],
        count: int,
    ) -> None:
        self.name = name
        self.servers = [
            Server(f"{name}-{n}", app_dir, env, work / f"{name}-{n}.log", options)
            for n in range(1, count + 1)
        ]

    def start(self) -> dict[str, dict[str, float]]:
        """Start and warm the servers one after the other: the first run of the first imports
        the sample workbooks into the empty store, the others find it filled."""
        times = {}
        for server in self.servers:
            server.start()
            print(f"{server.name}: pid {server.pid}, port {server.port}; warm-up …", flush=True)
            times[server.name] = asyncio.run(warm(server))
        return times

    def stop(self) -> None:
        for server in self.servers:
            server.stop()


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else "")
    if not found:
        raise SystemExit("nginx is missing: run `bash .ci/install-system-deps`")
    return found


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A throwaway certificate for 127.0.0.1 (the template listens with TLS only)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


class Proxy:
    """Debian's nginx with the rendered site inside a main configuration of this script's own
    (pid, logs and temporary files in `prefix`; Debian's /etc/nginx/nginx.conf does this part
    on a server)."""

    def __init__(self, prefix: Path, ports: list[int], cert: Path, key: Path) -> None:
        from township_data.deployment import Site, render_nginx

        self.prefix, self.ports = prefix, ports
        self.port = free_port()
        self.access_log = prefix / "access.log"
        self.process: subprocess.Popen | None = None
        prefix.mkdir(parents=True)
        site = Site(
            ports=ports,
            server_name="127.0.0.1",
            listen=f"127.0.0.1:{self.port}",
            certificate=str(cert),
            certificate_key=str(key),
        )
        (prefix / "township.conf").write_text(render_nginx(site), encoding="utf-8")
        temp = "".join(
            f"    {kind}_temp_path {prefix / kind};\n"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        self.conf = prefix / "nginx.conf"
        self.conf.write_text(
            ("user root;\n" if os.geteuid() == 0 else "")  # workers must reach `prefix`
            + f"pid {prefix / 'nginx.pid'};\nerror_log {prefix / 'error.log'} warn;\n"
            + "worker_processes 1;\nevents { worker_connections 1024; }\nhttp {\n"
            + f"    {LOG_FORMAT}\n    access_log {self.access_log} township;\n{temp}"
            + f"    include {prefix / 'township.conf'};\n}}\n",
            encoding="utf-8",
        )

    def start(self, tls: ssl.SSLContext, timeout: float = 30.0) -> None:
        nginx = nginx_binary()
        base = [nginx, "-p", str(self.prefix), "-c", str(self.conf)]
        check = subprocess.run([*base, "-t"], capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError(f"nginx -t failed:\n{check.stderr}")
        self.process = subprocess.Popen(
            [*base, "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited:\n{(self.prefix / 'error.log').read_text()}")
            with contextlib.suppress(OSError, TimeoutError):
                status, _ = asyncio.run(https_get(self.port, "/_stcore/health", tls))
                if status == 200:
                    return
            time.sleep(0.2)
        raise RuntimeError(f"nginx did not answer on port {self.port}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.kill(self.process.pid, signal.SIGTERM)  # fast shutdown: master and workers
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=15)

    def cpu_seconds(self) -> float:
        """The master's and its workers' CPU."""
        assert self.process is not None
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return sum(_cpu_seconds(int(p)) for p in [pid, *children])

    def backends(self) -> dict[str, str]:
        """Sticky cookie -> the app process ("127.0.0.1:port") that served its websocket."""
        found = {}
        for line in self.access_log.read_text(encoding="utf-8").splitlines():
            cookie, upstream, _status, request = line.split("|", 3)
            if "/_stcore/stream" in request and upstream != "-":
                found[cookie] = upstream.split(",")[-1].strip()
        return found


def machine_busy_seconds() -> float:
    """CPU time the whole machine spent busy (every core, every process, /proc/stat): on a
    shared machine someone else's load takes cores the P processes would use."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, fields)
    return (user + nice + system + irq + softirq + steal) / TICKS


def _cpu_seconds(pid: int) -> float:
    with contextlib.suppress(OSError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS
    return 0.0


async def https_get(
    port: int, path: str, tls: ssl.SSLContext, timeout: float = VIEW_TIMEOUT
) -> tuple[int, list[str]]:
    """The status and the Set-Cookie values of a GET through nginx (the body is not read)."""
    reader, writer = await asyncio.wait_for(
        asyncio.open_connection("127.0.0.1", port, ssl=tls, server_hostname="127.0.0.1"), timeout
    )
    try:
        writer.write(
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode()
        )
        await writer.drain()
        status = int((await asyncio.wait_for(reader.readline(), timeout)).split()[1])
        cookies = []
        while (line := await asyncio.wait_for(reader.readline(), timeout)) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.strip().lower() == "set-cookie":
                cookies.append(value.strip())
        return status, cookies
    finally:
        writer.close()


def client_tls() -> ssl.SSLContext:
    """The simulated browsers accept the throwaway certificate."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


class BrowserSession(Session):
    """A tab opened through nginx: the first page load sets the sticky cookie, the websocket
    upgrade sends it back, as a browser does."""

    scheme = "https"

    def __init__(self, port: int, tls: ssl.SSLContext) -> None:
        super().__init__(port)
        self.tls = tls
        self.cookie = ""

    async def open(self) -> None:
        from websockets.asyncio.client import connect

        status, cookies = await https_get(self.port, "/", self.tls)
        sticky = [c.split(";", 1)[0] for c in cookies if c.startswith(f"{COOKIE}=")]
        if status != 200 or not sticky:
            raise RuntimeError(f"GET / answered {status} without a {COOKIE} cookie")
        self.cookie = sticky[0].split("=", 1)[1]
        self.ws = await connect(
            f"wss://127.0.0.1:{self.port}/_stcore/stream",
            ssl=self.tls,
            additional_headers={"Cookie": f"{COOKIE}={self.cookie}"},
            subprotocols=["streamlit"],
            origin=f"https://127.0.0.1:{self.port}",
            max_size=None,
            ping_interval=None,
            open_timeout=VIEW_TIMEOUT,
            proxy=None,
        )


# ------------------------------------------------------------------ one level of load


@dataclass
class CountyLevel:
    processes: int
    app: str
    users: int
    seconds: float
    views: int = 0
    views_per_s: float = 0.0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    max_ms: float = 0.0
    kb_per_view: float = 0.0
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    process_cores: list[float] = field(default_factory=list)
    nginx_cores: float = 0.0
    client_cores: float = 0.0
    other_cores: float = 0.0
    users_per_process: list[int] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)
    health_p95_ms: float = 0.0
    first_view_p50_ms: float = 0.0
    load_average: float = 0.0


async def watch(servers: list[Server], clock: Clock, rss: list[list[float]], waits: list[float]):
    """Every 0.5 s: each process's RSS, and one process's health check in turn (nginx's
    upstream check would ask each process directly)."""
    turn = 0
    while clock.running():
        for kept, server in zip(rss, servers, strict=True):
            kept.append(server.rss_mb())
        try:
            answer = await health(servers[turn % len(servers)].port, 30.0)
        except (OSError, TimeoutError):
            answer = None
        waits.append(30.0 if answer is None else answer)
        turn += 1
        await asyncio.sleep(0.5)


async def run_level(
    cluster: Cluster, proxy: Proxy, tls: ssl.SSLContext, users: int, args: argparse.Namespace
) -> CountyLevel:
    """`users` browsers through nginx at once; the views ending inside the window count."""
    servers = cluster.servers[: len(proxy.ports)]
    views: list[View] = []
    firsts: list[View] = []
    rss: list[list[float]] = [[] for _ in servers]
    waits: list[float] = []
    marks: list[tuple[list[float], float, float, float]] = []
    clock = Clock(users, args.warm_up, args.seconds)
    sessions = [BrowserSession(proxy.port, tls) for _ in range(users)]

    def mark() -> None:
        apps = [s.cpu_seconds() for s in servers]
        marks.append((apps, proxy.cpu_seconds(), _client_cpu(), machine_busy_seconds()))

    await asyncio.gather(
        clock.open_window(mark),
        watch(servers, clock, rss, waits),
        *(user(s, i, clock, views, firsts) for i, s in enumerate(sessions)),
    )
    await asyncio.sleep(0.5)  # nginx logs a websocket once it has closed
    served = proxy.backends()
    where = [served.get(s.cookie, "") for s in sessions]
    seconds = args.seconds
    (apps_0, nginx_0, client_0, busy_0), (apps_1, nginx_1, client_1, busy_1) = marks
    ours = sum(apps_1) - sum(apps_0) + nginx_1 - nginx_0 + client_1 - client_0
    good = [v for v in views if clock.counts(v) and not v.error]
    times = [v.seconds * 1000 for v in good]
    errors = [v.error for v in (*firsts, *views) if v.error]
    return CountyLevel(
        processes=len(servers),
        app=cluster.name,
        users=users,
        seconds=seconds,
        views=len(good),
        views_per_s=len(good) / seconds,
        p50_ms=percentile(times, 0.5),
        p95_ms=percentile(times, 0.95),
        max_ms=max(times, default=0.0),
        kb_per_view=sum(v.bytes for v in good) / max(len(good), 1) / 1024,
        errors=len(errors),
        error_samples=sorted(set(errors))[:5],
        process_cores=[(b - a) / seconds for a, b in zip(apps_0, apps_1, strict=True)],
        nginx_cores=(nginx_1 - nginx_0) / seconds,
        client_cores=(client_1 - client_0) / seconds,
        other_cores=max(busy_1 - busy_0 - ours, 0.0) / seconds,
        users_per_process=[where.count(f"127.0.0.1:{p}") for p in proxy.ports],
        rss_mb=[max(kept, default=0.0) for kept in rss],
        health_p95_ms=percentile(waits, 0.95) * 1000,
        first_view_p50_ms=percentile([v.seconds * 1000 for v in firsts], 0.5),
        load_average=os.getloadavg()[0],
    )


# ------------------------------------------------------------------ the whole run and its table


def measure(args: argparse.Namespace, work: Path) -> dict:
    """Both clusters started once for the largest P; for each P an nginx per cluster in front
    of its first P servers, the levels run in turn, the floor and the dashboard interleaved."""
    if str(ROOT) not in sys.path:  # township_data, for the site's template
        sys.path.insert(0, str(ROOT))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TOWNSHIP_", "STREAMLIT_"))}
    env["TOWNSHIP_DATA_DIR"] = str(work / "data")  # one store for every dashboard process
    env["STREAMLIT_SERVER_COOKIE_SECRET"] = uuid.uuid4().hex  # the same on every process
    floor_dir = work / "empty_app"
    (floor_dir / ".streamlit").mkdir(parents=True)
    (floor_dir / "app.py").write_text(EMPTY_PAGE, encoding="utf-8")
    shutil.copy(ROOT / ".streamlit" / "config.toml", floor_dir / ".streamlit" / "config.toml")
    most = max(args.processes)
    clusters = [
        Cluster("empty", floor_dir, env, work, args.set, most),
        Cluster("dashboard", ROOT, env, work, args.set, most),
    ]
    cert, key = self_signed(work)
    tls = client_tls()
    results: dict = {"warm_up": {}, "levels": []}
    proxies: list[Proxy] = []
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop everything too
    try:
        for cluster in clusters:
            results["warm_up"].update(cluster.start())
        for count in sorted(set(args.processes)):
            pairs = []
            for cluster in clusters:
                ports = [s.port for s in cluster.servers[:count]]
                proxy = Proxy(work / f"nginx-{cluster.name}-{count}", ports, cert, key)
                proxies.append(proxy)
                proxy.start(tls)
                pairs.append((cluster, proxy))
            for users in args.users:
                for cluster, proxy in pairs:
                    level = asyncio.run(run_level(cluster, proxy, tls, users, args))
                    results["levels"].append(asdict(level))
                    print(
                        f"P={count} {cluster.name:<10}{users:>4} users: "
                        f"{level.views_per_s:6.2f} views/s, p95 {level.p95_ms:6.0f} ms, "
                        f"errors {level.errors}, cores {_cores(level.process_cores)}",
                        flush=True,
                    )
            for _, proxy in pairs:
                proxy.stop()
    finally:
        for proxy in proxies:
            proxy.stop()
        for cluster in clusters:
            cluster.stop()
        signal.signal(signal.SIGTERM, previous)
    return results


def _cores(values: list[float]) -> str:
    return "+".join(f"{v:.2f}" for v in values)


def table(levels: list[CountyLevel]) -> str:
    """One row per (P, app, users): the dashboard's views/s as a share of the same level with
    one process (does it grow with the processes?) and of the floor with as many processes."""
    head = (
        f"{'P':>2} {'app':<10}{'users':>6}{'views/s':>9}{'p50 ms':>9}{'p95 ms':>9}"
        f"{'KB/view':>9}{'errors':>7}  {'cores per process':<18}"
        f"{'nginx':>6}{'client':>7}{'others':>7}"
        f"  {'users per process':<18}{'health p95':>11}  {'vs P=1':>7}{'vs empty':>9}"
    )
    lines = [head, "-" * len(head)]
    rate = {(lv.processes, lv.app, lv.users): lv.views_per_s for lv in levels}
    for lv in levels:
        one = rate.get((1, lv.app, lv.users))
        floor = rate.get((lv.processes, "empty", lv.users)) if lv.app != "empty" else None
        lines.append(
            f"{lv.processes:>2} {lv.app:<10}{lv.users:>6}{lv.views_per_s:>9.2f}"
            f"{lv.p50_ms:>9.0f}{lv.p95_ms:>9.0f}{lv.kb_per_view:>9.1f}{lv.errors:>7}"
            f"  {_cores(lv.process_cores):<18}{lv.nginx_cores:>6.2f}{lv.client_cores:>7.2f}"
            f"{lv.other_cores:>7.2f}"
            f"  {'/'.join(map(str, lv.users_per_process)):<18}{lv.health_p95_ms:>9.0f}ms"
            f"  {f'{lv.views_per_s / one:.2f}×' if one else '':>7}"
            f"{f'{lv.views_per_s / floor:.2f}×' if floor else '':>9}"
        )
    lines.append(
        "P: app processes behind nginx (one store); empty: the one-line page with the project's "
        "settings, served the same way. cores: CPU each process used (1.00 = one core); others: "
        "the machine's busy cores not used by this bench (other work on a shared machine); "
        f"users per process: where nginx's sticky cookie put the users. {os.cpu_count()} cores."
    )
    return "\n".join(lines)
