from django.core.management import call_command
from django.core.management.base import BaseCommand

from actionlines.models import Plan
from tracker.actors import actor_name
from tracker.models import DataLoad

PLAN_2016 = "Plan van aanpak bestrijding kindersekstoerisme 2016"
SOURCE = "fixture:plan_2016"


class Command(BaseCommand):
    help = (
        "Loads the 2016 plan against child sex tourism (fixtures/plan_2016.json) once per "
        "database. A database that has loaded it before (or holds the plan from before loads "
        "were recorded) is left alone, so what users changed since is kept. With --force the "
        "fixture is offered again: records nobody changed follow it, and it is refused when it "
        "would overwrite what somebody changed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Offer the fixture again (see above)."
        )

    def handle(self, *args, force=False, **options):
        if not force:
            earlier = DataLoad.objects.filter(source=SOURCE).select_related("actor").first()
            if earlier is not None:
                self.stdout.write(
                    f"The 2016 plan was loaded on {earlier.loaded_at:%Y-%m-%d %H:%M} by "
                    f"{actor_name(earlier.actor)}; it is not loaded again."
                )
                return
            if Plan.objects.filter(title=PLAN_2016).exists():
                self.stdout.write("The 2016 plan is already in this database; not loaded again.")
                return
        call_command("loaddata", "plan_2016", verbosity=options["verbosity"])
        self.stdout.write(self.style.SUCCESS("Loaded the 2016 plan."))
