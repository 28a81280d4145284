"""The browser journeys of the 2016 plan, in Debian's Chromium, with an axe check on each page.

The tests drive the live server through Playwright on the plan's real data (KST-2016-01 … 05, of
which 03, 04 and 05 are long overdue) and the demo users of `setup_demo`. Labels are looked up
through the interface's own translations, so the journeys also prove that the page speaks the
language it claims.

Without Chromium the module is skipped, except under CI (`CI` set), where a missing browser is a
failure: the accessibility checks are a legal requirement, not a nicety.
"""

import csv
import datetime
import os
import re
import shutil
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.utils import dateformat, translation
from django.utils.translation import gettext

from actionlines.models import Plan, Profile
from commitments import services
from commitments.models import Commitment, DeadlineChange, ParliamentaryDocument, ProgressUpdate

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"
# Long enough for a cold first page on PostgreSQL, short enough to fail fast on a wrong locator.
TIMEOUT_MS = 10_000
OVERDUE_OPEN = ["KST-2016-03", "KST-2016-04", "KST-2016-05"]
SMALL_PDF = (
    b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
    b"2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\n"
    b"trailer <</Root 1 0 R>>\n%%EOF\n"
)


def t(message: str, language: str = "nl") -> str:
    """The interface's text for `message` in `language`, from the same catalogue as the server."""
    with translation.override(language):
        return gettext(message)


def label(message: str, language: str = "nl") -> re.Pattern:
    """A form label's accessible name: the translated text, with Django's label suffix or not."""
    return re.compile(rf"^{re.escape(t(message, language))}:?$")


def long_date(value: datetime.date, language: str = "nl") -> str:
    """A date as the pages print it (`|date:"j F Y"`), month name in the page's language."""
    with translation.override(language):
        return dateformat.format(value, "j F Y")


def _chromium() -> str | None:
    return CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")


@pytest.fixture(scope="module")
def browser():
    executable = _chromium()
    if executable is None:
        reason = "Debian's Chromium is not installed (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; under CI the browser tests must run")
        pytest.skip(f"{reason}; browser tests skipped")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; Django refuses database access
    # from a thread with a running loop unless told that this synchronous use is safe.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def demo(browser, transactional_db, settings, tmp_path):
    """The 2016 plan and the demo users, as `make run` sets them up.

    Asks for `browser` first: it skips before any database work when there is no Chromium, and
    it allows the database access that Playwright's event loop would otherwise forbid.
    """
    settings.VAR_DIR = tmp_path / "var"
    call_command("loaddata", "plan_2016", verbosity=0)
    call_command("setup_demo", verbosity=0)
    commitments = {c.reference: c for c in Commitment.objects.filter(reference__startswith="KST")}
    return SimpleNamespace(
        password=(settings.VAR_DIR / "demo_password").read_text().strip(),
        commitments=commitments,
    )


@pytest.fixture
def new_page(browser, live_server):
    """Opens a page in a fresh browser context: its own cookies, language and JavaScript."""
    contexts = []

    def open_page(*, locale="nl-NL", javascript=True, width=1280):
        context = browser.new_context(
            base_url=live_server.url,
            locale=locale,
            java_script_enabled=javascript,
            viewport={"width": width, "height": 900},
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


def log_in(page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    follow(page, page.get_by_role("button", name=t("Log in", _page_language(page))))
    # Officials start on their work, managers on the dashboard, policy staff on the list.
    landing = {"manager": "/dashboard/", "director": "/dashboard/", "staff": "/commitments/"}
    expected = landing.get(username, "/")
    assert urlsplit(page.url).path == expected, f"{username} did not land on {expected}: {page.url}"


def follow(page, locator) -> None:
    """Clicks a link or a submit button and waits for the page it leads to."""
    with page.expect_navigation():
        locator.click()


def _page_language(page) -> str:
    return page.locator("html").get_attribute("lang")


def assert_accessible(page, name: str) -> None:
    """Zero axe-core violations (WCAG 2.1 A/AA and axe's best practices) on the current page."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    screenshot(page, f"axe-{name}")
    assert results.response["passes"], f"{name}: axe ran no rules"
    assert results.violations_count == 0, f"{name}:\n{results.generate_report()}"


def listed_references(page) -> list[str]:
    return page.locator(".commitment-table tbody tr td:first-child a").all_inner_texts()


def filter_open_and_overdue(page) -> None:
    """Ticks the filters as a user does, and submits the plain GET form."""
    filters = page.locator("form.filters")
    filters.get_by_role("checkbox", name=t("open"), exact=True).check()
    filters.get_by_role("checkbox", name=t("in progress"), exact=True).check()
    filters.get_by_role("checkbox", name=label("Only overdue")).check()
    follow(page, filters.get_by_role("button", name=t("Apply filters")))


def assert_list_holds_the_overdue_open_commitments(page) -> None:
    query = page.url.split("?", 1)[1]
    assert "status=open" in query
    assert "status=in_progress" in query
    assert re.search(r"(^|&)overdue=(on|1|true)", query), query
    assert listed_references(page) == OVERDUE_OPEN
    heading = page.locator("#results-heading").inner_text()
    assert heading.strip().startswith("3 ")


# --- the journeys -----------------------------------------------------------------------------


def test_official_records_fulfilment_with_a_new_kamerstuk_and_a_pdf(new_page, demo, tmp_path):
    commitment = demo.commitments["KST-2016-03"]
    page = new_page()
    log_in(page, "official", demo.password)
    assert page.locator("h1").inner_text() == t("My work")
    screenshot(page, "official-my-work")

    follow(page, page.get_by_role("link", name="KST-2016-03", exact=True))
    assert page.url.endswith(f"/commitments/{commitment.pk}/")
    follow(page, page.get_by_role("link", name=t("Record progress")))
    assert page.url.endswith(f"/commitments/{commitment.pk}/progress/")

    note = "De voortgangsrapportage over Green Notices is op 20 december 2016 verzonden."
    page.get_by_role("radio", name=t("fulfilled"), exact=True).check()
    page.get_by_label(label("Note")).fill(note)
    follow(page, page.get_by_role("button", name=t("Save progress")))

    # Refused: "fulfilled" needs the Kamerstuk. The error sits at the field, is announced with
    # it, and nothing the official typed is lost.
    evidence = page.locator("#id_evidence_document")
    assert evidence.get_attribute("aria-invalid") == "true"
    error_list = page.locator("#id_evidence_document_error")
    assert "id_evidence_document_error" in evidence.get_attribute("aria-describedby").split()
    assert "Kamerstuk" in error_list.inner_text()
    assert page.locator("#form-errors").get_by_role("link").first.get_attribute("href") == (
        "#id_evidence_document"
    )
    assert page.get_by_label(label("Note")).input_value() == note
    assert page.get_by_role("radio", name=t("fulfilled"), exact=True).is_checked()
    assert Commitment.objects.get(pk=commitment.pk).status == "open"
    screenshot(page, "official-progress-refused")

    pdf = tmp_path / "voortgangsrapportage-2016.pdf"
    pdf.write_bytes(SMALL_PDF)
    page.get_by_text(t("The Kamerstuk is not registered yet: register it here")).click()
    page.get_by_label(label("Dossier number")).fill("31015")
    page.get_by_label(label("Volgnummer")).fill("131")
    page.get_by_label(label("Date of the letter")).fill("2016-12-20")
    page.get_by_label(label("Title")).fill("Voortgangsrapportage kindersekstoerisme 2016")
    page.get_by_label(label("PDF")).set_input_files(pdf)
    follow(page, page.get_by_role("button", name=t("Save progress")))
    assert page.url.endswith(f"/commitments/{commitment.pk}/")

    timeline = page.locator(".timeline li").first
    assert note in timeline.inner_text()
    assert "Kamerstuk 31 015, nr. 131" in timeline.inner_text()
    pdf_link = timeline.get_by_role("link", name=re.compile(r"voortgangsrapportage.*\.pdf"))
    assert pdf_link.count() == 1
    assert page.locator(".messages").inner_text().strip() == t("Progress recorded.")
    screenshot(page, "official-progress-recorded")

    commitment.refresh_from_db()
    assert commitment.status == "fulfilled"
    assert commitment.fulfilled_on == datetime.date(2016, 12, 20)
    document = ParliamentaryDocument.objects.get(dossier_number="31 015", volgnummer=131)
    assert list(commitment.fulfilling_documents.all()) == [document]
    update = ProgressUpdate.objects.get(commitment=commitment)
    assert update.author.username == "official"
    assert (update.status_before, update.status_after) == ("open", "fulfilled")
    assert update.evidence_document == document
    assert update.note == note
    assert update.evidence_file.read().startswith(b"%PDF-1.4")

    # The PDF is served to someone who may read the commitment.
    response = page.request.get(pdf_link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body() == SMALL_PDF


def test_staff_downloads_exactly_the_filtered_list_as_csv(new_page, demo, tmp_path):
    page = new_page()
    log_in(page, "staff", demo.password)
    follow(page, page.get_by_role("link", name=t("Commitments"), exact=True))
    assert page.url.endswith("/commitments/")
    assert len(listed_references(page)) == 5

    filter_open_and_overdue(page)
    assert_list_holds_the_overdue_open_commitments(page)
    screenshot(page, "staff-filtered-list")

    # The filtered view is a link: opened anew, it shows the same list.
    shared = new_page()
    log_in(shared, "staff", demo.password)
    shared.goto(page.url)
    assert listed_references(shared) == OVERDUE_OPEN

    with page.expect_download() as download_info:
        page.get_by_role("link", name=t("Export CSV")).click()
    download = download_info.value
    assert re.fullmatch(r"toezeggingen-\d{4}-\d{2}-\d{2}\.csv", download.suggested_filename)
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    with path.open(encoding="utf-8-sig", newline="") as file:
        header, *rows = list(csv.reader(file))
    assert header[0] == t("Reference")
    assert [row[0] for row in rows] == listed_references(page)
    assert {row[header.index(t("Status"))] for row in rows} == {t("open")}
    assert all(int(row[header.index(t("Overdue (days)"))]) > 365 for row in rows)


def test_manager_approves_a_deadline_change_and_the_page_shows_the_new_date(new_page, demo):
    commitment = demo.commitments["KST-2016-05"]
    original = commitment.due_date
    new_date = datetime.date(2027, 6, 30)

    official = new_page()
    log_in(official, "official", demo.password)
    official.goto(f"/commitments/{commitment.pk}/")
    follow(official, official.get_by_role("link", name=t("Request a deadline change")))
    official.get_by_label(label("New due date")).fill(new_date.isoformat())
    official.get_by_label(label("Reason")).fill(
        "De voortgangsbrief wacht op de evaluatie van de liaisons in Bangkok en Manilla."
    )
    follow(official, official.get_by_role("button", name=t("Send request")))
    assert official.url.endswith(f"/commitments/{commitment.pk}/")
    assert long_date(new_date) in official.locator(".message--warning").inner_text()
    screenshot(official, "official-deadline-requested")

    manager = new_page()
    log_in(manager, "manager", demo.password)
    follow(manager, manager.get_by_role("link", name=t("Deadline requests")))
    follow(manager, manager.get_by_role("link", name=f"{t('Decide')} KST-2016-05"))
    manager.get_by_role("radio", name=t("Approve")).check()
    manager.get_by_label(label("Reason")).fill("Akkoord; de Kamer is per brief geïnformeerd.")
    screenshot(manager, "manager-decision-form")
    follow(manager, manager.get_by_role("button", name=t("Record decision")))
    assert manager.url.endswith(f"/commitments/{commitment.pk}/")

    facts = manager.locator(".facts")
    due = facts.locator("dt", has_text=re.compile(f"^{re.escape(t('Due date'))}$")).locator("+ dd")
    assert long_date(new_date) in due.inner_text()
    assert f"{t('originally')} {long_date(original)}" in due.inner_text()
    assert t("Deadline change approved") in manager.locator(".timeline").inner_text()
    assert manager.locator(".message--warning").count() == 0
    screenshot(manager, "manager-sees-new-due-date")

    commitment.refresh_from_db()
    assert commitment.due_date == new_date
    assert commitment.original_due_date == original
    change = DeadlineChange.objects.get(commitment=commitment)
    assert change.state == DeadlineChange.State.APPROVED
    assert change.decided_by.username == "manager"
    assert change.requested_by.username == "official"
    assert (change.original_due_date, change.new_due_date) == (original, new_date)


def test_dutch_is_the_default_and_a_users_choice_of_english_persists(new_page, demo):
    page = new_page(locale="en-GB")
    page.goto("/accounts/login/")
    assert _page_language(page) == "nl"
    log_in(page, "official", demo.password)
    assert _page_language(page) == "nl"
    assert page.locator("h1").inner_text() == t("My work")

    page.get_by_label(label("Language")).select_option("en")
    follow(page, page.get_by_role("button", name=t("Switch")))
    assert _page_language(page) == "en"
    assert page.locator("h1").inner_text() == "My work"
    assert page.get_by_label(label("Language", "en")).input_value() == "en"
    assert Profile.objects.get(user__username="official").language == "en"
    screenshot(page, "official-in-english")

    # Another browser, no cookie: the choice comes with the user.
    elsewhere = new_page(locale="nl-NL")
    log_in(elsewhere, "official", demo.password)
    assert _page_language(elsewhere) == "en"
    follow(elsewhere, elsewhere.get_by_role("link", name="Commitments", exact=True))
    assert elsewhere.locator("h1").inner_text() == "Commitments"


def test_staff_filters_the_list_without_javascript(new_page, demo):
    page = new_page(javascript=False)
    page.set_content('<p id="probe">off</p><script>probe.textContent = "on"</script>')
    assert page.locator("#probe").inner_text() == "off"
    log_in(page, "staff", demo.password)
    page.goto("/commitments/")
    filter_open_and_overdue(page)
    assert_list_holds_the_overdue_open_commitments(page)
    export = page.get_by_role("link", name=t("Export CSV")).get_attribute("href")
    assert "overdue=" in export and "status=in_progress" in export
    screenshot(page, "staff-filtered-list-without-javascript")


# --- accessibility ----------------------------------------------------------------------------


@pytest.fixture
def history(demo):
    """Some timeline on KST-2016-04 and a deadline request on KST-2016-05 awaiting a decision."""
    from django.contrib.auth import get_user_model

    official = get_user_model().objects.get(username="official")
    busy = demo.commitments["KST-2016-04"]
    services.commitment_update_progress(
        commitment=busy,
        author=official,
        status="in_progress",
        note="Gesprek met EOKM en de providers gevoerd op 26 september 2016.",
        evidence_url="https://www.tweedekamer.nl/kamerstukken",
    )
    services.commitment_update_progress(
        commitment=Commitment.objects.get(pk=busy.pk),
        author=official,
        status="in_progress",
        note="Concept van de voortgangsbrief ligt bij de directie.",
    )
    change = services.deadline_change_request(
        commitment=demo.commitments["KST-2016-05"],
        requested_by=official,
        new_due_date=datetime.date(2027, 6, 30),
        reason="De evaluatie van de liaisons is later klaar.",
    )
    return SimpleNamespace(busy=busy, change=change)


def test_every_page_of_the_journeys_passes_axe(new_page, demo, history):
    official = new_page()
    official.goto("/accounts/login/")
    assert_accessible(official, "login")
    official.locator("#id_username").fill("official")
    official.locator("#id_password").fill("wrong")
    follow(official, official.get_by_role("button", name=t("Log in")))
    assert_accessible(official, "login-with-error")

    log_in(official, "official", demo.password)
    assert_accessible(official, "my-work")
    official.goto("/dashboard/")
    assert_accessible(official, "dashboard")
    official.goto("/commitments/?status=open&status=in_progress&overdue=on")
    assert listed_references(official) == OVERDUE_OPEN
    assert_accessible(official, "list-filtered")
    official.goto(f"/commitments/{history.busy.pk}/")
    # Registered by the data load, assigned by the demo setup, then two progress updates.
    assert official.locator(".timeline > li").count() == 4
    assert official.locator(".timeline").get_by_text("systeem: gegevenslading").count() == 1
    assert_accessible(official, "detail-with-timeline")

    official.goto(f"/commitments/{history.busy.pk}/progress/")
    assert_accessible(official, "progress-form")
    official.get_by_role("radio", name=t("fulfilled"), exact=True).check()
    follow(official, official.get_by_role("button", name=t("Save progress")))
    assert official.locator("#form-errors").is_visible()
    assert_accessible(official, "progress-form-with-errors")

    official.goto(f"/commitments/{demo.commitments['KST-2016-03'].pk}/deadline/")
    assert_accessible(official, "deadline-request-form")
    follow(official, official.get_by_role("button", name=t("Send request")))
    assert official.locator("#form-errors").is_visible()
    assert_accessible(official, "deadline-request-form-with-errors")

    plan = Plan.objects.get(title="Plan van aanpak bestrijding kindersekstoerisme 2016")
    official.goto(f"/plans/{plan.pk}/")
    assert_accessible(official, "plan")

    manager = new_page()
    log_in(manager, "manager", demo.password)
    manager.goto("/deadline-changes/")
    assert_accessible(manager, "deadline-requests")
    manager.goto(f"/deadline-changes/{history.change.pk}/decide/")
    assert_accessible(manager, "decision-form")
    manager.get_by_role("radio", name=t("Reject")).check()
    follow(manager, manager.get_by_role("button", name=t("Record decision")))
    assert manager.locator("#form-errors").is_visible()
    assert_accessible(manager, "decision-form-with-errors")


def test_the_filtered_list_passes_axe_in_both_languages(new_page, demo):
    page = new_page()
    log_in(page, "staff", demo.password)
    for language in ("nl", "en"):
        page.get_by_label(label("Language", _page_language(page))).select_option(language)
        follow(page, page.get_by_role("button", name=t("Switch", _page_language(page))))
        page.goto("/commitments/?status=open&status=in_progress&overdue=on")
        assert _page_language(page) == language
        assert listed_references(page) == OVERDUE_OPEN
        assert_accessible(page, f"list-filtered-{language}")


# --- keyboard and small screens ---------------------------------------------------------------

FOCUSED = """() => {
    const element = document.activeElement;
    const style = getComputedStyle(element);
    return {
        tag: element.tagName.toLowerCase(),
        id: element.id,
        text: (element.textContent || element.name || "").trim().slice(0, 40),
        outline: style.outlineStyle === "none" ? 0 : parseFloat(style.outlineWidth),
    };
}"""


def test_keyboard_focus_is_always_visible_and_the_skip_link_reaches_the_content(new_page, demo):
    page = new_page()
    log_in(page, "official", demo.password)
    page.goto(f"/commitments/{demo.commitments['KST-2016-03'].pk}/progress/")
    page.get_by_role("radio", name=t("fulfilled"), exact=True).check()
    follow(page, page.get_by_role("button", name=t("Save progress")))
    # A refused form puts the focus on its error summary; from the top of the page, the first
    # Tab reaches the skip link.
    assert page.evaluate("document.activeElement.id === 'form-errors'")
    page.evaluate(
        "document.body.tabIndex = -1; document.body.focus();"
        " document.body.removeAttribute('tabindex')"
    )

    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name=t("Skip to content"))
    assert skip_link.evaluate("link => link === document.activeElement")
    box = skip_link.bounding_box()
    assert box["x"] >= 0 and box["y"] >= 0, "the focused skip link is on screen"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    unseen, stops = [], []
    for _ in range(80):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused["tag"] == "body":
            break
        stops.append(focused)
        if focused["outline"] < 2:
            unseen.append(focused)
    assert len(stops) >= 10, stops
    assert any(stop["id"] == "id_evidence_document" for stop in stops)
    assert not unseen, f"focus without a visible outline: {unseen}"


def test_pages_reflow_to_a_320_pixel_wide_window_without_sideways_scrolling(
    new_page, demo, history
):
    page = new_page(width=320)
    log_in(page, "official", demo.password)
    plan = Plan.objects.get(title="Plan van aanpak bestrijding kindersekstoerisme 2016")
    pages = {
        "my-work": "/",
        "dashboard": "/dashboard/",
        "list": "/commitments/?status=open&status=in_progress&overdue=on",
        "detail": f"/commitments/{history.busy.pk}/",
        "progress-form": f"/commitments/{history.busy.pk}/progress/",
        "plan": f"/plans/{plan.pk}/",
    }
    too_wide = {}
    for name, url in pages.items():
        page.goto(url)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 320:
            too_wide[name] = width
            screenshot(page, f"reflow-320-{name}")
    assert not too_wide, f"wider than the 320px window (WCAG 1.4.10): {too_wide}"


# --- commitments captured from a debate report --------------------------------------------------
VLOS_REPORT = (
    Path(__file__).resolve().parent.parent.parent
    / "shared"
    / "data"
    / "vlos"
    / "sample_vlos_0c43e57f-962a-449c-8157-62dbf7e539eb_2a27783d-3d6b-4e26-9fcf-52c17a41f6bf.xml"
)


def test_official_uploads_a_report_reviews_it_and_finds_the_accepted_in_the_list(
    new_page, demo, tmp_path
):
    from commitments.models import Bewindspersoon
    from parliament.models import Proposal

    Bewindspersoon.objects.create(
        name="Th.J. van Oostenbruggen",
        function="staatssecretaris",
        title="De Staatssecretaris van Financiën",
        ministry=Bewindspersoon.objects.get().ministry,
        in_office_from=datetime.date(2024, 7, 2),
    )
    report = tmp_path / "verslag-fiscaliteit.xml"
    report.write_bytes(VLOS_REPORT.read_bytes())
    page = new_page()
    log_in(page, "official", demo.password)

    page.goto("/debate-reports/upload/")
    assert_accessible(page, "capture-upload")
    page.get_by_label(label("Debate reports (VLOS XML)")).set_input_files(report)
    # With JavaScript the upload shows its progress and the answer replaces the page in place.
    page.get_by_role("button", name=t("Import")).click()
    page.locator("#results-heading").wait_for()
    assert "verslag-fiscaliteit.xml" in page.locator("#results-heading + ul").inner_text()
    assert_accessible(page, "capture-upload-result")

    follow(page, page.get_by_role("link", name=t("To the inbox")))
    assert_accessible(page, "capture-inbox")
    first, second = Proposal.objects.order_by("position")[:2]
    follow(page, page.get_by_role("link", name=first.text[:40]).first)
    assert_accessible(page, "capture-review")
    accept = page.locator("form", has=page.locator("input[value=accept]"))
    accept.get_by_label(label("Team")).select_option(label="Demoteam Kindersekstoerisme")
    follow(page, accept.get_by_role("button", name=t("Accept as commitment")))
    assert urlsplit(page.url).path == "/review/"

    page.goto(f"/review/{second.pk}/")
    reject = page.locator("form", has=page.locator("input[value=reject]"))
    follow(page, reject.get_by_role("button", name=t("Reject")))
    assert page.locator("#form-errors").is_visible()
    assert_accessible(page, "capture-review-with-errors")
    reject = page.locator("form", has=page.locator("input[value=reject]"))
    reject.get_by_label(label("Why this is not a commitment to register")).fill(
        "Geen toezegging: de staatssecretaris zegde alleen een verkenning toe."
    )
    follow(page, reject.get_by_role("button", name=t("Reject")))

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, second.state) == ("accepted", "rejected")
    assert Proposal.objects.filter(state="open").count() == Proposal.objects.count() - 2
    page.goto(f"/commitments/?debate={first.debate_id}")
    assert listed_references(page) == [first.commitment.reference]
    page.goto(f"/commitments/{first.commitment.pk}/")
    facts = page.locator(".facts").inner_text()
    assert "Nationale fiscaliteit" in facts and "van Oostenbruggen" in facts
    assert long_date(first.commitment.due_date) in facts
    screenshot(page, "capture-accepted-commitment")


def test_reports_upload_without_javascript_too(new_page, demo, tmp_path):
    from parliament.models import Proposal

    report = tmp_path / "verslag.xml"
    report.write_bytes(VLOS_REPORT.read_bytes())
    page = new_page(javascript=False)
    log_in(page, "official", demo.password)
    page.goto("/debate-reports/upload/")
    page.get_by_label(label("Debate reports (VLOS XML)")).set_input_files(report)
    follow(page, page.get_by_role("button", name=t("Import")))
    assert "verslag.xml" in page.locator("#results-heading + ul").inner_text()
    assert Proposal.objects.count() > 0
