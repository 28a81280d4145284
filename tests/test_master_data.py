"""Master data without the admin: an official adds a bewindspersoon from the commitment form and
a committee from the debate form, in the same save, through the same rules and history."""

import datetime

import pytest
from django.urls import reverse

from commitments.models import Bewindspersoon, Commitment, Committee, Debate
from tests import test_browser as journeys
from tests.factories import DebateFactory, OrganisationFactory
from tests.test_pages import commitment_post_data

browser = journeys.browser
new_page = journeys.new_page
PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory

pytestmark = pytest.mark.usefixtures("test_day")


def new_person(ministry, **overrides):
    return {
        "new_person_name": "M. Verhoeven",
        "new_person_function": "staatssecretaris",
        "new_person_title": "De Staatssecretaris van Justitie en Veiligheid",
        "new_person_ministry": ministry.pk,
        "new_person_from": "2024-07-02",
        **overrides,
    }


@pytest.fixture
def debate(db):
    return DebateFactory(date=datetime.date(2025, 3, 4))


def test_an_official_adds_the_bewindspersoon_with_the_commitment(client, cast, debate):
    ministry = OrganisationFactory(name="Ministerie van Justitie en Veiligheid")
    client.force_login(cast.official)
    data = commitment_post_data(debate_holder(debate), team=cast.team.pk, made_by="")
    response = client.post(reverse("commitments:create"), {**data, **new_person(ministry)})
    assert response.status_code == 302, response.context["form"].errors
    person = Bewindspersoon.objects.get(name="M. Verhoeven")
    assert (person.function, person.ministry, person.in_office_from) == (
        "staatssecretaris",
        ministry,
        datetime.date(2024, 7, 2),
    )
    assert Commitment.objects.get(reference="TZ-2025-100").made_by == person
    assert person.history.get().history_user == cast.official


def test_a_half_filled_bewindspersoon_is_refused_at_its_fields_and_nothing_is_kept(
    client, cast, debate
):
    ministry = OrganisationFactory()
    client.force_login(cast.official)
    data = commitment_post_data(debate_holder(debate), team=cast.team.pk, made_by="")
    typed = {**data, **new_person(ministry, new_person_ministry="", new_person_title="")}
    response = client.post(reverse("commitments:create"), typed)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) >= {"new_person_ministry", "new_person_title"}
    body = response.content.decode()
    assert 'value="M. Verhoeven"' in body
    assert '<details class="new-record" open>' in body
    assert not Bewindspersoon.objects.filter(name="M. Verhoeven").exists()
    assert not Commitment.objects.filter(reference="TZ-2025-100").exists()


def test_a_new_bewindspersoon_out_of_office_that_day_keeps_nothing(client, cast, debate):
    ministry = OrganisationFactory()
    client.force_login(cast.official)
    data = commitment_post_data(debate_holder(debate), team=cast.team.pk, made_by="")
    late_start = new_person(ministry, new_person_from="2025-06-01")
    response = client.post(reverse("commitments:create"), {**data, **late_start})
    assert response.status_code == 200
    [message] = response.context["form"].errors["made_by"]
    assert (
        message
        == "M. Verhoeven was op 4 maart 2025 niet in functie (in functie vanaf 1 juni 2025)."
    )
    assert not Bewindspersoon.objects.filter(name="M. Verhoeven").exists()


def test_a_known_bewindspersoon_is_not_added_twice(client, cast, debate):
    holder = debate_holder(debate)
    client.force_login(cast.official)
    known = holder.made_by
    data = commitment_post_data(holder, team=cast.team.pk, made_by="")
    twice = new_person(known.ministry, new_person_name=known.name.upper())
    response = client.post(reverse("commitments:create"), {**data, **twice})
    assert "new_person_name" in response.context["form"].errors
    assert Bewindspersoon.objects.filter(name__iexact=known.name).count() == 1


def test_an_official_adds_the_committee_with_the_debate(client, cast):
    client.force_login(cast.official)
    response = client.post(
        reverse("commitments:debate_create"),
        {
            "kind": "commissiedebat",
            "title": "Commissiedebat Kinderhandel",
            "date": "2025-10-01",
            "chamber": "tk",
            "new_committee_name": "vaste commissie voor Justitie en Veiligheid",
            "new_committee_abbreviation": "J&V",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    committee = Committee.objects.get(abbreviation="J&V")
    assert Debate.objects.get(title="Commissiedebat Kinderhandel").committee == committee
    assert committee.history.get().history_user == cast.official


def debate_holder(debate):
    """A commitment-like record for `commitment_post_data`: the debate and a bewindspersoon."""
    from tests.factories import CommitmentFactory

    return CommitmentFactory(debate=debate, made_on=debate.date)


@pytest.mark.browser
def test_in_the_browser_the_new_bewindspersoon_is_added_from_the_form(
    new_page, transactional_db, cast
):
    ministry = OrganisationFactory(name="Ministerie van Justitie en Veiligheid")
    debate = DebateFactory(title="Commissiedebat Kinderhandel", date=datetime.date(2025, 3, 4))
    page = new_page()
    journeys.log_in(page, cast.official.username, PASSWORD)
    page.goto(reverse("commitments:create"))
    page.locator("#id_reference").fill("TZ-NIEUW-1")
    page.locator("#id_text").fill("De staatssecretaris stuurt de Kamer voor de zomer een brief.")
    page.locator("#id_made_on").fill("2025-03-04")
    page.locator("#id_debate").fill(f"Commissiedebat Kinderhandel (04-03-2025) [id {debate.pk}]")
    page.locator("#id_deadline_wording").fill("voor de zomer")
    page.locator("#id_team").select_option(str(cast.team.pk))
    page.locator(
        "summary", has_text=journeys.t("The bewindspersoon is not in the list: add them here")
    ).click()
    page.locator("#id_new_person_name").fill("M. Verhoeven")
    page.locator("#id_new_person_function").select_option("staatssecretaris")
    page.locator("#id_new_person_title").fill("De Staatssecretaris van Justitie en Veiligheid")
    page.locator("#id_new_person_ministry").select_option(str(ministry.pk))
    page.locator("#id_new_person_from").fill("2024-07-02")
    journeys.follow(page, page.locator("form button[type=submit]").last)
    commitment = Commitment.objects.get(reference="TZ-NIEUW-1")
    assert commitment.made_by.name == "M. Verhoeven"
    assert page.url.endswith(reverse("commitments:detail", args=[commitment.pk]))
