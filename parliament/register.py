"""The Kamer's register of commitments: reading its OData feed, and writing its shape.

The griffie publishes the register as OData v4, entity set `Toezegging` (`KAMER_DATA.md` §1).
This module knows the format and the wire, nothing of the tracker's rules:

- `RegisterClient` asks the service for one ministry's records, page by page, following
  `@odata.nextLink`; a 503, a timeout or a dropped connection is tried again with backoff, and
  a 4xx stops the run with the server's own message;
- `parse_record` turns one `Toezegging` (with what it links to) into a `RegisterRecord`;
- `toezegging_for` writes a commitment back in the register's shape, for the export.

The client uses only the query options the sync may rely on: `$filter` (eq/ge, `and`),
`$orderby`, `$expand` and `$count`.
"""

import http.client
import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

from django.utils.dateparse import parse_datetime

from commitments.models import status_from_register

ENTITY_SET = "Toezegging"
# Everything a record links to, as the sync needs it.
EXPAND = (
    "ToegezegdAan($expand=Persoon,Fractie),"
    "KamerbriefNakoming($expand=Kamerstukdossier),"
    "Activiteit,IsHerhalingVan,IsAanvullingOp,IsWijzigingVan"
)
RELATIONS = {
    "IsHerhalingVan": "repeats",
    "IsAanvullingOp": "supplements",
    "IsWijzigingVan": "modifies",
}
# The register has been seen to write "no date" as the first day of year 1.
EMPTY_DATES = ("0001-01-01",)
# Annotations of our own in an export (OData instance annotations): the ministry's reference
# and due date, so that importing an export gives back the same commitments.
REFERENCE_ANNOTATION = "@tracker.referentie"
DUE_DATE_ANNOTATION = "@tracker.uiterstedatum"
MADE_ON_ANNOTATION = "@tracker.gemaaktop"
EXPORT_CONTEXT = "$metadata#Toezegging"
ADDRESSEE_ANNOTATION = "@tracker.aan"
# Statuses that answer "temporarily unavailable": worth another try.
RETRY_STATUSES = {429, 502, 503, 504}


class RegisterError(Exception):
    """The register could not be read; the run stopped and stored nothing of its progress."""


class RegisterRefused(RegisterError):
    """The service refused the request (a 4xx), with its own message."""


class RegisterUnavailable(RegisterError):
    """The service stayed unreachable after every retry."""


class RecordRefused(ValueError):
    """One record cannot be read; the sync reports it and goes on with the others."""


# --- the wire ---------------------------------------------------------------------------------


def _odata_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _odata_datetime(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


@dataclass
class RegisterClient:
    """Reads `Toezegging` pages from one service root, e.g. the Kamer's gegevensmagazijn."""

    base_url: str
    timeout: float = 30.0
    retries: int = 5
    backoff: float = 1.0
    requests: int = 0
    retried: int = 0
    total: int | None = None
    sleep: object = field(default=time.sleep, repr=False)

    def query(self, *, ministry: str, changed_since: datetime | None) -> str:
        clauses = [f"Ministerie eq {_odata_string(ministry)}"]
        if changed_since is not None:
            # `ge`, not `gt`: records changed in the same instant as the last one seen are read
            # again (and found unchanged) rather than missed.
            clauses.append(f"GewijzigdOp ge {_odata_datetime(changed_since)}")
        params = {
            "$filter": " and ".join(clauses),
            "$orderby": "GewijzigdOp,Id",
            "$expand": EXPAND,
            "$count": "true",
        }
        return f"{self.base_url.rstrip('/')}/{ENTITY_SET}?{urlencode(params)}"

    def pages(self, *, ministry: str, changed_since: datetime | None = None) -> Iterator[list]:
        """The ministry's records changed since `changed_since` (all without), page by page."""
        url = self.query(ministry=ministry, changed_since=changed_since)
        while url:
            body = self._get(url)
            if self.total is None and isinstance(body.get("@odata.count"), int):
                self.total = body["@odata.count"]
            values = body.get("value")
            if not isinstance(values, list):
                raise RegisterError(f"{url}: the answer holds no list of records (no 'value').")
            yield values
            url = body.get("@odata.nextLink")

    def _get(self, url: str) -> dict:
        for attempt in range(self.retries + 1):
            self.requests += 1
            try:
                request = Request(url, headers={"Accept": "application/json"})
                with urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                    return json.loads(response.read())
            except HTTPError as error:
                if error.code not in RETRY_STATUSES:
                    raise RegisterRefused(
                        f"The register refused the request ({error.code}): {_server_message(error)}"
                    ) from None
                problem = f"{error.code} {_server_message(error)}"
            except (
                URLError,
                TimeoutError,
                ConnectionError,
                http.client.HTTPException,
                json.JSONDecodeError,
            ) as error:
                # A dropped connection or a cut-off body is as temporary as a 503.
                problem = str(getattr(error, "reason", error)) or type(error).__name__
            if attempt == self.retries:
                raise RegisterUnavailable(
                    f"The register did not answer after {self.retries + 1} tries: {problem}"
                )
            self.retried += 1
            self.sleep(self.backoff * 2**attempt)
        raise AssertionError("unreachable")


def _server_message(error: HTTPError) -> str:
    try:
        body = json.loads(error.read() or b"{}")
        return str(body["error"]["message"])
    except (ValueError, KeyError, TypeError):
        return error.reason or "no message"


def file_pages(path) -> Iterator[list]:
    """The records of an export (or a saved answer of the service) as one page."""
    with open(path, encoding="utf-8") as handle:
        body = json.load(handle)
    values = body.get("value") if isinstance(body, dict) else body
    if not isinstance(values, list):
        raise RegisterError(f"{path}: not a register export (no list of 'value' records).")
    yield values


# --- reading one record ---------------------------------------------------------------------


@dataclass
class Letter:
    """A `Document` that fulfilled a commitment: a Kamerbrief, cited by dossier and number."""

    document_number: str
    title: str
    kind: str
    date: date | None
    dossier: str
    volgnummer: int | None


@dataclass
class Activity:
    number: str
    kind: str
    subject: str
    date: date | None


@dataclass
class RegisterRecord:
    id: uuid.UUID
    number: str
    text: str
    status: str
    mapped_status: str | None
    ministry: str
    name: str
    surname: str
    initials: str
    tussenvoegsel: str
    function: str
    activity_number: str
    registered_at: datetime | None
    changed_at: datetime
    fulfilment_date_raw: str
    fulfilment_date: date | None
    withdrawn: bool
    made_to: list[dict]
    letters: list[Letter]
    activity: Activity | None
    relations: list[tuple[str, str]]
    reference: str
    due_date: date | None
    made_on_annotation: date | None
    raw: dict

    @property
    def person_name(self) -> str:
        """The bewindspersoon as the tracker writes names: "F.M. Wiersma", "D. van der Graaf"."""
        parts = [self.initials, self.tussenvoegsel, self.surname]
        name = " ".join(part for part in parts if part)
        return name or self.name

    @property
    def made_on(self) -> date | None:
        if self.made_on_annotation:
            return self.made_on_annotation
        if self.activity and self.activity.date:
            return self.activity.date
        return self.registered_at.date() if self.registered_at else None


def _text(value) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def _datetime(value, *, name: str, required: bool = False) -> datetime | None:
    if value in (None, ""):
        if required:
            raise RecordRefused(f"{name} is missing")
        return None
    if isinstance(value, str) and value.startswith(EMPTY_DATES):
        return None
    parsed = parse_datetime(str(value)) if isinstance(value, str) else None
    if parsed is None:
        try:
            parsed = datetime.fromisoformat(str(value))
        except ValueError:
            raise RecordRefused(f"{name} is not a date and time: {value!r}") from None
    if parsed.tzinfo is None:
        raise RecordRefused(f"{name} has no time zone: {value!r}")
    return parsed


def _date(value, *, name: str) -> date | None:
    parsed = _datetime(value, name=name) if value and "T" in str(value) else None
    if parsed is not None:
        return parsed.date()
    if value in (None, "") or str(value).startswith(EMPTY_DATES):
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise RecordRefused(f"{name} is not a date: {value!r}") from None


def format_dossier(number, addition=None) -> str:
    """A Kamerstukdossier as cited: 31015 → "31 015", with its addition ("36 600 VI")."""
    if number in (None, ""):
        return ""
    try:
        cited = f"{int(number):,}".replace(",", " ")
    except (TypeError, ValueError):
        cited = _text(number)
    addition = _text(addition)
    return f"{cited} {addition}" if addition else cited


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _letters(value) -> list[Letter]:
    letters = []
    for document in _as_list(value):
        if not isinstance(document, dict):
            continue
        dossier = document.get("Kamerstukdossier") or {}
        if isinstance(dossier, list):
            dossier = dossier[0] if dossier else {}
        volgnummer = document.get("Volgnummer")
        letters.append(
            Letter(
                document_number=_text(document.get("DocumentNummer"))[:20],
                title=_text(document.get("Titel") or document.get("Onderwerp"))[:500],
                kind=_text(document.get("Soort")),
                date=_date(document.get("Datum"), name="KamerbriefNakoming.Datum"),
                dossier=format_dossier(dossier.get("Nummer"), dossier.get("Toevoeging"))[:20],
                volgnummer=volgnummer if isinstance(volgnummer, int) and volgnummer > 0 else None,
            )
        )
    # The same letter linked twice is one letter.
    unique = {}
    for letter in letters:
        unique.setdefault(letter.document_number or (letter.dossier, letter.volgnummer), letter)
    return list(unique.values())


def _made_to(value) -> list[dict]:
    made_to = []
    for item in _as_list(value):
        if not isinstance(item, dict):
            continue
        other = item.get(ADDRESSEE_ANNOTATION)
        if isinstance(other, dict) and _text(other.get("naam")):
            kind = _text(other.get("soort"))
            made_to.append({"name": _text(other["naam"]), "party": "", "kind": kind})
            continue
        person = item.get("Persoon") or {}
        party = item.get("Fractie") or {}
        party_name = _text(party.get("Afkorting") or party.get("NaamNL"))
        if person:
            first = _text(person.get("Roepnaam") or person.get("Voornamen") or "")
            initials = _text(person.get("Initialen"))
            name = " ".join(
                part for part in (first or initials, _text(person.get("Tussenvoegsel"))) if part
            )
            name = f"{name} {_text(person.get('Achternaam'))}".strip()
            if name:
                made_to.append({"name": name, "party": party_name, "kind": "member"})
        elif party_name:
            made_to.append({"name": party_name, "party": party_name, "kind": "party"})
    return made_to


def _activity(value) -> Activity | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if not isinstance(value, dict):
        return None
    return Activity(
        number=_text(value.get("Nummer"))[:20],
        kind=_text(value.get("Soort")),
        subject=_text(value.get("Onderwerp") or value.get("Titel")),
        date=_date(value.get("Datum") or value.get("Aanvangstijd"), name="Activiteit.Datum"),
    )


def parse_record(data: dict) -> RegisterRecord:
    """One `Toezegging` as the tracker reads it; RecordRefused says why it cannot be read."""
    if not isinstance(data, dict):
        raise RecordRefused("not a record")
    try:
        record_id = uuid.UUID(str(data.get("Id")))
    except ValueError:
        raise RecordRefused(f"Id is not a GUID: {data.get('Id')!r}") from None
    number = _text(data.get("Nummer"))[:40]
    text = str(data.get("Tekst") or "").strip()
    if not text:
        raise RecordRefused("Tekst is empty")
    status = _text(data.get("Status"))
    activity = _activity(data.get("Activiteit"))
    relations = []
    for prop, kind in RELATIONS.items():
        for other in _as_list(data.get(prop)):
            if isinstance(other, dict) and other.get("Id"):
                relations.append((kind, str(other["Id"]).lower()))
    raw_fulfilment = _text(data.get("DatumNakoming"))
    changed_at = _datetime(data.get("GewijzigdOp"), name="GewijzigdOp", required=True)
    return RegisterRecord(
        id=record_id,
        number=number,
        text=text,
        status=status,
        mapped_status=status_from_register(status),
        ministry=_text(data.get("Ministerie"))[:200],
        name=_text(data.get("Naam"))[:200],
        surname=_text(data.get("Achternaam")),
        initials=_text(data.get("Initialen")),
        tussenvoegsel=_text(data.get("Tussenvoegsel")),
        function=_text(data.get("Functie"))[:300],
        activity_number=_text(data.get("ActiviteitNummer") or (activity and activity.number))[:20],
        registered_at=_datetime(data.get("Aanmaakdatum"), name="Aanmaakdatum"),
        changed_at=changed_at,
        fulfilment_date_raw=raw_fulfilment[:40],
        fulfilment_date=_date(raw_fulfilment, name="DatumNakoming"),
        withdrawn=data.get("Verwijderd") is True,
        made_to=_made_to(data.get("ToegezegdAan")),
        letters=_letters(data.get("KamerbriefNakoming")),
        activity=activity,
        relations=relations,
        reference=_text(data.get(REFERENCE_ANNOTATION))[:40],
        due_date=_date(data.get(DUE_DATE_ANNOTATION), name=DUE_DATE_ANNOTATION),
        made_on_annotation=_date(data.get(MADE_ON_ANNOTATION), name=MADE_ON_ANNOTATION),
        raw=data,
    )


# --- writing the register's shape -----------------------------------------------------------

# Stable identities for what the tracker exports without a register Id of its own.
EXPORT_NAMESPACE = uuid.UUID("6f1c1b2e-4d0a-5b3e-9a51-2c7e0d2f8a10")
DEBATE_KIND_NAMES = {
    "ao": "Algemeen overleg",
    "commissiedebat": "Commissiedebat",
    "plenair": "Plenair debat",
    "wetgevingsoverleg": "Wetgevingsoverleg",
    "other": "Overig",
}


def _export_id(*parts) -> str:
    return str(uuid.uuid5(EXPORT_NAMESPACE, "|".join(str(part) for part in parts)))


def _iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    return f"{value.isoformat()}T00:00:00Z"


def split_person_name(name: str) -> tuple[str, str, str]:
    """ "G.A. van der Steur" → ("G.A.", "van der", "Steur"): initials, tussenvoegsel, surname."""
    tokens = name.split()
    initials = []
    while tokens[:-1] and tokens[0].endswith("."):
        initials.append(tokens.pop(0))
    middle = []
    while tokens[:-1] and tokens[0].islower():
        middle.append(tokens.pop(0))
    return " ".join(initials), " ".join(middle), " ".join(tokens)


def _split_member(name: str) -> dict:
    tokens = name.split()
    first = tokens.pop(0) if len(tokens) > 1 else None
    middle = []
    while tokens[:-1] and tokens[0].islower():
        middle.append(tokens.pop(0))
    return {
        "Id": _export_id("persoon", name),
        "Roepnaam": first,
        "Initialen": f"{first[0]}." if first else None,
        "Tussenvoegsel": " ".join(middle) or None,
        "Achternaam": " ".join(tokens),
    }


def _dossier(cited: str) -> dict:
    """ "31 015" → Nummer 31015; "36 600 VI" → Nummer 36600, Toevoeging "VI"."""
    tokens = cited.split()
    digits = []
    while tokens and tokens[0].isdigit():
        digits.append(tokens.pop(0))
    if not digits:
        return {"Id": _export_id("dossier", cited), "Nummer": cited, "Toevoeging": None}
    return {
        "Id": _export_id("dossier", cited),
        "Nummer": int("".join(digits)),
        "Toevoeging": " ".join(tokens) or None,
    }


def _made_to_item(addressee) -> dict:
    """A `ToegezegdAan`: a member (`Persoon`, with their `Fractie`) or a party alone.

    The register knows nothing else; a committee or the chamber travels as an annotation.
    """
    item = {"Id": _export_id("aan", addressee.name), "Persoon": None, "Fractie": None}
    party = addressee.party if addressee.kind == "member" else addressee.name
    if addressee.kind in ("member", "party") and party:
        item["Fractie"] = {"Id": _export_id("fractie", party), "Afkorting": party, "NaamNL": party}
    if addressee.kind == "member":
        item["Persoon"] = _split_member(addressee.name)
    elif addressee.kind != "party":
        item[ADDRESSEE_ANNOTATION] = {"naam": addressee.name, "soort": addressee.kind}
    return item


def _activity_of(debate) -> dict:
    return {
        "Id": _export_id("activiteit", debate.activity_number or f"{debate.date}|{debate.title}"),
        "Nummer": debate.activity_number or None,
        "Soort": DEBATE_KIND_NAMES.get(debate.kind, "Overig"),
        "Onderwerp": debate.title,
        "Datum": _iso(debate.date),
    }


def toezegging_for(commitment) -> dict:
    """One commitment as a `Toezegging`, with the register's property names and statuses.

    Commitments read from the register keep its Id and dates; the ministry's reference, due
    date and date made travel as annotations of our own, so an import gives back the same.
    """
    from commitments.models import STATUS_TO_REGISTER

    entry = getattr(commitment, "register_entry", None)
    person = commitment.made_by
    initials, tussenvoegsel, surname = split_person_name(person.name)
    ministry = person.ministry.name
    if ministry.lower().startswith("ministerie van "):
        ministry = ministry[len("ministerie van ") :]
    function = person.title
    if function.lower().startswith("de "):
        function = function[3:]
    debate = commitment.debate
    relations = {kind: [] for kind in RELATIONS.values()}
    for relation in commitment.relations_from.all():
        other = relation.to_commitment
        other_entry = getattr(other, "register_entry", None)
        relations[relation.kind].append(
            {
                "Id": str(other_entry.register_id) if other_entry else _export_id(other.reference),
                "Nummer": other.register_number or None,
            }
        )
    letters = []
    for document in commitment.fulfilling_documents.all():
        letters.append(
            {
                "Id": _export_id(
                    "document",
                    document.document_number
                    or f"{document.dossier_number}|{document.volgnummer}|{document.date}",
                ),
                "DocumentNummer": document.document_number or None,
                "Soort": "Brief regering",
                "Datum": _iso(document.date),
                "Titel": document.title,
                "Volgnummer": document.volgnummer,
                "Kamerstukdossier": _dossier(document.dossier_number),
            }
        )
    made_to = [_made_to_item(addressee) for addressee in commitment.made_to.all()]
    changed = commitment.updated_at
    if entry is not None and entry.changed_at > changed:
        changed = entry.changed_at
    return {
        "Id": str(entry.register_id) if entry else _export_id(commitment.reference),
        "Nummer": commitment.register_number or None,
        "Tekst": commitment.text,
        "Status": STATUS_TO_REGISTER[commitment.status],
        "Aanmaakdatum": _iso(entry.registered_at if entry else commitment.created_at),
        "ActiviteitNummer": (debate.activity_number or None) if debate else None,
        "Naam": f"{surname}, {' '.join(p for p in (initials, tussenvoegsel) if p)}".strip(", "),
        "Achternaam": surname,
        "Initialen": initials or None,
        "Tussenvoegsel": tussenvoegsel or None,
        "Voornaam": None,
        "Achtervoegsel": None,
        "Titulatuur": None,
        "Functie": function,
        "Ministerie": ministry,
        "DatumNakoming": _iso(commitment.fulfilled_on),
        "GewijzigdOp": _iso(changed),
        "ApiGewijzigdOp": _iso(changed),
        "Verwijderd": bool(entry and entry.withdrawn),
        "ToegezegdAan": made_to,
        "KamerbriefNakoming": letters,
        # A commitment made in a letter has no debate; the register itself holds none of those.
        "Activiteit": _activity_of(debate) if debate else None,
        "IsHerhalingVan": relations["repeats"],
        "IsAanvullingOp": relations["supplements"],
        "IsWijzigingVan": relations["modifies"],
        REFERENCE_ANNOTATION: commitment.reference,
        DUE_DATE_ANNOTATION: commitment.due_date.isoformat() if commitment.due_date else None,
        MADE_ON_ANNOTATION: commitment.made_on.isoformat(),
    }


def export_chunks(records, *, context: str):
    """One OData answer holding `records`, written as it goes: memory stays flat."""
    yield '{"@odata.context": ' + json.dumps(context) + ', "value": ['
    for count, record in enumerate(records):
        yield ("," if count else "") + "\n" + json.dumps(record, ensure_ascii=False)
    yield "\n]}\n"


def write_export(records, stream, *, context: str) -> int:
    """Write records as one OData answer to `stream`; returns how many were written."""
    counted = []

    def counting():
        for record in records:
            counted.append(None)
            yield record

    for chunk in export_chunks(counting(), context=context):
        stream.write(chunk)
    return len(counted)
