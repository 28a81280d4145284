"""The interface's words: how late something is, in Dutch and in English."""

import pytest
from django.utils import translation

from tracker.durations import lateness_in_words


@pytest.mark.parametrize(
    ("days", "dutch", "english"),
    [
        (1, "1 dag te laat", "1 day overdue"),
        (13, "13 dagen te laat", "13 days overdue"),
        (14, "2 weken te laat", "2 weeks overdue"),
        (38, "ruim 5 weken te laat", "more than 5 weeks overdue"),
        (61, "ruim 2 maanden te laat", "more than 2 months overdue"),
        (364, "ruim 12 maanden te laat", "more than 12 months overdue"),
        (365, "1 jaar te laat", "1 year overdue"),
        (3412, "ruim 9 jaar te laat", "more than 9 years overdue"),
    ],
)
def test_lateness_is_told_in_words(days, dutch, english):
    with translation.override("nl"):
        assert lateness_in_words(days) == dutch
    with translation.override("en"):
        assert lateness_in_words(days) == english


def test_the_commitment_page_says_how_late_in_words(client, cast):
    import datetime

    from tests.factories import CommitmentFactory

    commitment = CommitmentFactory(
        team=cast.team, due_date=datetime.date(2016, 12, 1), made_on=datetime.date(2016, 6, 1)
    )
    client.force_login(cast.official)
    body = client.get(f"/commitments/{commitment.pk}/").content.decode()
    assert "ruim " in body and "jaar te laat" in body
    assert "dagen te laat" not in body


@pytest.mark.parametrize(
    ("signed", "mid_sentence"),
    [
        ("De Minister van Veiligheid en Justitie", "de minister van Veiligheid en Justitie"),
        ("De Staatssecretaris van Financiën", "de staatssecretaris van Financiën"),
        ("De Minister-president", "de minister-president"),
        ("Minister voor Rechtsbescherming", "minister voor Rechtsbescherming"),
        ("Staatssecretaris", "staatssecretaris"),
        ("Ambassadeur", "Ambassadeur"),
    ],
)
def test_a_title_reads_in_lower_case_mid_sentence(signed, mid_sentence):
    from tracker.templatetags.tracker_ui import mid_sentence as filter_

    assert filter_(signed) == mid_sentence


def test_the_commitment_page_names_the_minister_in_lower_case(client, cast):
    from tests.factories import CommitmentFactory

    commitment = CommitmentFactory(team=cast.team)
    commitment.made_by.title = "De Minister van Veiligheid en Justitie"
    commitment.made_by.save()
    client.force_login(cast.official)
    body = client.get(f"/commitments/{commitment.pk}/").content.decode()
    assert f"{commitment.made_by.name}, de minister van Veiligheid en Justitie" in body


@pytest.mark.parametrize(
    "url", ["/commitments/new/", "/debates/new/", "/documents/new/", "/letters/new/"]
)
def test_empty_choices_say_what_they_mean(client, cast, url):
    client.force_login(cast.official)
    body = client.get(url).content.decode()
    assert "---------" not in body
    assert "Kies …" in body or ">Geen<" in body
