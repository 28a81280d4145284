"""Nobody's work is overwritten: not by a data load, not by a colleague's older form.

- shipped data is loaded once per database and the load is recorded; a later load applies
  only what nobody changed, and refuses, naming record, field and person, when it would
  overwrite somebody's change;
- every write made by the system is in the history with a named system actor;
- no bulk update of domain records passes the history;
- every record people share carries a version: the second of two saves from the same version
  is refused and the form keeps what was typed;
- recording a letter as sent is idempotent.
"""

import datetime
import threading

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError, connection
from django.urls import reverse

from actionlines.models import Activity, Plan, Team
from commitments import services
from commitments.models import (
    Bewindspersoon,
    Commitment,
    Debate,
    FollowUpLetter,
    ParliamentaryDocument,
    ProgressUpdate,
)
from tests.factories import (
    CommitmentFactory,
    DebateFactory,
    DocumentFactory,
    FollowUpLetterFactory,
    UserFactory,
)
from tracker.actors import is_system_actor, system_actor
from tracker.audit import BypassesHistory, record_save
from tracker.concurrency import ConcurrentUpdateError
from tracker.models import DataLoad

pytestmark = pytest.mark.django_db
PLAN = "Plan van aanpak bestrijding kindersekstoerisme 2016"
DOMAIN_APPS = ("actionlines", "commitments", "tracker")


def domain_tables():
    """Every row of every table of the tracker's own apps, history included."""
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for label in DOMAIN_APPS
        for model in apps.get_app_config(label).get_models()
    }


# --- loads of shipped data --------------------------------------------------------------------
def test_the_fixture_load_is_recorded_and_written_by_the_data_load_actor(plan_2016):
    load = DataLoad.objects.get(source="fixture:plan_2016")
    assert (load.created, load.updated, load.unchanged) == (39, 0, 0)
    assert load.actor == system_actor("fixture")
    for commitment in Commitment.objects.all():
        first = commitment.history.earliest("history_date")
        assert first.history_type == "+"
        assert first.history_user == load.actor
        assert first.history_change_reason == "fixture:plan_2016"
    assert Plan.objects.get(title=PLAN).history.get().history_user == load.actor


def test_loading_an_unchanged_fixture_again_changes_nothing(plan_2016):
    before = {label: rows for label, rows in domain_tables().items() if label != "tracker.DataLoad"}
    call_command("loaddata", "plan_2016", verbosity=0)
    after = {label: rows for label, rows in domain_tables().items() if label != "tracker.DataLoad"}
    assert after.pop("tracker.SourceRecord") != []
    before.pop("tracker.SourceRecord")
    assert after == before
    second = DataLoad.objects.filter(source="fixture:plan_2016").order_by("-pk").first()
    assert (second.created, second.updated, second.unchanged) == (0, 0, 39)


def test_a_load_over_a_persons_change_is_refused_and_says_why(plan_2016, cast):
    services.commitment_update_progress(
        commitment=Commitment.objects.get(reference="KST-2016-03"),
        author=cast.admin,
        status="in_progress",
        note="Bezig.",
    )
    before = domain_tables()

    with pytest.raises(CommandError) as refused:
        call_command("loaddata", "plan_2016", verbosity=0)

    message = str(refused.value)
    assert "«KST-2016-03» [status]" in message
    assert cast.admin.get_full_name() in message
    assert "Nothing was changed" in message
    assert domain_tables() == before
    assert Commitment.objects.get(reference="KST-2016-03").status == "in_progress"


def test_a_load_after_a_rename_is_refused_instead_of_copying(plan_2016, cast):
    plan = Plan.objects.get(title=PLAN)
    plan.title = "Plan tegen kindersekstoerisme (2016)"
    record_save(actor=cast.admin, record=plan, expected_version=plan.version)
    before = domain_tables()

    with pytest.raises(CommandError) as refused:
        call_command("loaddata", "plan_2016", verbosity=0)

    assert "renamed since the load to «Plan tegen kindersekstoerisme (2016)»" in str(refused.value)
    assert domain_tables() == before
    assert Plan.objects.filter(title__contains="2016").count() == 1


def test_records_nobody_changed_follow_a_newer_fixture(plan_2016, tmp_path, settings):
    import json
    from pathlib import Path

    entries = json.loads(Path(settings.FIXTURE_DIRS[0], "plan_2016.json").read_text())
    for entry in entries:
        if entry["fields"].get("reference") == "KST-2016-05":
            entry["fields"]["deadline_wording"] = "in de voortgangsbrief van 2017"
    newer = tmp_path / "plan_2016.json"
    newer.write_text(json.dumps(entries))

    call_command("loaddata", str(newer), verbosity=0)

    commitment = Commitment.objects.get(reference="KST-2016-05")
    assert commitment.deadline_wording == "in de voortgangsbrief van 2017"
    latest = commitment.history.latest("history_date")
    assert latest.history_user == system_actor("fixture")
    assert latest.prev_record.deadline_wording != latest.deadline_wording


def test_make_run_twice_keeps_one_plan_and_everyones_changes(cast):
    call_command("load_plan", verbosity=0)
    call_command("setup_demo", verbosity=0)
    official = UserFactory(username="official")
    commitment = Commitment.objects.get(reference="KST-2016-03")
    services.commitment_update(
        commitment=commitment,
        author=official,
        expected_version=commitment.version,
        text="Tekst van de ambtenaar.",
    )
    plan = Plan.objects.get(title=PLAN)
    plan.title = "Hernoemd plan"
    record_save(actor=cast.admin, record=plan, expected_version=plan.version)

    call_command("load_plan", verbosity=0)
    call_command("setup_demo", verbosity=0)

    assert Plan.objects.filter(title__in=[PLAN, "Hernoemd plan"]).count() == 1
    assert Activity.objects.filter(plan__title="Hernoemd plan").count() == 6
    assert Commitment.objects.get(reference="KST-2016-03").text == "Tekst van de ambtenaar."


def test_the_demo_setup_is_in_the_history_as_its_own_actor(client, cast):
    call_command("load_plan", verbosity=0)
    call_command("setup_demo", verbosity=0)
    demo = system_actor("demo")
    commitment = Commitment.objects.get(reference="KST-2016-03")
    assignment = commitment.history.latest("history_date")
    assert assignment.history_user == demo
    assert assignment.team is not None and assignment.prev_record.team is None
    team = Team.objects.get(name="Demoteam Kindersekstoerisme")
    assert team.history.filter(history_user=demo).exists()

    # setup_demo gave the demo admin (the cast's admin) a new password: log in afresh.
    cast.admin.refresh_from_db()
    client.force_login(cast.admin)
    page = client.get(reverse("commitments:detail", args=[commitment.pk])).content.decode()
    assert "systeem: demo-opzet" in page
    assert "systeem: gegevenslading" in page


def test_system_actors_cannot_log_in_and_no_form_can_make_one(client, plan_2016):
    actor = system_actor("fixture")
    assert is_system_actor(actor)
    assert not actor.is_active and not actor.has_usable_password()
    impostor = UserFactory(username="system:fixture-not-really")
    assert not is_system_actor(impostor)  # active users are people
    from django.contrib.auth.forms import UserCreationForm

    form = UserCreationForm(
        {"username": "system:register-sync", "password1": "x9!Kq2#pLm", "password2": "x9!Kq2#pLm"}
    )
    assert not form.is_valid() and "username" in form.errors


# --- no bulk update past the history ------------------------------------------------------------
@pytest.mark.parametrize(
    "model, field, value",
    [
        (Commitment, "text", "Overschreven."),
        (FollowUpLetter, "title", "Overschreven"),
        (ParliamentaryDocument, "title", "Overschreven"),
        (Debate, "title", "Overschreven"),
        (Activity, "progress", 99),
        (Plan, "summary", "Overschreven"),
        (Team, "name", "Overschreven"),
        (Bewindspersoon, "name", "Overschreven"),
    ],
)
def test_a_bulk_update_of_domain_records_is_refused(plan_2016, cast, model, field, value):
    before = list(model.objects.order_by("pk").values())
    with pytest.raises(BypassesHistory):
        model.objects.all().update(**{field: value})
    assert list(model.objects.order_by("pk").values()) == before


# --- the version check on every shared record ------------------------------------------------
def _two_saves(client, url, first, second):
    """Open the form twice at the same version, save both; return the second response."""
    page = client.get(url)
    version = page.context["form"]["version"].value()
    assert client.post(url, {**first, "version": version}).status_code == 302
    return client.post(url, {**second, "version": version})


def test_a_letter_saved_from_a_stale_form_is_refused_and_keeps_the_input(client, cast):
    commitment = CommitmentFactory(team=cast.team, owner=cast.official)
    letter = FollowUpLetterFactory(team=cast.team, drafter=cast.official, commitments=[commitment])
    client.force_login(cast.official)
    data = {
        "planned_date": "2026-03-01",
        "drafter": cast.official.pk,
        "team": cast.team.pk,
        "commitments": [commitment.pk],
    }
    response = _two_saves(
        client,
        reverse("commitments:letter_edit", args=[letter.pk]),
        {**data, "title": "Voortgangsbrief voorjaar"},
        {**data, "title": "Voortgangsbrief zomer (mijn versie)"},
    )
    assert response.status_code == 200
    assert "Voortgangsbrief zomer (mijn versie)" in response.content.decode()
    letter.refresh_from_db()
    assert letter.title == "Voortgangsbrief voorjaar"
    assert list(letter.commitments.all()) == [commitment]


@pytest.mark.parametrize("kind", ["document", "debate"])
def test_a_document_or_debate_saved_from_a_stale_form_is_refused(client, cast, kind):
    if kind == "document":
        record = DocumentFactory()
        data = {
            "chamber": "tk",
            "dossier_number": "31 015",
            "volgnummer": record.volgnummer,
            "date": "2025-09-01",
            "kind": "kamerbrief",
        }
    else:
        record = DebateFactory()
        data = {"kind": "commissiedebat", "date": "2025-07-02", "chamber": "tk"}
    client.force_login(cast.official)
    response = _two_saves(
        client,
        reverse(f"commitments:{kind}_edit", args=[record.pk]),
        {**data, "title": "Eerste titel"},
        {**data, "title": "Tweede titel, van de collega"},
    )
    assert response.status_code == 200
    assert "Tweede titel, van de collega" in response.content.decode()
    record.refresh_from_db()
    assert record.title == "Eerste titel"


@pytest.mark.parametrize("model_name", ["plan", "bewindspersoon"])
def test_an_admin_save_from_a_stale_page_is_refused_and_keeps_the_input(
    client, cast, plan_2016, model_name
):
    from django.contrib.admin.helpers import AdminForm

    record = Plan.objects.get(title=PLAN) if model_name == "plan" else Bewindspersoon.objects.get()
    app = record._meta.app_label
    url = reverse(f"admin:{app}_{model_name}_change", args=[record.pk])
    client.force_login(cast.admin)
    adminform: AdminForm = client.get(url).context["adminform"]
    form = adminform.form
    values = ((name, form[name].value()) for name in form.fields)
    data = {
        name: value.isoformat() if hasattr(value, "isoformat") else value
        for name, value in values
        if value is not None
    }
    # The inlines of the plan page (its action lines) come along unchanged.
    for formset in client.get(url).context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        for inline_form in formset.formset.forms:
            for name in inline_form.fields:
                value = inline_form[name].value()
                if value is not None:
                    data[inline_form.add_prefix(name)] = value
    name_field = "title" if model_name == "plan" else "name"
    first = client.post(url, {**data, name_field: "Eerste wijziging"})
    assert first.status_code == 302, first.context["adminform"].form.errors
    second = client.post(url, {**data, name_field: "Tweede wijziging van een collega"})
    assert second.status_code == 200
    assert "Tweede wijziging van een collega" in second.content.decode()
    assert "Somebody else saved this record" in second.content.decode() or (
        "heeft dit" in second.content.decode()
    )
    record.refresh_from_db()
    assert getattr(record, name_field) == "Eerste wijziging"


# --- recording a letter as sent, once --------------------------------------------------------
def _letter_with_two_commitments(cast):
    commitments = [CommitmentFactory(team=cast.team) for _ in range(2)]
    letter = FollowUpLetterFactory(team=cast.team, drafter=cast.official, commitments=commitments)
    return letter, commitments


def test_a_second_submit_of_record_as_sent_changes_nothing(client, cast):
    letter, commitments = _letter_with_two_commitments(cast)
    document = DocumentFactory()
    client.force_login(cast.official)
    url = reverse("commitments:letter_sent", args=[letter.pk])
    data = {"document": f"[id {document.pk}]", "version": letter.version}
    data.update({f"outcome_{c.pk}": "fulfilled" for c in commitments})
    assert client.post(url, data).status_code == 302
    before = domain_tables()
    again = client.post(url, data, follow=True)
    assert again.status_code == 200
    assert "al als verzonden vastgelegd" in again.content.decode() or (
        "recorded as sent already" in again.content.decode()
    )
    assert domain_tables() == before
    assert ProgressUpdate.objects.filter(commitment__in=commitments).count() == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_submits_of_record_as_sent_record_the_letter_once():
    """Five races of two simultaneous submits, each on its own letter and connection."""
    author = UserFactory(is_superuser=True)
    outcomes = []
    for race in range(5):
        commitments = [CommitmentFactory() for _ in range(2)]
        letter = FollowUpLetterFactory(commitments=commitments, title=f"Brief {race}")
        document = DocumentFactory()
        barrier = threading.Barrier(2)
        results = []

        def submit(
            letter=letter,
            document=document,
            commitments=commitments,
            barrier=barrier,
            results=results,
        ):
            try:
                barrier.wait(timeout=10)
                services.follow_up_letter_record_sent(
                    letter=FollowUpLetter.objects.get(pk=letter.pk),
                    author=author,
                    document=document,
                    outcomes={c.pk: "fulfilled" for c in commitments},
                    expected_version=letter.version,
                )
                results.append("recorded")
            except services.LetterAlreadySent:
                results.append("already sent")
            except Exception as error:  # the loser of a race on the version claim or the lock
                assert isinstance(error, ConcurrentUpdateError | OperationalError), error
                if isinstance(error, OperationalError):
                    assert connection.vendor == "sqlite", error
                results.append("refused")
            finally:
                # Each thread has its own connection; close it so the test database can go.
                connection.close()

        threads = [threading.Thread(target=submit) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        outcomes.append(sorted(results))
        # PostgreSQL serialises the two on the letter's row lock, SQLite on its write lock
        # (taken when a transaction begins): one records, the other is told the letter is sent.
        assert results.count("recorded") == 1, results
        recorded = results.count("recorded")
        assert ProgressUpdate.objects.filter(commitment__in=commitments).count() == 2 * recorded
        sent_rows = FollowUpLetter.history.filter(id=letter.pk, status="sent").count()
        assert sent_rows == recorded
    assert len(outcomes) == 5


def test_the_service_refuses_to_record_a_sent_letter_again(cast):
    letter, commitments = _letter_with_two_commitments(cast)
    services.follow_up_letter_record_sent(
        letter=letter,
        author=cast.official,
        document=DocumentFactory(date=datetime.date(2025, 10, 1)),
        outcomes={commitments[0].pk: "fulfilled"},
    )
    with pytest.raises(services.LetterAlreadySent):
        services.follow_up_letter_record_sent(
            letter=letter,
            author=cast.official,
            document=DocumentFactory(),
            outcomes={commitments[1].pk: "fulfilled"},
        )
    assert Commitment.objects.get(pk=commitments[1].pk).status == "open"
