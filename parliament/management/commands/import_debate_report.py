import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from parliament import services, vlos
from tracker.actors import system_actor


class Command(BaseCommand):
    help = (
        "Reads debate reports (VLOS XML) and saves the commitments the chair read out as "
        "proposals in the review inbox, once per report. Files that are not readable reports "
        "are refused with the reason; the others are imported. --dry-run saves nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--dry-run", action="store_true", help="Read and count; save nothing.")
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="Print one JSON document."
        )

    def handle(self, *args, files, dry_run=False, as_json=False, **options):
        actor = system_actor(services.IMPORT_ACTOR)
        reports, refused = [], []
        for name in files:
            path = Path(name)
            try:
                if not path.is_file():
                    raise vlos.ReportRefused(file=name, reason="no such file")
                if path.stat().st_size > vlos.MAX_REPORT_BYTES:
                    raise vlos.ReportRefused(file=name, reason="larger than a debate report can be")
                outcome = services.report_import(
                    actor=actor, data=path.read_bytes(), file_name=path.name, dry_run=dry_run
                )
            except vlos.ReportRefused as error:
                refused.append({"file": name, "reason": error.reason})
                continue
            reports.append(_summary(outcome))
        if as_json:
            self.stdout.write(_dumps({"reports": reports, "refused": refused}))
        else:
            for report in reports:
                self.stdout.write(
                    f"{report['file']}: {report['title']} ({report['date']}, "
                    f"{report['activity_number'] or 'no activity number'}): "
                    f"{report['new']} new, {report['already_imported']} imported before"
                    + (" (dry run: nothing saved)" if dry_run else "")
                )
            for problem in refused:
                self.stderr.write(f"{problem['file']}: refused: {problem['reason']}")
        if refused:
            raise CommandError(f"{len(refused)} of {len(files)} file(s) refused.")


def _summary(outcome: services.ImportOutcome) -> dict:
    report = outcome.report
    return {
        "file": outcome.file,
        "activity_number": report.activity_number,
        "title": report.title,
        "date": report.date.isoformat(),
        "kind": report.kind,
        "committee": ", ".join(report.committees),
        "bewindspersonen": [
            {"name": person.name, "function": person.function} for person in report.bewindspersonen
        ],
        "new": outcome.new,
        "already_imported": outcome.already_imported,
        "commitments": [
            {
                "text": captured.text,
                "bewindspersoon": (
                    f"{captured.bewindspersoon.name}, {captured.bewindspersoon.function}"
                    if captured.bewindspersoon
                    else None
                ),
                "made_to": [
                    f"{person.name} ({person.party})" if person.party else person.name
                    for person in captured.made_to
                ],
                "deadline_wording": captured.deadline_wording,
                "due_date": captured.due_date.isoformat() if captured.due_date else None,
                "note": captured.note,
            }
            for captured in report.commitments
        ],
    }


def _dumps(document) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2)
