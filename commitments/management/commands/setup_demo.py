import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from actionlines.models import Activity, Organisation, Team
from commitments.models import Commitment, FollowUpLetter
from commitments.roles import ensure_role_groups

MINISTRY = "Ministerie van Veiligheid en Justitie"
PLAN_2016 = "Plan van aanpak bestrijding kindersekstoerisme 2016"
TEAM = "Demoteam Kindersekstoerisme"
PARENT_TEAM = "Demodirectie Rechtshandhaving"

# username: (first name, last name, role)
DEMO_USERS = {
    "official": ("Olga", "de Wit", "official"),
    "staff": ("Sanne", "Bakker", "staff"),
    "manager": ("Maarten", "Visser", "manager"),
    "director": ("Dirk", "Smit", "director"),
    "admin": ("Anna", "de Jong", "admin"),
}


class Command(BaseCommand):
    help = (
        "Creates one demo user per role and a demo team that owns the 2016 plan's commitments, "
        "activities and follow-up letters, so every journey and reminder can be tried at once. "
        "The password is generated once, kept in var/demo_password and printed."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        password = self._password()
        users = {name: self._user(name, *details, password) for name, details in DEMO_USERS.items()}

        ensure_role_groups().user_set.add(users["staff"])
        ministry = Organisation.objects.get(name=MINISTRY)
        parent, _ = Team.objects.get_or_create(organisation=ministry, name=PARENT_TEAM)
        team, _ = Team.objects.get_or_create(
            organisation=ministry, name=TEAM, defaults={"parent": parent}
        )
        team.members.add(users["official"])
        team.managers.add(users["manager"])
        parent.managers.add(users["director"])

        commitments = Commitment.objects.filter(reference__startswith="KST-2016-")
        commitments.filter(team=None).update(team=team)
        commitments.filter(owner=None).update(owner=users["official"])
        Activity.objects.filter(plan__title=PLAN_2016, team=None).update(team=team)
        letters = FollowUpLetter.objects.filter(commitments__in=commitments).distinct()
        FollowUpLetter.objects.filter(pk__in=letters, team=None).update(team=team)
        FollowUpLetter.objects.filter(pk__in=letters, drafter=None).update(
            drafter=users["official"]
        )

        self.stdout.write("Demo users (password in var/demo_password):")
        for name, (first, last, role) in DEMO_USERS.items():
            self.stdout.write(f"  {role:<9} {name:<9} {first} {last}")
        self.stdout.write(f"  password: {password}")

    def _password(self) -> str:
        path = Path(settings.VAR_DIR) / "demo_password"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(12) + "\n")
            path.chmod(0o600)
        return path.read_text().strip()

    def _user(self, username, first_name, last_name, role, password):
        user, _ = get_user_model().objects.get_or_create(
            username=username,
            defaults={
                "first_name": first_name,
                "last_name": last_name,
                "email": f"{username}@demo.tracker.invalid",
            },
        )
        user.is_staff = user.is_superuser = role == "admin"
        # Demo users always log in with the password that is printed.
        user.set_password(password)
        user.save()
        return user
