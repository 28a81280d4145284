"""Who may do what: every role against every action, checked on the server.

A refused action answers 403 (or 404 where the record is not the user's to see) and changes
nothing.
"""

import datetime

import pytest
from django.urls import reverse

from actionlines.models import Activity, ActivityUpdate
from commitments.models import Commitment, DeadlineChange, FollowUpLetter, ProgressUpdate
from tests.factories import (
    ActivityFactory,
    CommitmentFactory,
    DeadlineChangeFactory,
    FollowUpLetterFactory,
)

# Written for the suite's day (tests/conftest.py test_day).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("test_day")]
ROLES = ("official", "manager", "director", "staff", "outsider", "admin")


@pytest.fixture
def world(cast):
    commitment = CommitmentFactory(team=cast.team, owner=cast.official, reference="TZ-MINE")
    other = CommitmentFactory(team=cast.team, reference="TZ-FREE")
    change = DeadlineChangeFactory(commitment=commitment, requested_by=cast.official)
    activity = ActivityFactory(team=cast.team)
    letter = FollowUpLetterFactory(team=cast.team, drafter=cast.official, commitments=[other])
    return {
        "commitment": commitment,
        "other": other,
        "change": change,
        "activity": activity,
        "letter": letter,
    }


def snapshot():
    """Everything a refused action must leave as it was."""
    return (
        list(Commitment.objects.order_by("pk").values_list("pk", "version", "status", "due_date")),
        ProgressUpdate.objects.count(),
        list(DeadlineChange.objects.order_by("pk").values_list("pk", "state", "new_due_date")),
        list(Activity.objects.values_list("pk", "version", "progress")),
        ActivityUpdate.objects.count(),
        list(FollowUpLetter.objects.values_list("pk", "status")),
    )


ACTIONS = {
    "read commitment": (
        "get",
        lambda w: reverse("commitments:detail", args=[w["commitment"].pk]),
        None,
        {
            "official": 200,
            "manager": 200,
            "director": 200,
            "staff": 200,
            "outsider": 404,
            "admin": 200,
        },
    ),
    "record progress": (
        "post",
        lambda w: reverse("commitments:progress", args=[w["commitment"].pk]),
        lambda w: {"status": "in_progress", "note": "Bezig.", "version": w["commitment"].version},
        {
            "official": 302,
            "manager": 403,
            "director": 403,
            "staff": 403,
            "outsider": 404,
            "admin": 302,
        },
    ),
    "edit commitment": (
        "post",
        lambda w: reverse("commitments:edit", args=[w["commitment"].pk]),
        lambda w: {
            "reference": "TZ-MINE",
            "text": "Nieuwe tekst.",
            "chamber": "tk",
            "made_by": w["commitment"].made_by_id,
            "debate": f"[id {w['commitment'].debate_id}]",
            "made_on": "2025-07-02",
            "team": w["commitment"].team_id,
            "version": w["commitment"].version,
        },
        {
            "official": 302,
            "manager": 403,
            "director": 403,
            "staff": 403,
            "outsider": 404,
            "admin": 302,
        },
    ),
    "request deadline change": (
        "post",
        lambda w: reverse("commitments:deadline_request", args=[w["other"].pk]),
        lambda w: {"new_due_date": "2026-03-01", "reason": "Vertraging."},
        {
            "official": 302,
            "manager": 403,
            "director": 403,
            "staff": 403,
            "outsider": 404,
            "admin": 302,
        },
    ),
    "decide deadline change": (
        "post",
        lambda w: reverse("commitments:deadline_decide", args=[w["change"].pk]),
        lambda w: {"decision": "approve", "note": "Akkoord."},
        {
            "official": 403,
            "manager": 302,
            "director": 302,
            "staff": 403,
            "outsider": 404,
            "admin": 302,
        },
    ),
    "see deadline requests": (
        "get",
        lambda w: reverse("commitments:deadline_changes"),
        None,
        {
            "official": 403,
            "manager": 200,
            "director": 200,
            "staff": 403,
            "outsider": 403,
            "admin": 200,
        },
    ),
    "export csv": (
        "get",
        lambda w: reverse("commitments:export_csv"),
        None,
        {
            "official": 403,
            "manager": 403,
            "director": 403,
            "staff": 200,
            "outsider": 403,
            "admin": 200,
        },
    ),
    "export excel": (
        "get",
        lambda w: reverse("commitments:export_xlsx"),
        None,
        {
            "official": 403,
            "manager": 403,
            "director": 403,
            "staff": 200,
            "outsider": 403,
            "admin": 200,
        },
    ),
    "register commitment": (
        "get",
        lambda w: reverse("commitments:create"),
        None,
        {
            "official": 200,
            "manager": 403,
            "director": 403,
            "staff": 403,
            "outsider": 200,
            "admin": 200,
        },
    ),
    "record activity progress": (
        "post",
        lambda w: reverse("actionlines:activity_progress", args=[w["activity"].pk]),
        lambda w: {"status": "in_progress", "progress": "30", "version": w["activity"].version},
        {
            "official": 302,
            "manager": 403,
            "director": 403,
            "staff": 403,
            "outsider": 403,
            "admin": 302,
        },
    ),
    "record letter as sent": (
        "post",
        lambda w: reverse("commitments:letter_sent", args=[w["letter"].pk]),
        lambda w: {
            "new_document_dossier": "31 015",
            "new_document_volgnummer": "160",
            "new_document_date": "2025-10-01",
            "new_document_title": "Voortgangsbrief",
            f"outcome_{w['other'].pk}": "fulfilled",
        },
        {
            "official": 302,
            "manager": 403,
            "director": 403,
            "staff": 403,
            "outsider": 404,
            "admin": 302,
        },
    ),
    "read letter": (
        "get",
        lambda w: reverse("commitments:letter_detail", args=[w["letter"].pk]),
        None,
        {
            "official": 200,
            "manager": 200,
            "director": 200,
            "staff": 200,
            "outsider": 404,
            "admin": 200,
        },
    ),
    "register document": (
        "get",
        lambda w: reverse("commitments:document_create"),
        None,
        {
            "official": 200,
            "manager": 403,
            "director": 403,
            "staff": 403,
            "outsider": 200,
            "admin": 200,
        },
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_role_may_or_may_not_do_action(client, cast, world, role, action):
    method, url, data, expected_by_role = ACTIONS[action]
    client.force_login(getattr(cast, role))
    before = snapshot()
    payload = data(world) if data else None
    response = (
        getattr(client, method)(url(world), payload)
        if payload
        else getattr(client, method)(url(world))
    )
    expected = expected_by_role[role]
    assert response.status_code == expected, (action, role, response.status_code)
    if expected in (403, 404):
        assert snapshot() == before, (action, role)
    if method == "post" and expected == 302:
        assert snapshot() != before, (action, role)


def test_every_page_needs_login(client, world):
    for name, args in [
        ("commitments:my_work", []),
        ("commitments:list", []),
        ("commitments:dashboard", []),
        ("commitments:detail", [world["commitment"].pk]),
        ("commitments:letter_list", []),
        ("commitments:export_csv", []),
        ("actionlines:plan_list", []),
        ("commitments:document_list", []),
        ("commitments:debate_list", []),
    ]:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 302, name
        assert "/accounts/login/" in response["Location"]


def test_manager_of_a_parent_team_reads_the_teams_below(client, cast, world):
    client.force_login(cast.director)
    listed = client.get(reverse("commitments:list")).context["page"].object_list
    assert {row["reference"] for row in listed} == {"TZ-MINE", "TZ-FREE"}


def test_outsider_does_not_even_see_the_commitments_in_the_list(client, cast, world):
    client.force_login(cast.outsider)
    assert list(client.get(reverse("commitments:list")).context["page"].object_list) == []
    dashboard = client.get(reverse("commitments:dashboard")).context
    assert dashboard["figures"]["total"] == 0 and dashboard["figures"]["overdue"] == []


def test_nobody_decides_their_own_request_even_as_manager(client, cast, world):
    change = DeadlineChangeFactory(
        commitment=world["other"],
        requested_by=cast.manager,
        new_due_date=datetime.date(2026, 5, 1),
    )
    client.force_login(cast.manager)
    response = client.post(
        reverse("commitments:deadline_decide", args=[change.pk]), {"decision": "approve"}
    )
    assert response.status_code == 403
    assert DeadlineChange.objects.get(pk=change.pk).state == "requested"
