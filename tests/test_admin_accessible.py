"""The admin pages officials use pass axe like the tracker's own pages: the commitment's change
form and adding a bewindspersoon, in Dutch, with the admin's widgets (date picker, related
lookups, inlines, history)."""

import pytest
from django.urls import reverse

from commitments.services import commitment_update_progress
from tests import test_browser as journeys
from tests.factories import CommitmentFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.browser

browser = journeys.browser
new_page = journeys.new_page
PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory


@pytest.fixture
def admin_page(new_page, transactional_db):
    admin = UserFactory(username="beheer", is_staff=True, is_superuser=True)
    page = new_page()
    page.goto(reverse("admin:login"))
    page.locator("#id_username").fill(admin.username)
    page.locator("#id_password").fill(PASSWORD)
    journeys.follow(page, page.locator("input[type=submit], button[type=submit]").first)
    return page


def test_the_commitment_change_form_has_no_axe_violations(admin_page):
    commitment = CommitmentFactory()
    admin_page.goto(reverse("admin:commitments_commitment_change", args=[commitment.pk]))
    journeys.assert_accessible(admin_page, "admin-commitment-change")


def test_adding_a_bewindspersoon_has_no_axe_violations(admin_page):
    admin_page.goto(reverse("admin:commitments_bewindspersoon_add"))
    journeys.assert_accessible(admin_page, "admin-bewindspersoon-add")


def test_the_history_speaks_dutch_with_labels_and_names(admin_page):
    author = UserFactory(username="jvdberg", first_name="Jan", last_name="van den Berg")
    commitment = CommitmentFactory(team=TeamFactory(members=[author]))
    commitment_update_progress(
        commitment=commitment, author=author, status="in_progress", note="Brief in concept."
    )
    admin_page.goto(reverse("admin:commitments_commitment_history", args=[commitment.pk]))
    journeys.assert_accessible(admin_page, "admin-commitment-history")
    table = admin_page.locator("#change-history")
    headers = [text.strip() for text in table.locator("thead th").all_text_contents()]
    assert "Gewijzigd door" in headers and "Changed by" not in headers
    text = table.inner_text()
    assert "Status: open → in behandeling" in " ".join(text.split())
    assert "in_progress" not in text
    assert "Jan van den Berg" in text and "jvdberg" not in text
