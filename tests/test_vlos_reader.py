"""The debate-report reader (`parliament.vlos`) and its evaluation (`parliament.evaluation`).

The six real reports are read from ../shared/data/vlos/, which CI has beside the project; the
reports in tests/data/vlos/ are of our own making, in the same format, for the shapes the six
do not show.
"""

import datetime
import json
import re
import time
from pathlib import Path

import pytest

from parliament import evaluation
from parliament.vlos import (
    MAX_REPORT_BYTES,
    CapturedCommitment,
    DebateReport,
    Person,
    ReportRefused,
    read_report,
    read_report_path,
)

HERE = Path(__file__).resolve().parent
OWN = HERE / "data" / "vlos"
SHARED = HERE.parent.parent / "shared" / "data" / "vlos"
EXPECTED = json.loads((HERE / "data" / "vlos_expected_commitments.json").read_text())["commitments"]
SHARED_FILES = sorted({record["file"] for record in EXPECTED})


def shared(prefix: str) -> DebateReport:
    (path,) = [SHARED / file for file in SHARED_FILES if file.startswith(f"sample_vlos_{prefix}")]
    return read_report_path(path)


def own(name: str) -> DebateReport:
    return read_report_path(OWN / name)


def commitment(report: DebateReport, start: str) -> CapturedCommitment:
    (found,) = [c for c in report.commitments if c.text.startswith(start)]
    return found


# --- the six real reports ---------------------------------------------------------------------


@pytest.mark.parametrize("file", SHARED_FILES)
def test_real_report_is_read_with_its_debate_and_people(file):
    report = read_report_path(SHARED / file)
    records = [r for r in EXPECTED if r["file"] == file]
    assert report.file == file
    assert report.activity_number == records[0]["activiteit_nummer"]
    assert report.date == datetime.date.fromisoformat(records[0]["date"])
    assert report.committees[0] == records[0]["committee"][0]
    assert report.chamber == "tk"
    assert report.is_interim
    assert report.kind in ("commissiedebat", "wetgevingsoverleg")
    assert [f"{p.name} ({p.function})" for p in report.bewindspersonen] == records[0]["ministers"]
    assert all(p.kind == "member" and p.party and not p.function for p in report.members)
    # Every commitment read out is captured, each once.
    assert evaluation.match([c.text for c in report.commitments], [r["text"] for r in records])
    assert len(report.commitments) in (len(records), len(records) + 1)


@pytest.mark.parametrize("file", SHARED_FILES)
def test_read_out_as_plain_paragraphs_instead_of_a_list_gives_the_same_commitments(file):
    """The chair may read the same commitments without a list: every item its own paragraph."""
    data = (SHARED / file).read_bytes()
    flat = re.sub(rb"</?lijst>", b"", data)
    assert flat != data
    as_list = [c.text for c in read_report(data, file=file).commitments]
    assert [c.text for c in read_report(flat, file=file).commitments] == as_list


def test_real_report_gives_the_debate_title_and_kind():
    report = shared("3ad601d2")
    assert report.title == "Jaarverslag 2024 van het ministerie van VWS"
    assert report.kind == "wetgevingsoverleg"
    assert shared("0c43e57f").kind == "commissiedebat"
    assert shared("16a72e1d").committees == [
        "vaste commissie voor Buitenlandse Zaken",
        "vaste commissie voor Europese Zaken",
    ]


def test_chair_changing_a_word_changes_the_commitment_and_its_due_date():
    found = commitment(shared("0c43e57f"), "De staatssecretaris zal de brief over de hervorming")
    assert "voor de zomer aan de Kamer sturen" in found.text
    assert found.deadline_wording == "voor de zomer"
    assert found.due_date == datetime.date(2025, 7, 4)
    assert "“na” werd “voor”" in found.note


def test_commitment_the_bewindspersoon_contests_is_kept_with_a_note():
    found = commitment(shared("0c43e57f"), "De staatssecretaris zal ten aanzien van de CO2-doelen")
    assert "Betwist in het debat" in found.note
    assert "geen toezegging, maar we noteren het" in found.note
    assert found.due_date == datetime.date(2025, 9, 30)


def test_commitment_read_twice_counts_once_and_the_second_reading_stands():
    report = shared("e3b6c21d")
    dac = [c for c in report.commitments if "DAC-richtlijnen" in c.text]
    assert len(dac) == 1
    (pillar,) = [c for c in report.commitments if "Pijler 2" in c.text]
    assert pillar.text.startswith("De staatssecretaris zal ten aanzien van de aanpassing")
    assert "Opnieuw voorgelezen" in pillar.note
    assert "tussen haakjes" in pillar.note  # the member's addition, for the official to apply


def test_commitment_names_the_member_it_was_made_to_with_party():
    assert commitment(shared("16a72e1d"), "De minister zegt toe").made_to == [
        Person("Boswijk", "", "member", "CDA", first_name="Derk")
    ]
    (ncsc,) = shared("29d8cf68").commitments
    assert [(p.name, p.party) for p in ncsc.made_to] == [("Olger van Dijk", "NSC")]
    assert "Anders verwoord door minister Brekelmans" in ncsc.note
    halfyear = commitment(shared("1e040503"), "In het volgende halfjaarbericht")
    assert [p.name for p in halfyear.made_to] == ["Aardema", "Six Dijkstra"]
    # "de initiatiefnota van de leden …" names the authors, not whom it was made to.
    assert commitment(shared("1e040503"), "De minister stuurt de kabinetsreactie").made_to == []


def test_deadline_the_chair_names_after_reading_completes_the_commitment():
    found = commitment(shared("16a72e1d"), "De minister komt terug op het verzoek")
    assert found.deadline_wording == "morgen tijdens het tweeminutendebat"
    assert found.due_date == datetime.date(2025, 7, 3)
    assert "ziet ook op correspondentie binnen het departement" in found.note


def test_with_three_bewindspersonen_the_debate_says_who_promised_it():
    report = shared("3ad601d2")
    assert len(report.bewindspersonen) == 3
    by = {c.text: c.bewindspersoon.name for c in report.commitments}
    assert by["De Kamer ontvangt de agenda wijkverpleging voor het kerstreces."] == "Pouw-Verweij"
    assert by["De minister zal in oktober een brief naar de Kamer sturen met de actuele stand van "
              "zaken inzake de bedrijfsvoering."] == "Jansen"  # fmt: skip
    assert "afgeleid uit het debat" in commitment(report, "De toegezegde uitvoeringstoetsen").note


def test_commitment_added_at_a_members_request_is_made_to_that_member():
    found = commitment(shared("3ad601d2"), "De minister komt erop terug voor het reces")
    assert [p.name for p in found.made_to] == ["Thiadens"]
    assert "Toegevoegd op verzoek van Thiadens (PVV)" in found.note
    assert found.due_date == datetime.date(2025, 7, 4)


def test_enumeration_the_chair_reads_is_left_out_of_the_text():
    texts = [c.text for c in shared("3ad601d2").commitments]
    assert (
        "De relevante fiscale evaluaties worden in de Strategische Evaluatie Agenda meegenomen."
        in texts
    )
    assert not [t for t in texts if t.startswith(("Eén", "Twee", "Punt"))]


def test_unresolvable_deadline_is_kept_as_worded_with_a_note():
    found = commitment(shared("16a72e1d"), "De minister zegt toe")
    assert found.deadline_wording == "in het verslag van de RBZ"
    assert found.due_date is None
    assert "Termijn niet om te zetten in een datum." in found.note


# --- the evaluation ---------------------------------------------------------------------------


def test_capture_meets_the_targets_on_the_six_reports():
    result = evaluation.evaluate(SHARED)
    assert result.recall >= evaluation.RECALL_MIN
    assert result.most_false_positives <= evaluation.FALSE_POSITIVES_MAX_PER_REPORT
    assert result.bewindspersoon_rate >= evaluation.BEWINDSPERSOON_MIN
    assert result.deadline_rate >= evaluation.DEADLINE_MIN
    assert result.passed, result.targets()


def test_a_550_kb_report_is_read_in_under_a_second():
    largest = max((SHARED / file for file in SHARED_FILES), key=lambda p: p.stat().st_size)
    data = largest.read_bytes()
    padded = evaluation.padded(data, evaluation.PADDED_BYTES)
    assert len(padded) >= 550 * 1024
    started = time.perf_counter()
    report = read_report(padded, file="padded.xml")
    assert time.perf_counter() - started < 1.0
    original = read_report(data, file=largest.name)
    assert [c.text for c in report.commitments] == [c.text for c in original.commitments]


def test_evaluation_matches_one_to_one_and_counts_what_matches_nothing():
    pairs = evaluation.match(
        ["De minister stuurt de brief voor de zomer.", "De minister stuurt de brief."],
        ["Punt één. De minister stuurt voor de zomer de brief."],
    )
    assert [(i, j) for i, j, _ in pairs] == [(0, 0)]  # the better pair, and only one
    assert evaluation.match(["Iets heel anders over de begroting."], ["De brief."]) == []
    assert evaluation.deadline_accepted("In het volgende halfjaarbericht", ["in het volgende "
                                        "halfjaarbericht politie"])  # fmt: skip
    assert not evaluation.deadline_accepted("", ["na de zomer"])


# --- reports of our own making ----------------------------------------------------------------


def test_read_out_over_several_chair_turns_ends_with_the_corrected_list():
    report = own("several_turns_corrections.xml")
    assert report.kind == "commissiedebat"
    assert [c.text for c in report.commitments] == [
        "De staatssecretaris stuurt de Kamer voor 1 juli een brief over de wachtlijsten in de "
        "jeugdzorg, met per regio de wachttijden. Deze is gericht aan mevrouw Veltman.",
        "De staatssecretaris informeert de Kamer in de eerstvolgende voortgangsbrief, na de "
        "zomer, over de resultaten van de pilots met wijkteams.",
        "De staatssecretaris informeert de Kamer voor het kerstreces over de uitkomst van het "
        "onderzoek naar de jeugdbescherming. Die is gericht aan mevrouw Bulut.",
    ]
    first, second, added = report.commitments
    # An amended wording: "voor de zomer" became "voor 1 juli".
    assert first.due_date == datetime.date(2025, 7, 1)
    assert [(p.name, p.party) for p in first.made_to] == [("Veltman", "VVD")]
    # A second reading replaced the first.
    assert second.deadline_wording == "na de zomer"
    assert "Opnieuw voorgelezen" in second.note
    # Added at a member's request.
    assert [(p.name, p.party) for p in added.made_to] == [("Bulut", "GroenLinks-PvdA")]
    assert "Toegevoegd op verzoek van Bulut" in added.note
    assert added.due_date == datetime.date(2025, 12, 19)
    # "Dan is dat geen toezegging. Die schrappen we." drops the third.
    assert any("geschrapt" in note and "tarieven" in note for note in report.notes)
    # Questions during the debate, a declined request, an earlier commitment: none captured.
    assert not [c for c in report.commitments if "kwartaal" in c.text or "reistijden" in c.text]


def test_text_naming_the_staatssecretaris_attributes_it_when_two_are_present():
    report = own("two_bewindspersonen_paragraphs.xml")
    assert [(p.name, p.kind) for p in report.bewindspersonen] == [
        ("De Groot", "minister"),
        ("Bakker", "staatssecretaris"),
    ]
    assert report.bewindspersonen[0].initials == "P.J."
    by = [(c.text[:40], c.bewindspersoon.name) for c in report.commitments]
    assert by == [
        ("De staatssecretaris stuurt de Kamer voor", "Bakker"),
        ("De minister informeert de Kamer volgend ", "De Groot"),
        ("Staatssecretaris Bakker komt voor het co", "Bakker"),
        ("De Kamer ontvangt na de zomer de monitor", "Bakker"),  # from who said it
    ]


def test_read_out_in_plain_paragraphs_gives_addressee_and_deadline():
    report = own("two_bewindspersonen_paragraphs.xml")
    teachers, grants, internships, monitor = report.commitments
    assert teachers.due_date == datetime.date(2025, 10, 1)
    assert grants.text.endswith("Dat is een toezegging aan de heer Pieters.")
    assert [(p.name, p.party) for p in grants.made_to] == [("Pieters", "D66")]
    assert grants.due_date == datetime.date(2026, 6, 20)
    assert [(p.name, p.party) for p in internships.made_to] == [("Veltman", "VVD")]
    assert internships.deadline_wording.startswith("voor het commissiedebat")
    assert internships.due_date is None
    assert "Termijn niet om te zetten" in internships.note
    assert monitor.due_date == datetime.date(2025, 9, 30)


def test_agenda_motions_requests_and_earlier_commitments_are_not_captured():
    report = own("two_bewindspersonen_paragraphs.xml")
    texts = " ".join(c.text for c in report.commitments)
    for absent in ("evaluatie studiefinanciering (24724", "bijles", "huisvesting", "motie"):
        assert absent not in texts
    # What the chair noted during the debate but did not read out is pointed out.
    assert any("collegegelden" in note for note in report.notes)


def test_long_correction_inside_the_read_out_keeps_what_was_read_before_it():
    report = own("long_correction_in_read_out.xml")
    assert [(c.text[:46], c.due_date) for c in report.commitments] == [
        ("De minister stuurt de Kamer voor de zomer de e", datetime.date(2025, 7, 4)),
        ("De minister informeert de Kamer in september, ", datetime.date(2025, 9, 30)),
        ("De minister gaat voor het kerstreces met ProRa", datetime.date(2025, 12, 19)),
    ]
    # What the chair noted halfway through the debate is not a read-out of its own.
    assert not [c for c in report.commitments if c.text.startswith("Ik heb alvast")]
    assert [p.name for p in report.commitments[0].made_to] == ["Veltman"]


def test_plenary_debate_without_a_read_out_yields_no_commitments():
    report = own("plenary_no_list.xml")
    assert report.kind == "plenair"
    assert report.committees == []
    assert report.activity_number == "2025A09303"
    assert [p.name for p in report.bewindspersonen] == ["Smit"]
    assert report.commitments == []
    assert any("Geen door de voorzitter voorgelezen toezeggingen" in n for n in report.notes)


def test_procedure_meeting_yields_no_commitments():
    report = own("procedure_meeting.xml")
    assert report.kind == "other"
    assert not report.is_interim
    assert report.bewindspersonen == []
    assert report.commitments == []


def test_interim_report_cut_off_mid_debate_yields_none_and_says_so():
    report = own("interim_cut_off.xml")
    assert report.is_interim
    assert report.commitments == []
    assert any("eindigt voor de sluiting" in note for note in report.notes)


def test_eerste_kamer_report_is_marked_as_such():
    data = (
        (OWN / "plenary_no_list.xml")
        .read_bytes()
        .replace(b'kamer="Tweede Kamer"', b'kamer="Eerste Kamer"')
    )
    assert read_report(data, file="ek.xml").chamber == "ek"


# --- bad input --------------------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<vlosCoreDocument xmlns="http://www.tweedekamer.nl/ggm/vergaderverslag/v1.0">&lol9;</vlosCoreDocument>
"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE vlosCoreDocument [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<vlosCoreDocument xmlns="http://www.tweedekamer.nl/ggm/vergaderverslag/v1.0">&xxe;</vlosCoreDocument>
"""


def _refused(data: bytes, file: str) -> ReportRefused:
    started = time.perf_counter()
    with pytest.raises(ReportRefused) as refused:
        read_report(data, file=file)
    assert time.perf_counter() - started < 1.0
    assert str(refused.value).startswith(f"{file}: ")
    assert refused.value.file == file
    assert refused.value.reason in str(refused.value)
    return refused.value


@pytest.mark.parametrize(
    ("data", "code", "words"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "not_xml", "geen XML"),
        (b"", "empty", "leeg"),
        (
            b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body/></html>',
            "not_vlos",
            "geen VLOS-debatverslag",
        ),
        (b"<vlosCoreDocument><vergadering/></vlosCoreDocument>", "not_vlos", "zonder namespace"),
        (BILLION_LAUGHS, "entities", "entiteit"),
        (EXTERNAL_ENTITY, "external_entity", "file:///etc/passwd"),
        (b"<a><b></a>", "malformed", "geen geldige XML"),
        (
            b'<vlosCoreDocument xmlns="http://www.tweedekamer.nl/ggm/vergaderverslag/v1.0"/>',
            "incomplete",
            "geen vergadering",
        ),
    ],
)
def test_bad_input_is_refused_quickly_naming_file_and_reason(data, code, words):
    refused = _refused(data, "upload.xml")
    assert refused.code == code
    assert words in refused.reason


def test_truncated_report_is_refused_as_truncated():
    data = (SHARED / SHARED_FILES[0]).read_bytes()
    refused = _refused(data[: len(data) // 2], "afgebroken.xml")
    assert refused.code == "truncated"
    assert "afgebroken" in refused.reason


def test_report_without_a_date_is_refused():
    data = (OWN / "procedure_meeting.xml").read_bytes()
    start, end = data.index(b"<datum>"), data.index(b"</datum>") + len(b"</datum>")
    assert _refused(data[:start] + data[end:], "zonder-datum.xml").code == "incomplete"


def test_oversized_report_is_refused_before_parsing():
    # Not XML at all past the first bytes: a parser would fail differently; the size goes first.
    data = b"<" + bytes(MAX_REPORT_BYTES)
    refused = _refused(data, "groot.xml")
    assert refused.code == "too_large"
    assert "te groot" in refused.reason


def test_oversized_file_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "verslag-200mb.xml"
    with path.open("wb") as sparse:
        sparse.truncate(200 * 1024 * 1024)  # sparse: takes no room on disk
    started = time.perf_counter()
    with pytest.raises(ReportRefused) as refused:
        read_report_path(path)
    assert time.perf_counter() - started < 1.0
    assert refused.value.code == "too_large"
    assert refused.value.file == "verslag-200mb.xml"
    assert "200 MB" in refused.value.reason


def test_capture_command_prints_the_table_and_fails_on_a_missed_target(tmp_path, capsys):
    from bench import capture

    assert capture.main([]) == 0
    table = capsys.readouterr().out
    assert "recall: 1.00" in table and "total" in table
    expected = tmp_path / "expected.json"
    expected.write_text(
        json.dumps({"commitments": [{**EXPECTED[0], "text": "Iets dat niemand zei."}]})
    )
    assert capture.main(["--expected", str(expected), "--reports", str(SHARED)]) == 1
    assert "MISS recall" in capsys.readouterr().out
