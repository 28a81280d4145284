"""Malformed query strings and form values never produce a server error, and change nothing."""

import string

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commitments.models import Commitment, DeadlineChange, ParliamentaryDocument, ProgressUpdate
from tests.factories import CommitmentFactory

pytestmark = pytest.mark.django_db

FILTER_NAMES = [
    "q",
    "status",
    "overdue",
    "due_within",
    "due_date_after",
    "due_date_before",
    "made_on_after",
    "made_on_before",
    "action_line",
    "activity",
    "made_by",
    "ministry",
    "debate",
    "debate_text",
    "team",
    "owner",
    "letter",
    "sort",
    "page",
    "per_page",
]
NASTY = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            "-1",
            "0",
            "99999999999999999999",
            "1e309",
            "NaN",
            "2025-02-30",
            "31-12-2025",
            "1' OR '1'='1",
            "<script>",
            "\x00",
            "%00",
            "open",
            "fulfilled",
            "true",
            "[]",
            "1.5",
        ]
    ),
    st.integers().map(str),
    st.dates().map(str),
)
QUERY = st.lists(st.tuples(st.sampled_from(FILTER_NAMES), NASTY), max_size=8)
FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def encode(pairs):
    from urllib.parse import urlencode

    return urlencode([(name, value.replace("\x00", "")) for name, value in pairs])


@FUZZ
@given(pairs=QUERY)
def test_list_answers_any_query_string(client, cast, pairs):
    CommitmentFactory(team=cast.team)
    client.force_login(cast.staff)
    # Empty parameters are redirected to the clean link first, once.
    response = client.get(f"/commitments/?{encode(pairs)}", follow=True)
    assert response.status_code == 200
    assert len(response.redirect_chain) <= 1


@FUZZ
@given(pairs=QUERY)
def test_exports_answer_any_query_string(client, cast, pairs):
    client.force_login(cast.staff)
    query = encode(pairs)
    csv_response = client.get(f"/commitments/export.csv?{query}")
    assert csv_response.status_code == 200
    b"".join(csv_response.streaming_content)
    assert client.get(f"/commitments/export.xlsx?{query}").status_code == 200


FORM_VALUE = st.one_of(
    st.text(alphabet=string.printable, max_size=30),
    st.sampled_from(["", "-5", "101", "2025-13-01", "31 015", "fulfilled", "approve", "999999"]),
)


def snapshot():
    return (
        list(Commitment.objects.values_list("status", "due_date", "text", "version")),
        ProgressUpdate.objects.count(),
        DeadlineChange.objects.count(),
        ParliamentaryDocument.objects.count(),
    )


@FUZZ
@given(
    data=st.fixed_dictionaries(
        {},
        optional=dict.fromkeys(
            [
                "status",
                "note",
                "evidence_document",
                "evidence_url",
                "version",
                "new_document_dossier",
                "new_document_volgnummer",
                "new_document_date",
                "new_document_title",
            ],
            FORM_VALUE,
        ),
    )
)
def test_progress_form_refuses_bad_values_without_a_server_error(client, cast, data):
    commitment = CommitmentFactory(team=cast.team)
    client.force_login(cast.official)
    before = snapshot()
    response = client.post(reverse("commitments:progress", args=[commitment.pk]), data)
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert snapshot() == before


@FUZZ
@given(
    data=st.fixed_dictionaries(
        {},
        optional=dict.fromkeys(
            [
                "reference",
                "text",
                "chamber",
                "made_by",
                "debate",
                "made_on",
                "deadline_wording",
                "due_date",
                "team",
                "owner",
                "made_to",
                "activities",
                "register_number",
                "source_document",
            ],
            FORM_VALUE,
        ),
    )
)
def test_commitment_form_refuses_bad_values_without_a_server_error(client, cast, data):
    client.force_login(cast.official)
    before = Commitment.objects.count()
    response = client.post(reverse("commitments:create"), data)
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert Commitment.objects.count() == before


@FUZZ
@given(
    data=st.fixed_dictionaries(
        {}, optional={"new_due_date": FORM_VALUE, "reason": FORM_VALUE, "decision": FORM_VALUE}
    )
)
def test_deadline_forms_refuse_bad_values_without_a_server_error(client, cast, data):
    commitment = CommitmentFactory(team=cast.team)
    client.force_login(cast.official)
    response = client.post(reverse("commitments:deadline_request", args=[commitment.pk]), data)
    assert response.status_code in (200, 302)
    change = DeadlineChange.objects.first()
    if change is not None:
        client.force_login(cast.manager)
        decided = client.post(reverse("commitments:deadline_decide", args=[change.pk]), data)
        assert decided.status_code in (200, 302)


# --- NUL characters ------------------------------------------------------------------------------
# PostgreSQL cannot take a string with a NUL (0x00): every request that carries one is refused
# with 400 before any view runs (tracker/input_guard.py).

NUL_MESSAGE = "Uw invoer bevat een teken dat niet is toegestaan (NUL)"
NUL_MESSAGE_EN = "Your input contains a character that is not allowed (NUL)"


@pytest.mark.parametrize(
    "url",
    [
        "/documents/?q=%00",
        "/debates/?q=a%00b",
        "/commitments/?q=%00",
        "/commitments/?status=open&debate_text=x%00",
        "/commitments/export.csv?q=%00",
        "/?a%00=1",
        "/notifications/?page=1&page=%00",
    ],
)
def test_a_nul_in_the_query_string_is_refused_with_a_message(client, cast, url):
    client.force_login(cast.staff)
    response = client.get(url)
    assert response.status_code == 400
    assert NUL_MESSAGE in response.content.decode()


def test_a_nul_in_an_admin_filter_or_search_is_refused(client, cast):
    client.force_login(cast.admin)
    for url in (
        "/admin/commitments/commitment/?status__exact=%00",
        "/admin/commitments/commitment/?q=%00",
        "/admin/commitments/commitment/%00/change/",
    ):
        assert client.get(url).status_code == 400, url


def test_the_message_is_in_the_language_the_user_chose(client, cast):
    client.force_login(cast.staff)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/documents/?q=%00")
    assert response.status_code == 400
    assert NUL_MESSAGE_EN in response.content.decode()
    assert response["Content-Language"] == "en"


def test_a_nul_in_a_form_value_or_field_name_changes_nothing(client, cast):
    commitment = CommitmentFactory(team=cast.team)
    client.force_login(cast.official)
    url = reverse("commitments:progress", args=[commitment.pk])
    before = snapshot()
    for data in (
        {"status": "in_progress", "note": "Klaar\x00", "version": commitment.version},
        {"status": "in_progress", "note\x00": "Klaar", "version": commitment.version},
        {
            "status": "in_progress",
            "version": commitment.version,
            "evidence\x00file": SimpleUploadedFile("brief.pdf", b"%PDF-1.4\n"),
        },
    ):
        response = client.post(url, data)
        assert response.status_code == 400
        assert NUL_MESSAGE in response.content.decode()
    assert snapshot() == before


def test_a_nul_in_a_login_is_refused(client, cast):
    for url in (reverse("login"), "/admin/login/"):
        response = client.post(url, {"username": "official\x00", "password": "x"})
        assert response.status_code == 400, url


def test_a_nul_in_the_session_cookie_is_refused(client, cast):
    client.cookies[django_settings.SESSION_COOKIE_NAME] = "abcdefgh\x00ijkl"
    assert client.get(reverse("commitments:my_work")).status_code == 400


def test_text_without_nul_passes_the_guard(client, cast):
    client.force_login(cast.staff)
    for query in ("q=%E2%80%AEevil", "q=e%CC%81", "q=%F0%9F%98%80", "q=%01%1F"):
        assert client.get(f"/documents/?{query}").status_code == 200, query


def test_requests_refused_before_the_user_is_known_still_answer_400(client, cast):
    # An unknown host, and a form too large to read, fail before the session and the user
    # are loaded: the page that says so must not need them.
    assert client.get("/", HTTP_HOST="elsewhere.invalid").status_code == 400
    client.force_login(cast.official)
    too_many = {f"field{number}": "x" for number in range(1_100)}
    assert client.post(reverse("commitments:create"), too_many).status_code == 400


def test_an_empty_to_field_in_an_admin_url_is_the_primary_key(client, cast):
    from tests.factories import ActivityFactory

    activity = ActivityFactory()
    client.force_login(cast.admin)
    for view in ("change", "delete"):
        url = reverse(f"admin:actionlines_activity_{view}", args=[activity.pk])
        assert client.get(url, {"_to_field": ""}).status_code == 200
