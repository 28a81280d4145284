"""The manager's dashboard charts and the activities' commitments (issue 12, "Managers").

The figures are checked against a known set of factories; the query counts against growing
data; the charts, the banner and the activity pages in Debian's Chromium as a manager sees them.
"""

import datetime
import re
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actionlines import services as activity_services
from actionlines.models import Activity
from commitments import services
from tests import test_browser
from tests.factories import (
    ActionLineFactory,
    ActivityFactory,
    BewindspersoonFactory,
    CommitmentFactory,
    DeadlineChangeFactory,
    PlanFactory,
    TeamFactory,
    UserFactory,
)

# Debian's Chromium, launched once a module as tests/test_browser.py does.
chromium = test_browser.browser

DASHBOARD = "/dashboard/"
PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's
STATUS_KEYS = ["overdue", "open", "in_progress", "fulfilled", "partially_fulfilled", "lapsed"]


@pytest.fixture
def today(time_machine):
    amsterdam = zoneinfo.ZoneInfo("Europe/Amsterdam")
    time_machine.move_to(datetime.datetime(2025, 11, 3, 10, 0, tzinfo=amsterdam), tick=False)
    return datetime.date(2025, 11, 3)


def fulfilled(*, on, due, **fields):
    return CommitmentFactory(status="fulfilled", fulfilled_on=on, due_date=due, **fields)


def dashboard(client):
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    return response


def without_csrf(body: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", body)


def queries_for(client, url=DASHBOARD) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


# --- the figures -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_trend_counts_on_time_and_late_fulfilment_per_quarter(client, cast, today):
    fulfilled(team=cast.team, on=datetime.date(2025, 10, 10), due=datetime.date(2025, 10, 31))
    fulfilled(team=cast.team, on=datetime.date(2025, 10, 31), due=datetime.date(2025, 10, 31))
    fulfilled(team=cast.team, on=datetime.date(2025, 5, 2), due=datetime.date(2025, 4, 30))
    fulfilled(team=cast.team, on=datetime.date(2024, 2, 1), due=None, original_due_date=None)
    # Outside the eight quarters, not fulfilled wholly, or another team's: not counted.
    fulfilled(team=cast.team, on=datetime.date(2023, 12, 31), due=datetime.date(2023, 1, 1))
    CommitmentFactory(
        team=cast.team, status="partially_fulfilled", fulfilled_on=datetime.date(2025, 10, 1)
    )
    fulfilled(team=cast.other_team, on=datetime.date(2025, 10, 1), due=datetime.date(2025, 1, 1))
    client.force_login(cast.manager)

    trend = dashboard(client).context["figures"]["trend"]

    assert [(q.start, q.on_time, q.late) for q in trend] == [
        (datetime.date(2024, 1, 1), 1, 0),
        (datetime.date(2024, 4, 1), 0, 0),
        (datetime.date(2024, 7, 1), 0, 0),
        (datetime.date(2024, 10, 1), 0, 0),
        (datetime.date(2025, 1, 1), 0, 0),
        (datetime.date(2025, 4, 1), 0, 1),
        (datetime.date(2025, 7, 1), 0, 0),
        (datetime.date(2025, 10, 1), 2, 0),
    ]
    assert trend[-1].on_time_percentage == 100 and trend[5].on_time_percentage == 0
    assert trend[1].on_time_percentage is None  # nothing fulfilled: no percentage, not 0 %


@pytest.mark.django_db
def test_overdue_is_broken_down_by_team_bewindspersoon_and_action_line(client, cast, today):
    second_team = TeamFactory(name="Team Zeden")
    minister, state_secretary = (
        BewindspersoonFactory(name="Van der Steur"),
        BewindspersoonFactory(name="Dijkhoff"),
    )
    plan = PlanFactory(title="Plan tegen kindersekstoerisme")
    prevention = ActionLineFactory(plan=plan, number=1, title="Preventie")
    prosecution = ActionLineFactory(plan=plan, number=2, title="Opsporing en vervolging")
    toolkit = ActivityFactory(plan=plan, action_line=prevention, title="Toolkit")
    barriers = ActivityFactory(plan=plan, action_line=prevention, title="Barrièremodel")
    liaison = ActivityFactory(plan=plan, action_line=prosecution, title="FILO Bangkok")
    late = datetime.date(2025, 9, 1)
    both = CommitmentFactory(team=cast.team, made_by=minister, due_date=late)
    both.activities.add(toolkit, barriers)  # two activities of one line: counted once there
    CommitmentFactory(team=cast.team, made_by=state_secretary, due_date=late).activities.add(
        liaison
    )
    CommitmentFactory(team=second_team, made_by=minister, due_date=late).activities.add(liaison)
    CommitmentFactory(team=None, made_by=state_secretary, due_date=late)
    CommitmentFactory(team=cast.team, made_by=minister, due_date=datetime.date(2025, 12, 1))
    client.force_login(cast.staff)

    response = dashboard(client)
    figures = response.context["figures"]
    lines = {state.line.title: state for state in response.context["lines"]}

    assert [(g.name, g.count) for g in figures["overdue_by_team"]] == [
        ("Team Jeugd", 2),
        ("", 1),
        ("Team Zeden", 1),
    ]
    assert [(g.name, g.count) for g in figures["overdue_by_bewindspersoon"]] == [
        ("Dijkhoff", 2),
        ("Van der Steur", 2),
    ]
    assert (lines["Preventie"].overdue, lines["Opsporing en vervolging"].overdue) == (1, 2)
    body = response.content.decode()
    for chart in ("overdue-team-chart", "overdue-person-chart", "overdue-line-chart"):
        assert f'data-chart="{chart}"' in body
    assert "Geen team" in body  # the commitments without a team are named, not left blank


@pytest.mark.django_db
def test_each_action_line_shows_its_status_mix_beside_its_activities_progress(client, cast, today):
    plan = PlanFactory()
    line = ActionLineFactory(plan=plan, title="Internationale samenwerking")
    empty = ActionLineFactory(plan=plan, title="Zonder activiteiten")
    started = ActivityFactory(plan=plan, action_line=line, progress=40, status="in_progress")
    done = ActivityFactory(plan=plan, action_line=line, progress=100, status="completed")
    ActivityFactory(plan=plan, action_line=line, progress=0, status="cancelled")
    serving = [
        CommitmentFactory(team=cast.team, due_date=datetime.date(2025, 9, 1)),
        CommitmentFactory(team=cast.team, due_date=datetime.date(2026, 1, 1)),
        CommitmentFactory(team=cast.team, status="in_progress", due_date=None),
        CommitmentFactory(team=cast.team, status="lapsed"),
        CommitmentFactory(
            team=cast.team, status="fulfilled", fulfilled_on=datetime.date(2025, 9, 1)
        ),
        # Another team's: the manager does not see it, so it is not in their mix.
        CommitmentFactory(team=cast.other_team, due_date=datetime.date(2025, 9, 1)),
    ]
    for commitment in serving:
        commitment.activities.add(started)
    serving[4].activities.add(done)
    client.force_login(cast.manager)

    states = {state.line.title: state for state in dashboard(client).context["lines"]}

    mix = {key: count for key, _label, count in states["Internationale samenwerking"].segments}
    assert mix == {
        "overdue": 1,
        "open": 1,
        "in_progress": 1,
        "fulfilled": 1,
        "partially_fulfilled": 0,
        "lapsed": 1,
    }
    state = states["Internationale samenwerking"]
    assert (state.activity_count, state.completed_count) == (3, 1)
    assert state.average_progress == 70  # the cancelled activity does not pull it down
    assert states["Zonder activiteiten"].activity_count == 0
    assert states["Zonder activiteiten"].total == 0
    assert empty.pk in {s.line.pk for s in states.values()}


@pytest.mark.django_db
def test_a_waiting_request_is_an_invitation_to_review_not_an_error(client, cast, today):
    DeadlineChangeFactory(commitment=CommitmentFactory(team=cast.team), requested_by=cast.official)
    client.force_login(cast.manager)
    body = dashboard(client).content.decode()
    assert 'class="message message--action"' in body
    assert "message--error" not in body and "message--warning" not in body
    assert f'href="{reverse("commitments:deadline_changes")}">Beoordelen</a>' in body


# --- the cost ----------------------------------------------------------------------------------


def grow(cast, *, teams: int, lines: int):
    """More of everything the figures are grouped by: teams, bewindspersonen, quarters, lines."""
    plan = PlanFactory()
    for number in range(lines):
        line = ActionLineFactory(plan=plan)
        activity = ActivityFactory(plan=plan, action_line=line, progress=number * 10 % 100)
        for index in range(teams):
            team = TeamFactory()
            overdue = CommitmentFactory(team=team, due_date=datetime.date(2025, 1, 1 + index))
            overdue.activities.add(activity)
            fulfilled(
                team=cast.team,
                on=datetime.date(2024 + index % 2, 1 + 3 * (index % 4), 5),
                due=datetime.date(2024, 6, 1),
            ).activities.add(activity)


@pytest.mark.django_db
@pytest.mark.parametrize("user", ["manager", "staff", "director"])
def test_the_dashboard_costs_the_same_with_more_teams_quarters_and_lines(client, cast, user, today):
    client.force_login(getattr(cast, user))
    dashboard(client)  # the first request after login stores the language cookie
    grow(cast, teams=2, lines=1)
    cold_few = queries_for(client)
    kept_few = queries_for(client)
    grow(cast, teams=6, lines=4)
    cold_many = queries_for(client)
    kept_many = queries_for(client)
    assert cold_few == cold_many, (cold_few, cold_many)
    assert kept_few == kept_many, (kept_few, kept_many)
    # Kept (the usual visit): at most eight. Fresh after a change: a constant number, all of
    # them aggregate queries or short lists.
    assert kept_many <= 8, kept_many
    assert cold_many <= 17, cold_many


@pytest.mark.django_db
def test_the_new_figures_are_kept_and_read_no_commitments(client, cast, today):
    grow(cast, teams=2, lines=2)
    client.force_login(cast.manager)
    first = without_csrf(dashboard(client).content.decode())
    with CaptureQueriesContext(connection) as captured:
        again = without_csrf(dashboard(client).content.decode())
    tables = " ".join(query["sql"] for query in captured.captured_queries)
    assert "commitments_commitment" not in tables and "actionlines_activity" not in tables
    assert again == first and 'data-chart="trend-chart"' in again


# --- what makes the kept figures go --------------------------------------------------------------


def overdue_line_counts(client) -> dict[str, int]:
    """The overdue bars of the action lines, read from the rendered page (it may be kept)."""
    body = dashboard(client).content.decode()
    chart = body[body.index('data-chart="overdue-line-chart"') :]
    chart = chart[: chart.index("</table>")]
    rows = chart.split('<tr><th scope="row">')[1:]
    return {
        row.split("</th>")[0]: int(row.split('<td class="number">')[1].split("<")[0])
        for row in rows
    }


@pytest.mark.django_db
def test_linking_a_commitment_to_an_activity_moves_it_into_the_lines_figures(client, cast, today):
    plan = PlanFactory(title="Plan")
    line = ActionLineFactory(plan=plan, number=1, title="Preventie")
    activity = ActivityFactory(plan=plan, action_line=line)
    commitment = CommitmentFactory(team=cast.team, due_date=datetime.date(2025, 9, 1))
    client.force_login(cast.manager)
    assert overdue_line_counts(client) == {}
    services.commitment_set_links(
        commitment=commitment, author=cast.official, links={"activities": [activity]}
    )
    assert overdue_line_counts(client) == {"1. Preventie (Plan)": 1}


@pytest.mark.django_db
def test_activity_progress_shows_in_the_lines_block_at_once(client, cast, today):
    plan = PlanFactory()
    line = ActionLineFactory(plan=plan)
    activity = ActivityFactory(plan=plan, action_line=line, team=cast.team)
    client.force_login(cast.manager)
    assert "0 van 1 activiteit afgerond" in dashboard(client).content.decode()
    activity_services.activity_update_progress(
        activity=activity, author=cast.official, status="completed", progress=100
    )
    body = dashboard(client).content.decode()
    assert "1 van 1 activiteit afgerond" in body


@pytest.mark.django_db
def test_a_fulfilment_shows_in_the_trend_at_once(client, cast, today):
    from tests.factories import DocumentFactory

    commitment = CommitmentFactory(team=cast.team, due_date=datetime.date(2025, 12, 1))
    client.force_login(cast.manager)
    assert dashboard(client).context["figures"]["trend"][-1].on_time == 0
    services.commitment_update_progress(
        commitment=commitment,
        author=cast.official,
        status="fulfilled",
        evidence_document=DocumentFactory(date=datetime.date(2025, 10, 20)),
    )
    body = dashboard(client).content.decode()
    assert "K4 2025: 1 op tijd, 0 te laat" in body


@pytest.mark.django_db
def test_renaming_a_bewindspersoon_renames_the_bar(client, cast, today):
    minister = BewindspersoonFactory(name="Van der Steur")
    CommitmentFactory(team=cast.team, made_by=minister, due_date=datetime.date(2025, 9, 1))
    client.force_login(cast.manager)
    assert "Van der Steur: 1" in dashboard(client).content.decode()
    minister.name = "G.A. van der Steur"
    minister.save()
    assert "G.A. van der Steur: 1" in dashboard(client).content.decode()


# --- the activities -----------------------------------------------------------------------------

PERIODS = [
    # (start, end, kind, what the page says)
    (datetime.date(2017, 3, 1), None, Activity.Kind.NEW, "Vanaf maart 2017"),
    (None, datetime.date(2018, 12, 31), Activity.Kind.NEW, "Tot eind 2018"),
    (datetime.date(2016, 9, 6), None, Activity.Kind.NEW, "Vanaf 6 september 2016"),
    (
        datetime.date(2016, 9, 6),
        datetime.date(2018, 9, 5),
        Activity.Kind.INTENSIFICATION,
        "6 september 2016 – 5 september 2018",
    ),
    (None, None, Activity.Kind.CONTINUED, "Doorlopend"),
    (None, None, Activity.Kind.GOVERNANCE, "Doorlopend"),
    (None, None, Activity.Kind.NEW, "Geen periode vastgelegd"),
]


@pytest.mark.django_db
def test_activity_pages_say_what_is_known_of_the_period_and_never_a_question_mark(client, cast):
    plan = PlanFactory(period_start=None, period_end=None)
    line = ActionLineFactory(plan=plan)
    activities = [
        ActivityFactory(
            plan=plan,
            action_line=line,
            title=f"Activiteit {index}",
            kind=kind,
            start_date=start,
            end_date=end,
        )
        for index, (start, end, kind, _text) in enumerate(PERIODS)
    ]
    client.force_login(cast.official)
    plan_page = client.get(reverse("actionlines:plan_detail", args=[plan.pk])).content.decode()
    assert "Geen periode vastgelegd" in plan_page  # the plan's own period
    cells = [cell.split("</td>")[0] for cell in plan_page.split('<td class="activity-period">')[1:]]
    assert cells == [text for _start, _end, _kind, text in PERIODS]
    for activity, (_start, _end, _kind, text) in zip(activities, PERIODS, strict=True):
        page = client.get(reverse("actionlines:activity_detail", args=[activity.pk]))
        body = page.content.decode()
        period = body.split('<dd class="activity-period">')[1].split("</dd>")[0]
        assert period == text
        assert "?" not in period and "geen einddatum" not in body


@pytest.mark.django_db
def test_an_activity_shows_its_progress_and_the_state_of_its_commitments(client, cast, today):
    activity = ActivityFactory(team=cast.team, title="Toolkit Aanpak Kindersekstoerisme")
    for commitment in (
        CommitmentFactory(team=cast.team, due_date=datetime.date(2025, 9, 1)),
        CommitmentFactory(team=cast.team, due_date=datetime.date(2025, 8, 1)),
        CommitmentFactory(team=cast.team, due_date=datetime.date(2026, 1, 1)),
        CommitmentFactory(team=cast.team, status="lapsed"),
        CommitmentFactory(team=cast.other_team, reference="TZ-ELDERS"),
    ):
        commitment.activities.add(activity)
    activity_services.activity_update_progress(
        activity=activity, author=cast.official, status="in_progress", progress=60
    )
    client.force_login(cast.official)
    detail = client.get(reverse("actionlines:activity_detail", args=[activity.pk]))
    plan = client.get(reverse("actionlines:plan_detail", args=[activity.plan_id]))
    for body in (detail.content.decode(), plan.content.decode()):
        states = body.split('<ul class="commitment-states"')[1].split("</ul>")[0]
        assert ">2 te laat<" in states and ">1 open<" in states and ">1 vervallen<" in states
        assert "TZ-ELDERS" not in body  # the outsider's commitment is not counted nor named
        assert 'value="60"' in body
        assert "laatst bijgewerkt op 3 november 2025" in body
    # Beside the count, each overdue commitment of the list says how late it is.
    assert detail.content.decode().count('class="badge badge--overdue"') == 1 + 2


# --- in the browser ---------------------------------------------------------------------------


@pytest.fixture
def browser_page(chromium, live_server):
    """A fresh browser context per test, as in tests/test_browser.py."""
    contexts = []

    def open_page(*, width=1280):
        context = chromium.new_context(
            base_url=live_server.url, locale="nl-NL", viewport={"width": width, "height": 900}
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def manager_world(chromium, transactional_db):
    """A manager's team with work in every status, spread over quarters, lines and people,
    relative to the real today (the live server runs in its own thread)."""
    today = timezone.localdate()
    manager = UserFactory(username="chef")
    official = UserFactory(username="ambtenaar")
    team = TeamFactory(name="Team Jeugd", managers=[manager], members=[official])
    minister = BewindspersoonFactory(name="Van der Steur")
    plan = PlanFactory(title="Plan van aanpak bestrijding kindersekstoerisme 2016")
    prevention = ActionLineFactory(plan=plan, number=1, title="Preventie")
    activity = ActivityFactory(
        plan=plan, action_line=prevention, title="Barrièremodel", progress=40
    )
    open_ended = ActivityFactory(
        plan=plan, action_line=prevention, title="Green Notices", kind=Activity.Kind.CONTINUED
    )
    week = datetime.timedelta(days=7)
    made = [
        CommitmentFactory(team=team, made_by=minister, due_date=today - 10 * week),
        CommitmentFactory(team=team, made_by=minister, due_date=today + 10 * week),
        CommitmentFactory(team=team, status="in_progress", due_date=today + 3 * week),
        CommitmentFactory(team=team, status="lapsed"),
        CommitmentFactory(
            team=team,
            status="partially_fulfilled",
            fulfilled_on=today - 30 * week,
            due_date=today + week,
        ),
        fulfilled(team=team, on=today - 20 * week, due=today - 19 * week),
        fulfilled(team=team, on=today - 40 * week, due=today - 45 * week),
    ]
    for commitment in made:
        commitment.activities.add(activity)
    made[0].activities.add(open_ended)
    DeadlineChangeFactory(commitment=made[1], requested_by=official, new_due_date=today + 20 * week)
    return {"manager": manager, "plan": plan, "activities": [activity, open_ended]}


def log_in(page, username):
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Inloggen").click()


# The size a text is drawn at: its font size times the scale the SVG is drawn at.
RENDERED_LABEL_SIZES = """
() => [...document.querySelectorAll('.dash-chart svg text')].map(text => ({
  text: text.textContent,
  px: parseFloat(getComputedStyle(text).fontSize) * text.ownerSVGElement.getScreenCTM().a,
}))
"""
FILLS = """
() => Object.fromEntries([...document.querySelectorAll('.chart-legend rect')].map(rect => [
  rect.getAttribute('class').split('dash-fill--')[1], getComputedStyle(rect).fill,
]))
"""
TEXT_ALTERNATIVES = """
() => [...document.querySelectorAll('.dash-chart svg[role=img]')].map(svg => ({
  chart: svg.closest('figure').dataset.chart,
  name: svg.getAttribute('aria-labelledby').split(' ')
    .map(id => document.getElementById(id).textContent.trim()),
  table: svg.closest('figure').querySelector('table') !== null,
}))
"""


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 390])
def test_the_charts_are_readable_distinct_and_described(browser_page, manager_world, width):
    page = browser_page(width=width)
    log_in(page, "chef")
    page.goto(DASHBOARD)

    charts = page.locator(".dash-chart").evaluate_all("(all) => all.map(f => f.dataset.chart)")
    assert charts == [
        "status-chart",
        "trend-chart",
        "overdue-team-chart",
        "overdue-person-chart",
        "overdue-line-chart",
    ]
    sizes = page.evaluate(RENDERED_LABEL_SIZES)
    assert len(sizes) > 20
    too_small = [size for size in sizes if size["px"] < 12]
    assert not too_small, too_small

    fills = page.evaluate(FILLS)
    assert set(STATUS_KEYS) <= set(fills), fills
    status_fills = [fills[key] for key in STATUS_KEYS]
    assert len(set(status_fills)) == len(STATUS_KEYS), fills
    assert fills["on_time"] != fills["late"]
    # Overdue and late are hatched, not only coloured.
    assert "dash-hatch-overdue" in fills["overdue"] and "dash-hatch-late" in fills["late"]
    assert page.locator("#dash-hatch-overdue").count() == 1

    for chart in page.evaluate(TEXT_ALTERNATIVES):
        title, description = chart["name"]
        assert title and description and description != title, chart
        if chart["chart"] != "status-chart":  # that one has its table beside it, visible
            assert chart["table"], chart
    page.locator(".dash-lines").get_by_text("1 te laat").first.wait_for()
    assert page.locator(".status-mix__counts").first.inner_text().startswith("1 te laat")

    banner = page.locator(".message").filter(has_text="uitstelverzoek")
    classes = banner.get_attribute("class").split()
    assert "message--error" not in classes and "message--warning" not in classes
    assert banner.evaluate("(e) => getComputedStyle(e).backgroundColor") != "rgb(251, 233, 233)"
    review = banner.get_by_role("link", name="Beoordelen")
    with page.expect_navigation():
        review.click()
    assert page.url.endswith(reverse("commitments:deadline_changes"))


@pytest.mark.browser
def test_the_dashboard_and_the_activity_pages_pass_axe(browser_page, manager_world):
    from axe_playwright_python.sync_playwright import Axe

    page = browser_page()
    log_in(page, "chef")
    pages = [DASHBOARD, reverse("actionlines:plan_detail", args=[manager_world["plan"].pk])]
    pages += [
        reverse("actionlines:activity_detail", args=[activity.pk])
        for activity in manager_world["activities"]
    ]
    for url in pages:
        page.goto(url)
        results = Axe().run(page)
        assert results.violations_count == 0, f"{url}:\n{results.generate_report()}"
        assert "?" not in " ".join(page.locator(".activity-period").all_inner_texts())
        assert "geen einddatum" not in page.content()
    page.goto(pages[1])
    # Barrièremodel has no dates; Green Notices is continued work without them.
    assert page.locator(".activity-period").all_inner_texts() == [
        "Geen periode vastgelegd",
        "Doorlopend",
    ]
