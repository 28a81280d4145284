"""Two people on one commitment: a refusal shows, field by field, what the other changed next to
what this user typed; a progress note that touches nothing the other changed goes through."""

import pytest
from django.urls import reverse

from commitments.models import Commitment, ProgressUpdate
from tests import test_browser as journeys
from tests.factories import CommitmentFactory, UserFactory
from tests.test_concurrency import edit_data

browser = journeys.browser
new_page = journeys.new_page
PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory


@pytest.fixture
def two(db, cast):
    """The official and a colleague of the same team, each with their own browser session."""
    colleague = UserFactory(username="anna", first_name="Anna", last_name="de Vries")
    cast.team.members.add(colleague)
    commitment = CommitmentFactory(
        team=cast.team, owner=cast.official, text="De minister stuurt de Kamer een brief."
    )
    return cast.official, colleague, commitment


def _client(client_class, user):
    client = client_class()
    client.force_login(user)
    return client


def test_the_refusal_shows_what_the_other_changed_beside_what_was_typed(client, two):
    official, colleague, commitment = two
    opened = edit_data(commitment, owner=official.pk)
    url = reverse("commitments:edit", args=[commitment.pk])
    saved = _client(type(client), colleague).post(
        url, {**opened, "text": "Versie van Anna.", "deadline_wording": "voor de zomer"}
    )
    assert saved.status_code == 302
    refused = _client(type(client), official).post(url, {**opened, "text": "Versie van Olga."})
    assert refused.status_code == 200
    rows = {row["change"].field: row for row in refused.context["conflict_rows"]}
    assert set(rows) == {"text", "deadline_wording"}
    text = rows["text"]
    assert (text["change"].then, text["change"].now, text["typed"]) == (
        "De minister stuurt de Kamer een brief.",
        "Versie van Anna.",
        "Versie van Olga.",
    )
    assert text["change"].by == "Anna de Vries" and text["differs"]
    body = refused.content.decode()
    assert "Wat is er veranderd sinds u het formulier opende" in body
    assert "door Anna de Vries" in body
    assert Commitment.objects.get(pk=commitment.pk).text == "Versie van Anna."


def test_a_note_after_someone_else_edited_the_text_is_not_refused(client, two):
    official, colleague, commitment = two
    opened = edit_data(commitment)
    _client(type(client), colleague).post(
        reverse("commitments:edit", args=[commitment.pk]), {**opened, "text": "Versie van Anna."}
    )
    answer = _client(type(client), official).post(
        reverse("commitments:progress", args=[commitment.pk]),
        {"status": "open", "note": "Navraag gedaan bij de directie.", "version": 1},
    )
    assert answer.status_code == 302
    stored = Commitment.objects.get(pk=commitment.pk)
    assert stored.text == "Versie van Anna."
    assert ProgressUpdate.objects.get(commitment=commitment).note == (
        "Navraag gedaan bij de directie."
    )


def test_a_note_after_someone_else_changed_the_status_is_refused(client, two):
    official, colleague, commitment = two
    url = reverse("commitments:progress", args=[commitment.pk])
    _client(type(client), colleague).post(
        url, {"status": "in_progress", "note": "Brief in concept.", "version": 1}
    )
    refused = _client(type(client), official).post(
        url, {"status": "lapsed", "note": "Vervalt, lijkt me.", "version": 1}
    )
    assert refused.status_code == 200
    [row] = [r for r in refused.context["conflict_rows"] if r["change"].field == "status"]
    assert (row["change"].then, row["change"].now, row["typed"]) == (
        "open",
        "in behandeling",
        "vervallen",
    )
    assert Commitment.objects.get(pk=commitment.pk).status == "in_progress"
    assert ProgressUpdate.objects.filter(commitment=commitment).count() == 1


def test_a_note_that_chooses_the_status_the_other_chose_goes_through(client, two):
    official, colleague, commitment = two
    url = reverse("commitments:progress", args=[commitment.pk])
    _client(type(client), colleague).post(
        url, {"status": "in_progress", "note": "Brief in concept.", "version": 1}
    )
    answer = _client(type(client), official).post(
        url, {"status": "in_progress", "note": "Ook gezien.", "version": 1}
    )
    assert answer.status_code == 302
    assert ProgressUpdate.objects.filter(commitment=commitment).count() == 2


@pytest.mark.browser
def test_in_the_browser_the_refusal_lists_the_colleagues_changes(new_page, transactional_db, cast):
    colleague = UserFactory(username="anna", first_name="Anna", last_name="de Vries")
    cast.team.members.add(colleague)
    commitment = CommitmentFactory(team=cast.team, owner=cast.official)
    url = reverse("commitments:edit", args=[commitment.pk])
    mine, theirs = new_page(), new_page()
    journeys.log_in(mine, cast.official.username, PASSWORD)
    journeys.log_in(theirs, colleague.username, PASSWORD)
    mine.goto(url)
    theirs.goto(url)
    theirs.locator("#id_deadline_wording").fill("voor het zomerreces")
    journeys.follow(theirs, theirs.locator("form button[type=submit]").last)
    mine.locator("#id_text").fill("Mijn nieuwe tekst.")
    journeys.follow(mine, mine.locator("form button[type=submit]").last)
    table = mine.locator("section.conflict table")
    row = table.locator("tbody tr").filter(has_text="voor het zomerreces")
    assert row.count() == 1
    assert "Anna de Vries" in row.inner_text()
    assert mine.locator("#id_text").input_value() == "Mijn nieuwe tekst."
    journeys.assert_accessible(mine, "edit-conflict")
