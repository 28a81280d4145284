"""The differences with the Kamer's register, in Debian's Chromium, with axe on the page.

The data comes from the real register sync, reading a local OData server
(`tests.register_server`): a commitment of team Jeugd typed in with its register number, which
the register says is "Voldaan" (without naming a letter) and words otherwise; one the sync
created from the register and staff placed in the team, which agrees with it; and one the
griffie never registered. The browser, its pages and the checks are those of
`tests/test_browser.py`.
"""

import datetime
import re
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from commitments import services as commitment_services
from commitments.models import Commitment
from parliament import selectors, sync
from parliament.models import RegisterNote
from tests import test_browser as journeys
from tests.factories import CommitmentFactory, DebateFactory
from tests.register_server import RegisterServer
from tests.test_register_sync import MINISTRY, toezegging

pytestmark = pytest.mark.browser

# The fixtures of the journeys: the module's Chromium (skipped where there is none, a failure
# under CI) and a fresh browser context per page, against the live server.
browser = journeys.browser
new_page = journeys.new_page
t, label, follow, screenshot = journeys.t, journeys.label, journeys.follow, journeys.screenshot
assert_accessible, listed_references = journeys.assert_accessible, journeys.listed_references

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory
OURS = "De minister stuurt de Kamer voor 1 juli een brief over de pilot jeugdbescherming."
THEIRS = "De minister informeert de Kamer in het najaar over de pilot jeugdbescherming."
IN_THE_REGISTER = "In the Kamer's register"
NOTE = "De brief is op 28 juni verstuurd; de griffie heeft hem nog niet verwerkt."


@pytest.fixture
def register(browser, transactional_db, cast):
    """Three commitments of the official's team, as the register sync leaves them, and one of
    another team that differs too (the official may not read it)."""
    debate = DebateFactory(
        title="Commissiedebat Kinderbescherming",
        date=datetime.date(2024, 2, 28),
        activity_number="2024A01000",
    )
    differing = CommitmentFactory(
        reference="TZ-JEUGD-01",
        register_number="TZ202403-001",
        text=OURS,
        team=cast.team,
        owner=cast.official,
        debate=debate,
        made_on=debate.date,
    )
    unregistered = CommitmentFactory(
        reference="TZ-JEUGD-03",
        text="De minister zal de Kamer over de wachtlijsten in de jeugdzorg informeren.",
        team=cast.team,
        owner=cast.official,
        made_on=datetime.date(2024, 2, 1),
    )
    elsewhere = CommitmentFactory(
        reference="TZ-MIGRATIE-01", team=cast.other_team, made_on=datetime.date(2024, 2, 1)
    )
    kamer = [toezegging(1, Status="Voldaan", Tekst=THEIRS), toezegging(2)]
    with RegisterServer(kamer) as server:
        summary = sync.register_sync(ministry=MINISTRY, base_url=server.base_url)
    assert (summary.updated, summary.created, summary.refused) == (1, 1, [])
    agreeing = Commitment.objects.get(register_number="TZ202403-002")
    commitment_services.commitment_assign_team(
        commitment=agreeing, author=cast.staff, team=cast.team, expected_version=None
    )
    differing = Commitment.objects.get(pk=differing.pk)
    assert [d.kind for d in selectors.differences_of(differing)] == ["status", "text"]
    assert selectors.differences_of(Commitment.objects.get(pk=agreeing.pk)) == []
    return SimpleNamespace(
        cast=cast,
        differing=differing,
        agreeing=agreeing,
        unregistered=unregistered,
        elsewhere=elsewhere,
    )


def log_in(page, user) -> None:
    journeys.log_in(page, user.username, PASSWORD)


def open_differences(page) -> None:
    """Through the menu, as a user would."""
    follow(page, page.locator("nav").get_by_role("link", name=t("Kamer's register"), exact=True))
    assert urlsplit(page.url).path == reverse("parliament:register_differences")


def difference_row(page, commitment, kind):
    """The table row of one difference of one commitment."""
    return page.locator(f"#commitment-{commitment.pk} tbody tr").filter(
        has=page.locator(f'input[name="kind"][value="{kind}"]')
    )


def difference_kinds(page, commitment) -> list[str]:
    inputs = page.locator(f'#commitment-{commitment.pk} tbody tr input[name="kind"]')
    return sorted(set(inputs.evaluate_all("inputs => inputs.map(input => input.value)")))


def listed_commitments(page) -> set[int]:
    ids = page.locator("article.card[id^=commitment-]").evaluate_all(
        "cards => cards.map(card => card.id)"
    )
    return {int(card.removeprefix("commitment-")) for card in ids}


def switch_language(page, language: str) -> None:
    current = journeys._page_language(page)
    page.get_by_label(label("Language", current)).select_option(language)
    follow(page, page.get_by_role("button", name=t("Switch", current)))
    assert journeys._page_language(page) == language


# --- the scenarios ------------------------------------------------------------------------------


def test_the_differences_page_shows_both_sides_and_passes_axe_in_dutch_and_english(
    new_page, register
):
    page = new_page()
    log_in(page, register.cast.official)
    open_differences(page)
    assert journeys._page_language(page) == "nl"
    assert page.locator("h1").inner_text() == "Verschillen met het Kamerregister"
    # What the official reads and differs; not what agrees, nor another team's.
    assert listed_commitments(page) == {register.differing.pk, register.unregistered.pk}
    assert difference_kinds(page, register.differing) == ["status", "text"]
    status = difference_row(page, register.differing, "status").locator("td")
    assert status.nth(0).inner_text() == f"{t('open')} (Openstaand)"
    assert status.nth(1).inner_text() == "Voldaan"
    text = difference_row(page, register.differing, "text").locator("td")
    assert (text.nth(0).inner_text(), text.nth(1).inner_text()) == (OURS, THEIRS)
    assert difference_kinds(page, register.unregistered) == ["unregistered"]
    assert_accessible(page, "register-differences-nl")

    switch_language(page, "en")
    page.goto(reverse("parliament:register_differences"))
    assert page.locator("h1").inner_text() == "Differences with the Kamer's register"
    assert listed_commitments(page) == {register.differing.pk, register.unregistered.pk}
    assert_accessible(page, "register-differences-en")


def test_keeping_ours_with_a_note_answers_the_difference_on_the_page(new_page, register):
    official = register.cast.official
    page = new_page()
    log_in(page, official)
    open_differences(page)
    row = difference_row(page, register.differing, "status")
    note = row.get_by_label(label("Why ours stays"))
    assert not note.is_visible(), "the note is folded away until asked for"
    row.locator("summary", has_text=t("Keep ours, with a note")).click()
    note.fill(NOTE)
    follow(page, row.get_by_role("button", name=t("Keep ours"), exact=True))

    assert urlsplit(page.url).path == reverse("parliament:register_differences")
    assert page.locator(".messages").inner_text().strip() == t(
        "%(ref)s keeps the ministry's value; the note is kept."
    ) % {"ref": register.differing.reference}
    assert difference_row(page, register.differing, "status").count() == 0
    assert difference_kinds(page, register.differing) == ["text"]
    screenshot(page, "register-difference-kept")
    kept = RegisterNote.objects.get()
    assert (kept.commitment, kept.kind, kept.theirs, kept.note, kept.noted_by) == (
        register.differing,
        "status",
        "Voldaan",
        NOTE,
        official,
    )
    # Ours stays as it was.
    assert Commitment.objects.get(pk=register.differing.pk).status == "open"


def test_an_answer_without_what_it_needs_is_refused_with_the_error_and_the_input_kept(
    new_page, register
):
    page = new_page()
    log_in(page, register.cast.official)
    open_differences(page)

    # Keeping ours without saying why.
    row = difference_row(page, register.differing, "text")
    row.locator("summary", has_text=t("Keep ours, with a note")).click()
    follow(page, row.get_by_role("button", name=t("Keep ours"), exact=True))
    assert page.title().startswith("Fout:"), page.title()
    errors = page.locator("#form-errors")
    assert errors.get_attribute("role") == "alert"
    assert t("Say why the ministry's value stays.") in errors.inner_text()
    assert difference_kinds(page, register.differing) == ["status", "text"]
    assert not RegisterNote.objects.exists()
    screenshot(page, "register-difference-keep-refused")

    # A register number that is none: refused, and the number as typed stays in its field.
    row = difference_row(page, register.unregistered, "unregistered")
    number = row.get_by_label(label("Register number"))
    number.fill("TZ 2024 zeven")
    follow(page, row.get_by_role("button", name=t("Link"), exact=True))
    assert page.title().startswith("Fout:"), page.title()
    assert (
        t('A register number reads like "TZ202412-116".')
        in page.locator("#form-errors").inner_text()
    )
    number = difference_row(page, register.unregistered, "unregistered").get_by_label(
        label("Register number")
    )
    assert number.input_value() == "TZ 2024 zeven"
    assert number.get_attribute("aria-invalid") == "true"
    assert Commitment.objects.get(pk=register.unregistered.pk).register_number == ""
    screenshot(page, "register-difference-link-refused")


def test_the_list_filtered_on_differing_from_the_register_shows_exactly_those(new_page, register):
    page = new_page()
    log_in(page, register.cast.official)
    page.goto(reverse("commitments:list"))
    everything = {
        register.differing.reference,
        register.agreeing.reference,
        register.unregistered.reference,
    }
    assert set(listed_references(page)) == everything
    filters = page.locator("form.filters")
    checkbox = filters.get_by_role("checkbox", name=label("Differs from the Kamer's register"))
    assert checkbox.get_attribute("name") == "register_differs"
    assert not checkbox.is_checked()
    checkbox.check()
    follow(page, filters.get_by_role("button", name=t("Apply filters")))
    assert "register_differs=1" in urlsplit(page.url).query
    assert sorted(listed_references(page)) == sorted(
        [register.differing.reference, register.unregistered.reference]
    )
    assert (
        page.locator("form.filters")
        .get_by_role("checkbox", name=label("Differs from the Kamer's register"))
        .is_checked()
    )
    screenshot(page, "register-differs-list")


def test_the_commitment_page_shows_the_kamers_status_and_leads_to_the_differences(
    new_page, register
):
    page = new_page()
    log_in(page, register.cast.official)
    page.goto(reverse("commitments:detail", args=[register.differing.pk]))
    facts = page.locator(".facts")
    status = facts.locator("dt", has_text=re.compile(f"^{re.escape(t('Status'))}$")).locator("+ dd")
    assert f"{t(IN_THE_REGISTER)}: Voldaan" in status.inner_text()
    link = status.get_by_role("link", name=t("Differs from the Kamer's register"))
    assert link.get_attribute("href") == (
        f"{reverse('parliament:register_differences')}#commitment-{register.differing.pk}"
    )
    screenshot(page, "register-commitment-detail")
    follow(page, link)
    assert urlsplit(page.url).path == reverse("parliament:register_differences")
    assert page.locator(f"#commitment-{register.differing.pk}").is_visible()

    # One that agrees with the register says the Kamer's status, and offers no link.
    page.goto(reverse("commitments:detail", args=[register.agreeing.pk]))
    status = (
        page.locator(".facts")
        .locator("dt", has_text=re.compile(f"^{re.escape(t('Status'))}$"))
        .locator("+ dd")
    )
    assert f"{t(IN_THE_REGISTER)}: Openstaand" in status.inner_text()
    assert status.get_by_role("link", name=t("Differs from the Kamer's register")).count() == 0


def test_the_error_of_a_refused_note_leads_to_the_note_it_is_about(new_page, register):
    page = new_page()
    log_in(page, register.cast.official)
    open_differences(page)
    row = difference_row(page, register.differing, "text")
    row.locator("summary", has_text=t("Keep ours, with a note")).click()
    follow(page, row.get_by_role("button", name=t("Keep ours"), exact=True))
    target = page.locator("#form-errors a").first.get_attribute("href")
    assert page.locator(target).count() == 1, f"the error links to {target}: not on the page"
    note = difference_row(page, register.differing, "text").get_by_label(label("Why ours stays"))
    assert note.is_visible()
    assert note.get_attribute("aria-invalid") == "true"
