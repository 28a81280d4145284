import datetime
import json
import resource
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from commitments.loadgen import ForeignDataError, LoadSize, generate_load


class Command(BaseCommand):
    help = (
        "Fills the database with synthetic commitments, progress updates, users and teams for "
        "the benchmark (make bench): organisations, teams with managers, plans with action lines "
        "and activities, bewindspersonen, debates, documents and ten years of commitments with "
        "their deadline changes, follow-up letters and progress. COPY on PostgreSQL, batched "
        "INSERTs elsewhere, streamed so that memory stays flat whatever the size; one "
        "transaction. Every record it makes is in the audit history, created by the system "
        "actor system:loadgen (reason generate_load). Generated records are marked (references "
        "GEN-…, usernames gen-…, names ending in [gen]); running it again replaces them and "
        "their history. It refuses a database that holds other commitments than generated "
        "ones and the 2016 plan's (KST-2016-…), or other users than generated ones, the demo "
        "users of setup_demo (official, staff, manager, director, admin) and the system actors "
        "(system:…), unless --force is given. On PostgreSQL it records its size, time and peak "
        "memory in var/bench/generate_load.json."
    )

    def add_arguments(self, parser):
        defaults = LoadSize()
        parser.add_argument("--commitments", type=int, default=defaults.commitments)
        parser.add_argument(
            "--updates", type=int, default=defaults.updates, help="Progress updates in all."
        )
        parser.add_argument("--users", type=int, default=defaults.users)
        parser.add_argument("--teams", type=int, default=defaults.teams)
        parser.add_argument(
            "--seed",
            type=int,
            default=1,
            help="The same seed, size and --today give the same data.",
        )
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            default=None,
            help="Generate as if today were this date (YYYY-MM-DD); default: today.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Generate even if the database holds data that is not generated. Never on a "
            "database with real work in it: the generated data mixes with it.",
        )

    def handle(self, *args, **options):
        size = LoadSize(
            commitments=options["commitments"],
            updates=options["updates"],
            users=options["users"],
            teams=options["teams"],
        )
        started = time.perf_counter()
        try:
            generate_load(
                size=size,
                seed=options["seed"],
                today=options["today"],
                force=options["force"],
                log=self.stdout.write,
            )
        except ForeignDataError as error:
            raise CommandError(
                "This database holds data that generate_load did not make: "
                + "; ".join(error.problems)
                + ". Use an empty database for the benchmark, or --force if you are sure."
            ) from error
        except ValueError as error:
            raise CommandError(str(error)) from error
        if connection.vendor == "postgresql":
            self._record(size, time.perf_counter() - started)

    def _record(self, size: LoadSize, seconds: float) -> None:
        # The benchmark reports the generator's time and memory for the size it finds in its
        # database (it compares the database name) next to its own figures. Only PostgreSQL
        # runs leave a record: the benchmark runs on nothing else, and the tests' SQLite runs
        # must not overwrite the record of a real one.
        path = Path(settings.VAR_DIR) / "bench" / "generate_load.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        record = {
            "database": connection.settings_dict["NAME"],
            "vendor": connection.vendor,
            "size": vars(size),
            "seconds": round(seconds, 1),
            # The most the process held at once (Linux reports kilobytes): flat in the size.
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "finished_at": timezone.now().isoformat(timespec="seconds"),
        }
        path.write_text(json.dumps(record, indent=2) + "\n")
