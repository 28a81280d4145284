"""What officials trip over: dates that make sense, the follow-up letter's lifecycle, partial
fulfilment as open work, recording a letter as sent, evidence by name, refused forms.

The rules are tested through the service (the way the API and imports reach them) and through
the forms (the error sits at the field, the input stays); where a person clicks, in Chromium.
"""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from commitments import selectors, services
from commitments.filters import CommitmentFilter
from commitments.models import (
    Commitment,
    CommitmentStatus,
    DeadlineChange,
    FollowUpLetter,
    LetterPostponement,
    ProgressUpdate,
)
from parliament.sync import compatible
from tests.conftest import TODAY
from tests.factories import (
    BewindspersoonFactory,
    CommitmentFactory,
    DebateFactory,
    DocumentFactory,
    FollowUpLetterFactory,
    UserFactory,
)
from tests.test_browser import (  # noqa: F401
    assert_accessible,
    browser,
    follow,
    label,
    new_page,
    t,
)

PASSWORD = "correct horse battery staple"


@pytest.fixture
def today(time_machine):
    time_machine.move_to(datetime.datetime(2025, 11, 3, 10, 0, tzinfo=datetime.UTC), tick=False)
    return TODAY


def errors_of(response, field):
    return response.context["form"].errors.get(field, [])


# --- dates that make sense -------------------------------------------------------------------


@pytest.mark.django_db
def test_a_deadline_change_to_a_date_already_past_is_refused_at_the_field(
    client, cast, commitment, today
):
    client.force_login(cast.official)
    response = client.post(
        reverse("commitments:deadline_request", args=[commitment.pk]),
        {"new_due_date": "2025-10-01", "reason": "De evaluatie loopt uit."},
    )
    assert response.status_code == 200
    assert errors_of(response, "new_due_date") == [gettext("A new due date lies after today.")]
    # The form keeps what was typed.
    assert response.context["form"]["reason"].value() == "De evaluatie loopt uit."
    assert not DeadlineChange.objects.exists()

    with pytest.raises(services.ValidationError) as refused:
        services.deadline_change_request(
            commitment=commitment,
            requested_by=cast.official,
            new_due_date=today,
            reason="Vandaag kan niet: dat is geen nieuwe termijn.",
        )
    assert "new_due_date" in refused.value.error_dict
    change = services.deadline_change_request(
        commitment=commitment,
        requested_by=cast.official,
        new_due_date=today + datetime.timedelta(days=1),
        reason="Morgen wel.",
    )
    assert change.state == DeadlineChange.State.REQUESTED


@pytest.mark.django_db
def test_a_fulfilling_kamerstuk_in_the_future_or_before_the_commitment_is_refused(
    cast, commitment, today
):
    future = DocumentFactory(date=datetime.date(2027, 3, 10))
    too_early = DocumentFactory(date=commitment.made_on - datetime.timedelta(days=1))
    for document in (future, too_early):
        with pytest.raises(services.ValidationError) as refused:
            services.commitment_update_progress(
                commitment=commitment,
                author=cast.official,
                status=CommitmentStatus.FULFILLED,
                evidence_document=document,
            )
        assert "evidence_document" in refused.value.error_dict
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.OPEN
    assert commitment.fulfilled_on is None
    assert not commitment.fulfilling_documents.exists()


@pytest.mark.django_db
def test_the_progress_form_refuses_a_new_kamerstuk_dated_in_the_future_and_keeps_the_input(
    client, cast, commitment, today
):
    client.force_login(cast.official)
    response = client.post(
        reverse("commitments:progress", args=[commitment.pk]),
        {
            "version": commitment.version,
            "status": "fulfilled",
            "note": "Verzonden.",
            "new_document_dossier": "31015",
            "new_document_volgnummer": "301",
            "new_document_date": "2027-03-10",
            "new_document_title": "Voortgangsbrief",
        },
    )
    assert response.status_code == 200
    assert errors_of(response, "new_document_date")
    assert response.context["form"]["note"].value() == "Verzonden."
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.OPEN


@pytest.mark.django_db
def test_a_commitment_made_in_a_debate_is_made_on_its_date_or_the_form_asks_why(
    client, cast, today
):
    debate = DebateFactory(date=datetime.date(2025, 10, 1))
    minister = BewindspersoonFactory()
    client.force_login(cast.official)
    data = {
        "reference": "TZ-DATUM-1",
        "text": "De minister stuurt de Kamer een brief over de evaluatie.",
        "chamber": "tk",
        "made_by": minister.pk,
        "debate": f"[id {debate.pk}]",
        "made_on": "2025-03-10",
        "deadline_wording": "voor de zomer",
        "team": cast.team.pk,
    }
    response = client.post(reverse("commitments:create"), data)
    assert response.status_code == 200
    [error] = errors_of(response, "made_on")
    assert "1 oktober 2025" in error
    assert response.context["form"]["text"].value() == data["text"]
    assert not Commitment.objects.filter(reference="TZ-DATUM-1").exists()

    reason = "Toegezegd in de brief na het debat."
    response = client.post(reverse("commitments:create"), data | {"made_on_reason": reason})
    assert response.status_code == 302
    assert Commitment.objects.get(reference="TZ-DATUM-1").made_on_reason == reason

    # The API asks the same rule of the same service.
    from tests.test_api import API, api, json_post

    through_api = data | {"reference": "TZ-DATUM-2", "debate": debate.pk}
    refused = json_post(api(cast.official), f"{API}/commitments/", through_api)
    assert refused.status_code == 400
    assert "made_on" in refused.json()
    assert not Commitment.objects.filter(reference="TZ-DATUM-2").exists()


@pytest.mark.django_db
def test_a_bewindspersoon_out_of_office_that_day_did_not_make_it(cast, today):
    former = BewindspersoonFactory(
        name="G.A. van der Steur",
        in_office_from=datetime.date(2015, 3, 20),
        in_office_until=datetime.date(2017, 1, 27),
    )
    debate = DebateFactory(date=datetime.date(2025, 7, 2))
    fields = {
        "reference": "TZ-AMBT-1",
        "text": "Een toezegging.",
        "made_by": former,
        "debate": debate,
        "made_on": debate.date,
        "team": cast.team,
    }
    with pytest.raises(services.ValidationError) as refused:
        services.commitment_create(author=cast.official, **fields)
    assert "made_by" in refused.value.error_dict
    assert "G.A. van der Steur" in refused.value.error_dict["made_by"][0].message
    assert not Commitment.objects.filter(reference="TZ-AMBT-1").exists()

    in_office = services.commitment_create(
        author=cast.official,
        **fields | {"made_on": datetime.date(2016, 4, 13), "made_on_reason": "Uit het verslag."},
    )
    assert in_office.made_by == former


# --- partially fulfilled is not done -------------------------------------------------------------


@pytest.mark.django_db
def test_partially_fulfilled_says_what_is_still_open_and_stays_open_work(
    client, cast, commitment, today
):
    letter = DocumentFactory(date=datetime.date(2025, 9, 1))
    with pytest.raises(services.ValidationError) as refused:
        services.commitment_update_progress(
            commitment=commitment,
            author=cast.official,
            status=CommitmentStatus.PARTIALLY_FULFILLED,
            evidence_document=letter,
        )
    assert "open_part" in refused.value.error_dict
    services.commitment_update_progress(
        commitment=commitment,
        author=cast.official,
        status=CommitmentStatus.PARTIALLY_FULFILLED,
        evidence_document=letter,
        open_part="De cijfers over 2025 volgen.",
    )
    commitment.refresh_from_db()
    assert commitment.open_part == "De cijfers over 2025 volgen."
    # Overdue (due 30 September) and still open work everywhere that asks.
    assert commitment.is_overdue(today)
    assert commitment in selectors.my_work(user=cast.official, today=today)["commitments"]
    assert commitment in selectors.commitments_overdue(today=today)
    overdue_list = CommitmentFilter(
        {"overdue": "1"}, queryset=Commitment.objects.all(), today=today
    ).qs
    assert commitment in overdue_list
    assert commitment in selectors.commitments_due_on(dates=[commitment.due_date])
    figures = selectors.dashboard_summary(user=cast.manager, today=today)
    assert figures["overdue_count"] == 1
    # The Kamer's "Openstaand" is not what a partial answer says.
    assert not compatible(CommitmentStatus.PARTIALLY_FULFILLED, CommitmentStatus.OPEN)

    client.force_login(cast.official)
    page = client.get(reverse("commitments:detail", args=[commitment.pk])).content.decode()
    assert "De cijfers over 2025 volgen." in page

    services.commitment_update_progress(
        commitment=commitment, author=cast.official, status=CommitmentStatus.FULFILLED
    )
    commitment.refresh_from_db()
    assert commitment.open_part == ""
    assert commitment not in selectors.commitments_overdue(today=today)


@pytest.mark.django_db
def test_the_dashboard_figures_count_a_partial_answer_as_overdue_after_a_change(
    client, cast, commitment, today
):
    client.force_login(cast.manager)
    before = client.get(reverse("commitments:dashboard")).context["figures"]["overdue_count"]
    fulfilled = CommitmentFactory(
        team=cast.team, status=CommitmentStatus.FULFILLED, due_date=datetime.date(2025, 9, 1)
    )
    fulfilled.fulfilling_documents.add(DocumentFactory())
    assert (
        client.get(reverse("commitments:dashboard")).context["figures"]["overdue_count"] == before
    )
    services.commitment_update_progress(
        commitment=fulfilled,
        author=cast.official,
        status=CommitmentStatus.PARTIALLY_FULFILLED,
        open_part="Het deel over Cambodja.",
    )
    after = client.get(reverse("commitments:dashboard")).context["figures"]["overdue_count"]
    assert after == before + 1


# --- follow-up letters -----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_letter_with_nothing_left_to_answer_is_not_on_my_work(client, cast, today):
    answered = CommitmentFactory(team=cast.team, status=CommitmentStatus.FULFILLED)
    waiting = CommitmentFactory(team=cast.team)
    done = FollowUpLetterFactory(
        team=cast.team, title="Voortgangsbrief 2016", commitments=[answered]
    )
    todo = FollowUpLetterFactory(
        team=cast.team, title="Voortgangsbrief 2017", commitments=[waiting]
    )
    client.force_login(cast.official)
    response = client.get(reverse("commitments:my_work"))
    assert [letter.title for letter in response.context["letters"]] == [todo.title]
    assert done.title not in response.content.decode()


@pytest.mark.django_db
def test_late_reads_the_same_on_the_letter_list_the_letter_page_and_my_work(client, cast, today):
    late = FollowUpLetterFactory(
        team=cast.team, title="Te late brief", commitments=[CommitmentFactory(team=cast.team)]
    )
    answered = FollowUpLetterFactory(
        team=cast.team,
        title="Beantwoorde brief",
        commitments=[CommitmentFactory(team=cast.team, status=CommitmentStatus.LAPSED)],
    )
    client.force_login(cast.official)
    badge = re.compile(r'<span class="badge badge--overdue">([^<]+)</span>')

    def late_badges(html, title):
        # The table row or list item that names the letter.
        rows = re.split(r"<tr|<li", html)
        return [found for row in rows if title in row for found in badge.findall(row)]

    letters = client.get(reverse("commitments:letter_list")).content.decode()
    work = client.get(reverse("commitments:my_work")).content.decode()
    page = client.get(reverse("commitments:letter_detail", args=[late.pk])).content.decode()
    other = client.get(reverse("commitments:letter_detail", args=[answered.pk])).content.decode()
    word = gettext("late")
    assert late_badges(letters, "Te late brief") == [word]
    assert late_badges(work, "Te late brief") == [word]
    facts = re.compile(r'<dl class="facts.*?</dl>', re.S)
    assert badge.findall(facts.search(page).group()) == [word]
    assert late_badges(letters, "Beantwoorde brief") == []
    assert badge.findall(facts.search(other).group()) == []


@pytest.mark.django_db
def test_postponing_keeps_the_move_and_its_reason(cast, today):
    letter = FollowUpLetterFactory(team=cast.team, commitments=[CommitmentFactory(team=cast.team)])
    with pytest.raises(services.ValidationError) as refused:
        services.follow_up_letter_postpone(
            letter=letter, actor=cast.official, planned_date=today, reason="Later."
        )
    assert "planned_date" in refused.value.error_dict
    with pytest.raises(services.PermissionDenied):
        services.follow_up_letter_postpone(
            letter=letter,
            actor=cast.outsider,
            planned_date=datetime.date(2026, 2, 1),
            reason="Niet van mij.",
        )
    services.follow_up_letter_postpone(
        letter=letter,
        actor=cast.official,
        planned_date=datetime.date(2026, 2, 1),
        reason="De evaluatie is later klaar.",
    )
    letter.refresh_from_db()
    assert letter.planned_date == datetime.date(2026, 2, 1)
    assert not letter.is_late
    [move] = LetterPostponement.objects.filter(letter=letter)
    assert (move.planned_date_before, move.planned_date_after) == (
        datetime.date(2025, 9, 15),
        datetime.date(2026, 2, 1),
    )
    assert move.postponed_by == cast.official
    assert letter.history.first().history_change_reason == "De evaluatie is later klaar."


@pytest.mark.django_db
def test_cancelling_moves_the_open_commitments_or_leaves_them_open(cast, today):
    open_one = CommitmentFactory(team=cast.team)
    answered = CommitmentFactory(team=cast.team, status=CommitmentStatus.FULFILLED)
    letter = FollowUpLetterFactory(team=cast.team, commitments=[open_one, answered])
    next_letter = FollowUpLetterFactory(team=cast.team, planned_date=datetime.date(2026, 3, 1))
    with pytest.raises(services.ValidationError):
        services.follow_up_letter_cancel(letter=letter, actor=cast.official, reason=" ")
    services.follow_up_letter_cancel(
        letter=letter, actor=cast.official, reason="Opgegaan in de jaarbrief.", move_to=next_letter
    )
    letter.refresh_from_db()
    assert letter.status == FollowUpLetter.Status.CANCELLED
    assert letter.cancellation_reason == "Opgegaan in de jaarbrief."
    assert list(letter.commitments.all()) == [answered]
    assert list(next_letter.commitments.all()) == [open_one]
    assert not letter.is_late

    alone = CommitmentFactory(team=cast.team)
    third = FollowUpLetterFactory(team=cast.team, commitments=[alone])
    services.follow_up_letter_cancel(letter=third, actor=cast.official, reason="Vervalt.")
    alone.refresh_from_db()
    assert alone.status == CommitmentStatus.OPEN
    assert not alone.follow_up_letters.exists()
    with pytest.raises(services.ValidationError):
        services.follow_up_letter_add_commitment(
            actor=cast.official, letter=third, commitment=alone
        )


@pytest.mark.django_db
def test_a_sent_letter_records_the_day_it_went_out_and_not_one_in_the_future(cast, today):
    commitment = CommitmentFactory(team=cast.team)
    letter = FollowUpLetterFactory(team=cast.team, commitments=[commitment])
    document = DocumentFactory(date=datetime.date(2025, 10, 20))
    with pytest.raises(services.ValidationError) as refused:
        services.follow_up_letter_record_sent(
            letter=letter,
            author=cast.official,
            document=document,
            outcomes={commitment.pk: "fulfilled"},
            sent_on=datetime.date(2025, 12, 1),
        )
    assert "sent_on" in refused.value.error_dict
    services.follow_up_letter_record_sent(
        letter=letter,
        author=cast.official,
        document=document,
        outcomes={commitment.pk: "partially_fulfilled"},
        open_parts={commitment.pk: "De financiering na 2026."},
        sent_on=datetime.date(2025, 10, 21),
    )
    letter.refresh_from_db()
    commitment.refresh_from_db()
    assert letter.status == FollowUpLetter.Status.SENT
    assert letter.sent_on == datetime.date(2025, 10, 21)
    assert commitment.status == CommitmentStatus.PARTIALLY_FULFILLED
    assert commitment.open_part == "De financiering na 2026."
    assert commitment.fulfilled_on == document.date


@pytest.mark.django_db
def test_the_record_as_sent_form_chooses_nothing_in_advance_and_cuts_no_word(client, cast, today):
    text = (
        "De minister informeert de Kamer over de uitkomst van het overleg met het EOKM over de "
        "toekomstige financiering van de meldlijn en de hulplijn Stop it Now, en van de bijeenkomst"
        " met de internetproviders."
    )
    commitment = CommitmentFactory(team=cast.team, text=text)
    letter = FollowUpLetterFactory(team=cast.team, commitments=[commitment])
    client.force_login(cast.official)
    form = client.get(reverse("commitments:letter_sent", args=[letter.pk])).context["form"]
    field = form.fields[f"outcome_{commitment.pk}"]
    assert field.required and field.initial is None
    legend = str(field.label)
    words = legend.removesuffix("…").split()
    assert all(word in f"{commitment.reference}: {text}".split() for word in words), legend

    response = client.post(
        reverse("commitments:letter_sent", args=[letter.pk]),
        {"version": letter.version, "document": f"[id {DocumentFactory().pk}]"},
    )
    assert errors_of(response, f"outcome_{commitment.pk}")
    letter.refresh_from_db()
    assert letter.status == FollowUpLetter.Status.PLANNED


@pytest.mark.django_db
def test_the_api_records_a_partial_answer_and_the_day_the_letter_went_out(cast, today):
    from tests.test_api import API, api, json_post

    commitment = CommitmentFactory(team=cast.team)
    letter = FollowUpLetterFactory(team=cast.team, commitments=[commitment])
    client = api(cast.official)
    etag = client.get(f"{API}/letters/{letter.pk}/")["ETag"]
    url = f"{API}/letters/{letter.pk}/sent/"
    body = {
        "document": DocumentFactory(date=datetime.date(2025, 10, 20)).pk,
        "outcomes": {str(commitment.pk): "partially_fulfilled"},
        "sent_on": "2025-10-21",
    }
    refused = json_post(client, url, body, **{"If-Match": etag})
    assert refused.status_code == 400, refused.json()
    done = json_post(
        client,
        url,
        body | {"open_parts": {str(commitment.pk): "Het deel over 2026."}},
        **{"If-Match": etag},
    )
    assert done.status_code == 200, done.json()
    letter.refresh_from_db()
    commitment.refresh_from_db()
    assert letter.sent_on == datetime.date(2025, 10, 21)
    assert commitment.open_part == "Het deel over 2026."


# --- evidence and refused forms ----------------------------------------------------------------


@pytest.mark.django_db
def test_evidence_shows_by_its_file_name(client, cast, commitment, settings, tmp_path, today):
    settings.MEDIA_ROOT = tmp_path
    services.commitment_update_progress(
        commitment=commitment,
        author=cast.official,
        status=CommitmentStatus.IN_PROGRESS,
        evidence_file=SimpleUploadedFile("verslag.pdf", b"%PDF-1.4\n%%EOF\n"),
    )
    update = ProgressUpdate.objects.get(commitment=commitment)
    assert update.evidence_file.name == f"evidence/{commitment.pk}/verslag.pdf"
    client.force_login(cast.official)
    page = client.get(reverse("commitments:detail", args=[commitment.pk])).content.decode()
    assert ">verslag.pdf</a>" in page
    assert f"{commitment.pk}/verslag.pdf" not in page.replace(
        reverse("commitments:evidence_file", args=[update.pk]), ""
    )


@pytest.mark.django_db
def test_a_refused_form_says_fout_in_its_title_and_focuses_the_summary(
    client, cast, commitment, today
):
    client.force_login(cast.official)
    url = reverse("commitments:deadline_request", args=[commitment.pk])
    fine = client.get(url).content.decode()
    refused = client.post(url, {"new_due_date": "2025-01-01", "reason": ""}).content.decode()
    title = re.compile(r"<title>(.*?)</title>", re.S)
    assert not title.search(fine).group(1).strip().startswith("Fout:")
    assert title.search(refused).group(1).strip().startswith("Fout:")
    assert re.search(r'id="form-errors"[^>]*autofocus', refused)


# --- in the browser ---------------------------------------------------------------------------


@pytest.fixture
def letters_world(browser, transactional_db):  # noqa: F811
    """An official of a team with two letters to write: one late, one later on."""
    today = timezone.localdate()
    official = UserFactory(username="ambtenaar", first_name="Anna", last_name="Ambtenaar")
    from tests.factories import TeamFactory

    team = TeamFactory(name="Team Kindersekstoerisme", members=[official])
    made_on = today - datetime.timedelta(days=120)
    debate = DebateFactory(date=made_on)
    commitments = [
        CommitmentFactory(
            team=team,
            reference=f"KST-T-0{n}",
            debate=debate,
            made_on=made_on,
            due_date=today - datetime.timedelta(days=10),
            text=(
                f"De minister informeert de Kamer over de stand van zaken rond Green Notices, "
                f"onderdeel {n}, in de eerstvolgende voortgangsrapportage van de bewindspersoon."
            ),
        )
        for n in (1, 2)
    ]
    late = FollowUpLetterFactory(
        team=team,
        title="Voortgangsrapportage najaar",
        planned_date=today - datetime.timedelta(days=5),
        commitments=commitments,
    )
    later = FollowUpLetterFactory(
        team=team, title="Voortgangsbrief volgend jaar", planned_date=today + datetime.timedelta(90)
    )
    document = DocumentFactory(date=today - datetime.timedelta(days=1), volgnummer=777)
    return {
        "official": official,
        "today": today,
        "commitments": commitments,
        "late": late,
        "later": later,
        "document": document,
    }


def log_in_as(page, username):
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    follow(page, page.get_by_role("button", name=t("Log in")))


@pytest.mark.browser
def test_official_postpones_a_late_letter_and_then_cancels_it(new_page, letters_world):  # noqa: F811
    world = letters_world
    page = new_page()
    log_in_as(page, "ambtenaar")
    letters = page.locator("#letters-heading + ul")
    assert t("late") in letters.inner_text()
    follow(page, page.get_by_role("link", name="Voortgangsrapportage najaar"))
    assert page.locator(".facts .badge--overdue").inner_text() == t("late")

    follow(page, page.get_by_role("link", name=t("Postpone"), exact=True))
    assert_accessible(page, "letter-postpone")
    new_date = world["today"] + datetime.timedelta(days=30)
    page.get_by_label(label("New planned date")).fill(new_date.isoformat())
    page.get_by_label(label("Reason")).fill("Wacht op de cijfers van de politie.")
    follow(page, page.get_by_role("button", name=t("Postpone")))
    assert page.url.endswith(f"/letters/{world['late'].pk}/")
    assert page.locator(".facts .badge--overdue").count() == 0
    assert "Wacht op de cijfers van de politie." in page.locator(".postponements").inner_text()
    world["late"].refresh_from_db()
    assert world["late"].planned_date == new_date

    assert_accessible(page, "letter-postponed")
    follow(page, page.get_by_role("link", name=t("Cancel the letter"), exact=True))
    assert_accessible(page, "letter-cancel")
    page.get_by_label(label("Reason")).fill("Opgegaan in de brief van volgend jaar.")
    page.get_by_label(label("Move its open commitments to")).select_option(
        label="Voortgangsbrief volgend jaar"
    )
    follow(page, page.get_by_role("button", name=t("Cancel the letter")))
    assert t("cancelled") in page.locator(".facts").inner_text()
    assert "Opgegaan in de brief van volgend jaar." in page.locator(".facts").inner_text()
    later = world["later"]
    assert sorted(c.reference for c in later.commitments.all()) == ["KST-T-01", "KST-T-02"]
    page.goto("/")
    assert "Voortgangsrapportage najaar" not in page.locator("main").inner_text()


@pytest.mark.browser
def test_official_records_a_letter_as_sent_choosing_each_outcome(new_page, letters_world):  # noqa: F811
    world = letters_world
    first, second = world["commitments"]
    page = new_page()
    log_in_as(page, "ambtenaar")
    page.goto(f"/letters/{world['late'].pk}/sent/")
    radios = page.locator("input[type=radio][name^=outcome_]")
    assert radios.count() == 6
    assert all(not radios.nth(i).is_checked() for i in range(6))
    for legend in page.locator(".outcome legend").all_inner_texts():
        assert legend.rstrip(":").endswith(("…", "bewindspersoon.")), legend

    # Refused without a choice: the title says so and focus is on the summary.
    kamerstuk = f"[id {world['document'].pk}]"
    page.get_by_label(label("Kamerstuk")).fill(kamerstuk)
    follow(page, page.get_by_role("button", name=t("Record as sent")))
    assert page.title().startswith("Fout:")
    assert page.evaluate("document.activeElement.id") == "form-errors"
    assert kamerstuk in page.get_by_label(label("Kamerstuk")).input_value()
    assert_accessible(page, "letter-sent-refused")

    page.locator(f"input[name=outcome_{first.pk}][value=fulfilled]").check()
    page.locator(f"input[name=outcome_{second.pk}][value=partially_fulfilled]").check()
    page.locator(f"#id_open_part_{second.pk}").fill("Het deel over Cambodja volgt.")
    sent_on = world["today"] - datetime.timedelta(days=1)
    page.get_by_label(label("Sent on")).fill(sent_on.isoformat())
    follow(page, page.get_by_role("button", name=t("Record as sent")))
    assert not page.title().startswith("Fout:")
    assert page.url.endswith(f"/letters/{world['late'].pk}/")

    first.refresh_from_db()
    second.refresh_from_db()
    world["late"].refresh_from_db()
    assert first.status == CommitmentStatus.FULFILLED
    assert second.status == CommitmentStatus.PARTIALLY_FULFILLED
    assert second.open_part == "Het deel over Cambodja volgt."
    assert world["late"].sent_on == sent_on
    # The partial one is still the official's work.
    page.goto("/")
    assert "KST-T-02" in page.locator("#commitments-heading + .table-wrap").inner_text()
    assert "KST-T-01" not in page.locator("main").inner_text()


@pytest.mark.browser
def test_a_refused_deadline_request_focuses_the_error_summary(new_page, letters_world):  # noqa: F811
    commitment = letters_world["commitments"][0]
    page = new_page()
    log_in_as(page, "ambtenaar")
    page.goto(f"/commitments/{commitment.pk}/deadline/")
    assert not page.title().startswith("Fout:")
    yesterday = letters_world["today"] - datetime.timedelta(days=1)
    page.get_by_label(label("New due date")).fill(yesterday.isoformat())
    page.get_by_label(label("Reason")).fill("Uitstel van de evaluatie.")
    follow(page, page.get_by_role("button", name=t("Send request")))
    assert page.title().startswith("Fout:")
    assert page.evaluate("document.activeElement.id") == "form-errors"
    summary = page.locator("#form-errors").inner_text()
    assert t("A new due date lies after today.") in summary
    assert page.get_by_label(label("Reason")).input_value() == "Uitstel van de evaluatie."
