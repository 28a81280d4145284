"""A user's access facts (teams, policy-staff permissions) are kept between requests, and no
request reads them older than the last change of teams, groups or permissions."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actionlines import services as team_services
from commitments.roles import ensure_role_groups
from tests.factories import CommitmentFactory

pytestmark = pytest.mark.django_db

LIST = "/commitments/"


def listed(client) -> set[str]:
    response = client.get(LIST)
    assert response.status_code == 200
    return {row["reference"] for row in response.context["page"].object_list}


def access_queries(client) -> list[str]:
    """The queries of a list request that read the user's teams or permissions (the filter
    panel's options read teams too, for everyone alike)."""
    with CaptureQueriesContext(connection) as captured:
        listed(client)
    return [
        q["sql"]
        for q in captured.captured_queries
        if '"is_member"' in q["sql"] or q["sql"].startswith('SELECT "auth_permission"."codename"')
    ]


def test_the_next_request_reads_no_team_or_permission(client, cast):
    CommitmentFactory(team=cast.team)
    client.force_login(cast.official)
    assert access_queries(client)  # computed once …
    assert access_queries(client) == []  # … and kept for the next request


def test_joining_a_team_is_seen_on_the_next_request(client, cast):
    theirs = CommitmentFactory(team=cast.other_team, reference="TZ-ANDER")
    client.force_login(cast.official)
    assert theirs.reference not in listed(client)
    team_services.team_set_people(actor=cast.admin, team=cast.other_team, members=[cast.official])
    assert theirs.reference in listed(client)


def test_leaving_a_team_is_seen_on_the_next_request(client, cast):
    ours = CommitmentFactory(team=cast.team, reference="TZ-ONS")
    client.force_login(cast.official)
    assert ours.reference in listed(client)
    cast.team.members.remove(cast.official)
    assert ours.reference not in listed(client)


def test_a_new_team_below_a_managed_one_is_seen_at_once(client, cast):
    client.force_login(cast.director)
    CommitmentFactory(team=cast.other_team, reference="TZ-MIGRATIE")
    assert "TZ-MIGRATIE" not in listed(client)
    cast.other_team.parent = cast.directorate
    cast.other_team.save()
    assert "TZ-MIGRATIE" in listed(client)


def test_policy_staff_rights_follow_the_group_at_once(client, cast):
    CommitmentFactory(team=cast.other_team, reference="TZ-ANDER")
    client.force_login(cast.official)
    assert "TZ-ANDER" not in listed(client)
    ensure_role_groups().user_set.add(cast.official)
    assert "TZ-ANDER" in listed(client)
    group = ensure_role_groups()
    group.permissions.remove(Permission.objects.get(codename="view_all_commitments"))
    assert "TZ-ANDER" not in listed(client)


def test_kept_rights_do_not_outlive_a_deactivated_account(cast):
    from django.contrib.auth import get_user_model

    from commitments.access import can_export

    assert can_export(get_user_model().objects.get(pk=cast.staff.pk))  # now kept
    cast.staff.is_active = False
    cast.staff.save()
    # The kept permission is still there, but the account itself is read afresh.
    assert not can_export(get_user_model().objects.get(pk=cast.staff.pk))


def test_facts_are_kept_per_account_not_per_id(cast):
    from actionlines.access import _shared_key

    first = _shared_key(cast.outsider)
    cast.outsider.date_joined = cast.outsider.date_joined.replace(year=2001)
    assert _shared_key(cast.outsider) != first
