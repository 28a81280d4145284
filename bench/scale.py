"""`python -m bench.scale`: the benchmark at 10,000, 100,000 and 1,000,000 commitments.

A paged page (a list, the deep page, the detail, the dashboard, the API's list) shows one
page of rows whatever the size of the table: its time must barely grow with the data and its
number of queries not at all. For each size, in turn:

1. its database (SIZES), created and migrated when missing;
2. filled by `manage.py generate_load` (timed) unless it already holds that size of
   generated data, or --skip-generate is given;
3. `python -m bench` on it, in a process of its own, writing var/bench/scale-<size>.json;
   the options this command does not know (--runs, --seconds, --no-load, --only, …) are
   passed on to it.

With `--rounds N` the sizes take turns N times (10k, 100k, 1M, 10k, …) and each scenario's
row at a size is the round with its median p50: the machines are shared and their speed
drifts over minutes, which would otherwise fall on one size and read as growth.

Then one table of p50 and queries at each size side by side, with the growth from 10,000 to
1,000,000 against the targets, written to var/bench/scale.json and into the "scale" section
of var/bench/latest.json. A size not run this time is shown from its earlier scale-<size>.json
when there is one, marked with the time of that run. The register sync and the debate-report
reader are measured at their own sizes, by their own commands: their last figures are shown
as rows of their own when stored, never run again here (--capture scores the reader now).

`make bench-scale` is the way in (BENCH_ARGS passes options). Like `python -m bench`, it
measures; it does not assert.
"""

import argparse
import datetime
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432"
MAINTENANCE_DATABASE = "postgres"
# commitments: (database, progress updates); every size with 1,000 users in 40 teams.
SIZES = {
    10_000: ("tracker_bench_10k", 100_000),
    100_000: ("tracker_bench", 1_000_000),
    1_000_000: ("tracker_bench_1m", 2_000_000),
}
USERS, TEAMS = 1_000, 40
SMALLEST, LARGEST = min(SIZES), max(SIZES)

# The targets of the scale run: a paged page's p50 at 1,000,000 commitments at most this many
# times its p50 at 10,000, and the same number of queries at every size.
GROWTH_MAX = 1.5

GENERATED_REFERENCE = "GEN-%"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.scale",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--sizes",
        default=",".join(str(size) for size in SIZES),
        help="comma-separated numbers of commitments, of " + ", ".join(map(str, SIZES)),
    )
    parser.add_argument(
        "--skip-generate",
        action="store_true",
        help="benchmark each database with what it holds, never running generate_load",
    )
    parser.add_argument(
        "--server",
        default=os.environ.get("BENCH_POSTGRES", DEFAULT_SERVER),
        help=f"PostgreSQL server, without a database ({DEFAULT_SERVER})",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="how many times the sizes take turns; each row is the round with the median p50",
    )
    parser.add_argument(
        "--capture",
        action="store_true",
        help="score the debate-report reader now (bench.capture's evaluation) for its row",
    )
    args, bench_args = parser.parse_known_args(argv)
    try:
        sizes = [int(size.replace("_", "")) for size in args.sizes.split(",") if size.strip()]
    except ValueError:
        parser.error(f"--sizes takes whole numbers separated by commas, not {args.sizes!r}")
    unknown = [size for size in sizes if size not in SIZES]
    if unknown or not sizes:
        parser.error(f"--sizes: choose from {', '.join(map(str, SIZES))}")
    if "--output" in bench_args:
        parser.error("--output: the scale run names each size's file itself")

    var_dir = Path(os.environ.get("TRACKER_VAR_DIR") or ROOT / "var") / "bench"
    var_dir.mkdir(parents=True, exist_ok=True)
    started = time.time()
    load_at_start = os.getloadavg()
    runs: dict[int, dict] = {}
    rounds = max(1, args.rounds)
    for round_number in range(1, rounds + 1):
        for size in sizes:
            name = (
                f"scale-{size}.json" if rounds == 1 else f"scale-{size}.round-{round_number}.json"
            )
            if round_number > 1:
                _log(f"\n--- round {round_number} of {rounds}")
            run = run_size(size, args=args, bench_args=bench_args, var_dir=var_dir, output=name)
            if round_number == 1 or "error" in run:
                runs[size] = run
            else:  # the generation, if any, was the first round's
                runs[size] = {**runs[size], **{k: v for k, v in run.items() if k != "generate"}}
    if rounds > 1:
        for size in sizes:
            merged = merge_rounds(
                [var_dir / f"scale-{size}.round-{n}.json" for n in range(1, rounds + 1)]
            )
            if merged is not None:
                (var_dir / f"scale-{size}.json").write_text(
                    json.dumps(merged, indent=2, default=str) + "\n"
                )

    columns = {}
    for size in SIZES:
        report = _read_json(var_dir / f"scale-{size}.json")
        if report is not None:
            columns[size] = {
                "report": report,
                "this_run": size in runs and runs[size].get("bench_exit") == 0,
            }
    if not columns:
        return _stop("No size was measured.")
    table = scale_table(columns)
    generated = generate_row(columns, runs, var_dir)
    outside = outside_rows(var_dir, capture_now=args.capture)
    print_scale_table(table, generated, columns, runs, outside)

    scale = {
        "meta": {
            "started_at": datetime.datetime.fromtimestamp(started).isoformat(timespec="seconds"),
            "seconds": round(time.time() - started),
            "bench_args": bench_args,
            # The machine is shared: the load around the run says how much to trust it.
            "load_average": {"start": load_at_start, "end": os.getloadavg()},
            "growth_max": GROWTH_MAX,
        },
        "sizes": {
            str(size): {
                "database": SIZES[size][0],
                "file": f"scale-{size}.json",
                "started_at": column["report"].get("meta", {}).get("started_at"),
                "data": column["report"].get("meta", {}).get("data"),
                "this_run": column["this_run"],
                **{key: value for key, value in runs.get(size, {}).items() if key != "size"},
            }
            for size, column in columns.items()
        },
        "scenarios": table,
        "generate_load": generated,
        "measured_apart": outside,
    }
    output = var_dir / "scale.json"
    output.write_text(json.dumps(scale, indent=2, default=str) + "\n")
    latest_path = var_dir / "latest.json"
    latest = _read_json(latest_path) or {}
    latest["scale"] = scale
    latest_path.write_text(json.dumps(latest, indent=2, default=str) + "\n")
    _log(f"\nWritten to {output} and to the scale section of {latest_path}")
    failed = [size for size, run in runs.items() if run.get("bench_exit") != 0]
    return 1 if failed else 0


# --- one size ----------------------------------------------------------------------------------


def merge_rounds(paths: list[Path]) -> dict | None:
    """One report of a size from the reports of its rounds: each scenario as measured in the
    round of its median p50 (the lower middle of an even number), with the round's p50s."""
    reports = [report for path in paths if (report := _read_json(path)) is not None]
    if not reports:
        return None
    merged = {**reports[-1], "meta": {**reports[-1].get("meta", {}), "rounds": len(reports)}}
    scenarios = []
    for scenario in reports[-1].get("scenarios", []):
        measured = [
            row
            for report in reports
            for row in report.get("scenarios", [])
            if row.get("name") == scenario.get("name")
        ]
        timed = sorted(
            (row for row in measured if isinstance(row.get("p50_ms"), int | float)),
            key=lambda row: row["p50_ms"],
        )
        chosen = timed[(len(timed) - 1) // 2] if timed else scenario
        scenarios.append({**chosen, "round_p50_ms": [row["p50_ms"] for row in timed]})
    merged["scenarios"] = scenarios
    return merged


def run_size(
    size: int, *, args, bench_args: list[str], var_dir: Path, output: str | None = None
) -> dict:
    """Make the database of `size` ready and run the benchmark on it; what happened, for the
    JSON (generation time and memory, the benchmark's exit status)."""
    name, updates = SIZES[size]
    database_url = f"{args.server.rstrip('/')}/{name}"
    run: dict = {"size": size, "database": name}
    _log(f"\n=== {size:,} commitments on {name} ===")
    try:
        created = _ensure_database(args.server, name)
    except Exception as error:  # a server that cannot be reached stops this size, not all
        run["error"] = f"{type(error).__name__}: {error}"
        _log(f"cannot make the database {name}: {run['error']}")
        return run
    held = _held_size(args.server, name)
    run["held_before"] = held
    holds = held["commitments"] == size and held["updates"] >= updates
    # Someone migrating or filling the database (generate_load writes in one transaction, so
    # its rows are not seen until it ends): a second generator, or a migration, now would
    # spoil their work. Reading a complete database while others read it is fine.
    busy = _other_sessions_at_work(args.server, name)
    try:
        if not holds and busy:
            run["error"] = f"busy: {busy} other session(s) at work on {name}, data incomplete"
            _log(f"skipped: {run['error']}; run this size again when they are done")
            return run
        if created or not _migrated(database_url):
            if busy:
                run["error"] = f"migrations to apply, and {busy} other session(s) at work"
                _log(f"skipped: {run['error']}")
                return run
            _log(f"migrating {name} …")
            _manage(database_url, ["migrate", "--noinput", "--verbosity", "0"])
        if not holds and args.skip_generate:
            _log(
                f"{name} holds {held['commitments']:,} generated commitments and "
                f"{held['updates']:,} updates, not {size:,} and {updates:,}: --skip-generate, "
                "so measured as it is"
            )
        elif not holds:
            run["generate"] = generate(database_url, name, size, updates, var_dir=var_dir)
            if run["generate"]["exit"] != 0:
                run["error"] = f"generate_load exited {run['generate']['exit']}"
                return run
    except subprocess.CalledProcessError as error:
        run["error"] = f"{' '.join(error.cmd[1:3])} exited {error.returncode}"
        _log(run["error"])
        return run
    output = var_dir / (output or f"scale-{size}.json")
    command = [sys.executable, "-m", "bench", *bench_args, "--output", str(output)]
    _log("$ " + " ".join(command[1:]))
    started = time.perf_counter()
    finished = subprocess.run(command, env={**os.environ, "DATABASE_URL": database_url}, cwd=ROOT)
    run["bench_seconds"] = round(time.perf_counter() - started)
    run["bench_exit"] = finished.returncode
    return run


def generate(database_url: str, name: str, size: int, updates: int, *, var_dir: Path) -> dict:
    """`manage.py generate_load` for one size: its time and the peak memory of its process.

    Its output goes to the terminal and to var/bench/generate-<size>.log. When the generator
    left its own record (var/bench/generate_load.json) for this database and size, its figures
    are taken; ours stand in otherwise.
    """
    arguments = [
        "generate_load",
        *("--commitments", str(size), "--updates", str(updates)),
        *("--users", str(USERS), "--teams", str(TEAMS)),
    ]
    _log(f"filling {name}: manage.py {' '.join(arguments)}")
    log_path = var_dir / f"generate-{size}.log"
    started = time.perf_counter()
    with (
        log_path.open("w") as log,
        subprocess.Popen(
            [sys.executable, "manage.py", *arguments],
            env=_manage_environment(database_url),
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        ) as process,
    ):
        for line in process.stdout:
            log.write(line)
            _log("  " + line.rstrip())
        # wait4 gives this child's own peak memory, where getrusage would give the largest of
        # all the children this process has waited for.
        _pid, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    result = {
        "exit": process.returncode,
        "seconds": round(time.perf_counter() - started, 1),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),  # ru_maxrss is in KiB on Linux
        "log": str(log_path.relative_to(ROOT)) if log_path.is_relative_to(ROOT) else str(log_path),
        "source": "measured by bench.scale",
    }
    record = _read_json(var_dir / "generate_load.json")
    if (
        record
        and record.get("database") == name
        and (record.get("size") or {}).get("commitments") == size
    ):
        result.update(
            seconds=record.get("seconds", result["seconds"]),
            peak_rss_mb=record.get("peak_rss_mb", result["peak_rss_mb"]),
            source="generate_load.json",
        )
    if result["exit"] == 0:
        record = {"database": name, "size": size, "updates": updates, **result}
        record["finished_at"] = datetime.datetime.now().isoformat(timespec="seconds")
        (var_dir / f"generate-{size}.json").write_text(json.dumps(record, indent=2) + "\n")
    _log(
        f"generated in {result['seconds']} s, peak {result['peak_rss_mb']} MB "
        f"(exit {result['exit']})"
    )
    return result


def _manage_environment(database_url: str) -> dict:
    # As the README's commands: DEBUG=1 lets manage.py run without production's secrets.
    return {**os.environ, "DATABASE_URL": database_url, "DEBUG": "1"}


def _manage(database_url: str, arguments: list[str]) -> None:
    command = [sys.executable, "manage.py", *arguments]
    subprocess.run(command, env=_manage_environment(database_url), cwd=ROOT, check=True)


def _migrated(database_url: str) -> bool:
    finished = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--check"],
        env=_manage_environment(database_url),
        cwd=ROOT,
        capture_output=True,
    )
    return finished.returncode == 0


def _connect(server: str, database: str):
    import psycopg2

    return psycopg2.connect(f"{server.rstrip('/')}/{database}")


def _ensure_database(server: str, name: str) -> bool:
    """Create the database when it is missing; True when it was just made."""
    admin = _connect(server, MAINTENANCE_DATABASE)
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone():
                return False
            _log(f"creating the database {name} …")
            cursor.execute(f'CREATE DATABASE "{name}"')
            return True
    finally:
        admin.close()


def _other_sessions_at_work(server: str, name: str) -> int:
    """Sessions on the database in the middle of a statement or a transaction."""
    admin = _connect(server, MAINTENANCE_DATABASE)
    try:
        with admin.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
                "AND pid <> pg_backend_pid() AND backend_type = 'client backend' "
                "AND state IN ('active', 'idle in transaction')",
                [name],
            )
            return cursor.fetchone()[0]
    finally:
        admin.close()


def _held_size(server: str, name: str) -> dict:
    """How many generated commitments and progress updates the database holds."""
    import psycopg2

    connection = _connect(server, name)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM commitments_commitment WHERE reference LIKE %s",
                [GENERATED_REFERENCE],
            )
            commitments = cursor.fetchone()[0]
            cursor.execute("SELECT count(*) FROM commitments_progressupdate")
            updates = cursor.fetchone()[0]
    except psycopg2.errors.UndefinedTable:
        commitments = updates = 0
    finally:
        connection.close()
    return {"commitments": commitments, "updates": updates}


# --- the table ---------------------------------------------------------------------------------


def scale_table(columns: dict[int, dict]) -> list[dict]:
    """One row a scenario: p50 and queries at each size, the growth and its targets."""
    names: list[str] = []
    by_size: dict[int, dict[str, dict]] = {}
    for size, column in columns.items():
        by_size[size] = {}
        for scenario in column["report"].get("scenarios", []):
            by_size[size][scenario["name"]] = scenario
            if scenario["name"] not in names:
                names.append(scenario["name"])
    rows = []
    for name in names:
        if name == "generate_load":
            continue  # its own row, in seconds: generate_row
        cells = {}
        for size in columns:
            scenario = by_size[size].get(name)
            if scenario is None:
                continue
            cells[str(size)] = {
                "status": scenario.get("status"),
                "p50_ms": scenario.get("p50_ms"),
                "queries": scenario.get("queries"),
                "floor_ratio": scenario.get("floor_ratio"),
            }
        row = {"name": name, "sizes": cells, "targets": {}}
        low, high = cells.get(str(SMALLEST)), cells.get(str(LARGEST))
        if low and high and low["p50_ms"] and high["p50_ms"] is not None:
            row["growth"] = round(high["p50_ms"] / low["p50_ms"], 2)
        if any(by_size[size].get(name, {}).get("paged") for size in columns):
            if "growth" in row:
                row["targets"][f"growth <= {GROWTH_MAX:g}x (10k to 1M)"] = (
                    row["growth"] <= GROWTH_MAX
                )
            counts = {cell["queries"] for cell in cells.values() if cell["queries"] is not None}
            if len([c for c in cells.values() if c["queries"] is not None]) >= 2:
                row["targets"]["same queries at every size"] = len(counts) == 1
        rows.append(row)
    return rows


def generate_row(columns: dict[int, dict], runs: dict[int, dict], var_dir: Path) -> dict:
    """generate_load's time and peak memory at each size: this run's, else the last record of
    bench.scale's (generate-<size>.json), else the generator's own."""
    cells = {}
    for size in columns:
        generated = runs.get(size, {}).get("generate")
        if generated is None:
            generated = _read_json(var_dir / f"generate-{size}.json")
        if generated is None:
            for scenario in columns[size]["report"].get("scenarios", []):
                if scenario["name"] == "generate_load":
                    generated = scenario
        if generated and generated.get("seconds") is not None:
            cells[str(size)] = {
                "seconds": generated["seconds"],
                "peak_rss_mb": generated.get("peak_rss_mb"),
            }
    return {"name": "generate_load", "sizes": cells}


def outside_rows(var_dir: Path, *, capture_now: bool) -> list[dict]:
    """The register sync and the debate-report reader, at their own sizes."""
    rows = []
    register = _read_json(var_dir / "register.json")
    if register:
        started = register.get("meta", {}).get("started_at")
        for result in register.get("sizes", []):
            first, again = result.get("first", {}), result.get("incremental", {})
            rows.append(
                {
                    "name": f"register_sync_{result['size']}",
                    "figures": (
                        f"first sync {first.get('seconds', 0):.1f} s "
                        f"({first.get('records_per_second', 0):.0f} records/s, RSS "
                        f"+{first.get('rss_growth_mb') or 0:.0f} MB); incremental "
                        f"{again.get('seconds', 0):.2f} s in {again.get('requests')} request(s)"
                    ),
                    "targets": result.get("targets", {}),
                    "measured_at": started,
                    "source": "var/bench/register.json (make bench-register)",
                }
            )
        memory = register.get("memory") or {}
        if memory.get("flat") is not None:
            rows.append(
                {
                    "name": "register_sync_memory",
                    "figures": (
                        f"{memory['largest']} over {memory['smallest']} records: peak "
                        f"×{memory.get('tracemalloc_ratio')}, RSS growth ×{memory.get('rss_ratio')}"
                    ),
                    "targets": {"memory flat": memory["flat"]},
                    "measured_at": started,
                    "source": "var/bench/register.json (make bench-register)",
                }
            )
    else:
        rows.append({"name": "register_sync", "figures": "not measured: make bench-register"})
    capture = _capture_row(var_dir, now=capture_now)
    rows.append(capture)
    return rows


def _capture_row(var_dir: Path, *, now: bool) -> dict:
    """The reader's scores: from var/bench/capture.json when a run left one, or scored now.

    bench/capture.py prints its table and stores nothing; --capture runs its evaluation here.
    """
    stored = _read_json(var_dir / "capture.json")
    if not now and stored is None:
        return {
            "name": "debate_report_reader",
            "figures": "not stored: make evaluate-capture prints it (or --capture here)",
        }
    if now:
        from parliament import evaluation

        if not evaluation.SHARED_REPORTS.is_dir():
            return {"name": "debate_report_reader", "figures": "no reports to score"}
        result = evaluation.evaluate(
            evaluation.SHARED_REPORTS, evaluation.EXPECTED_FILE, evaluation.ANNOTATIONS_FILE
        )
        stored = {
            "measured_at": datetime.datetime.now().isoformat(timespec="seconds"),
            "targets": [
                {"figure": figure, "measured": measured, "target": target, "met": met}
                for figure, measured, target, met in result.targets()
            ],
        }
    targets = {f"{t['figure']} {t['target']}": t["met"] for t in stored.get("targets", [])}
    figures = "; ".join(f"{t['figure']} {t['measured']}" for t in stored.get("targets", []))
    return {
        "name": "debate_report_reader",
        "figures": figures,
        "targets": targets,
        "measured_at": stored.get("measured_at"),
        "source": "scored now (--capture)" if now else "var/bench/capture.json",
    }


def print_scale_table(rows, generated, columns, runs, outside) -> None:
    sizes = list(columns)
    width = max([26, *(len(row["name"]) + 2 for row in rows)])
    header = f"{'scenario':<{width}}"
    for size in sizes:
        label = _label(size) + ("" if columns[size]["this_run"] else "*")
        header += f"{label + ' p50':>11}{'q':>5}"
    header += f"{'growth':>8}  targets"
    print(f"\nScale run: p50 ms and queries at each size; growth is p50 at {_label(LARGEST)}")
    print(f"over p50 at {_label(SMALLEST)} (target <= {GROWTH_MAX:g}x for the paged pages).")
    print(header + "\n" + "-" * len(header))
    for row in rows:
        line = f"{row['name']:<{width}}"
        for size in sizes:
            cell = row["sizes"].get(str(size))
            if cell is None:
                line += f"{'':>11}{'':>5}"
            elif cell["status"] != "ok":
                line += f"{cell['status'][:10]:>11}{'':>5}"
            else:
                line += _cell(cell["p50_ms"], 11) + _cell(cell["queries"], 5)
        line += _cell(row.get("growth"), 8, ".2f")
        missed = [name for name, met in row["targets"].items() if not met]
        if row["targets"]:
            line += "  " + ("all met" if not missed else "missed: " + "; ".join(missed))
        print(line)
    line = f"{'generate_load (s, MB)':<{width}}"
    for size in sizes:
        cell = generated["sizes"].get(str(size))
        if cell is None:
            line += f"{'':>11}{'':>5}"
        else:
            line += _cell(float(cell["seconds"]), 11, ".0f")
            line += _cell(cell["peak_rss_mb"] and round(cell["peak_rss_mb"]), 5)
    print(line)
    print("generate_load: seconds to fill the database and the generator's peak RSS in MB.")
    earlier = [size for size in sizes if not columns[size]["this_run"]]
    for size in earlier:
        started = columns[size]["report"].get("meta", {}).get("started_at")
        print(f"* {_label(size)}: from an earlier run ({started}), not measured this time.")
    if earlier:
        print(
            "  Its targets compare runs made at different times: the code and the machine's "
            "load may have changed in between."
        )
    for size, run in runs.items():
        if run.get("error"):
            print(f"{_label(size)}: {run['error']}")
    print("\nMeasured at their own sizes, by their own commands (not run again here):")
    for row in outside:
        targets = row.get("targets") or {}
        missed = [name for name, met in targets.items() if not met]
        verdict = "" if not targets else "all met" if not missed else "missed: " + "; ".join(missed)
        when = f" [{row['measured_at']}]" if row.get("measured_at") else ""
        print(f"{row['name']:<{width}}{row['figures']}{when}")
        if verdict:
            print(" " * width + verdict)


def _label(size: int) -> str:
    return f"{size // 1_000_000}M" if size >= 1_000_000 else f"{size // 1000}k"


def _cell(value, width, spec=".1f") -> str:
    if value is None:
        return f"{'–':>{width}}"
    if isinstance(value, int):
        return f"{value:>{width}}"
    return f"{value:>{width}{spec}}"


def _read_json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _stop(message: str) -> int:
    print(message, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
