"""Kept pages and counts: the dashboard's figures, a commitment's timeline and the list's count
are kept between requests, and forgotten at the first change of what they show."""

import datetime
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actionlines import services as activity_services
from commitments import services
from tests.factories import (
    ActionLineFactory,
    ActivityFactory,
    CommitmentFactory,
    DocumentFactory,
    FollowUpLetterFactory,
    PlanFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

DASHBOARD = "/dashboard/"


@pytest.fixture
def today(time_machine):
    amsterdam = zoneinfo.ZoneInfo("Europe/Amsterdam")
    time_machine.move_to(datetime.datetime(2025, 11, 3, 10, 0, tzinfo=amsterdam), tick=False)
    return datetime.date(2025, 11, 3)


def figures(client):
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    return response


def overdue_count(client) -> int:
    """The count the page shows, read from the page itself (the figures may be kept)."""
    body = figures(client).content.decode()
    marker = '<h2 id="overdue-heading">'
    heading = body[body.index(marker) : body.index("</h2>", body.index(marker))]
    return int(heading.rsplit("(", 1)[1].split(")", 1)[0])


def test_a_kept_dashboard_reads_no_commitments(client, cast, today):
    CommitmentFactory(team=cast.team, due_date=datetime.date(2025, 9, 1))
    client.force_login(cast.manager)
    figures(client)
    with CaptureQueriesContext(connection) as captured:
        figures(client)
    tables = " ".join(q["sql"] for q in captured.captured_queries)
    assert "commitments_commitment" not in tables
    assert "actionlines_activity" not in tables
    assert len(captured) <= 4


def test_progress_on_a_commitment_shows_at_once(client, cast, today):
    late = CommitmentFactory(team=cast.team, due_date=datetime.date(2025, 9, 1))
    CommitmentFactory(team=cast.team, due_date=datetime.date(2025, 10, 1))
    client.force_login(cast.manager)
    assert overdue_count(client) == 2
    services.commitment_update_progress(
        commitment=late,
        author=cast.official,
        status="fulfilled",
        evidence_document=DocumentFactory(date=datetime.date(2025, 10, 20)),
    )
    assert overdue_count(client) == 1


def test_a_commitment_that_moves_team_leaves_the_old_teams_figures(client, cast, today):
    moving = CommitmentFactory(team=cast.team, due_date=datetime.date(2025, 9, 1))
    other_manager = UserFactory()
    other_team = TeamFactory(managers=[other_manager])
    client.force_login(cast.manager)
    assert overdue_count(client) == 1
    services.commitment_update(
        commitment=moving, author=cast.admin, expected_version=None, team=other_team
    )
    assert overdue_count(client) == 0
    client.force_login(other_manager)
    assert overdue_count(client) == 1


def test_a_letters_open_count_follows_commitments_of_another_team(client, cast, today):
    elsewhere = CommitmentFactory(team=cast.other_team, owner=cast.outsider)
    mine = CommitmentFactory(team=cast.team)
    letter = FollowUpLetterFactory(team=cast.team, commitments=[mine, elsewhere])
    client.force_login(cast.director)
    assert {item.title: item.open_count for item in figures(client).context["figures"]["letters"]}[
        letter.title
    ] == 1  # the director reads only the commitment of the team below
    services.commitment_update_progress(
        commitment=mine,
        author=cast.official,
        status="fulfilled",
        evidence_document=DocumentFactory(date=datetime.date(2025, 10, 20)),
    )
    body = figures(client).content.decode()
    assert "0 open commitments" in body or "0 openstaande" in body


def test_a_deadline_change_request_reaches_the_manager_at_once(client, cast, today):
    commitment = CommitmentFactory(team=cast.team, due_date=datetime.date(2025, 12, 1))
    client.force_login(cast.manager)
    banner = 'class="message message--action"'
    assert banner not in figures(client).content.decode()
    services.deadline_change_request(
        commitment=commitment,
        requested_by=cast.official,
        new_due_date=datetime.date(2026, 3, 1),
        reason="De Raad van State adviseert later.",
    )
    assert banner in figures(client).content.decode()


def test_activity_progress_shows_in_the_plans_block_at_once(client, cast, today):
    plan = PlanFactory(title="Plan tegen kindersekstoerisme")
    line = ActionLineFactory(plan=plan)
    activity = ActivityFactory(plan=plan, action_line=line, team=cast.team, title="Barrièremodel")
    client.force_login(cast.manager)
    assert 'value="0"' in figures(client).content.decode()
    activity_services.activity_update_progress(
        activity=activity, author=cast.official, status="in_progress", progress=40
    )
    assert 'value="40"' in figures(client).content.decode()


def test_each_reader_keeps_their_own_figures(client, cast, today):
    CommitmentFactory(team=cast.team, due_date=datetime.date(2025, 9, 1))
    CommitmentFactory(team=cast.other_team, due_date=datetime.date(2025, 9, 1))
    client.force_login(cast.admin)
    assert overdue_count(client) == 2
    client.force_login(cast.manager)
    assert overdue_count(client) == 1
    client.force_login(cast.outsider)
    assert overdue_count(client) == 1


# --- a commitment's timeline ---------------------------------------------------------------


def test_the_timeline_shows_new_progress_at_once(client, cast, today):
    commitment = CommitmentFactory(team=cast.team)
    client.force_login(cast.manager)
    url = commitment.get_absolute_url()
    assert "Eerste concept." not in client.get(url).content.decode()
    services.commitment_update_progress(
        commitment=commitment, author=cast.official, status="in_progress", note="Eerste concept."
    )
    assert "Eerste concept." in client.get(url).content.decode()


def test_a_kept_timeline_reads_no_updates_nor_history(client, cast, today):
    commitment = CommitmentFactory(team=cast.team)
    services.commitment_update_progress(
        commitment=commitment, author=cast.official, status="in_progress", note="Bezig."
    )
    client.force_login(cast.manager)
    client.get(commitment.get_absolute_url())
    with CaptureQueriesContext(connection) as captured:
        body = client.get(commitment.get_absolute_url()).content.decode()
    tables = " ".join(q["sql"] for q in captured.captured_queries)
    assert "Bezig." in body
    assert "commitments_progressupdate" not in tables
    assert "commitments_historicalcommitment" not in tables


def test_a_deadline_change_request_shows_on_the_timeline_at_once(client, cast, today):
    commitment = CommitmentFactory(team=cast.team, due_date=datetime.date(2025, 12, 1))
    client.force_login(cast.manager)
    url = commitment.get_absolute_url()
    client.get(url)
    services.deadline_change_request(
        commitment=commitment,
        requested_by=cast.official,
        new_due_date=datetime.date(2026, 3, 1),
        reason="Wachten op het WODC-rapport.",
    )
    assert "Wachten op het WODC-rapport." in client.get(url).content.decode()


# --- the list's count ----------------------------------------------------------------------


def listed_count(client, query="") -> int:
    return client.get("/commitments/" + query).context["page"].paginator.count


def test_the_lists_count_follows_a_new_commitment_at_once(client, cast, today):
    first = CommitmentFactory(team=cast.team)
    client.force_login(cast.staff)
    assert listed_count(client) == 1
    assert listed_count(client, "?page=1&sort=status") == 1  # the same count, kept
    services.commitment_create(
        author=cast.official,
        reference="TZ-NIEUW",
        text="De minister zal de Kamer informeren.",
        made_by=first.made_by,
        debate=first.debate,
        made_on=first.debate.date,
        deadline_wording="voor de zomer",
        team=cast.team,
        due_date=datetime.date(2026, 7, 1),
    )
    assert listed_count(client) == 2


def test_the_lists_count_is_kept_per_reader(client, cast, today):
    CommitmentFactory(team=cast.team)
    CommitmentFactory(team=cast.other_team)
    client.force_login(cast.staff)
    assert listed_count(client) == 2
    client.force_login(cast.official)
    assert listed_count(client) == 1
    client.force_login(cast.outsider)
    assert listed_count(client) == 1


def test_the_lists_count_follows_a_status_change(client, cast, today):
    commitment = CommitmentFactory(team=cast.team)
    client.force_login(cast.official)
    assert listed_count(client, "?status=open") == 1
    services.commitment_update_progress(
        commitment=commitment, author=cast.official, status="in_progress", note="Bezig."
    )
    assert listed_count(client, "?status=open") == 0


def count_queries(client, query="") -> tuple[int, int]:
    """The count the list shows, and how many times the page counted an official's filtered
    commitments for it (the unfiltered count of all is the search's estimate on SQLite)."""
    with CaptureQueriesContext(connection) as captured:
        count = listed_count(client, query)
    counting = 'SELECT COUNT(*) AS "__count" FROM "commitments_commitment" WHERE'
    return count, sum(q["sql"].startswith(counting) for q in captured.captured_queries)


def test_a_progress_note_that_keeps_the_status_keeps_the_lists_count(client, cast, today):
    commitment = CommitmentFactory(team=cast.team, status="in_progress")
    client.force_login(cast.official)
    assert count_queries(client, "?status=in_progress") == (1, 1)
    services.commitment_update_progress(
        commitment=commitment, author=cast.official, status="in_progress", note="Nog bezig."
    )
    commitment.refresh_from_db()
    assert commitment.version == 2  # the note did claim the commitment
    assert count_queries(client, "?status=in_progress") == (1, 0)


def test_an_edit_of_what_the_search_reads_is_counted_at_once(client, cast, today):
    commitment = CommitmentFactory(team=cast.team, text="De minister zal de Kamer informeren.")
    client.force_login(cast.official)
    assert count_queries(client, "?q=kinderpornografie") == (0, 1)
    services.commitment_update(
        commitment=commitment,
        author=cast.official,
        expected_version=commitment.version,
        text="De minister zal de Kamer informeren over kinderpornografie.",
    )
    assert count_queries(client, "?q=kinderpornografie") == (1, 1)


def test_a_new_team_of_a_commitment_is_counted_at_once(client, cast, today):
    commitment = CommitmentFactory(team=None)
    client.force_login(cast.official)
    assert listed_count(client) == 0
    services.commitment_assign_team(
        commitment=commitment, author=cast.staff, team=cast.team, expected_version=1
    )
    assert listed_count(client) == 1


def listed_references(client, query="") -> list[str]:
    return [row["reference"] for row in client.get("/commitments/" + query).context["page"]]


def page_id_queries(client, query="") -> tuple[list[str], int]:
    """The references a list page shows, and how many queries read its ids in its order (the
    rows themselves are then read by id)."""
    with CaptureQueriesContext(connection) as captured:
        references = listed_references(client, query)
    ordered = [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].startswith('SELECT "commitments_commitment"."id" AS "pk"')
        or "ORDER BY" in q["sql"]
        and 'FROM "commitments_commitment"' in q["sql"]
        and "IN (" not in q["sql"].split("WHERE", 1)[-1][:60]
    ]
    return references, len(ordered)


def test_a_lists_page_is_read_in_order_once_and_then_only_by_id(client, cast, today):
    for number in range(3):
        CommitmentFactory(team=cast.team, reference=f"TZ-{number}")
    client.force_login(cast.official)
    first, ordered = page_id_queries(client, "?sort=reference")
    assert first == ["TZ-0", "TZ-1", "TZ-2"] and ordered >= 1
    assert page_id_queries(client, "?sort=reference") == (first, 0)


def test_each_page_of_a_filter_keeps_its_own_ids(client, cast, today):
    for number in range(30):
        CommitmentFactory(team=cast.team, reference=f"TZ-{number:02}")
    client.force_login(cast.official)
    page_1 = listed_references(client, "?sort=reference&per_page=25")
    page_2 = listed_references(client, "?sort=reference&per_page=25&page=2")
    assert page_1 == [f"TZ-{n:02}" for n in range(25)]
    assert page_2 == [f"TZ-{n:02}" for n in range(25, 30)]
    assert listed_references(client, "?sort=reference&per_page=25&page=2") == page_2
    assert listed_references(client, "?sort=reference&per_page=100")[25:] == page_2


def test_a_searchs_kept_pages_keep_each_order_apart(client, cast, today):
    # A search pages by number whatever its order: the order is still part of the page's key.
    for number in range(3):
        CommitmentFactory(
            team=cast.team,
            reference=f"TZ-{number}",
            text="Over de liaison.",
            due_date=datetime.date(2026, 3, 3 - number),
        )
    client.force_login(cast.official)
    assert listed_references(client, "?q=liaison&sort=reference") == ["TZ-0", "TZ-1", "TZ-2"]
    assert listed_references(client, "?q=liaison") == ["TZ-2", "TZ-1", "TZ-0"]
    assert listed_references(client, "?q=liaison&sort=reference") == ["TZ-0", "TZ-1", "TZ-2"]


def test_a_kept_page_follows_an_edit_of_its_order_at_once(client, cast, today):
    moved = CommitmentFactory(team=cast.team, reference="TZ-A")
    CommitmentFactory(team=cast.team, reference="TZ-B")
    client.force_login(cast.official)
    assert listed_references(client, "?sort=reference") == ["TZ-A", "TZ-B"]
    services.commitment_update(
        commitment=moved, author=cast.official, expected_version=moved.version, reference="TZ-C"
    )
    assert listed_references(client, "?sort=reference") == ["TZ-B", "TZ-C"]


def test_a_kept_page_follows_a_status_change_at_once(client, cast, today):
    leaving = CommitmentFactory(team=cast.team, reference="TZ-A", status="open")
    CommitmentFactory(team=cast.team, reference="TZ-B", status="open")
    client.force_login(cast.official)
    assert listed_references(client, "?status=open&sort=reference") == ["TZ-A", "TZ-B"]
    services.commitment_update_progress(
        commitment=leaving, author=cast.official, status="in_progress", note="Bezig."
    )
    assert listed_references(client, "?status=open&sort=reference") == ["TZ-B"]


def test_a_kept_page_is_kept_per_reader(client, cast, today):
    CommitmentFactory(team=cast.team, reference="TZ-OWN")
    CommitmentFactory(team=cast.other_team, reference="TZ-OTHER")
    client.force_login(cast.staff)
    assert listed_references(client, "?sort=reference") == ["TZ-OTHER", "TZ-OWN"]
    client.force_login(cast.official)
    assert listed_references(client, "?sort=reference") == ["TZ-OWN"]


def test_a_progress_note_that_keeps_the_status_keeps_the_page(client, cast, today):
    commitment = CommitmentFactory(team=cast.team, reference="TZ-A", status="in_progress")
    client.force_login(cast.official)
    assert page_id_queries(client, "?status=in_progress")[0] == ["TZ-A"]
    services.commitment_update_progress(
        commitment=commitment, author=cast.official, status="in_progress", note="Nog bezig."
    )
    assert page_id_queries(client, "?status=in_progress") == (["TZ-A"], 0)


# --- the list's filter panel ----------------------------------------------------------------

LIST = "/commitments/"


def _panel(response) -> str:
    body = response.content.decode()
    return body[body.index('<aside class="commitment-list-filters"') : body.index("</aside>")]


@pytest.fixture
def kept_panels(settings):
    from django.core.cache import cache

    settings.FILTER_CHOICES_CACHE_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


def test_the_kept_filter_panel_shows_each_filter_as_asked(client, cast, kept_panels):
    CommitmentFactory(team=cast.team)
    client.force_login(cast.staff)
    first = _panel(client.get(LIST, {"status": "open", "q": "brief"}))
    assert 'value="open" id="id_status_0" checked' in first
    assert 'value="brief"' in first
    from django.core.cache import cache

    kept = [key for key in cache._cache if "commitment_filter_panel" in key]  # locmem's keys
    assert len(kept) == 1
    # Another page of the same filter is served the same kept panel.
    again = _panel(client.get(LIST, {"status": "open", "q": "brief", "page": "2"}))
    assert again == first
    assert [key for key in cache._cache if "commitment_filter_panel" in key] == kept
    other = _panel(client.get(LIST, {"status": "fulfilled"}))
    assert 'value="open" id="id_status_0" checked' not in other
    assert 'value="brief"' not in other


def test_the_kept_filter_panel_is_the_same_for_every_reader_and_per_language(
    client, cast, kept_panels
):
    client.force_login(cast.staff)
    for_staff = _panel(client.get(LIST, {"overdue": "1"}))
    client.force_login(cast.official)
    assert _panel(client.get(LIST, {"overdue": "1"})) == for_staff
    client.cookies["django_language"] = "en"
    in_english = _panel(client.get(LIST, {"overdue": "1"}, HTTP_ACCEPT_LANGUAGE="en"))
    assert "Only overdue" in in_english and "Only overdue" not in for_staff


def test_a_filter_with_errors_is_never_kept(client, cast, kept_panels):
    client.force_login(cast.staff)
    refused = _panel(client.get(LIST, {"due_within": "-3"}))
    assert "form-errors" in refused
    assert "form-errors" not in _panel(client.get(LIST, {"due_within": "3"}))
    assert "form-errors" in _panel(client.get(LIST, {"due_within": "-3"}))


def test_a_new_team_reaches_the_panel_when_its_options_are_renewed(client, cast, kept_panels):
    from django.core.cache import cache

    from commitments.filters import FILTER_OPTIONS_TOKEN_KEY

    client.force_login(cast.staff)
    assert "Team Nieuw" not in _panel(client.get(LIST))
    TeamFactory(name="Team Nieuw")
    # The options' token expires (FILTER_CHOICES_CACHE_SECONDS); the panel kept under it goes
    # too.
    cache.delete(FILTER_OPTIONS_TOKEN_KEY)
    assert "Team Nieuw" in _panel(client.get(LIST))


def _options_read(monkeypatch) -> list[str]:
    """The keys of kept options the list reads from the cache, from now on."""
    from django.core.cache import cache

    from commitments import filters

    read = []
    real_get = cache.get

    def get(key, *args, **kwargs):
        if key.startswith(filters.FILTER_OPTIONS_CACHE_KEY + ":"):
            read.append(key)
        return real_get(key, *args, **kwargs)

    monkeypatch.setattr(cache, "get", get)
    return read


def test_a_kept_panel_is_shown_without_reading_the_options(client, cast, kept_panels, monkeypatch):
    TeamFactory(name="Team Opties")
    client.force_login(cast.staff)
    read = _options_read(monkeypatch)
    first = _panel(client.get(LIST, {"overdue": "1"}))
    assert "Team Opties" in first and len(read) == 1
    again = _panel(client.get(LIST, {"overdue": "1", "page": "2"}))
    assert again == first and len(read) == 1  # the kept panel holds them already


def test_options_let_go_before_their_token_are_rendered_again(client, cast, kept_panels):
    from django.core.cache import cache

    from commitments import filters

    TeamFactory(name="Team Opties")
    client.force_login(cast.staff)
    assert "Team Opties" in _panel(client.get(LIST))
    token = cache.get(filters.FILTER_OPTIONS_TOKEN_KEY)
    cache.delete(f"{filters.FILTER_OPTIONS_CACHE_KEY}:{token}")
    assert "Team Opties" in _panel(client.get(LIST, {"overdue": "1"}))  # a panel not kept yet
    assert cache.get(f"{filters.FILTER_OPTIONS_CACHE_KEY}:{token}") is not None
