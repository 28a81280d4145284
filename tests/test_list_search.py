"""Policy staff's list: a search that ignores accents and case, a clean link to share, the page
each role lands on, a filter form in Dutch words, and the list as cards on a phone.

The search tests run on whichever database the run uses; run them once with DATABASE_URL set
to prove the same on PostgreSQL, where the EXPLAIN test also checks the search's indexes.
"""

import re
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.urls import reverse

from commitments import services
from commitments.models import Commitment
from commitments.search import FIELD_SEPARATOR, fold, search_column
from tests.factories import BewindspersoonFactory, CommitmentFactory, DebateFactory, UserFactory
from tests.test_browser import browser, new_page, screenshot, t  # noqa: F401 - fixtures

LIST = "/commitments/"


def listed(response) -> list[str]:
    return [row["reference"] for row in response.context["page"].object_list]


@pytest.fixture
def texts(cast):
    """Commitments whose words carry accents, and one that matches none of the searches."""
    return {
        "barriere": CommitmentFactory(
            reference="TZ-BARRIERE",
            team=cast.team,
            is_public=True,
            text="De minister zal de Kamer informeren over het Barrièremodel.",
        ),
        "financiering": CommitmentFactory(
            reference="TZ-EOKM",
            team=cast.team,
            text="De minister zal de Kamer berichten over de financiering van het EOKM.",
        ),
        "percent": CommitmentFactory(
            reference="TZ-PROCENT",
            team=cast.team,
            text="Een bereik van 100% onder reizigers.",
        ),
        "other": CommitmentFactory(
            reference="TZ-ANDERS",
            team=cast.team,
            is_public=True,
            text="De staatssecretaris zal de Kamer voor de zomer een brief sturen.",
        ),
    }


# --- search ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "query", ["barrieremodel", "BARRIEREMODEL", "Barrièremodel", "barrière", "BARRIÈREMODEL"]
)
def test_search_finds_barrieremodel_whatever_the_accents_and_case(client, cast, texts, query):
    client.force_login(cast.staff)
    response = client.get(LIST, {"q": query})
    assert listed(response) == ["TZ-BARRIERE"]


def test_an_accent_typed_by_the_user_finds_the_word_written_without_it(client, cast, texts):
    client.force_login(cast.staff)
    assert listed(client.get(LIST, {"q": "financiëring"})) == ["TZ-EOKM"]
    assert listed(client.get(LIST, {"q": "tz-eokm"})) == ["TZ-EOKM"]


def test_percent_and_underscore_in_a_search_are_plain_characters(client, cast, texts):
    client.force_login(cast.staff)
    assert listed(client.get(LIST, {"q": "100%"})) == ["TZ-PROCENT"]
    assert listed(client.get(LIST, {"q": "%"})) == ["TZ-PROCENT"]
    assert listed(client.get(LIST, {"q": "_"})) == []


def test_the_debate_search_also_ignores_accents(client, cast):
    debate = DebateFactory(title="Commissiedebat Zoëtermeer-overleg")
    CommitmentFactory(reference="TZ-DEBAT", team=cast.team, debate=debate)
    CommitmentFactory(reference="TZ-ELDERS", team=cast.team)
    client.force_login(cast.staff)
    assert listed(client.get(LIST, {"debate_text": "zoetermeer"})) == ["TZ-DEBAT"]


def test_the_api_and_the_public_register_search_the_same_way(client, cast, texts):
    public = client.get(reverse("public:list"), {"q": "barrieremodel"}).content.decode()
    assert "TZ-BARRIERE" in public
    assert "TZ-ANDERS" not in public

    client.force_login(cast.staff)
    body = client.get("/api/v1/commitments/", {"q": "BARRIERE"}).json()
    assert [row["reference"] for row in body["results"]] == ["TZ-BARRIERE"]


def test_the_fold_of_sqlite_matches_what_the_database_folds(db):
    with connection.cursor() as cursor:
        function = (
            "UPPER(tracker_unaccent(%s))"
            if connection.vendor == "postgresql"
            else "tracker_fold(%s)"
        )
        cursor.execute(f"SELECT {function}", ["Barrièremodel, Zoë en Curaçao"])
        (folded,) = cursor.fetchone()
    assert folded == fold("Barrièremodel, Zoë en Curaçao") == "BARRIEREMODEL, ZOE EN CURACAO"


def test_the_search_column_follows_every_edit_of_the_reference_and_the_text(client, cast):
    commitment = CommitmentFactory(
        reference="TZ-OUD", text="Over het Barrièremodel.", team=cast.team
    )
    commitment.refresh_from_db()
    assert commitment.search_text == f"TZ-OUD{FIELD_SEPARATOR}OVER HET BARRIEREMODEL."
    services.commitment_update(
        commitment=commitment,
        author=cast.official,
        expected_version=commitment.version,
        reference="TZ-NIEUW",
        text="Over de Green Notices van Interpol.",
    )
    client.force_login(cast.staff)
    assert listed(client.get(LIST, {"q": "notices"})) == ["TZ-NIEUW"]
    assert listed(client.get(LIST, {"q": "nieuw"})) == ["TZ-NIEUW"]
    assert listed(client.get(LIST, {"q": "barrière"})) == []
    assert listed(client.get(LIST, {"q": "TZ-OUD"})) == []


def test_a_search_never_matches_across_the_reference_and_the_text(cast):
    CommitmentFactory(reference="TZ-GRENS", text="Over de liaison.")
    searched = Commitment.objects.filter
    assert searched(search_column("GRENS", "search_text")).count() == 1
    assert searched(search_column("grens over", "search_text")).count() == 0
    assert searched(search_column(f"GRENS{FIELD_SEPARATOR}OVER", "search_text")).count() == 0


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the trigram indexes are PostgreSQL's"
)
def test_the_search_is_served_by_the_trigram_index_of_its_column_on_postgresql(cast):
    made_by, debate = BewindspersoonFactory(), DebateFactory()
    words = ("kindersekstoerisme", "liaison", "Green Notices", "voortgangsbrief", "EOKM")
    Commitment.objects.bulk_create(
        Commitment(
            reference=f"TZ-LOAD-{number:05d}",
            text=f"De minister zal de Kamer informeren over {words[number % 5]} ({number}).",
            made_by=made_by,
            debate=debate,
            made_on="2016-09-06",
            team=cast.team,
        )
        for number in range(4000)
    )
    CommitmentFactory(reference="TZ-BARRIERE", text="Over het Barrièremodel.", team=cast.team)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE commitments_commitment")
    search = Commitment.objects.filter(search_column("barrieremodel", "search_text"))
    assert list(search.values_list("reference", flat=True)) == ["TZ-BARRIERE"]
    plan = search.explain()
    if "commitment_search_text_trgm" not in plan:
        # The planner may still judge a scan of the table, or of another index in the model's
        # order, cheaper on a test table of a few thousand rows (and one that earlier tests
        # left full of dead rows); forbidding both proves the index can serve this very
        # expression.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_indexscan = off")
        plan = search.explain()
    assert "commitment_search_text_trgm" in plan, plan
    assert "Seq Scan" not in plan, plan


# --- a clean link ---------------------------------------------------------------------------
def test_empty_parameters_and_defaults_are_redirected_to_the_clean_link(client, cast):
    client.force_login(cast.staff)
    response = client.get(
        LIST + "?q=&status=open&status=in_progress&due_within=&team=&sort=due_date&per_page=50"
        "&page=2&debate_text=+"
    )
    assert response.status_code == 302
    assert response["Location"] == LIST + "?status=open&status=in_progress&page=2"


def test_a_form_sent_with_nothing_filled_in_leads_to_the_bare_list(client, cast):
    client.force_login(cast.staff)
    response = client.get(LIST + "?q=&due_within=&action_line=&owner=&sort=due_date&per_page=50")
    assert response.status_code == 302
    assert response["Location"] == LIST


def test_a_clean_link_with_sort_and_pages_is_shown_as_it_is(client, cast):
    for number in range(30):
        CommitmentFactory(reference=f"TZ-{number:03d}", team=cast.team)
    client.force_login(cast.staff)
    response = client.get(LIST + "?sort=reference&per_page=25&page=2")
    assert response.status_code == 200
    assert listed(response) == ["TZ-025", "TZ-026", "TZ-027", "TZ-028", "TZ-029"]
    # The sort links of the header lead to clean links too.
    assert 'href="?per_page=25"' in response.content.decode()


# --- landing --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("role", "landing"),
    [
        ("official", None),
        ("outsider", None),
        ("manager", "/dashboard/"),
        ("director", "/dashboard/"),
        ("staff", LIST),
        ("admin", LIST),
    ],
)
def test_each_role_lands_where_its_work_is(client, cast, role, landing):
    client.force_login(getattr(cast, role))
    response = client.get("/")
    if landing is None:
        assert response.status_code == 200
        assert "commitments/my_work.html" in [template.name for template in response.templates]
    else:
        assert response.status_code == 302
        assert response["Location"] == landing
        assert client.get(landing).status_code == 200


def test_an_official_who_also_manages_still_lands_on_their_work(client, cast):
    cast.team.members.add(cast.manager)
    client.force_login(cast.manager)
    assert client.get("/").status_code == 200


def test_staff_land_on_the_list_after_logging_in(client, cast):
    response = client.post(
        reverse("login"),
        {"username": "staff", "password": "correct horse battery staple"},
        follow=True,
    )
    assert [url for url, _status in response.redirect_chain] == ["/", LIST]
    assert response.status_code == 200


# --- Dutch words in the filter form ---------------------------------------------------------
def test_the_list_filter_form_has_no_django_placeholders(client, cast, texts):
    client.force_login(cast.staff)
    html = client.get(LIST).content.decode()
    assert "---------" not in html
    selects = re.findall(r'<select[^>]* name="(\w+)"[^>]*><option value="">([^<]*)</option>', html)
    names = {name for name, _label in selects}
    assert {"action_line", "activity", "made_by", "ministry", "team", "owner"} <= names
    assert {label for _name, label in selects} == {"Alle"}


# --- the list in the browser ----------------------------------------------------------------
PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory


@pytest.fixture
def listed_in_browser(browser, transactional_db, cast):  # noqa: F811 - the fixture imported
    """A list with long texts, long names and overdue work, the worst case for narrow columns."""
    owner = UserFactory(first_name="Maria-Christina", last_name="van den Berg-Oudshoorn")
    cast.team.members.add(owner)
    made_by = BewindspersoonFactory(name="G.A. van der Steur-Vermeulen")
    long_text = (
        "De minister zal de Kamer in de voortgangsbrief aanpak van kinderporno en "
        "kindersekstoerisme van volgend jaar informeren over de uitvoering van de acties."
    )
    for number in range(6):
        CommitmentFactory(
            reference=f"TZ202609-{number:03d}",
            text=long_text,
            team=cast.team,
            owner=owner,
            made_by=made_by,
            status="open" if number % 2 else "in_progress",
            due_date="2016-11-30" if number < 3 else "2027-06-30",
            original_due_date="2016-11-30",
        )
    CommitmentFactory(
        reference="TZ202609-GN",
        text="De minister zal de Kamer informeren over de stand van zaken van de Green Notices.",
        team=cast.team,
        owner=owner,
        made_by=made_by,
    )
    return cast


def _log_in(page, username):
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name=t("Log in")).click()


@pytest.mark.browser
def test_on_a_phone_the_list_shows_cards_and_folds_its_filters(new_page, listed_in_browser):  # noqa: F811
    page = new_page(width=390)
    _log_in(page, "staff")
    assert urlsplit(page.url).path == LIST, "staff land on the list"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # The filters fold behind a button below the result count.
    panel = page.locator("details.filter-panel")
    assert panel.get_attribute("open") is None
    assert not page.locator("form.filters").is_visible()
    count = page.locator("#results-heading").bounding_box()
    summary = page.locator("details.filter-panel > summary").bounding_box()
    assert summary["y"] >= count["y"] + count["height"]

    # Each commitment a card, its due date, status and owner in view without scrolling sideways.
    card = page.locator(".commitment-table tbody tr").first
    assert card.is_visible()
    card_box = card.bounding_box()
    assert card_box["x"] >= 0 and card_box["x"] + card_box["width"] <= 390
    for name in ("Due date", "Status", "Owner"):
        cell = card.locator(f'td[data-label="{t(name)}"]')
        assert cell.is_visible(), name
        box = cell.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, (name, box)
        before = page.evaluate(
            "cell => getComputedStyle(cell, '::before').content", cell.element_handle()
        )
        assert before == f'"{t(name)}"'
    # The header is left to screen readers: on a card each value carries its name.
    assert page.locator(".commitment-table thead").bounding_box()["height"] <= 1
    screenshot(page, "mobile-commitment-list")

    # The button unfolds them, and the search sends only what was filled in.
    panel.locator("summary").click()
    assert page.locator("form.filters").is_visible()
    page.locator("#id_q").fill("green notices")
    with page.expect_navigation():
        page.get_by_role("button", name=t("Apply filters")).click()
    assert page.url.endswith(f"{LIST}?q=green+notices")
    assert page.locator(".commitment-table tbody tr td:first-child a").all_inner_texts() == [
        "TZ202609-GN"
    ]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.mark.browser
def test_on_a_laptop_no_column_of_the_list_is_cut_off(new_page, listed_in_browser):  # noqa: F811
    page = new_page(width=1366)
    _log_in(page, "staff")
    assert urlsplit(page.url).path == LIST
    assert page.locator("form.filters").is_visible(), "the filters stay open on a wide screen"
    assert page.locator(".commitment-table thead").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    cut = page.evaluate(
        """() => [...document.querySelectorAll('.commitment-table th, .commitment-table td')]
            .filter(cell => cell.scrollWidth > cell.clientWidth).map(cell => cell.innerText)"""
    )
    assert cut == []
    wrap = page.locator(".table-wrap").element_handle()
    assert page.evaluate("wrap => wrap.scrollWidth <= wrap.clientWidth", wrap)
    screenshot(page, "laptop-commitment-list")


@pytest.mark.browser
def test_without_javascript_the_server_cleans_the_link_of_the_filter_form(
    new_page,  # noqa: F811
    listed_in_browser,
):
    page = new_page(javascript=False)
    _log_in(page, "staff")
    page.locator("#id_q").fill("GREEN NOTICES")
    with page.expect_navigation():
        page.get_by_role("button", name=t("Apply filters")).click()
    assert page.url.endswith(f"{LIST}?q=GREEN+NOTICES")
    assert page.locator(".commitment-table tbody tr td:first-child a").all_inner_texts() == [
        "TZ202609-GN"
    ]


def test_a_user_without_a_role_still_sees_their_work(client, db):
    client.force_login(UserFactory())
    assert client.get("/").status_code == 200
