from django.core.management.base import BaseCommand

from parliament import register, selectors


class Command(BaseCommand):
    help = (
        "Writes the ministry's commitments made in debates as the Kamer's register publishes "
        "them (OData 'Toezegging' JSON, the same property names and statuses) to stdout. "
        "`sync_kamer_register --file` reads such a file back."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--ministry",
            metavar="NAME",
            help='As the register writes it: "Justitie en Veiligheid".',
        )

    def handle(self, *args, ministry=None, **options):
        # The export writes its own line ends.
        self.stdout.ending = ""
        count = register.write_export(
            selectors.register_export(ministry=ministry),
            self.stdout,
            context=register.EXPORT_CONTEXT,
        )
        self.stderr.write(f"{count} commitment(s) written.")
