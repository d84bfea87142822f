"""Load benchmark: many viewers at once on a real `streamlit run` server, against an empty page.

    python bench/load.py                         # 1, 10 and 40 users, 20 s each (~7 minutes)
    python bench/load.py --users 1 10 --seconds 10
    python bench/load.py --profile DIR           # also py-spy profiles of every server
    python bench/load.py --processes 1 2         # the county setup behind nginx (load_county.py)

Three servers are started on free ports of 127.0.0.1 (headless, stopped by PID): the dashboard
(`app.py` with a fresh data folder, so the sample workbooks load on its first start) and two
throwaway app folders holding a one-line page, the floor: `empty` with the project's
.streamlit/config.toml, `stock` with Streamlit's default settings. Each simulated user speaks
Streamlit's own websocket protocol (`/_stcore/stream`, protobuf BackMsg/ForwardMsg) as a
browser does: it asks for a page (a `rerun_script` BackMsg with the page's script hash and the
hashes of the messages it keeps), reads ForwardMsgs until the run's `script_finished`, and asks
for the next page at once (no think time), cycling through every page the server lists. The
levels run in turn, the floors and the dashboard interleaved, each after a warm-up pass that
fills the caches.

Per level it reports views/s, p50/p95 of a view, the bytes a view sends, errors (exceptions, red
error boxes, a missing page, a closed socket, a timeout), the server's CPU (cores used and CPU
per view), its RSS, and how long `/_stcore/health` takes meanwhile (a proxy's health check). The
table goes to stdout and bench/results/load-latest.txt, every figure to bench/results/load-*.json.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import math
import os
import platform
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
EMPTY_PAGE = 'import streamlit as st; st.write("空白页")\n'
TARGETS = {1: 0.6, 40: 0.5}  # views/s as a share of the empty page's, per number of users
VIEW_TIMEOUT = 120.0  # seconds a view may take under load before it counts as an error
TICKS = os.sysconf("SC_CLK_TCK")


# ------------------------------------------------------------------ the server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """One `streamlit run` process, started headless on a free port and stopped by its PID."""

    def __init__(
        self, name: str, app_dir: Path, env: dict[str, str], log: Path, options: list[str]
    ) -> None:
        self.name, self.app_dir, self.env, self.log = name, app_dir, env, log
        self.options = [f"--{o.split('=', 1)[0]}={o.split('=', 1)[1]}" for o in options]
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self, timeout: float = 120.0) -> None:
        command = [
            *(sys.executable, "-m", "streamlit", "run", "app.py"),
            *("--server.port", str(self.port), "--server.address", "127.0.0.1"),
            *("--server.headless", "true", "--browser.gatherUsageStats", "false"),
            *self.options,
        ]
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                command, cwd=self.app_dir, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited:\n{self.log.read_text()[-3000:]}")
            with contextlib.suppress(OSError):
                if asyncio.run(health(self.port, 2.0)) is not None:
                    return
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not answer on port {self.port}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.kill(self.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.kill(self.pid, signal.SIGKILL)
            self.process.wait(timeout=15)

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


async def health(port: int, timeout: float) -> float | None:
    """Seconds `/_stcore/health` takes to answer 200, or None."""
    start = time.perf_counter()
    reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), timeout)
    try:
        writer.write(
            b"GET /_stcore/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        )
        await writer.drain()
        status = await asyncio.wait_for(reader.readline(), timeout)
    finally:
        writer.close()
    return time.perf_counter() - start if b" 200 " in status else None


# ------------------------------------------------------------------ a browser session


@dataclass
class View:
    page: str
    started: float
    seconds: float
    bytes: int
    error: str = ""


class Session:
    """One browser tab over `/_stcore/stream`, with the browser's message cache.

    The browser keeps every `cacheable` message it received and sends their hashes with each
    rerun; the server then sends a reference instead of a message the tab already has. A kept
    message is dropped once it was not used for `max_cached_message_age` script runs.
    """

    scheme = "http"  # of the page address the tab reports (https behind the county's nginx)

    def __init__(self, port: int) -> None:
        self.port = port
        self.ws = None
        self.pages: list[tuple[str, str]] = []  # (script hash, url path) in the server's order
        self.kept: dict[str, int] = {}  # message hash -> the run count it was last used in
        self.runs = 0
        self.max_age = 2

    async def open(self) -> None:
        from websockets.asyncio.client import connect

        self.ws = await connect(
            f"ws://127.0.0.1:{self.port}/_stcore/stream",
            subprotocols=["streamlit"],
            origin=f"http://127.0.0.1:{self.port}",
            max_size=None,
            ping_interval=None,  # a browser answers pings but sends none
            open_timeout=VIEW_TIMEOUT,
        )

    async def close(self) -> None:
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await self.ws.close()

    def _rerun(self, page_hash: str, path: str) -> bytes:
        from streamlit.proto.BackMsg_pb2 import BackMsg

        msg = BackMsg()
        state = msg.rerun_script
        state.page_script_hash = page_hash
        state.widget_states.SetInParent()
        state.cached_message_hashes.extend(self.kept)
        info = state.context_info
        info.timezone, info.timezone_offset, info.locale = "Asia/Shanghai", -480, "zh-CN"
        info.url = f"{self.scheme}://127.0.0.1:{self.port}/{path}"
        info.color_scheme = "light"
        return msg.SerializeToString()

    async def view(self, page_hash: str = "", path: str = "") -> View:
        """Ask for a page and read until its run has finished."""
        start = time.perf_counter()
        await self.ws.send(self._rerun(page_hash, path))
        size, error = 0, ""
        while True:
            frame = await asyncio.wait_for(self.ws.recv(), VIEW_TIMEOUT)
            size += len(frame)
            done, problem = self._read(frame)
            error = error or problem
            if done:
                return View(path, start, time.perf_counter() - start, size, error)

    def _read(self, frame: bytes) -> tuple[bool, str]:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        msg = ForwardMsg()
        msg.ParseFromString(frame)
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            self.max_age = msg.new_session.config.max_cached_message_age
            self.pages = [(p.page_script_hash, p.url_pathname) for p in msg.new_session.app_pages]
        elif kind == "ref_hash":
            if msg.ref_hash not in self.kept:
                return False, "server referred to a message the tab does not keep"
            self.kept[msg.ref_hash] = self.runs
        elif kind == "delta":
            if msg.metadata.cacheable:
                self.kept.setdefault(msg.hash, self.runs)
            return False, element_error(msg)
        elif kind == "page_not_found":
            return False, f"page not found: {msg.page_not_found.page_name}"
        elif kind == "script_finished":
            if msg.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                return False, ""
            self.runs += 1
            self.kept = {h: n for h, n in self.kept.items() if self.runs - n <= self.max_age}
            return True, ""
        return False, ""


def element_error(msg) -> str:
    """A stack trace or a red error box in the page: the view failed."""
    if msg.delta.WhichOneof("type") != "new_element":
        return ""
    element = msg.delta.new_element
    kind = element.WhichOneof("type")
    if kind == "exception":
        return f"exception: {element.exception.type} {element.exception.message}"[:200]
    if kind == "alert" and element.alert.format == 1:  # Alert.Format.ERROR
        return f"error box: {element.alert.body}"[:200]
    return ""


# ------------------------------------------------------------------ one level of load


@dataclass
class Level:
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
    server_cores: float = 0.0
    cpu_ms_per_view: float = 0.0
    rss_mb: float = 0.0
    health_p95_ms: float = 0.0
    first_view_p50_ms: float = 0.0
    client_cores: float = 0.0
    load_average: float = 0.0
    per_page_p50_ms: dict[str, float] = field(default_factory=dict)


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


class Clock:
    """The measured window of a level: it opens `warm_up` seconds after every viewer has had
    its first view (a new session costs more than a page switch) and lasts `seconds`."""

    def __init__(self, users: int, warm_up: float, seconds: float) -> None:
        self.users, self.warm_up, self.seconds = users, warm_up, seconds
        self.arrived = 0
        self.opens = self.closes = math.inf

    def running(self) -> bool:
        return time.perf_counter() < self.closes

    def counts(self, view: View) -> bool:
        return self.opens <= view.started + view.seconds <= self.closes

    async def open_window(self, marks: Callable[[], None], cap: float = 600.0) -> None:
        give_up = time.perf_counter() + cap
        while self.arrived < self.users and time.perf_counter() < give_up:
            await asyncio.sleep(0.05)
        await asyncio.sleep(self.warm_up)
        self.opens = time.perf_counter()
        self.closes = self.opens + self.seconds
        marks()
        await asyncio.sleep(self.seconds)
        marks()


async def user(
    session: Session, offset: int, clock: Clock, views: list[View], firsts: list
) -> None:
    """One viewer: connect, then page after page (from its own offset) until the window shuts."""
    arrived = False
    try:
        await session.open()
        firsts.append(await session.view())
        clock.arrived, arrived = clock.arrived + 1, True
        step = offset
        while clock.running():
            page_hash, path = session.pages[step % len(session.pages)]
            step += 1
            views.append(await session.view(page_hash, path))
    except Exception as exc:  # a closed socket, a timeout, a protocol error
        views.append(View("?", time.perf_counter(), 0.0, 0, f"{type(exc).__name__}: {exc}"[:200]))
    finally:
        if not arrived:  # a viewer that failed before its first view does not hold the window
            clock.arrived += 1
        await session.close()


async def watch(server: Server, clock: Clock, rss: list[float], waits: list[float]) -> None:
    """Sample the server's RSS and the health check's answer time while the level runs."""
    while clock.running():
        rss.append(server.rss_mb())
        try:
            answer = await health(server.port, 30.0)
        except (OSError, TimeoutError):
            answer = None
        waits.append(30.0 if answer is None else answer)
        await asyncio.sleep(0.5)


async def run_level(
    server: Server, users: int, seconds: float, warm_up: float, profile: Path | None = None
) -> Level:
    """`users` viewers at once; the views that end inside the clock's window count."""
    views: list[View] = []
    firsts: list[View] = []
    rss: list[float] = []
    waits: list[float] = []
    clock = Clock(users, warm_up, seconds)
    cpu: list[tuple[float, float]] = []
    spy: list[subprocess.Popen] = []

    def mark() -> None:
        cpu.append((server.cpu_seconds(), _client_cpu()))
        if profile is not None and len(cpu) == 1:
            spy.extend(p for p in [start_profile(server, profile, seconds)] if p)

    await asyncio.gather(
        clock.open_window(mark),
        watch(server, clock, rss, waits),
        *(user(Session(server.port), i, clock, views, firsts) for i in range(users)),
    )
    for process in spy:
        process.wait(timeout=120)
    server_cpu, client_cpu = (cpu[1][0] - cpu[0][0]), (cpu[1][1] - cpu[0][1])
    good = [v for v in views if clock.counts(v) and not v.error]
    times = [v.seconds * 1000 for v in good]
    by_page: dict[str, list[float]] = {}
    for v in good:
        by_page.setdefault(v.page or "/", []).append(v.seconds * 1000)
    errors = [v.error for v in (*firsts, *views) if v.error]
    return Level(
        app=server.name,
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
        server_cores=server_cpu / seconds,
        cpu_ms_per_view=server_cpu * 1000 / max(len(good), 1),
        rss_mb=max(rss, default=0.0),
        health_p95_ms=percentile(waits, 0.95) * 1000,
        first_view_p50_ms=percentile([v.seconds * 1000 for v in firsts], 0.5),
        client_cores=client_cpu / seconds,
        load_average=os.getloadavg()[0],
        per_page_p50_ms={k: round(percentile(v, 0.5), 1) for k, v in sorted(by_page.items())},
    )


def _client_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def warm(server: Server) -> dict[str, float]:
    """One viewer through every page once: the first start's sample import and cold caches."""
    session = Session(server.port)
    await session.open()
    try:
        first = await session.view()
        times = {"/ (first view after start)": first.seconds}
        # Streamlit lists the pages/ folder only from the second run of the first session on.
        await session.view()
        for page_hash, path in session.pages:
            result = await session.view(page_hash, path)
            if result.error:
                raise RuntimeError(f"{server.name} /{path}: {result.error}")
            times[path or "/"] = result.seconds
        return times
    finally:
        await session.close()


# ------------------------------------------------------------------ profiles, table, main


def start_profile(server: Server, out: Path, seconds: float) -> subprocess.Popen | None:
    """py-spy (pip install py-spy) records the server's stacks for `seconds`, if installed."""
    spy = shutil.which("py-spy")
    if spy is None:
        print("py-spy is not installed: no profile (pip install py-spy)", file=sys.stderr)
        return None
    command = [spy, "record", "--pid", str(server.pid), "--duration", str(int(seconds))]
    return subprocess.Popen(
        [*command, "--format", "raw", "--gil", "-o", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


FLOORS = ("empty", "stock")  # the floor served with the project's settings, and with Streamlit's


def _verdict(lv: Level, floor: float | None) -> str:
    if not floor:
        return ""
    share = lv.views_per_s / floor
    if lv.users not in TARGETS:
        return f"{share:.2f}×"
    good = share >= TARGETS[lv.users] and lv.errors == 0
    return f"{share:.2f}× {'达标' if good else '未达标'}"


def table(levels: list[Level]) -> str:
    """One row per app and level; the dashboard's views/s as a share of each floor, judged by
    the targets (≥0.6× at 1 user, ≥0.5× at 40, no errors)."""
    head = (
        f"{'app':<10}{'users':>6}{'views/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'KB/view':>9}"
        f"{'errors':>7}{'cores':>7}{'CPU ms/view':>12}{'RSS MB':>8}{'health p95':>11}"
        f"{'1st view':>9}  {'vs empty':<14}{'vs stock empty':<14}"
    )
    lines = [head, "-" * len(head)]
    floors = {(lv.app, lv.users): lv.views_per_s for lv in levels if lv.app in FLOORS}
    for lv in levels:
        same = stock = ""
        if lv.app not in FLOORS:
            same = _verdict(lv, floors.get(("empty", lv.users)))
            stock = _verdict(lv, floors.get(("stock", lv.users)))
        lines.append(
            f"{lv.app:<10}{lv.users:>6}{lv.views_per_s:>9.2f}{lv.p50_ms:>9.0f}{lv.p95_ms:>9.0f}"
            f"{lv.kb_per_view:>9.1f}{lv.errors:>7}{lv.server_cores:>7.2f}"
            f"{lv.cpu_ms_per_view:>12.1f}{lv.rss_mb:>8.0f}{lv.health_p95_ms:>9.0f}ms"
            f"{lv.first_view_p50_ms:>7.0f}ms  {same:<14}{stock:<14}"
        )
    lines.append(
        "empty: the one-line page with the project's .streamlit/config.toml; stock: the same page "
        "with Streamlit's default settings (the floor issue 18 measured). Targets: ≥0.6× at 1 "
        "user, ≥0.5× at 40 users, no errors."
    )
    return "\n".join(lines)


def make_servers(work: Path, options: list[str]) -> list[Server]:
    """The one-line page in throwaway app folders (with the project's settings, and with
    Streamlit's defaults) and the dashboard on a fresh data folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TOWNSHIP_", "STREAMLIT_"))}
    env["TOWNSHIP_DATA_DIR"] = str(work / "data")
    servers = []
    for name in FLOORS:
        folder = work / f"{name}_app"
        (folder / ".streamlit").mkdir(parents=True)
        (folder / "app.py").write_text(EMPTY_PAGE, encoding="utf-8")
        if name == "empty":
            shutil.copy(ROOT / ".streamlit" / "config.toml", folder / ".streamlit" / "config.toml")
        servers.append(Server(name, folder, env, work / f"{name}.log", options))
    servers.append(Server("dashboard", ROOT, env, work / "dashboard.log", options))
    return servers


def measure(args: argparse.Namespace, work: Path) -> dict:
    servers = make_servers(work, args.set)
    results: dict = {"warm_up": {}, "levels": [], "profiles": []}
    try:
        for server in servers:
            server.start()
            print(f"{server.name}: pid {server.pid}, port {server.port}; warm-up …", flush=True)
            results["warm_up"][server.name] = asyncio.run(warm(server))
        for users in args.users:
            for server in servers:
                out = None
                if args.profile:
                    out = args.profile / f"py-spy-{server.name}-{users}users.txt"
                    results["profiles"].append(str(out))
                level = asyncio.run(run_level(server, users, args.seconds, args.warm_up, out))
                results["levels"].append(asdict(level))
                print(
                    f"{server.name:<10}{users:>4} users: {level.views_per_s:6.2f} views/s, "
                    f"p95 {level.p95_ms:6.0f} ms, errors {level.errors}",
                    flush=True,
                )
    finally:
        for server in servers:
            server.stop()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, nargs="+", default=[1, 10, 40])
    parser.add_argument("--seconds", type=float, default=20.0, help="measured seconds per level")
    parser.add_argument("--warm-up", type=float, default=5.0, help="unmeasured seconds per level")
    parser.add_argument("--profile", type=Path, help="folder for py-spy profiles (raw stacks)")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="OPTION=VALUE",
        help="a Streamlit option for both servers, e.g. runner.postScriptGC=false",
    )
    parser.add_argument("--work", type=Path, help="keep the data folder and server logs here")
    parser.add_argument(
        "--processes",
        type=int,
        nargs="+",
        metavar="P",
        help="the county deployment instead: P app processes on one store behind nginx, for "
        "each P given (bench/load_county.py)",
    )
    args = parser.parse_args(argv)
    if args.processes and (args.profile or min(args.processes) < 1):
        parser.error("--processes takes counts ≥ 1 and no --profile")
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    work = args.work or Path(tempfile.mkdtemp(prefix="township-load-"))
    work.mkdir(parents=True, exist_ok=True)
    results = {
        "when": dt.datetime.now().isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "settings": {
            "users": args.users,
            "seconds": args.seconds,
            "warm_up": args.warm_up,
            "options": args.set,
            **({"processes": args.processes} if args.processes else {}),
        },
    }
    name = "load"
    if args.processes:
        import load_county  # bench/load_county.py, beside this script

        name = "load-county"
        results.update(load_county.measure(args, work))
        text = load_county.table([load_county.CountyLevel(**lv) for lv in results["levels"]])
    else:
        results.update(measure(args, work))
        text = table([Level(**lv) for lv in results["levels"]])
    print()
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = RESULTS / f"{name}-{stamp}.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    (RESULTS / f"{name}-latest.txt").write_text(text + "\n", encoding="utf-8")
    print(f"results: {out.relative_to(ROOT)}")
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
