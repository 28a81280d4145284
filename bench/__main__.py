"""`python -m bench`: run the benchmark and write var/bench/latest.json.

Runs with production settings (DEBUG off) against the database of DATABASE_URL, which must
be PostgreSQL holding the data of `manage.py generate_load`. `make bench` is the way in.
"""

import argparse
import datetime
import json
import logging
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

FULL_SIZE = "--commitments 100000 --updates 1000000 --users 1000"
# Scenarios whose peer (the "admin" columns) is our own HTML list rather than the admin's.
PEERS_ARE_HTML = ("api_", "public_")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--runs", type=int, default=30, help="timed requests per page (30)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests first (3)")
    parser.add_argument("--seconds", type=int, default=15, help="wrk duration per page (15)")
    parser.add_argument(
        "--rounds", type=int, default=3, help="alternating wrk slices of ours and the admin (3)"
    )
    parser.add_argument("--connections", type=int, default=4, help="wrk concurrency (4)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument("--export-runs", type=int, default=3, help="runs per export (3)")
    parser.add_argument("--only", default="", help="comma-separated scenario names")
    parser.add_argument("--no-load", action="store_true", help="skip gunicorn, wrk and exports")
    parser.add_argument(
        "--explain",
        type=float,
        nargs="?",
        const=0.0,
        metavar="MS",
        help="print EXPLAIN (ANALYZE, BUFFERS) of every query of every page, or with MS only of "
        "those slower than MS milliseconds; either way record the sequential scans of each page",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="profile a batch of requests of each page (pyinstrument, else cProfile) and print "
        "the three heaviest frames of our code, Django's templates and ORM",
    )
    parser.add_argument("--output", default=None, help="JSON file (var/bench/latest.json)")
    args = parser.parse_args(argv)

    # Production settings: the figures are what a deployment would see. A secret made for
    # this run only signs the benchmark user's session, in this process and in gunicorn.
    from bench.environment import use_production_settings

    use_production_settings(os.environ)
    # wrk is one client asking as fast as it can: the API's limit per token would answer it 429.
    os.environ.setdefault("API_THROTTLE_RATE", "1000000/minute")
    import django

    django.setup()
    # The 404s of pages not built yet are expected here; errors still show.
    logging.getLogger("django.request").setLevel(logging.ERROR)
    return run(args)


# What the pages read most. A migration that adds an expression index, or a load that
# rewrote rows, leaves them without statistics or visibility map until autovacuum comes by;
# a production database has both by the time its users come, so the benchmark measures that.
SETTLED_TABLES = (
    "commitments_commitment",
    "commitments_progressupdate",
    "commitments_commitment_activities",
    "commitments_followupletter_commitments",
)


def _settle(connection) -> str:
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for table in SETTLED_TABLES:
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    return f"{time.perf_counter() - started:.1f} s"


def run(args) -> int:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import OperationalError, connection
    from django.test import Client

    from bench import harness
    from bench import scenarios as bench
    from commitments.loadgen.markers import REFERENCE_PREFIX
    from commitments.models import Commitment

    database_url = _redacted(os.environ.get("DATABASE_URL", ""))
    if connection.vendor != "postgresql":
        return _stop(
            "The benchmark runs on PostgreSQL: set DATABASE_URL, e.g.\n"
            "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_bench make bench"
        )
    try:
        connection.ensure_connection()
    except OperationalError as error:
        name = connection.settings_dict["NAME"]
        return _stop(
            f"Cannot reach the database {name}: {str(error).strip()}\n"
            f"Create and migrate it first:\n  createdb -h 127.0.0.1 -U postgres {name}\n"
            f"  DATABASE_URL={database_url} DEBUG=1 .venv/bin/python manage.py migrate"
        )
    if pending := _pending_migrations(connection):
        return _stop(
            f"The database has {len(pending)} migration(s) to apply first:\n"
            f"  DATABASE_URL={database_url} DEBUG=1 .venv/bin/python manage.py migrate"
        )
    generated = Commitment.objects.filter(reference__startswith=REFERENCE_PREFIX).count()
    if generated == 0:
        return _stop(
            "The database holds no generated data. Fill it first (about two minutes):\n"
            f"  DATABASE_URL={database_url} DEBUG=1 .venv/bin/python manage.py generate_load "
            + FULL_SIZE
        )
    if not args.no_load and not harness.wrk_available():
        return _stop("wrk is not installed: apt-get install wrk (or use --no-load).")

    output = Path(args.output or Path(settings.VAR_DIR) / "bench" / "latest.json")
    started = time.time()
    load_at_start = os.getloadavg()
    today = datetime.date.today()
    config = bench.Settings(
        runs=args.runs,
        warmup=args.warmup,
        export_runs=args.export_runs,
        seconds=args.seconds,
        rounds=args.rounds,
        connections=args.connections,
        workers=args.workers,
        explain_ms=args.explain,
        profile=args.profile,
    )
    log = _log
    log(f"Benchmark on {connection.settings_dict['NAME']}: {_data_size()}")
    log(f"the tables the pages read vacuumed and analyzed in {_settle(connection)}")
    # Production serves hashed static files from a manifest; the admin's pages need it.
    call_command("collectstatic", interactive=False, verbosity=0)

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(_bench_user())
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value

    only = {name.strip() for name in args.only.split(",") if name.strip()}
    chosen = [s for s in bench.scenarios(today=today) if not only or s.name in only]
    results = {s.name: bench.Result(s.name, url=s.url, admin_url=s.admin_url) for s in chosen}

    for scenario in chosen:
        result = results[scenario.name]
        if scenario.kind in ("page", "list"):
            if scenario.url is None:
                result.status = "not available"
                continue
            log(f"measuring {scenario.name} in-process …")
            bench.measure_pages(client, scenario, config, result, log)
        elif scenario.kind == "export":
            log(f"counting the queries of {scenario.name} …")
            bench.measure_export_queries(client, scenario, result)
        elif scenario.kind == "reminders":
            log("running the reminder day-scan …")
            bench.measure_reminders(today, config, result, log)

    if not args.no_load:
        server_environment = {
            "DEBUG": os.environ["DEBUG"],
            "SECRET_KEY": os.environ["SECRET_KEY"],
            "SECURE_SSL_REDIRECT": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
        }
        log(f"starting gunicorn with {config.workers} workers …")
        with harness.Server(workers=config.workers, environment=server_environment) as server:
            for scenario in chosen:
                result = results[scenario.name]
                if scenario.kind == "export" and result.status == "ok":
                    log(f"exporting {scenario.name} over HTTP …")
                    bench.measure_export(server, cookie, scenario, config, result)
                elif scenario.kind == "list" and result.status == "ok":
                    log(f"wrk on {scenario.name} (ours and the admin's) …")
                    bench.measure_throughput(server, cookie, scenario, config, result)

    generate_record = _generate_load_record(settings, connection)
    if generate_record is not None:
        results["generate_load"] = bench.Result(
            "generate_load",
            extra={
                "seconds": generate_record.get("seconds"),
                "peak_rss_mb": generate_record.get("peak_rss_mb"),
                "commitments": (generate_record.get("size") or {}).get("commitments"),
            },
        )
    data_size = _data_size()
    bench.judge(
        results,
        commitments=data_size["commitments"],
        generate_load=generate_record,
        explained=args.explain is not None,
    )
    absolute_judged = bench.at_reference_size(data_size["commitments"])

    print_table(list(results.values()))
    print_profiles(list(results.values()))
    if not absolute_judged:
        print(
            f"\nThe absolute times (ms, s) are targets at {bench.REFERENCE_COMMITMENTS:,} "
            f"commitments: not judged on {data_size['commitments']:,}. The ratios and the "
            "numbers of queries are."
        )
    report = {
        "meta": {
            "started_at": datetime.datetime.fromtimestamp(started).isoformat(timespec="seconds"),
            "seconds": round(time.time() - started),
            "database": connection.settings_dict["NAME"],
            "postgresql": connection.cursor().connection.server_version,
            "data": data_size,
            # The absolute times are targets at 100,000 commitments (bench.scenarios).
            "reference_commitments": bench.REFERENCE_COMMITMENTS,
            "absolute_targets_judged": absolute_judged,
            "commit": _git_commit(),
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
            # The machine is shared: the load around the run says how much to trust it.
            "load_average": {"start": load_at_start, "end": os.getloadavg()},
            "settings": vars(config),
        },
        "scenarios": [result.as_json() for result in results.values()],
    }
    # The scale run (bench.scale) keeps its table in the same file: a run of one size leaves
    # it there, dated by its own meta.
    if scale := (_read_report(output) or {}).get("scale"):
        report["scale"] = scale
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2, default=str) + "\n")
    log(f"\nWritten to {output}")
    return 0


def print_table(results) -> None:
    from bench import scenarios as bench

    width = max([26, *(len(r.name) + 2 for r in results)])
    header = (
        f"{'scenario':<{width}}{'p50 ms':>8}{'p95 ms':>8}{'queries':>8}{'rps':>7}"
        f"{'admin p50':>10}{'admin rps':>10}{'×admin':>7}{'floor':>7}{'×floor':>8}  targets"
    )
    print("\n" + header + "\n" + "-" * len(header))
    for r in results:
        if r.status != "ok":
            print(f"{r.name:<{width}}  {r.status}")
            continue
        ratio = r.rps / r.admin_rps if r.rps and r.admin_rps else None
        missed = [name for name, met in r.targets.items() if not met]
        verdict = "" if not r.targets else "all met" if not missed else f"{len(missed)} missed"
        print(
            f"{r.name:<{width}}{_cell(r.p50_ms, 8)}{_cell(r.p95_ms, 8)}{_cell(r.queries, 8)}"
            f"{_cell(r.rps, 7, '.0f')}{_cell(r.admin_p50_ms, 10)}{_cell(r.admin_rps, 10, '.0f')}"
            f"{_cell(ratio, 7, '.2f')}{_cell(r.floor_ms, 7)}{_cell(r.floor_ratio, 8, '.2f')}"
            f"  {verdict}"
        )
        indent = " " * 4
        if missed:
            print(indent + "missed: " + "; ".join(missed))
        # The JSON keeps every table a plan reads whole; the table names the big ones only.
        details = {
            k: v
            for k, v in r.extra.items()
            if k not in ("memory_method", "profile", "seq_scans", "admin_seq_scans")
            and v is not None
        }
        scanned = [t for t in r.extra.get("seq_scans", []) if t in bench.COMMITMENT_TABLES]
        if scanned:
            details["seq_scans"] = scanned
        if details:
            print(indent + "  ".join(f"{k}={_short(v)}" for k, v in details.items()))
    print("\nfloor: the page's own SQL run straight on psycopg2 (p50 ms); ×floor: p50 over floor.")
    if any(r.name.startswith(PEERS_ARE_HTML) for r in results):
        print(
            "On the api_* and public_* rows the admin columns hold the HTML list with the same "
            "filters: ×admin above 1 means faster than that page."
        )


def print_profiles(results) -> None:
    profiled = [r for r in results if r.status == "ok" and r.extra.get("profile")]
    if not profiled:
        return
    first = profiled[0].extra["profile"]
    print(
        f"\nWhere the time goes ({first['profiler']}, {first['requests']} requests a page): "
        "the heaviest frames of our code, Django's templates and ORM, each charged with the "
        "time of the calls below it that are none of those; shares of the batch."
    )
    for r in profiled:
        profile = r.extra["profile"]
        areas = "  ".join(f"{area} {share:.0%}" for area, share in profile["areas"].items())
        print(f"{r.name:<28}{profile['ms_per_request']:>7.1f} ms/request  {areas}")
        for rank, cost in enumerate(profile["top"], start=1):
            print(
                f"    {rank}. {cost['share']:>4.0%} {cost['ms_per_request']:>6.2f} ms  "
                f"{cost['frame']}"
            )


def _cell(value, width, spec=".1f") -> str:
    if value is None:
        return f"{'–':>{width}}"
    if isinstance(value, int):
        return f"{value:>{width}}"
    return f"{value:>{width}{spec}}"


def _short(value):
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, list):
        return ",".join(str(item) for item in value) or "none"
    return value


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _stop(message: str) -> int:
    print(message, file=sys.stderr)
    return 2


def _redacted(url: str) -> str:
    # Never print a password into a terminal log.
    if "@" in url and ":" in url.split("@", 1)[0].split("//", 1)[-1]:
        scheme, rest = url.split("//", 1)
        user = rest.split("@", 1)[0].split(":", 1)[0]
        return f"{scheme}//{user}:***@{rest.split('@', 1)[1]}"
    return url or "postgres://postgres@127.0.0.1:5432/tracker_bench"


def _pending_migrations(connection) -> list:
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return executor.migration_plan(executor.loader.graph.leaf_nodes())


def _data_size() -> dict:
    from django.contrib.auth import get_user_model

    from actionlines.models import Team
    from commitments.models import Commitment, ProgressUpdate

    return {
        "commitments": Commitment.objects.count(),
        "progress_updates": ProgressUpdate.objects.count(),
        "users": get_user_model().objects.count(),
        "teams": Team.objects.count(),
    }


def _bench_user():
    """A superuser for the benchmark, marked as generated so generate_load replaces it."""
    from django.contrib.auth import get_user_model

    user, created = get_user_model().objects.get_or_create(
        username="gen-bench-admin", defaults={"email": "gen-bench-admin@gen.tracker.invalid"}
    )
    if created:
        # Once only: a new unusable password is a new session hash, which would sign out a
        # benchmark that runs on the same database at the same time.
        user.set_unusable_password()
    user.is_staff = user.is_superuser = True
    user.save()
    return user


def _generate_load_record(settings, connection) -> dict | None:
    """What the last generate_load on this database wrote of itself, if it left a record."""
    path = Path(settings.VAR_DIR) / "bench" / "generate_load.json"
    try:
        record = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if record.get("database") != connection.settings_dict["NAME"]:
        return None
    return record


def _read_report(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _git_commit() -> str | None:
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(["git", "diff", "--quiet", "HEAD"], check=False).returncode
    except (OSError, subprocess.CalledProcessError):
        return None
    return commit + ("+uncommitted" if dirty else "")


if __name__ == "__main__":
    sys.exit(main())
