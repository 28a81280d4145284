"""The number of queries per page does not grow with the number of rows."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commitments import services
from tests.factories import CommitmentFactory, FollowUpLetterFactory, UserFactory

pytestmark = pytest.mark.django_db


def queries_for(client, url):
    with CaptureQueriesContext(connection) as captured:
        # Followed: "/" sends managers to the dashboard and policy staff to the list.
        response = client.get(url, follow=True)
    assert response.status_code == 200, url
    return len(captured)


def grow(cast, count):
    authors = [UserFactory() for _ in range(3)]
    for index in range(count):
        commitment = CommitmentFactory(team=cast.team, owner=authors[index % 3])
        commitment.activities.add(*[])
    FollowUpLetterFactory(team=cast.team)


@pytest.mark.parametrize("user", ["staff", "manager", "official", "admin"])
@pytest.mark.parametrize(
    "url",
    [
        "/commitments/",
        "/commitments/?status=open&status=in_progress&overdue=1",
        "/commitments/?q=onderwerp&sort=status",
        "/commitments/?per_page=100",
        "/",
        "/dashboard/",
        "/letters/",
    ],
)
def test_queries_per_page_do_not_grow_with_rows(client, cast, user, url):
    client.force_login(getattr(cast, user))
    client.get(url, follow=True)  # the first request after login stores the language cookie
    grow(cast, 10)
    few = queries_for(client, url)
    grow(cast, 150)
    many = queries_for(client, url)
    assert few == many, (url, few, many)
    if url.startswith("/commitments/"):
        assert many <= 8, (url, many)
    if url == "/dashboard/":
        # Its figures, action lines and plans are kept until a change (dashboard_cache).
        assert queries_for(client, url) <= 8, (url, user)


def test_commitment_page_costs_the_same_with_one_or_a_hundred_updates(client, cast):
    commitment = CommitmentFactory(team=cast.team)
    client.force_login(cast.official)
    url = reverse("commitments:detail", args=[commitment.pk])
    client.get(url)
    services.commitment_update_progress(
        commitment=commitment, author=cast.official, status="in_progress", note="1"
    )
    few = queries_for(client, url)
    for number in range(99):
        services.commitment_update_progress(
            commitment=commitment,
            author=cast.official,
            status="open" if number % 2 else "in_progress",
            note=str(number),
        )
    many = queries_for(client, url)
    assert few == many, (few, many)


def test_commitment_page_makes_at_most_eight_queries(client, cast):
    commitment = CommitmentFactory(team=cast.team)
    for number in range(5):
        services.commitment_update_progress(
            commitment=commitment, author=cast.official, status="in_progress", note=str(number)
        )
    url = reverse("commitments:detail", args=[commitment.pk])
    for user in (cast.official, cast.manager, cast.admin):
        client.force_login(user)
        client.get(url)  # the first request after login stores the language cookie
        assert queries_for(client, url) <= 8, user


def test_the_commitments_short_lists_come_in_one_query_and_in_order(client, cast):
    from actionlines.models import ActionLine
    from commitments.models import CommitmentRelation
    from tests.factories import ActivityFactory, DocumentFactory, PlanFactory

    commitment = CommitmentFactory(team=cast.team)
    plan = PlanFactory(title="Plan van aanpak")
    line = ActionLine.objects.create(plan=plan, number=2, title="Opsporing")
    ActivityFactory(plan=plan, action_line=None, title="Zonder actielijn")
    commitment.activities.add(
        ActivityFactory(plan=plan, action_line=line, title="Barrièremodel"),
        ActivityFactory(plan=plan, action_line=None, title="Aanpak op planniveau"),
    )
    older = DocumentFactory(date=datetime.date(2016, 3, 1), title="Eerste brief")
    newer = DocumentFactory(date=datetime.date(2017, 5, 1), title="Tweede brief")
    commitment.fulfilling_documents.add(older, newer)
    visible = CommitmentFactory(team=cast.team, reference="TZ-ZICHTBAAR")
    hidden = CommitmentFactory(team=cast.other_team, reference="TZ-VERBORGEN")
    CommitmentRelation.objects.create(from_commitment=commitment, to_commitment=visible)
    CommitmentRelation.objects.create(from_commitment=commitment, to_commitment=hidden)
    CommitmentRelation.objects.create(from_commitment=visible, to_commitment=commitment)
    FollowUpLetterFactory(team=cast.team, title="Brief van het team", commitments=[commitment])
    FollowUpLetterFactory(team=cast.other_team, title="Brief elders", commitments=[commitment])

    client.force_login(cast.official)
    response = client.get(reverse("commitments:detail", args=[commitment.pk]))
    shown = response.context["commitment"]
    with CaptureQueriesContext(connection) as captured:
        activities = [(a.title, str(a.action_line or a.plan)) for a in shown.activities.all()]
        documents = [d.title for d in shown.fulfilling_documents.all()]
        letters = [letter.title for letter in shown.follow_up_letters.all()]
        relations_from = [r.to_commitment.reference for r in shown.relations_from.all()]
        relations_to = [r.from_commitment.reference for r in shown.relations_to.all()]
    assert len(captured) == 0  # all of it was read with the page
    assert activities == [
        ("Aanpak op planniveau", "Plan van aanpak"),
        ("Barrièremodel", "2. Opsporing"),
    ]
    assert documents == ["Tweede brief", "Eerste brief"]
    assert letters == ["Brief van het team"]  # the other team's letter is not the official's
    assert relations_from == ["TZ-ZICHTBAAR"]
    assert relations_to == ["TZ-ZICHTBAAR"]
    body = response.content.decode()
    assert "TZ-VERBORGEN" not in body and "Brief elders" not in body
