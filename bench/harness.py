"""The instruments: request timing in-process, a gunicorn server, wrk, and memory of a process."""

import http.client
import math
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext


class NotAvailable(Exception):
    """The page answers 404: it is not built yet (or the object is missing)."""


class Failed(Exception):
    """The page answered, but not with 200: a redirect to the login, an error…"""


def percentile(samples: list[float], share: float) -> float:
    """Nearest-rank percentile: with 30 samples, p95 is the 29th fastest."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


@dataclass
class Latency:
    p50_ms: float
    p95_ms: float
    queries: int
    runs: int
    samples_ms: list[float] = field(repr=False, default_factory=list)


def consume(response) -> int:
    """Read the whole body, as a browser would, so streamed responses are timed in full."""
    if response.streaming:
        size = 0
        for chunk in response.streaming_content:
            size += len(chunk)
        return size
    return len(response.content)


def check(response, url: str) -> None:
    if response.status_code == 404:
        raise NotAvailable(url)
    if response.status_code != 200:
        where = response.headers.get("Location", "")
        raise Failed(f"HTTP {response.status_code} {where}".strip())


def measure_latency(client: Client, url: str, *, runs: int, warmup: int) -> Latency:
    """p50/p95 over `runs` requests after `warmup`, and the queries of one more request.

    The queries are counted in a separate request: recording them slows the request down.
    """
    first = client.get(url)
    check(first, url)
    consume(first)
    for _ in range(max(0, warmup - 1)):
        consume(client.get(url))
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        consume(response)
        samples.append((time.perf_counter() - started) * 1000)
        check(response, url)
    with CaptureQueriesContext(connection) as queries:
        consume(client.get(url))
    return Latency(
        p50_ms=statistics.median(samples),
        p95_ms=percentile(samples, 0.95),
        queries=len(queries.captured_queries),
        runs=runs,
        samples_ms=samples,
    )


def slow_queries(client: Client, url: str, *, threshold_ms: float) -> list[tuple[float, str]]:
    """The queries of one request that took at least `threshold_ms`, slowest first."""
    with CaptureQueriesContext(connection) as queries:
        consume(client.get(url))
    found = [(float(q["time"]) * 1000, q["sql"]) for q in queries.captured_queries]
    return sorted((q for q in found if q[0] >= threshold_ms), reverse=True)


EXPLAINABLE = re.compile(r"^\s*(SELECT|WITH|INSERT|UPDATE|DELETE)\b", re.IGNORECASE)


def explain(sql: str) -> str | None:
    """The plan of `sql` as it runs (EXPLAIN ANALYZE, BUFFERS); None for SAVEPOINT and such.

    ANALYZE executes the statement: a write is rolled back, so that explaining a page that
    saves its session changes nothing.
    """
    if not EXPLAINABLE.match(sql):
        return None
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        transaction.set_rollback(True)
    return plan


SEQUENTIAL_SCAN = re.compile(r"Seq Scan on (\w+)")


def sequential_scans(plan: str) -> list[str]:
    """The tables a plan reads whole ("Parallel Seq Scan" included), in order of appearance."""
    return list(dict.fromkeys(SEQUENTIAL_SCAN.findall(plan)))


# --- where the time of a page goes -------------------------------------------------------------

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Calls into the driver: the time in them is the database's (and the network's), which the
# floor measures; the profile names the Python around them. pyinstrument sees no frame inside
# psycopg2, so a sample whose innermost frame is one of Django's own calls of the driver is a
# wait on the database.
DRIVER_CALLS = frozenset({"execute", "executemany", "fetchone", "fetchmany", "fetchall"})
DJANGO_DRIVER_CALLERS = frozenset(
    {
        ("django/db/backends/utils.py", "_execute"),
        ("django/db/backends/utils.py", "_executemany"),
        ("django/db/models/sql/compiler.py", "<lambda>"),  # cursor_iter's fetchmany
    }
)
PROFILE_AREAS = ("project", "templates", "orm", "database", "other")
REQUEST_PIPELINE = "/django/core/handlers/"


@dataclass
class Cost:
    frame: str  # path:function, the path relative to the project or to site-packages
    area: str
    ms: float
    share: float


@dataclass
class Profile:
    profiler: str  # pyinstrument | cProfile
    requests: int
    ms_per_request: float
    top: list[Cost]
    areas: dict[str, float]  # share of the time by area

    def as_json(self) -> dict:
        return {
            "profiler": self.profiler,
            "requests": self.requests,
            "ms_per_request": round(self.ms_per_request, 1),
            "top": [
                {
                    "frame": cost.frame,
                    "area": cost.area,
                    "ms_per_request": round(cost.ms / self.requests, 2),
                    "share": round(cost.share, 3),
                }
                for cost in self.top
            ],
            "areas": {area: round(share, 3) for area, share in self.areas.items()},
        }


def _area(path: str) -> str:
    if "/django/template/" in path or "/django/templatetags/" in path:
        return "templates"
    if "/django/db/" in path:
        return "orm"
    if path.startswith(str(PROJECT_ROOT)) and "/.venv/" not in path and "/bench/" not in path:
        return "project"
    return "other"


def _frame_info(frame: str) -> tuple[str, str]:
    """(function, path) of one of pyinstrument's frames, the function with its class:
    "function NUL path NUL line", then attributes after SOH ("c" + the class's name)."""
    identifier, *attributes = frame.split("\x01")
    function, path, *_line = identifier.split("\x00")
    for attribute in attributes:
        if attribute.startswith("c"):
            return f"{attribute[1:]}.{function}", path
    return function, path


def _waits_on_database(function: str, path: str) -> bool:
    method = function.rsplit(".", 1)[-1]
    if path == "<built-in>":
        return method in DRIVER_CALLS
    return any(path.endswith(name) and method == call for name, call in DJANGO_DRIVER_CALLERS)


def _frame_name(path: str, function: str) -> str:
    if "site-packages/" in path:
        path = path.split("site-packages/", 1)[1]
    elif path.startswith(str(PROJECT_ROOT)):
        path = str(Path(path).relative_to(PROJECT_ROOT))
    return f"{path}:{function}"


def profile_requests(client: Client, url: str, *, requests: int, top: int = 3) -> Profile:
    """Profile `requests` requests of `url` and name the heaviest frames of our code and of
    Django's template engine and ORM.

    Each sample's time is charged to the innermost frame on its stack that belongs to the
    project, to django.template or to django.db: the standard library, the other libraries
    and the rest of Django that such a frame calls count as its own time, except that the
    search stops at Django's request handler (what a view's code calls is not charged to a
    middleware around it). The driver's waits count as "database". A frame's share is of
    the whole batch. pyinstrument samples stacks; without it, cProfile's own time per
    function (tottime) stands in, which charges nothing to callers.
    """
    consume(client.get(url))  # the first request's imports and caches are not the page's
    try:
        from pyinstrument import Profiler
    except ImportError:
        return _profile_with_cprofile(client, url, requests=requests, top=top)
    profiler = Profiler(interval=0.0005, async_mode="disabled")
    profiler.start()
    for _ in range(requests):
        consume(client.get(url))
    session = profiler.stop()
    charged: dict[tuple[str, str], float] = {}
    areas = dict.fromkeys(PROFILE_AREAS, 0.0)
    total = 0.0
    for stack, seconds in session.frame_records:
        total += seconds
        frames = [_frame_info(frame) for frame in stack]
        if frames and _waits_on_database(*frames[-1][:2]):
            areas["database"] += seconds
            continue
        owner = None
        for function, path in reversed(frames):
            if REQUEST_PIPELINE in path:
                break  # a middleware does not own the time of the view it calls
            if _area(path) != "other":
                owner = (path, function)
                break
        if owner is None:
            areas["other"] += seconds
            continue
        areas[_area(owner[0])] += seconds
        charged[owner] = charged.get(owner, 0.0) + seconds
    return _profile(
        "pyinstrument", requests, total, charged, areas, top=top, wall_seconds=session.duration
    )


def _profile_with_cprofile(client: Client, url: str, *, requests: int, top: int) -> Profile:
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        consume(client.get(url))
    profiler.disable()
    charged: dict[tuple[str, str], float] = {}
    areas = dict.fromkeys(PROFILE_AREAS, 0.0)
    total = 0.0
    for (path, _line, function), row in pstats.Stats(profiler).stats.items():
        own_seconds = row[2]
        total += own_seconds
        area = _area(path)
        if path == "~" and "psycopg" in function:  # a built-in method of the driver
            areas["database"] += own_seconds
            continue
        areas[area] += own_seconds
        if area != "other":
            charged[(path, function)] = charged.get((path, function), 0.0) + own_seconds
    return _profile("cProfile", requests, total, charged, areas, top=top, wall_seconds=total)


def _profile(name, requests, total, charged, areas, *, top, wall_seconds) -> Profile:
    total = total or 1e-9
    heaviest = sorted(charged.items(), key=lambda item: item[1], reverse=True)[:top]
    return Profile(
        profiler=name,
        requests=requests,
        ms_per_request=wall_seconds * 1000 / requests,
        top=[
            Cost(
                frame=_frame_name(path, function),
                area=_area(path),
                ms=seconds * 1000,
                share=seconds / total,
            )
            for (path, function), seconds in heaviest
        ],
        areas={area: seconds / total for area, seconds in areas.items()},
    )


# --- a production-like server ------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn with production settings (DEBUG off) on a free port of 127.0.0.1."""

    def __init__(self, *, workers: int, environment: dict[str, str]):
        self.workers = workers
        self.port = free_port()
        self.environment = environment
        self.process: subprocess.Popen | None = None

    def __enter__(self):
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "tracker.wsgi",
            "--workers",
            str(self.workers),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--log-level",
            "warning",
            # A 100,000-row export must not be cut off by the default 30 s worker timeout.
            "--timeout",
            "120",
        ]
        self.process = subprocess.Popen(
            command, env={**os.environ, **self.environment}, cwd=Path(__file__).parent.parent
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn stopped at start (exit {self.process.returncode})")
            try:
                status, _first, _total, _size = self.fetch("/accounts/login/", cookie="")
                if status == 200 and len(self.worker_pids()) == self.workers:
                    return self
            except OSError:
                pass
            time.sleep(0.3)
        self.__exit__(None, None, None)
        raise RuntimeError("gunicorn did not answer within 60 s")

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def worker_pids(self) -> list[int]:
        master = self.process.pid
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == master:  # the parent pid
                pids.append(int(entry.name))
        return pids

    def fetch(self, path: str, *, cookie: str) -> tuple[int, float, float, int]:
        """GET a path: status, seconds to the first byte, seconds in all, bytes of the body."""
        connection_ = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
        headers = {"Cookie": f"sessionid={cookie}"} if cookie else {}
        started = time.perf_counter()
        connection_.request("GET", path, headers=headers)
        response = connection_.getresponse()
        first_byte = time.perf_counter() - started
        size = 0
        while chunk := response.read(65536):
            size += len(chunk)
        total = time.perf_counter() - started
        connection_.close()
        return response.status, first_byte, total, size


class PeakMemory:
    """How far the resident memory of the server's workers rose during a request, in bytes.

    Linux keeps each process's peak (VmHWM); writing 5 to clear_refs resets it to the current
    size, so the peak after the request minus the size before is the request's growth. Where
    that is not allowed, a thread samples VmRSS every 10 ms instead.
    """

    def __init__(self, pids: list[int]):
        self.pids = pids
        self.before: dict[int, int] = {}
        self.sampled: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = None
        self.method = "VmHWM"

    def __enter__(self):
        for pid in self.pids:
            self.before[pid] = _status_kb(pid, "VmRSS")
            try:
                Path(f"/proc/{pid}/clear_refs").write_text("5")
            except OSError:
                self.method = "sampled VmRSS"
        if self.method != "VmHWM":
            self._thread = threading.Thread(target=self._sample, daemon=True)
            self._thread.start()
        return self

    def _sample(self):
        while not self._stop.is_set():
            for pid in self.pids:
                rss = _status_kb(pid, "VmRSS")
                self.sampled[pid] = max(self.sampled.get(pid, 0), rss)
            self._stop.wait(0.01)

    def __exit__(self, *exc):
        self._stop.set()
        if self._thread:
            self._thread.join()

    @property
    def growth_bytes(self) -> int:
        growth = 0
        for pid in self.pids:
            sampled = self.sampled.get(pid, 0)
            peak = _status_kb(pid, "VmHWM") if self.method == "VmHWM" else sampled
            growth = max(growth, peak - self.before[pid])
        return growth * 1024


def _status_kb(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


# --- wrk ---------------------------------------------------------------------------------------


@dataclass
class Throughput:
    rps: float
    requests: int
    errors: int  # non-2xx/3xx answers and socket errors
    p50_ms: float | None


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def run_wrk(url: str, *, cookie: str, seconds: int, connections: int) -> Throughput:
    threads = min(2, connections)
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        # The pages are slow next to what wrk expects; a request must not time out at 2 s.
        "--timeout",
        "30s",
        "-H",
        f"Cookie: sessionid={cookie}",
        url,
    ]
    output = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + 60, check=True
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    errors = 0
    if found := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        errors += int(found.group(1))
    if found := re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    ):
        errors += sum(int(n) for n in found.groups())
    p50 = None
    if found := re.search(r"50%\s+([\d.]+)(us|ms|s)\b", output):
        p50 = float(found.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[found.group(2)]
    return Throughput(rps=rps, requests=requests, errors=errors, p50_ms=p50)
