"""factory-boy factories for the tracker's models."""

import datetime

import factory
from django.contrib.auth import get_user_model

from actionlines.models import ActionLine, Activity, Organisation, Plan, Team
from commitments.models import (
    Bewindspersoon,
    Commitment,
    Committee,
    DeadlineChange,
    Debate,
    FollowUpLetter,
    ParliamentaryDocument,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="nl_NL")
    last_name = factory.Faker("last_name", locale="nl_NL")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Ministerie {n}")
    abbreviation = factory.Sequence(lambda n: f"M{n}")
    kind = Organisation.Kind.MINISTRY


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Team {n}")
    organisation = factory.SubFactory(OrganisationFactory)

    @factory.post_generation
    def members(self, create, users, **kwargs):
        if create and users:
            self.members.add(*users)

    @factory.post_generation
    def managers(self, create, users, **kwargs):
        if create and users:
            self.managers.add(*users)


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    title = factory.Sequence(lambda n: f"Plan van aanpak {n}")
    ministry = factory.SubFactory(OrganisationFactory)
    adopted_on = datetime.date(2016, 9, 6)


class ActionLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionLine

    plan = factory.SubFactory(PlanFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Actielijn {n}")


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    action_line = factory.SubFactory(ActionLineFactory)
    plan = factory.SelfAttribute("action_line.plan")
    title = factory.Sequence(lambda n: f"Activiteit {n}")
    kind = Activity.Kind.NEW


class BewindspersoonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Bewindspersoon

    name = factory.Sequence(lambda n: f"Minister {n}")
    function = Bewindspersoon.Function.MINISTER
    title = "De Minister van Justitie en Veiligheid"
    ministry = factory.SubFactory(OrganisationFactory)


class CommitteeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Committee
        django_get_or_create = ["name"]

    name = "vaste commissie voor Justitie en Veiligheid"


class DebateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Debate

    kind = Debate.Kind.COMMISSIEDEBAT
    title = factory.Sequence(lambda n: f"Commissiedebat {n}")
    date = datetime.date(2025, 7, 2)
    committee = factory.SubFactory(CommitteeFactory)


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ParliamentaryDocument

    dossier_number = "31 015"
    volgnummer = factory.Sequence(lambda n: 200 + n)
    date = datetime.date(2025, 9, 1)
    title = factory.Sequence(lambda n: f"Voortgangsbrief {n}")
    kind = ParliamentaryDocument.Kind.KAMERBRIEF


class CommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commitment

    reference = factory.Sequence(lambda n: f"TZ-{n:05d}")
    text = factory.Sequence(lambda n: f"De minister zal de Kamer informeren over onderwerp {n}.")
    made_by = factory.SubFactory(BewindspersoonFactory)
    debate = factory.SubFactory(DebateFactory)
    made_on = datetime.date(2025, 7, 2)
    deadline_wording = "na de zomer"
    due_date = datetime.date(2025, 9, 30)
    original_due_date = factory.SelfAttribute("due_date")
    status = Commitment.Status.OPEN


class FollowUpLetterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowUpLetter
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Voortgangsbrief {n}")
    planned_date = datetime.date(2025, 9, 15)

    @factory.post_generation
    def commitments(self, create, items, **kwargs):
        if create and items:
            self.commitments.add(*items)


class DeadlineChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeadlineChange

    commitment = factory.SubFactory(CommitmentFactory)
    original_due_date = factory.SelfAttribute("commitment.due_date")
    new_due_date = datetime.date(2025, 12, 1)
    reason = "De Europese regelgeving is nog niet vastgesteld."
    requested_by = factory.SubFactory(UserFactory)
