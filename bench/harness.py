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

from django.db import connection
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


def explain(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


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
