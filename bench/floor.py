"""The floor of a page: what its SQL costs without Django.

The queries of one request are captured from the page itself (with psycopg2 the captured
text is the statement as sent, parameters in place) and executed again, in the same order,
on a raw psycopg2 connection of their own: no ORM building them, no model instances made of
the rows, no template, no middleware. The rows are still fetched to the client, as Django
fetches them. What a page costs above its floor is time spent in Python.

The session and authentication queries are part of the list: the database answers them on
every request of a signed-in user, whatever the page.
"""

import re
import statistics
import time
from dataclasses import dataclass

import psycopg2
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench import harness

# A queryset read with .iterator() runs on a server-side cursor: psycopg2 records the DECLARE,
# and the FETCHes that read it are not captured. Running the SELECT itself reads the same rows.
SERVER_SIDE_CURSOR = re.compile(
    r'^\s*DECLARE\s+"[^"]+"\s+NO\s+SCROLL\s+CURSOR\s+WITH(?:OUT)?\s+HOLD\s+FOR\s+',
    re.IGNORECASE,
)
READ_ONLY = re.compile(r"^\s*(SELECT|WITH|SHOW)\b", re.IGNORECASE)


@dataclass
class Floor:
    p50_ms: float
    queries: int
    runs: int


class ReplayFailed(Exception):
    """A captured statement could not be run again (say, an INSERT that meets its own row)."""


def page_statements(client: Client, url: str) -> list[str]:
    """The SQL of one request of `url`, in the order the page sent it."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        harness.check(response, url)
        harness.consume(response)
    return [SERVER_SIDE_CURSOR.sub("", query["sql"]) for query in captured.captured_queries]


def raw_connection():
    """A psycopg2 connection to the benchmark's database, with none of Django's wrapping."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)  # Django's own cursor class
    return psycopg2.connect(**params)


def measure_floor(client: Client, url: str, *, runs: int, warmup: int = 2) -> Floor:
    """p50 of `runs` replays of the page's SQL, after `warmup` untimed ones."""
    statements = page_statements(client, url)
    # A page that only reads runs each statement on its own, as Django does in autocommit.
    # One that writes (a session saved, a feed's last fetch) runs in a transaction that is
    # rolled back, so that replaying it thirty times leaves the data as it was; the rollback
    # is timed, as the commit of the page's write is.
    writes = not all(READ_ONLY.match(sql) for sql in statements)
    raw = raw_connection()
    try:
        raw.autocommit = not writes
        samples = []
        for run in range(warmup + runs):
            started = time.perf_counter()
            _replay(raw, statements, writes=writes)
            if run >= warmup:
                samples.append((time.perf_counter() - started) * 1000)
    finally:
        raw.close()
    return Floor(p50_ms=statistics.median(samples), queries=len(statements), runs=runs)


def _replay(raw, statements: list[str], *, writes: bool) -> None:
    with raw.cursor() as cursor:
        for sql in statements:
            try:
                cursor.execute(sql)
            except psycopg2.Error as error:
                raw.rollback()
                raise ReplayFailed(f"{type(error).__name__}: {str(error).strip()}") from error
            if cursor.description is not None:
                cursor.fetchall()
    if writes:
        raw.rollback()
