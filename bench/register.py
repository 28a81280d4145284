"""`python -m bench.register`: the Kamer-register sync against a local register of N records.

For each size N, in a process of its own, so that one size's heap is not the next one's
starting point:

1. a fresh, empty, migrated PostgreSQL database (--database-url);
2. the local OData server of `tests.register_server`, in a thread, serving exactly N records
   of the ministry plus the other ministries' records in the register's proportions (about
   40 % more for Justitie en Veiligheid), which the server's `$filter` leaves out as the
   Kamer's does;
3. a first sync, timed, with the growth of the resident memory (VmHWM over VmRSS);
4. an incremental sync with nothing new, timed, with the HTTP requests the server received;
5. the same first sync again on a fresh database under tracemalloc, for the peak of Python's
   allocations. tracemalloc about doubles the run time, so it never runs in the timed sync.

The server runs in the same process, so the memory figures include the page it is answering
(250 records at most); what it holds of the register was allocated before they start.

Prints one table against the targets and writes var/bench/register.json. `make
bench-register` is the way in. Like `python -m bench`, it measures; it does not assert.

The database is dropped and created again for every pass. Only a database that this command
made (it marks it with a comment) or none at all is accepted, so a database of the project
is never dropped. The settings are production's (DEBUG off), with Celery's broker in memory.
"""

import argparse
import concurrent.futures
import datetime
import gc
import json
import multiprocessing
import os
import platform
import secrets
import sys
import time
from pathlib import Path

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/tracker_bench_register"
DEFAULT_MINISTRY = "Justitie en Veiligheid"
DEFAULT_SIZES = "2000,5000,10000"
MAINTENANCE_DATABASE = "postgres"
DATABASE_MARK = "Made by python -m bench.register, which drops and makes it again."

# The targets: 10,000 records in a first sync within a minute (pro rata, a rate, at the
# other sizes); an incremental sync with nothing new within 2 s in one request; the memory
# flat with N: the peak at the largest size at most this many times the peak at the smallest.
FIRST_SYNC_RECORDS = 10_000
FIRST_SYNC_SECONDS = 60.0
INCREMENTAL_SECONDS = 2.0
INCREMENTAL_REQUESTS = 1
FLAT_MEMORY_RATIO = 1.5

PROFILE_LINES = 25
MB = 1024 * 1024


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.register",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--sizes",
        default=DEFAULT_SIZES,
        help=f"comma-separated numbers of the ministry's records ({DEFAULT_SIZES})",
    )
    parser.add_argument(
        "--ministry",
        default=DEFAULT_MINISTRY,
        help=f"the register's Ministerie ({DEFAULT_MINISTRY})",
    )
    parser.add_argument(
        "--database-url",
        default=DEFAULT_DATABASE_URL,
        help=f"PostgreSQL database to drop and make for each size ({DEFAULT_DATABASE_URL})",
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated records (1)")
    parser.add_argument(
        "--no-tracemalloc",
        action="store_true",
        help="skip the second first sync under tracemalloc (about half the run time)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="one more first sync per size under cProfile: var/bench/register-N.prof, and "
        f"the top {PROFILE_LINES} functions by own time on stderr",
    )
    parser.add_argument("--output", default=None, help="JSON file (var/bench/register.json)")
    args = parser.parse_args(argv)
    try:
        sizes = [int(size) for size in args.sizes.split(",") if size.strip()]
    except ValueError:
        parser.error(f"--sizes takes whole numbers separated by commas, not {args.sizes!r}")
    if not sizes or min(sizes) < 1:
        parser.error("--sizes needs at least one number of records, each 1 or more")
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        return _stop(
            f"The register benchmark runs on PostgreSQL: --database-url {args.database_url} "
            "is not postgres://…"
        )
    try:
        postgresql = _check_database(args.database_url)
    except Unusable as error:
        return _stop(str(error))

    # Where tracker.settings puts var/, without setting Django up in this process.
    var_dir = Path(os.environ.get("TRACKER_VAR_DIR") or Path(__file__).resolve().parents[1] / "var")
    output = Path(args.output or var_dir / "bench" / "register.json")
    started = time.time()
    load_at_start = os.getloadavg()
    results, failed = [], []
    for size in sizes:
        _log(f"\n{size} records of {args.ministry}:")
        job = {
            "size": size,
            "ministry": args.ministry,
            "database_url": args.database_url,
            "seed": args.seed,
            "tracemalloc": not args.no_tracemalloc,
            "profile": str(var_dir / "bench" / f"register-{size}.prof") if args.profile else None,
        }
        # "spawn": a new interpreter per size, not a fork of this one with its heap.
        with concurrent.futures.ProcessPoolExecutor(
            max_workers=1, mp_context=multiprocessing.get_context("spawn")
        ) as pool:
            try:
                results.append(pool.submit(measure_size, job).result())
            except Exception as error:  # one size that fails must not lose the others
                _log(f"  failed: {type(error).__name__}: {error}")
                failed.append({"size": size, "error": f"{type(error).__name__}: {error}"})
    if not results:
        return _stop("No size could be measured.")

    memory = judge(results)
    print_table(results, memory, ministry=args.ministry)
    for failure in failed:
        print(f"{failure['size']:>7}  failed: {failure['error']}")
    report = {
        "meta": {
            "started_at": datetime.datetime.fromtimestamp(started).isoformat(timespec="seconds"),
            "seconds": round(time.time() - started),
            "database": _redacted(args.database_url),
            "postgresql": postgresql,
            "ministry": args.ministry,
            "seed": args.seed,
            "commit": _git_commit(),
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
            # The machine is shared: the load around the run says how much to trust it.
            "load_average": {"start": load_at_start, "end": os.getloadavg()},
            "targets": {
                "first_sync_seconds": {"records": FIRST_SYNC_RECORDS, "under": FIRST_SYNC_SECONDS},
                "incremental_seconds_under": INCREMENTAL_SECONDS,
                "incremental_requests": INCREMENTAL_REQUESTS,
                "flat_memory_ratio_at_most": FLAT_MEMORY_RATIO,
            },
        },
        "sizes": results,
        "failed": failed,
        "memory": memory,
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2, default=str) + "\n")
    _log(f"\nWritten to {output}")
    return 1 if failed else 0


# --- one size, in its own process ----------------------------------------------------------------


def measure_size(job: dict) -> dict:
    """The figures of one size: run in a fresh interpreter by `main`."""
    _configure_django(job["database_url"])
    from bench.harness import PeakMemory, _status_kb
    from parliament import sync
    from tests.register_server import RegisterServer

    size, ministry = job["size"], job["ministry"]
    records = register_records(size, ministry=ministry, seed=job["seed"])
    result = {"size": size, "served_records": len(records)}

    migrate_seconds = fresh_database(job["database_url"])
    result["migrate_seconds"] = round(migrate_seconds, 1)
    _log(f"  database made and migrated in {migrate_seconds:.0f} s; serving {len(records)} records")
    with RegisterServer(records) as server:
        _log("  first sync …")
        gc.collect()
        with PeakMemory([os.getpid()]) as rss:
            started = time.perf_counter()
            first = sync.register_sync(ministry=ministry, base_url=server.base_url)
            first_seconds = time.perf_counter() - started
        result["first"] = {
            "seconds": round(first_seconds, 2),
            "records_per_second": round(size / first_seconds, 1),
            "rss_growth_mb": round(rss.growth_bytes / MB, 1),
            "rss_peak_mb": round(_status_kb(os.getpid(), "VmHWM") / 1024, 1),
            "rss_method": rss.method,
            "requests": first.requests,
            "summary": _summary(first),
        }
        _log(f"  first sync: {first_seconds:.1f} s; incremental sync …")

        before = len(server.requests)
        started = time.perf_counter()
        incremental = sync.register_sync(ministry=ministry, base_url=server.base_url)
        result["incremental"] = {
            "seconds": round(time.perf_counter() - started, 3),
            "requests": len(server.requests) - before,
            "summary": _summary(incremental),
        }

        if job["tracemalloc"]:
            result["tracemalloc_peak_mb"] = round(_traced_first_sync(job, server.base_url) / MB, 1)
        if job["profile"]:
            result["profile"] = _profiled_first_sync(job, server.base_url)
    return result


def register_records(size: int, *, ministry: str, seed: int) -> list[dict]:
    """Exactly `size` records of `ministry` among the other ministries' share of the register.

    The two sets are generated apart, as make_records draws a record's ministry by chance. A
    ministry the generator does not know gets the share of the largest one it knows.
    """
    from tests.register_server import DEFAULT_MINISTRIES, make_records

    own = make_records(size, seed=seed, ministries=[ministry])
    others = {name: weight for name, weight in DEFAULT_MINISTRIES.items() if name != ministry}
    share = DEFAULT_MINISTRIES.get(ministry, max(DEFAULT_MINISTRIES.values()))
    other_count = round(size * (1 - share) / share)
    rest = make_records(other_count, seed=seed + 1, ministries=others) if other_count else []
    return own + rest


def fresh_database(database_url: str) -> float:
    """Drop and make the benchmark's database, and migrate it; returns the seconds it took."""
    from django.core.cache import caches
    from django.core.management import call_command
    from django.db import connections

    started = time.perf_counter()
    connections.close_all()
    _recreate_database(database_url)
    # What the last pass left in the per-process cache belongs to the dropped database.
    caches["default"].clear()
    call_command("migrate", interactive=False, verbosity=0)
    return time.perf_counter() - started


def _traced_first_sync(job: dict, base_url: str) -> int:
    """The peak bytes of Python's allocations during a first sync on a fresh database."""
    import tracemalloc

    from parliament import sync

    fresh_database(job["database_url"])
    _log("  first sync again, under tracemalloc …")
    gc.collect()
    tracemalloc.start()
    try:
        sync.register_sync(ministry=job["ministry"], base_url=base_url)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _profiled_first_sync(job: dict, base_url: str) -> list[dict]:
    """A first sync on a fresh database under cProfile: the costliest functions by own time."""
    import cProfile
    import pstats

    from parliament import sync

    fresh_database(job["database_url"])
    _log("  first sync again, under cProfile …")
    profiler = cProfile.Profile()
    profiler.runcall(sync.register_sync, ministry=job["ministry"], base_url=base_url)
    path = Path(job["profile"])
    path.parent.mkdir(parents=True, exist_ok=True)
    profiler.dump_stats(path)
    stats = pstats.Stats(profiler, stream=sys.stderr)
    stats.sort_stats("tottime").print_stats(PROFILE_LINES)
    top = sorted(stats.stats.items(), key=lambda item: item[1][2], reverse=True)
    return [
        {
            "function": f"{_short_path(file)}:{line}({name})",
            "calls": calls,
            "own_seconds": round(own, 3),
            "cumulative_seconds": round(cumulative, 3),
        }
        for (file, line, name), (_primitive, calls, own, cumulative, _callers) in top[
            :PROFILE_LINES
        ]
    ]


def _summary(summary) -> dict:
    return {**summary.counts(), "refused": len(summary.refused), "requests": summary.requests}


# --- the database ---------------------------------------------------------------------------------


def _configure_django(database_url: str) -> None:
    # Forced, not defaulted: the sync must write to the benchmark's database whatever
    # DATABASE_URL the shell holds, with no query log (DEBUG keeps every query, which would
    # count as the sync's memory) and no task left in the project's broker folder.
    os.environ["DATABASE_URL"] = database_url
    os.environ["DEBUG"] = "0"
    os.environ["CELERY_BROKER_URL"] = "memory://"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    os.environ.setdefault("SECRET_KEY", "bench-" + secrets.token_urlsafe(40))
    import django

    django.setup()


def _admin_connection(database_url: str):
    import environ
    import psycopg2

    config = environ.Env.db_url_config(database_url)
    admin = psycopg2.connect(
        dbname=MAINTENANCE_DATABASE,
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
    )
    admin.autocommit = True
    return admin, config["NAME"]


class Unusable(Exception):
    """The database cannot be used: the server is unreachable, or the database not ours."""


def _check_database(database_url: str) -> int:
    """The server's version number; raises Unusable before any size is measured."""
    import psycopg2

    try:
        admin, name = _admin_connection(database_url)
    except psycopg2.Error as error:
        raise Unusable(
            f"Cannot reach PostgreSQL at {_redacted(database_url)}: {str(error).strip()}\n"
            "Start it, or give another server with --database-url."
        ) from None
    try:
        mark = _database_mark(admin, name)
        version = admin.server_version
    finally:
        admin.close()
    if mark is not None and mark != DATABASE_MARK:
        raise Unusable(
            f"The database {name} exists and was not made by this benchmark, which drops its "
            "database for every size. Give another name with --database-url."
        )
    return version


def _database_mark(admin, name: str) -> str | None:
    """The comment on database `name`: "" when it has none, None when there is no such one."""
    with admin.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(shobj_description(oid, 'pg_database'), '') "
            "FROM pg_database WHERE datname = %s",
            [name],
        )
        row = cursor.fetchone()
    return None if row is None else row[0]


def _recreate_database(database_url: str) -> None:
    from psycopg2 import sql

    admin, name = _admin_connection(database_url)
    database = sql.Identifier(name)
    try:
        mark = _database_mark(admin, name)
        with admin.cursor() as cursor:
            if mark is not None:
                if mark != DATABASE_MARK:
                    raise Unusable(f"{name} was not made by this benchmark: not dropped")
                cursor.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(database))
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(database))
            cursor.execute(
                sql.SQL("COMMENT ON DATABASE {} IS {}").format(database, sql.Literal(DATABASE_MARK))
            )
    finally:
        admin.close()


# --- the verdicts and the table -------------------------------------------------------------------


def judge(results: list[dict]) -> dict:
    """Each size's targets, and whether the memory stays flat from the smallest to the largest."""
    required_rate = FIRST_SYNC_RECORDS / FIRST_SYNC_SECONDS
    for result in results:
        targets = {
            f"first sync ≥ {required_rate:.0f} records/s": (
                result["first"]["records_per_second"] >= required_rate
            ),
            f"incremental < {INCREMENTAL_SECONDS:.0f} s": (
                result["incremental"]["seconds"] < INCREMENTAL_SECONDS
            ),
            f"incremental in {INCREMENTAL_REQUESTS} request": (
                result["incremental"]["requests"] == INCREMENTAL_REQUESTS
            ),
        }
        if result["size"] == FIRST_SYNC_RECORDS:
            targets = {
                f"first sync < {FIRST_SYNC_SECONDS:.0f} s": (
                    result["first"]["seconds"] < FIRST_SYNC_SECONDS
                ),
                **{k: v for k, v in targets.items() if not k.startswith("first")},
            }
        result["targets"] = targets

    smallest = min(results, key=lambda r: r["size"])
    largest = max(results, key=lambda r: r["size"])
    memory = {"smallest": smallest["size"], "largest": largest["size"]}
    for key, figure in (("tracemalloc", "tracemalloc_peak_mb"), ("rss", None)):
        low = smallest.get(figure) if figure else smallest["first"]["rss_growth_mb"]
        high = largest.get(figure) if figure else largest["first"]["rss_growth_mb"]
        ratio = high / low if low and high is not None else None
        memory[f"{key}_ratio"] = round(ratio, 2) if ratio is not None else None
    ratio = memory["tracemalloc_ratio"]
    if ratio is None:
        ratio = memory["rss_ratio"]
    memory["flat"] = None if ratio is None or largest is smallest else ratio <= FLAT_MEMORY_RATIO
    return memory


def print_table(results: list[dict], memory: dict, *, ministry: str) -> None:
    required_rate = FIRST_SYNC_RECORDS / FIRST_SYNC_SECONDS
    header = (
        f"{'size':>7}{'first s':>9}{'records/s':>11}{'peak MB':>9}{'RSS+ MB':>9}"
        f"{'incr. s':>9}{'incr. req':>11}  targets"
    )
    target = (
        f"{'target':>7}{f'<{FIRST_SYNC_SECONDS:.0f}*':>9}{f'≥{required_rate:.0f}':>11}"
        f"{'flat':>9}{'flat':>9}{f'<{INCREMENTAL_SECONDS:.0f}':>9}{INCREMENTAL_REQUESTS:>11}"
    )
    print(f"\nKamer-register sync of {ministry}\n" + header + "\n" + target)
    print("-" * len(header))
    for r in results:
        missed = [name for name, met in r["targets"].items() if not met]
        verdict = "all met" if not missed else "missed: " + "; ".join(missed)
        print(
            f"{r['size']:>7}{r['first']['seconds']:>9.1f}{r['first']['records_per_second']:>11.1f}"
            f"{_cell(r.get('tracemalloc_peak_mb'), 9)}{_cell(r['first']['rss_growth_mb'], 9)}"
            f"{r['incremental']['seconds']:>9.2f}{r['incremental']['requests']:>11}  {verdict}"
        )
        first, again = r["first"]["summary"], r["incremental"]["summary"]
        print(
            " " * 9 + f"served={r['served_records']} created={first['created']} "
            f"updated={first['updated']} unchanged={first['unchanged']} "
            f"proposals={first['proposals']} refused={first['refused']} "
            f"requests={first['requests']}; incremental read {again['fetched']}, "
            f"changed {again['created'] + again['updated'] + again['removed']}"
        )
    print(
        f"* {FIRST_SYNC_SECONDS:.0f} s for {FIRST_SYNC_RECORDS:,} records; the other sizes "
        "are held to the same rate."
    )
    verdict = {True: "flat", False: "grows with N", None: "not measured"}[memory["flat"]]
    print(
        f"memory, {memory['largest']} records over {memory['smallest']}: "
        f"peak {_times(memory['tracemalloc_ratio'])} (tracemalloc), "
        f"RSS growth {_times(memory['rss_ratio'])}; flat means "
        f"≤ ×{FLAT_MEMORY_RATIO}: {verdict}"
    )


# --- small helpers --------------------------------------------------------------------------------


def _cell(value, width, spec=".1f") -> str:
    if value is None:
        return f"{'–':>{width}}"
    return f"{value:>{width}{spec}}"


def _times(ratio) -> str:
    return "–" if ratio is None else f"×{ratio:.2f}"


def _short_path(path: str) -> str:
    root = str(Path(__file__).resolve().parent.parent) + os.sep
    return path.removeprefix(root)


def _redacted(url: str) -> str:
    from bench.__main__ import _redacted as redacted

    return redacted(url)


def _git_commit() -> str | None:
    from bench.__main__ import _git_commit as git_commit

    return git_commit()


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _stop(message: str) -> int:
    print(message, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
