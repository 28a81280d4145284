"""The browser app through Django's test client: what each page shows and what each form does."""

import csv
import datetime
import io
import zoneinfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from actionlines.models import Activity, Profile
from commitments.models import (
    Commitment,
    DeadlineChange,
    Debate,
    FollowUpLetter,
    ParliamentaryDocument,
    ProgressUpdate,
)
from tests.factories import (
    ActivityFactory,
    CommitmentFactory,
    DeadlineChangeFactory,
    DebateFactory,
    DocumentFactory,
    FollowUpLetterFactory,
)

# Written for the suite's day (tests/conftest.py test_day).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("test_day")]
AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def today(time_machine):
    time_machine.move_to(datetime.datetime(2025, 11, 3, 10, 0, tzinfo=AMSTERDAM), tick=False)
    return datetime.date(2025, 11, 3)


def references(response):
    return [row["reference"] for row in response.context["page"].object_list]


# --- my work -------------------------------------------------------------------------------------
def test_official_lands_on_their_work_overdue_first(client, cast, today):
    later = CommitmentFactory(team=cast.team, due_date=datetime.date(2025, 12, 1))
    late = CommitmentFactory(team=cast.team, due_date=datetime.date(2025, 10, 1))
    no_date = CommitmentFactory(team=cast.team, due_date=None, original_due_date=None)
    owned_elsewhere = CommitmentFactory(owner=cast.official, due_date=datetime.date(2025, 11, 20))
    CommitmentFactory(team=cast.other_team)
    CommitmentFactory(team=cast.team, status="lapsed")
    client.force_login(cast.official)
    response = client.get("/", follow=True)
    assert response.redirect_chain == []
    assert response.context["commitments"] == [late, owned_elsewhere, later, no_date]
    assert late.days_overdue(today) == 33
    assert "ruim 4 weken te laat" in response.content.decode()  # 33 days, in words


def test_anonymous_user_is_sent_to_the_login_page(client):
    response = client.get("/commitments/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


# --- the list and its filters --------------------------------------------------------------------
@pytest.fixture
def listed(cast, today):
    """Commitments that differ in one respect each, all readable by staff."""
    line = ActivityFactory().action_line
    activity = ActivityFactory(action_line=line, plan=line.plan)
    debate = DebateFactory(title="Commissiedebat Kinderbescherming")
    letter_doc = DocumentFactory()
    items = {
        "late": CommitmentFactory(reference="A-late", due_date=datetime.date(2025, 10, 1)),
        "late_busy": CommitmentFactory(
            reference="B-late-busy", due_date=datetime.date(2025, 10, 20), status="in_progress"
        ),
        "soon": CommitmentFactory(reference="C-soon", due_date=datetime.date(2025, 11, 20)),
        "far": CommitmentFactory(reference="D-far", due_date=datetime.date(2026, 6, 1)),
        "done": CommitmentFactory(
            reference="E-done", status="fulfilled", due_date=datetime.date(2025, 9, 1)
        ),
        "debated": CommitmentFactory(
            reference="F-debated",
            debate=debate,
            made_on=datetime.date(2024, 2, 1),
            due_date=datetime.date(2026, 1, 1),
            text="Over de Green Notices van Interpol.",
        ),
        "teamed": CommitmentFactory(
            reference="G-teamed",
            team=cast.team,
            owner=cast.official,
            due_date=datetime.date(2026, 2, 1),
        ),
    }
    items["done"].fulfilling_documents.add(letter_doc)
    items["far"].activities.add(activity)
    FollowUpLetterFactory(commitments=[items["soon"], items["far"]])
    return items, line, activity, debate


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["E-done", "A-late", "B-late-busy", "C-soon", "F-debated", "G-teamed", "D-far"]),
        ("status=open&status=in_progress&overdue=1", ["A-late", "B-late-busy"]),
        ("status=fulfilled", ["E-done"]),
        ("overdue=1", ["A-late", "B-late-busy"]),
        ("due_within=30", ["C-soon"]),
        ("due_date_after=2025-11-01&due_date_before=2026-01-31", ["C-soon", "F-debated"]),
        ("due_date_after=01-11-2025&due_date_before=31-01-2026", ["C-soon", "F-debated"]),
        ("made_on_before=2024-12-31", ["F-debated"]),
        ("q=green notices", ["F-debated"]),
        ("q=b-late", ["B-late-busy"]),
        ("debate_text=kinderbescherming", ["F-debated"]),
        (
            "sort=-due_date",
            ["D-far", "G-teamed", "F-debated", "C-soon", "B-late-busy", "A-late", "E-done"],
        ),
        ("sort=status&status=open", ["A-late", "C-soon", "F-debated", "G-teamed", "D-far"]),
    ],
)
def test_staff_filters_the_list_by_url(client, cast, listed, query, expected):
    client.force_login(cast.staff)
    response = client.get(f"/commitments/?{query}")
    assert response.status_code == 200
    assert references(response) == expected
    assert response.context["page"].paginator.count == len(expected)


def test_list_filters_by_related_records(client, cast, listed):
    items, line, activity, debate = listed
    client.force_login(cast.staff)
    assert references(client.get(f"/commitments/?action_line={line.pk}")) == ["D-far"]
    assert references(client.get(f"/commitments/?activity={activity.pk}")) == ["D-far"]
    assert references(client.get(f"/commitments/?debate={debate.pk}")) == ["F-debated"]
    assert references(client.get(f"/commitments/?team={cast.team.pk}")) == ["G-teamed"]
    assert references(client.get(f"/commitments/?owner={cast.official.pk}")) == ["G-teamed"]
    letter = FollowUpLetter.objects.get()
    assert references(client.get(f"/commitments/?letter={letter.pk}")) == ["C-soon", "D-far"]
    made_by = items["late"].made_by
    assert references(client.get(f"/commitments/?made_by={made_by.pk}")) == ["A-late"]
    ministry = made_by.ministry
    assert references(client.get(f"/commitments/?ministry={ministry.pk}")) == ["A-late"]


def test_list_shows_the_number_of_results_and_paginates(client, cast, today):
    CommitmentFactory.create_batch(30, team=cast.team)
    client.force_login(cast.staff)
    response = client.get("/commitments/?per_page=25&page=2")
    assert response.context["page"].number == 2
    assert len(response.context["page"].object_list) == 5
    body = response.content.decode()
    assert "30 toezeggingen" in body
    assert "per_page=25" in body and "page=1" in body


def test_list_for_an_official_shows_only_their_teams_work(client, cast, listed):
    client.force_login(cast.official)
    assert references(client.get("/commitments/")) == ["G-teamed"]


def test_bad_filter_values_are_reported_not_fatal(client, cast, listed):
    client.force_login(cast.staff)
    response = client.get("/commitments/?status=bogus&due_within=x&team=999999&page=abc")
    assert response.status_code == 200
    errors = response.context["filter"].form.errors
    assert {"status", "due_within", "team"} <= set(errors)
    assert len(references(response)) == 7


# --- exports -------------------------------------------------------------------------------------
def test_csv_export_holds_exactly_the_filtered_rows(client, cast, listed):
    client.force_login(cast.staff)
    query = "status=open&status=in_progress&overdue=1"
    listed_refs = references(client.get(f"/commitments/?{query}"))
    response = client.get(f"/commitments/export.csv?{query}")
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Disposition"].startswith('attachment; filename="toezeggingen-')
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    assert header[0] == "Kenmerk"
    assert [row[0] for row in body] == listed_refs == ["A-late", "B-late-busy"]
    late = body[0]
    assert "2025-10-01" in late  # due date, ISO
    assert "33" in late  # days overdue on 3 November 2025
    assert "Openstaand" in late  # the Kamer's register value


def test_excel_export_holds_the_same_rows_with_real_dates(client, cast, listed):
    client.force_login(cast.staff)
    response = client.get("/commitments/export.xlsx?status=open&sort=due_date")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert [row[0] for row in rows[1:]] == ["A-late", "C-soon", "F-debated", "G-teamed", "D-far"]
    due_column = rows[0].index("Uiterste datum")
    assert rows[1][due_column] == datetime.datetime(2025, 10, 1)


def test_officials_and_managers_cannot_export(client, cast, listed):
    for user in (cast.official, cast.manager):
        client.force_login(user)
        assert client.get("/commitments/export.csv").status_code == 403
        assert client.get("/commitments/export.xlsx").status_code == 403


# --- the commitment page -------------------------------------------------------------------------
def test_commitment_page_shows_everything_about_it(client, cast, plan_2016, today):
    commitment = Commitment.objects.get(reference="KST-2016-03")
    commitment.team = cast.team
    commitment.save()
    client.force_login(cast.staff)
    body = client.get(commitment.get_absolute_url()).content.decode()
    for expected in (
        "Green Notices",
        "Algemeen overleg Kinderpornografie en kindersekstoerisme",
        "Kamerstuk 31 015, nr. 126",
        "vaste commissie voor Veiligheid en Justitie",
        "G.A. van der Steur",
        "dit najaar",
        "23 december 2016",
        "Openstaand",
        "Voortgangsrapportage aanpak kinderporno en kindersekstoerisme, najaar 2016",
        "Project Green Notices (Interpol)",
        "Team Jeugd",
    ):
        assert expected in body, expected


def test_timeline_shows_progress_deadline_changes_and_edits(client, cast, commitment):
    from commitments import services

    services.commitment_update_progress(
        commitment=commitment, author=cast.official, status="in_progress", note="Eerste concept."
    )
    change = services.deadline_change_request(
        commitment=commitment,
        requested_by=cast.official,
        new_due_date=datetime.date(2025, 12, 12),
        reason="Wachten op het WODC-rapport.",
    )
    services.deadline_change_approve(change=change, decided_by=cast.manager, note="Akkoord.")
    commitment.refresh_from_db()
    services.commitment_update(
        commitment=commitment,
        author=cast.official,
        expected_version=commitment.version,
        text="Aangepaste tekst.",
        team=cast.directorate,
    )
    client.force_login(cast.staff)
    response = client.get(commitment.get_absolute_url())
    kinds = [entry.kind for entry in response.context["timeline"]]
    assert kinds == ["edited", "deadline-decided", "deadline-requested", "progress", "created"]
    edit = response.context["timeline"][0]
    assert ("team", "Team Jeugd", "Directie") in [
        (str(name), old, new) for name, old, new in edit.changes
    ]
    body = response.content.decode()
    assert "Eerste concept." in body
    assert "Wachten op het WODC-rapport." in body
    assert "Akkoord." in body


# --- recording progress --------------------------------------------------------------------------
def progress_url(commitment):
    return reverse("commitments:progress", args=[commitment.pk])


def test_official_records_progress_and_sees_it(client, cast, commitment):
    client.force_login(cast.official)
    response = client.post(
        progress_url(commitment),
        {"status": "in_progress", "note": "Brief ligt bij de minister.", "version": 1},
    )
    assert response.status_code == 302
    update = ProgressUpdate.objects.get()
    assert (update.author, update.status_after, update.note) == (
        cast.official,
        "in_progress",
        "Brief ligt bij de minister.",
    )
    assert "Brief ligt bij de minister." in client.get(response["Location"]).content.decode()


def test_fulfilling_asks_for_the_letter_and_keeps_the_note(client, cast, commitment):
    client.force_login(cast.official)
    response = client.post(
        progress_url(commitment),
        {"status": "fulfilled", "note": "Verstuurd op maandag.", "version": 1},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "evidence_document" in form.errors
    assert "Verstuurd op maandag." in response.content.decode()
    assert not ProgressUpdate.objects.exists()
    assert Commitment.objects.get(pk=commitment.pk).status == "open"


def test_fulfilling_with_a_newly_registered_kamerstuk(client, cast, commitment):
    client.force_login(cast.official)
    response = client.post(
        progress_url(commitment),
        {
            "status": "fulfilled",
            "version": 1,
            "new_document_dossier": "31015",
            "new_document_volgnummer": "131",
            "new_document_date": "2025-10-28",
            "new_document_title": "Voortgangsbrief aanpak kindersekstoerisme",
        },
    )
    assert response.status_code == 302
    document = ParliamentaryDocument.objects.get(volgnummer=131)
    assert document.dossier_number == "31 015"
    commitment.refresh_from_db()
    assert commitment.status == "fulfilled"
    assert list(commitment.fulfilling_documents.all()) == [document]
    assert commitment.fulfilled_on == datetime.date(2025, 10, 28)


def test_a_half_registered_kamerstuk_is_refused_at_its_fields(client, cast, commitment):
    client.force_login(cast.official)
    response = client.post(
        progress_url(commitment),
        {"status": "fulfilled", "version": 1, "new_document_dossier": "31 015"},
    )
    assert response.status_code == 200
    assert {"new_document_date", "new_document_title"} <= set(response.context["form"].errors)
    assert not ParliamentaryDocument.objects.exists()


def test_evidence_pdf_is_stored_and_served_only_to_readers(client, cast, commitment):
    client.force_login(cast.official)
    upload = SimpleUploadedFile("brief.pdf", PDF, content_type="application/pdf")
    response = client.post(
        progress_url(commitment),
        {"status": "in_progress", "version": 1, "evidence_file": upload},
    )
    assert response.status_code == 302
    update = ProgressUpdate.objects.get()
    url = reverse("commitments:evidence_file", args=[update.pk])
    served = client.get(url)
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == PDF
    client.force_login(cast.outsider)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("brief.pdf", b"MZ\x90\x00 not a pdf", "PDF"),
        ("brief.exe", PDF, "PDF"),
        ("groot.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), "10 MB"),
    ],
)
def test_evidence_that_is_not_a_small_pdf_is_refused(
    client, cast, commitment, name, content, message
):
    client.force_login(cast.official)
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    response = client.post(
        progress_url(commitment),
        {"status": "in_progress", "note": "Zie bijlage.", "version": 1, "evidence_file": upload},
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["evidence_file"])
    assert "Zie bijlage." in response.content.decode()
    assert not ProgressUpdate.objects.exists()


def test_recording_nothing_is_refused(client, cast, commitment):
    client.force_login(cast.official)
    response = client.post(progress_url(commitment), {"status": "open", "version": 1})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


# --- deadline changes ----------------------------------------------------------------------------
def test_official_requests_and_manager_approves_a_deadline_change(client, cast, commitment):
    client.force_login(cast.official)
    response = client.post(
        reverse("commitments:deadline_request", args=[commitment.pk]),
        {"new_due_date": "2025-12-19", "reason": "Het WODC-onderzoek loopt uit."},
    )
    assert response.status_code == 302
    change = DeadlineChange.objects.get()
    client.force_login(cast.manager)
    queue = client.get(reverse("commitments:deadline_changes"))
    assert list(queue.context["changes"]) == [change]
    response = client.post(
        reverse("commitments:deadline_decide", args=[change.pk]),
        {"decision": "approve", "note": "Akkoord, meld het de Kamer."},
    )
    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.due_date == datetime.date(2025, 12, 19)
    assert commitment.original_due_date == datetime.date(2025, 9, 30)
    body = client.get(commitment.get_absolute_url()).content.decode()
    assert "19 december 2025" in body and "30 september 2025" in body


def test_rejecting_needs_a_reason_at_the_field(client, cast, commitment):
    change = DeadlineChangeFactory(commitment=commitment, requested_by=cast.official)
    client.force_login(cast.manager)
    response = client.post(
        reverse("commitments:deadline_decide", args=[change.pk]), {"decision": "reject"}
    )
    assert response.status_code == 200
    assert "note" in response.context["form"].errors
    assert DeadlineChange.objects.get().state == "requested"


def test_a_second_request_while_one_is_open_is_refused_with_a_message(client, cast, commitment):
    DeadlineChangeFactory(commitment=commitment, requested_by=cast.official)
    client.force_login(cast.official)
    response = client.post(
        reverse("commitments:deadline_request", args=[commitment.pk]),
        {"new_due_date": "2026-01-15", "reason": "Nog later."},
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert DeadlineChange.objects.count() == 1


# --- creating and editing records ----------------------------------------------------------------
def commitment_post_data(commitment_like, **overrides):
    data = {
        "reference": "TZ-2025-100",
        "register_number": "",
        "text": "De minister stuurt de Kamer voor de zomer een brief over de toolkit.",
        "chamber": "tk",
        "made_by": commitment_like.made_by_id,
        "debate": f"[id {commitment_like.debate_id}]",
        "source_document": "",
        "made_on": "2025-03-04",
        # Not the debate's day (2 July): the commitment came in the answers sent after it.
        "made_on_reason": "Toegezegd in de schriftelijke beantwoording na het debat.",
        "deadline_wording": "voor de zomer",
        "due_date": "",
        "owner": "",
        "team": "",
    }
    data.update(overrides)
    return data


def test_official_registers_a_commitment_and_the_wording_sets_the_date(
    client, cast, commitment, today
):
    client.force_login(cast.official)
    response = client.post(
        reverse("commitments:create"), commitment_post_data(commitment, team=cast.team.pk)
    )
    assert response.status_code == 302, response.context["form"].errors
    created = Commitment.objects.get(reference="TZ-2025-100")
    assert created.due_date == created.original_due_date == datetime.date(2025, 7, 4)
    assert created.history.get().history_user == cast.official


def test_commitment_form_keeps_what_was_typed_on_errors(client, cast, commitment, today):
    client.force_login(cast.official)
    data = commitment_post_data(
        commitment,
        debate="",
        team=cast.team.pk,
        made_on="2030-01-01",
        text="Tekst die niet verloren mag gaan.",
    )
    response = client.post(reverse("commitments:create"), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"debate", "made_on"} <= set(errors)
    assert "Tekst die niet verloren mag gaan." in response.content.decode()


def test_official_cannot_register_for_another_team(client, cast, commitment, today):
    client.force_login(cast.official)
    response = client.post(
        reverse("commitments:create"), commitment_post_data(commitment, team=cast.other_team.pk)
    )
    assert response.status_code == 200
    assert "team" in response.context["form"].errors
    assert not Commitment.objects.filter(reference="TZ-2025-100").exists()


def test_edit_form_has_no_due_date_once_there_is_one(client, cast, commitment):
    client.force_login(cast.official)
    response = client.get(reverse("commitments:edit", args=[commitment.pk]))
    assert "due_date" not in response.context["form"].fields
    assert "status" not in response.context["form"].fields


def test_documents_and_debates_are_kept_through_forms(client, cast):
    client.force_login(cast.official)
    response = client.post(
        reverse("commitments:document_create"),
        {
            "chamber": "tk",
            "dossier_number": "31015",
            "volgnummer": "140",
            "date": "2025-10-01",
            "title": "Voortgangsbrief",
            "kind": "kamerbrief",
            "url": "",
        },
    )
    assert response.status_code == 302
    assert ParliamentaryDocument.objects.get().citation == "Kamerstuk 31 015, nr. 140"
    duplicate = client.post(
        reverse("commitments:document_create"),
        {
            "chamber": "tk",
            "dossier_number": "31 015",
            "volgnummer": "140",
            "date": "2025-10-02",
            "title": "Nog een",
            "kind": "kamerbrief",
            "url": "",
        },
    )
    assert "volgnummer" in duplicate.context["form"].errors
    bad = client.post(
        reverse("commitments:debate_create"),
        {
            "kind": "commissiedebat",
            "title": "Commissiedebat Zeden",
            "date": "2025-06-12",
            "chamber": "tk",
            "activity_number": "A123",
        },
    )
    assert "activity_number" in bad.context["form"].errors
    good = client.post(
        reverse("commitments:debate_create"),
        {
            "kind": "commissiedebat",
            "title": "Commissiedebat Zeden",
            "date": "2025-06-12",
            "chamber": "tk",
            "activity_number": "2025a01234",
        },
    )
    assert good.status_code == 302
    assert Debate.objects.get(title="Commissiedebat Zeden").activity_number == "2025A01234"


# --- follow-up letters ---------------------------------------------------------------------------
def test_recording_a_letter_as_sent_fulfils_what_it_answered(client, cast, today):
    answered = CommitmentFactory(team=cast.team, reference="TZ-1")
    partly = CommitmentFactory(team=cast.team, reference="TZ-2")
    untouched = CommitmentFactory(team=cast.team, reference="TZ-3")
    letter = FollowUpLetterFactory(team=cast.team, commitments=[answered, partly, untouched])
    client.force_login(cast.official)
    response = client.post(
        reverse("commitments:letter_sent", args=[letter.pk]),
        {
            "new_document_dossier": "31 015",
            "new_document_volgnummer": "150",
            "new_document_date": "2025-10-30",
            "new_document_title": "Voortgangsbrief najaar 2025",
            f"outcome_{answered.pk}": "fulfilled",
            f"outcome_{partly.pk}": "partially_fulfilled",
            f"open_part_{partly.pk}": "De evaluatie van de toolkit volgt in het voorjaar.",
            f"outcome_{untouched.pk}": "unchanged",
        },
    )
    assert response.status_code == 302
    letter.refresh_from_db()
    document = ParliamentaryDocument.objects.get(volgnummer=150)
    assert (letter.status, letter.sent_as) == ("sent", document)
    statuses = dict(Commitment.objects.values_list("reference", "status"))
    assert statuses == {"TZ-1": "fulfilled", "TZ-2": "partially_fulfilled", "TZ-3": "open"}
    for commitment in (answered, partly):
        update = ProgressUpdate.objects.get(commitment=commitment)
        assert (update.author, update.evidence_document) == (cast.official, document)
        assert list(commitment.fulfilling_documents.all()) == [document]
    assert not ProgressUpdate.objects.filter(commitment=untouched).exists()


def test_letter_list_and_page_show_open_commitments(client, cast, today):
    open_one = CommitmentFactory(team=cast.team, reference="TZ-OPEN")
    letter = FollowUpLetterFactory(team=cast.team, commitments=[open_one])
    client.force_login(cast.official)
    listing = client.get(reverse("commitments:letter_list"))
    assert [(item, item.open_count) for item in listing.context["letters"]] == [(letter, 1)]
    assert "TZ-OPEN" in client.get(letter.get_absolute_url()).content.decode()


# --- the plan ------------------------------------------------------------------------------------
def test_plan_page_shows_lines_activities_and_their_commitments(client, cast, plan_2016):
    from actionlines.models import Plan

    plan = Plan.objects.get(title__endswith="2016")
    # Policy staff read every commitment; the page names only those the reader may read.
    client.force_login(cast.staff)
    body = client.get(reverse("actionlines:plan_detail", args=[plan.pk])).content.decode()
    for expected in (
        "Preventie",
        "Opsporing en vervolging",
        "Internationale samenwerking",
        "Barrièremodel",
        "Aanjaagteam",
        "KST-2016-05",
        "Bangkok, Thailand",
    ):
        assert expected in body, expected


def test_official_records_activity_progress(client, cast, plan_2016):
    activity = Activity.objects.get(title="Barrièremodel")
    activity.team = cast.team
    activity.save()
    client.force_login(cast.official)
    url = reverse("actionlines:activity_progress", args=[activity.pk])
    refused = client.post(url, {"status": "completed", "progress": "80", "version": 1})
    assert "progress" in refused.context["form"].errors
    response = client.post(
        url, {"status": "in_progress", "progress": "40", "note": "Eerste versie.", "version": 1}
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert (activity.status, activity.progress) == ("in_progress", 40)
    page = client.get(reverse("actionlines:activity_detail", args=[activity.pk]))
    assert "Eerste versie." in page.content.decode()


# --- the dashboard -------------------------------------------------------------------------------
def test_dashboard_shows_status_counts_overdue_and_upcoming(client, cast, today):
    CommitmentFactory(team=cast.team, reference="OLD", due_date=datetime.date(2025, 9, 1))
    CommitmentFactory(team=cast.team, reference="OLDER", due_date=datetime.date(2025, 8, 1))
    CommitmentFactory(team=cast.team, reference="NEAR", due_date=datetime.date(2025, 11, 20))
    CommitmentFactory(
        team=cast.other_team, reference="NOT-MINE", due_date=datetime.date(2025, 1, 1)
    )
    DeadlineChangeFactory(
        commitment=Commitment.objects.get(reference="NEAR"), requested_by=cast.official
    )
    client.force_login(cast.manager)
    response = client.get(reverse("commitments:dashboard"))
    context = response.context["figures"]
    assert [c.reference for c in context["overdue"]] == ["OLDER", "OLD"]
    assert context["overdue_count"] == 2
    assert [c.reference for c in context["soon"]] == ["NEAR"]
    assert ("open", "open", 3) in [(s, str(label), n) for s, label, n in context["status_counts"]]
    assert context["requests_count"] == 1
    body = response.content.decode()
    assert "<svg" in body and "<desc" in body
    assert 'y="14"' in body  # coordinates are not written with a Dutch decimal comma
    assert "ruim 3 maanden te laat" in body  # OLDER is 94 days overdue on 3 November 2025


# --- language ------------------------------------------------------------------------------------
def test_interface_is_dutch_even_for_an_english_browser(client, cast):
    client.force_login(cast.official)
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert response["Content-Language"] == "nl"
    assert '<html lang="nl">' in response.content.decode()


def test_choosing_english_is_kept_in_the_profile(client, cast):
    client.force_login(cast.official)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert Profile.objects.get(user=cast.official).language == "en"
    response = client.get("/")
    assert response["Content-Language"] == "en"
    # A new session without the cookie still gets the saved choice.
    client.cookies.clear()
    client.force_login(cast.official)
    assert client.get("/")["Content-Language"] == "en"


def test_dates_are_written_the_dutch_way(client, cast, commitment):
    client.force_login(cast.official)
    body = client.get(commitment.get_absolute_url()).content.decode()
    assert "30 september 2025" in body


def test_changed_links_are_on_the_timeline(client, cast, commitment):
    from commitments import services

    first, second = ActivityFactory(title="Toolkit"), ActivityFactory(title="Barrièremodel")
    commitment.activities.add(first)
    services.commitment_update(
        commitment=commitment,
        author=cast.official,
        expected_version=commitment.version,
        m2m={"activities": [second]},
    )
    client.force_login(cast.official)
    response = client.get(commitment.get_absolute_url())
    entry = next(e for e in response.context["timeline"] if e.kind == "links")
    assert (entry.who, entry.link_change.added, entry.link_change.removed) == (
        cast.official,
        ["Barrièremodel"],
        ["Toolkit"],
    )
    body = response.content.decode()
    assert "+ Barrièremodel" in body and "− Toolkit" in body


def test_a_search_is_counted_and_paged_like_any_filter(client, cast, today):
    for number in range(30):
        CommitmentFactory(reference=f"Z-{number:02d}", text="Over de Green Notices.")
    CommitmentFactory.create_batch(5, text="Iets anders.")
    client.force_login(cast.staff)
    second = client.get("/commitments/?q=green&per_page=25&page=2&sort=reference")
    assert second.context["page"].paginator.count == 30
    assert references(second) == [f"Z-{n:02d}" for n in range(25, 30)]
    beyond = client.get("/commitments/?q=green&per_page=25&page=9&sort=reference")
    assert beyond.context["page"].number == 2
    assert client.get("/commitments/?q=nergens").context["page"].paginator.count == 0


def test_password_reset_sends_a_link_that_sets_a_new_password(client, cast, mailoutbox):
    import re

    cast.official.email = "olga@example.org"
    cast.official.save()
    response = client.post(reverse("password_reset"), {"email": "olga@example.org"})
    assert response.status_code == 302
    (message,) = mailoutbox
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+)", message.body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"]
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "Nieuw-wachtwoord-2026", "new_password2": "Nieuw-wachtwoord-2026"},
    )
    assert done.status_code == 302
    cast.official.refresh_from_db()
    assert cast.official.check_password("Nieuw-wachtwoord-2026")
