"""The REST API: the pages' rules for scripts, tokens, versions on the wire, and its schema."""

import datetime
import hashlib

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from api import services as token_services
from api.models import ApiToken
from commitments import services
from commitments.filters import CommitmentFilter
from commitments.models import Commitment, DeadlineChange, FollowUpLetter
from commitments.selectors import commitments_visible_to, letters_visible_to
from tests.factories import (
    ActivityFactory,
    BewindspersoonFactory,
    CommitmentFactory,
    DebateFactory,
    DocumentFactory,
    FollowUpLetterFactory,
)

pytestmark = pytest.mark.django_db

API = "/api/v1"


def token_for(user, name="script") -> str:
    _token, key = token_services.token_create(actor=user, user=user, name=name)
    return key


def api(user=None, key=None) -> Client:
    """A client that speaks to the API with a personal token, as a script would."""
    key = key or token_for(user)
    return Client(HTTP_AUTHORIZATION=f"Token {key}", enforce_csrf_checks=True)


def json_post(client, url, data, **headers):
    return client.post(url, data, content_type="application/json", headers=headers)


def json_patch(client, url, data, **headers):
    return client.patch(url, data, content_type="application/json", headers=headers)


@pytest.fixture
def world(cast):
    ours = [CommitmentFactory(team=cast.team, owner=cast.official) for _ in range(7)]
    theirs = CommitmentFactory(team=cast.other_team, text="GEHEIM-ANDER-TEAM")
    return ours, theirs


# --- tokens -------------------------------------------------------------------------------------


def test_a_token_is_shown_once_stored_hashed_and_carries_the_users_rights(cast, world):
    ours, theirs = world
    browser = Client()
    browser.force_login(cast.official)
    response = browser.post(reverse("api:token_create"), {"name": "planning", "days": 30})
    assert response.status_code == 302
    page = browser.get(reverse("api:profile")).content.decode()
    token = ApiToken.objects.get(user=cast.official)
    key = page.split('id="new-token" type="text" readonly value="')[1].split('"')[0]
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in str(ApiToken.objects.values_list(flat=True))
    # Shown once: the next view of the page has it no more.
    assert key not in browser.get(reverse("api:profile")).content.decode()
    listed = api(key=key).get(f"{API}/commitments/").json()["results"]
    assert {row["reference"] for row in listed} == {c.reference for c in ours}
    assert api(key=key).get(f"{API}/commitments/{theirs.pk}/").status_code == 404
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert token.expires_at.date() == (timezone.now() + datetime.timedelta(days=30)).date()


def test_a_revoked_or_expired_token_no_longer_works(cast):
    key = token_for(cast.official)
    client = api(key=key)
    assert client.get(f"{API}/commitments/").status_code == 200
    token = ApiToken.objects.get()
    token_services.token_revoke(actor=cast.official, token=token)
    refused = client.get(f"{API}/commitments/")
    assert refused.status_code == 401
    assert refused["WWW-Authenticate"] == "Token"
    other = token_for(cast.official)
    ApiToken.objects.filter(revoked_at__isnull=True).unaudited_update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert api(key=other).get(f"{API}/commitments/").status_code == 401
    assert api(key="not-a-token").get(f"{API}/commitments/").status_code == 401


def test_staff_see_and_revoke_any_token_and_officials_only_their_own(cast):
    token_for(cast.official, name="officials-script")
    token = ApiToken.objects.get()
    outsider = Client()
    outsider.force_login(cast.outsider)
    assert "officials-script" not in outsider.get(reverse("api:profile")).content.decode()
    assert outsider.post(reverse("api:token_revoke", args=[token.pk])).status_code == 404
    staff = Client()
    staff.force_login(cast.staff)
    assert "officials-script" in staff.get(reverse("api:profile")).content.decode()
    assert staff.post(reverse("api:token_revoke", args=[token.pk])).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert token.history.latest().history_user == cast.staff


def test_anonymous_gets_401_and_the_session_needs_csrf(cast):
    assert Client().get(f"{API}/commitments/").status_code == 401
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(cast.official)
    assert browser.get(f"{API}/commitments/").status_code == 200
    refused = json_post(
        browser, f"{API}/debates/", {"kind": "other", "title": "x", "date": "2025-01-01"}
    )
    assert refused.status_code == 403


# --- the list: the page's filters -------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"status": ["open", "in_progress"], "overdue": "1"},
        {"q": "onderwerp"},
        {"due_within": "30"},
        {"sort": "-due_date"},
        {"team": "TEAM"},
    ],
)
def test_the_api_list_holds_exactly_what_the_list_page_filter_holds(cast, world, query):
    ours, _theirs = world
    services.commitment_update_progress(
        commitment=ours[0],
        author=cast.official,
        status="fulfilled",
        evidence_document=DocumentFactory(),
    )
    query = {k: (str(cast.team.pk) if v == "TEAM" else v) for k, v in query.items()}
    client = api(cast.official)
    got, url = [], f"{API}/commitments/"
    params = {**query, "page_size": 3}
    while url:
        body = client.get(url, params).json()
        got.extend(row["reference"] for row in body["results"])
        url, params = body["next"], None
    filtered = CommitmentFilter(
        query,
        queryset=commitments_visible_to(cast.official),
        letters=letters_visible_to(cast.official),
    )
    assert filtered.is_valid()
    assert got == [c.reference for c in filtered.qs]
    assert len(got) == len(set(got))


def test_a_bad_filter_or_cursor_is_a_clear_error(cast):
    client = api(cast.official)
    bad = client.get(f"{API}/commitments/", {"due_within": "many"})
    assert bad.status_code == 400
    assert "due_within" in bad.json()
    assert client.get(f"{API}/commitments/", {"cursor": "%%%"}).status_code == 404


# --- detail, versions and conflicts -----------------------------------------------------------


def test_the_detail_carries_its_version_as_etag_and_its_timeline(cast, world):
    commitment = world[0][0]
    services.commitment_update_progress(
        commitment=commitment, author=cast.official, status="in_progress", note="Gesprek gevoerd."
    )
    response = api(cast.official).get(f"{API}/commitments/{commitment.pk}/")
    body = response.json()
    commitment.refresh_from_db()
    assert response["ETag"] == f'"{commitment.version}"'
    assert body["status"] == "in_progress"
    assert [e["note"] for e in body["timeline"] if e["kind"] == "progress"] == ["Gesprek gevoerd."]


def test_a_write_needs_if_match_and_a_stale_one_is_refused_with_the_current_state(cast, world):
    commitment = world[0][0]
    client = api(cast.official)
    url = f"{API}/commitments/{commitment.pk}/"
    etag = client.get(url)["ETag"]
    missing = json_patch(client, url, {"text": "Nieuwe tekst."})
    assert missing.status_code == 428
    assert "If-Match" in missing.json()["detail"]
    done = json_patch(client, url, {"text": "Nieuwe tekst."}, **{"If-Match": etag})
    assert done.status_code == 200
    assert done.json()["text"] == "Nieuwe tekst."
    assert done["ETag"] != etag
    stale = json_patch(client, url, {"text": "Nog een tekst."}, **{"If-Match": etag})
    assert stale.status_code == 412
    assert stale.json()["current"]["text"] == "Nieuwe tekst."
    commitment.refresh_from_db()
    assert commitment.text == "Nieuwe tekst."
    assert commitment.history.latest().history_user == cast.official


def test_another_teams_commitment_is_404_and_a_readers_write_is_403(cast, world):
    ours, theirs = world
    outsider = api(cast.outsider)
    assert outsider.get(f"{API}/commitments/{theirs.pk}/").status_code == 200
    assert outsider.get(f"{API}/commitments/{ours[0].pk}/").status_code == 404
    manager = api(cast.manager)
    url = f"{API}/commitments/{ours[0].pk}/"
    etag = manager.get(url)["ETag"]
    refused = json_patch(manager, url, {"text": "Van de manager."}, **{"If-Match": etag})
    assert refused.status_code == 403
    ours[0].refresh_from_db()
    assert ours[0].text != "Van de manager."


# --- writes through the services ----------------------------------------------------------------


def test_an_official_registers_a_commitment_in_their_team_and_not_in_another(cast):
    client = api(cast.official)
    data = {
        "reference": "API-001",
        "text": "De minister zal de Kamer voor de zomer informeren.",
        "made_by": BewindspersoonFactory().pk,
        "debate": DebateFactory().pk,
        "made_on": "2025-07-02",
        "deadline_wording": "voor de zomer",
        "team": cast.team.pk,
    }
    created = json_post(client, f"{API}/commitments/", data)
    assert created.status_code == 201, created.json()
    assert created.json()["due_date"] is not None
    assert Commitment.objects.get(reference="API-001").history.earliest().history_user == (
        cast.official
    )
    elsewhere = json_post(
        client, f"{API}/commitments/", {**data, "reference": "API-002", "team": cast.other_team.pk}
    )
    assert elsewhere.status_code == 403
    invalid = json_post(
        client, f"{API}/commitments/", {**data, "reference": "API-003", "made_on": "gisteren"}
    )
    assert invalid.status_code == 400
    assert "made_on" in invalid.json()


def test_progress_to_fulfilled_needs_the_kamerstuk(cast, world):
    commitment = world[0][0]
    client = api(cast.official)
    url = f"{API}/commitments/{commitment.pk}/"
    etag = client.get(url)["ETag"]
    refused = json_post(client, f"{url}progress/", {"status": "fulfilled"}, **{"If-Match": etag})
    assert refused.status_code == 400
    assert "evidence_document" in refused.json()
    document = DocumentFactory()
    done = json_post(
        client,
        f"{url}progress/",
        {"status": "fulfilled", "evidence_document": document.pk, "note": "Brief verstuurd."},
        **{"If-Match": etag},
    )
    assert done.status_code == 201
    assert done.json()["status"] == "fulfilled"
    assert done.json()["fulfilling_documents"][0]["citation"] == document.citation


def test_a_deadline_request_is_decided_by_a_manager_never_by_the_requester(cast, world):
    commitment = world[0][0]
    new_date = (timezone.localdate() + datetime.timedelta(days=60)).isoformat()
    asked = json_post(
        api(cast.official),
        f"{API}/commitments/{commitment.pk}/deadline-changes/",
        {"new_due_date": new_date, "reason": "De regelgeving is vertraagd."},
    )
    assert asked.status_code == 201
    change = DeadlineChange.objects.get()
    url = f"{API}/deadline-changes/{change.pk}/decision/"
    own = json_post(api(cast.official), url, {"decision": "approve"}, **{"If-Match": asked["ETag"]})
    assert own.status_code == 403
    manager = api(cast.manager)
    decided = json_post(
        manager, url, {"decision": "approve", "note": "Akkoord."}, **{"If-Match": asked["ETag"]}
    )
    assert decided.status_code == 200
    commitment.refresh_from_db()
    assert commitment.due_date.isoformat() == new_date
    again = json_post(
        manager, url, {"decision": "reject", "note": "Toch niet."}, **{"If-Match": asked["ETag"]}
    )
    assert again.status_code == 412


def test_letters_are_planned_and_recorded_as_sent(cast, world):
    commitment = world[0][0]
    client = api(cast.official)
    planned = json_post(
        client,
        f"{API}/letters/",
        {
            "title": "Voortgangsbrief via API",
            "planned_date": "2026-03-01",
            "team": cast.team.pk,
            "drafter": cast.official.pk,
            "commitments": [commitment.pk],
        },
    )
    assert planned.status_code == 201, planned.json()
    letter = FollowUpLetter.objects.get(title="Voortgangsbrief via API")
    document = DocumentFactory()
    sent = json_post(
        client,
        f"{API}/letters/{letter.pk}/sent/",
        {"document": document.pk, "outcomes": {str(commitment.pk): "fulfilled"}},
        **{"If-Match": planned["ETag"]},
    )
    assert sent.status_code == 200, sent.json()
    assert sent.json()["status"] == "sent"
    commitment.refresh_from_db()
    assert commitment.status == "fulfilled"
    other = FollowUpLetterFactory(team=cast.other_team)
    assert client.get(f"{API}/letters/{other.pk}/").status_code == 404


def test_records_of_the_kamer_are_read_by_all_and_added_by_officials(cast):
    data = {"kind": "commissiedebat", "title": "Commissiedebat via API", "date": "2025-10-01"}
    assert json_post(api(cast.official), f"{API}/debates/", data).status_code == 201
    staff = json_post(api(cast.staff), f"{API}/debates/", {**data, "title": "Van staf"})
    assert staff.status_code == 403
    listed = api(cast.manager).get(f"{API}/debates/").json()["results"]
    assert [d["title"] for d in listed] == ["Commissiedebat via API"]


def test_activity_progress_and_own_notifications(cast):
    activity = ActivityFactory(team=cast.team)
    client = api(cast.official)
    url = f"{API}/activities/{activity.pk}/"
    etag = client.get(url)["ETag"]
    done = json_post(
        client, f"{url}progress/", {"status": "in_progress", "progress": 40}, **{"If-Match": etag}
    )
    assert done.status_code == 201, done.json()
    assert done.json()["progress"] == 40
    outsider = api(cast.outsider)
    assert (
        json_post(
            outsider,
            f"{url}progress/",
            {"status": "completed", "progress": 100},
            **{"If-Match": done["ETag"]},
        ).status_code
        == 403
    )
    assert client.get(f"{API}/notifications/").json() == {
        "next": None,
        "previous": None,
        "results": [],
    }


# --- limits and the schema --------------------------------------------------------------------


def test_requests_are_throttled_per_token(cast, settings):
    settings.API_THROTTLE_RATE = "3/minute"
    cache.clear()
    first, second = api(cast.official), api(cast.official)
    answers = [first.get(f"{API}/plans/").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    # Another token of the same user has its own allowance.
    assert second.get(f"{API}/plans/").status_code == 200


def test_the_schema_and_its_documentation_are_served_by_the_tracker_itself(cast):
    client = api(cast.official)
    schema = client.get(f"{API}/schema/", {"format": "json"})
    assert schema.status_code == 200
    document = schema.json()
    assert "/api/v1/commitments/{id}/progress/" in document["paths"]
    operation = document["paths"]["/api/v1/commitments/{id}/"]["patch"]
    assert {"412", "428", "400", "404"} <= set(operation["responses"])
    assert " / " in operation["summary"]
    # Every operation is named, and every filter described, in Dutch and in English.
    for path, methods in document["paths"].items():
        for method, described in methods.items():
            assert " / " in described.get("summary", ""), (method, path)
    listing = document["paths"]["/api/v1/commitments/"]["get"]
    # Words that Dutch and English share ("Status", "Team") are given once.
    same_in_both = {"Status", "Bewindspersoon", "Team"}
    for parameter in listing["parameters"]:
        first_line = parameter["description"].split("\n")[0]
        assert " / " in first_line or first_line in same_in_both, parameter["name"]
    browser = Client()
    browser.force_login(cast.official)
    for name in ("api:docs", "api:redoc"):
        page = browser.get(reverse(name)).content.decode()
        assert "cdn." not in page and "unpkg" not in page
        assert "/static/drf_spectacular_sidecar/" in page


# --- every role, every method that writes to a record ------------------------------------------

PATCH_EXPECTED = {
    "anonymous": 401,
    "official": 200,
    "outsider": 404,
    "manager": 403,
    "director": 403,
    "staff": 403,
    "admin": 200,
}


@pytest.mark.parametrize("role", sorted(PATCH_EXPECTED))
@pytest.mark.parametrize("method", ["patch", "put", "delete"])
def test_writes_to_a_commitment_per_role_and_method(cast, world, role, method):
    """PATCH edits for who may change the team's work; PUT and DELETE do not exist (405)."""
    commitment = world[0][0]
    user = getattr(cast, role, None)
    client = api(user) if user is not None else Client()
    url = f"{API}/commitments/{commitment.pk}/"
    headers = {"If-Match": f'"{commitment.version}"'}
    answer = getattr(client, method)(
        url, {"text": f"Bewerkt door {role}."}, content_type="application/json", headers=headers
    )
    expected = PATCH_EXPECTED[role]
    if method != "patch" and expected not in (401, 404):
        expected = 405
    if method != "patch" and expected == 404:
        # The method does not exist for anyone: the router answers 405 before any lookup.
        expected = 405
    assert answer.status_code == expected, answer.content
    commitment.refresh_from_db()
    changed = commitment.text == f"Bewerkt door {role}."
    assert changed == (answer.status_code == 200)


def test_the_fast_list_rows_say_exactly_what_the_list_serializer_says(cast, world):
    from rest_framework.test import APIRequestFactory

    from api.serializers import CommitmentListSerializer

    ours, _theirs = world
    ours[1].team = None
    services.commitment_update_progress(
        commitment=ours[2], author=cast.official, status="in_progress", note="Bezig."
    )
    listed = api(cast.official).get(f"{API}/commitments/", {"page_size": 50}).json()["results"]
    request = APIRequestFactory().get("/")
    context = {"request": request, "today": timezone.localdate()}
    by_id = {
        c.pk: c for c in Commitment.objects.select_related("made_by", "debate", "team", "owner")
    }
    for row in listed:
        expected = CommitmentListSerializer(by_id[row["id"]], context=context).data
        assert row == {**expected, "url": row["url"]}
        assert row["url"].endswith(f"/commitments/{row['id']}/")
