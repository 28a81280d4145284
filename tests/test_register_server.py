"""The local stand-in for the Kamer's OData register answers like the real service."""

import http.client
import json
import re
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.parse import parse_qs, urlencode, urlsplit
from urllib.request import urlopen

import pytest

from tests.register_server import (
    EMPTY_DATE,
    RegisterServer,
    make_records,
    minimal_record,
    parse_datetime,
    touch,
)

EXPAND_ALL = (
    "ToegezegdAan($expand=Persoon,Fractie),KamerbriefNakoming($expand=Kamerstukdossier),"
    "Activiteit,IsHerhalingVan,IsAanvullingOp,IsWijzigingVan"
)
NAVIGATION = (
    "ToegezegdAan",
    "KamerbriefNakoming",
    "Activiteit",
    "IsHerhalingVan",
    "IsAanvullingOp",
    "IsWijzigingVan",
)
PROJECT = Path(__file__).resolve().parents[1]


def get(url: str, timeout: float = 10) -> dict:
    with urlopen(url, timeout=timeout) as response:
        assert response.headers["Content-Type"] == "application/json; charset=utf-8"
        return json.loads(response.read())


def query(server: RegisterServer, **params) -> str:
    """The URL for `params` given without their `$`, encoded as the sync's client does."""
    return f"{server.base_url}/Toezegging?" + urlencode({f"${k}": v for k, v in params.items()})


def refused(url: str) -> tuple[int, dict]:
    with pytest.raises(HTTPError) as caught:
        urlopen(url, timeout=10)
    return caught.value.code, json.loads(caught.value.read())


def all_pages(url: str) -> list[dict]:
    pages = []
    while url:
        body = get(url)
        pages.append(body)
        url = body.get("@odata.nextLink")
    return pages


@pytest.fixture(scope="module")
def records():
    return make_records(600, seed=3)


@pytest.fixture
def server(records):
    with RegisterServer(records) as running:
        yield running


# --- paging and counting -----------------------------------------------------------------------


def test_pages_of_250_follow_next_link_to_the_end(server, records):
    pages = all_pages(f"{server.base_url}/Toezegging")

    assert [len(page["value"]) for page in pages] == [250, 250, 100]
    ids = [record["Id"] for page in pages for record in page["value"]]
    assert len(ids) == len(set(ids)) == 600
    assert set(ids) == {record["Id"] for record in records}
    assert all(p["@odata.context"] == f"{server.base_url}/$metadata#Toezegging" for p in pages)
    assert pages[0]["@odata.nextLink"].startswith(f"{server.base_url}/Toezegging?")
    assert "@odata.nextLink" not in pages[-1]
    assert len(server.requests) == 3
    assert server.requests[0] == "/OData/v4/2.0/Toezegging"
    # Default order: GewijzigdOp, then Id.
    keys = [(parse_datetime(r["GewijzigdOp"]), r["Id"]) for p in pages for r in p["value"]]
    assert keys == sorted(keys)


def test_next_link_keeps_the_query_and_top_caps_all_pages(server):
    url = query(server, filter="Verwijderd eq false", orderby="Nummer desc", count="true", top=300)
    pages = all_pages(url)

    assert [len(page["value"]) for page in pages] == [250, 50]
    following = parse_qs(urlsplit(pages[0]["@odata.nextLink"]).query)
    assert following == {
        "$filter": ["Verwijderd eq false"],
        "$orderby": ["Nummer desc"],
        "$count": ["true"],
        "$top": ["50"],
        "$skip": ["250"],
    }
    numbers = [record["Nummer"] for page in pages for record in page["value"]]
    assert numbers == sorted(numbers, reverse=True)
    assert all(page["@odata.count"] == pages[0]["@odata.count"] for page in pages)
    assert pages[0]["@odata.count"] > 300


def test_count_is_every_match_before_paging(server, records):
    body = get(query(server, filter="Ministerie eq 'Financiën'", count="true", top=5))
    expected = sum(record["Ministerie"] == "Financiën" for record in records)

    assert body["@odata.count"] == expected > 5
    assert len(body["value"]) == 5
    assert "@odata.nextLink" not in body
    assert "@odata.count" not in get(query(server, top=1))


def test_skip_past_the_end_is_an_empty_page(server):
    body = get(query(server, skip=5000, count="true"))
    assert body["value"] == []
    assert body["@odata.count"] == 600


# --- $filter -----------------------------------------------------------------------------------


def _changed(when: str, **overrides) -> dict:
    return minimal_record(GewijzigdOp=when, **overrides)


@pytest.fixture
def small():
    records = [
        _changed("2025-01-10T10:00:00+01:00", Ministerie="Justitie en Veiligheid"),  # 09:00Z
        _changed("2025-01-10T09:30:00Z", Ministerie="Justitie en Veiligheid"),
        _changed("2025-01-10T11:00:00+02:00", Ministerie="Justitie en Veiligheid"),  # 09:00Z
        _changed("2025-01-11T09:00:00+01:00", Ministerie="Financiën"),
        _changed(
            "2025-01-09T09:00:00+01:00",
            Ministerie="Justitie en Veiligheid",
            Tekst="De minister stuurt de Kamer een brief over de POLITIE in 't Gooi.",
            DatumNakoming="2025-02-03T00:00:00+01:00",
            Verwijderd=True,
        ),
    ]
    with RegisterServer(records) as running:
        yield running


def _numbers(body: dict, server: RegisterServer) -> list[int]:
    ids = [record["Id"] for record in server.records]
    return sorted(ids.index(record["Id"]) for record in body["value"])


def test_filter_on_ministry_and_changed_since_compares_instants(small):
    ministry = "Ministerie eq 'Justitie en Veiligheid'"
    since_ge = get(query(small, filter=f"{ministry} and GewijzigdOp ge 2025-01-10T09:00:00Z"))
    since_gt = get(query(small, filter=f"{ministry} and GewijzigdOp gt 2025-01-10T10:00:00+01:00"))
    with_millis = get(query(small, filter="GewijzigdOp lt 2025-01-10T11:00:00.001+02:00"))

    assert _numbers(since_ge, small) == [0, 1, 2]
    assert _numbers(since_gt, small) == [1]
    assert _numbers(with_millis, small) == [0, 2, 4]


def test_filter_with_parentheses_null_booleans_and_escaped_quotes(small):
    small.records[1]["Tekst"] = "De minister zegt: 'het komt goed'."
    in_parentheses = "(Verwijderd eq false) and (DatumNakoming eq null)"
    quoted = "Tekst eq 'De minister zegt: ''het komt goed''.'"

    assert _numbers(get(query(small, filter=in_parentheses)), small) == [0, 1, 2, 3]
    assert _numbers(get(query(small, filter="DatumNakoming ne null")), small) == [4]
    assert _numbers(get(query(small, filter="Verwijderd eq true")), small) == [4]
    assert _numbers(get(query(small, filter=quoted)), small) == [1]
    assert _numbers(
        get(query(small, filter="Ministerie ne 'Financiën' AND Id ne null")), small
    ) == [
        0,
        1,
        2,
        4,
    ]


def test_contains_ignores_case(small):
    body = get(query(small, filter="contains(Tekst,'politie in ''t gooi')"))
    assert _numbers(body, small) == [4]


def test_spaces_as_plus_and_as_percent_twenty_both_decode(small):
    plus = f"{small.base_url}/Toezegging?$filter=Ministerie+eq+%27Financi%C3%ABn%27"
    percent = f"{small.base_url}/Toezegging?$filter=Ministerie%20eq%20%27Financi%C3%ABn%27"
    assert _numbers(get(plus), small) == _numbers(get(percent), small) == [3]


def test_orderby_descending(small):
    body = get(query(small, orderby="GewijzigdOp desc"))
    stamps = [parse_datetime(record["GewijzigdOp"]) for record in body["value"]]
    assert stamps == sorted(stamps, reverse=True)


def test_records_changed_between_syncs_are_served_changed(small):
    since = "GewijzigdOp gt 2025-01-11T09:00:00+01:00"
    assert get(query(small, filter=since))["value"] == []

    withdrawn = touch(small.records[0])
    withdrawn["Verwijderd"] = True
    small.records.append(minimal_record(Tekst="Een nieuwe toezegging."))
    touch(small.records[-1])
    body = get(query(small, filter=since))

    assert [record["Id"] for record in body["value"]] == [
        withdrawn["Id"],
        small.records[-1]["Id"],
    ]
    assert body["value"][0]["Verwijderd"] is True


# --- $expand -----------------------------------------------------------------------------------


def test_navigation_properties_appear_only_when_expanded(server):
    plain = get(query(server, top=3))["value"]
    shallow = get(query(server, top=3, expand="ToegezegdAan,KamerbriefNakoming"))["value"]

    assert all(not set(NAVIGATION) & set(record) for record in plain)
    assert all({"Id", "Nummer", "Tekst", "GewijzigdOp", "Verwijderd"} <= set(r) for r in plain)
    for record in shallow:
        assert set(NAVIGATION) & set(record) == {"ToegezegdAan", "KamerbriefNakoming"}
        assert all(set(item) == {"Id"} for item in record["ToegezegdAan"])
        assert all("Kamerstukdossier" not in document for document in record["KamerbriefNakoming"])


def test_nested_expand_gives_members_parties_dossiers_and_debates(server):
    records = [r for p in all_pages(query(server, expand=EXPAND_ALL)) for r in p["value"]]

    assert all(set(NAVIGATION) <= set(record) for record in records)
    made_to = [item for record in records for item in record["ToegezegdAan"]]
    assert all(set(item) == {"Id", "Persoon", "Fractie"} for item in made_to)
    assert any(item["Persoon"] is None and item["Fractie"] for item in made_to)
    letters = [letter for record in records for letter in record["KamerbriefNakoming"]]
    assert letters
    assert all(isinstance(letter["Kamerstukdossier"]["Nummer"], int) for letter in letters)
    assert all(record["Activiteit"]["Nummer"] == record["ActiviteitNummer"] for record in records)
    related = [r for record in records for r in record["IsHerhalingVan"] + record["IsWijzigingVan"]]
    assert related
    assert all("Tekst" in r and not set(NAVIGATION) & set(r) for r in related)


def test_relations_are_rendered_from_the_current_store():
    earlier = minimal_record(Status="Openstaand")
    later = minimal_record(IsAanvullingOp=[{"Id": earlier["Id"]}])
    with RegisterServer([earlier, later]) as server:
        earlier["Status"] = "Voldaan"
        body = get(query(server, filter=f"Id eq '{later['Id']}'", expand="IsAanvullingOp"))

    (served,) = body["value"]
    assert [r["Status"] for r in served["IsAanvullingOp"]] == ["Voldaan"]
    assert served["IsAanvullingOp"][0]["Nummer"] == earlier["Nummer"]


# --- refusals ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"$select": "Id"}, "$select"),
        ({"$format": "json"}, "$format"),
        ({"ministerie": "x"}, "ministerie"),
        ({"$filter": "Status eq Openstaand"}, "Openstaand"),
        ({"$filter": "Status eq 'a' or Status eq 'b'"}, "'or'"),
        ({"$filter": "startswith(Tekst,'De')"}, "startswith"),
        ({"$filter": "Onbekend eq 1"}, "Onbekend"),
        ({"$filter": "GewijzigdOp ge '2025'"}, "2025"),
        ({"$filter": "GewijzigdOp ge 2025-01-01"}, "2025-01-01"),
        ({"$filter": "GewijzigdOp ge 2025-01-01T00:00:00 01:00"}, "%2B"),
        ({"$filter": "(Status eq 'Voldaan'"}, "')'"),
        ({"$orderby": "GewijzigdOp sideways"}, "sideways"),
        ({"$expand": "Onbekend"}, "Onbekend"),
        ({"$expand": "ToegezegdAan($select=Id)"}, "$select"),
        ({"$expand": "ToegezegdAan($expand=Kamerstukdossier)"}, "Kamerstukdossier"),
        ({"$top": "-1"}, "$top"),
        ({"$count": "yes"}, "$count"),
    ],
)
def test_what_the_service_does_not_understand_is_a_400_naming_it(small, params, named):
    status, body = refused(f"{small.base_url}/Toezegging?{urlencode(params)}")

    assert status == 400
    assert set(body) == {"error"}
    assert body["error"]["code"]
    assert named in body["error"]["message"]


def test_anything_but_the_entity_set_is_a_404(small):
    for path in ("/OData/v4/2.0/Document", "/OData/v4/2.0", "/"):
        status, body = refused(f"http://127.0.0.1:{small.port}{path}")
        assert status == 404
        assert body["error"]["message"]


# --- faults ------------------------------------------------------------------------------------


def test_503_fault_then_the_service_recovers(small):
    small.add_fault("503", times=2)
    url = query(small, top=1)

    assert refused(url)[0] == 503
    status, body = refused(url)
    assert status == 503
    assert body["error"]["code"] == "ServiceUnavailable"
    assert len(get(url)["value"]) == 1


def test_fault_on_a_later_request(small):
    small.add_fault("503", on_request=2)
    url = query(small, top=1)

    get(url)
    assert refused(url)[0] == 503
    get(url)
    assert len(small.requests) == 3


def test_drop_fault_closes_without_an_answer(small):
    small.add_fault("drop")
    with pytest.raises((URLError, ConnectionError, http.client.HTTPException)):
        urlopen(query(small, top=1), timeout=5)
    assert get(query(small, top=1))["value"]


def test_slow_fault_outlasts_the_client_timeout(small):
    small.slow_seconds = 1.0
    small.add_fault("slow")
    started = time.monotonic()
    with pytest.raises((URLError, TimeoutError)):
        urlopen(query(small, top=1), timeout=0.3)
    assert time.monotonic() - started < 1.0
    assert get(query(small, top=1))["value"]


def test_400_fault_carries_its_message(small):
    small.add_fault("400", message="Ongeldige aanvraag.")
    assert refused(query(small, top=1)) == (
        400,
        {"error": {"code": "BadRequest", "message": "Ongeldige aanvraag."}},
    )


def test_unknown_fault_kind_is_refused(small):
    with pytest.raises(ValueError, match="timeout"):
        small.add_fault("timeout")


# --- the generator -----------------------------------------------------------------------------


def test_generator_is_deterministic_per_seed():
    assert make_records(120, seed=7) == make_records(120, seed=7)
    assert make_records(120, seed=7) != make_records(120, seed=8)


def test_generated_records_have_the_live_register_s_features(records):
    letters = Counter()
    numbers = {}
    for record in records:
        for letter in record["KamerbriefNakoming"]:
            letters[(letter["Id"], letter["DocumentNummer"])] += 1
            assert record["DatumNakoming"] == record["KamerbriefNakoming"][0]["Datum"]
        assert re.fullmatch(r"TZ\d{6}-\d+", record["Nummer"])
        assert record["Nummer"][2:8] == record["Aanmaakdatum"][:4] + record["Aanmaakdatum"][5:7]
        numbers[record["Nummer"]] = record
    ministries = Counter(record["Ministerie"] for record in records)
    statuses = Counter(record["Status"] for record in records)

    assert len(numbers) == len({record["Id"] for record in records}) == len(records)
    assert max(letters.values()) >= 2  # one letter fulfils two commitments
    assert any(len(record["KamerbriefNakoming"]) == 2 for record in records)
    assert any(record["DatumNakoming"] == EMPTY_DATE for record in records)
    assert any(record["Verwijderd"] for record in records)
    assert len(ministries) == 4
    assert 0.5 < ministries["Justitie en Veiligheid"] / len(records) < 0.7
    assert {"Openstaand", "Voldaan", "Deels Voldaan", "Vervallen", "Deels voldaan"} <= set(statuses)
    assert 0.35 < statuses["Openstaand"] / len(records) < 0.65
    assert any(
        record["Status"] == "Voldaan" and not record["KamerbriefNakoming"] for record in records
    )
    assert any(
        record["Tussenvoegsel"] and record["Naam"].endswith(record["Tussenvoegsel"])
        for record in records
    )


def test_generated_dates_hang_together(records):
    by_id = {record["Id"]: (index, record) for index, record in enumerate(records)}
    debates = Counter(record["Activiteit"]["Id"] for record in records)
    numbers = {record["Activiteit"]["Id"]: record["ActiviteitNummer"] for record in records}

    assert len(debates) == round(len(records) / 8)  # one debate per eight commitments
    assert len(set(numbers.values())) == len(numbers)
    for index, record in enumerate(records):
        created = parse_datetime(record["Aanmaakdatum"])
        changed = parse_datetime(record["GewijzigdOp"])
        assert created.utcoffset() in (timedelta(hours=1), timedelta(hours=2))
        assert changed >= created
        assert parse_datetime(record["ApiGewijzigdOp"]) >= changed
        debate = parse_datetime(record["Activiteit"]["Datum"])
        assert timedelta(0) <= created - debate <= timedelta(days=4)
        for letter in record["KamerbriefNakoming"]:
            assert parse_datetime(letter["Datum"]) >= created - timedelta(days=1)
        for prop in ("IsHerhalingVan", "IsAanvullingOp", "IsWijzigingVan"):
            for reference in record[prop]:
                assert by_id[reference["Id"]][0] < index


def test_generated_texts_vary():
    texts = [set(record["Tekst"].lower().split()) for record in make_records(400, seed=5)]
    pairs = [(texts[i], texts[j]) for i in range(0, 400, 7) for j in range(3, 400, 11) if i != j]
    similar = sum(len(a & b) / len(a | b) > 0.5 for a, b in pairs)
    assert similar / len(pairs) < 0.05


@pytest.mark.parametrize("seed", range(5))
def test_twenty_records_always_share_a_letter(seed):
    records = make_records(20, seed=seed)
    letters = Counter(letter["Id"] for r in records for letter in r["KamerbriefNakoming"])
    assert max(letters.values()) >= 2


def test_custom_ministries():
    records = make_records(40, seed=1, ministries=["Defensie"])
    assert {record["Ministerie"] for record in records} == {"Defensie"}
    assert all("Defensie" in record["Functie"] for record in records)


def test_minimal_record_and_touch():
    record = minimal_record(Achternaam="Graaf", Initialen="D.", Tussenvoegsel="van der")
    assert record["Naam"] == "Graaf, D. van der"
    assert len(record["ToegezegdAan"]) == 1
    assert record["Activiteit"]["Nummer"] == record["ActiviteitNummer"]
    with pytest.raises(TypeError, match="Ministery"):
        minimal_record(Ministery="Financiën")

    before = parse_datetime(record["GewijzigdOp"])
    first = parse_datetime(touch(record)["GewijzigdOp"])
    second = parse_datetime(touch(record)["ApiGewijzigdOp"])
    assert before < first < second
    touch(record, datetime(2025, 6, 1, 12, tzinfo=UTC))
    assert record["GewijzigdOp"] == record["ApiGewijzigdOp"] == "2025-06-01T14:00:00+02:00"


# --- size and the command line ------------------------------------------------------------------


def test_ten_thousand_records_page_through_to_the_end_without_a_gap():
    # How fast a page is answered is the benchmark's business (bench/register.py), not a test's.
    with RegisterServer(make_records(10_000, seed=2)) as server:
        url = query(
            server,
            filter="Ministerie eq 'Justitie en Veiligheid' and GewijzigdOp ge 2022-01-01T00:00:00Z",
            orderby="GewijzigdOp,Id",
            expand=EXPAND_ALL,
            count="true",
        )
        seen, expected = [], None
        while url:
            body = get(url)
            expected = body.get("@odata.count", expected)
            seen.extend(record["Id"] for record in body["value"])
            url = body.get("@odata.nextLink")

    assert len(seen) == len(set(seen)) == expected
    assert expected > 2500


def test_command_line_serves_a_file(tmp_path):
    path = tmp_path / "records.json"
    path.write_text(json.dumps({"value": make_records(30, seed=4)}), encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.register_server", "--port", "0", "--file", str(path)],
        cwd=PROJECT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = process.stdout.readline()
        root = re.search(r"http://\S+", line).group()
        assert "30 Toezegging records" in line
        assert len(get(f"{root}/Toezegging?$count=true")["value"]) == 30
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_module_does_not_import_django():
    code = "import sys, tests.register_server; sys.exit('django' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=PROJECT).returncode == 0
