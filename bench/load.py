"""`python -m bench.load`: a mixed workload against gunicorn, and whether every update arrived.

For `--seconds` (60), `--connections` (16) browsers of logged-in officials ask gunicorn
(`--workers`, 4) on PostgreSQL with production settings for: 70 % the commitment list with
varied filters, 20 % a commitment's page, 10 % a progress update posted through the page's
form, CSRF token included. wrk drives it (bench/load.lua). Afterwards the progress updates of
this run are counted in the database, by the run's mark in their note, against the posts that
were answered as saved. Writes var/bench/load.json; exits 1 when a target is missed.

Targets: no errors, no lost or doubled progress update, p95 of all requests ≤ 150 ms.
"""

import argparse
import datetime
import http.client
import json
import logging
import os
import platform
import random
import re
import secrets
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from bench.harness import percentile

LIST_SHARE, DETAIL_SHARE = 0.70, 0.20  # the rest are progress updates
P95_TARGET_MS = 150
# Enough commitments per connection that no commitment is posted on often: a team's work is
# spread over many officials and days, not one record hammered.
TARGETS_PER_CONNECTION = 200
DETAILS_PER_CONNECTION = 400
LISTS_PER_CONNECTION = 400
# The detail with 100 updates is the heaviest page; about one detail view in twenty is it.
HUNDRED_UPDATES_SHARE = 0.05
KINDS = ("list", "detail", "post")
LUA_SCRIPT = Path(__file__).with_name("load.lua")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument("--seconds", type=int, default=60, help="duration of the load (60)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent browsers (16)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (4)")
    parser.add_argument(
        "--database",
        default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tracker_bench"),
        help="PostgreSQL holding the data of generate_load (DATABASE_URL)",
    )
    parser.add_argument("--seed", type=int, default=None, help="seed of the request mix")
    parser.add_argument("--output", default=None, help="JSON file (var/bench/load.json)")
    args = parser.parse_args(argv)

    # The same production settings as `python -m bench`: a secret made for this run signs the
    # officials' sessions, here and in gunicorn.
    os.environ["DATABASE_URL"] = args.database
    from bench.environment import use_production_settings

    use_production_settings(os.environ)
    os.environ.setdefault("API_THROTTLE_RATE", "1000000/minute")
    import django

    django.setup()
    logging.getLogger("django.request").setLevel(logging.ERROR)
    return run(args)


# --- the plan: who asks for what ----------------------------------------------------------------


@dataclass
class Connection:
    """One browser: an official's session, the pages they open and the commitments they update."""

    username: str
    reads_everything: bool
    cookie: str = ""
    csrf_token: str = ""
    lists: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)
    # {"path", "status", "version"} of each commitment only this connection posts on.
    targets: list[dict] = field(default_factory=list)


def build_connections(count: int, rng: random.Random) -> list[Connection]:
    """Officials of as many different teams as there are connections, every other one policy
    staff (who read all 100,000 commitments); each with commitments of their own teams to
    update that no other connection updates, so connections cannot refuse each other."""
    from django.contrib.auth import get_user_model

    from actionlines.models import Team
    from commitments.loadgen.markers import REFERENCE_PREFIX
    from commitments.models import Commitment, CommitmentStatus

    NOTED_STATUSES = (CommitmentStatus.OPEN, CommitmentStatus.IN_PROGRESS)
    from commitments.roles import POLICY_STAFF_GROUP

    users = get_user_model().objects.filter(username__startswith="gen-user-", is_active=True)
    staff = set(users.filter(groups__name=POLICY_STAFF_GROUP).values_list("username", flat=True))
    teams_of: dict[str, set[int]] = {}
    for username, team_id in Team.members.through.objects.filter(user__in=users).values_list(
        "user__username", "team_id"
    ):
        teams_of.setdefault(username, set()).add(team_id)
    managed_of: dict[str, set[int]] = {}
    for username, team_id in Team.managers.through.objects.filter(user__in=users).values_list(
        "user__username", "team_id"
    ):
        managed_of.setdefault(username, set()).add(team_id)

    officials = sorted(teams_of)
    rng.shuffle(officials)
    chosen: list[str] = []
    teams_taken: set[int] = set()
    for want_staff in [index % 2 == 0 for index in range(count)]:
        pool = [u for u in officials if u not in chosen and (u in staff) == want_staff]
        pool = pool or [u for u in officials if u not in chosen]
        if not pool:
            break
        # Spread over the teams: an official of a team no other connection is in, if any.
        fresh = [u for u in pool if not teams_of[u] & teams_taken]
        username = (fresh or pool)[0]
        chosen.append(username)
        teams_taken |= teams_of[username]

    hundred = _commitment_with_100_updates()
    generated = Commitment.objects.filter(reference__startswith=REFERENCE_PREFIX)
    taken: set[int] = set()
    connections = []
    for username in chosen:
        connection = Connection(username=username, reads_everything=username in staff)
        own = teams_of[username]
        candidates = list(
            # Open or in progress: a partially fulfilled one asks for what is still open too.
            generated.filter(status__in=NOTED_STATUSES, team_id__in=own)
            .exclude(pk__in=taken)
            .order_by("?")
            .values("pk", "status", "version")[:TARGETS_PER_CONNECTION]
        )
        taken |= {row["pk"] for row in candidates}
        connection.targets = [
            {
                "pk": row["pk"],
                "path": f"/commitments/{row['pk']}/progress/",
                "status": row["status"],
                "version": row["version"],
            }
            for row in candidates
        ]
        readable = (
            generated
            if connection.reads_everything
            else generated.filter(team_id__in=own | managed_of.get(username, set()))
        )
        detail_ids = list(
            readable.order_by("?").values_list("pk", flat=True)[:DETAILS_PER_CONNECTION]
        )
        if hundred and readable.filter(pk=hundred).exists():
            repeats = round(len(detail_ids) * HUNDRED_UPDATES_SHARE)
            detail_ids[:repeats] = [hundred] * repeats
            rng.shuffle(detail_ids)
        connection.details = [f"/commitments/{pk}/" for pk in detail_ids]
        connection.lists = list_urls(
            rng,
            LISTS_PER_CONNECTION,
            teams=sorted(own) if not connection.reads_everything else None,
        )
        connections.append(connection)
    return [c for c in connections if c.targets and c.details]


def _commitment_with_100_updates() -> int | None:
    """The commitment generate_load gives exactly 100 progress updates."""
    from django.db.models import Count

    from commitments.models import ProgressUpdate

    row = (
        ProgressUpdate.objects.filter(commitment__reference__startswith="GEN-")
        .values("commitment")
        .annotate(n=Count("id"))
        .filter(n=100)
        .order_by("commitment")
        .first()
    )
    return row["commitment"] if row else None


def list_urls(rng: random.Random, count: int, *, teams: list[int] | None) -> list[str]:
    """The list page with the filters people combine: none to three of them, now and then a
    later page or another order. `teams` limits the team filter to the official's own teams
    (None: any team, for policy staff)."""
    from actionlines.models import ActionLine, Team
    from commitments.filters import DEFAULT_SORT, SORTS
    from commitments.loadgen import vocabulary
    from commitments.loadgen.world import title_case
    from commitments.models import CommitmentStatus

    action_lines = list(ActionLine.objects.values_list("pk", flat=True))
    team_ids = teams or list(
        Team.objects.filter(commitments__isnull=False).distinct().values_list("pk", flat=True)
    )
    words = sorted(
        {title_case(topic).split()[-1].lower() for m in vocabulary.MINISTRIES for topic in m[3]}
    )
    year = datetime.date.today().year
    statuses = list(CommitmentStatus.values)

    filters = [
        lambda: {"status": rng.sample(statuses, rng.choice((1, 1, 2)))},
        lambda: {"status": ["open", "in_progress"], "overdue": "1"},
        lambda: {"overdue": "1"},
        lambda: {"action_line": rng.choice(action_lines)} if action_lines else {},
        lambda: {"q": rng.choice(words)},
        lambda: {"q": f"GEN-{rng.randint(year - 9, year)}"},
        lambda: {"team": rng.choice(team_ids)} if team_ids else {},
        lambda: {"due_within": rng.choice((30, 90, 365))},
        # The default order is left out of a list's address (the page redirects to that).
        lambda: {"sort": rng.choice([name for name in SORTS if name != DEFAULT_SORT])},
    ]
    urls = []
    for _ in range(count):
        params: dict = {}
        for make in rng.sample(filters, rng.choice((0, 1, 1, 2, 2, 3))):
            params.update(make())
        draw = rng.random()
        if draw < 0.15:
            params["page"] = rng.randint(2, 20)
        elif draw < 0.17 and not params:
            params["page"] = 1000  # the middle of 100,000 rows
        urls.append("/commitments/" + (f"?{urlencode(params, doseq=True)}" if params else ""))
    return urls


def log_in(connection: Connection) -> None:
    """A session made server-side, as a login would make it: the login form itself is throttled
    per account by django-axes, and the generated officials have no usable password."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(username=connection.username))
    connection.cookie = (
        f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    )


def open_pages(server, connection: Connection) -> None:
    """Walk to a commitment once, as the browser does before its first post: the list, then a
    commitment's page. The CSRF cookie comes with the pages and the masked token from their
    forms (every page has one, to log out); both stay valid for the session and are what the
    progress form would carry too; the other cookies set on the way are kept as well. The
    progress form's own page is not opened: it lists every Kamerstuk in a select box and takes
    seconds to render at this size, which would be a measurement of that page rather than a
    way in. Untimed, the walk warms the workers up."""
    from django.conf import settings

    cookies: dict[str, str] = {}
    for path in (connection.lists[0], f"/commitments/{connection.targets[0]['pk']}/"):
        sent = "; ".join([connection.cookie, *(f"{k}={v}" for k, v in cookies.items())])
        client = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        client.request("GET", path, headers={"Cookie": sent})
        response = client.getresponse()
        page = response.read().decode()
        client.close()
        if response.status != 200:
            raise RuntimeError(f"{connection.username}: {path} answered {response.status}")
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                cookies[key.strip()] = rest.split(";", 1)[0]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if settings.CSRF_COOKIE_NAME not in cookies or not token:
        raise RuntimeError(f"{connection.username}: no CSRF cookie or token on the page")
    # The browser sends back every cookie the pages set: the CSRF cookie, and the language
    # (tracker.middleware), which spares a query of the profile on every later request.
    connection.cookie += "".join(
        f"; {name}={value}"
        for name, value in cookies.items()
        if name != settings.SESSION_COOKIE_NAME
    )
    connection.csrf_token = token.group(1)


def write_plan(path: Path, *, connections, host: str, marker: str, seed: int) -> None:
    plan = {
        "host": host,
        "marker": marker,
        "seed": seed,
        "list_share": LIST_SHARE,
        "detail_share": DETAIL_SHARE,
        "connections": [
            {
                "cookie": c.cookie,
                "csrf_token": c.csrf_token,
                "lists": c.lists,
                "details": c.details,
                "targets": [
                    {"path": t["path"], "status": t["status"], "version": t["version"]}
                    for t in c.targets
                ],
            }
            for c in connections
        ],
    }
    path.write_text("return " + to_lua(plan) + "\n")


def to_lua(value) -> str:
    """A Lua table constructor for plain data (ASCII strings, numbers, lists, dicts)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        # JSON's escapes of ASCII text (\" \\ \n) are Lua's too.
        return json.dumps(value, ensure_ascii=True)
    if isinstance(value, list):
        return "{" + ",".join(to_lua(item) for item in value) + "}"
    if isinstance(value, dict):
        return "{" + ",".join(f"[{to_lua(k)}]={to_lua(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"no Lua for {type(value).__name__}")


# --- reading the logs and counting -------------------------------------------------------------


@dataclass
class Tally:
    """What the connections' logs say: every answer, and the fate of every post by its note."""

    latencies_ms: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in KINDS})
    statuses: Counter = field(default_factory=Counter)  # (kind, status)
    outcomes: Counter = field(default_factory=Counter)  # (kind, outcome)
    # note -> "accepted" | "refused" | "rejected" | "error" | None (no answer)
    posts: dict[str, str | None] = field(default_factory=dict)
    unanswered: Counter = field(default_factory=Counter)  # kind -> requests without answer
    # The list's filters used together ("q+status"), or the detail page: latencies by shape.
    shapes_ms: dict[str, list[float]] = field(default_factory=dict)


def page_shape(kind: str, path: str) -> str:
    """Which filters a list request combined, e.g. "list?overdue+status"; "detail" for a page."""
    if kind != "list":
        return kind
    names = sorted({pair.split("=", 1)[0] for pair in urlsplit(path).query.split("&") if pair})
    return "list?" + "+".join(names) if names else "list"


def read_logs(lines) -> Tally:
    """Lines of bench/load.lua: `sent post NOTE`, `done KIND STATUS MICROSECONDS OUTCOME NOTE`,
    `lost KIND NOTE` (the request got no answer before the next one was made)."""
    tally = Tally()
    for line in lines:
        line = line.rstrip("\n")
        if line.startswith("sent "):
            _sent, _kind, note = line.split(" ", 2)
            tally.posts[note] = None
        elif line.startswith("done "):
            _done, kind, status, micros, outcome, note = line.split(" ", 5)
            tally.latencies_ms[kind].append(int(micros) / 1000)
            tally.statuses[(kind, int(status))] += 1
            tally.outcomes[(kind, outcome)] += 1
            if kind == "post":
                tally.posts[note] = outcome
            else:
                shape = page_shape(kind, note)
                tally.shapes_ms.setdefault(shape, []).append(int(micros) / 1000)
        elif line.startswith("lost "):
            _lost, kind, _note = line.split(" ", 2)
            if kind != "post":
                tally.unanswered[kind] += 1
    # Posts are known by their notes: one without an answer lost its socket or was in flight
    # when wrk stopped.
    tally.unanswered["post"] = sum(1 for outcome in tally.posts.values() if outcome is None)
    return tally


@dataclass
class Reconciliation:
    accepted: int  # posts answered with the redirect of a saved update
    stored: int  # progress updates with the run's mark in the database
    lost: int  # accepted, but not stored
    doubled: int  # stored more than once, or stored although the answer said it was not saved
    unanswered_stored: int  # no answer (in flight at the end, a socket error), but stored
    unanswered_not_stored: int


def reconcile(posts: dict[str, str | None], stored: Counter) -> Reconciliation:
    """Each post's answer against the rows stored under its note (a note is unique per post)."""
    accepted = {note for note, outcome in posts.items() if outcome == "accepted"}
    unanswered = {note for note, outcome in posts.items() if outcome is None}
    lost = sum(1 for note in accepted if stored[note] == 0)
    doubled = sum(count - 1 for count in stored.values() if count > 1) + sum(
        1
        for note, count in stored.items()
        if count and note not in accepted and note not in unanswered
    )
    unanswered_stored = sum(1 for note in unanswered if stored[note])
    return Reconciliation(
        accepted=len(accepted),
        stored=sum(stored.values()),
        lost=lost,
        doubled=doubled,
        unanswered_stored=unanswered_stored,
        unanswered_not_stored=len(unanswered) - unanswered_stored,
    )


def stored_notes(marker: str, commitment_ids: list[int]) -> Counter:
    from django.db.models import Count

    from commitments.models import ProgressUpdate

    rows = (
        ProgressUpdate.objects.filter(commitment_id__in=commitment_ids, note__startswith=marker)
        .values("note")
        .annotate(n=Count("id"))
        .order_by()
    )
    return Counter({row["note"]: row["n"] for row in rows})


def latency_summary(samples: list[float]) -> dict:
    if not samples:
        return {"requests": 0, "p50_ms": None, "p95_ms": None, "p99_ms": None, "max_ms": None}
    return {
        "requests": len(samples),
        "p50_ms": round(percentile(samples, 0.50), 1),
        "p95_ms": round(percentile(samples, 0.95), 1),
        "p99_ms": round(percentile(samples, 0.99), 1),
        "max_ms": round(max(samples), 1),
    }


def errors_of(tally: Tally) -> dict:
    """HTTP errors per kind: a page other than 200, a post other than saved or refused."""
    errors = {}
    for kind in KINDS:
        if kind == "post":
            errors[kind] = tally.outcomes[("post", "error")] + tally.outcomes[("post", "rejected")]
        else:
            errors[kind] = tally.outcomes[(kind, "error")]
    return errors


# --- the run -----------------------------------------------------------------------------------


def run(args) -> int:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import OperationalError, connection

    from bench import harness
    from commitments.models import Commitment

    if connection.vendor != "postgresql":
        return _stop("The load test runs on PostgreSQL: pass --database postgres://…")
    try:
        generated = Commitment.objects.filter(reference__startswith="GEN-").count()
    except OperationalError as error:
        return _stop(f"Cannot read the database: {str(error).strip()}")
    if generated == 0:
        return _stop("The database holds no generated data: run manage.py generate_load first.")
    if not harness.wrk_available():
        return _stop("wrk is not installed: apt-get install wrk.")

    output = Path(args.output or Path(settings.VAR_DIR) / "bench" / "load.json")
    seed = args.seed if args.seed is not None else secrets.randbelow(2**31)
    run_id = f"{datetime.datetime.now():%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"
    # In every note of the run: the counting afterwards finds this run's updates and no other's.
    marker = f"[bench-load {run_id}]"
    started = time.time()
    load_at_start = os.getloadavg()
    _log(f"Load test {run_id} on {connection.settings_dict['NAME']}: {generated:,} generated")
    call_command("collectstatic", interactive=False, verbosity=0)

    _log("choosing officials, their pages and their commitments …")
    connections = build_connections(args.connections, random.Random(seed))
    if len(connections) < args.connections:
        return _stop(f"Only {len(connections)} officials with open commitments to update.")
    for browser in connections:
        log_in(browser)
    target_ids = [t["pk"] for c in connections for t in c.targets]

    server_environment = {
        "DEBUG": os.environ["DEBUG"],
        "SECRET_KEY": os.environ["SECRET_KEY"],
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    _log(f"starting gunicorn with {args.workers} workers …")
    with (
        harness.Server(workers=args.workers, environment=server_environment) as server,
        tempfile.TemporaryDirectory(prefix="bench-load-") as scratch,
    ):
        for browser in connections:
            open_pages(server, browser)
        plan_path = Path(scratch) / "plan.lua"
        write_plan(
            plan_path,
            connections=connections,
            host=f"127.0.0.1:{server.port}",
            marker=marker,
            seed=seed,
        )
        _log(f"wrk: {len(connections)} connections for {args.seconds} s …")
        wrk_output = run_wrk(server, plan_path, Path(scratch), args)
        lines = []
        for log_path in sorted(Path(scratch).glob("connection-*.log")):
            lines.extend(log_path.read_text().splitlines())
    tally = read_logs(lines)
    counted = reconcile(tally.posts, stored_notes(marker, target_ids))
    load_at_end = os.getloadavg()

    report = build_report(
        tally,
        counted,
        wrk_output,
        args,
        meta={
            "run_id": run_id,
            "started_at": datetime.datetime.fromtimestamp(started).isoformat(timespec="seconds"),
            "database": connection.settings_dict["NAME"],
            "generated_commitments": generated,
            "commit": _git_commit(),
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
            # The machine is shared: the load around the run says how much to trust it.
            "load_average": {"start": load_at_start, "end": load_at_end},
            "seed": seed,
            "officials": [
                {"username": c.username, "reads_everything": c.reads_everything}
                for c in connections
            ],
        },
    )
    print_table(report)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2) + "\n")
    _log(f"\nWritten to {output}")
    return 0 if all(report["targets"].values()) else 1


def run_wrk(server, plan_path: Path, log_dir: Path, args) -> dict:
    command = [
        "wrk",
        # One connection per thread: see bench/load.lua for why.
        f"-t{args.connections}",
        f"-c{args.connections}",
        f"-d{args.seconds}s",
        "--timeout",
        "30s",
        "-s",
        str(LUA_SCRIPT),
        server.url("/"),
        "--",
        str(plan_path),
        str(log_dir),
    ]
    output = subprocess.run(
        command, capture_output=True, text=True, timeout=args.seconds + 120, check=True
    ).stdout
    found = re.search(r"Requests/sec:\s+([\d.]+)", output)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return {
        "rps": float(found.group(1)) if found else None,
        "socket_errors": dict(
            zip(("connect", "read", "write", "timeout"), map(int, sockets.groups()), strict=True)
        )
        if sockets
        else {"connect": 0, "read": 0, "write": 0, "timeout": 0},
        "output": output,
    }


def build_report(tally: Tally, counted: Reconciliation, wrk_output: dict, args, *, meta) -> dict:
    every = [ms for kind in KINDS for ms in tally.latencies_ms[kind]]
    answered = len(every)
    errors = errors_of(tally)
    socket_errors = sum(wrk_output["socket_errors"].values())
    error_total = sum(errors.values()) + socket_errors
    overall = latency_summary(every)
    page_time = sum(sum(ms) for ms in tally.shapes_ms.values()) or 1
    refused = tally.outcomes[("post", "refused")]
    return {
        "meta": {
            **meta,
            "settings": {
                "seconds": args.seconds,
                "connections": args.connections,
                "workers": args.workers,
                "mix": {
                    "list": LIST_SHARE,
                    "detail": DETAIL_SHARE,
                    "post": round(1 - LIST_SHARE - DETAIL_SHARE, 2),
                },
            },
        },
        "throughput_rps": wrk_output["rps"] or round(answered / args.seconds, 1),
        "overall": overall,
        "kinds": {
            kind: {
                **latency_summary(tally.latencies_ms[kind]),
                "errors": errors[kind],
                "statuses": {
                    str(status): n for (k, status), n in sorted(tally.statuses.items()) if k == kind
                },
                "unanswered": tally.unanswered[kind],
            }
            for kind in KINDS
        },
        # Where the servers' time went: the shapes holding the most request time first.
        "shapes": {
            shape: {**latency_summary(ms), "share_of_time": round(sum(ms) / page_time, 3)}
            for shape, ms in sorted(tally.shapes_ms.items(), key=lambda item: -sum(item[1]))
        },
        "errors": error_total,
        "socket_errors": wrk_output["socket_errors"],
        "refused": refused,
        "progress_updates": vars(counted),
        "targets": {
            "no errors": error_total == 0,
            "no lost updates": counted.lost == 0,
            "no doubled updates": counted.doubled == 0,
            f"p95 <= {P95_TARGET_MS} ms": overall["p95_ms"] is not None
            and overall["p95_ms"] <= P95_TARGET_MS,
        },
        "wrk": wrk_output["output"],
    }


def print_table(report: dict) -> None:
    header = (
        f"{'kind':<10}{'requests':>10}"
        + "".join(f"{name:>9}" for name in ("p50 ms", "p95 ms", "p99 ms", "max ms"))
        + f"{'errors':>8}"
    )
    print("\n" + header + "\n" + "-" * len(header))
    rows = [("all", {**report["overall"], "errors": report["errors"]})]
    rows += list(report["kinds"].items())
    for name, row in rows:
        cells = [_cell(row[k], 9) for k in ("p50_ms", "p95_ms", "p99_ms", "max_ms")]
        print(f"{name:<10}{row['requests']:>10}{''.join(cells)}{row['errors']:>8}")
    print(
        "\nmost time of the pages (share, p50 ms, requests): "
        + "; ".join(
            f"{shape} {row['share_of_time']:.0%} {row['p50_ms']:.0f} ({row['requests']})"
            for shape, row in list(report["shapes"].items())[:5]
        )
    )
    updates = report["progress_updates"]
    load = report["meta"]["load_average"]
    print(
        f"\nthroughput {report['throughput_rps']:.1f} requests/s; socket errors "
        f"{sum(report['socket_errors'].values())}; "
        f"refused posts (stale version) {report['refused']}"
    )
    print(
        f"progress updates: {updates['accepted']} saved per answer, {updates['stored']} stored, "
        f"lost {updates['lost']}, doubled {updates['doubled']}; without answer: "
        f"{updates['unanswered_stored']} stored, {updates['unanswered_not_stored']} not"
    )
    print(
        "load average (1, 5, 15 min): start "
        + " ".join(f"{x:.2f}" for x in load["start"])
        + ", end "
        + " ".join(f"{x:.2f}" for x in load["end"])
    )
    missed = [name for name, met in report["targets"].items() if not met]
    print("targets: " + ("all met" if not missed else "missed: " + "; ".join(missed)))


def _cell(value, width) -> str:
    return f"{'–':>{width}}" if value is None else f"{value:>{width}.1f}"


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _stop(message: str) -> int:
    print(message, file=sys.stderr)
    return 2


def _git_commit() -> str | None:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


if __name__ == "__main__":
    sys.exit(main())
