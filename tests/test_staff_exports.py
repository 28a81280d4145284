"""Policy staff's exports (Excel, CSV for machines, CSV for Dutch Excel) and the overview of open
commitments for the Kamer, as a page and as a Word document."""

import csv
import datetime
import inspect
import io
import zoneinfo

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from docx import Document
from openpyxl import load_workbook

from actionlines.models import ActionLine
from commitments import services
from tests import test_browser
from tests.factories import (
    ActivityFactory,
    BewindspersoonFactory,
    CommitmentFactory,
    CommitteeFactory,
    DebateFactory,
    DocumentFactory,
    FollowUpLetterFactory,
    PlanFactory,
)

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")
EXPORTS = ("/commitments/export.xlsx", "/commitments/export.csv", "/commitments/export-excel.csv")


@pytest.fixture
def today(time_machine):
    time_machine.move_to(datetime.datetime(2025, 11, 3, 10, 0, tzinfo=AMSTERDAM), tick=False)
    return datetime.date(2025, 11, 3)


def at(time_machine, day: datetime.date):
    time_machine.move_to(datetime.datetime.combine(day, datetime.time(10), AMSTERDAM), tick=False)


@pytest.fixture
def exported(cast, today, time_machine):
    """One commitment with everything the staff asked for in a column, and a plain one."""
    plan = PlanFactory(title="Plan van aanpak kindersekstoerisme")
    prevention = ActionLine.objects.create(plan=plan, number=1, title="Preventie")
    detection = ActionLine.objects.create(plan=plan, number=2, title="Opsporing")
    full = CommitmentFactory(
        reference="KST-01",
        register_number="TZ202512-001",
        text="De minister informeert de Kamer over het Barrièremodel.",
        team=cast.team,
        owner=cast.official,
        due_date=datetime.date(2025, 10, 1),
    )
    full.activities.add(
        ActivityFactory(plan=plan, action_line=detection, title="Toolkit"),
        ActivityFactory(plan=plan, action_line=prevention, title="Barrièremodel"),
        ActivityFactory(plan=plan, action_line=prevention, title="Aanjaagteam"),
    )
    letter = FollowUpLetterFactory(title="Voortgangsbrief najaar 2025", team=cast.team)
    letter.commitments.add(full)
    at(time_machine, datetime.date(2025, 9, 1))
    services.commitment_update_progress(
        commitment=full, author=cast.official, status="in_progress", note="Eerste overleg."
    )
    at(time_machine, datetime.date(2025, 10, 14))
    services.commitment_update_progress(
        commitment=full, author=cast.official, status="in_progress", note="Concept bij de DG."
    )
    services.commitment_update_progress(
        commitment=full, author=cast.official, status="in_progress", note=""
    )
    at(time_machine, today)
    plain = CommitmentFactory(reference="KST-02", due_date=datetime.date(2026, 3, 1))
    return full, plain


def content(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


# --- Excel --------------------------------------------------------------------------------------


def test_excel_export_has_dutch_date_cells_a_frozen_filtered_header_and_the_asked_columns(
    client, cast, exported
):
    full, plain = exported
    client.force_login(cast.staff)
    response = client.get("/commitments/export.xlsx?sort=due_date")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(content(response))).active
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:X3"
    header = [cell.value for cell in sheet[1]]
    assert header[:3] == ["Kenmerk", "Registernummer", "Tekst"]
    assert header[-6:] == [
        "Actielijnen",
        "Activiteiten",
        "Vervolgbrieven",
        "Laatste voortgangsnotitie",
        "Datum laatste voortgangsnotitie",
        "Link",
    ]
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.column_dimensions["C"].width >= 60  # the text
    assert sheet.column_dimensions["N"].width >= 10  # a date fits
    row = dict(zip(header, sheet[2], strict=True))
    assert row["Kenmerk"].value == "KST-01"
    assert row["Registernummer"].value == "TZ202512-001"
    assert row["Tekst"].value == full.text
    assert row["Uiterste datum"].is_date
    assert row["Uiterste datum"].value == datetime.datetime(2025, 10, 1)
    assert row["Uiterste datum"].number_format == "dd-mm-yyyy"
    assert row["Te laat (dagen)"].value == 33
    assert row["Eigenaar"].value == cast.official.get_full_name()
    assert row["Team"].value == "Team Jeugd"
    assert row["Toegezegd door"].value == full.made_by.name
    assert row["Actielijnen"].value == "1. Preventie; 2. Opsporing"
    assert row["Activiteiten"].value == "Aanjaagteam; Barrièremodel; Toolkit"
    assert row["Vervolgbrieven"].value == "Voortgangsbrief najaar 2025"
    assert row["Laatste voortgangsnotitie"].value == "Concept bij de DG."
    assert row["Datum laatste voortgangsnotitie"].value == datetime.datetime(2025, 10, 14)
    assert row["Datum laatste voortgangsnotitie"].number_format == "dd-mm-yyyy"
    url = f"{settings.SITE_URL}/commitments/{full.pk}/"
    assert row["Link"].value == url
    assert row["Link"].hyperlink.target == url
    second = {name: cell.value for name, cell in zip(header, sheet[3], strict=True)}
    assert second["Kenmerk"] == "KST-02"
    assert second["Te laat (dagen)"] is None
    assert second["Actielijnen"] is None
    assert second["Laatste voortgangsnotitie"] is None


# --- CSV ----------------------------------------------------------------------------------------


def test_rfc_4180_csv_is_comma_separated_with_iso_dates_and_no_byte_order_mark(
    client, cast, exported
):
    full, _plain = exported
    client.force_login(cast.staff)
    response = client.get("/commitments/export.csv?sort=due_date")
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    raw = content(response)
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in raw
    header, *rows = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))
    assert len(header) == 24
    row = dict(zip(header, rows[0], strict=True))
    assert row["Uiterste datum"] == "2025-10-01"
    assert row["Datum laatste voortgangsnotitie"] == "2025-10-14"
    assert row["Actielijnen"] == "1. Preventie; 2. Opsporing"
    assert row["Link"] == f"{settings.SITE_URL}/commitments/{full.pk}/"
    assert [r[0] for r in rows] == ["KST-01", "KST-02"]


def test_csv_for_dutch_excel_is_semicolon_separated_utf8_with_bom_and_dutch_dates(
    client, cast, exported
):
    full, _plain = exported
    client.force_login(cast.staff)
    response = client.get("/commitments/export-excel.csv?sort=due_date")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('-excel.csv"')
    raw = content(response)
    assert raw.startswith(b"\xef\xbb\xbf")  # without it Excel reads "BarriÃ¨remodel"
    text = raw.decode("utf-8")[1:]
    first_line = text.split("\r\n", 1)[0]
    assert first_line.startswith("Kenmerk;Registernummer;Tekst;")
    header, *rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    row = dict(zip(header, rows[0], strict=True))
    assert row["Tekst"] == full.text
    assert row["Uiterste datum"] == "01-10-2025"
    assert row["Toegezegd op"] == "02-07-2025"
    assert row["Datum laatste voortgangsnotitie"] == "14-10-2025"
    assert row["Te laat (dagen)"] == "33"
    assert row["Activiteiten"] == "Aanjaagteam; Barrièremodel; Toolkit"


def test_the_list_offers_every_export_with_its_filter(client, cast, exported):
    client.force_login(cast.staff)
    body = client.get("/commitments/?status=open&status=in_progress&page=1").content.decode()
    for path in EXPORTS:
        assert f'href="{path}?status=open&amp;status=in_progress"' in body, path
    assert "CSV voor Excel (NL)" in body


def test_exports_hold_only_the_filtered_rows(client, cast, exported):
    client.force_login(cast.staff)
    response = client.get("/commitments/export-excel.csv?q=barrieremodel")
    text = content(response).decode("utf-8-sig")
    _header, *rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert [row[0] for row in rows] == ["KST-01"]


def test_exports_cost_the_same_queries_for_few_and_many_rows(client, cast, exported):
    client.force_login(cast.staff)

    def queries(url):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
            assert response.status_code == 200
            content(response)
        return len(captured)

    client.get("/commitments/")  # the first request after login stores the language cookie
    few = {url: queries(url) for url in EXPORTS}
    plan = PlanFactory()
    line = ActionLine.objects.create(plan=plan, number=3, title="Samenwerking")
    letter = FollowUpLetterFactory()
    for number in range(30):
        commitment = CommitmentFactory(team=cast.team, owner=cast.official)
        commitment.activities.add(ActivityFactory(plan=plan, action_line=line))
        letter.commitments.add(commitment)
        services.commitment_update_progress(
            commitment=commitment, author=cast.official, status="in_progress", note=str(number)
        )
    many = {url: queries(url) for url in EXPORTS}
    assert few == many, (few, many)
    assert max(many.values()) <= 6, many


def test_an_officials_export_names_only_letters_they_may_read(client, cast, exported):
    full, _plain = exported
    hidden = FollowUpLetterFactory(title="Brief van een ander team", team=cast.other_team)
    hidden.commitments.add(full)
    client.force_login(cast.staff)
    text = content(client.get("/commitments/export.csv")).decode()
    assert "Brief van een ander team" in text
    from django.contrib.auth.models import Permission

    cast.official.user_permissions.add(Permission.objects.get(codename="export_commitments"))
    client.force_login(cast.official)
    text = content(client.get("/commitments/export.csv")).decode()
    assert "Voortgangsbrief najaar 2025" in text
    assert "Brief van een ander team" not in text


# --- the overview for the Kamer ------------------------------------------------------------------


@pytest.fixture
def minister_work(cast, today, time_machine):
    """A minister's commitments over 2025: open, partially fulfilled, fulfilled, lapsed."""
    minister = BewindspersoonFactory(name="D. Yeşilgöz", title="De Minister van JenV")
    other = BewindspersoonFactory(name="Andere minister")
    committee = CommitteeFactory(name="vaste commissie voor Justitie en Veiligheid")
    debate = DebateFactory(title="Commissiedebat Zeden", date=datetime.date(2025, 2, 12))
    letter = DocumentFactory(date=datetime.date(2025, 3, 1), title="Brief")

    def made(reference, made_on, **fields):
        fields.setdefault("debate", debate)
        fields.setdefault("team", cast.team)
        return CommitmentFactory(reference=reference, made_by=minister, made_on=made_on, **fields)

    at(time_machine, datetime.date(2025, 3, 5))
    items = {
        "newer": made("TZ-NEWER", datetime.date(2025, 3, 5), due_date=datetime.date(2025, 12, 1)),
        "oldest": made(
            "TZ-OLDEST",
            datetime.date(2025, 1, 20),
            debate=None,
            source_document=letter,
            register_number="TZ202501-007",
            deadline_wording="voor de zomer",
            due_date=datetime.date(2025, 7, 1),
        ),
        "partly": made("TZ-PARTLY", datetime.date(2025, 2, 12)),
        "fulfilled": made("TZ-FULFILLED", datetime.date(2025, 2, 12)),
        "lapsed": made("TZ-LAPSED", datetime.date(2025, 2, 12)),
        "later_fulfilled": made("TZ-LATER", datetime.date(2025, 2, 12)),
        "other_minister": CommitmentFactory(
            reference="TZ-OTHER", made_by=other, made_on=datetime.date(2025, 1, 2)
        ),
        "other_team": made("TZ-HIDDEN", datetime.date(2025, 2, 1), team=cast.other_team),
    }
    at(time_machine, datetime.date(2025, 4, 1))
    services.commitment_update_progress(
        commitment=items["oldest"],
        author=cast.official,
        status="in_progress",
        note="Onderzoek van het WODC loopt.",
    )
    services.commitment_update_progress(
        commitment=items["partly"],
        author=cast.official,
        status="partially_fulfilled",
        note="Deels beantwoord in de brief van 1 april.",
        evidence_document=DocumentFactory(date=datetime.date(2025, 4, 1)),
        **_open_part("De cijfers over 2025."),
    )
    services.commitment_update_progress(
        commitment=items["fulfilled"],
        author=cast.official,
        status="fulfilled",
        note="Klaar.",
        evidence_document=DocumentFactory(date=datetime.date(2025, 4, 1)),
    )
    services.commitment_update_progress(
        commitment=items["lapsed"], author=cast.official, status="lapsed", note="Vervallen."
    )
    at(time_machine, datetime.date(2025, 10, 1))
    services.commitment_update_progress(
        commitment=items["oldest"],
        author=cast.official,
        status="in_progress",
        note="Kabinetsreactie in voorbereiding.",
    )
    services.commitment_update_progress(
        commitment=items["later_fulfilled"],
        author=cast.official,
        status="fulfilled",
        note="Beantwoord.",
        evidence_document=DocumentFactory(date=datetime.date(2025, 10, 1)),
    )
    at(time_machine, today)
    return minister, committee, items


def _open_part(text: str) -> dict:
    """What is still open of a partially fulfilled commitment, where the service asks it."""
    parameters = inspect.signature(services.commitment_update_progress).parameters
    return {"open_part": text} if "open_part" in parameters else {}


def docx_table(response):
    document = Document(io.BytesIO(response.content))
    rows = [[cell.text for cell in row.cells] for row in document.tables[0].rows]
    return document, rows


def test_word_overview_lists_open_and_partly_fulfilled_commitments_oldest_first(
    client, cast, minister_work
):
    minister, _committee, items = minister_work
    client.force_login(cast.staff)
    response = client.get(
        "/commitments/overview.docx", {"bewindspersoon": minister.pk, "as_of": "2025-11-03"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml"
    )
    assert "overzicht-openstaande-toezeggingen-2025-11-03.docx" in response["Content-Disposition"]
    document, rows = docx_table(response)
    paragraphs = [p.text for p in document.paragraphs]
    assert "Overzicht openstaande toezeggingen" in paragraphs
    assert "De Minister van JenV (D. Yeşilgöz)" in paragraphs
    assert "Stand per 3 november 2025" in paragraphs
    assert rows[0] == [
        "Nr.",
        "Toezegging",
        "Toegezegd in",
        "Termijn",
        "Stand van zaken",
        "Verwachte datum",
    ]
    numbers = [row[0] for row in rows[1:]]
    assert numbers == ["TZ202501-007", "TZ-HIDDEN", "TZ-PARTLY", "TZ-NEWER"]
    oldest = rows[1]
    assert oldest[1] == items["oldest"].text
    assert oldest[2].startswith("Kamerstuk 31 015, nr. ")
    assert oldest[2].endswith(", 1 maart 2025")
    assert oldest[3] == "voor de zomer (1 juli 2025)"
    assert oldest[4] == "Kabinetsreactie in voorbereiding. (1 oktober 2025)"
    assert oldest[5] == "1 juli 2025"
    partly = rows[3]
    assert partly[2] == "Commissiedebat Zeden, 12 februari 2025"
    assert partly[4].startswith("Deels voldaan. Deels beantwoord in de brief van 1 april.")
    assert ("Nog open: De cijfers over 2025." in partly[4]) == bool(
        _open_part("De cijfers over 2025.")
    )
    assert rows[4][4] == "Nog geen voortgang vastgelegd."
    # The header row repeats on every page of the annex.
    assert document.tables[0].rows[0]._tr.xpath("./w:trPr/w:tblHeader")


def test_overview_as_of_an_earlier_day_reads_the_state_of_that_day(client, cast, minister_work):
    minister, _committee, _items = minister_work
    client.force_login(cast.staff)
    response = client.get(
        "/commitments/overview.docx", {"bewindspersoon": minister.pk, "as_of": "2025-03-10"}
    )
    _document, rows = docx_table(response)
    numbers = [row[0] for row in rows[1:]]
    # On 10 March none was fulfilled or lapsed yet; the one fulfilled in October still open.
    assert numbers == [
        "TZ202501-007",
        "TZ-HIDDEN",
        "TZ-FULFILLED",
        "TZ-LAPSED",
        "TZ-LATER",
        "TZ-PARTLY",
        "TZ-NEWER",
    ]
    assert all(row[4] == "Nog geen voortgang vastgelegd." for row in rows[1:])
    response = client.get(
        "/commitments/overview.docx", {"bewindspersoon": minister.pk, "as_of": "2025-06-30"}
    )
    _document, rows = docx_table(response)
    assert [row[0] for row in rows[1:]] == [
        "TZ202501-007",
        "TZ-HIDDEN",
        "TZ-LATER",
        "TZ-PARTLY",
        "TZ-NEWER",
    ]
    assert rows[1][4] == "Onderzoek van het WODC loopt. (1 april 2025)"


def test_overview_of_a_committee_and_only_what_the_user_may_read(client, cast, minister_work):
    _minister, committee, _items = minister_work
    client.force_login(cast.staff)
    query = {"committee": committee.pk, "as_of": "2025-11-03"}
    staff_rows = docx_table(client.get("/commitments/overview.docx", query))[1]
    assert [row[0] for row in staff_rows[1:]] == ["TZ-OTHER", "TZ-HIDDEN", "TZ-PARTLY", "TZ-NEWER"]
    client.force_login(cast.official)
    official_rows = docx_table(client.get("/commitments/overview.docx", query))[1]
    assert [row[0] for row in official_rows[1:]] == ["TZ-PARTLY", "TZ-NEWER"]


def test_overview_page_shows_the_same_rows_with_a_word_link(client, cast, minister_work):
    minister, _committee, _items = minister_work
    client.force_login(cast.staff)
    response = client.get(
        "/commitments/overview/", {"bewindspersoon": minister.pk, "as_of": "2025-11-03"}
    )
    assert response.status_code == 200
    numbers = [row.number for row in response.context["overview"].rows]
    assert numbers == ["TZ202501-007", "TZ-HIDDEN", "TZ-PARTLY", "TZ-NEWER"]
    body = response.content.decode()
    assert "Download als Word" in body
    assert f"/commitments/overview.docx?bewindspersoon={minister.pk}&amp;as_of=2025-11-03" in body
    assert "4 openstaande toezeggingen per 3 november 2025" in body
    assert f'<option value="{minister.pk}" selected>' in body


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"as_of": "2025-11-03"}, "bewindspersoon", "Kies een bewindspersoon of een commissie."),
        ({"as_of": "2025-11-04", "bewindspersoon": "MINISTER"}, "as_of", "toekomst"),
        ({"as_of": "3 nov", "bewindspersoon": "MINISTER"}, "as_of", "datum"),
        (
            {"as_of": "2025-11-03", "bewindspersoon": "MINISTER", "committee": "COMMITTEE"},
            "committee",
            "niet allebei",
        ),
    ],
)
def test_overview_form_shows_each_error_at_its_field_and_keeps_the_input(
    client, cast, minister_work, query, field, message
):
    minister, committee, _items = minister_work
    values = {
        key: {"MINISTER": minister.pk, "COMMITTEE": committee.pk}.get(value, value)
        for key, value in query.items()
    }
    client.force_login(cast.staff)
    response = client.get("/commitments/overview/", values)
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == [field]
    assert message in " ".join(form.errors[field])
    assert response.context["overview"] is None
    body = response.content.decode()
    # The page title says first that the form was refused (base.html; "Fout:" in Dutch).
    assert f"<title>{test_browser.t('Error:')} " in body
    assert f'value="{values["as_of"]}"' in body
    assert client.get("/commitments/overview.docx", values).status_code == 400


def test_overview_page_costs_the_same_queries_for_few_and_many_rows(
    client, cast, minister_work, time_machine
):
    minister, _committee, _items = minister_work
    client.force_login(cast.staff)
    url = f"/commitments/overview/?bewindspersoon={minister.pk}&as_of=2025-11-03"

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        return len(captured), len(response.context["overview"].rows)

    client.get(url)  # the first request after login stores the language cookie
    few, few_rows = queries()
    for number in range(25):
        commitment = CommitmentFactory(made_by=minister, team=cast.team)
        services.commitment_update_progress(
            commitment=commitment, author=cast.official, status="in_progress", note=str(number)
        )
    many, many_rows = queries()
    assert many_rows == few_rows + 25
    assert few == many
    assert many <= 8


def test_the_menu_offers_the_overview_to_policy_staff_only(client, cast):
    client.force_login(cast.staff)
    assert "Overzicht voor de Kamer" in client.get("/commitments/").content.decode()
    client.force_login(cast.official)
    assert "Overzicht voor de Kamer" not in client.get("/commitments/").content.decode()


# --- in the browser -----------------------------------------------------------------------------

browser = test_browser.browser
new_page = test_browser.new_page
PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's


@pytest.fixture
def kamer_world(browser, transactional_db):
    """Policy staff and a minister with three open commitments and a lapsed one.

    Asks for `browser` first, as tests.test_browser's `demo` does: it skips without Chromium
    and allows the database access that Playwright's event loop would otherwise forbid."""
    from commitments.roles import ensure_role_groups
    from tests.factories import UserFactory

    staff = UserFactory(username="kamerstaff")
    ensure_role_groups().user_set.add(staff)
    minister = BewindspersoonFactory(name="G.A. van der Steur")
    made = [
        CommitmentFactory(reference=reference, made_by=minister, made_on=made_on)
        for reference, made_on in (
            ("KST-B", datetime.date(2016, 9, 6)),
            ("KST-A", datetime.date(2016, 4, 13)),
            ("KST-C", datetime.date(2016, 9, 7)),
        )
    ]
    CommitmentFactory(
        reference="KST-LAPSED",
        made_by=minister,
        made_on=datetime.date(2016, 3, 21),
        status="lapsed",
    )
    return minister, made


@pytest.mark.browser
def test_staff_pick_a_bewindspersoon_and_download_the_word_overview(
    new_page, kamer_world, tmp_path
):
    minister, _made = kamer_world
    page = new_page()
    page.goto("/accounts/login/")
    page.locator("#id_username").fill("kamerstaff")
    page.locator("#id_password").fill(PASSWORD)
    test_browser.follow(page, page.get_by_role("button", name=test_browser.t("Log in")))
    test_browser.follow(page, page.get_by_role("link", name="Overzicht voor de Kamer"))
    assert page.url.endswith("/commitments/overview/")
    page.get_by_label(test_browser.label("Bewindspersoon")).select_option(str(minister.pk))
    test_browser.follow(page, page.get_by_role("button", name="Toon overzicht"))
    table = page.locator("table.kamer-overview")
    numbers = table.locator("tbody tr td:first-child").all_inner_texts()
    assert numbers == ["KST-A", "KST-B", "KST-C"]
    test_browser.assert_accessible(page, "kamer-overview")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download als Word").click()
    download = download_info.value
    assert download.suggested_filename.startswith("overzicht-openstaande-toezeggingen-")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    document = Document(str(path))
    rows = [[cell.text for cell in row.cells] for row in document.tables[0].rows]
    assert [row[0] for row in rows[1:]] == ["KST-A", "KST-B", "KST-C"]
    assert "Overzicht openstaande toezeggingen" in [p.text for p in document.paragraphs]
