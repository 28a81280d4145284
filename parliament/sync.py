"""Keeping the tracker in step with the Kamer's register of commitments.

The sync is a writer like any other: it writes as the system actor "register sync", through the
same services as a person's form, and every rule is asked per record. What it must never do is
overwrite a person's work silently. For each field it follows (the text, the status and the
fulfilling letters) it compares three values:

- what the register said at the last sync (kept on the `RegisterEntry`),
- what the commitment says now,
- what the register says now.

When the commitment still says what the register said last time, nobody changed it here, and
the register's news is applied. When a person changed it since, their value stays and the two
disagree: a difference (`parliament.selectors.register_differences`) for an official to resolve.

Each page of records is one transaction and each record a savepoint within it, so a run that
dies half-way leaves whole records only. The high-water mark (`RegisterCursor`) moves only when
a run completes; the next run reads the same records again and finds the finished ones
unchanged, so nothing is duplicated.
"""

import logging
import uuid
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from actionlines.models import Organisation, Team
from commitments import services as commitment_services
from commitments.models import (
    STATUSES_NEEDING_EVIDENCE,
    UNANSWERED_STATUSES,
    Addressee,
    Bewindspersoon,
    Chamber,
    Commitment,
    CommitmentRelation,
    CommitmentStatus,
    Debate,
    ParliamentaryDocument,
)
from parliament import register, vlos
from parliament.models import Proposal, RegisterCursor, RegisterEntry
from parliament.selectors import forget_open_proposal_count, register_differences_count
from tracker.actors import actor_name, is_system_actor, system_actor
from tracker.audit import FIELDS_ONLY, record_save

logger = logging.getLogger(__name__)

SYNC_ACTOR = "register-sync"
# How alike (Dice coefficient of their words) a register record and a commitment of the same
# debate that has no register number yet must be: at SURE_MATCH they are linked, from
# DOUBTFUL_MATCH an official is asked. The best match must also stand out from the next one.
SURE_MATCH = 0.7
DOUBTFUL_MATCH = 0.3
SURE_MARGIN = 0.15
# How many debates, people, addressees and letters one run keeps at hand.
CACHE_LIMIT = 2000

DEBATE_KINDS = {
    "commissiedebat": Debate.Kind.COMMISSIEDEBAT,
    "algemeen overleg": Debate.Kind.AO,
    "wetgevingsoverleg": Debate.Kind.WETGEVINGSOVERLEG,
    "plenair": Debate.Kind.PLENAIR,
}


@dataclass
class SyncSummary:
    """What one run did; the command prints it (`--json`) and the cursor keeps it."""

    fetched: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    differences: int = 0
    proposals: int = 0
    refused: list[str] = field(default_factory=list)
    requests: int = 0

    def counts(self) -> dict:
        data = asdict(self)
        data.pop("refused")
        data.pop("requests")
        return data

    def add(self, other: "SyncSummary") -> None:
        for name, value in asdict(other).items():
            if name not in ("differences",):
                setattr(self, name, getattr(self, name) + value)


def compatible(ours: str, theirs: str | None) -> bool:
    """Whether the tracker's status says what the register's does.

    "In progress" is the ministry's own nuance of open: the register knows it as Openstaand.
    """
    return ours == theirs or (theirs == CommitmentStatus.OPEN and ours in UNANSWERED_STATUSES)


class SyncRun:
    """One sync: its actor, its counts, and what it has looked up already."""

    def __init__(self, *, reason: str):
        self.actor = system_actor(SYNC_ACTOR)
        self.reason = reason
        self.summary = SyncSummary()
        self.debates: dict[str, Debate] = {}
        self.ministries: dict[str, Organisation] = {}
        self.people: dict[tuple, Bewindspersoon] = {}
        self.addressees: dict[str, Addressee] = {}
        self.documents: dict = {}
        # The current page's records read before, by register id (`_entries_of`).
        self.entries: dict = {}
        # What a record could match, read once per run: most records of a first sync match
        # nothing, and then ask no query for it.
        unregistered = Commitment.objects.filter(register_entry__isnull=True)
        self.typed_numbers = set(
            unregistered.exclude(register_number="").values_list("register_number", flat=True)
        )
        self.open_debates = set(
            unregistered.filter(register_number="", debate__activity_number__gt="").values_list(
                "debate__activity_number", flat=True
            )
        )

    def remember(self, cache: dict, key, value) -> None:
        """Keep a looked-up record for the run, within a bound: memory stays flat however many
        records a run reads (a dict keeps order, so the oldest go first)."""
        if len(cache) >= CACHE_LIMIT:
            for old in list(cache)[: CACHE_LIMIT // 2]:
                del cache[old]
        cache[key] = value

    def forget(self) -> None:
        self.documents.clear()
        self.debates.clear()
        self.ministries.clear()
        self.people.clear()
        self.addressees.clear()


# --- the run ------------------------------------------------------------------------------------


def register_sync(
    *,
    ministry: str,
    base_url: str | None = None,
    full: bool = False,
    client: register.RegisterClient | None = None,
    progress=None,
) -> SyncSummary:
    """Read one ministry's records from the register service and bring the tracker in step.

    Incremental after the first completed run unless `full`. Raises `register.RegisterError`
    when the service cannot be read; what was applied by then is whole and stays.
    """
    base_url = base_url or settings.KAMER_REGISTER_URL
    client = client or register.RegisterClient(
        base_url,
        timeout=settings.KAMER_REGISTER_TIMEOUT,
        retries=settings.KAMER_REGISTER_RETRIES,
        backoff=settings.KAMER_REGISTER_BACKOFF,
    )
    cursor = RegisterCursor.objects.filter(service=base_url, ministry=ministry).first()
    since = None if full or cursor is None else cursor.changed_up_to
    run = SyncRun(reason=f"{ministry} ({base_url})")
    pages = client.pages(ministry=ministry, changed_since=since)
    high_water = _apply_pages(run, pages, ministry=ministry, progress=progress, client=client)
    run.summary.requests = client.requests
    _finish(run)
    cursor = cursor or RegisterCursor(service=base_url, ministry=ministry)
    # Records that could not be applied are read again next time: the mark stops at them.
    if high_water is not None:
        cursor.changed_up_to = high_water
    cursor.completed_at = timezone.now()
    cursor.summary = run.summary.counts()
    record_save(actor=run.actor, record=cursor, reason=run.reason, validate=FIELDS_ONLY)
    return run.summary


def register_sync_file(*, path, ministry: str | None = None, progress=None) -> SyncSummary:
    """Apply the records of a file in the register's shape (an export of ours, say)."""
    run = SyncRun(reason=str(path)[-100:])
    _apply_pages(run, register.file_pages(path), ministry=ministry, progress=progress)
    _finish(run)
    return run.summary


def _apply_pages(run: SyncRun, pages, *, ministry: str | None, progress, client=None):
    high_water = None
    earliest_refused = None
    for page in pages:
        run.entries = _entries_of(page)
        with transaction.atomic():
            for data in page:
                run.summary.fetched += 1
                try:
                    with transaction.atomic():
                        record = register.parse_record(data)
                        if ministry and record.ministry.casefold() != ministry.casefold():
                            continue
                        outcome = _apply(run, record)
                except (
                    register.RecordRefused,
                    ValidationError,
                    IntegrityError,
                    PermissionDenied,
                ) as error:
                    # What the record made was rolled back with it: forget it.
                    run.forget()
                    number = data.get("Nummer") if isinstance(data, dict) else None
                    run.summary.refused.append(f"{number or '?'}: {_message(error)}")
                    changed = data.get("GewijzigdOp") if isinstance(data, dict) else None
                    when = register._datetime(changed, name="GewijzigdOp") if changed else None
                    if when and (earliest_refused is None or when < earliest_refused):
                        earliest_refused = when
                    continue
                setattr(run.summary, outcome, getattr(run.summary, outcome) + 1)
                if high_water is None or record.changed_at > high_water:
                    high_water = record.changed_at
        if progress is not None:
            progress(run.summary, client.total if client else None)
    if earliest_refused is not None and (high_water is None or earliest_refused < high_water):
        high_water = earliest_refused
    return high_water


def _entries_of(page) -> dict:
    """The page's records the tracker has read before, in one query."""
    ids = []
    for data in page:
        try:
            ids.append(uuid.UUID(str(data.get("Id"))))
        except (AttributeError, ValueError):
            continue
    return {entry.register_id: entry for entry in RegisterEntry.objects.filter(register_id__in=ids)}


def _message(error) -> str:
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            return "; ".join(
                f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items()
            )
        return "; ".join(error.messages)
    return str(error) or type(error).__name__


def _finish(run: SyncRun) -> None:
    with transaction.atomic():
        resolve_relations(run)
    run.summary.differences = register_differences_count()
    transaction.on_commit(forget_open_proposal_count)


# --- one record ---------------------------------------------------------------------------------


def _apply(run: SyncRun, record: register.RegisterRecord) -> str:
    """Apply one register record; returns the summary field it counts under."""
    entry = run.entries.get(record.id)
    if entry is not None and entry.data == record.raw:
        return "unchanged"
    if entry is None:
        if record.withdrawn:
            # Withdrawn before the tracker ever held it: nothing to keep.
            return "unchanged"
        return _first_sight(run, record)
    base = _base_of(entry)
    was_withdrawn = entry.withdrawn
    _fill_entry(entry, record)
    record_save(actor=run.actor, record=entry, reason=run.reason, validate=False)
    if entry.commitment is not None:
        follow_register(run, entry=entry, record=record, base=base)
    if record.withdrawn and not was_withdrawn:
        return "removed"
    return "updated"


def _fill_entry(entry: RegisterEntry, record: register.RegisterRecord) -> None:
    entry.number = record.number
    entry.ministry = record.ministry
    entry.text = record.text
    entry.status = record.status[:40]
    entry.mapped_status = record.mapped_status or ""
    entry.name = record.name
    entry.function = record.function
    entry.activity_number = record.activity_number
    entry.fulfilment_date = record.fulfilment_date_raw
    entry.letter_count = len(record.letters)
    entry.registered_at = record.registered_at
    entry.changed_at = record.changed_at
    entry.withdrawn = record.withdrawn
    entry.data = record.raw
    if record.relations:
        entry.relations_resolved = False


@dataclass
class _Base:
    """What the register said at the last sync: the base of the three-way compare."""

    text: str | None
    status: str | None


def _base_of(entry: RegisterEntry) -> _Base:
    return _Base(text=entry.text, status=entry.mapped_status or None)


# On first sight nobody has changed anything "since the last sync": the commitment's status
# counts as changed by a person only when it is no longer open, and its text always as theirs.
FIRST_SIGHT = _Base(text=None, status=CommitmentStatus.OPEN)


def _first_sight(run: SyncRun, record: register.RegisterRecord) -> str:
    entry = RegisterEntry(register_id=record.id)
    _fill_entry(entry, record)
    entry.relations_resolved = not record.relations
    commitment, doubtful = _match(run, record)
    if doubtful is not None:
        record_save(actor=run.actor, record=entry, reason=run.reason, validate=False)
        _ask(run, entry=entry, record=record, candidate=doubtful)
        run.entries[record.id] = entry
        return "proposals"
    if commitment is not None:
        link(run, entry=entry, record=record, commitment=commitment, author=run.actor)
        run.entries[record.id] = entry
        return "updated"
    create_from_register(run, entry=entry, record=record, author=run.actor)
    run.entries[record.id] = entry
    return "created"


def _match(run: SyncRun, record: register.RegisterRecord):
    """(sure match, doubtful match): a commitment of ours this record may already be."""
    unregistered = Commitment.objects.filter(register_entry__isnull=True)
    if record.number and record.number in run.typed_numbers:
        typed = unregistered.filter(register_number=record.number).first()
        if typed is not None:
            return typed, None
    if not record.activity_number or record.activity_number not in run.open_debates:
        return None, None
    candidates = list(
        unregistered.filter(
            register_number="", debate__activity_number=record.activity_number
        ).only("pk", "text")
    )
    if not candidates:
        return None, None
    words = set(vlos.text_words(record.text))
    scored = sorted(
        ((vlos.dice(words, set(vlos.text_words(c.text))), c.pk, c) for c in candidates),
        key=lambda item: (-item[0], item[1]),
    )
    best_score, _pk, best = scored[0]
    runner_up = scored[1][0] if len(scored) > 1 else 0.0
    if best_score >= SURE_MATCH and best_score - runner_up >= SURE_MARGIN:
        return Commitment.objects.get(pk=best.pk), None
    if best_score >= DOUBTFUL_MATCH:
        return None, Commitment.objects.get(pk=best.pk)
    return None, None


def _ask(run: SyncRun, *, entry, record, candidate: Commitment) -> None:
    """A doubtful match goes to the review inbox: link it, or keep it apart."""
    if Proposal.objects.filter(register_entry=entry, state=Proposal.State.OPEN).exists():
        return
    record_save(
        actor=run.actor,
        record=Proposal(
            register_entry=entry,
            debate=candidate.debate,
            position=0,
            text=record.text,
            speaker_name=record.name,
            speaker_function=record.function,
            made_by=_bewindspersoon_for(run, record, create=False),
            made_to=[{"name": p["name"], "party": p["party"]} for p in record.made_to],
            team=candidate.team,
            possible_duplicate=candidate,
            note=_("In the Kamer's register as %(number)s.") % {"number": record.number},
        ),
        reason=run.reason,
    )


def link(run: SyncRun, *, entry, record, commitment: Commitment, author) -> None:
    """The record is this commitment: give it the register number and follow the register."""
    if commitment.register_number != record.number:
        commitment_services.commitment_update(
            commitment=commitment,
            author=author,
            expected_version=None,
            register_number=record.number,
        )
    entry.commitment = Commitment.objects.get(pk=commitment.pk)
    record_save(actor=run.actor, record=entry, reason=run.reason, validate=False)
    follow_register(run, entry=entry, record=record, base=FIRST_SIGHT)


def create_from_register(run: SyncRun, *, entry, record, author) -> Commitment:
    """A register record the tracker did not hold: a new commitment, in its default team."""
    debate = _debate_for(run, record)
    if debate is None:
        raise register.RecordRefused("no debate: neither ActiviteitNummer nor Activiteit")
    made_by = _bewindspersoon_for(run, record, create=True)
    team = (
        made_by.default_team
        or (debate.committee.default_team if debate.committee else None)
        or _intake_team()
    )
    documents = [document_for(run, letter, record) for letter in record.letters]
    theirs = record.mapped_status
    # What the register knows already is registered so at once, as the sync's doing: lapsed,
    # or fulfilled with its letter. A Voldaan without a letter stays open (a difference).
    initial = (
        theirs
        if theirs == CommitmentStatus.LAPSED or (theirs in STATUSES_NEEDING_EVIDENCE and documents)
        else None
    )
    commitment = commitment_services.commitment_create(
        author=author,
        reason=run.reason,
        m2m={
            "made_to": [_addressee(run, person) for person in record.made_to],
            "fulfilling_documents": documents,
        },
        initial_status=initial if is_system_actor(author) else None,
        reference=_free_reference(record),
        register_number=record.number,
        text=record.text,
        chamber=Chamber.TWEEDE_KAMER,
        made_by=made_by,
        debate=debate,
        made_on=record.made_on or record.changed_at.date(),
        due_date=record.due_date,
        team=team,
        # Every value is the sync's own, and the database checks the rest.
        validate=False,
    )
    entry.commitment = commitment
    record_save(actor=run.actor, record=entry, reason=run.reason, validate=False)
    if initial is None and commitment.status != theirs:
        follow_register(run, entry=entry, record=record, base=FIRST_SIGHT)
    return commitment


def _intake_team():
    """The team configured to take in what no default team claims, if any."""
    name = settings.KAMER_REGISTER_DEFAULT_TEAM
    return Team.objects.filter(name=name).first() if name else None


def _free_reference(record: register.RegisterRecord) -> str:
    wanted = record.reference or record.number or f"TZ-{record.id.hex[:8].upper()}"
    reference, suffix = wanted, 1
    while Commitment.objects.filter(reference=reference).exists():
        suffix += 1
        reference = f"{wanted[:36]}-{suffix}"
    return reference


def follow_register(run: SyncRun, *, entry, record, base: _Base) -> None:
    """Apply the register's text, status and letters where no person changed ours since."""
    if record.withdrawn:
        return
    commitment = Commitment.objects.get(pk=entry.commitment_id)
    actor = run.actor
    if commitment.text != record.text and base.text is not None and commitment.text == base.text:
        commitment_services.commitment_update(
            commitment=commitment, author=actor, expected_version=None, text=record.text
        )
        commitment = Commitment.objects.get(pk=commitment.pk)
    documents = [document_for(run, letter, record) for letter in record.letters]
    theirs = record.mapped_status
    needs_letters = bool(documents) or theirs in STATUSES_NEEDING_EVIDENCE
    known = (
        set(commitment.fulfilling_documents.values_list("pk", flat=True))
        if needs_letters
        else set()
    )
    new_documents = [document for document in documents if document.pk not in known]
    follow_status = (
        theirs is not None
        and not compatible(commitment.status, theirs)
        and base.status is not None
        and compatible(commitment.status, base.status)
    )
    if follow_status and theirs in STATUSES_NEEDING_EVIDENCE and not (documents or known):
        # "Voldaan" without a letter is not forced: nothing is fulfilled without one here.
        follow_status = False
    if follow_status:
        evidence = new_documents[0] if new_documents else None
        commitment_services.commitment_update_progress(
            commitment=commitment,
            author=actor,
            status=theirs,
            note=_("%(status)s in the Kamer's register (%(number)s).")
            % {"status": record.status, "number": record.number},
            evidence_document=evidence if theirs in STATUSES_NEEDING_EVIDENCE else None,
        )
        new_documents = [document for document in new_documents if document != evidence]
    if new_documents:
        # A letter the Kamer linked is evidence, whoever changed the status: it only adds.
        current = list(commitment.fulfilling_documents.all())
        commitment_services.commitment_set_links(
            commitment=commitment,
            author=actor,
            links={"fulfilling_documents": current + new_documents},
        )


# --- what a record links to -----------------------------------------------------------------


def _debate_for(run: SyncRun, record: register.RegisterRecord) -> Debate | None:
    number = record.activity_number
    if number in run.debates:
        return run.debates[number]
    debate = Debate.objects.filter(activity_number=number).first() if number else None
    activity = record.activity
    if debate is None and activity is not None and activity.date:
        title = (activity.subject or f"{activity.kind} {number}".strip())[:300]
        debate = Debate.objects.filter(date=activity.date, title=title).first()
        if debate is not None and not debate.activity_number and number:
            debate.activity_number = number
            record_save(
                actor=run.actor,
                record=debate,
                expected_version=None,
                reason=run.reason,
                validate=FIELDS_ONLY,
            )
        elif debate is None:
            debate = record_save(
                actor=run.actor,
                record=Debate(
                    kind=_debate_kind(activity.kind),
                    title=title,
                    date=activity.date,
                    chamber=Chamber.TWEEDE_KAMER,
                    activity_number=number,
                ),
                reason=run.reason,
                validate=FIELDS_ONLY,
            )
    if debate is None and number:
        debate = record_save(
            actor=run.actor,
            record=Debate(
                kind=Debate.Kind.OTHER,
                title=_("Activity %(number)s") % {"number": number},
                date=record.made_on or record.changed_at.date(),
                chamber=Chamber.TWEEDE_KAMER,
                activity_number=number,
            ),
            reason=run.reason,
        )
    if number and debate is not None:
        run.remember(run.debates, number, debate)
    return debate


def _debate_kind(kind: str) -> str:
    lowered = kind.lower()
    return next((value for key, value in DEBATE_KINDS.items() if key in lowered), "other")


def ministry_for(run: SyncRun, name: str) -> Organisation:
    """The ministry as an organisation: "Justitie en Veiligheid" is "Ministerie van …"."""
    if name in run.ministries:
        return run.ministries[name]
    full = f"Ministerie van {name}" if not name.lower().startswith("ministerie") else name
    ministry = Organisation.objects.filter(Q(name__iexact=full) | Q(name__iexact=name)).first()
    if ministry is None:
        ministry = record_save(
            actor=run.actor,
            record=Organisation(name=full[:200], kind=Organisation.Kind.MINISTRY),
            reason=run.reason,
            validate=FIELDS_ONLY,
        )
    run.remember(run.ministries, name, ministry)
    return ministry


def _function_of(function: str) -> str:
    lowered = function.lower()
    if lowered.startswith("minister-president"):
        return Bewindspersoon.Function.MINISTER_PRESIDENT
    if lowered.startswith("staatssecretaris"):
        return Bewindspersoon.Function.STAATSSECRETARIS
    if "zonder portefeuille" in lowered:
        return Bewindspersoon.Function.MINISTER_WITHOUT_PORTFOLIO
    return Bewindspersoon.Function.MINISTER


def _bewindspersoon_for(run: SyncRun, record, *, create: bool) -> Bewindspersoon | None:
    """Matched on the surname (with its tussenvoegsel), function and ministry; else made."""
    key = (record.ministry, record.person_name, record.function)
    if key in run.people:
        return run.people[key]
    ministry = ministry_for(run, record.ministry or "onbekend")
    surname = " ".join(p for p in (record.tussenvoegsel, record.surname) if p) or record.name
    function = _function_of(record.function)
    on = record.made_on or record.changed_at.date()
    candidates = [
        person
        for person in Bewindspersoon.objects.filter(
            ministry=ministry, name__iendswith=surname, function=function
        )
        if (person.in_office_from is None or person.in_office_from <= on)
        and (person.in_office_until is None or on <= person.in_office_until)
    ]
    if len(candidates) > 1 and record.initials:
        candidates = [c for c in candidates if c.name.lower().startswith(record.initials.lower())]
    person = candidates[0] if len(candidates) == 1 else None
    if person is None:
        person = Bewindspersoon.objects.filter(ministry=ministry, name=record.person_name).first()
    if person is None and create:
        person = record_save(
            actor=run.actor,
            record=Bewindspersoon(
                name=record.person_name[:200],
                function=function,
                title=(record.function or record.person_name)[:300],
                ministry=ministry,
            ),
            reason=run.reason,
            validate=FIELDS_ONLY,
        )
    if person is not None:
        run.remember(run.people, key, person)
    return person


def _addressee(run: SyncRun, person: dict) -> Addressee:
    name = person["name"][:200]
    if name not in run.addressees:
        addressee = Addressee.objects.filter(name=name).first()
        if addressee is None:
            kind = person["kind"] if person["kind"] in Addressee.Kind.values else "member"
            addressee = record_save(
                actor=run.actor,
                record=Addressee(name=name, kind=kind, party=person["party"][:100]),
                reason=run.reason,
                validate=FIELDS_ONLY,
            )
        run.remember(run.addressees, name, addressee)
        return addressee
    return run.addressees[name]


def document_for(run: SyncRun, letter: register.Letter, record) -> ParliamentaryDocument:
    """The fulfilling letter as a document: found by its number or citation, else registered."""
    key = letter.document_number or (letter.dossier, letter.volgnummer, letter.title)
    if key in run.documents:
        return run.documents[key]
    document = _find_or_register_document(run, letter, record)
    run.remember(run.documents, key, document)
    return document


def _find_or_register_document(run, letter, record) -> ParliamentaryDocument:
    document = None
    if letter.document_number:
        document = ParliamentaryDocument.objects.filter(
            document_number=letter.document_number
        ).first()
    if document is None and letter.dossier and letter.volgnummer:
        document = ParliamentaryDocument.objects.filter(
            chamber=Chamber.TWEEDE_KAMER,
            dossier_number=letter.dossier,
            volgnummer=letter.volgnummer,
        ).first()
        if document is not None and letter.document_number and not document.document_number:
            document.document_number = letter.document_number
            record_save(
                actor=run.actor,
                record=document,
                expected_version=None,
                reason=run.reason,
                validate=FIELDS_ONLY,
            )
    if document is None:
        document = record_save(
            actor=run.actor,
            record=ParliamentaryDocument(
                chamber=Chamber.TWEEDE_KAMER,
                dossier_number=(letter.dossier or letter.document_number or "?")[:20],
                volgnummer=letter.volgnummer,
                date=letter.date or record.fulfilment_date or record.changed_at.date(),
                title=(letter.title or letter.kind or letter.document_number)[:500],
                kind=ParliamentaryDocument.Kind.KAMERBRIEF,
                document_number=letter.document_number,
            ),
            reason=run.reason,
            validate=FIELDS_ONLY,
        )
    return document


def resolve_relations(run: SyncRun) -> None:
    """Link "repeats / supplements / modifies" once both records are commitments here."""
    pending = RegisterEntry.objects.filter(relations_resolved=False, commitment__isnull=False)
    for entry in pending.iterator():
        record = register.parse_record(entry.data)
        targets = {
            str(e.register_id): e.commitment_id
            for e in RegisterEntry.objects.filter(
                register_id__in=[other for _kind, other in record.relations],
                commitment__isnull=False,
            )
        }
        complete = True
        for kind, other in record.relations:
            target = targets.get(other)
            if target is None:
                complete = False
                continue
            if target == entry.commitment_id:
                continue
            exists = CommitmentRelation.objects.filter(
                from_commitment_id=entry.commitment_id, to_commitment_id=target, kind=kind
            ).exists()
            if not exists:
                record_save(
                    actor=run.actor,
                    record=CommitmentRelation(
                        from_commitment_id=entry.commitment_id, to_commitment_id=target, kind=kind
                    ),
                    reason=run.reason,
                    validate=FIELDS_ONLY,
                )
        if complete:
            entry.relations_resolved = True
            record_save(actor=run.actor, record=entry, reason=run.reason, validate=False)


# --- decisions of a person that the sync prepared -----------------------------------------------


def register_proposal_link(*, actor, proposal: Proposal, commitment: Commitment) -> None:
    """A reviewer says the register record is this commitment."""
    entry = proposal.register_entry
    run = SyncRun(reason=f"{entry.number}: {_('linked by')} {actor_name(actor)}")
    link(
        run,
        entry=entry,
        record=register.parse_record(entry.data),
        commitment=commitment,
        author=actor,
    )


def register_proposal_keep_apart(*, actor, proposal: Proposal) -> Commitment:
    """A reviewer says the register record is a commitment of its own: it is created."""
    entry = proposal.register_entry
    run = SyncRun(reason=f"{entry.number}: {_('kept apart by')} {actor_name(actor)}")
    return create_from_register(
        run, entry=entry, record=register.parse_record(entry.data), author=run.actor
    )
