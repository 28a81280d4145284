"""Commitments from the debate report: uploaded, captured as proposals, reviewed, kept.

Through the interfaces an official and an operator touch: the upload page, the review inbox,
the review page and `import_debate_report`.
"""

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from commitments.models import Commitment, Debate
from parliament.models import ImportedReport, Proposal
from tests.factories import BewindspersoonFactory, CommitmentFactory, UserFactory
from tracker.actors import system_actor

pytestmark = pytest.mark.django_db

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "vlos"
FISCALITEIT = SHARED / (
    "sample_vlos_0c43e57f-962a-449c-8157-62dbf7e539eb_2a27783d-3d6b-4e26-9fcf-52c17a41f6bf.xml"
)


def upload(client, *files):
    return client.post(
        reverse("parliament:report_upload"),
        {"reports": [io.BytesIO(data) if isinstance(data, bytes) else data for data in files]},
    )


def named(name: str, data: bytes):
    handle = io.BytesIO(data)
    handle.name = name
    return handle


@pytest.fixture
def report_bytes():
    return FISCALITEIT.read_bytes()


def test_an_uploaded_report_becomes_proposals_and_twice_adds_nothing(client, cast, report_bytes):
    client.force_login(cast.official)
    response = upload(client, named("fiscaliteit.xml", report_bytes))
    assert response.status_code == 200
    proposals = Proposal.objects.filter(state="open")
    assert proposals.count() == 8
    debate = Debate.objects.get(activity_number="2025A02948")
    assert debate.kind == "commissiedebat" and str(debate.date) == "2025-07-02"
    assert debate.history.earliest("history_date").history_user == system_actor("debate-import")
    report = ImportedReport.objects.get()
    assert report.imported_by == cast.official and report.file.read() == report_bytes

    again = upload(client, named("fiscaliteit-kopie.xml", report_bytes))
    assert again.status_code == 200
    assert Proposal.objects.count() == 8 and ImportedReport.objects.count() == 1
    assert "8" in again.content.decode()


def test_a_batch_imports_the_good_files_and_reports_the_bad(client, cast, report_bytes):
    client.force_login(cast.official)
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><lolz>&lol2;</lolz>'
    )
    response = upload(
        client,
        named("bom.xml", bomb),
        named("fiscaliteit.xml", report_bytes),
        named("afgebroken.xml", report_bytes[: len(report_bytes) // 2]),
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "bom.xml" in body and "afgebroken.xml" in body
    assert body.count("geweigerd") >= 2 or body.count("refused") >= 2
    assert ImportedReport.objects.count() == 1
    assert Proposal.objects.count() == 8


def test_the_inbox_lists_open_proposals_per_debate_with_a_count_in_the_menu(
    client, cast, report_bytes
):
    client.force_login(cast.official)
    upload(client, named("fiscaliteit.xml", report_bytes))
    page = client.get(reverse("parliament:inbox"))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Nationale fiscaliteit" in body
    assert page.context["nav_review"]["count"] == 8
    assert body.count(reverse("parliament:proposal_review", args=[0])[:-2]) >= 8


def _review(client, proposal, action, **data):
    return client.post(
        reverse("parliament:proposal_review", args=[proposal.pk]),
        {"action": action, "version": proposal.version, **data},
    )


def test_accepting_makes_a_commitment_whose_history_names_the_report_and_reviewer(
    client, cast, report_bytes
):
    minister = BewindspersoonFactory(name="Th.J. van Oostenbruggen", function="staatssecretaris")
    client.force_login(cast.official)
    upload(client, named("fiscaliteit.xml", report_bytes))
    proposal = Proposal.objects.order_by("position").first()
    assert proposal.made_by == minister, "matched by surname, function and office"

    response = _review(
        client,
        proposal,
        "accept",
        reference="2025A02948-01",
        text=proposal.text,
        made_by=minister.pk,
        team=cast.team.pk,
        deadline_wording=proposal.deadline_wording,
        due_date=proposal.due_date.isoformat() if proposal.due_date else "",
    )
    assert response.status_code == 302, response.context and response.context["accept_form"].errors
    commitment = Commitment.objects.get(reference="2025A02948-01")
    assert commitment.debate.activity_number == "2025A02948"
    assert commitment.team == cast.team and commitment.made_by == minister
    created = commitment.history.earliest("history_date")
    assert created.history_user == cast.official
    assert created.history_change_reason == "fiscaliteit.xml: accepted"
    proposal.refresh_from_db()
    assert proposal.state == "accepted" and proposal.commitment == commitment

    listed = client.get(reverse("commitments:list")).content.decode()
    assert "2025A02948-01" in listed


def test_rejecting_needs_a_reason_and_keeps_what_was_typed(client, cast, report_bytes):
    client.force_login(cast.official)
    upload(client, named("fiscaliteit.xml", report_bytes))
    proposal = Proposal.objects.order_by("position").first()
    refused = _review(client, proposal, "reject", reason="")
    assert refused.status_code == 200
    proposal.refresh_from_db()
    assert proposal.state == "open"
    assert _review(client, proposal, "reject", reason="Geen toezegging.").status_code == 302
    proposal.refresh_from_db()
    assert (proposal.state, proposal.rejection_reason) == ("rejected", "Geen toezegging.")
    assert proposal.history.latest("history_date").history_user == cast.official


def test_a_proposal_like_a_registered_commitment_is_offered_to_link(client, cast, report_bytes):
    debate = Debate.objects.create(
        kind="commissiedebat",
        title="Nationale fiscaliteit",
        date="2025-07-02",
        activity_number="2025A02948",
    )
    registered = CommitmentFactory(
        team=cast.team,
        debate=debate,
        text="De staatssecretaris zal het rapport over rode diesel na de ministerraad van 11 juli "
        "aan de Kamer doen toekomen.",
    )
    client.force_login(cast.official)
    upload(client, named("fiscaliteit.xml", report_bytes))
    proposal = Proposal.objects.get(possible_duplicate=registered)
    page = client.get(reverse("parliament:proposal_review", args=[proposal.pk])).content.decode()
    assert registered.reference in page
    assert _review(client, proposal, "link", commitment=registered.pk).status_code == 302
    proposal.refresh_from_db()
    assert (proposal.state, proposal.commitment) == ("linked", registered)
    assert Commitment.objects.filter(debate=debate).count() == 1


def test_an_official_accepts_only_into_a_team_of_their_own(client, cast, report_bytes):
    minister = BewindspersoonFactory(name="Van Oostenbruggen", function="staatssecretaris")
    client.force_login(cast.official)
    upload(client, named("fiscaliteit.xml", report_bytes))
    proposal = Proposal.objects.order_by("position").first()
    before = Commitment.objects.count()
    response = _review(
        client,
        proposal,
        "accept",
        reference="2025A02948-01",
        text=proposal.text,
        made_by=minister.pk,
        team=cast.other_team.pk,
    )
    assert response.status_code == 200  # not one of the choices: the form says so
    assert Commitment.objects.count() == before
    anonymous_reader = UserFactory()
    client.force_login(anonymous_reader)
    assert client.get(reverse("parliament:inbox")).status_code == 403


def test_the_command_prints_the_json_document_and_a_dry_run_saves_nothing(
    capsys, report_bytes, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    call_command("import_debate_report", str(FISCALITEIT), "--dry-run", "--json")
    document = json.loads(capsys.readouterr().out)
    (report,) = document["reports"]
    assert report["activity_number"] == "2025A02948"
    assert report["date"] == "2025-07-02" and report["kind"] == "commissiedebat"
    assert report["new"] == 8 and report["already_imported"] == 0
    assert report["bewindspersonen"][0]["name"] == "Van Oostenbruggen"
    first = report["commitments"][0]
    assert set(first) == {
        "text",
        "bewindspersoon",
        "made_to",
        "deadline_wording",
        "due_date",
        "note",
    }
    assert first["bewindspersoon"].startswith("Van Oostenbruggen, ")
    assert Proposal.objects.count() == 0 and Debate.objects.count() == 0
    assert not any(tmp_path.rglob("*.xml")), "a dry run keeps no file"

    call_command("import_debate_report", str(FISCALITEIT), "--json")
    assert json.loads(capsys.readouterr().out)["reports"][0]["new"] == 8
    call_command("import_debate_report", str(FISCALITEIT), "--json")
    again = json.loads(capsys.readouterr().out)["reports"][0]
    assert (again["new"], again["already_imported"]) == (0, 8)


def test_the_command_refuses_a_bad_file_by_name_and_imports_the_rest(tmp_path, capsys):
    bad = tmp_path / "geen-verslag.xml"
    bad.write_text("<html><body>Dit is geen verslag</body></html>")
    with pytest.raises(CommandError, match="1 of 2"):
        call_command("import_debate_report", str(bad), str(FISCALITEIT), "--json")
    document = json.loads(capsys.readouterr().out)
    assert document["refused"][0]["file"] == str(bad)
    assert document["reports"][0]["new"] == 8


def test_accept_all_takes_those_with_a_known_bewindspersoon_and_leaves_the_rest(
    client, cast, report_bytes
):
    BewindspersoonFactory(name="Th.J. van Oostenbruggen", function="staatssecretaris")
    client.force_login(cast.official)
    upload(client, named("fiscaliteit.xml", report_bytes))
    debate = Debate.objects.get(activity_number="2025A02948")
    matched = Proposal.objects.filter(made_by__isnull=False).count()
    response = client.post(
        reverse("parliament:debate_accept_all", args=[debate.pk]), {"team": cast.team.pk}
    )
    assert response.status_code == 302
    assert Commitment.objects.filter(debate=debate, team=cast.team).count() == matched > 0
    assert Proposal.objects.filter(state="open").count() == 8 - matched
    assert Commitment.objects.filter(reference="2025A02948-01").exists()


RBZ = SHARED / (
    "sample_vlos_16a72e1d-7a35-4b4d-ad6a-c2e7622c573e_7fcd2ba9-3e41-4930-a4fe-af3088f11c50.xml"
)


def test_an_unknown_bewindspersoon_is_registered_and_the_addressee_kept(client, cast):
    from actionlines.models import Organisation

    ministry = Organisation.objects.create(
        name="Ministerie van Buitenlandse Zaken", kind="ministry"
    )
    client.force_login(cast.official)
    upload(client, named("rbz.xml", RBZ.read_bytes()))
    proposal = Proposal.objects.exclude(made_to=[]).order_by("position").first()
    assert proposal is not None and proposal.made_by is None
    response = _review(
        client,
        proposal,
        "accept",
        reference="RBZ-01",
        text=proposal.text,
        new_bewindspersoon_ministry=ministry.pk,
        team=cast.team.pk,
    )
    assert response.status_code == 302, response.context["accept_form"].errors
    commitment = Commitment.objects.get(reference="RBZ-01")
    assert commitment.made_by.name == proposal.speaker_name
    assert commitment.made_by.ministry == ministry
    assert commitment.made_by.history.get().history_user == cast.official
    names = {str(addressee) for addressee in commitment.made_to.all()}
    assert names == {
        f"{person['name']} ({person['party']})" if person["party"] else person["name"]
        for person in proposal.made_to
    }


def test_an_accepted_commitment_can_be_planned_in_a_follow_up_letter(client, cast, report_bytes):
    from tests.factories import FollowUpLetterFactory

    minister = BewindspersoonFactory(name="Van Oostenbruggen", function="staatssecretaris")
    letter = FollowUpLetterFactory(team=cast.team, drafter=cast.official)
    client.force_login(cast.official)
    upload(client, named("fiscaliteit.xml", report_bytes))
    proposal = Proposal.objects.order_by("position").first()
    response = _review(
        client,
        proposal,
        "accept",
        reference="2025A02948-01",
        text=proposal.text,
        made_by=minister.pk,
        team=cast.team.pk,
        letters=[letter.pk],
    )
    assert response.status_code == 302, response.context["accept_form"].errors
    assert list(letter.commitments.values_list("reference", flat=True)) == ["2025A02948-01"]
    assert letter.history.latest("history_date").history_user == cast.official
