"""The list's Next, Previous and Last links page by position (commitments.keyset): the same
rows as the pages by number, without OFFSET, whatever the depth."""

import datetime
import html
import re
from contextlib import contextmanager

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commitments import keyset
from tests.factories import CommitmentFactory

LIST = "/commitments/"
PER_PAGE = 25


@contextmanager
def sql_log():
    """Every statement sent while inside, across requests (the connection's own query log is
    emptied as each request starts)."""
    statements: list[str] = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield statements


SORTS = ["due_date", "-due_date", "made_on", "-made_on", "reference", "status"]


@pytest.fixture
def many(cast):
    """57 commitments: three pages of 25, with due dates shared by several rows and a few
    without a due date, so that positions fall inside a date and between the two parts; in
    two statuses, so that the status sort's pages cross from one status to the next."""
    rows = []
    for number in range(57):
        due = None if number % 9 == 4 else datetime.date(2026, 1, 1 + number % 6)
        rows.append(
            CommitmentFactory(
                reference=f"TZ-K{(number * 37) % 101:03d}",
                status="open" if number % 5 < 3 else "in_progress",
                team=cast.team,
                due_date=due,
                original_due_date=due,
                made_on=datetime.date(2025, 1, 1) + datetime.timedelta(days=number % 4),
            )
        )
    return rows


def references(response) -> list[str]:
    return [row["reference"] for row in response.context["page"].object_list]


def link(response, rel: str) -> str | None:
    found = re.search(rf'<a href="([^"]*)" rel="{rel}"', response.content.decode())
    return html.unescape(found.group(1)) if found else None


def last_link(response) -> str:
    found = re.search(r'<a href="([^"]*)">(?:Laatste|Last)</a>', response.content.decode())
    return html.unescape(found.group(1))


def by_number(client, sort) -> list[list[str]]:
    pages = []
    for number in (1, 2, 3):
        response = client.get(
            LIST, {"sort": sort, "per_page": PER_PAGE, "page": number}, follow=True
        )
        pages.append(references(response))
    return pages


@pytest.mark.parametrize("sort", SORTS)
def test_next_and_previous_walk_the_same_pages_as_the_page_numbers(client, cast, many, sort):
    client.force_login(cast.admin)
    expected = by_number(client, sort)
    assert sum(len(page) for page in expected) == 57
    assert len(set(sum(expected, []))) == 57  # no row twice, none left out

    walked = []
    response = client.get(LIST, {"sort": sort, "per_page": PER_PAGE}, follow=True)
    walked.append(references(response))
    with sql_log() as statements:
        while (following := link(response, "next")) is not None:
            assert "cursor=" in following
            response = client.get(LIST + following, follow=True)
            walked.append(references(response))
    assert walked == expected
    assert statements and not any("OFFSET" in sql for sql in statements)

    backwards = [references(response)]
    while (preceding := link(response, "prev")) is not None:
        response = client.get(LIST + preceding, follow=True)
        backwards.append(references(response))
    assert list(reversed(backwards)) == expected
    assert response.context["page"].number == 1


@pytest.mark.parametrize("sort", SORTS)
def test_the_last_link_reads_the_last_page_from_the_end(client, cast, many, sort):
    client.force_login(cast.admin)
    expected = by_number(client, sort)
    response = client.get(LIST, {"sort": sort, "per_page": PER_PAGE}, follow=True)
    response = client.get(LIST + last_link(response), follow=True)
    assert response.context["page"].number == 3
    assert references(response) == expected[2]


def test_a_page_by_position_reads_no_skipped_rows(client, cast, many):
    client.force_login(cast.admin)
    first = client.get(LIST, {"per_page": PER_PAGE}, follow=True)
    # Each log is read at once: a request starting empties the connection's query log.
    with CaptureQueriesContext(connection) as queries:
        client.get(LIST + link(first, "next"), follow=True)
    by_position = [query["sql"] for query in queries.captured_queries]
    with CaptureQueriesContext(connection) as queries:
        client.get(LIST, {"per_page": PER_PAGE, "page": 2}, follow=True)
    by_number_page = [query["sql"] for query in queries.captured_queries]
    commitments_sql = [sql for sql in by_position if "commitments_commitment" in sql]
    assert commitments_sql
    assert not any("OFFSET" in sql for sql in commitments_sql)
    assert any("OFFSET" in sql for sql in by_number_page)
    assert len(by_position) <= len(by_number_page)


def test_a_row_added_before_the_position_does_not_repeat_the_last_row_seen(client, cast, many):
    client.force_login(cast.admin)
    expected = by_number(client, "due_date")
    first = client.get(LIST, {"per_page": PER_PAGE}, follow=True)
    # Sorts before every other row: by number, page 2 would now start with page 1's last row.
    CommitmentFactory(reference="TZ-A000", team=cast.team, due_date=datetime.date(2025, 12, 1))
    assert references(client.get(LIST, {"per_page": PER_PAGE, "page": 2}))[0] == expected[0][-1]
    assert references(client.get(LIST + link(first, "next"))) == expected[1]


@pytest.mark.parametrize(
    "token",
    [
        "not-base64-at-all!",
        keyset.encode(
            "made_on",
            keyset.FORWARD,
            {"made_on": datetime.date(2025, 1, 2), "reference": "TZ-K001"},
        ),
        "WyJkdWVfZGF0ZSIsICJ4IiwgbnVsbCwgMV0",  # ["due_date", "x", null, 1]
    ],
)
def test_a_damaged_or_foreign_position_falls_back_to_the_page_number(client, cast, many, token):
    client.force_login(cast.admin)
    expected = by_number(client, "due_date")
    response = client.get(LIST, {"per_page": PER_PAGE, "page": 2, "cursor": token}, follow=True)
    assert response.status_code == 200
    assert references(response) == expected[1]


def test_the_status_sort_reads_status_by_status_without_ranking_every_row(client, cast, many):
    client.force_login(cast.admin)
    with sql_log() as statements:
        response = client.get(LIST, {"sort": "status", "per_page": PER_PAGE}, follow=True)
    statuses = [row["status"] for row in response.context["page"].object_list]
    assert statuses == sorted(statuses, key=["open", "in_progress"].index)
    paged = [sql for sql in statements if 'SELECT "commitments_commitment"."id"' in sql]
    assert paged and not any("CASE" in sql or "OFFSET" in sql for sql in paged)


def test_the_status_sort_asks_only_for_the_statuses_the_filter_finds(client, cast, many):
    client.force_login(cast.admin)
    # In progress comes second in the status sort: the open commitments are not asked first.
    query = {"sort": "status", "status": "in_progress", "per_page": PER_PAGE}
    expected = [references(client.get(LIST, {**query, "page": 1}, follow=True))]
    cache.clear()  # the page's ids were kept by the first read: read them again
    walked = []
    with sql_log() as statements:
        response = client.get(LIST, query, follow=True)
        walked.append(references(response))
        while (following := link(response, "next")) is not None:
            response = client.get(LIST + following, follow=True)
            walked.append(references(response))
    assert walked == expected and sum(map(len, walked)) == 22
    paged = [sql for sql in statements if 'SELECT "commitments_commitment"."id" AS "pk"' in sql]
    assert paged and not any("OFFSET" in sql for sql in paged)
    # One status asked for, so its two parts (dated, undated) only: not the open ones first.
    assert len(paged) == 2


def test_a_link_to_another_filter_or_page_drops_the_position(client, cast, many):
    client.force_login(cast.admin)
    first = client.get(LIST, {"per_page": PER_PAGE}, follow=True)
    second = client.get(LIST + link(first, "next"), follow=True)
    body = html.unescape(second.content.decode())
    first_page_link = re.search(r'<a href="([^"]*)">(?:Eerste|First)</a>', body).group(1)
    assert "cursor=" not in first_page_link
    sort_links = re.findall(r'<th scope="col"><a href="([^"]*)"', body)
    assert sort_links and not any("cursor=" in href for href in sort_links)


def test_tokens_name_their_sort_and_survive_the_round_trip():
    row = {"due_date": None, "made_on": datetime.date(2025, 1, 1), "reference": "TZ-€/?&"}
    token = keyset.encode("due_date", keyset.BACKWARD, row)
    assert re.fullmatch(r"[A-Za-z0-9_-]+", token)
    assert keyset.decode(token, "due_date") == keyset.Position(
        "due_date", keyset.BACKWARD, None, "TZ-€/?&"
    )
    assert keyset.decode(token, "-due_date") is None
    assert keyset.encode("unknown", keyset.FORWARD, row) is None
    assert keyset.decode(keyset.encode_end("made_on"), "made_on").is_end


def test_a_status_position_names_its_status_and_no_other():
    row = {"due_date": datetime.date(2026, 1, 2), "reference": "TZ-K001", "status": "lapsed"}
    token = keyset.encode("status", keyset.FORWARD, row)
    assert keyset.decode(token, "status") == keyset.Position(
        "status", keyset.FORWARD, datetime.date(2026, 1, 2), "TZ-K001", "lapsed"
    )
    assert keyset.decode(keyset.encode_end("status"), "status").is_end
    for payload in (
        ["status", "n", "2026-01-02", "TZ-K001"],  # no status
        ["status", "n", "2026-01-02", "TZ-K001", "unheard-of"],
        ["due_date", "n", "2026-01-02", "TZ-K001", "open"],  # a status on another sort
    ):
        assert keyset.decode(keyset._token(payload), payload[0]) is None


@pytest.mark.parametrize("sort", [*SORTS, "status"])
def test_a_search_keeps_the_order_and_pages_by_number(client, cast, many, sort):
    """A search orders on expressions (commitments.filters.SEARCH_SORTS) that must give the
    same order as the plain sort, the undated last; and it pages by number."""
    client.force_login(cast.admin)
    plain = sum(by_number(client, sort), [])
    searched = []
    for number in (1, 2, 3):
        response = client.get(
            LIST,
            {"q": "TZ-K", "sort": sort, "per_page": PER_PAGE, "page": number},
            follow=True,
        )
        searched += references(response)
        following = link(response, "next")
        assert following is None or "cursor=" not in following
    assert searched == plain


@pytest.fixture
def bunched(cast):
    """Forty commitments due early, and twelve matching "bunched" all due late."""
    for number in range(40):
        CommitmentFactory(team=cast.team, due_date=datetime.date(2025, 1, 1 + number % 28))
    return [
        CommitmentFactory(
            reference=f"TZ-LATE-{number:02d}",
            team=cast.team,
            text="Een bunched toezegging.",
            due_date=datetime.date(2027, 1, 1 + number),
        ).reference
        for number in range(12)
    ]


@pytest.mark.parametrize("budget, sorted_after_all", [(5_000, False), (20, True)])
def test_a_search_walks_the_order_and_sorts_its_matches_when_they_lie_too_deep(
    client, cast, bunched, monkeypatch, budget, sorted_after_all
):
    from commitments import selectors

    monkeypatch.setattr(selectors, "search_matches_sorted", lambda per_page: 0)  # always walk
    monkeypatch.setattr(selectors, "SEARCH_WALK_BUDGET", budget)
    # As the statistics of a database in use have it (a test database is never analysed).
    monkeypatch.setattr(selectors, "_commitments_estimate", lambda: 52)
    client.force_login(cast.admin)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST, {"q": "bunched", "per_page": PER_PAGE}, follow=True)
    assert references(response) == bunched
    sql = [query["sql"] for query in queries.captured_queries]
    assert any("walk WHERE search_match" in statement for statement in sql)
    assert any("ORDER BY COALESCE" in statement for statement in sql) == sorted_after_all


@pytest.mark.parametrize("sort", ["-due_date", "status"])
def test_a_search_in_an_order_no_index_holds_sorts_its_matches_without_walking(
    client, cast, bunched, monkeypatch, sort
):
    from commitments import selectors

    monkeypatch.setattr(selectors, "search_matches_sorted", lambda per_page: 0)  # walk if it may
    monkeypatch.setattr(selectors, "_commitments_estimate", lambda: 52)
    client.force_login(cast.admin)
    plain = [
        reference
        for reference in references(client.get(LIST, {"sort": sort, "per_page": 100}, follow=True))
        if reference.startswith("TZ-LATE-")
    ]
    with CaptureQueriesContext(connection) as queries:
        response = client.get(
            LIST, {"q": "bunched", "sort": sort, "per_page": PER_PAGE}, follow=True
        )
    assert references(response) == plain and sorted(plain) == bunched
    sql = [query["sql"] for query in queries.captured_queries]
    assert not any("walk WHERE search_match" in statement for statement in sql)


# --- the API's list -------------------------------------------------------------------------


def _api_pages(client, params, follow="next"):
    from tests.test_api import API

    pages, url = [], f"{API}/commitments/"
    with sql_log() as statements:
        while url:
            body = client.get(url, params).json()
            pages.append([row["reference"] for row in body["results"]])
            url, params = body[follow], None
            if len(pages) == 1:
                first_statements = len(statements)
    return pages, statements[first_statements:], body


@pytest.mark.parametrize("sort", SORTS)
def test_the_api_follows_positions_through_the_whole_list(cast, many, sort):
    from tests.test_api import api

    client = api(cast.admin)
    expected = by_number(logged_in(cast.admin), sort)
    pages, later_statements, last = _api_pages(client, {"sort": sort, "page_size": PER_PAGE})
    assert pages == expected
    assert later_statements and not any("OFFSET" in sql for sql in later_statements)

    # And back again from the last page, through `previous`.
    previous = last["previous"]
    back = []
    while previous:
        body = client.get(previous).json()
        back.append([row["reference"] for row in body["results"]])
        previous = body["previous"]
    assert list(reversed(back)) == expected[:-1]


def test_an_api_offset_cursor_of_before_still_reads_its_page(cast, many):
    from api.pagination import _encode
    from tests.test_api import API, api

    body = api(cast.admin).get(
        f"{API}/commitments/", {"page_size": PER_PAGE, "cursor": _encode(PER_PAGE)}
    )
    assert body.status_code == 200
    expected = by_number(logged_in(cast.admin), "due_date")
    assert [row["reference"] for row in body.json()["results"]] == expected[1]


def logged_in(user):
    """A browser session of the user, for the list page."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def test_the_first_page_latest_first_is_read_in_its_two_parts(client, cast, many):
    """No index holds "latest first, the undated last" as one order: the first page reads the
    dated rows from the due-date index backwards, then the undated, instead of sorting all."""
    client.force_login(cast.admin)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST, {"sort": "-due_date", "per_page": PER_PAGE}, follow=True)
    # Read before the next request: a request starting empties the connection's query log.
    read = [q["sql"] for q in queries.captured_queries if "commitments_commitment" in q["sql"]]
    assert any("IS NOT NULL" in sql and "NULLS LAST" not in sql for sql in read), read
    assert references(response) == by_number(client, "-due_date")[0]
