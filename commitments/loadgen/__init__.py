"""The load generator of `manage.py generate_load`: a realistic government's worth of data.

Fills the database with synthetic commitments, progress updates, users and teams at national
scale (by default 100,000 commitments, 1,000,000 progress updates, 1,000 users, 40 teams), for
the benchmark (`make bench`). Every generated record is marked (`markers.py`), so that a second
run replaces the first, and the generator refuses a database that holds anything else than
generated data, the 2016 plan, the demo users and the system actors. What it writes is in the
audit history as written by the system actor `system:loadgen`, like any other system job's.
It streams: its memory is the same for ten thousand commitments as for a million (`generate`,
`writer`).
"""

import datetime
import time
from collections.abc import Callable

from django.db import connection, transaction

from actionlines.access import ACCESS_VERSION_KEY
from commitments import dashboard_cache
from commitments.loadgen.cleanup import delete_generated, foreign_data
from commitments.loadgen.generate import BULK_MODELS, NUMBERED_MODELS, Generator
from commitments.loadgen.markers import HISTORY_ACTOR
from commitments.loadgen.world import LoadSize
from commitments.loadgen.writer import (
    BulkWriter,
    IndexesSetAside,
    lock_tables,
    reset_sequences,
)
from tracker import cache_versions, data_version
from tracker.actors import system_actor

__all__ = ["ForeignDataError", "LoadSize", "generate_load"]


class ForeignDataError(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def generate_load(
    *,
    size: LoadSize,
    seed: int = 1,
    today: datetime.date | None = None,
    force: bool = False,
    log: Callable[[str], None] = print,
) -> dict[str, int]:
    """Replace earlier generated data by a new set; return the rows written per table.

    Everything happens in one transaction: a failure leaves the database as it was.
    """
    _check(size)
    problems = foreign_data()
    if problems and not force:
        raise ForeignDataError(problems)
    today = today or datetime.date.today()
    writer = BulkWriter(connection)
    started = time.perf_counter()
    with transaction.atomic():
        lock_tables(connection, NUMBERED_MODELS)
        actor = system_actor(HISTORY_ACTOR)
        set_aside = IndexesSetAside(connection, BULK_MODELS)
        with _phase(log, "set aside indexes and foreign keys") as note:
            set_aside.drop()
            note(f"{len(set_aside.indexes)} indexes, {len(set_aside.foreign_keys)} foreign keys")
        with _phase(log, "delete earlier generated data") as note:
            deleted = delete_generated(actor=actor)
            note(f"{sum(deleted.values()):,} rows" if deleted else "none")
        generator = Generator(size=size, seed=seed, today=today, writer=writer, actor=actor)
        for name, step in generator.phases():
            with _phase(log, name) as note:
                note(step() or "")
        with _phase(log, "sequences") as note:
            reset_sequences(connection, NUMBERED_MODELS)
        with _phase(log, "indexes and foreign keys built again") as note:
            note(set_aside.restore())
        # Django's other foreign keys are checked at commit, so that is where their cost shows.
        commit = _phase(log, "commit (deferred foreign-key checks)")
        commit.__enter__()
    commit.__exit__(None, None, None)
    with _phase(log, "vacuum and analyze") as note:
        note(_analyze(writer.rows_written))
    # COPY passes no save: what the caches kept of the data before is not true any more.
    data_version.replace()
    dashboard_cache.forget_everything()
    cache_versions.replace(ACCESS_VERSION_KEY)  # the teams and their members came by COPY too
    log(f"{'total':<46} {time.perf_counter() - started:7.1f} s")
    return writer.rows_written


def _check(size: LoadSize) -> None:
    if size.commitments < 10:
        raise ValueError("Generate at least 10 commitments.")
    if size.teams < 1 or size.users < 3 * size.teams:
        raise ValueError(
            "Every team needs managers and officials: give at least three users per team."
        )
    if size.updates < 0:
        raise ValueError("The number of progress updates cannot be negative.")


class _phase:
    """Times one phase and logs it with a short note of what it did."""

    def __init__(self, log, name):
        self.log, self.name, self.detail = log, name, ""

    def __enter__(self):
        self.started = time.perf_counter()
        return self._note

    def _note(self, detail: str) -> None:
        self.detail = detail

    def __exit__(self, *exc):
        if exc[0] is None:
            seconds = time.perf_counter() - self.started
            self.log(f"{self.name:<46} {seconds:7.1f} s  {self.detail}")


def _analyze(rows_written: dict[str, int]) -> str:
    """Give the planner statistics of the new data, as autovacuum would eventually.

    VACUUM also marks the pages all-visible, so counts can use index-only scans the way they do
    on a database that has settled; it cannot run inside a transaction (the tests' case), where
    ANALYZE alone does.
    """
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        return "ANALYZE"
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        for table in sorted(rows_written):
            cursor.execute(f"{command} {connection.ops.quote_name(table)}")
    return f"{command} of {len(rows_written)} tables"
