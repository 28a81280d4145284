import json
from datetime import date
from pathlib import Path

import pytest

from commitments.deadlines import deadline_in, resolve_deadline

# The commitments chairs read out at the end of six Tweede Kamer committee debates (July 2025).
VLOS_COMMITMENTS = Path(__file__).resolve().parent / "data" / "vlos_expected_commitments.json"


@pytest.mark.parametrize(
    ("wording", "made_on", "expected"),
    [
        ("dit najaar", date(2016, 9, 6), date(2016, 12, 23)),
        ("dit najaar", date(2016, 4, 13), date(2016, 12, 23)),
        ("volgend jaar", date(2016, 9, 6), date(2017, 12, 31)),
        ("voor de zomer", date(2025, 3, 4), date(2025, 7, 4)),
        ("voor het zomerreces", date(2025, 7, 2), date(2025, 7, 4)),
        # Said after the recess began: the next summer is meant.
        ("voor de zomer", date(2025, 8, 20), date(2026, 7, 3)),
        ("na de zomer", date(2025, 7, 2), date(2025, 9, 30)),
        ("kort na het zomerreces", date(2025, 7, 2), date(2025, 9, 30)),
        ("voor het kerstreces", date(2025, 7, 2), date(2025, 12, 19)),
        ("voor het einde van het jaar", date(2025, 7, 2), date(2025, 12, 31)),
        ("later dit jaar", date(2025, 7, 3), date(2025, 12, 31)),
        ("in het voorjaar", date(2025, 11, 1), date(2026, 6, 20)),
        ("volgend voorjaar", date(2025, 3, 1), date(2026, 6, 20)),
        ("voor Prinsjesdag", date(2025, 7, 2), date(2025, 9, 16)),
        ("bij de Miljoenennota", date(2016, 4, 13), date(2016, 9, 20)),
        ("bij het jaarverslag 2025", date(2025, 7, 2), date(2026, 5, 20)),
        ("in het derde kwartaal", date(2025, 3, 1), date(2025, 9, 30)),
        ("Q1 2026", date(2025, 7, 1), date(2026, 3, 31)),
        ("uiterlijk in september", date(2025, 7, 2), date(2025, 9, 30)),
        ("in oktober", date(2025, 7, 2), date(2025, 10, 31)),
        ("voor juni", date(2025, 1, 10), date(2025, 5, 31)),
        ("begin maart", date(2025, 1, 10), date(2025, 3, 10)),
        ("voor 1 juli 2017", date(2016, 9, 6), date(2017, 7, 1)),
        ("na de ministerraad van 11 juli", date(2025, 7, 2), date(2025, 7, 11)),
        ("binnen een week", date(2025, 7, 2), date(2025, 7, 9)),
        ("binnen zes weken", date(2025, 7, 2), date(2025, 8, 13)),
        ("binnen 3 maanden", date(2025, 11, 30), date(2026, 2, 28)),
        ("in 2027", date(2025, 7, 2), date(2027, 12, 31)),
    ],
)
def test_worded_deadline_resolves_to_the_date_the_ministry_reads(wording, made_on, expected):
    assert resolve_deadline(wording, made_on) == expected


@pytest.mark.parametrize(
    "wording",
    ["zo spoedig mogelijk", "z.s.m.", "op korte termijn", "", "in het volgende halfjaarbericht"],
)
def test_wording_without_a_moment_resolves_to_nothing(wording):
    assert resolve_deadline(wording, date(2025, 7, 2)) is None


def test_commitments_read_out_in_real_debates_resolve_where_they_name_a_moment():
    """The chairs' read-out commitments of July 2025: the phrases that name a moment resolve."""
    records = json.loads(VLOS_COMMITMENTS.read_text())["commitments"]
    resolved = {
        record["text"]: resolve_deadline(record["text"], date.fromisoformat(record["date"]))
        for record in records
    }

    def due(start):
        (match,) = [text for text in resolved if text.startswith(start)]
        return resolved[match]

    assert due("De staatssecretaris zal de brief over de hervorming") == date(2025, 9, 30)
    assert due("Punt zes. De minister komt voor het zomerreces") == date(2025, 7, 4)
    assert due("Punt acht. De Kamer ontvangt de agenda wijkverpleging") == date(2025, 12, 19)
    assert due("De staatssecretaris heeft toegezegd de brief over verbruiksbelasting") == date(
        2025, 7, 9
    )
    assert due("Drie. De Kamer ontvangt op korte termijn") is None
    # Every resolved date lies after the debate.
    for record in records:
        due = resolved[record["text"]]
        assert due is None or due >= date.fromisoformat(record["date"])
    assert sum(due is not None for due in resolved.values()) >= 14


@pytest.mark.parametrize(
    ("wording", "made_on", "expected"),
    [
        ("in de voortgangsbrief van het najaar", date(2025, 7, 2), date(2025, 12, 19)),
        ("voor het commissiedebat van 12 september", date(2025, 7, 2), date(2025, 9, 12)),
        ("in aanloop naar de augustusbesluitvorming", date(2025, 7, 3), date(2025, 8, 31)),
        ("bij de Voorjaarsnota", date(2025, 3, 1), date(2025, 5, 31)),
        ("bij de Najaarsnota", date(2025, 7, 2), date(2025, 11, 30)),
        ("morgen tijdens het tweeminutendebat", date(2025, 7, 2), date(2025, 7, 3)),
        ("vandaag nog", date(2025, 7, 2), date(2025, 7, 2)),
        ("deze week", date(2025, 7, 2), date(2025, 7, 4)),
        ("volgende week", date(2025, 7, 2), date(2025, 7, 11)),
        # An unnamed recess close to the summer or Christmas recess is that one.
        ("voor het reces", date(2025, 7, 2), date(2025, 7, 4)),
        ("voor het reces", date(2025, 11, 20), date(2025, 12, 19)),
        ("in de aangekondigde Kamerbrief van na de zomer", date(2025, 7, 3), date(2025, 9, 30)),
        # Consulting first is no debate: the moment named still counts.
        ("na overleg met de VNG, voor de zomer", date(2025, 3, 4), date(2025, 7, 4)),
    ],
)
def test_phrases_of_debate_reports_resolve_to_the_date_the_ministry_reads(
    wording, made_on, expected
):
    assert resolve_deadline(wording, made_on) == expected


@pytest.mark.parametrize(
    "wording",
    [
        # A debate, a letter or a report without a period: the calendar does not know when.
        "voor het notaoverleg MIRT",
        "voor het commissiedebat over de Voorjaarsnota",
        "voor het commissiedebat over het mbo",
        "voor behandeling van de Defensiebegroting 2026",
        "voor de begrotingsbehandeling",
        "in de voortgangsbrief",
        "in de volgende voortgangsbrief over de pilots",
        "in het verslag van de RBZ",
        "voor het verkiezingsreces",
        "na afloop van de lopende onderhandelingen",
        "bij de evaluatie",
    ],
)
def test_moments_the_calendar_cannot_know_resolve_to_nothing(wording):
    assert resolve_deadline(wording, date(2025, 7, 2)) is None


def test_unnamed_recess_far_from_summer_and_christmas_resolves_to_nothing():
    assert resolve_deadline("voor het reces", date(2025, 3, 1)) is None


@pytest.mark.parametrize(
    ("text", "wording"),
    [
        ("De minister stuurt de kabinetsreactie na de zomer naar de Kamer.", "na de zomer"),
        (
            "De staatssecretaris zal het rapport over rode diesel na de ministerraad van 11 juli "
            "aan de Kamer doen toekomen.",
            "na de ministerraad van 11 juli",
        ),
        (
            "In het volgende halfjaarbericht politie komt de minister terug op de vraag.",
            "In het volgende halfjaarbericht",
        ),
        ("De minister stuurt voor het notaoverleg MIRT een brief.", "voor het notaoverleg MIRT"),
        (
            "De minister informeert de Kamer in de voortgangsbrief over de stand.",
            "in de voortgangsbrief",
        ),
        (
            "en zal de Kamer hierover tijdig, voor behandeling van de Defensiebegroting 2026, "
            "schriftelijk informeren.",
            "voor behandeling van de Defensiebegroting 2026",
        ),
        ("De Kamer ontvangt op korte termijn de verkenning.", "op korte termijn"),
        ("De staatssecretaris deelt later dit jaar het onderzoek.", "later dit jaar"),
        ("De staatssecretaris stuurt de brief binnen een week.", "binnen een week"),
        ("Ja, morgen tijdens het tweeminutendebat.", "morgen tijdens het tweeminutendebat"),
        # Of two, the one that resolves to a date.
        (
            "De minister informeert de Kamer in de eerstvolgende voortgangsbrief, na de zomer, "
            "over de pilots.",
            "na de zomer",
        ),
        ("De minister komt terug op het verzoek om informatie.", ""),
        ("De minister stuurt de Kamer een brief over de wachtlijsten.", ""),
        ("De minister heeft vorig jaar in juni gezegd dat het goed ging.", ""),
    ],
)
def test_deadline_is_found_as_worded_in_a_commitment(text, wording):
    assert deadline_in(text) == wording
