"""The number of queries per page does not grow with the number of rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commitments import services
from tests.factories import CommitmentFactory, FollowUpLetterFactory, UserFactory

pytestmark = pytest.mark.django_db


def queries_for(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
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
    client.get(url)  # the first request after login stores the language cookie
    grow(cast, 10)
    few = queries_for(client, url)
    grow(cast, 150)
    many = queries_for(client, url)
    assert few == many, (url, few, many)
    if url.startswith("/commitments/"):
        assert many <= 8, (url, many)


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
