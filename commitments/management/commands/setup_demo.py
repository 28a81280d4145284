import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Q

from actionlines.models import Activity, Organisation, Team
from actionlines.services import team_set_people
from commitments.models import Commitment, FollowUpLetter
from commitments.roles import ensure_role_groups
from tracker.actors import system_actor
from tracker.audit import record_save

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
        "The password is generated once, kept in var/demo_password and printed. It writes as "
        "the system actor 'demo setup', so the history says who assigned the demo team, and it "
        "only fills what is empty: what users changed since is left alone."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        password = self._password()
        users = {name: self._user(name, *details, password) for name, details in DEMO_USERS.items()}

        ensure_role_groups().user_set.add(users["staff"])
        actor = system_actor("demo")
        ministry = Organisation.objects.get(name=MINISTRY)
        parent = self._team(actor, ministry, PARENT_TEAM, parent=None)
        team = self._team(actor, ministry, TEAM, parent=parent)
        team_set_people(actor=actor, team=team, members=[users["official"]])
        team_set_people(actor=actor, team=team, managers=[users["manager"]])
        team_set_people(actor=actor, team=parent, managers=[users["director"]])

        commitments = Commitment.objects.filter(reference__startswith="KST-2016-")
        for commitment in commitments.filter(Q(team=None) | Q(owner=None)):
            commitment.team = commitment.team or team
            if commitment.owner_id is None and commitment.team == team:
                commitment.owner = users["official"]
            record_save(actor=actor, record=commitment, expected_version=None)
        activities = Activity.objects.filter(plan__title=PLAN_2016, team=None)
        letters = FollowUpLetter.objects.filter(commitments__in=commitments).distinct()
        for record in [*activities, *letters.filter(Q(team=None) | Q(drafter=None))]:
            record.team = record.team or team
            if isinstance(record, FollowUpLetter) and record.drafter_id is None:
                record.drafter = users["official"]
            record_save(actor=actor, record=record, expected_version=None)

        self.stdout.write("Demo users (password in var/demo_password):")
        for name, (first, last, role) in DEMO_USERS.items():
            self.stdout.write(f"  {role:<9} {name:<9} {first} {last}")
        self.stdout.write(f"  password: {password}")

    def _team(self, actor, ministry, name, *, parent) -> Team:
        team = Team.objects.filter(organisation=ministry, name=name).first()
        if team is None:
            team = record_save(
                actor=actor, record=Team(organisation=ministry, name=name, parent=parent)
            )
        return team

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
