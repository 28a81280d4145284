"""No lost update: two people saving the same commitment at once."""

import threading

import pytest
from django.db import OperationalError, close_old_connections, connection
from django.urls import reverse

from commitments import services
from commitments.models import Commitment
from tests.factories import CommitmentFactory, UserFactory
from tracker.concurrency import ConcurrentUpdateError


def edit_data(commitment, **overrides):
    data = {
        "reference": commitment.reference,
        "text": commitment.text,
        "chamber": "tk",
        "made_by": commitment.made_by_id,
        "debate": f"[id {commitment.debate_id}]",
        "made_on": commitment.made_on.isoformat(),
        "team": commitment.team_id,
        "version": commitment.version,
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_second_save_gets_a_conflict_and_keeps_what_was_typed(client, cast):
    commitment = CommitmentFactory(team=cast.team, owner=cast.official)
    opened = edit_data(commitment)  # both forms were opened at version 1
    first, second = client, type(client)()
    first.force_login(cast.official)
    second.force_login(cast.admin)

    saved = first.post(
        reverse("commitments:edit", args=[commitment.pk]), {**opened, "text": "Versie van Olga."}
    )
    assert saved.status_code == 302
    conflict = second.post(
        reverse("commitments:edit", args=[commitment.pk]), {**opened, "text": "Versie van Anna."}
    )
    assert conflict.status_code == 200
    body = conflict.content.decode()
    assert "Versie van Anna." in body  # what the second person typed is still in the form
    assert [m.level_tag for m in conflict.context["messages"]] == ["error"]
    assert Commitment.objects.get(pk=commitment.pk).text == "Versie van Olga."
    # The re-shown form carries the current version: saving again is a deliberate overwrite.
    assert conflict.context["form"]["version"].value() == 2
    again = second.post(
        reverse("commitments:edit", args=[commitment.pk]),
        {**opened, "text": "Versie van Anna.", "version": 2},
    )
    assert again.status_code == 302
    assert Commitment.objects.get(pk=commitment.pk).text == "Versie van Anna."


@pytest.mark.django_db
def test_progress_form_opened_before_another_update_is_refused(client, cast):
    commitment = CommitmentFactory(team=cast.team)
    client.force_login(cast.official)
    url = reverse("commitments:progress", args=[commitment.pk])
    assert (
        client.post(url, {"status": "in_progress", "note": "Eerst.", "version": 1}).status_code
        == 302
    )
    stale = client.post(url, {"status": "lapsed", "note": "Later, maar oud.", "version": 1})
    assert stale.status_code == 200
    assert "Later, maar oud." in stale.content.decode()
    assert Commitment.objects.get(pk=commitment.pk).status == "in_progress"


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_saves_from_the_same_version_cannot_both_win():
    """Two threads, two database connections, one version: exactly one save lands."""
    commitment = CommitmentFactory()
    authors = [UserFactory(is_superuser=True), UserFactory(is_superuser=True)]
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def save(name, author):
        try:
            barrier.wait(timeout=10)
            services.commitment_update(
                commitment=Commitment.objects.get(pk=commitment.pk),
                author=author,
                expected_version=1,
                text=f"Tekst van {name}.",
            )
            outcomes[name] = "saved"
        except ConcurrentUpdateError:
            outcomes[name] = "conflict"
        except OperationalError as error:
            # SQLite has no row locks: the second writer is told the database is locked,
            # which refuses the save just as well.
            assert connection.vendor == "sqlite", error
            outcomes[name] = "conflict"
        finally:
            close_old_connections()

    threads = [
        threading.Thread(target=save, args=(name, author))
        for name, author in zip(("A", "B"), authors, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes.values()) == ["conflict", "saved"]
    winner = next(name for name, outcome in outcomes.items() if outcome == "saved")
    stored = Commitment.objects.get(pk=commitment.pk)
    assert stored.text == f"Tekst van {winner}."
    assert stored.version == 2


@pytest.mark.django_db
def test_a_refused_progress_update_registers_no_kamerstuk(client, cast):
    from commitments.models import ParliamentaryDocument

    commitment = CommitmentFactory(team=cast.team)
    client.force_login(cast.official)
    url = reverse("commitments:progress", args=[commitment.pk])
    client.post(url, {"status": "in_progress", "note": "Eerst.", "version": 1})
    stale = client.post(
        url,
        {
            "status": "fulfilled",
            "version": 1,
            "new_document_dossier": "31 015",
            "new_document_volgnummer": "170",
            "new_document_date": "2025-10-01",
            "new_document_title": "Voortgangsbrief",
        },
    )
    assert stale.status_code == 200
    assert not ParliamentaryDocument.objects.exists()
    again = client.post(
        url,
        {
            "status": "fulfilled",
            "version": 2,
            "new_document_dossier": "31 015",
            "new_document_volgnummer": "170",
            "new_document_date": "2025-10-01",
            "new_document_title": "Voortgangsbrief",
        },
    )
    assert again.status_code == 302
    assert ParliamentaryDocument.objects.get().volgnummer == 170
