"""Picking records without Ctrl-click: lookup boxes for Kamerstukken and debates, checkboxes
with a filter for addressees, activities and a letter's commitments; all of it also without
JavaScript.

The lookup box takes what a person types: a dossier and volgnummer, part of a title, or a
suggestion picked from the list (which ends in the record's id). Text that fits several
records is refused with those records to pick from.
"""

import datetime
import json

import pytest
from django.urls import reverse

from commitments.forms import CommitmentForm, ProgressForm
from commitments.lookups import document_label
from commitments.models import Commitment, ProgressUpdate
from tests import test_browser as journeys
from tests.factories import (
    ActivityFactory,
    CommitmentFactory,
    DebateFactory,
    DocumentFactory,
    FollowUpLetterFactory,
)

browser = journeys.browser
new_page = journeys.new_page
PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory


def progress_form(commitment, **data):
    return ProgressForm({"version": commitment.version, **data}, commitment=commitment)


# --- the lookup box, typed ----------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["31015-212", "31 015, nr. 212", "kst-31015-212", "31015 nr 212"])
def test_a_kamerstuk_is_found_by_its_dossier_and_volgnummer(commitment, typed):
    DocumentFactory(volgnummer=211)
    wanted = DocumentFactory(volgnummer=212)
    form = progress_form(commitment, status="in_progress", evidence_document=typed)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["evidence_document"] == wanted


def test_a_picked_suggestion_finds_exactly_its_record(commitment):
    # Two documents of the same title: the id in the suggestion tells them apart.
    DocumentFactory(title="Voortgangsbrief kindersekstoerisme")
    second = DocumentFactory(title="Voortgangsbrief kindersekstoerisme")
    form = progress_form(commitment, status="in_progress", evidence_document=document_label(second))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["evidence_document"] == second


def test_text_that_fits_several_offers_them_and_keeps_what_was_typed(commitment):
    documents = [DocumentFactory(title=f"Brief barrièremodel {n}") for n in range(3)]
    DocumentFactory(title="Iets anders")
    form = progress_form(commitment, status="in_progress", evidence_document="barrièremodel")
    assert not form.is_valid()
    assert form.errors["evidence_document"] == [
        "Meer dan één past bij “barrièremodel”: kies er een uit de lijst."
    ]
    html = str(form["evidence_document"])
    assert 'value="barrièremodel"' in html
    for document in documents:
        assert f'<option value="{document_label(document)}">' in html
    assert "Iets anders" not in html


def test_text_that_fits_nothing_says_so(commitment):
    form = progress_form(commitment, status="in_progress", evidence_document="geen zulke brief")
    assert not form.is_valid()
    assert "Niets past bij “geen zulke brief”" in form.errors["evidence_document"][0]


def test_the_suggestions_address_answers_officials_only(client, cast):
    DocumentFactory(title="Voortgangsbrief Interpol Green Notices")
    DocumentFactory(title="Iets anders")
    url = reverse("commitments:lookup", args=["documents"])
    assert client.get(url, {"q": "green"}).status_code == 302  # to the login page
    client.force_login(cast.official)
    results = json.loads(client.get(url, {"q": "green"}).content)["results"]
    assert len(results) == 1 and results[0].startswith("Kamerstuk 31 015, nr. ")
    assert "Voortgangsbrief Interpol Green Notices" in results[0]
    assert json.loads(client.get(url, {"q": "g"}).content)["results"] == []
    assert client.get(reverse("commitments:lookup", args=["nothing"])).status_code == 404


def test_the_commitment_form_lists_no_debates_nor_kamerstukken(cast):
    debates = [DebateFactory() for _ in range(30)]
    DocumentFactory.create_batch(30)
    form = CommitmentForm(user=cast.official)
    html = str(form["debate"]) + str(form["source_document"])
    assert html.count("<option") == 0
    assert 'data-lookup="/lookup/debates/"' in html
    # An existing commitment shows its debate in the box.
    commitment = CommitmentFactory(team=cast.team, debate=debates[4])
    form = CommitmentForm(instance=commitment, user=cast.official)
    assert f"{debates[4].title} (02-07-2025) [id {debates[4].pk}]" in str(form["debate"])


def test_many_are_picked_with_checkboxes(cast):
    activities = ActivityFactory.create_batch(3)
    html = str(CommitmentForm(user=cast.official)["activities"])
    assert "<select" not in html
    assert html.count('type="checkbox" name="activities"') == 3
    assert 'class="pick-many__filter" hidden' in html
    for activity in activities:
        assert f'value="{activity.pk}"' in html


# --- in the browser ----------------------------------------------------------------------------


@pytest.fixture
def evidence(browser, transactional_db, cast):
    commitment = CommitmentFactory(team=cast.team, owner=cast.official, reference="TZ-PICK-1")
    wanted = DocumentFactory(
        title="Voortgangsbrief Interpol Green Notices", date=datetime.date(2025, 10, 1)
    )
    DocumentFactory(title="Voortgangsbrief barrièremodel")
    DocumentFactory(title="Voortgangsbrief toolkit")
    return commitment, wanted


def _record_progress(page, commitment, typed: str, *, pick: bool):
    page.goto(reverse("commitments:progress", args=[commitment.pk]))
    box = page.locator("#id_evidence_document")
    box.fill(typed)
    if pick:
        # The script fills the list from the lookup address while the person types.
        options = page.locator("#id_evidence_document-options option")
        options.first.wait_for(state="attached")
        assert options.count() == 1
        box.fill(options.first.get_attribute("value"))
    page.locator("#id_note").fill("Brief verstuurd.")
    journeys.follow(page, page.locator("form button[type=submit]").last)


@pytest.mark.browser
def test_an_official_picks_the_kamerstuk_from_the_suggestions(new_page, cast, evidence):
    commitment, wanted = evidence
    page = new_page()
    journeys.log_in(page, cast.official.username, PASSWORD)
    _record_progress(page, commitment, "green not", pick=True)
    assert page.url.endswith(reverse("commitments:detail", args=[commitment.pk]))
    update = ProgressUpdate.objects.get(commitment=commitment)
    assert update.evidence_document == wanted


@pytest.mark.browser
def test_without_javascript_typed_text_that_fits_one_is_taken(new_page, cast, evidence):
    commitment, wanted = evidence
    page = new_page(javascript=False)
    journeys.log_in(page, cast.official.username, PASSWORD)
    _record_progress(page, commitment, "Voortgangsbrief", pick=False)
    # Three fit: the form comes back with them to pick from and the note kept.
    assert page.locator("#id_note").input_value() == "Brief verstuurd."
    assert page.locator("#id_evidence_document-options option").count() == 3
    _record_progress(page, commitment, f"{wanted.dossier_number}-{wanted.volgnummer}", pick=False)
    assert ProgressUpdate.objects.get(commitment=commitment).evidence_document == wanted


@pytest.mark.browser
def test_a_letters_commitments_are_filtered_and_ticked(new_page, cast):
    wanted = CommitmentFactory(team=cast.team, text="De minister zendt de toolkit aan de Kamer.")
    for n in range(12):
        CommitmentFactory(team=cast.team, text=f"De minister informeert over onderwerp {n}.")
    letter = FollowUpLetterFactory(team=cast.team, drafter=cast.official)
    page = new_page()
    journeys.log_in(page, cast.official.username, PASSWORD)
    page.goto(reverse("commitments:letter_edit", args=[letter.pk]))
    box = page.locator("#id_commitments")
    box.locator(".pick-many__filter").fill("toolkit")
    visible = box.locator(".pick-many__options li:visible")
    assert visible.count() == 1
    visible.first.locator("input").check()
    box.locator(".pick-many__filter").fill("")
    assert box.locator(".pick-many__options li:visible").count() == 13
    journeys.follow(page, page.locator("form button[type=submit]").last)
    assert list(letter.commitments.all()) == [Commitment.objects.get(pk=wanted.pk)]


def test_the_lookup_ignores_accents_and_case_like_every_search(commitment):
    wanted = DocumentFactory(title="Evaluatie van het Barrièremodel")
    DocumentFactory(title="Iets anders")
    form = progress_form(commitment, status="in_progress", evidence_document="barrieremodel")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["evidence_document"] == wanted
