"""Calendar feeds: what each role's feed holds, how its events change, and how its address works.

Every feed is read back with icalendar's own parser, the way a calendar client would.
"""

import datetime
import hashlib

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar

from actionlines.models import Profile
from commitments import services as commitment_services
from commitments.models import FollowUpLetter
from feeds import services
from feeds.models import CalendarFeed
from feeds.selectors import profile_context
from tests.factories import (
    CommitmentFactory,
    DocumentFactory,
    FollowUpLetterFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

AMSTERDAM = datetime.timezone(datetime.timedelta(hours=1))
NOW = datetime.datetime(2025, 11, 3, 10, 0, tzinfo=AMSTERDAM)
HOST = "127.0.0.1"  # tests run with the default SITE_URL


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


@pytest.fixture
def hybrid(cast):
    """An official of team C and the manager of team B, as in the access matrix."""
    user = UserFactory(username="hybrid")
    team_b = TeamFactory(name="Team B", managers=[user], members=[UserFactory()])
    team_c = TeamFactory(name="Team C", members=[user])
    return user, team_b, team_c


def feed_path(user, team=None) -> str:
    _feed, token = services.feed_create(actor=user, team=team)
    return reverse("feeds:ics", args=[token])


def read(client, path) -> Calendar:
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return Calendar.from_ical(response.content)


def events(calendar: Calendar) -> dict[str, object]:
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def due_uid(commitment) -> str:
    return f"commitment-{commitment.pk}-due@{HOST}"


def request_deadline(commitment, *, by, new_date=datetime.date(2026, 3, 1)):
    return commitment_services.deadline_change_request(
        commitment=commitment,
        requested_by=by,
        new_due_date=new_date,
        reason="Vertraagd.",
        today=NOW.date(),
    )


# --- what each role's feed holds --------------------------------------------------------------


def test_officials_feed_holds_own_and_team_commitments_not_another_teams(client, cast):
    of_team = CommitmentFactory(team=cast.team, owner=cast.manager)
    owned_elsewhere = CommitmentFactory(team=cast.other_team, owner=cast.official)
    other_team = CommitmentFactory(team=cast.other_team, owner=cast.outsider)
    no_date = CommitmentFactory(team=cast.team, due_date=None, original_due_date=None)

    uids = set(events(read(client, feed_path(cast.official))))

    assert due_uid(of_team) in uids
    assert due_uid(owned_elsewhere) in uids
    assert due_uid(other_team) not in uids
    assert due_uid(no_date) not in uids


def test_outsiders_feed_holds_their_team_and_not_team_a(client, cast, commitment):
    theirs = CommitmentFactory(team=cast.other_team)

    uids = set(events(read(client, feed_path(cast.outsider))))

    assert uids == {due_uid(theirs)}


def test_commitment_event_carries_every_property(client, cast):
    commitment = CommitmentFactory(
        team=cast.team,
        owner=cast.official,
        reference="KST-2016-03",
        text="De minister zal de Kamer informeren over de aanpak van kindersekstoerisme.",
        due_date=datetime.date(2016, 12, 23),
    )

    calendar = read(client, feed_path(cast.official))

    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]).startswith("-//")
    assert str(calendar["X-WR-CALNAME"]) == "Toezeggingen · Mijn werk"
    assert calendar["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    assert calendar.decoded("REFRESH-INTERVAL") == datetime.timedelta(hours=1)
    assert str(calendar["X-PUBLISHED-TTL"]) == "PT1H"
    event = events(calendar)[due_uid(commitment)]
    assert event.decoded("DTSTART") == datetime.date(2016, 12, 23)
    assert not isinstance(event.decoded("DTSTART"), datetime.datetime)
    assert event["DTSTART"].params["VALUE"] == "DATE"
    assert event.decoded("DTEND") == datetime.date(2016, 12, 24)
    # The default language is Dutch: "Due date" reads "Uiterste datum".
    assert str(event["SUMMARY"]).startswith("Uiterste datum: KST-2016-03 – De minister zal")
    link = f"{settings.SITE_URL}/commitments/{commitment.pk}/"
    assert str(event["URL"]) == link
    description = str(event["DESCRIPTION"])
    assert commitment.text in description
    assert link in description
    assert "Team Jeugd" in description
    assert event["SEQUENCE"] == 0
    created = commitment.created_at.replace(microsecond=0)
    assert event.decoded("LAST-MODIFIED") == created
    assert event.decoded("DTSTAMP") == created
    assert event.decoded("CREATED") == created
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["TRANSP"]) == "TRANSPARENT"


def test_summaries_follow_the_users_language(client, cast, commitment):
    Profile.objects.create(user=cast.official, language=Profile.Language.ENGLISH)
    FollowUpLetterFactory(team=cast.team, title="Voortgangsbrief najaar")

    calendar = read(client, feed_path(cast.official))

    summaries = {str(event["SUMMARY"]) for event in calendar.walk("VEVENT")}
    assert any(s.startswith(f"Due date: {commitment.reference} – ") for s in summaries)
    assert "Letter planned: Voortgangsbrief najaar" in summaries
    assert str(calendar["X-WR-CALNAME"]) == "Commitments · My work"


def test_open_letters_are_on_their_planned_date_and_sent_ones_are_not(client, cast, commitment):
    planned = FollowUpLetterFactory(
        team=cast.team, planned_date=datetime.date(2025, 12, 1), commitments=[commitment]
    )
    drafted = FollowUpLetterFactory(drafter=cast.official, team=cast.other_team)
    sent = FollowUpLetterFactory(
        team=cast.team, status="sent", sent_as=DocumentFactory(), title="Verzonden brief"
    )
    other = FollowUpLetterFactory(team=cast.other_team)

    found = events(read(client, feed_path(cast.official)))

    event = found[f"letter-{planned.pk}-planned@{HOST}"]
    assert event.decoded("DTSTART") == datetime.date(2025, 12, 1)
    assert commitment.reference in str(event["DESCRIPTION"])
    assert str(event["URL"]) == f"{settings.SITE_URL}/letters/{planned.pk}/"
    assert f"letter-{drafted.pk}-planned@{HOST}" in found
    assert f"letter-{sent.pk}-planned@{HOST}" not in found
    assert f"letter-{other.pk}-planned@{HOST}" not in found


@pytest.mark.parametrize("role", ["manager", "director"])
def test_managers_feed_holds_pending_requests_of_their_teams_on_the_new_date(
    client, cast, commitment, role
):
    change = request_deadline(commitment, by=cast.official)
    outside = request_deadline(
        CommitmentFactory(team=cast.other_team),
        by=cast.outsider,
        new_date=datetime.date(2026, 4, 1),
    )

    found = events(read(client, feed_path(getattr(cast, role))))

    event = found[f"deadlinechange-{change.pk}-requested@{HOST}"]
    assert event.decoded("DTSTART") == datetime.date(2026, 3, 1)
    assert str(event["STATUS"]) == "TENTATIVE"
    assert str(event["SUMMARY"]).startswith(f"Uitstel aangevraagd: {commitment.reference} – ")
    assert f"/deadline-changes/{change.pk}/decide/" in str(event["URL"])
    assert "Vertraagd." not in str(event["DESCRIPTION"])  # the reason stays in the tracker
    assert f"deadlinechange-{outside.pk}-requested@{HOST}" not in found
    # Managers' "My work" holds only what they own: team A's commitments are not theirs.
    assert due_uid(commitment) not in found


def test_officials_feed_holds_no_requests_not_even_their_own(client, cast, commitment):
    request_deadline(commitment, by=cast.official)

    found = events(read(client, feed_path(cast.official)))

    assert not any(uid.startswith("deadlinechange-") for uid in found)


def test_decided_request_leaves_the_managers_feed(client, cast, commitment):
    change = request_deadline(commitment, by=cast.official)
    path = feed_path(cast.manager)
    assert f"deadlinechange-{change.pk}-requested@{HOST}" in events(read(client, path))

    commitment_services.deadline_change_reject(change=change, decided_by=cast.manager, note="Nee")

    assert f"deadlinechange-{change.pk}-requested@{HOST}" not in events(read(client, path))


def test_hybrids_feeds_follow_their_two_roles(client, cast, hybrid):
    user, team_b, team_c = hybrid
    in_b = CommitmentFactory(team=team_b)
    in_c = CommitmentFactory(team=team_c)
    change_b = request_deadline(in_b, by=team_b.members.get())

    own = events(read(client, feed_path(user)))
    b_feed = events(read(client, feed_path(user, team_b)))
    c_feed = events(read(client, feed_path(user, team_c)))

    assert due_uid(in_c) in own and due_uid(in_b) not in own
    assert f"deadlinechange-{change_b.pk}-requested@{HOST}" in own
    assert set(b_feed) == {due_uid(in_b), f"deadlinechange-{change_b.pk}-requested@{HOST}"}
    assert set(c_feed) == {due_uid(in_c)}


def test_team_feed_holds_that_teams_work_only(client, cast, commitment):
    owned_elsewhere = CommitmentFactory(team=cast.other_team, owner=cast.official)
    letter = FollowUpLetterFactory(team=cast.team)

    found = events(read(client, feed_path(cast.official, cast.team)))

    assert set(found) == {due_uid(commitment), f"letter-{letter.pk}-planned@{HOST}"}
    assert due_uid(owned_elsewhere) not in found


def test_managers_team_feed_holds_the_teams_commitments_and_requests(client, cast, commitment):
    change = request_deadline(commitment, by=cast.official)

    found = events(read(client, feed_path(cast.manager, cast.team)))

    assert set(found) == {due_uid(commitment), f"deadlinechange-{change.pk}-requested@{HOST}"}


@pytest.mark.parametrize("role", ["outsider", "staff", "admin"])
def test_team_feed_of_a_team_one_is_not_in_cannot_be_created(client, cast, role):
    client.force_login(getattr(cast, role))

    response = client.post(reverse("feeds:create"), {"team": cast.team.pk})

    assert response.status_code == 403
    assert not CalendarFeed.objects.exists()


def test_team_choices_are_the_teams_one_is_member_or_manager_of(cast, hybrid):
    user, team_b, team_c = hybrid

    def choices(person):
        return {team.name for team in profile_context(person)["calendar_feeds"]["team_choices"]}

    assert choices(cast.official) == {"Team Jeugd"}
    assert choices(cast.director) == {"Directie", "Team Jeugd"}
    assert choices(cast.outsider) == {"Team Migratie"}
    assert choices(cast.staff) == set()
    assert choices(user) == {"Team B", "Team C"}
    services.feed_create(actor=user, team=team_b)
    assert choices(user) == {"Team C"}


# --- events change as their records do ----------------------------------------------------------


def test_approved_deadline_change_keeps_the_uid_and_bumps_sequence_and_last_modified(
    client, cast, now
):
    commitment = CommitmentFactory(team=cast.team)
    path = feed_path(cast.official)
    before = events(read(client, path))[due_uid(commitment)]
    assert before["SEQUENCE"] == 0
    assert before.decoded("LAST-MODIFIED") == NOW

    now.shift(datetime.timedelta(days=2))
    change = request_deadline(commitment, by=cast.official, new_date=datetime.date(2026, 3, 1))
    change = commitment_services.deadline_change_approve(change=change, decided_by=cast.manager)

    after = events(read(client, path))[due_uid(commitment)]
    assert after.decoded("DTSTART") == datetime.date(2026, 3, 1)
    assert after["SEQUENCE"] == 1
    assert after.decoded("LAST-MODIFIED") == change.decided_at.replace(microsecond=0)
    assert after.decoded("LAST-MODIFIED") > before.decoded("LAST-MODIFIED")
    assert after.decoded("DTSTAMP") == after.decoded("LAST-MODIFIED")


def test_moving_a_letter_keeps_its_uid_and_bumps_sequence_and_last_modified(client, cast, now):
    letter = commitment_services.follow_up_letter_save(
        actor=cast.official,
        letter=FollowUpLetter(
            title="Voortgangsbrief", planned_date=datetime.date(2025, 12, 1), team=cast.team
        ),
        commitments=[],
    )
    path = feed_path(cast.official)
    uid = f"letter-{letter.pk}-planned@{HOST}"
    before = events(read(client, path))[uid]

    now.shift(datetime.timedelta(days=1))
    letter.planned_date = datetime.date(2026, 1, 15)
    commitment_services.follow_up_letter_save(
        actor=cast.official, letter=letter, commitments=[], expected_version=letter.version
    )
    after = events(read(client, path))[uid]

    assert before.decoded("DTSTART") == datetime.date(2025, 12, 1)
    assert after.decoded("DTSTART") == datetime.date(2026, 1, 15)
    assert (before["SEQUENCE"], after["SEQUENCE"]) == (0, 1)
    assert before.decoded("LAST-MODIFIED") == NOW
    assert after.decoded("LAST-MODIFIED") == NOW + datetime.timedelta(days=1)


@pytest.mark.parametrize("status", ["fulfilled", "lapsed"])
def test_fulfilled_or_lapsed_commitment_drops_out(client, cast, commitment, status):
    path = feed_path(cast.official)
    assert due_uid(commitment) in events(read(client, path))

    commitment_services.commitment_update_progress(
        commitment=commitment,
        author=cast.official,
        status=status,
        evidence_document=DocumentFactory() if status == "fulfilled" else None,
    )

    assert due_uid(commitment) not in events(read(client, path))


# --- the address ------------------------------------------------------------------------------


def test_only_the_hash_of_the_token_is_stored(cast):
    feed, token = services.feed_create(actor=cast.official)

    assert len(token) == 43
    assert feed.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = [str(value) for value in CalendarFeed.objects.values().get()]
    stored += [str(v) for v in CalendarFeed.history.values_list(flat=False).get()]
    assert not any(token in value for value in stored)


def test_anonymous_fetch_gets_the_calendar_not_a_login_page(client, cast, commitment):
    response = client.get(feed_path(cast.official))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "private" in response["Cache-Control"]
    assert response["ETag"].startswith('"')
    assert response.content.startswith(b"BEGIN:VCALENDAR\r\n")


def test_unchanged_feed_answers_304_to_its_etag_and_200_after_a_change(client, cast, commitment):
    path = feed_path(cast.official)
    etag = client.get(path)["ETag"]

    assert client.get(path, headers={"if-none-match": etag}).status_code == 304
    CommitmentFactory(team=cast.team)
    assert client.get(path, headers={"if-none-match": etag}).status_code == 200


def test_head_answers_like_get_without_a_body(client, cast, commitment):
    path = feed_path(cast.official)

    response = client.head(path)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.content == b""
    assert response["ETag"] == client.get(path)["ETag"]


def test_post_to_the_feed_is_not_allowed(client, cast):
    assert client.post(feed_path(cast.official)).status_code == 405


@pytest.mark.parametrize(
    "token",
    [
        "x",
        "A" * 43,  # well formed, unknown
        "A" * 44,
        "é" * 43,
        "A" * 42 + "%3D",
        "%20" * 43,
        "../../etc/passwd",
        "A" * 5000,
    ],
)
def test_bad_or_unknown_token_answers_404(client, cast, token):
    services.feed_create(actor=cast.official)

    assert client.get(f"/calendar/{token}.ics").status_code == 404


def test_revoked_token_answers_404_and_the_history_names_who_revoked(client, cast, commitment):
    path = feed_path(cast.official)
    feed = CalendarFeed.objects.get()
    client.force_login(cast.official)

    response = client.post(reverse("feeds:revoke", args=[feed.pk]))

    assert response.status_code == 302
    client.logout()
    assert client.get(path).status_code == 404
    revocation = CalendarFeed.history.filter(id=feed.pk).latest("history_date")
    assert revocation.revoked_at is not None
    assert revocation.history_user == cast.official
    created = CalendarFeed.history.filter(id=feed.pk).earliest("history_date")
    assert created.history_type == "+" and created.history_user == cast.official


def test_regenerated_token_replaces_the_old_address(client, cast, commitment):
    old_path = feed_path(cast.official)
    feed = CalendarFeed.objects.get()
    client.force_login(cast.official)

    client.post(reverse("feeds:regenerate", args=[feed.pk]))
    new_address = client.get(reverse("feeds:manage")).context["new_address"]["url"]
    client.logout()

    assert client.get(old_path).status_code == 404
    new_path = new_address.removeprefix(settings.SITE_URL)
    assert new_path != old_path
    assert due_uid(commitment) in events(read(client, new_path))
    assert CalendarFeed.objects.filter(revoked_at__isnull=True).count() == 1


def test_team_feed_answers_404_once_the_user_left_the_team(client, cast, commitment):
    path = feed_path(cast.official, cast.team)
    assert client.get(path).status_code == 200

    cast.team.members.remove(cast.official)

    assert client.get(path).status_code == 404


def test_feed_of_an_inactive_user_answers_404(client, cast, commitment):
    path = feed_path(cast.official)

    cast.official.is_active = False
    cast.official.save()

    assert client.get(path).status_code == 404


def test_expired_feed_answers_404(client, cast, now):
    path = feed_path(cast.official)
    assert client.get(path).status_code == 200

    now.shift(datetime.timedelta(days=366))

    assert client.get(path).status_code == 404


def test_last_used_is_noted_at_most_once_a_minute(client, cast, now):
    path = feed_path(cast.official)
    feed = CalendarFeed.objects.get()
    assert feed.last_used_at is None

    client.get(path)
    feed.refresh_from_db()
    assert feed.last_used_at == NOW

    now.shift(datetime.timedelta(seconds=30))
    with CaptureQueriesContext(connection) as captured:
        client.get(path)
    feed.refresh_from_db()
    assert feed.last_used_at == NOW
    assert not any(query["sql"].startswith("UPDATE") for query in captured)

    now.shift(datetime.timedelta(seconds=31))
    client.head(path)
    feed.refresh_from_db()
    assert feed.last_used_at == NOW + datetime.timedelta(seconds=61)
    # Bookkeeping, not a change: the history holds the creation only.
    assert CalendarFeed.history.filter(id=feed.pk).count() == 1


def grow(cast, count):
    for _ in range(count):
        commitment = CommitmentFactory(team=cast.team)
        request_deadline(commitment, by=cast.official)
        letter = FollowUpLetterFactory(team=cast.team, commitments=[commitment])
        letter.commitments.add(CommitmentFactory(team=cast.team))


@pytest.mark.parametrize(
    ("role", "team"), [("official", False), ("manager", False), ("manager", True)]
)
def test_queries_per_fetch_do_not_grow_with_the_events(client, cast, now, role, team):
    path = feed_path(getattr(cast, role), cast.team if team else None)
    grow(cast, 3)
    client.get(path)  # notes the use; the fetches below fall within the same minute

    with CaptureQueriesContext(connection) as few:
        first = client.get(path)
    grow(cast, 30)
    with CaptureQueriesContext(connection) as many:
        second = client.get(path)

    assert len(second.content) > len(first.content)
    assert len(few) == len(many) <= 12, [query["sql"] for query in many]


# --- the buttons --------------------------------------------------------------------------------


def test_create_shows_the_address_once_and_stores_its_hash(client, cast):
    client.force_login(cast.official)

    response = client.post(reverse("feeds:create"), {"team": ""})

    assert response.status_code == 302
    assert response["Location"] in ("/calendar/", "/profile/") or "profile" in response["Location"]
    page = client.get(reverse("feeds:manage"))
    url = page.context["new_address"]["url"]
    assert url.startswith(f"{settings.SITE_URL}/calendar/") and url.endswith(".ics")
    assert url in page.content.decode()
    assert "no-cache" in page["Cache-Control"] or "no-store" in page["Cache-Control"]
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert CalendarFeed.objects.get().token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert url not in client.get(reverse("feeds:manage")).content.decode()


def test_posts_return_to_the_page_they_came_from(client, cast):
    client.force_login(cast.official)

    back = client.post(reverse("feeds:create"), {"team": "", "next": "/calendar/?x=1"})
    away = client.post(
        reverse("feeds:create"), {"team": cast.team.pk, "next": "https://evil.example/"}
    )

    assert back["Location"] == "/calendar/?x=1"
    assert "evil" not in away["Location"]


def test_a_second_feed_of_the_same_kind_is_refused_and_nothing_changes(client, cast):
    client.force_login(cast.official)
    client.post(reverse("feeds:create"), {"team": cast.team.pk})

    response = client.post(reverse("feeds:create"), {"team": cast.team.pk}, follow=True)

    assert CalendarFeed.objects.count() == 1
    # The refusal says what to do instead (in Dutch, the default language).
    assert "U hebt deze agendafeed al" in response.content.decode()


def test_create_with_a_team_that_does_not_exist_is_a_bad_request(client, cast):
    client.force_login(cast.official)

    assert client.post(reverse("feeds:create"), {"team": "99999999999999999999"}).status_code == 400
    assert client.post(reverse("feeds:create"), {"team": "abc"}).status_code == 400
    assert not CalendarFeed.objects.exists()


@pytest.mark.parametrize("action", ["regenerate", "revoke"])
@pytest.mark.parametrize("role", ["outsider", "staff", "admin", "manager"])
def test_nobody_else_regenerates_or_revokes_a_feed_in_the_pages(client, cast, action, role):
    feed, _token = services.feed_create(actor=cast.official)
    client.force_login(getattr(cast, role))

    response = client.post(reverse(f"feeds:{action}", args=[feed.pk]))

    assert response.status_code == 404
    feed.refresh_from_db()
    assert feed.revoked_at is None
    assert CalendarFeed.objects.count() == 1


def test_regenerating_a_feed_of_a_team_one_left_is_refused(client, cast):
    feed, _token = services.feed_create(actor=cast.official, team=cast.team)
    cast.team.members.remove(cast.official)
    client.force_login(cast.official)

    assert client.post(reverse("feeds:regenerate", args=[feed.pk])).status_code == 403
    assert client.post(reverse("feeds:revoke", args=[feed.pk])).status_code == 302
    feed.refresh_from_db()
    assert feed.revoked_at is not None


def test_buttons_answer_only_post_and_only_to_a_logged_in_user(client, cast):
    feed, _token = services.feed_create(actor=cast.official)
    paths = [
        reverse("feeds:create"),
        reverse("feeds:regenerate", args=[feed.pk]),
        reverse("feeds:revoke", args=[feed.pk]),
    ]

    for path in paths:
        assert client.post(path)["Location"].startswith("/accounts/login/")
    assert client.get(reverse("feeds:manage"))["Location"].startswith("/accounts/login/")
    client.force_login(cast.official)
    for path in paths:
        assert client.get(path).status_code == 405
    assert client.post(reverse("feeds:revoke", args=[2**70])).status_code == 404
    feed.refresh_from_db()
    assert feed.revoked_at is None


def test_manage_page_lists_the_users_feeds_with_their_buttons(client, cast):
    services.feed_create(actor=cast.official, team=cast.team)
    client.force_login(cast.official)

    body = client.get(reverse("feeds:manage")).content.decode()

    assert "Team Jeugd" in body
    assert reverse("feeds:create") in body
    assert 'name="csrfmiddlewaretoken"' in body
    feed = CalendarFeed.objects.get()
    assert reverse("feeds:regenerate", args=[feed.pk]) in body
    assert reverse("feeds:revoke", args=[feed.pk]) in body


# --- the admin ---------------------------------------------------------------------------------


def test_admin_sees_everyones_feeds_and_revokes_them(client, cast):
    feed, _token = services.feed_create(actor=cast.official)
    client.force_login(cast.admin)

    changelist = client.get(reverse("admin:feeds_calendarfeed_changelist"))
    response = client.post(
        reverse("admin:feeds_calendarfeed_changelist"),
        {"action": "revoke", "_selected_action": [feed.pk]},
    )

    assert changelist.status_code == 200
    assert "official" in changelist.content.decode()
    assert response.status_code == 302
    feed.refresh_from_db()
    assert feed.revoked_at is not None
    assert CalendarFeed.history.filter(id=feed.pk).latest("history_date").history_user == cast.admin
    assert client.get(reverse("admin:feeds_calendarfeed_add")).status_code == 403


def test_policy_staff_in_the_admin_see_feeds_officials_do_not(client, cast):
    services.feed_create(actor=cast.official)
    cast.staff.is_staff = True
    cast.staff.save()
    cast.outsider.is_staff = True
    cast.outsider.save()
    changelist = reverse("admin:feeds_calendarfeed_changelist")

    client.force_login(cast.staff)
    assert client.get(changelist).status_code == 200
    client.force_login(cast.outsider)
    assert client.get(changelist).status_code == 403


def test_admin_deletes_a_feed_and_the_history_keeps_who(client, cast):
    feed, _token = services.feed_create(actor=cast.official)
    client.force_login(cast.admin)

    history = client.get(reverse("admin:feeds_calendarfeed_history", args=[feed.pk]))
    response = client.post(
        reverse("admin:feeds_calendarfeed_delete", args=[feed.pk]), {"post": "yes"}
    )

    assert history.status_code == 200
    assert response.status_code == 302
    assert not CalendarFeed.objects.exists()
    deletion = CalendarFeed.history.filter(id=feed.pk).latest("history_date")
    assert deletion.history_type == "-" and deletion.history_user == cast.admin


def test_the_profile_page_shows_the_section_and_the_new_address_once(client, cast):
    client.force_login(cast.official)
    profile = reverse("api:profile")

    response = client.post(reverse("feeds:create"), {"team": ""})

    assert response["Location"] == profile
    body = client.get(profile).content.decode()
    assert "/calendar/new/" in body
    new_address = CalendarFeed.objects.get()
    assert reverse("feeds:revoke", args=[new_address.pk]) in body
    assert f"{settings.SITE_URL}/calendar/" in body
    assert f"{settings.SITE_URL}/calendar/" not in client.get(profile).content.decode()
