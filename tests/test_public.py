"""The public register (/openbaar/): what anyone may read without logging in, and nothing more.

The world holds published commitments full of internal values (an owner, a team, progress
notes, a deadline-change reason, a follow-up letter, an activity note) and unpublished ones,
each marked with a text that must never reach a public answer.
"""

import csv
import datetime
import importlib
import io
import json
import zoneinfo
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actionlines import services as plan_services
from actionlines.models import Activity, Plan
from commitments import services
from commitments.models import Commitment, CommitmentRelation
from parliament import register
from tests.factories import (
    ActionLineFactory,
    ActivityFactory,
    BewindspersoonFactory,
    CommitmentFactory,
    DocumentFactory,
    FollowUpLetterFactory,
    PlanFactory,
    TeamFactory,
    UserFactory,
)
from tests.test_browser import browser, new_page  # noqa: F401 - fixtures of the browser test
from tracker.models import SourceRecord

pytestmark = pytest.mark.django_db
AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")
TODAY = datetime.date(2025, 11, 3)

# Text that must never appear in a public answer.
INTERNAL = {
    "owner name": "EIGENAARNAAM-INTERN-4a1c",
    "owner e-mail": "eigenaar-intern-4a1c@ministerie.example",
    "team name": "TEAMNAAM-INTERN-77b2",
    "progress note": "VOORTGANGSNOTITIE-INTERN-9e03",
    "evidence link": "https://intern.example.org/BEWIJS-INTERN-5d",
    "deadline reason": "UITSTELREDEN-INTERN-c6d1",
    "follow-up letter": "VERVOLGBRIEF-INTERN-0f7a",
    "activity note": "ACTIVITEITNOTITIE-INTERN-31e8",
    "activity owner": "ACTIVITEITEIGENAAR-INTERN-2b",
    "unpublished text": "NIET-GEPUBLICEERD-TEKST-8c44",
    "unpublished reference": "TZ-NIETOPENBAAR-01",
    "unpublished register number": "TZ209901-999",
    "unpublished-only document": "ALLEEN-INTERN-DOCUMENT-61",
    "unpublished-only minister": "Minister Onzichtbaar",
    "internal plan": "PLAN-INTERN-13d9",
}
# The properties of the Kamer's register's `Toezegging`, as `toezegging_for` writes them.
REGISTER_KEYS = {
    "Id",
    "Nummer",
    "Tekst",
    "Status",
    "Aanmaakdatum",
    "ActiviteitNummer",
    "Naam",
    "Achternaam",
    "Initialen",
    "Tussenvoegsel",
    "Voornaam",
    "Achtervoegsel",
    "Titulatuur",
    "Functie",
    "Ministerie",
    "DatumNakoming",
    "GewijzigdOp",
    "ApiGewijzigdOp",
    "Verwijderd",
    "ToegezegdAan",
    "KamerbriefNakoming",
    "Activiteit",
    "IsHerhalingVan",
    "IsAanvullingOp",
    "IsWijzigingVan",
    register.REFERENCE_ANNOTATION,
    register.DUE_DATE_ANNOTATION,
    register.MADE_ON_ANNOTATION,
}


@pytest.fixture
def today(time_machine):
    time_machine.move_to(datetime.datetime(2025, 11, 3, 10, 0, tzinfo=AMSTERDAM), tick=False)
    return TODAY


def body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8")


def shown_numbers(response) -> list[str]:
    return [commitment.number for commitment in response.context["page"].object_list]


@pytest.fixture
def world(cast, today):
    """Three published commitments and two unpublished ones, around one public plan."""
    owner = UserFactory(
        username="eigenaar",
        first_name=INTERNAL["owner name"],
        last_name="",
        email=INTERNAL["owner e-mail"],
    )
    team = TeamFactory(name=INTERNAL["team name"], members=[cast.official, owner])
    activity_owner = UserFactory(first_name=INTERNAL["activity owner"], last_name="")
    plan = PlanFactory(
        title="Plan van aanpak openbaarheid",
        summary="Een plan dat de Kamer kent.",
        commitments_public_by_default=True,
        adopted_on=datetime.date(2016, 9, 6),
    )
    line = ActionLineFactory(plan=plan, number=1, title="Preventie")
    activity = ActivityFactory(
        action_line=line,
        title="Barrièremodel",
        team=team,
        owner=activity_owner,
        description="Een model van het proces dat een dader doorloopt.",
    )
    plan_services.activity_update_progress(
        activity=activity,
        author=cast.official,
        status=Activity.Status.IN_PROGRESS,
        progress=40,
        note=INTERNAL["activity note"],
    )
    plan_wide = ActivityFactory(
        plan=plan, action_line=None, title="Aanjaagteam", kind=Activity.Kind.GOVERNANCE
    )
    internal_plan = PlanFactory(title=INTERNAL["internal plan"])
    internal_activity = ActivityFactory(action_line__plan=internal_plan, title="Intern werk")

    steur = BewindspersoonFactory(name="G.A. van der Steur", title="De Minister van Justitie")
    dekker = BewindspersoonFactory(
        name="S. Dekker", function="staatssecretaris", title="De Staatssecretaris van Justitie"
    )
    hidden_minister = BewindspersoonFactory(name=INTERNAL["unpublished-only minister"])
    letter = DocumentFactory(
        volgnummer=131,
        date=datetime.date(2025, 9, 1),
        title="Voortgangsrapportage",
        url="https://zoek.officielebekendmakingen.nl/kst-31015-131",
    )
    internal_document = DocumentFactory(volgnummer=999, title=INTERNAL["unpublished-only document"])

    overdue = CommitmentFactory(
        reference="KST-2016-03",
        register_number="TZ201604-001",
        text="De minister informeert de Kamer over de Green Notices.",
        made_by=steur,
        made_on=datetime.date(2016, 4, 13),
        deadline_wording="dit najaar",
        due_date=datetime.date(2016, 12, 23),
        team=team,
        owner=owner,
        is_public=True,
    )
    overdue.activities.add(activity)
    fulfilled = CommitmentFactory(
        reference="KST-2025-01",
        text="De staatssecretaris stuurt de Kamer de toolkit.",
        made_by=dekker,
        debate=None,
        source_document=DocumentFactory(volgnummer=120, date=datetime.date(2025, 3, 1)),
        made_on=datetime.date(2025, 3, 1),
        team=team,
        is_public=True,
    )
    fulfilled.activities.add(plan_wide)
    coming = CommitmentFactory(
        reference="KST-2025-02",
        text="De minister stuurt de Kamer voor de kerst een brief over de liaisons.",
        made_by=steur,
        made_on=datetime.date(2025, 7, 2),
        due_date=datetime.date(2025, 12, 19),
        team=team,
        owner=owner,
        is_public=True,
    )
    unpublished = CommitmentFactory(
        reference=INTERNAL["unpublished reference"],
        register_number=INTERNAL["unpublished register number"],
        text=INTERNAL["unpublished text"],
        made_by=steur,
        team=team,
    )
    unpublished.activities.add(activity)
    unpublished.fulfilling_documents.add(internal_document)
    hidden = CommitmentFactory(made_by=hidden_minister, team=team, text="Ook niet openbaar.")
    hidden.activities.add(internal_activity)
    CommitmentRelation.objects.create(
        from_commitment=overdue, to_commitment=unpublished, kind=CommitmentRelation.Kind.REPEATS
    )

    services.commitment_update_progress(
        commitment=fulfilled,
        author=cast.official,
        status="fulfilled",
        note=INTERNAL["progress note"],
        evidence_document=letter,
        evidence_url=INTERNAL["evidence link"],
    )
    services.commitment_update_progress(
        commitment=overdue,
        author=cast.official,
        status="in_progress",
        note=INTERNAL["progress note"],
    )
    services.deadline_change_request(
        commitment=Commitment.objects.get(pk=coming.pk),
        requested_by=cast.official,
        new_due_date=datetime.date(2026, 3, 1),
        reason=INTERNAL["deadline reason"],
    )
    FollowUpLetterFactory(title=INTERNAL["follow-up letter"], team=team, commitments=[coming])
    return SimpleNamespace(
        plan=plan,
        internal_plan=internal_plan,
        activity=activity,
        steur=steur,
        dekker=dekker,
        hidden_minister=hidden_minister,
        letter=letter,
        overdue=overdue,
        fulfilled=fulfilled,
        coming=coming,
        unpublished=unpublished,
        team=team,
    )


def public_urls(world) -> dict[str, str]:
    return {
        "list": reverse("public:list"),
        "search": reverse("public:list") + "?q=minister",
        "filtered": f"/openbaar/?status=open&status=in_progress&plan={world.plan.pk}",
        "plans": reverse("public:plan_list"),
        "plan": reverse("public:plan_detail", args=[world.plan.pk]),
        "csv": reverse("public:export_csv"),
        "json": reverse("public:export_json"),
    }


# --- access -----------------------------------------------------------------------------------


def test_anonymous_visitors_read_every_public_page_and_it_may_be_cached(client, world):
    for name, url in public_urls(world).items():
        response = client.get(url)
        assert response.status_code == 200, name
        assert response["Cache-Control"] == "public, max-age=60", name
        assert "Set-Cookie" not in response, name
        assert not response.cookies, name


def test_the_public_pages_answer_only_get_and_head(client, world):
    for name, url in public_urls(world).items():
        assert client.head(url).status_code == 200, name
        assert client.post(url, {}).status_code == 405, name


def test_a_logged_in_official_gets_the_same_public_page_without_the_internal_menu(client, world):
    anonymous = body(client.get(reverse("public:list")))
    client.force_login(UserFactory(username="ambtenaar"))
    cache.clear()
    logged_in = body(client.get(reverse("public:list")))
    assert logged_in == anonymous
    for internal in ("/commitments/", "/dashboard/", "/letters/", "/accounts/", "/admin/"):
        assert f'href="{internal}' not in logged_in
    assert 'href="/"' not in logged_in


def test_a_plan_that_is_not_public_does_not_exist_publicly(client, world):
    response = client.get(reverse("public:plan_detail", args=[world.internal_plan.pk]))
    assert response.status_code == 404
    assert INTERNAL["internal plan"] not in body(response)


# --- the list ---------------------------------------------------------------------------------


def test_the_list_shows_published_commitments_newest_first_with_what_the_register_shows(
    client, world
):
    response = client.get(reverse("public:list"))
    assert shown_numbers(response) == ["KST-2025-02", "KST-2025-01", "TZ201604-001"]
    html = body(response)
    # Number (the register's, else the ministry's), text, bewindspersoon with function.
    assert "TZ201604-001" in html and "KST-2016-03" not in html
    assert "De minister informeert de Kamer over de Green Notices." in html
    assert "S. Dekker, Staatssecretaris van Justitie" in html
    # Where it was made: the debate with its date, or the document's citation.
    assert f"{world.overdue.debate.title}, 2 juli 2025" in html
    assert "Kamerstuk 31 015, nr. 120" in html
    # The deadline: the date and the wording; the status in the tracker's and the register's terms.
    assert "23 december 2016 (“dit najaar”)" in html
    assert "in behandeling" in html and "Openstaand" in html and "Voldaan" in html
    # The fulfilling letter, linked to where it is published.
    assert (
        '<a href="https://zoek.officielebekendmakingen.nl/kst-31015-131" rel="noopener">'
        "Kamerstuk 31 015, nr. 131</a>"
    ) in html


def test_unpublished_commitments_are_absent_from_the_list_search_and_filters(client, world):
    response = client.get(reverse("public:list"), {"q": INTERNAL["unpublished text"]})
    assert shown_numbers(response) == []
    response = client.get(reverse("public:list"), {"q": INTERNAL["unpublished register number"]})
    assert shown_numbers(response) == []
    response = client.get(reverse("public:list"), {"made_by": world.hidden_minister.pk})
    # Not a choice: the filter is refused and says so, and still lists only published ones.
    assert response.context["filter"].form.errors["made_by"]
    assert len(shown_numbers(response)) == 3
    assert INTERNAL["unpublished-only minister"] not in body(response)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "open"}, ["KST-2025-02"]),
        ({"status": ["in_progress", "fulfilled"]}, ["KST-2025-01", "TZ201604-001"]),
        ({"overdue": "1"}, ["TZ201604-001"]),
        ({"year": "2016"}, ["TZ201604-001"]),
        ({"year": "2025"}, ["KST-2025-02", "KST-2025-01"]),
        ({"q": "green notices"}, ["TZ201604-001"]),
        ({"q": "KST-2025-01"}, ["KST-2025-01"]),
        ({"q": "tz201604"}, ["TZ201604-001"]),
        ({"status": "open", "year": "2016"}, []),
    ],
)
def test_filters_and_search_narrow_the_list_through_the_url(client, world, query, expected):
    assert shown_numbers(client.get(reverse("public:list"), query)) == expected


def test_bewindspersoon_and_plan_filters_offer_only_what_is_published(client, world):
    response = client.get(reverse("public:list"), {"made_by": world.dekker.pk})
    assert shown_numbers(response) == ["KST-2025-01"]
    response = client.get(reverse("public:list"), {"plan": world.plan.pk})
    assert shown_numbers(response) == ["KST-2025-01", "TZ201604-001"]
    form = response.context["filter"].form
    assert set(form.fields["made_by"].queryset) == {world.steur, world.dekker}
    assert list(form.fields["plan"].queryset) == [world.plan]


def test_bad_filter_values_are_left_out_with_a_message(client, world):
    response = client.get(reverse("public:list"), {"year": "twintig", "plan": "x", "page": "y"})
    assert response.status_code == 200
    assert set(response.context["filter"].form.errors) == {"year", "plan"}
    assert len(shown_numbers(response)) == 3
    assert 'class="form-errors" role="alert"' in body(response)


def test_the_list_is_paginated_and_its_links_keep_the_filter(client, world):
    for number in range(30):
        CommitmentFactory(
            reference=f"KST-2024-{number:02d}", made_on=datetime.date(2024, 1, 1), is_public=True
        )
    response = client.get(reverse("public:list"), {"year": "2024", "utm_source": "nieuwsbrief"})
    assert response.context["page"].paginator.count == 30
    assert len(shown_numbers(response)) == 25
    html = body(response)
    assert 'href="/openbaar/?year=2024&amp;page=2"' in html
    # A parameter the page does not read stays out of its links (and out of the cache key).
    assert "utm_source" not in html
    second = client.get(reverse("public:list"), {"year": "2024", "page": "2"})
    assert len(shown_numbers(second)) == 5


# --- the plan ---------------------------------------------------------------------------------


def test_plan_page_shows_action_lines_activities_progress_and_public_commitments(client, world):
    response = client.get(reverse("public:plan_detail", args=[world.plan.pk]))
    html = body(response)
    assert "Plan van aanpak openbaarheid" in html
    assert "Actielijn 1. Preventie" in html
    assert "Barrièremodel" in html and "Aanjaagteam" in html
    assert 'value="40"' in html and "40%" in html
    assert "Een model van het proces dat een dader doorloopt." in html
    numbers = [commitment.number for commitment in response.context["commitments"]]
    assert numbers == ["KST-2025-01", "TZ201604-001"]
    assert response.context["commitment_total"] == 2
    # The activity names its public commitments, not the unpublished one linked to it too.
    assert 'href="/openbaar/?q=TZ201604-001"' in html


def test_plan_list_names_only_public_plans(client, world):
    response = client.get(reverse("public:plan_list"))
    assert list(response.context["plans"]) == [world.plan]
    plan = response.context["plans"][0]
    assert (plan.activity_count, plan.public_commitment_count) == (2, 2)
    assert INTERNAL["internal plan"] not in body(response)


def test_a_plan_is_public_when_a_public_commitment_is_linked_to_it(client, world):
    world.unpublished.is_public = True
    world.unpublished.save()
    other_plan = PlanFactory(title="Ander plan")
    world.unpublished.activities.add(ActivityFactory(action_line__plan=other_plan))
    assert client.get(reverse("public:plan_detail", args=[other_plan.pk])).status_code == 200


# --- nothing internal -------------------------------------------------------------------------


def test_nothing_internal_reaches_any_public_page_or_file(client, world):
    for language in ("nl", "en"):
        client.cookies["django_language"] = language
        for name, url in public_urls(world).items():
            text = body(client.get(url))
            leaked = {label for label, marker in INTERNAL.items() if marker.lower() in text.lower()}
            assert not leaked, (language, name, leaked)


def test_the_json_links_only_to_commitments_that_are_public_too(client, world):
    records = json.loads(body(client.get(reverse("public:export_json"))))["value"]
    overdue = next(r for r in records if r["Nummer"] == "TZ201604-001")
    assert overdue["IsHerhalingVan"] == []
    world.unpublished.is_public = True
    world.unpublished.save()
    records = json.loads(body(client.get(reverse("public:export_json"))))["value"]
    overdue = next(r for r in records if r["Nummer"] == "TZ201604-001")
    assert overdue["IsHerhalingVan"][0]["Nummer"] == INTERNAL["unpublished register number"]


# --- open data --------------------------------------------------------------------------------


def test_csv_holds_the_filtered_public_list_with_its_headers(client, world):
    response = client.get(reverse("public:export_csv"), {"status": ["in_progress", "fulfilled"]})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="toezeggingen-openbaar-2025-11-03.csv"'
    )
    assert response["Link"] == '<https://creativecommons.org/publicdomain/zero/1.0/>; rel="license"'
    text = body(response)
    assert text.startswith("\ufeff")
    header, *rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(header) == 20
    assert [row[1] for row in rows] == ["KST-2025-01", "KST-2016-03"]
    fulfilled = dict(zip(header, rows[0], strict=True))
    assert fulfilled["Status in het register van de Kamer"] == "Voldaan"
    assert fulfilled["Toegezegd in document"] == "Kamerstuk 31 015, nr. 120"
    assert "Kamerstuk 31 015, nr. 131" in rows[0]
    assert "https://zoek.officielebekendmakingen.nl/kst-31015-131" in rows[0]
    overdue = dict(zip(header, rows[1], strict=True))
    assert overdue["Te laat (dagen)"] == str((TODAY - datetime.date(2016, 12, 23)).days)
    assert overdue["Uiterste datum"] == "2016-12-23"


def test_csv_writes_a_formula_as_text(client, world):
    world.coming.text = '=HYPERLINK("https://example.org")'
    world.coming.save()
    rows = list(csv.reader(io.StringIO(body(client.get(reverse("public:export_csv"))))))
    assert rows[1][3] == '\'=HYPERLINK("https://example.org")'


def test_json_is_the_filtered_list_in_the_register_shape(client, world):
    response = client.get(reverse("public:export_json"), {"plan": world.plan.pk})
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Link"] == '<https://creativecommons.org/publicdomain/zero/1.0/>; rel="license"'
    data = json.loads(body(response))
    assert data["@odata.context"] == register.EXPORT_CONTEXT
    records = data["value"]
    assert [r[register.REFERENCE_ANNOTATION] for r in records] == ["KST-2025-01", "KST-2016-03"]
    for record in records:
        assert set(record) == REGISTER_KEYS
    made_in_letter, made_in_debate = records
    assert made_in_letter["Status"] == "Voldaan"
    assert made_in_letter["Activiteit"] is None and made_in_letter["ActiviteitNummer"] is None
    assert made_in_letter["KamerbriefNakoming"][0]["Volgnummer"] == 131
    assert made_in_letter["Functie"] == "Staatssecretaris van Justitie"
    assert made_in_debate["Nummer"] == "TZ201604-001"
    assert made_in_debate["Status"] == "Openstaand"
    assert made_in_debate["Activiteit"]["Onderwerp"] == world.overdue.debate.title
    # The register's own reader reads them back.
    parsed = [register.parse_record(record) for record in records]
    assert [p.reference for p in parsed] == ["KST-2025-01", "KST-2016-03"]
    assert parsed[1].due_date == datetime.date(2016, 12, 23)


def test_the_list_links_both_files_with_its_filter_under_the_licence(client, world):
    html = body(client.get(reverse("public:list"), {"status": "open", "page": "1"}))
    assert 'href="/openbaar/toezeggingen.csv?status=open"' in html
    assert 'href="/openbaar/toezeggingen.json?status=open"' in html
    assert "publiek domein (CC0 1.0)" in html
    assert "public domain (CC0 1.0)" in html
    licence = "https://creativecommons.org/publicdomain/zero/1.0/deed.nl"
    assert f'rel="license" hreflang="nl" href="{licence}"' in html


# --- publication: the marking and the plan's default ------------------------------------------


def test_marking_public_in_the_form_is_recorded_in_the_history_with_the_actor(client, cast):
    commitment = CommitmentFactory(team=cast.team)
    assert not commitment.is_public
    client.force_login(cast.official)
    form = client.get(reverse("commitments:edit", args=[commitment.pk])).context["form"]
    assert "is_public" in form.fields
    data = {
        "reference": commitment.reference,
        "register_number": "",
        "text": commitment.text,
        "chamber": commitment.chamber,
        "made_by": commitment.made_by_id,
        "debate": f"[id {commitment.debate_id}]",
        "made_on": commitment.made_on.isoformat(),
        "deadline_wording": commitment.deadline_wording,
        "owner": "",
        "team": cast.team.pk,
        "is_public": "on",
        "version": commitment.version,
    }
    response = client.post(reverse("commitments:edit", args=[commitment.pk]), data)
    assert response.status_code == 302
    latest = Commitment.objects.get(pk=commitment.pk).history.first()
    assert latest.is_public is True
    assert latest.history_user == cast.official
    assert latest.prev_record.is_public is False
    assert commitment.reference in body(client.get(reverse("public:list")))


def test_withdrawing_publication_is_recorded_and_the_commitment_leaves_the_register(client, cast):
    commitment = CommitmentFactory(team=cast.team, is_public=True, text="Eerst openbaar.")
    assert "Eerst openbaar." in body(client.get(reverse("public:list")))
    services.commitment_update(
        commitment=commitment, author=cast.official, expected_version=None, is_public=False
    )
    latest = Commitment.objects.get(pk=commitment.pk).history.first()
    assert (latest.is_public, latest.history_user) == (False, cast.official)
    assert "Eerst openbaar." not in body(client.get(reverse("public:list")))


def test_an_outsider_cannot_publish_another_teams_commitment(cast):
    from tracker.access import AccessDenied

    commitment = CommitmentFactory(team=cast.team)
    with pytest.raises(AccessDenied):
        services.commitment_update(
            commitment=commitment, author=cast.outsider, expected_version=None, is_public=True
        )
    assert not Commitment.objects.get(pk=commitment.pk).is_public


def test_a_new_commitment_of_a_plan_public_by_default_starts_public(client, cast, today):
    public_plan = PlanFactory(commitments_public_by_default=True)
    quiet_plan = PlanFactory()
    public_activity = ActivityFactory(action_line__plan=public_plan)
    quiet_activity = ActivityFactory(action_line__plan=quiet_plan)
    template = CommitmentFactory(team=cast.team)
    client.force_login(cast.official)
    for reference, activity in (("TZ-NIEUW-1", public_activity), ("TZ-NIEUW-2", quiet_activity)):
        response = client.post(
            reverse("commitments:create"),
            {
                "reference": reference,
                "text": "De minister zal de Kamer voor de zomer informeren.",
                "chamber": "tk",
                "made_by": template.made_by_id,
                "debate": f"[id {template.debate_id}]",
                "made_on": "2025-07-02",
                "deadline_wording": "na de zomer",
                "team": cast.team.pk,
                "activities": [activity.pk],
            },
        )
        assert response.status_code == 302, response.context["form"].errors
    published = Commitment.objects.get(reference="TZ-NIEUW-1")
    assert published.is_public
    assert published.history.get().history_user == cast.official
    assert not Commitment.objects.get(reference="TZ-NIEUW-2").is_public
    assert shown_numbers(client.get(reverse("public:list"))) == ["TZ-NIEUW-1"]


def test_the_plans_default_leaves_a_commitment_without_activities_unpublished(cast):
    PlanFactory(commitments_public_by_default=True)
    commitment = services.commitment_create(
        author=cast.official,
        reference="TZ-LOS",
        text="Zonder activiteit.",
        made_by=BewindspersoonFactory(),
        debate=CommitmentFactory().debate,
        made_on=datetime.date(2025, 7, 2),
        team=cast.team,
    )
    assert not commitment.is_public


def test_the_2016_plan_is_public_by_default_and_so_are_its_commitments(client, plan_2016):
    plan = Plan.objects.get(title="Plan van aanpak bestrijding kindersekstoerisme 2016")
    assert plan.commitments_public_by_default
    assert not Plan.objects.get(title__endswith="2013").commitments_public_by_default
    response = client.get(reverse("public:list"))
    assert sorted(shown_numbers(response)) == [f"KST-2016-0{n}" for n in range(1, 6)]
    assert client.get(reverse("public:plan_detail", args=[plan.pk])).status_code == 200


def test_a_plan_loaded_before_publication_existed_follows_the_fixture_when_offered_again(
    plan_2016,
):
    """A database that loaded the plan before these fields existed: the migration remembers the
    fields' default as what the fixture gave, so offering the fixture again applies the new
    marking (as the data load, in the history) instead of refusing it as somebody's change."""
    migration = importlib.import_module("commitments.migrations.0010_public_register")
    plan_migration = importlib.import_module("actionlines.migrations.0003_public_register")
    Commitment.objects.all().unaudited_update(is_public=False)
    Plan.objects.all().unaudited_update(commitments_public_by_default=False)
    for memory in SourceRecord.objects.all():
        memory.values.pop("is_public", None)
        memory.values.pop("commitments_public_by_default", None)
        memory.save()
    migration.remember_default_as_given(apps, None)
    plan_migration.remember_default_as_given(apps, None)

    call_command("loaddata", "plan_2016", verbosity=0)

    assert set(Commitment.objects.values_list("is_public", flat=True)) == {True}
    latest = Commitment.objects.get(reference="KST-2016-03").history.first()
    assert latest.is_public and latest.history_user.username == "system:fixture"
    assert Plan.objects.get(title__endswith="2016").commitments_public_by_default


# --- cache and queries ------------------------------------------------------------------------


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        # A streamed file reads the database only as it is sent.
        body(response)
    assert response.status_code == 200, url
    return len(captured)


def test_a_cached_page_costs_no_query_and_a_save_shows_at_once(
    client, world, django_capture_on_commit_callbacks
):
    url = reverse("public:list")
    assert "De minister informeert de Kamer over de Green Notices." in body(client.get(url))
    assert queries_for(client, url) == 0
    with django_capture_on_commit_callbacks(execute=True):
        services.commitment_update(
            commitment=world.overdue,
            author=UserFactory(is_superuser=True),
            expected_version=None,
            text="De minister informeert de Kamer over de Green Notices en de toolkit.",
        )
    assert queries_for(client, url) > 0
    assert "Green Notices en de toolkit." in body(client.get(url))


def test_an_activitys_progress_and_a_plans_change_refresh_the_plan_page(client, world, cast):
    url = reverse("public:plan_detail", args=[world.plan.pk])
    assert 'value="40"' in body(client.get(url))
    plan_services.activity_update_progress(
        activity=world.activity, author=cast.official, status="in_progress", progress=75
    )
    assert 'value="75"' in body(client.get(url))
    world.plan.summary = "Een bijgewerkte samenvatting."
    world.plan.save()
    assert "Een bijgewerkte samenvatting." in body(client.get(url))


def test_each_language_has_its_own_cached_page(client, world):
    url = reverse("public:list")
    assert '<html lang="nl">' in body(client.get(url))
    client.cookies["django_language"] = "en"
    english = body(client.get(url))
    assert '<html lang="en">' in english
    assert "Fulfilled by" in english


@pytest.mark.parametrize(
    "url",
    [
        "/openbaar/",
        "/openbaar/?status=open&status=in_progress&overdue=1",
        "/openbaar/?q=minister&year=2025",
        "/openbaar/?page=2",
        "/openbaar/plannen/",
        "plan",
    ],
)
def test_queries_per_page_do_not_grow_with_rows(client, world, url):
    if url == "plan":
        url = reverse("public:plan_detail", args=[world.plan.pk])

    def grow(count):
        for _number in range(count):
            commitment = CommitmentFactory(made_by=world.steur, is_public=True, team=world.team)
            commitment.activities.add(world.activity)
            commitment.fulfilling_documents.add(world.letter, DocumentFactory(volgnummer=None))
            ActivityFactory(action_line=world.activity.action_line)

    grow(3)
    cache.clear()
    few = queries_for(client, url)
    grow(120)
    cache.clear()
    many = queries_for(client, url)
    assert few == many, (url, few, many)
    assert many <= 14, (url, many)


def test_exports_cost_the_same_queries_for_few_and_many_rows(client, world):
    def grow(count):
        for _number in range(count):
            commitment = CommitmentFactory(made_by=world.steur, is_public=True)
            commitment.fulfilling_documents.add(world.letter)

    for name in ("public:export_csv", "public:export_json"):
        few = queries_for(client, reverse(name))
        grow(40)
        many = queries_for(client, reverse(name))
        assert few == many, (name, few, many)
        assert 0 < many <= 5, (name, many)


# --- language ---------------------------------------------------------------------------------


def test_an_anonymous_visitors_language_is_kept_in_the_cookie(client, world):
    response = client.get(
        reverse("public:language"), {"language": "en", "next": "/openbaar/?status=open"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/openbaar/?status=open"
    assert response.cookies["django_language"].value == "en"
    assert "no-store" in response["Cache-Control"]
    page = client.get(response["Location"])
    assert page["Content-Language"] == "en"
    assert "Commitments to parliament" in body(page)


def test_the_language_switch_goes_back_only_to_this_site(client):
    response = client.get(
        reverse("public:language"), {"language": "nl", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("public:list")
    response = client.get(reverse("public:language"), {"language": "xx"})
    assert "django_language" not in response.cookies


def test_the_language_form_on_the_page_keeps_the_page_and_its_filter(client, world):
    html = body(client.get(reverse("public:list"), {"status": "open"}))
    assert 'action="/openbaar/taal/" method="get"' in html
    assert 'name="next" type="hidden" value="/openbaar/?status=open"' in html
    assert "csrfmiddlewaretoken" not in html


# --- in the browser ---------------------------------------------------------------------------


@pytest.mark.browser
# The live server runs in another thread: it sees only committed data.
@pytest.mark.django_db(transaction=True)
def test_the_public_pages_pass_axe_in_dutch_and_english(public_browser_page):
    from tests.test_browser import assert_accessible, follow, t

    page, plan = public_browser_page
    page.goto("/openbaar/")
    assert page.locator("html").get_attribute("lang") == "nl"
    assert page.locator("h1").inner_text() == t("Commitments to parliament")
    assert page.locator("article.public-commitment").count() == 5
    assert_accessible(page, "public-list-nl")

    page.get_by_label(t("Language")).select_option("en")
    follow(page, page.get_by_role("button", name=t("Switch")))
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.url.endswith("/openbaar/")

    for language in ("en", "nl"):
        if language == "nl":
            page.get_by_label("Language").select_option("nl")
            follow(page, page.get_by_role("button", name="Switch"))
        assert page.locator("html").get_attribute("lang") == language
        filters = page.locator("form.filters")
        filters.get_by_role("checkbox", name=t("Only overdue", language)).check()
        follow(page, filters.get_by_role("button", name=t("Apply filters", language)))
        assert "overdue=1" in page.url
        assert page.locator("article.public-commitment").count() == 3
        assert_accessible(page, f"public-list-filtered-{language}")
        page.goto(f"/openbaar/plannen/{plan.pk}/")
        assert page.locator("progress").count() == 6
        assert_accessible(page, f"public-plan-{language}")
        page.goto("/openbaar/plannen/")
        assert_accessible(page, f"public-plans-{language}")
        page.goto("/openbaar/")


@pytest.fixture
def public_browser_page(request):
    """An anonymous visitor's browser on the public register, with the 2016 plan loaded.

    The browser comes first, as in tests/test_browser.py: it skips before any database work
    when there is no Chromium, and allows the database access Playwright's loop would forbid.
    """
    request.getfixturevalue("browser")
    open_page = request.getfixturevalue("new_page")
    call_command("loaddata", "plan_2016", verbosity=0)
    plan = Plan.objects.get(title="Plan van aanpak bestrijding kindersekstoerisme 2016")
    return open_page(), plan
