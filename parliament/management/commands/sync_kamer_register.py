import json
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from parliament import register, sync


class Command(BaseCommand):
    help = (
        "Brings the tracker in step with the Kamer's register of commitments (OData "
        "'Toezegging'): reads the ministry's records changed since the last completed run "
        "(all of them with --full), links or creates commitments, and follows the register "
        "where no person changed ours. --file reads a file in the register's shape instead, "
        "e.g. one written by export_kamer_register."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--url",
            dest="base_url",
            metavar="BASE",
            help="OData service root (KAMER_REGISTER_URL).",
        )
        parser.add_argument(
            "--ministry",
            action="append",
            metavar="NAME",
            help="The register's 'Ministerie'; repeat for several (KAMER_REGISTER_MINISTRY).",
        )
        parser.add_argument("--full", action="store_true", help="Read every record again.")
        parser.add_argument("--file", metavar="PATH", help="Read records from a JSON file.")
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="Print the summary as JSON."
        )

    def handle(self, *args, base_url=None, ministry=None, full=False, file=None, **options):
        as_json = options["as_json"]
        show_progress = not as_json and sys.stderr.isatty()
        total = sync.SyncSummary()
        try:
            if file:
                names = ministry or [None]
                for name in names:
                    total.add(sync.register_sync_file(path=file, ministry=name))
            else:
                for name in ministry or settings.KAMER_REGISTER_MINISTRY:
                    progress = _progress(self.stderr, name) if show_progress else None
                    total.add(
                        sync.register_sync(
                            ministry=name, base_url=base_url, full=full, progress=progress
                        )
                    )
                    if show_progress:
                        self.stderr.write("")
        except register.RegisterError as error:
            raise CommandError(str(error)) from None
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror or error}") from None
        except ValueError as error:
            raise CommandError(f"{file}: not JSON in the register's shape ({error})") from None
        total.differences = sync.register_differences_count()
        counts = total.counts()
        if as_json:
            self.stdout.write(json.dumps(counts))
        else:
            labels = {
                "fetched": "read from the register",
                "created": "new commitments",
                "updated": "updated from the register",
                "unchanged": "unchanged",
                "removed": "withdrawn by the Kamer",
                "differences": "differences with the register",
                "proposals": "doubtful matches for review",
            }
            for key, label in labels.items():
                self.stdout.write(f"{counts[key]:>8}  {label}")
        for problem in total.refused:
            self.stderr.write(f"refused: {problem}")
        if total.refused:
            raise CommandError(f"{len(total.refused)} record(s) refused; the others were applied.")


def _progress(stream, ministry):
    def show(summary, expected):
        of = f" / {expected}" if expected else ""
        stream.write(f"\r{ministry}: {summary.fetched}{of} read", ending="")
        stream.flush()

    return show
