"""In step with the Kamer's register: the sync against a local OData server of our own.

The server (`tests.register_server`) answers like the Kamer's gegevensmagazijn: pages of 250
with `@odata.nextLink`, `$filter` on `Ministerie` and `GewijzigdOp`, `$expand`, and faults on
request (a 503, a dropped connection). The records are made here, shaped by the schema.
"""

import datetime
import io
import json
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse

from commitments import services as commitment_services
from commitments.models import (
    Bewindspersoon,
    Commitment,
    CommitmentRelation,
    Debate,
    ParliamentaryDocument,
    ProgressUpdate,
)
from parliament import register, selectors, services, sync
from parliament.models import Proposal, RegisterCursor, RegisterEntry, RegisterNote
from tests.factories import BewindspersoonFactory, CommitmentFactory, DebateFactory, TeamFactory
from tests.register_server import RegisterServer
from tracker.actors import system_actor

pytestmark = pytest.mark.django_db

MINISTRY = "Justitie en Veiligheid"
BASE = datetime.datetime(2024, 3, 1, 9, 0, tzinfo=datetime.UTC)


def when(minutes: int) -> str:
    return (BASE + datetime.timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z")


def letter(number: int, *, dossier=31015, document="2024D1", date="2024-05-01T00:00:00+02:00"):
    return {
        "Id": str(uuid.uuid5(uuid.NAMESPACE_URL, document)),
        "DocumentNummer": document,
        "Soort": "Brief regering",
        "Datum": date,
        "Titel": f"Voortgangsbrief {number}",
        "Volgnummer": number,
        "Kamerstukdossier": {"Id": str(uuid.uuid4()), "Nummer": dossier, "Toevoeging": None},
    }


def toezegging(seq: int, **overrides) -> dict:
    """One register record, as the service gives it with everything expanded."""
    record = {
        "Id": str(uuid.UUID(int=seq + 1)),
        "Nummer": f"TZ202403-{seq:03d}",
        "Tekst": f"De minister zal de Kamer voor de zomer informeren over onderwerp {seq} "
        f"van de aanpak, met de stand van zaken per regio {seq}.",
        "Status": "Openstaand",
        "Aanmaakdatum": when(seq),
        "ActiviteitNummer": "2024A01000",
        "Naam": "Wiersma, F.M.",
        "Achternaam": "Wiersma",
        "Initialen": "F.M.",
        "Tussenvoegsel": None,
        "Voornaam": "Femke",
        "Achtervoegsel": None,
        "Titulatuur": None,
        "Functie": "Minister van Justitie en Veiligheid",
        "Ministerie": MINISTRY,
        "DatumNakoming": None,
        "GewijzigdOp": when(seq),
        "ApiGewijzigdOp": when(seq),
        "Verwijderd": False,
        "ToegezegdAan": [
            {
                "Id": str(uuid.uuid4()),
                "Persoon": {
                    "Id": str(uuid.uuid4()),
                    "Initialen": "A.",
                    "Roepnaam": "Anna",
                    "Tussenvoegsel": "van",
                    "Achternaam": "Dijk",
                },
                "Fractie": {"Id": str(uuid.uuid4()), "Afkorting": "VVD", "NaamNL": "VVD"},
            }
        ],
        "KamerbriefNakoming": [],
        "Activiteit": {
            "Id": str(uuid.uuid4()),
            "Nummer": "2024A01000",
            "Soort": "Commissiedebat",
            "Onderwerp": "Commissiedebat Kinderbescherming",
            "Datum": "2024-02-28T10:00:00+01:00",
        },
        "IsHerhalingVan": [],
        "IsAanvullingOp": [],
        "IsWijzigingVan": [],
    }
    record.update(overrides)
    return record


def touch(record: dict, minutes: int) -> None:
    record["GewijzigdOp"] = record["ApiGewijzigdOp"] = when(minutes)


@pytest.fixture
def server():
    with RegisterServer([]) as running:
        yield running


@pytest.fixture(autouse=True)
def _quick_retries(settings):
    settings.KAMER_REGISTER_BACKOFF = 0.01
    settings.KAMER_REGISTER_TIMEOUT = 2


def run_sync(server, **kwargs) -> sync.SyncSummary:
    return sync.register_sync(ministry=MINISTRY, base_url=server.base_url, **kwargs)


def run_command(server, *args) -> dict:
    out = io.StringIO()
    call_command("sync_kamer_register", "--url", server.base_url, "--json", *args, stdout=out)
    return json.loads(out.getvalue())


# --- the first sync -----------------------------------------------------------------------------


def test_a_first_sync_holds_every_live_record_of_the_ministry_with_the_kamers_raw_values(server):
    server.records.extend(
        [
            toezegging(1),
            toezegging(
                2,
                Status="Voldaan",
                KamerbriefNakoming=[letter(121)],
                DatumNakoming="2024-05-01T00:00:00+02:00",
            ),
            toezegging(
                3, Status="Deels voldaan", KamerbriefNakoming=[letter(122, document="2024D2")]
            ),
            toezegging(4, Status="Vervallen", DatumNakoming="0001-01-01T00:00:00Z"),
            # Another ministry's record and one withdrawn before the tracker saw it.
            toezegging(5, Ministerie="Financiën", Functie="Minister van Financiën"),
            toezegging(6, Verwijderd=True),
        ]
    )
    summary = run_command(server)
    assert summary == {
        "fetched": 5,
        "created": 4,
        "updated": 0,
        "unchanged": 1,
        "removed": 0,
        "differences": 0,
        "proposals": 0,
    }
    statuses = dict(Commitment.objects.values_list("register_number", "status"))
    assert statuses == {
        "TZ202403-001": "open",
        "TZ202403-002": "fulfilled",
        "TZ202403-003": "partially_fulfilled",
        "TZ202403-004": "lapsed",
    }
    fulfilled = Commitment.objects.get(register_number="TZ202403-002")
    assert [d.citation for d in fulfilled.fulfilling_documents.all()] == [
        "Kamerstuk 31 015, nr. 121"
    ]
    assert fulfilled.fulfilled_on == datetime.date(2024, 5, 1)
    # The Kamer's values as written, beside ours.
    entry = RegisterEntry.objects.get(number="TZ202403-003")
    assert (entry.status, entry.name, entry.function, entry.ministry) == (
        "Deels voldaan",
        "Wiersma, F.M.",
        "Minister van Justitie en Veiligheid",
        MINISTRY,
    )
    assert RegisterEntry.objects.get(number="TZ202403-004").fulfilment_date == (
        "0001-01-01T00:00:00Z"
    )
    # One bewindspersoon, one debate (from `Activiteit`), one addressee for all of them.
    person = Bewindspersoon.objects.get()
    assert (person.name, person.function, person.ministry.name) == (
        "F.M. Wiersma",
        "minister",
        "Ministerie van Justitie en Veiligheid",
    )
    debate = Debate.objects.get()
    assert (debate.activity_number, debate.kind, debate.date) == (
        "2024A01000",
        "commissiedebat",
        datetime.date(2024, 2, 28),
    )
    assert fulfilled.made_on == datetime.date(2024, 2, 28)
    assert [str(a) for a in fulfilled.made_to.all()] == ["Anna van Dijk (VVD)"]
    # Written by the register sync, in the history too.
    actor = system_actor(sync.SYNC_ACTOR)
    created = fulfilled.history.earliest()
    assert (created.history_user, created.status) == (actor, "fulfilled")
    # Registered as the register knows it, not opened and then fulfilled.
    assert not ProgressUpdate.objects.filter(commitment=fulfilled).exists()


def test_a_voldaan_without_a_letter_is_not_forced_and_shows_as_a_difference(server):
    server.records.append(toezegging(1, Status="Voldaan"))
    summary = run_sync(server)
    commitment = Commitment.objects.get()
    assert commitment.status == "open"
    assert summary.differences == 1
    [difference] = selectors.differences_of(commitment)
    assert (difference.kind, difference.theirs) == ("status", "Voldaan")


def test_a_letter_linked_to_two_commitments_is_one_document(server):
    shared = letter(130, document="2024D77")
    server.records.extend(
        [
            toezegging(1, Status="Voldaan", KamerbriefNakoming=[shared]),
            toezegging(2, Status="Voldaan", KamerbriefNakoming=[shared, shared]),
        ]
    )
    run_sync(server)
    document = ParliamentaryDocument.objects.get()
    assert document.document_number == "2024D77"
    assert document.fulfilled_commitments.count() == 2


def test_relations_become_commitment_relations_whatever_the_order(server):
    first = toezegging(1)
    later = toezegging(2, IsHerhalingVan=[{"Id": first["Id"], "Nummer": first["Nummer"]}])
    # The repeat comes first in the feed: its relation is linked at the end of the run.
    touch(later, 0)
    touch(first, 5)
    server.records.extend([later, first])
    run_sync(server)
    relation = CommitmentRelation.objects.get()
    assert (relation.from_commitment.register_number, relation.kind) == ("TZ202403-002", "repeats")
    assert relation.to_commitment.register_number == "TZ202403-001"


def test_paging_follows_next_link_and_several_ministries_are_each_synced(server, settings):
    for seq in range(1, 601):
        ministry = MINISTRY if seq % 3 else "Financiën"
        server.records.append(toezegging(seq, Ministerie=ministry, ActiviteitNummer=""))
    settings.KAMER_REGISTER_MINISTRY = [MINISTRY, "Financiën"]
    out = io.StringIO()
    call_command("sync_kamer_register", "--url", server.base_url, "--json", stdout=out)
    summary = json.loads(out.getvalue())
    assert summary["fetched"] == 600
    assert summary["created"] == 600
    assert Commitment.objects.count() == 600
    # 400 records of one ministry in two pages, 200 of the other in one.
    assert len(server.requests) == 3
    assert sum("nextLink" not in r and "%24skip" in r or "$skip" in r for r in server.requests) == 1


def test_a_second_sync_changes_nothing_and_asks_once(server):
    server.records.extend(toezegging(seq) for seq in range(1, 11))
    run_command(server)
    history = Commitment.history.count()
    server.requests.clear()
    summary = run_command(server)
    assert summary["created"] == 0 and summary["updated"] == 0
    assert summary["unchanged"] >= 1
    assert len(server.requests) == 1
    # Incremental: only what changed since the last record seen.
    assert "GewijzigdOp" in server.requests[0] and "ge" in server.requests[0]
    assert Commitment.history.count() == history
    # --full reads everything again and finds it all unchanged.
    summary = run_command(server, "--full")
    assert (summary["fetched"], summary["unchanged"], summary["updated"]) == (10, 10, 0)


# --- the Kamer's news, and people's work ------------------------------------------------------


def test_the_kamers_news_is_applied_as_the_syncs_doing(server):
    record = toezegging(1)
    server.records.append(record)
    run_sync(server)
    record["Tekst"] = "De minister zal de Kamer na de zomer informeren over de nieuwe aanpak."
    record["Status"] = "Voldaan"
    record["KamerbriefNakoming"] = [letter(140)]
    touch(record, 60)
    summary = run_sync(server)
    assert (summary.updated, summary.created) == (1, 0)
    commitment = Commitment.objects.get()
    assert commitment.text == record["Tekst"]
    assert commitment.status == "fulfilled"
    latest = commitment.history.latest()
    assert latest.history_user == system_actor(sync.SYNC_ACTOR)
    assert selectors.register_differences_count() == 0


def test_a_persons_change_stays_and_the_disagreement_becomes_a_difference(server, cast):
    record = toezegging(1)
    server.records.append(record)
    run_sync(server)
    commitment = Commitment.objects.get()
    commitment_services.commitment_assign_team(
        commitment=commitment, author=cast.staff, team=cast.team, expected_version=None
    )
    ours = "De minister informeert de Kamer voor 1 juli over onderwerp 1 (eigen formulering)."
    commitment_services.commitment_update(
        commitment=commitment, author=cast.official, expected_version=None, text=ours
    )
    record["Tekst"] = "De minister informeert de Kamer in het najaar over onderwerp 1."
    touch(record, 60)
    summary = run_sync(server)
    commitment.refresh_from_db()
    assert commitment.text == ours
    assert summary.differences == 1
    [difference] = selectors.differences_of(commitment)
    assert (difference.kind, difference.ours, difference.theirs) == ("text", ours, record["Tekst"])
    # In progress is ours; the register says open: no difference, and the sync keeps ours.
    commitment_services.commitment_update_progress(
        commitment=commitment, author=cast.official, status="in_progress", note="Bezig."
    )
    touch(record, 90)
    run_sync(server)
    commitment.refresh_from_db()
    assert commitment.status == "in_progress"
    assert [d.kind for d in selectors.differences_of(commitment)] == ["text"]


def test_a_withdrawn_record_stays_marked_and_counts_as_removed(server):
    record = toezegging(1)
    server.records.append(record)
    run_sync(server)
    record["Verwijderd"] = True
    touch(record, 60)
    summary = run_sync(server)
    assert summary.removed == 1
    commitment = Commitment.objects.get()
    assert commitment.register_entry.withdrawn
    assert [d.kind for d in selectors.differences_of(commitment)] == ["withdrawn"]


# --- matching before creating ---------------------------------------------------------------


def test_a_commitment_typed_in_by_hand_is_linked_not_duplicated(server, cast):
    debate = DebateFactory(activity_number="2024A01000", date=datetime.date(2024, 2, 28))
    typed = CommitmentFactory(
        debate=debate,
        team=cast.team,
        text="De minister zal de Kamer voor de zomer informeren over onderwerp 1 van de aanpak, "
        "met de stand van zaken per regio 1.",
    )
    server.records.append(toezegging(1))
    summary = run_sync(server)
    assert (summary.created, summary.updated, summary.proposals) == (0, 1, 0)
    typed.refresh_from_db()
    assert typed.register_number == "TZ202403-001"
    assert Commitment.objects.count() == 1


def test_a_doubtful_match_is_asked_in_the_review_inbox_and_can_be_kept_apart(server, cast, client):
    debate = DebateFactory(activity_number="2024A01000", date=datetime.date(2024, 2, 28))
    similar = CommitmentFactory(
        debate=debate,
        team=cast.team,
        text="De minister zal de Kamer informeren over onderwerp 1 van de aanpak en de regio's.",
    )
    server.records.append(toezegging(1))
    summary = run_sync(server)
    assert (summary.created, summary.proposals) == (0, 1)
    proposal = Proposal.objects.get()
    assert proposal.register_entry.number == "TZ202403-001"
    assert proposal.possible_duplicate == similar
    # A second sync asks nothing new.
    server.records[0]["Tekst"] += " Aangevuld."
    touch(server.records[0], 30)
    run_sync(server)
    assert Proposal.objects.count() == 1
    client.force_login(cast.official)
    page = client.get(reverse("parliament:proposal_review", args=[proposal.pk]))
    assert "Keep apart" in page.content.decode() or "Apart houden" in page.content.decode()
    response = client.post(
        reverse("parliament:proposal_review", args=[proposal.pk]),
        {"action": "keep_apart", "version": proposal.version},
    )
    assert response.status_code == 302
    created = Commitment.objects.get(register_number="TZ202403-001")
    assert created != similar
    proposal.refresh_from_db()
    assert (proposal.state, proposal.commitment) == ("accepted", created)


def test_a_doubtful_match_linked_in_the_review_gets_the_register_number(server, cast, client):
    debate = DebateFactory(activity_number="2024A01000", date=datetime.date(2024, 2, 28))
    similar = CommitmentFactory(
        debate=debate,
        team=cast.team,
        text="De minister zal de Kamer informeren over onderwerp 1 van de aanpak en de regio's.",
    )
    server.records.append(toezegging(1))
    run_sync(server)
    proposal = Proposal.objects.get()
    client.force_login(cast.official)
    response = client.post(
        reverse("parliament:proposal_review", args=[proposal.pk]),
        {"action": "link", "version": proposal.version, "commitment": similar.pk},
    )
    assert response.status_code == 302
    similar.refresh_from_db()
    assert similar.register_number == "TZ202403-001"
    assert similar.register_entry.number == "TZ202403-001"
    assert Commitment.objects.count() == 1
    # The next sync finds it in step: nothing created.
    summary = run_sync(server, full=True)
    assert summary.created == 0


def test_new_records_go_to_the_bewindspersoons_default_team_else_to_the_unassigned_queue(
    server, cast, client
):
    server.records.append(toezegging(1))
    run_sync(server)
    first = Commitment.objects.get()
    assert first.team is None
    client.force_login(cast.staff)
    listed = client.get(reverse("commitments:list"), {"unassigned": "1"})
    assert first.reference in listed.content.decode()
    person = Bewindspersoon.objects.get()
    person.default_team = cast.team
    person.save()
    server.records.append(toezegging(2))
    run_sync(server)
    assert Commitment.objects.get(register_number="TZ202403-002").team == cast.team


def test_an_intake_team_takes_what_no_default_team_claims(server, cast, settings):
    settings.KAMER_REGISTER_DEFAULT_TEAM = cast.other_team.name
    server.records.append(toezegging(1))
    run_sync(server)
    assert Commitment.objects.get().team == cast.other_team


def test_an_existing_bewindspersoon_is_matched_by_surname_function_and_ministry(server):
    person = BewindspersoonFactory(
        name="F.M. Wiersma",
        function="minister",
        ministry__name="Ministerie van Justitie en Veiligheid",
        ministry__kind="ministry",
    )
    server.records.append(toezegging(1))
    run_sync(server)
    assert Commitment.objects.get().made_by == person
    assert Bewindspersoon.objects.count() == 1


# --- resilience -------------------------------------------------------------------------------


def test_a_503_or_a_dropped_connection_is_retried(server):
    server.records.extend(toezegging(seq) for seq in range(1, 301))
    server.add_fault("503", on_request=2)
    server.add_fault("drop", on_request=4)
    summary = run_sync(server)
    assert summary.created == 300
    assert Commitment.objects.count() == 300


def test_a_run_that_dies_half_way_leaves_whole_records_and_the_next_run_completes_it(
    server, settings
):
    settings.KAMER_REGISTER_RETRIES = 1
    server.records.extend(toezegging(seq) for seq in range(1, 601))
    # The third page fails on every try: the run stops there.
    server.add_fault("503", on_request=3, times=2)
    with pytest.raises(register.RegisterUnavailable):
        run_sync(server)
    assert Commitment.objects.count() == 500
    assert not RegisterCursor.objects.exists()
    assert RegisterEntry.objects.filter(commitment__isnull=True).count() == 0
    summary = run_sync(server)
    assert summary.created == 100
    assert Commitment.objects.count() == 600
    assert RegisterEntry.objects.count() == 600


def test_a_400_stops_the_run_with_the_servers_message(server):
    server.records.append(toezegging(1))
    server.add_fault("400")
    with pytest.raises(CommandError) as refused:
        call_command(
            "sync_kamer_register", "--url", server.base_url, "--json", stdout=io.StringIO()
        )
    assert "400" in str(refused.value)
    assert Commitment.objects.count() == 0


def test_a_record_that_cannot_be_read_is_reported_and_the_others_are_applied(server):
    server.records.extend([toezegging(1), toezegging(2, Tekst="  "), toezegging(3)])
    with pytest.raises(CommandError) as refused:
        run_command(server)
    assert "1 record(s) refused" in str(refused.value)
    assert Commitment.objects.count() == 2


# --- differences: the page, the filter, the answers ---------------------------------------------


def _fulfilled_by_us_but_open_in_the_register(server, cast):
    server.records.append(toezegging(1))
    run_sync(server)
    commitment = Commitment.objects.get()
    commitment_services.commitment_assign_team(
        commitment=commitment, author=cast.staff, team=cast.team, expected_version=None
    )
    document = ParliamentaryDocument.objects.create(
        dossier_number="31 015",
        volgnummer=150,
        date=datetime.date(2024, 6, 1),
        title="Brief over onderwerp 1",
        kind="kamerbrief",
    )
    commitment_services.commitment_update_progress(
        commitment=commitment,
        author=cast.official,
        status="fulfilled",
        evidence_document=document,
        note="Beantwoord.",
    )
    return Commitment.objects.get()


def test_the_differences_page_and_the_list_filter_show_the_same_commitments(server, cast, client):
    commitment = _fulfilled_by_us_but_open_in_the_register(server, cast)
    kinds = [d.kind for d in selectors.differences_of(commitment)]
    assert kinds == ["status", "letter_ours"]
    client.force_login(cast.official)
    page = client.get(reverse("parliament:register_differences")).content.decode()
    assert commitment.reference in page
    assert "Openstaand" in page
    listed = client.get(reverse("commitments:list"), {"register_differs": "1"}).content.decode()
    assert commitment.reference in listed
    others = client.get(reverse("commitments:list"), {"register_differs": "1", "q": "zzz"})
    assert commitment.reference not in others.content.decode()


def test_keeping_ours_with_a_note_answers_the_difference_until_the_register_changes(
    server, cast, client
):
    commitment = _fulfilled_by_us_but_open_in_the_register(server, cast)
    client.force_login(cast.official)
    url = reverse("parliament:register_difference_resolve", args=[commitment.pk])
    refused = client.post(url, {"action": "keep", "kind": "status", "version": 1, "note": ""})
    assert refused.status_code == 400
    assert "Fout" in refused.content.decode() or "Error" in refused.content.decode()
    response = client.post(
        url,
        {
            "action": "keep",
            "kind": "status",
            "version": commitment.version,
            "note": "De brief is verstuurd; de griffie verwerkt hem nog.",
        },
    )
    assert response.status_code == 302
    assert RegisterNote.objects.get().noted_by == cast.official
    assert [d.kind for d in selectors.differences_of(commitment)] == ["letter_ours"]
    # The register moves on (still not fulfilled, but another status): the difference is back.
    server.records[0]["Status"] = "Vervallen"
    touch(server.records[0], 60)
    run_sync(server)
    assert "status" in [d.kind for d in selectors.differences_of(Commitment.objects.get())]


def test_taking_the_kamers_value_applies_it_as_the_officials_change(server, cast, client):
    record = toezegging(1)
    server.records.append(record)
    run_sync(server)
    commitment = Commitment.objects.get()
    commitment_services.commitment_assign_team(
        commitment=commitment, author=cast.staff, team=cast.team, expected_version=None
    )
    commitment_services.commitment_update(
        commitment=commitment, author=cast.official, expected_version=None, text="Onze tekst."
    )
    commitment.refresh_from_db()
    client.force_login(cast.official)
    url = reverse("parliament:register_difference_resolve", args=[commitment.pk])
    # Somebody else's save in between: refused, nothing changes.
    stale = client.post(
        url, {"action": "accept", "kind": "text", "version": commitment.version - 1}
    )
    assert stale.status_code == 400
    response = client.post(url, {"action": "accept", "kind": "text", "version": commitment.version})
    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.text == record["Tekst"]
    assert commitment.history.latest().history_user == cast.official
    assert selectors.differences_of(commitment) == []


def test_an_unregistered_commitment_of_a_public_debate_is_a_difference_after_the_grace_days(
    server, cast, client
):
    commitment = CommitmentFactory(team=cast.team, made_on=datetime.date(2024, 2, 1))
    fresh = CommitmentFactory(team=cast.team, made_on=datetime.date.today())
    assert [d.kind for d in selectors.differences_of(commitment)] == ["unregistered"]
    assert selectors.differences_of(fresh) == []
    client.force_login(cast.official)
    url = reverse("parliament:register_difference_resolve", args=[commitment.pk])
    bad = client.post(url, {"action": "link", "kind": "unregistered", "version": 1, "number": "x"})
    assert bad.status_code == 400
    assert "TZ202412-116" in bad.content.decode()
    # Not read from the register yet: the number is noted, and the sync links it.
    response = client.post(
        url, {"action": "link", "kind": "unregistered", "version": 1, "number": "tz202403-007"}
    )
    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.register_number == "TZ202403-007"
    server.records.append(toezegging(7))
    summary = run_sync(server)
    assert (summary.created, summary.updated) == (0, 1)
    commitment.refresh_from_db()
    assert commitment.register_entry.number == "TZ202403-007"
    assert "unregistered" not in [d.kind for d in selectors.differences_of(commitment)]
    # Linking another commitment to a number that is taken is refused.
    other = CommitmentFactory(team=cast.team, made_on=datetime.date(2024, 2, 1))
    taken = client.post(
        reverse("parliament:register_difference_resolve", args=[other.pk]),
        {"action": "link", "kind": "unregistered", "version": 1, "number": "TZ202403-007"},
    )
    assert taken.status_code == 400
    other.refresh_from_db()
    assert other.register_number == ""


def test_the_sql_and_the_page_agree_on_every_kind(server, cast):
    _fulfilled_by_us_but_open_in_the_register(server, cast)
    server.records.append(toezegging(2, Status="Voldaan"))
    server.records.append(toezegging(3, Verwijderd=False))
    run_sync(server)
    server.records[-1]["Verwijderd"] = True
    touch(server.records[-1], 99)
    run_sync(server)
    CommitmentFactory(team=cast.team, made_on=datetime.date(2024, 2, 1))
    for kind, condition in selectors.difference_conditions().items():
        by_sql = set(Commitment.objects.filter(condition).values_list("pk", flat=True))
        by_page = {
            c.pk
            for c in Commitment.objects.all()
            if kind in [d.kind for d in selectors.differences_of(c)]
        }
        assert by_sql == by_page, kind
    assert selectors.register_differences_count() == 4


# --- the export, and the round trip ---------------------------------------------------------


def test_the_export_is_in_the_registers_shape(server, cast, client):
    server.records.append(toezegging(1, Status="Voldaan", KamerbriefNakoming=[letter(121)]))
    run_sync(server)
    out = io.StringIO()
    call_command("export_kamer_register", "--ministry", MINISTRY, stdout=out, stderr=io.StringIO())
    [exported] = json.loads(out.getvalue())["value"]
    original = server.records[0]
    for name in (
        "Id",
        "Nummer",
        "Tekst",
        "Status",
        "ActiviteitNummer",
        "Naam",
        "Functie",
        "Ministerie",
        "Verwijderd",
    ):
        assert exported[name] == original[name], name
    [fulfilling] = exported["KamerbriefNakoming"]
    assert fulfilling["Kamerstukdossier"]["Nummer"] == 31015
    assert fulfilling["Volgnummer"] == 121
    client.force_login(cast.staff)
    download = client.get(reverse("parliament:register_export"))
    assert download["Content-Type"].startswith("application/json")
    body = json.loads(b"".join(download.streaming_content))
    assert [r["Nummer"] for r in body["value"]] == ["TZ202403-001"]
    client.force_login(cast.official)
    assert client.get(reverse("parliament:register_export")).status_code == 403


def test_sync_from_file_of_an_export_gives_back_the_same_commitments(
    server, tmp_path, django_db_blocker
):
    server.records.extend(
        [
            toezegging(1),
            toezegging(2, Status="Voldaan", KamerbriefNakoming=[letter(121)]),
            toezegging(3, IsAanvullingOp=[{"Id": str(uuid.UUID(int=2)), "Nummer": "TZ202403-001"}]),
        ]
    )
    run_sync(server)
    out = io.StringIO()
    call_command("export_kamer_register", stdout=out, stderr=io.StringIO())
    first = json.loads(out.getvalue())
    path = tmp_path / "export.json"
    path.write_text(out.getvalue(), encoding="utf-8")
    snapshot = _commitments()
    # An empty database: everything the first sync made is gone.
    _empty_the_database()
    assert Commitment.objects.count() == 0
    call_command("sync_kamer_register", "--file", str(path), "--json", stdout=io.StringIO())
    assert _commitments() == snapshot
    again = io.StringIO()
    call_command("export_kamer_register", stdout=again, stderr=io.StringIO())
    second = json.loads(again.getvalue())
    volatile = {"GewijzigdOp", "ApiGewijzigdOp"}

    def stable(body):
        return [{k: v for k, v in r.items() if k not in volatile} for r in body["value"]]

    assert stable(first) == stable(second)


def _commitments():
    return sorted(
        (
            c.reference,
            c.register_number,
            c.text,
            c.status,
            c.made_by.name,
            c.debate.activity_number,
            c.made_on,
            c.due_date,
            tuple(sorted(str(a) for a in c.made_to.all())),
            tuple(sorted(d.citation for d in c.fulfilling_documents.all())),
            tuple(sorted((r.kind, r.to_commitment.reference) for r in c.relations_from.all())),
        )
        for c in Commitment.objects.all()
    )


def _empty_the_database():
    from django.db import connection

    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    kept = {"auth_user", "django_content_type", "auth_permission", "django_migrations"}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            emptied = ", ".join(connection.ops.quote_name(t) for t in tables if t not in kept)
            # The test's transaction holds deferred foreign-key checks: settle them first.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {emptied} CASCADE")
        else:
            cursor.execute("PRAGMA foreign_keys = OFF")
            for table in tables:
                if table not in kept:
                    cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")
            cursor.execute("PRAGMA foreign_keys = ON")


# --- the nightly task and the digest --------------------------------------------------------


def test_the_nightly_task_is_scheduled_and_syncs_every_configured_ministry(server, settings):
    from parliament.tasks import sync_kamer_register

    assert settings.CELERY_BEAT_SCHEDULE["kamer-register-nightly-sync"]["task"] == (
        "parliament.tasks.sync_kamer_register"
    )
    server.records.extend([toezegging(1), toezegging(2, Ministerie="Financiën")])
    settings.KAMER_REGISTER_URL = server.base_url
    settings.KAMER_REGISTER_MINISTRY = [MINISTRY, "Financiën"]
    result = sync_kamer_register.apply().get()
    assert result[MINISTRY]["created"] == 1
    assert result["Financiën"]["created"] == 1


def test_without_json_the_command_prints_readable_lines(server):
    server.records.append(toezegging(1))
    out = io.StringIO()
    call_command("sync_kamer_register", "--url", server.base_url, stdout=out)
    assert "1  new commitments" in out.getvalue()
    assert "differences with the register" in out.getvalue()


@override_settings(KAMER_REGISTER_GRACE_DAYS=30)
def test_differences_are_counted_for_a_managers_teams():
    team = TeamFactory()
    CommitmentFactory(team=team, made_on=datetime.date(2024, 2, 1))
    CommitmentFactory(made_on=datetime.date(2024, 2, 1))
    assert selectors.register_differences_count(queryset=Commitment.objects.filter(team=team)) == 1
    assert services.REGISTER_NUMBER.fullmatch("TZ202412-116")


def test_the_managers_digest_mentions_the_differences_of_their_teams(cast, settings):
    import time_machine
    from django.core import mail

    from actionlines.models import Profile
    from commitments.reminders import reminders_send_due

    settings.SITE_URL = "https://toezeggingen.example.org"
    settings.DIGEST_WEEKDAY = 0
    Profile.objects.update_or_create(user=cast.manager, defaults={"language": "en"})
    monday = datetime.date(2025, 11, 3)
    # Overdue, so there is a digest; made in a debate a year ago and never registered.
    CommitmentFactory(
        team=cast.team, due_date=datetime.date(2025, 10, 1), made_on=datetime.date(2024, 10, 1)
    )
    CommitmentFactory(
        team=cast.team,
        due_date=datetime.date(2025, 10, 2),
        made_on=datetime.date(2024, 10, 1),
        register_number="TZ202410-001",
    )
    with time_machine.travel(datetime.datetime(2025, 11, 3, 7, tzinfo=datetime.UTC), tick=False):
        reminders_send_due(today=monday)
    [digest] = [m for m in mail.outbox if cast.manager.email in m.to[0]]
    assert "1 commitment of your teams differs from the Kamer's register:" in digest.body
    assert "https://toezeggingen.example.org/register/differences/" in digest.body


def test_an_answer_to_a_difference_that_is_not_there_is_refused(server, cast, client):
    commitment = _fulfilled_by_us_but_open_in_the_register(server, cast)
    client.force_login(cast.official)
    url = reverse("parliament:register_difference_resolve", args=[commitment.pk])
    version = commitment.version
    lapsed = client.post(url, {"action": "accept", "kind": "withdrawn", "version": version})
    assert lapsed.status_code == 400
    silenced = client.post(
        url, {"action": "keep", "kind": "withdrawn", "version": version, "note": "Vooraf."}
    )
    assert silenced.status_code == 400
    commitment.refresh_from_db()
    assert commitment.status == "fulfilled"
    assert not RegisterNote.objects.exists()


def test_a_note_on_a_letter_difference_holds_until_the_register_record_changes(server, cast):
    commitment = _fulfilled_by_us_but_open_in_the_register(server, cast)
    services.register_difference_keep(
        actor=cast.official, commitment=commitment, kind="letter_ours", note="Griffie ingelicht."
    )
    assert [d.kind for d in selectors.differences_of(commitment)] == ["status"]
    assert "letter_ours" not in [
        kind
        for kind, condition in selectors.difference_conditions().items()
        if Commitment.objects.filter(condition, pk=commitment.pk).exists()
    ]
    server.records[0]["Tekst"] = server.records[0]["Tekst"] + " "
    server.records[0]["Aanmaakdatum"] = when(3)
    touch(server.records[0], 120)
    run_sync(server)
    assert "letter_ours" in [d.kind for d in selectors.differences_of(Commitment.objects.get())]


def test_only_a_system_actor_registers_a_commitment_with_a_status_of_its_own(cast):
    from commitments.services import commitment_create

    debate = DebateFactory()
    with pytest.raises(ValueError):
        commitment_create(
            author=cast.official,
            initial_status="lapsed",
            reference="EIGEN-1",
            text="Tekst.",
            made_by=BewindspersoonFactory(),
            debate=debate,
            made_on=debate.date,
            team=cast.team,
        )
    assert not Commitment.objects.filter(reference="EIGEN-1").exists()
