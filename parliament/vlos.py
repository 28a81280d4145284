"""Reads a Tweede Kamer debate report (VLOS 2.0 XML) into the debate and its commitments.

Plain Python: bytes in, dataclasses out, no database. What the tracker does with the result
(proposals to review) lives elsewhere in this app.

The format (namespace `VLOS_NS`): `<vergadering>` carries the meeting (kind, chamber, date,
committees); each `<activiteit>` one item of it (a commissiedebat, a wetgevingsoverleg, the
opening) with its activity number (`<parlisid>`). Speech is a tree of turns: a
`<woordvoerder>` holds a speaker's turn and the `<interrumpant>` turns that interrupt it, in
the order spoken; each has a `<spreker>` and a `<tekst>` of `<alinea>`s holding paragraphs
(`<alineaitem>`) and lists (`<lijst>`). `<isvoorzitter>true` marks the chair's turns. Motions
are `<draadboekfragment soort="Motie indiening">` and are never read as speech.

How a chair reads out commitments, and so how this module finds them:
- the chair announces them ("Ik heb de volgende toezeggingen genoteerd", "Dan kom ik bij de
  toezeggingen", "De eerste toezegging:"); everything the chair says from there to the close of
  the meeting is the read-out passage, however many turns it spans. An announcement after
  which nothing is read before a long answer of someone else ("Ik was te voorbarig") does not
  start it, nor does one that more than one long answer separates from the read-out;
- in the passage each list item of the chair is a commitment, so is a numbered paragraph
  ("Punt vier. …"), and so is a sentence of a plain paragraph that has a bewindspersoon (or the
  Kamer receiving something) as its subject and a promising verb, unless it is a question,
  conditional, about a motion or the procedure;
- what follows a commitment until the next one corrects it: "dat is geen toezegging" from the
  chair drops it (not when the chair adds "maar we noteren het"), `van "na" "voor" maken`
  changes the wording, a deadline the chair names ("tijdens het tweeminutendebat") completes
  one the text lacks, a second reading of the same commitment replaces the first, remarks of
  bewindspersonen and members are kept as notes for the official;
- a commitment the chair adds after a member asked for one is kept, made to that member.

Without a bewindspersoon present (a procedure meeting) there are no commitments. Who made a
commitment: the text when it names one ("De staatssecretaris …", "minister
Jansen", "de minister van Financiën"); otherwise the only bewindspersoon present; otherwise
the one whose own words in the debate share the most (rare) words with it.

Refused (`ReportRefused`, before anything is saved): more than `MAX_REPORT_BYTES` (checked
before parsing), no XML, truncated XML, any entity declaration (entity-expansion bombs,
external entities: parsed with defusedxml), XML that is not a VLOS report.
"""

from __future__ import annotations

import datetime
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

from defusedxml import (
    DefusedXmlException,
    EntitiesForbidden,
    ExternalReferenceForbidden,
)
from defusedxml.ElementTree import fromstring

from commitments.deadlines import deadline_in, resolve_deadline

VLOS_NS = "http://www.tweedekamer.nl/ggm/vergaderverslag/v1.0"
_NS = "{" + VLOS_NS + "}"
# The largest real report is under 1 MB; 50 MB leaves room for a long plenary day and refuses
# anything that would tie up a web worker.
MAX_REPORT_BYTES = 50 * 1024 * 1024
# An answer this long between two announcements means the chair's first one was premature.
LONG_TURN_WORDS = 150
# How much of a quoted remark a note keeps.
QUOTE_CHARS = 240

KINDS = ("commissiedebat", "wetgevingsoverleg", "plenair", "ao", "other")


# --- what the reader returns ------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """A speaker as the report names them."""

    name: str  # the report's name for them (verslagnaam), e.g. "Van Oostenbruggen"
    function: str  # "minister van Financiën", "staatssecretaris Jeugd, …"; "" for members
    kind: str  # "minister" | "staatssecretaris" | "member" | "other"
    party: str = ""  # fractie, for members
    first_name: str = ""
    initials: str = ""


@dataclass
class CapturedCommitment:
    text: str
    bewindspersoon: Person | None
    made_to: list[Person]
    deadline_wording: str
    due_date: datetime.date | None
    note: str  # in Dutch, for the official who reviews it; "" when nothing is doubtful


@dataclass
class DebateReport:
    file: str
    activity_number: str
    title: str
    kind: str  # one of KINDS, the tracker's Debate.Kind values
    date: datetime.date
    committees: list[str]
    chamber: str  # "tk" or "ek"
    bewindspersonen: list[Person]
    members: list[Person]
    commitments: list[CapturedCommitment]
    is_interim: bool
    notes: list[str] = field(default_factory=list)  # about the report as a whole, in Dutch


class ReportRefused(Exception):
    """The file is not a debate report this reader can take; nothing of it may be saved.

    `reason` is in Dutch for the official; `code` names the reason for programs: too_large,
    empty, not_xml, truncated, malformed, entities, external_entity, not_vlos, incomplete.
    """

    def __init__(self, file: str, reason: str, code: str = "malformed"):
        super().__init__(f"{file}: {reason}")
        self.file = file
        self.reason = reason
        self.code = code


# --- reading ----------------------------------------------------------------------------------


def read_report_path(path: Path | str) -> DebateReport:
    """`read_report` for a file on disk, refusing an oversized file before reading it."""
    path = Path(path)
    size = path.stat().st_size
    if size > MAX_REPORT_BYTES:
        raise _too_large(path.name, size)
    return read_report(path.read_bytes(), file=path.name)


def read_report(data: bytes, *, file: str) -> DebateReport:
    """The debate, the people present and the commitments the chair read out as final."""
    root = _parse(data, file=file)
    try:
        return _Report(root, file=file).read()
    except RecursionError:
        raise ReportRefused(
            file, "Het verslag is te diep genest om te lezen.", "malformed"
        ) from None


def _too_large(file: str, size: int) -> ReportRefused:
    return ReportRefused(
        file,
        f"Het bestand is te groot ({size / 1024 / 1024:.0f} MB); een verslag mag hoogstens "
        f"{MAX_REPORT_BYTES // 1024 // 1024} MB zijn.",
        "too_large",
    )


_EXPAT_TRUNCATED = {3, 5, 6, 20}  # no element found, unclosed token, partial character, CDATA


def _parse(data: bytes, *, file: str) -> Element:
    if len(data) > MAX_REPORT_BYTES:
        raise _too_large(file, len(data))
    start = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not start:
        raise ReportRefused(file, "Het bestand is leeg.", "empty")
    if not start.startswith(b"<") and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ReportRefused(file, "Het bestand is geen XML en dus geen debatverslag.", "not_xml")
    try:
        root = fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except EntitiesForbidden as exc:
        if exc.sysid or exc.pubid:
            raise ReportRefused(
                file,
                f"Het bestand verwijst naar een externe entiteit ({exc.sysid or exc.pubid}); "
                "zulke bestanden worden niet gelezen.",
                "external_entity",
            ) from None
        raise ReportRefused(
            file,
            f"Het bestand declareert een entiteit ({exc.name}); een verslag heeft die niet, en "
            "entiteiten kunnen bij uitpakken het geheugen vullen.",
            "entities",
        ) from None
    except ExternalReferenceForbidden as exc:
        raise ReportRefused(
            file,
            f"Het bestand verwijst naar een externe bron ({exc.sysid or exc.pubid}); zulke "
            "bestanden worden niet gelezen.",
            "external_entity",
        ) from None
    except DefusedXmlException as exc:
        raise ReportRefused(file, f"Het bestand is onveilige XML ({exc}).", "entities") from None
    except ParseError as exc:
        line, column = exc.position
        if exc.code in _EXPAT_TRUNCATED:
            raise ReportRefused(
                file,
                f"Het bestand is afgebroken: de XML houdt op voordat het verslag is afgesloten "
                f"(regel {line}, kolom {column}).",
                "truncated",
            ) from None
        raise ReportRefused(
            file, f"Het bestand is geen geldige XML (regel {line}, kolom {column}).", "malformed"
        ) from None
    if root.tag != _NS + "vlosCoreDocument":
        namespace, _, local = (
            root.tag[1:].rpartition("}") if "}" in root.tag else ("", "", root.tag)
        )
        where = f" in namespace {namespace}" if namespace else " zonder namespace"
        raise ReportRefused(
            file,
            f"Het bestand is geen VLOS-debatverslag van de Kamer: het hoofdelement is "
            f"<{local}>{where}.",
            "not_vlos",
        )
    return root


# --- text helpers -----------------------------------------------------------------------------


def _text(element: Element | None) -> str:
    if element is None:
        return ""
    return " ".join("".join(element.itertext()).split())


def _child_text(element: Element, name: str) -> str:
    return _text(element.find(_NS + name))


def _quote(text: str) -> str:
    text = text.strip()
    if len(text) > QUOTE_CHARS:
        text = text[: QUOTE_CHARS - 1].rsplit(" ", 1)[0] + " …"
    return f"“{text}”"


_SENTENCE_BREAK = re.compile(r"(?<=[.!?…])[\"”’]?\s+(?=[\"“„‘(]?[A-ZÀ-Ý])")


def _sentences(text: str) -> list[str]:
    return [part.strip() for part in _SENTENCE_BREAK.split(text) if part.strip()]


# Common Dutch words and the words every commitment shares, left out when comparing texts.
# fmt: off
_STOP_WORDS = frozenset((
    "aan", "al", "alle", "als", "andere", "bij", "dan", "dat", "de", "deze", "die", "dit",
    "door", "een", "en", "er", "geen", "het", "hier", "hij", "hoe", "hun", "ik", "in", "is",
    "je", "kan", "kunnen", "maar", "me", "meer", "met", "mij", "mijn", "na", "naar", "niet",
    "nog", "nu", "of", "om", "onder", "ons", "ook", "op", "over", "te", "tegen", "ten", "toe",
    "tot", "u", "uit", "uw", "van", "veel", "voor", "wat", "we", "wel", "werd", "wie", "wij",
    "wil", "worden", "wordt", "zal", "ze", "zelf", "zich", "zij", "zijn", "zo", "zou", "zullen",
    "heeft", "hebben", "had", "ook", "dus", "daar", "daarover", "hierover", "minister",
    "staatssecretaris", "kamer", "toezegging", "toezeggingen", "toegezegd", "zegt",
    "informeren", "informeert", "nader", "brief", "sturen", "stuurt", "komt", "komen",
    "aanzien",
))
# fmt: on
_WORD = re.compile(r"[\w][\w'’-]*")


def text_words(text: str) -> list[str]:
    """The words that tell commitment texts apart (stop words left out); the import compares
    a captured text with the registered ones this way too."""
    return [w for w in _WORD.findall(text.lower()) if w not in _STOP_WORDS and len(w) > 1]


def dice(first: set[str], second: set[str]) -> float:
    """How alike two sets of words are, from 0 (nothing shared) to 1 (the same)."""
    if not first or not second:
        return 0.0
    return 2 * len(first & second) / (len(first) + len(second))


# --- the structure of a report ----------------------------------------------------------------


@dataclass
class _Unit:
    """A paragraph or a list item of a turn."""

    text: str
    is_list_item: bool


@dataclass
class _Turn:
    speaker: Person | None
    is_chair: bool
    units: list[_Unit]

    @property
    def words(self) -> int:
        return sum(len(unit.text.split()) for unit in self.units)


def _person(spreker: Element) -> Person:
    soort = (spreker.get("soort") or "").lower()
    if soort.startswith("minister"):
        kind = "minister"
    elif soort.startswith("staatssecretaris"):
        kind = "staatssecretaris"
    elif "kamerlid" in soort or soort.startswith("lid"):
        kind = "member"
    else:
        kind = "other"
    name = _child_text(spreker, "verslagnaam") or _child_text(spreker, "achternaam")
    function = _child_text(spreker, "functie") if kind != "member" else ""
    if kind in ("minister", "staatssecretaris") and not function:
        function = kind
    initials = re.match(r"((?:[A-Z][a-z]?\.)+)", _child_text(spreker, "weergavenaam"))
    return Person(
        name=name,
        function=function,
        kind=kind,
        party=_child_text(spreker, "fractie") if kind == "member" else "",
        first_name=_child_text(spreker, "voornaam"),
        initials=initials.group(1) if initials else "",
    )


_TURN_TAGS = {_NS + "woordvoerder", _NS + "interrumpant"}
# Elements whose content is not speech: motions and procedural markers, the cases they concern.
_SKIPPED_TAGS = {_NS + "draadboekfragment", _NS + "zaken", _NS + "sprekers", _NS + "spreker"}


def _turns(activity: Element) -> list[_Turn]:
    """The turns of an activity in the order spoken (a turn before its interruptions)."""
    turns = []
    stack = [activity]
    while stack:
        element = stack.pop()
        if element.tag in _TURN_TAGS:
            spreker = element.find(_NS + "spreker")
            turns.append(
                _Turn(
                    speaker=_person(spreker) if spreker is not None else None,
                    is_chair=_child_text(element, "isvoorzitter").lower() == "true",
                    units=_units(element.find(_NS + "tekst")),
                )
            )
        stack.extend(
            child
            for child in reversed(element)
            if child.tag not in _SKIPPED_TAGS and child.tag != _NS + "tekst"
        )
    return turns


_SPEAKER_LABEL = re.compile(r"^[^.?!]{1,80}:$")


def _units(tekst: Element | None) -> list[_Unit]:
    units: list[_Unit] = []
    if tekst is None:
        return units
    stack = list(reversed(tekst))
    while stack:
        element = stack.pop()
        if element.tag == _NS + "alineagroep":
            if (element.get("type") or "").lower().startswith("motie"):
                continue
            stack.extend(reversed(element))
        elif element.tag == _NS + "alinea":
            for item in element:
                if item.tag == _NS + "alineaitem":
                    units.append(_Unit(_text(item), False))
                elif item.tag == _NS + "lijst":
                    units.extend(
                        _Unit(_text(entry), True)
                        for entry in item
                        if entry.tag == _NS + "alineaitem"
                    )
    units = [unit for unit in units if unit.text]
    if units and not units[0].is_list_item and _SPEAKER_LABEL.match(units[0].text):
        units = units[1:]
    return units


# --- the phrases of a read-out ----------------------------------------------------------------

_NUMBER_WORDS = (
    r"een|één|eén|twee|drie|vier|vijf|zes|zeven|acht|negen|tien|elf|twaalf|dertien|veertien|"
    r"vijftien|\d+"
)
_ANNOUNCEMENT = re.compile(
    r"\b(?:kom|komen|ga|gaan|ben|zijn|waren|beginnen|begin)\b[^.?!]{0,30}\b(?:bij|naar|aan)\s+"
    r"(?:de|het)\s+(?:[\w-]+\s+){0,2}toezegging"
    r"|\btoezeggingen\b[^.?!]{0,40}\b(?:genoteerd|voorlezen|voorgelezen|oplezen|doornemen|"
    r"door\s+te\s+nemen|doorlopen|langslopen|langs|met\s+u\s+door|gedaan)\b"
    r"|\b(?:de|het)\s+(?:eerste|tweede|derde|vierde|vijfde|volgende|laatste|een-na-laatste|"
    r"andere)\s+toezegging\b"
    r"|\b(?:een\s+aantal|enkele|diverse|de\s+volgende|" + _NUMBER_WORDS + r")\s+toezegging(?:en)?"
    r"\s+(?:genoteerd|gedaan|staan|opgeschreven)"
    r"|\btoezegging(?:en)?\s+(?:heb|hebben)\s+(?:ik\s+|we\s+|wij\s+)?(?:voorgelezen|genoteerd)"
    r"|\bheb\s+ik\s+(?:[\w-]+\s+){0,2}toezeggingen\b|\blees\b[^.?!]{0,30}\btoezegging"
    r"|^(?:eerst|dan|nu|tot\s+slot)\s+(?:de\s+)?toezeggingen\b"
    r"|\btoezegging(?:en)?\b[^.?!]{0,30}\bals\s+volgt\b"
    r"|\btoezegging(?:en)?\b[^.?!]{0,40}:\s*$",
    re.IGNORECASE,
)
# "De eerste toezegging is dat de minister …", "Ik heb genoteerd: de minister …".
_ANNOUNCED_CONTENT = re.compile(r"\btoezegging(?:en)?\b[^.?!:]{0,40}?(?:\bdat\b|:)\s+\S", re.I)
_ANNOUNCED_ROLE = re.compile(
    r"toezegging(?:en)?\s+(?:gedaan\s+)?(?:door|van)\s+de\s+(minister|staatssecretaris)\b"
    r"|toezegging(?:en)?\s+die\s+de\s+(minister|staatssecretaris)\b",
    re.IGNORECASE,
)
_END = re.compile(
    r"\beinde\s+(?:gekomen\s+)?van\s+(?:dit|deze|het|de)\s+(?:\w+\s+)?"
    r"(?:debat|vergadering|overleg|commissiedebat|wetgevingsoverleg|notaoverleg)"
    r"|\bsluit\s+(?:ik\s+)?(?:hierbij\s+|hiermee\s+)?de\s+vergadering"
    r"|\btoezeggingen\s+hebben\s+we\s+(?:nu\s+)?gehad"
    r"|\b(?:dank\s+ik|ik\s+dank)\s+(?:de|alle)\s+(?:minister|staatssecretaris|bewindsperso)",
    re.IGNORECASE,
)
_PROCEDURE = re.compile(
    r"tweeminutendebat\b[^.?!]*\b(?:aangevraagd|aan\s+te\s+vragen|aanvragen|ingepland|inplannen)"
    r"|\b(?:aangevraagd|aanvragen)\b[^.?!]*\btweeminutendebat"
    r"|\bmoties?\b[^.?!]*\b(?:ingediend|aangehouden|ontraden|ontraad|aangenomen|stemmen|gestemd)"
    r"|\boordeel\s+kamer\b|\bstemmingen?\b|\bappreciatie",
    re.IGNORECASE,
)
_DROP = re.compile(
    r"\b(?:dat|dan|die|het|deze|dit)\s+is\s+(?:het\s+|dat\s+)?(?:dus\s+|dan\s+|toch\s+)?geen\s+"
    r"toezegging"
    r"|\bschrappen\s+we\s+(?:die|deze|hem|'m)\b|\blaten\s+we\s+(?:die|deze)\s+(?:vallen|weg)\b"
    r"|\b(?:die|deze)\s+(?:vervalt|schrappen\s+we|halen\s+we\s+(?:eruit|weg))",
    re.IGNORECASE,
)
_KEEP_ANYWAY = re.compile(r"\bmaar\b[^.?!]*\b(?:noteren|genoteerd|houden)\b", re.IGNORECASE)
_SUBSTITUTION = re.compile(
    r"\bvan\s+(?:het\s+)?(?:woord(?:je)?\s+)?[\"“„'‘]([^\"”'’]+)[\"”'’]\s+(?:het\s+)?"
    r"(?:woord(?:je)?\s+)?[\"“„'‘]([^\"”'’]+)[\"”'’]",
    re.IGNORECASE,
)
_CHAIR_AMENDS = re.compile(
    r"\baanpassen\b|\bpassen\b[^.?!]*\baan\b|\berbij\s+(?:zetten|gezet)|\bvoegen\b[^.?!]*\btoe\b"
    r"|\bverwoord|\bformuler|\ber\s+staat\s+hier\b|\bhet\s+gaat\s+(?:over|om)\b|\bherformuler",
    re.IGNORECASE,
)
_DOUBT = re.compile(
    r"\bgeen\s+toezegging|\bniet\s+toe(?:zeggen|gezegd)|\bkan\s+ik\s+niet\b|\bklopt\s+niet"
    r"|\bniet\s+juist|\bweglaten|\bverwarrend|\bniet\s+zozeer|\bniet\s+specifiek"
    r"|\bniet\s+een\s+aparte|\bof\s+dat\s+(?:dan\s+)?een\s+toezegging|\bniet\s+zoals",
    re.IGNORECASE,
)
_REWORDS = re.compile(r"\bformuler|\bzou\s+ik\s+zeggen\b|\banders\s+verwoord", re.IGNORECASE)
_MEMBER_AMENDS = re.compile(
    r"\btoevoeg|\berbij\b|\btussen\s+haakjes|\baanvull|\bziet\s+ook\s+op|\bgaat\s+ook\s+over"
    r"|\bniet\s+alleen\b|\bnoteren|\bformuler|\bpuntjes?\s+op\s+de\s+i"
    r"|\b(?:wil|zou)\b[^.?!]*\bgraag\b[^.?!]*\book\b",
    re.IGNORECASE,
)
_MEMBER_ASKS = re.compile(
    r"\btoezegging|\bnoteren|\btoevoeg|\berbij|\bkan\s+de\s+(?:minister|staatssecretaris)\b"
    r"|\btoezeggen\b",
    re.IGNORECASE,
)
_SUBJECT = re.compile(
    r"\b(?:minister(?:-president)?|staatssecretaris|staatssecretarissen|bewindspersoon|"
    r"bewindspersonen|kabinet|regering|premier)\b"
    r"|\bde\s+kamer\b(?=[^.?!]*\b(?:ontvangt|krijgt|wordt|worden|zal)\b)",
    re.IGNORECASE,
)
_PROMISE = re.compile(
    r"\b(?:zal|zullen|toegezegd|toezegt|toezeggen|komt|komen|stuurt|sturen|informeert|ontvangt|"
    r"krijgt|doet|deelt|gaat|gaan|laat|neemt|meegenomen|meenemen|verkent|onderzoekt|brengt|"
    r"kaart|koppelt|bespreekt|agendeert|zorgt|betrekt|wordt|worden|levert|publiceert)\b"
    r"|\bzegt\b[^.?!]*\btoe\b|\bzeggen\b[^.?!]*\btoe\b",
    re.IGNORECASE,
)
_NOT_A_PROMISE = re.compile(
    r"\bknikt\b|\bhet\s+woord\b|\bbeantwoording\b|\b(?:eerste|tweede|derde)\s+termijn\b|\binterruptie"
    r"|\bdank\b|\bbedank|\beerder(?:e)?\s+(?:gedane\s+)?toezegging|\bis\s+(?:al|eerder)\s+toegezegd"
    r"|\bin\s+(?:het|een)\s+(?:eerder|vorig)e?\s+(?:debat|overleg)",
    re.IGNORECASE,
)
_CONDITIONAL = re.compile(
    r"^(?:als|indien|of|mocht|stel)\b|\bbegrepen\b|\bals\s+ik\s+het\s+goed\b", re.IGNORECASE
)
# The chair speaking about the list itself: "We gaan de toezegging aanpassen".
_ABOUT_THE_LIST = re.compile(
    r"\b(?:we|wij|ik)\b[^.?!]*\b(?:toezegging|tekst|formulering)\b"
    r"|\b(?:toezegging|tekst|formulering)\b[^.?!]*\b(?:we|wij|ik)\b",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"[\"“„]|\bik\s+zei\b", re.IGNORECASE)
_BACK_REFERENCE = re.compile(r"\b(?:daar|daarop|daarover|erop|erover|hierop|hierover)\b", re.I)
_NOT_AN_ITEM = re.compile(
    r"\(\s*\d{5}[^)]*nr\.\s*\d+\s*\)|^aan\s+de\s+orde\b|^(?:de\s+)?brief\s+van\s+de\b"
    r"|\bverzoekt\s+de\s+regering\b|\bgaat\s+over\s+tot\s+de\s+orde\b|^(?:de\s+)?motie\b"
    r"|\b(?:kan|kon|wil)\b[^.?!]{0,40}\bniet\b[^.?!]{0,20}\btoe(?:zeggen|gezegd)\b"
    r"|\bzegt\s+niet\s+toe\b|^(?:mevrouw|de\s+heer|het\s+lid)\s+[^.?!]*\b(?:vraagt|verzoekt)\b",
    re.IGNORECASE,
)
_ENUMERATOR = re.compile(
    r"^(?:[-•*]\s*)?(?:(?:punt|toezegging)\s+)?(?:" + _NUMBER_WORDS + r")\s*[.:)]\s+"
    r"|^(?:ten\s+(?:eerste|tweede|derde|vierde|vijfde|slotte)|tot\s+slot|als\s+laatste)[,:]\s+"
    r"|^[-•*]\s+",
    re.IGNORECASE,
)
_NUMBER_ONLY = re.compile(
    r"(?:(?:punt|toezegging)\s+)?(?:" + _NUMBER_WORDS + r"|(?:ten\s+)?(?:eerste|tweede|derde|"
    r"vierde|vijfde|zesde|zevende|achtste|negende|tiende))\s*[.:)]",
    re.IGNORECASE,
)
_HONORIFIC = r"(?:[Dd]e\s+heer|[Mm]evrouw|[Hh]et\s+lid)"
_NAME = r"((?:(?:van|de|der|den|het|ter|ten|te|in\s+'t|op|el|al|le|la)\s+|[A-ZÀ-Ý][\w'’-]*\s*)+)"
_ADDRESSED = re.compile(r"\b" + _HONORIFIC + r"\s+" + _NAME)
_ADDRESSED_GROUP = re.compile(
    r"\baan\s+de\s+leden\s+((?:[A-ZÀ-Ý][\w'’-]*(?:\s+(?:van|de|der|den|ter)\b)*\s*,?\s*"
    r"(?:en\s+)?)+)"
)
_NOT_ADDRESSED_BEFORE = re.compile(
    r"\b(?:motie|amendement|initiatiefnota|initiatiefwet|nota|voorstel|wetsvoorstel)\s+van\s*$",
    re.IGNORECASE,
)
_ADDRESSEE_SENTENCE = re.compile(
    r"^(?:dat|dit|deze|die)\s+(?:is|was)\s+(?:een\s+)?(?:toezegging\s+)?(?:gericht\s+)?aan\b"
    r"|^(?:deze|die|dit)\s+is\s+gericht\s+aan\b",
    re.IGNORECASE,
)
_ROLE = re.compile(
    r"\b(minister-president|premier|minister|staatssecretaris|bewindspersonen|bewindspersoon|"
    r"kabinet|regering)\b",
    re.IGNORECASE,
)
_QUALIFIER = re.compile(
    r"^\s+(?:van\s+|voor\s+)?((?:[A-ZÀ-Ý][\w'’-]*|en|,)(?:\s*(?:[A-ZÀ-Ý][\w'’-]*|en\b|,))*)"
)


def _is_question(sentence: str) -> bool:
    return sentence.rstrip(' "”’)').endswith("?")


def _is_promise(sentence: str) -> bool:
    """A sentence that reads as a commitment: a bewindspersoon (or the Kamer) will do …"""
    return (
        not _is_question(sentence)
        and not _CONDITIONAL.search(sentence)
        and not _QUOTED.search(sentence)
        and not _NOT_A_PROMISE.search(sentence)
        and not _PROCEDURE.search(sentence)
        and (not _ABOUT_THE_LIST.search(sentence) or bool(_ANNOUNCED_CONTENT.search(sentence)))
        and bool(_SUBJECT.search(sentence))
        and bool(_PROMISE.search(sentence))
    )


def _clean_item(text: str) -> str:
    text = _ENUMERATOR.sub("", text.strip(), count=1).strip()
    return text[:1].upper() + text[1:]


# --- a commitment while it is being read out --------------------------------------------------


@dataclass
class _Item:
    text: str
    from_list: bool
    made_to: list[Person] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    said_deadline: str = ""  # a deadline the chair named after reading the text
    role: str = ""  # the role the announcement gave ("toezeggingen van de staatssecretaris")

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)


def _describe(person: Person | None) -> str:
    if person is None:
        return "iemand"
    if person.kind == "member":
        return f"{person.name} ({person.party})" if person.party else person.name
    if person.kind in ("minister", "staatssecretaris"):
        return f"{person.kind} {person.name}"
    return person.name


class _Report:
    def __init__(self, root: Element, *, file: str):
        self.root = root
        self.file = file
        self.notes: list[str] = []

    # The meeting and the people present.

    def read(self) -> DebateReport:
        meeting = self.root.find(_NS + "vergadering")
        if meeting is None:
            raise ReportRefused(self.file, "Het verslag bevat geen vergadering.", "incomplete")
        date = self._date(meeting)
        people = self._people()
        self.bewindspersonen = [p for p in people if p.kind in ("minister", "staatssecretaris")]
        self.members = [p for p in people if p.kind == "member"]
        activities = [
            (activity, _turns(activity))
            for activity in meeting.findall(_NS + "activiteit")
            if (activity.get("soort") or "").lower()
            not in ("opening", "sluiting", "schorsing", "heropening")
        ]
        main = max(activities, key=lambda pair: sum(t.words for t in pair[1]), default=None)
        is_interim = (self.root.get("soort") or "").lower() == "tussenpublicatie" or (
            self.root.get("status") or ""
        ).lower() == "ongecorrigeerd"
        if is_interim:
            self.notes.append("Tussenpublicatie (ongecorrigeerd): de tekst kan nog wijzigen.")
        closed = any(
            (activity.get("soort") or "").lower() == "sluiting"
            for activity in meeting.findall(_NS + "activiteit")
        )
        if not closed:
            self.notes.append(
                "Het verslag eindigt voor de sluiting van de vergadering: toezeggingen die aan "
                "het eind zijn voorgelezen, kunnen ontbreken."
            )
        commitments: list[CapturedCommitment] = []
        if not self.bewindspersonen:
            self.notes.append("Geen bewindspersoon aanwezig, dus geen toezeggingen.")
        else:
            for _activity, turns in activities:
                commitments.extend(self._commitments(turns, date))
            if not commitments:
                self.notes.append("Geen door de voorzitter voorgelezen toezeggingen gevonden.")
        activity = main[0] if main else None
        title = ""
        if activity is not None:
            title = _child_text(activity, "titel") or _child_text(activity, "onderwerp")
        return DebateReport(
            file=self.file,
            activity_number=_child_text(activity, "parlisid") if activity is not None else "",
            title=title or _child_text(meeting, "titel"),
            kind=self._kind(meeting, activity),
            date=date,
            committees=self._committees(meeting),
            chamber="ek" if "eerste" in (meeting.get("kamer") or "").lower() else "tk",
            bewindspersonen=self.bewindspersonen,
            members=self.members,
            commitments=commitments,
            is_interim=is_interim,
            notes=self.notes,
        )

    def _date(self, meeting: Element) -> datetime.date:
        raw = _child_text(meeting, "datum")
        try:
            return datetime.date.fromisoformat(raw[:10])
        except ValueError:
            raise ReportRefused(
                self.file, "Het verslag noemt geen geldige vergaderdatum.", "incomplete"
            ) from None

    def _people(self) -> list[Person]:
        seen: dict[tuple[str, str], Person] = {}
        for spreker in self.root.iter(_NS + "spreker"):
            person = _person(spreker)
            key = (person.kind, person.name.lower())
            if person.name and key not in seen:
                seen[key] = person
        return list(seen.values())

    @staticmethod
    def _kind(meeting: Element, activity: Element | None) -> str:
        if (meeting.get("soort") or "").lower().startswith("plenair"):
            return "plenair"
        soort = (activity.get("soort") or "").lower() if activity is not None else ""
        if "commissiedebat" in soort:
            return "commissiedebat"
        if "wetgevingsoverleg" in soort:
            return "wetgevingsoverleg"
        if "algemeen overleg" in soort:
            return "ao"
        if "plenair" in soort:
            return "plenair"
        return "other"

    @staticmethod
    def _committees(meeting: Element) -> list[str]:
        committees = meeting.find(_NS + "commissies")
        if committees is None:
            return []
        ordered = sorted(
            committees.findall(_NS + "commissie"),
            key=lambda c: int(c.get("volgorde") or 0) if (c.get("volgorde") or "").isdigit() else 0,
        )
        names = [_child_text(c, "verslagnaam") or _child_text(c, "naam") for c in ordered]
        return [name for name in names if name]

    # The read-out.

    def _commitments(self, turns: list[_Turn], date: datetime.date) -> list[CapturedCommitment]:
        starts = self._passage_starts(turns)
        chosen = None
        for k in range(len(starts) - 1, -1, -1):
            if _ReadOut(turns, starts[k][0]).items():
                chosen = k
                break
        # An earlier run of announcements belongs to the read-out when the chair read
        # commitments there and only one long answer came in between (a correction); one
        # that read nothing before the answer was a premature start ("Ik was te voorbarig").
        while chosen:
            (start, _), (later, long_turns) = starts[chosen - 1], starts[chosen]
            if long_turns > 1 or not _ReadOut(turns, start, stop=later[0]).items():
                break
            chosen -= 1
        items = []
        if chosen is not None:
            read_out = _ReadOut(turns, starts[chosen][0])
            items = read_out.items()
            self.notes.extend(read_out.notes)
        self._note_noted_in_passing(turns, items)
        self._evidence = _Evidence(turns, self.bewindspersonen)
        return [self._captured(item, date) for item in items]

    def _passage_starts(self, turns: list[_Turn]) -> list[tuple[tuple[int, int], int]]:
        """Where a read-out could begin, the first announcement of each run of them that no
        long answer interrupts, with the number of long answers since the run before."""
        starts: list[tuple[tuple[int, int], int]] = []
        long_turns = 0
        for t, turn in enumerate(turns):
            if not turn.is_chair:
                long_turns += turn.words > LONG_TURN_WORDS
                continue
            for u, unit in enumerate(turn.units):
                if not unit.is_list_item and any(
                    _ANNOUNCEMENT.search(s) and not _is_question(s) for s in _sentences(unit.text)
                ):
                    if long_turns or not starts:
                        starts.append(((t, u), long_turns))
                    long_turns = 0
        return starts

    def _note_noted_in_passing(self, turns: list[_Turn], items: list[_Item]) -> None:
        """Commitments the chair noted during the debate and did not read out at the end."""
        read_out = [set(text_words(item.text)) for item in items]
        noted = re.compile(
            r"\bnoteren\b[^.?!]*\bals\s+(?:een\s+)?toezegging|\bals\s+toezegging\s+genoteerd",
            re.IGNORECASE,
        )
        for t, turn in enumerate(turns):
            if not turn.is_chair:
                continue
            for unit in turn.units:
                if noted.search(unit.text) and t > 0 and turns[t - 1].units:
                    said = " ".join(u.text for u in turns[t - 1].units)
                    if any(len(set(text_words(said)) & words) >= 3 for words in read_out):
                        continue
                    self.notes.append(
                        f"Tijdens het debat als toezegging genoteerd: {_quote(said)} "
                        f"({_describe(turns[t - 1].speaker)}). Staat die niet bij de "
                        "voorgelezen toezeggingen, ga dan na of die meetelt."
                    )

    def _captured(self, item: _Item, date: datetime.date) -> CapturedCommitment:
        bewindspersoon, how = self._made_by(item)
        if how:
            item.note(how)
        wording = deadline_in(item.text)
        if item.said_deadline and (not wording or resolve_deadline(wording, date) is None):
            if wording and wording.lower() != item.said_deadline.lower():
                item.note(
                    f"Termijn bij het voorlezen aangevuld: {_quote(item.said_deadline)} "
                    f"(in de tekst: {_quote(wording)})."
                )
            elif not wording:
                item.note(f"Termijn genoemd bij het voorlezen: {_quote(item.said_deadline)}.")
            wording = item.said_deadline
        due = resolve_deadline(wording, date) if wording else None
        if wording and due is None:
            item.note("Termijn niet om te zetten in een datum.")
        made_to = list(item.made_to)
        for person in self._addressees(item.text):
            if person not in made_to:
                made_to.append(person)
                if person not in self.members:
                    item.note(f"{person.name} staat niet bij de sprekers; fractie onbekend.")
        return CapturedCommitment(
            text=item.text,
            bewindspersoon=bewindspersoon,
            made_to=made_to,
            deadline_wording=wording,
            due_date=due,
            note="\n".join(item.notes),
        )

    # Who made it.

    def _made_by(self, item: _Item) -> tuple[Person | None, str]:
        present = self.bewindspersonen
        if len(present) == 1:
            return present[0], ""
        for match in _ROLE.finditer(item.text):
            role = match.group(1).lower()
            rest = item.text[match.end() : match.end() + 100]
            named = [p for p in present if p.name and rest.lstrip().startswith(p.name)]
            if named:
                return named[0], ""
            if role in ("minister-president", "premier"):
                role = "minister"
            if role not in ("minister", "staatssecretaris"):
                return self._from_debate(item.text, present)
            candidates = [p for p in present if p.kind == role]
            qualifier = _QUALIFIER.match(rest)
            if qualifier and qualifier.group(1).strip(" ,"):
                fitting = [p for p in candidates if _function_fits(p.function, qualifier.group(1))]
                if not fitting:
                    continue  # a colleague who was not in the debate ("de minister van KGG")
                candidates = fitting
            if len(candidates) == 1:
                return candidates[0], ""
            if candidates:
                return self._from_debate(item.text, candidates)
        if item.role:
            candidates = [p for p in present if p.kind == item.role]
            if len(candidates) == 1:
                return candidates[0], ""
            if candidates:
                return self._from_debate(item.text, candidates)
        return self._from_debate(item.text, present)

    def _from_debate(self, text: str, candidates: list[Person]) -> tuple[Person | None, str]:
        if not candidates:
            return None, "Bewindspersoon niet gevonden in het verslag."
        person, sure = self._evidence.best(text, candidates)
        if sure:
            return person, (
                f"Bewindspersoon afgeleid uit het debat: {person.name} ({person.function}) sprak "
                "hierover."
            )
        return person, (
            f"Bewindspersoon niet met zekerheid vast te stellen; voorstel: {person.name} "
            f"({person.function})."
        )

    # Whom it was made to.

    def _addressees(self, text: str) -> list[Person]:
        found: list[Person] = []
        names = []
        for match in _ADDRESSED.finditer(text):
            if _NOT_ADDRESSED_BEFORE.search(text[: match.start()]):
                continue
            names.append(match.group(1))
        for match in _ADDRESSED_GROUP.finditer(text):
            names.extend(re.split(r"\s*,\s*|\s+en\s+", match.group(1)))
        for raw in names:
            person = self._member_named(raw)
            if person is not None and person not in found:
                found.append(person)
        return found

    def _member_named(self, raw: str) -> Person | None:
        words = raw.strip(" ,.;").split()
        for size in range(len(words), 0, -1):
            candidate = " ".join(words[:size]).lower()
            for member in self.members:
                full = f"{member.first_name} {member.name}".lower()
                if candidate in (member.name.lower(), full):
                    return member
        while words and not words[-1][:1].isupper():
            words.pop()
        name = " ".join(words)
        if not name:
            return None
        return Person(name=name, function="", kind="member")


def _function_fits(function: str, qualifier: str) -> bool:
    """Whether "van Financiën" / "voor Klimaat en Groene Groei" / "van KGG" names this post."""
    words = [w for w in re.findall(r"[\w'’-]+", qualifier) if w[:1].isupper()]
    if not words:
        return False
    function_lower = function.lower()
    if all(w.lower() in function_lower for w in words):
        return True
    initials = "".join(w[0] for w in re.findall(r"[\w'’-]+", function) if w[:1].isupper())
    return len(words) == 1 and words[0].isupper() and words[0] in initials


class _Evidence:
    """Which bewindspersoon said, in the debate, what a commitment's words are about."""

    def __init__(self, turns: list[_Turn], bewindspersonen: list[Person]):
        self.paragraphs: list[tuple[Person, set[str]]] = []
        present = {(p.kind, p.name.lower()): p for p in bewindspersonen}
        for turn in turns:
            speaker = turn.speaker and present.get((turn.speaker.kind, turn.speaker.name.lower()))
            if turn.is_chair or speaker is None:
                continue
            for unit in turn.units:
                self.paragraphs.append((speaker, set(text_words(unit.text))))
        documents = Counter(word for _, words in self.paragraphs for word in words)
        total = max(len(self.paragraphs), 1)
        self.weight = {word: math.log((1 + total) / (1 + n)) for word, n in documents.items()}

    def best(self, text: str, candidates: list[Person]) -> tuple[Person, bool]:
        words = set(text_words(text))
        score = dict.fromkeys(candidates, 0.0)
        for speaker, paragraph in self.paragraphs:
            if speaker in score:
                shared = sum(self.weight.get(word, 0.0) for word in words & paragraph)
                score[speaker] = max(score[speaker], shared)
        ranked = sorted(candidates, key=lambda p: score[p], reverse=True)
        first = ranked[0]
        second = score[ranked[1]] if len(ranked) > 1 else 0.0
        return first, score[first] >= 3.0 and score[first] >= 1.25 * second


class _ReadOut:
    """Walks the read-out passage and keeps the commitments as finally worded."""

    def __init__(self, turns: list[_Turn], start: tuple[int, int], stop: int | None = None):
        self.turns = turns
        self.start = start
        self.stop = len(turns) if stop is None else stop
        self.found: list[_Item] = []
        self.last: _Item | None = None
        self.last_turn_items: list[_Item] = []
        self.role = ""
        self.request: tuple[Person | None, str] | None = None
        self.dropped_in_turn = False
        self.notes: list[str] = []  # about the read-out as a whole

    def items(self) -> list[_Item]:
        first_turn, first_unit = self.start
        for t in range(first_turn, self.stop):
            turn = self.turns[t]
            units = turn.units
            if t == first_turn:
                opening = turn.units[first_unit]
                sentences = _sentences(opening.text)
                at = next(i for i, s in enumerate(sentences) if _ANNOUNCEMENT.search(s))
                units = [_Unit(" ".join(sentences[at:]), False), *turn.units[first_unit + 1 :]]
            if turn.is_chair:
                if self._chair(units):
                    break
            elif turn.speaker is not None and turn.speaker.kind in ("minister", "staatssecretaris"):
                self._bewindspersoon(turn)
            elif turn.speaker is not None:
                self._member(turn)
        return self.found

    def _chair(self, units: list[_Unit]) -> bool:
        """Reads the chair's turn; True once the chair closes the read-out."""
        turn_items: list[_Item] = []
        self.dropped_in_turn = False
        for unit in units:
            if unit.is_list_item:
                item = self._add(unit.text, from_list=True)
                if item is not None:
                    turn_items.append(item)
                continue
            numbered = False
            for sentence in _sentences(unit.text):
                if _NUMBER_ONLY.fullmatch(sentence):
                    numbered = True  # "Punt vier." - the next sentence is read as a list item
                    continue
                if numbered and not _is_question(sentence):
                    numbered = False
                    item = self._add(sentence, from_list=True)
                    if item is not None:
                        turn_items.append(item)
                        continue
                if self.found and _END.search(sentence) and not _ANNOUNCEMENT.search(sentence):
                    return True
                if self._correction(sentence):
                    continue
                announced = _ANNOUNCED_ROLE.search(sentence)
                if announced:
                    self.role = (announced.group(1) or announced.group(2)).lower()
                if _ANNOUNCEMENT.search(sentence):
                    if _ANNOUNCED_CONTENT.search(sentence) and _is_promise(sentence):
                        item = self._add(sentence, from_list=False)
                        if item is not None:
                            turn_items.append(item)
                    continue
                if _PROCEDURE.search(sentence):
                    break  # the rest of the paragraph is about the procedure too
                item = self._chair_sentence(sentence)
                if item is not None:
                    turn_items.append(item)
        if turn_items:
            self.last_turn_items = turn_items
        return False

    def _correction(self, sentence: str) -> bool:
        """Applies "dat is geen toezegging" or `van "na" "voor"` to what was read; True if it
        was one."""
        last = self.last
        if last is None:
            return False
        if _DROP.search(sentence):
            if self.dropped_in_turn:
                return True  # "Dan is dat geen toezegging. Die schrappen we." drops one
            if _KEEP_ANYWAY.search(sentence):
                last.note(f"De voorzitter: {_quote(sentence)}")
            else:
                self.dropped_in_turn = True
                self.found.remove(last)
                self.notes.append(
                    f"Bij het voorlezen geschrapt: {_quote(last.text)} (voorzitter: "
                    f"{_quote(sentence)})."
                )
                self.last = self.found[-1] if self.found else None
            return True
        substitution = _SUBSTITUTION.search(sentence)
        if substitution:
            old, new = substitution.group(1).strip(), substitution.group(2).strip()
            pattern = re.compile(r"\b" + re.escape(old) + r"\b", re.IGNORECASE)
            holding = [item for item in self.found if len(pattern.findall(item.text)) == 1]
            target = last if last in holding else holding[0] if len(holding) == 1 else None
            if target is not None:
                target.text = pattern.sub(new, target.text)
                target.note(f"Tekst aangepast bij het voorlezen: “{old}” werd “{new}”.")
            else:
                last.note(f"De voorzitter past de tekst aan: {_quote(sentence)}")
            return True
        return False

    def _chair_sentence(self, sentence: str) -> _Item | None:
        last = self.last
        if last is not None and _ADDRESSEE_SENTENCE.search(sentence):
            last.text = f"{last.text} {sentence}"
            return None
        # "De minister komt daarop terug": about the last one read, unless a member asked.
        refers_back = (
            last is not None
            and self.request is None
            and _BACK_REFERENCE.search(sentence)
            and len(text_words(sentence)) < 6
        )
        if _is_promise(sentence) and not refers_back:
            return self._add(sentence, from_list=False)
        if last is not None and not _is_question(sentence):
            deadline = deadline_in(sentence)
            if deadline and not _QUOTED.search(sentence):
                last.said_deadline = deadline
            elif _CHAIR_AMENDS.search(sentence) and self.request is None:
                last.note(f"De voorzitter: {_quote(sentence)}")
        return None

    def _add(self, text: str, *, from_list: bool) -> _Item | None:
        text = _clean_item(text)
        if not text or _NOT_AN_ITEM.search(text) or (from_list and _PROCEDURE.search(text)):
            return None
        words = set(text_words(text))
        for earlier in self.found:
            if earlier.text == text:
                self.last = earlier
                return earlier
            earlier_words = set(text_words(earlier.text))
            if len(words) >= 3 and len(earlier_words) >= 3 and dice(words, earlier_words) >= 0.6:
                self.found.remove(earlier)
                item = _Item(
                    text=text,
                    from_list=from_list,
                    made_to=earlier.made_to,
                    notes=earlier.notes,
                    role=earlier.role,
                    said_deadline=earlier.said_deadline,
                )
                item.note(
                    f"Opnieuw voorgelezen in andere woorden; de laatste lezing is overgenomen. "
                    f"Eerdere lezing: {_quote(earlier.text)}"
                )
                return self._keep(item)
        item = _Item(text=text, from_list=from_list, role=self.role)
        if self.request is not None:
            member, asked = self.request
            related = dice(words, set(text_words(asked))) >= 0.2
            if not from_list or related:
                item.note(f"Toegevoegd op verzoek van {_describe(member)}: {_quote(asked)}")
                if member is not None:
                    item.made_to.append(member)
        return self._keep(item)

    def _keep(self, item: _Item) -> _Item:
        self.found.append(item)
        self.last = item
        self.request = None
        return item

    def _target(self, text: str) -> _Item | None:
        """The commitment a remark is about: the one it names or shares words with, else the
        last one read."""
        if not self.found:
            return None
        if re.search(r"\b(?:de|die)\s+eerste\b", text, re.IGNORECASE) and self.last_turn_items:
            first = self.last_turn_items[0]
            if first in self.found:
                return first
        words = set(text_words(text))
        scored = [(len(words & set(text_words(item.text))), item) for item in self.found]
        best_score, best = max(scored, key=lambda pair: pair[0])
        if best_score >= 2 and self.last is not None:
            last_score = len(words & set(text_words(self.last.text)))
            return best if best_score > last_score else self.last
        return self.last

    def _bewindspersoon(self, turn: _Turn) -> None:
        text = " ".join(unit.text for unit in turn.units)
        doubts = [s for s in _sentences(text) if _DOUBT.search(s)]
        target = self._target(text)
        if target is None:
            return
        if doubts:
            target.note(
                f"Betwist in het debat door {_describe(turn.speaker)}: {_quote(' '.join(doubts))}"
            )
        elif _REWORDS.search(text):
            target.note(f"Anders verwoord door {_describe(turn.speaker)}: {_quote(text)}")

    def _member(self, turn: _Turn) -> None:
        text = " ".join(unit.text for unit in turn.units)
        if _MEMBER_ASKS.search(text):
            if len(text) > QUOTE_CHARS:
                text = " ".join(s for s in _sentences(text) if _MEMBER_ASKS.search(s))
            self.request = (turn.speaker, text)
        elif self.found and _MEMBER_AMENDS.search(text):
            target = self._target(text)
            if target is not None:
                target.note(
                    f"Opmerking van {_describe(turn.speaker)} bij het voorlezen: {_quote(text)}"
                )
