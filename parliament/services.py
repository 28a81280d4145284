"""Importing debate reports and reviewing what was captured from them.

An import reads the report (`parliament.vlos`), finds or creates the debate and its committee,
matches the bewindspersonen present, and saves each commitment the chair read out as a
`Proposal`. The records the import makes are written by the system actor "debate report
import" on behalf of whoever uploaded the report; accepting a proposal is the reviewer's own
act, recorded with them as the actor and the report as the reason.
"""

import hashlib
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from commitments import services as commitment_services
from commitments.models import (
    STATUSES_NEEDING_EVIDENCE,
    Addressee,
    Bewindspersoon,
    Commitment,
    CommitmentStatus,
    Committee,
    Debate,
)
from parliament import vlos
from parliament.models import ImportedReport, Proposal, RegisterEntry, RegisterNote
from parliament.selectors import forget_open_proposal_count
from tracker.access import require
from tracker.actors import actor_name, system_actor
from tracker.audit import record_save

IMPORT_ACTOR = "debate-import"
# How alike (Dice coefficient of their words, as the reader compares texts) a proposal and a
# registered commitment of the same debate must be to show the second as a possible duplicate.
DUPLICATE_OVERLAP = 0.6
# "TZ" + year and month + "-" + the month's sequence, e.g. "TZ202412-116".
REGISTER_NUMBER = re.compile(r"TZ\d{6}-\d{1,5}")


@dataclass
class ImportOutcome:
    file: str
    report: vlos.DebateReport
    imported: ImportedReport | None
    new: int = 0
    already_imported: int = 0
    proposals: list[Proposal] = field(default_factory=list)


class _DryRun(Exception):
    """Undoes a dry run's writes while keeping what it found."""


def report_import(*, actor, data: bytes, file_name: str, dry_run: bool = False) -> ImportOutcome:
    """Read one report and save its commitments as proposals, once per report.

    Raises `vlos.ReportRefused` for a file that is not a readable report; nothing is saved then.
    With `dry_run` everything is done and then undone, so the counts say what a real run saves.
    """
    require(actor, "parliament.add_importedreport")
    parsed = vlos.read_report(data, file=file_name)
    checksum = hashlib.sha256(data).hexdigest()
    existing = ImportedReport.objects.filter(sha256=checksum).first()
    if existing is not None:
        return ImportOutcome(
            file=file_name,
            report=parsed,
            imported=existing,
            already_imported=existing.proposals.count(),
            proposals=list(existing.proposals.all()),
        )
    outcome = ImportOutcome(file=file_name, report=parsed, imported=None)
    try:
        with transaction.atomic():
            _save(outcome, actor=actor, data=data, checksum=checksum, dry_run=dry_run)
            if dry_run:
                raise _DryRun
    except _DryRun:
        outcome.imported = None
    return outcome


def _save(outcome: ImportOutcome, *, actor, data: bytes, checksum: str, dry_run: bool) -> None:
    parsed = outcome.report
    importer = system_actor(IMPORT_ACTOR)
    reason = f"{parsed.file} ({actor_name(actor)})"
    debate = _debate_for(parsed, importer=importer, reason=reason)
    imported = ImportedReport(
        debate=debate,
        file_name=outcome.file[:300],
        sha256=checksum,
        is_interim=parsed.is_interim,
        imported_by=actor,
    )
    if not dry_run:
        # Files are not part of the transaction: a dry run, which is rolled back, keeps none.
        imported.file.save(checksum, ContentFile(data), save=False)
    imported.save()
    outcome.imported = imported
    registered = list(Commitment.objects.filter(debate=debate).only("pk", "text"))
    for position, captured in enumerate(parsed.commitments, start=1):
        speaker = captured.bewindspersoon
        proposal = Proposal(
            report=imported,
            debate=debate,
            position=position,
            text=captured.text,
            speaker_name=speaker.name if speaker else "",
            speaker_function=speaker.function if speaker else "",
            made_by=bewindspersoon_match(speaker, on=parsed.date) if speaker else None,
            made_to=[{"name": p.name, "party": p.party} for p in captured.made_to],
            deadline_wording=captured.deadline_wording[:300],
            due_date=captured.due_date,
            note=captured.note,
            possible_duplicate=_likely_duplicate(captured.text, registered),
        )
        record_save(actor=importer, record=proposal, reason=reason)
        outcome.proposals.append(proposal)
    outcome.new = len(outcome.proposals)
    transaction.on_commit(forget_open_proposal_count)


def _debate_for(parsed: vlos.DebateReport, *, importer, reason: str) -> Debate:
    """The debate by its activity number; else by date and title; else a new one."""
    debate = None
    if parsed.activity_number:
        debate = Debate.objects.filter(activity_number=parsed.activity_number).first()
    if debate is None:
        debate = Debate.objects.filter(date=parsed.date, title=parsed.title[:300]).first()
        if debate is not None and not debate.activity_number and parsed.activity_number:
            debate.activity_number = parsed.activity_number
            record_save(actor=importer, record=debate, expected_version=None, reason=reason)
    if debate is None:
        committee = None
        if parsed.committees:
            committee = Committee.objects.filter(name=parsed.committees[0][:200]).first()
            if committee is None:
                committee = record_save(
                    actor=importer,
                    record=Committee(name=parsed.committees[0][:200], chamber=parsed.chamber),
                    reason=reason,
                )
        debate = record_save(
            actor=importer,
            record=Debate(
                kind=parsed.kind if parsed.kind in Debate.Kind.values else Debate.Kind.OTHER,
                title=parsed.title[:300],
                date=parsed.date,
                chamber=parsed.chamber,
                committee=committee,
                activity_number=parsed.activity_number,
            ),
            reason=reason,
        )
    return debate


def bewindspersoon_match(person: vlos.Person, *, on) -> Bewindspersoon | None:
    """The one bewindspersoon of that surname and kind who was in office on the day, if any.

    The report names a minister by surname ("Van Oostenbruggen"); the tracker keeps the full
    name ("Th.J. van Oostenbruggen"). More than one candidate is no match: the reviewer picks.
    """
    surname = person.name.strip().lower()
    if not surname:
        return None
    candidates = [
        candidate
        for candidate in Bewindspersoon.objects.filter(name__iendswith=surname)
        if (candidate.in_office_from is None or candidate.in_office_from <= on)
        and (candidate.in_office_until is None or on <= candidate.in_office_until)
        and (
            person.kind not in ("minister", "staatssecretaris")
            or candidate.function.startswith(person.kind)
        )
    ]
    return candidates[0] if len(candidates) == 1 else None


def bewindspersoon_register(*, actor, proposal: Proposal, ministry) -> Bewindspersoon:
    """Register the bewindspersoon the report names, when the tracker does not know them yet.

    The function as read ("minister van Financiën", "staatssecretaris Fiscaliteit …") gives the
    kind and the title; the reviewer gives the ministry.
    """
    read = proposal.speaker_function.strip()
    function = next(
        (
            value
            for value in (
                Bewindspersoon.Function.MINISTER_PRESIDENT,
                Bewindspersoon.Function.STAATSSECRETARIS,
                Bewindspersoon.Function.MINISTER,
            )
            if read.lower().startswith(value)
        ),
        Bewindspersoon.Function.MINISTER,
    )
    return record_save(
        actor=actor,
        record=Bewindspersoon(
            name=proposal.speaker_name[:200],
            function=function,
            title=(read[:1].upper() + read[1:])[:300] or proposal.speaker_name[:300],
            ministry=ministry,
            in_office_from=None,
        ),
        reason=f"{proposal.source_name}: named in the source",
    )


def _likely_duplicate(text: str, registered: list[Commitment]) -> Commitment | None:
    captured = set(vlos.text_words(text))
    scored = [
        (vlos.dice(captured, set(vlos.text_words(commitment.text))), commitment)
        for commitment in registered
    ]
    best = max(scored, key=lambda pair: pair[0], default=(0.0, None))
    return best[1] if best[0] >= DUPLICATE_OVERLAP else None


# --- the review ------------------------------------------------------------------------------


def _open(proposal: Proposal) -> Proposal:
    current = Proposal.objects.select_related("debate", "report").get(pk=proposal.pk)
    if current.state != Proposal.State.OPEN:
        raise ValidationError(_("This captured commitment has been reviewed already."))
    return current


def addressees_for(made_to: list[dict]) -> list[Addressee]:
    """The members a commitment was made to, as addressees (made the first time one is named)."""
    importer = system_actor(IMPORT_ACTOR)
    found = []
    for person in made_to:
        name = person.get("name", "").strip()[:200]
        if not name:
            continue
        addressee = Addressee.objects.filter(name=name).first()
        if addressee is None:
            addressee = record_save(
                actor=importer,
                record=Addressee(
                    name=name, kind=Addressee.Kind.MEMBER, party=person.get("party", "")[:100]
                ),
            )
        found.append(addressee)
    return found


@transaction.atomic
def proposal_accept(
    *,
    actor,
    proposal: Proposal,
    expected_version: int | None,
    reference: str,
    text: str,
    made_by: Bewindspersoon | None,
    team,
    new_bewindspersoon_ministry=None,
    owner=None,
    deadline_wording: str = "",
    due_date=None,
    activities=(),
    letters=(),
) -> Commitment:
    """Accept a captured commitment, as the reviewer worded it, into a team.

    The commitment's history says who accepted it and from which report; the proposal keeps
    the link, so the report stays the commitment's source. Without `made_by`, the bewindspersoon
    the report names is registered in `new_bewindspersoon_ministry`.
    """
    current = _open(proposal)
    require(actor, "parliament.change_proposal", current)
    if current.register_entry_id:
        raise ValidationError(_("A record of the Kamer's register is linked or kept apart."))
    if made_by is None:
        made_by = bewindspersoon_register(
            actor=actor, proposal=current, ministry=new_bewindspersoon_ministry
        )
    commitment = commitment_services.commitment_create(
        author=actor,
        permission="parliament.accept_proposal",
        reason=f"{current.source_name}: accepted",
        m2m={
            "made_to": addressees_for(current.made_to),
            "activities": list(activities),
        },
        reference=reference,
        text=text,
        made_by=made_by,
        debate=current.debate,
        made_on=current.debate.date,
        deadline_wording=deadline_wording,
        due_date=due_date,
        team=team,
        owner=owner,
    )
    for letter in letters:
        commitment_services.follow_up_letter_add_commitment(
            actor=actor, letter=letter, commitment=commitment
        )
    current.state = Proposal.State.ACCEPTED
    current.commitment = commitment
    current.text, current.made_by, current.team = text, made_by, team
    current.deadline_wording, current.due_date = deadline_wording, due_date
    _decided(current, actor)
    record_save(actor=actor, record=current, expected_version=expected_version)
    return commitment


def proposal_reference(proposal: Proposal) -> str:
    """The reference a captured commitment is proposed under: the debate's number and place."""
    debate = proposal.debate
    return f"{debate.activity_number or f'D{debate.pk}'}-{proposal.position:02d}"


@transaction.atomic
def proposals_accept_all(*, actor, debate: Debate, team) -> tuple[list[Commitment], list[Proposal]]:
    """Accept every open proposal of a debate as read, into one team.

    Those whose bewindspersoon could not be matched are left open for a one-by-one review:
    a commitment needs the bewindspersoon who made it. Returns (accepted, left open).
    """
    accepted, left = [], []
    # Records of the register are linked or kept apart one by one, never accepted as read.
    for proposal in Proposal.objects.filter(
        debate=debate, state=Proposal.State.OPEN, report__isnull=False
    ).order_by("position"):
        if (
            proposal.made_by is None
            or Commitment.objects.filter(reference=proposal_reference(proposal)).exists()
        ):
            left.append(proposal)
            continue
        accepted.append(
            proposal_accept(
                actor=actor,
                proposal=proposal,
                expected_version=proposal.version,
                reference=proposal_reference(proposal),
                text=proposal.text,
                made_by=proposal.made_by,
                team=team,
                deadline_wording=proposal.deadline_wording,
                due_date=proposal.due_date,
            )
        )
    return accepted, left


@transaction.atomic
def proposal_link(*, actor, proposal: Proposal, expected_version, commitment: Commitment):
    """The captured commitment is one that is registered already: link instead of create."""
    current = _open(proposal)
    require(actor, "commitments.view_commitment", commitment)
    if current.register_entry_id:
        from parliament import sync

        # The register's record becomes this commitment's: that changes the commitment.
        if RegisterEntry.objects.filter(commitment=commitment).exists():
            raise ValidationError(_("This commitment has a register record already."))
        sync.register_proposal_link(actor=actor, proposal=current, commitment=commitment)
    current.state = Proposal.State.LINKED
    current.commitment = commitment
    _decided(current, actor)
    return record_save(actor=actor, record=current, expected_version=expected_version)


@transaction.atomic
def proposal_keep_apart(*, actor, proposal: Proposal, expected_version) -> Commitment:
    """The register record is not the commitment it resembles: it becomes one of its own."""
    from parliament import sync

    current = _open(proposal)
    if not current.register_entry_id:
        raise ValidationError(_("Only a record of the Kamer's register is kept apart."))
    require(actor, "parliament.change_proposal", current)
    commitment = sync.register_proposal_keep_apart(actor=actor, proposal=current)
    current.state = Proposal.State.ACCEPTED
    current.commitment = commitment
    _decided(current, actor)
    record_save(actor=actor, record=current, expected_version=expected_version)
    return commitment


@transaction.atomic
def proposal_reject(*, actor, proposal: Proposal, expected_version, reason: str) -> Proposal:
    """Not a commitment after all (or not ours): rejected, with the reason kept."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why this is not a commitment to register.")})
    current = _open(proposal)
    if current.register_entry_id:
        # The register holds it: it is a commitment, ours or a new one, never nothing.
        raise ValidationError(_("A record of the Kamer's register is linked or kept apart."))
    current.state = Proposal.State.REJECTED
    current.rejection_reason = reason.strip()
    _decided(current, actor)
    return record_save(actor=actor, record=current, expected_version=expected_version)


def _decided(proposal: Proposal, actor) -> None:
    proposal.decided_by = actor
    proposal.decided_at = timezone.now()
    transaction.on_commit(forget_open_proposal_count)


# --- differences with the Kamer's register --------------------------------------------------

NOTE_KINDS_BY_VALUE = {
    # The register's value a note answers: when it changes, the difference shows again.
    RegisterNote.Kind.STATUS: lambda entry: entry.status,
    RegisterNote.Kind.TEXT: lambda entry: entry.text,
}


def _entry_of(commitment: Commitment) -> RegisterEntry:
    entry = RegisterEntry.objects.filter(commitment=commitment).first()
    if entry is None:
        raise ValidationError(_("This commitment is not in the Kamer's register."))
    return entry


@transaction.atomic
def register_difference_accept(
    *, actor, commitment: Commitment, kind: str, expected_version: int | None
) -> None:
    """Take the register's value for one difference, as the official's own change."""
    from parliament import register, sync

    commitment = Commitment.objects.get(pk=commitment.pk)
    require(actor, "commitments.change_commitment", commitment)
    difference = _difference(commitment, kind)
    if not difference.can_accept:
        raise ValidationError(_("Here only a note or a link answers the difference."))
    entry = _entry_of(commitment)
    record = register.parse_record(entry.data)
    run = sync.SyncRun(reason=f"{entry.number}: {actor_name(actor)}")
    documents = [sync.document_for(run, letter, record) for letter in record.letters]
    if kind == RegisterNote.Kind.TEXT:
        commitment_services.commitment_update(
            commitment=commitment, author=actor, expected_version=expected_version, text=entry.text
        )
    elif kind in (RegisterNote.Kind.STATUS, RegisterNote.Kind.WITHDRAWN):
        status = (
            CommitmentStatus.LAPSED if kind == RegisterNote.Kind.WITHDRAWN else record.mapped_status
        )
        if status is None:
            raise ValidationError(
                _("The register's status %(status)s is not one the tracker knows.")
                % {"status": entry.status}
            )
        known = set(commitment.fulfilling_documents.values_list("pk", flat=True))
        new = [document for document in documents if document.pk not in known]
        if status in STATUSES_NEEDING_EVIDENCE and not (known or new):
            raise ValidationError(
                _(
                    "The register names no letter that fulfilled it, and nothing is fulfilled "
                    "here without one: register the letter with a progress update instead."
                )
            )
        commitment_services.commitment_update_progress(
            commitment=commitment,
            author=actor,
            status=status,
            note=_("Taken over from the Kamer's register (%(number)s: %(status)s).")
            % {"number": entry.number, "status": entry.status},
            evidence_document=new[0] if new and status in STATUSES_NEEDING_EVIDENCE else None,
            expected_version=expected_version,
        )
    elif kind == RegisterNote.Kind.LETTER_THEIRS:
        current = list(commitment.fulfilling_documents.all())
        commitment_services.commitment_set_links(
            commitment=commitment,
            author=actor,
            links={"fulfilling_documents": current + [d for d in documents if d not in current]},
        )
    else:
        raise ValidationError(_("Here only a note or a link answers the difference."))


@transaction.atomic
def register_difference_keep(*, actor, commitment: Commitment, kind: str, note: str):
    """Keep the ministry's value, with the reason; it answers the register as it reads now."""
    if not note.strip():
        raise ValidationError({"note": _("Say why the ministry's value stays.")})
    commitment = Commitment.objects.get(pk=commitment.pk)
    _difference(commitment, kind)
    entry = RegisterEntry.objects.filter(commitment=commitment).first()
    valued = NOTE_KINDS_BY_VALUE.get(kind)
    return record_save(
        actor=actor,
        record=RegisterNote(
            commitment=commitment,
            kind=kind,
            theirs=valued(entry) if valued and entry else "",
            register_changed_at=entry.changed_at if entry and not valued else None,
            note=note.strip(),
            noted_by=actor,
        ),
    )


def _difference(commitment: Commitment, kind: str):
    """The difference of that kind the commitment has now; an answer to none is refused."""
    from parliament.selectors import differences_of

    found = next((d for d in differences_of(commitment) if d.kind == kind), None)
    if found is None:
        raise ValidationError(
            _("The tracker and the register do not differ in this respect (any more).")
        )
    return found


@transaction.atomic
def register_difference_link(*, actor, commitment: Commitment, number: str) -> None:
    """Give a commitment of ours its register number; a record already read is linked now."""
    from parliament import register, sync

    number = "".join(number.split()).upper()
    if not REGISTER_NUMBER.fullmatch(number):
        raise ValidationError({"number": _('A register number reads like "TZ202412-116".')})
    commitment = Commitment.objects.get(pk=commitment.pk)
    require(actor, "commitments.change_commitment", commitment)
    taken = Commitment.objects.filter(register_number=number).exclude(pk=commitment.pk).first()
    if (
        taken is not None
        or RegisterEntry.objects.filter(number=number, commitment__isnull=False)
        .exclude(commitment=commitment)
        .exists()
    ):
        raise ValidationError({"number": _("Another commitment has this register number.")})
    entry = RegisterEntry.objects.filter(number=number, commitment__isnull=True).first()
    if entry is None:
        # Not read yet: the next sync finds the commitment by its number.
        commitment_services.commitment_update(
            commitment=commitment, author=actor, expected_version=None, register_number=number
        )
        return
    run = sync.SyncRun(reason=f"{number}: {actor_name(actor)}")
    sync.link(
        run,
        entry=entry,
        record=register.parse_record(entry.data),
        commitment=commitment,
        author=actor,
    )
    # An open question about this record is answered by the link.
    for proposal in entry.proposals.filter(state=Proposal.State.OPEN):
        proposal.state = Proposal.State.LINKED
        proposal.commitment = commitment
        _decided(proposal, actor)
        record_save(actor=actor, record=proposal, expected_version=None)
