import datetime

import pytest
from django.core.management import call_command

from actionlines.models import ActionLine, Activity, Organisation, Plan
from commitments import services
from commitments.deadlines import resolve_deadline
from commitments.models import Commitment, Debate, FollowUpLetter, ParliamentaryDocument

pytestmark = pytest.mark.django_db

PLAN = "Plan van aanpak bestrijding kindersekstoerisme 2016"


def test_loading_the_plan_twice_leaves_one_copy(plan_2016):
    call_command("loaddata", "plan_2016", verbosity=0)
    assert Plan.objects.count() == 2
    assert Commitment.objects.count() == 5
    assert Activity.objects.count() == 6
    assert ParliamentaryDocument.objects.count() == 4


def test_load_plan_command_leaves_users_changes_alone(plan_2016, cast):
    services.commitment_update_progress(
        commitment=Commitment.objects.get(reference="KST-2016-03"),
        author=cast.admin,
        status="in_progress",
        note="Bezig.",
    )
    call_command("load_plan", verbosity=0)
    assert Commitment.objects.get(reference="KST-2016-03").status == "in_progress"


def test_plan_builds_on_its_2013_predecessor_presented_in_nr_93(plan_2016):
    plan = Plan.objects.get(title=PLAN)
    assert plan.predecessor.presented_in_documents.get().citation == "Kamerstuk 31 015, nr. 93"
    assert plan.ministry.name == "Ministerie van Veiligheid en Justitie"
    assert plan.presented_in_documents.get().date == datetime.date(2016, 9, 6)


def test_plan_has_the_three_action_lines_of_the_letter(plan_2016):
    lines = ActionLine.objects.filter(plan__title=PLAN).values_list("number", "title")
    assert list(lines) == [
        (1, "Preventie"),
        (2, "Opsporing en vervolging"),
        (3, "Internationale samenwerking"),
    ]


def test_activities_have_their_kinds_places_and_periods(plan_2016):
    kinds = dict(Activity.objects.values_list("title", "kind"))
    assert kinds == {
        "Barrièremodel": "new",
        "Toolkit Aanpak Kindersekstoerisme": "new",
        "Tweede thematische politieliaison (FILO) in Bangkok": "intensification",
        "Politieliaison (FILO) in Manilla": "intensification",
        "Project Green Notices (Interpol)": "continued",
        "Aanjaagteam": "governance",
    }
    bangkok = Activity.objects.get(title__contains="Bangkok")
    assert {str(place) for place in bangkok.places.all()} == {
        "Bangkok, Thailand",
        "Thailand",
        "Cambodja",
        "Sri Lanka",
    }
    # Two years, as the letter says.
    assert (bangkok.end_date - bangkok.start_date).days in (729, 730)
    assert Activity.objects.get(title="Aanjaagteam").action_line is None
    green = Activity.objects.get(title__contains="Green Notices")
    assert list(green.partner_organisations.values_list("name", flat=True)) == ["Interpol"]


def test_the_organisations_of_the_letter_are_there(plan_2016):
    names = set(Organisation.objects.values_list("abbreviation", flat=True))
    assert {"VenJ", "VWS", "NP", "Interpol", "EOKM", "EU"} <= names
    assert Organisation.objects.filter(name="Stop it Now!").exists()


def test_two_commitments_fulfilled_by_the_letter_and_three_open(plan_2016):
    letter = ParliamentaryDocument.objects.get(date=datetime.date(2016, 9, 6))
    statuses = dict(Commitment.objects.values_list("reference", "status"))
    assert statuses == {
        "KST-2016-01": "fulfilled",
        "KST-2016-02": "fulfilled",
        "KST-2016-03": "open",
        "KST-2016-04": "open",
        "KST-2016-05": "open",
    }
    for reference in ("KST-2016-01", "KST-2016-02"):
        assert list(Commitment.objects.get(reference=reference).fulfilling_documents.all()) == [
            letter
        ]


def test_commitment_made_in_the_ao_points_at_its_report(plan_2016):
    commitment = Commitment.objects.get(reference="KST-2016-03")
    assert commitment.debate.kind == Debate.Kind.AO
    assert commitment.debate.date == datetime.date(2016, 4, 13)
    assert commitment.debate.report.citation == "Kamerstuk 31 015, nr. 126"
    assert commitment.made_by.name == "G.A. van der Steur"


def test_due_dates_are_what_the_wording_resolves_to(plan_2016):
    for commitment in Commitment.objects.exclude(deadline_wording=""):
        assert commitment.due_date == resolve_deadline(
            commitment.deadline_wording, commitment.made_on
        ), commitment.reference
        assert commitment.original_due_date == commitment.due_date
    assert Commitment.objects.get(reference="KST-2016-05").due_date == datetime.date(2017, 12, 31)


def test_follow_up_letters_fulfil_the_open_commitments(plan_2016):
    autumn, next_year = FollowUpLetter.objects.order_by("planned_date")
    assert set(autumn.commitments.values_list("reference", flat=True)) == {
        "KST-2016-03",
        "KST-2016-04",
    }
    assert list(next_year.commitments.values_list("reference", flat=True)) == ["KST-2016-05"]
    assert autumn.planned_date <= datetime.date(2016, 12, 20)
