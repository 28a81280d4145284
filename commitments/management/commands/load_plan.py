from django.core.management import call_command
from django.core.management.base import BaseCommand

from actionlines.models import Plan

PLAN_2016 = "Plan van aanpak bestrijding kindersekstoerisme 2016"


class Command(BaseCommand):
    help = (
        "Loads the 2016 plan against child sex tourism (fixtures/plan_2016.json) unless it is "
        "already there. `loaddata plan_2016` itself is idempotent too, but it would reset what "
        "users changed since; this command leaves their work alone."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Load the fixture even if the plan is there."
        )

    def handle(self, *args, force=False, **options):
        if not force and Plan.objects.filter(title=PLAN_2016).exists():
            self.stdout.write("The 2016 plan is already loaded.")
            return
        call_command("loaddata", "plan_2016", verbosity=options["verbosity"])
        self.stdout.write(self.style.SUCCESS("Loaded the 2016 plan."))
