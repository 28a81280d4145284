"""Writes to commitments: every rule that needs more than a single row lives here.

Views, forms, the admin, commands and tasks call these functions; none of them changes a
commitment's status, due date or version on its own.
"""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from commitments.deadlines import resolve_deadline
from commitments.models import (
    STATUSES_NEEDING_EVIDENCE,
    Commitment,
    CommitmentStatus,
    DeadlineChange,
    FollowUpLetter,
    LinkChange,
    ParliamentaryDocument,
    ProgressUpdate,
)
from tracker.concurrency import claim_version

# Fields an official may edit on a commitment's form. Status, due date and version are absent
# on purpose: they change only through progress updates and approved deadline changes.
EDITABLE_FIELDS = (
    "reference",
    "register_number",
    "text",
    "chamber",
    "made_by",
    "debate",
    "source_document",
    "made_on",
    "deadline_wording",
    "owner",
    "team",
)
EDITABLE_M2M_FIELDS = ("made_to", "activities")


def _set_history_user(instance, user, reason: str = "") -> None:
    # django-simple-history reads the author and the reason of a change from these attributes;
    # the timeline shows changes made by progress updates and deadline decisions as those events.
    instance._history_user = user
    instance._change_reason = reason


@transaction.atomic
def commitment_create(*, author, m2m: dict | None = None, **fields) -> Commitment:
    """Register a new toezegging. Its first due date becomes its original due date.

    When no due date is given, the deadline as worded proposes one.
    """
    commitment = Commitment(**fields)
    if commitment.due_date is None and commitment.deadline_wording and commitment.made_on:
        commitment.due_date = resolve_deadline(commitment.deadline_wording, commitment.made_on)
    commitment.original_due_date = commitment.due_date
    commitment.status = CommitmentStatus.OPEN
    commitment.full_clean()
    _set_history_user(commitment, author)
    commitment.save()
    for name, values in (m2m or {}).items():
        getattr(commitment, name).set(values)
    return commitment


@transaction.atomic
def commitment_update(
    *, commitment: Commitment, author, expected_version: int | None, m2m=None, **fields
) -> Commitment:
    """Edit what a commitment says. Status and due date are not editable here.

    A commitment that has no due date yet may get its first one: that is not a change of
    deadline, and it becomes the original due date.
    """
    unknown = set(fields) - set(EDITABLE_FIELDS) - {"due_date"}
    if unknown:
        raise ValueError(f"Not editable here: {', '.join(sorted(unknown))}")
    new_due_date = fields.pop("due_date", None)
    claim_version(Commitment, pk=commitment.pk, expected_version=expected_version)
    commitment.refresh_from_db()
    for name, value in fields.items():
        setattr(commitment, name, value)
    if commitment.due_date is None and new_due_date is not None:
        commitment.due_date = commitment.original_due_date = new_due_date
    commitment.full_clean()
    _set_history_user(commitment, author)
    commitment.save()
    commitment_set_links(commitment=commitment, author=author, links=m2m or {})
    return commitment


def commitment_set_links(*, commitment: Commitment, author, links: dict) -> None:
    """Replace a commitment's links (addressees, activities…) and record what changed."""
    for name, values in links.items():
        manager = getattr(commitment, name)
        before = {obj.pk: str(obj) for obj in manager.all()}
        after = {obj.pk: str(obj) for obj in values}
        if before.keys() == after.keys():
            continue
        manager.set(values)
        LinkChange.objects.create(
            commitment=commitment,
            changed_by=author,
            field=name,
            added=sorted(after[pk] for pk in after.keys() - before.keys()),
            removed=sorted(before[pk] for pk in before.keys() - after.keys()),
        )


@transaction.atomic
def commitment_update_progress(
    *,
    commitment: Commitment,
    author,
    status: str,
    note: str = "",
    evidence_document: ParliamentaryDocument | None = None,
    evidence_url: str = "",
    evidence_file=None,
    expected_version: int | None = None,
    today: date | None = None,
) -> ProgressUpdate:
    """Record progress on a commitment, and its new status.

    A commitment is fulfilled, wholly or in part, only once the Kamer has the answer in writing:
    the fulfilling Kamerbrief must be known, either already or as this update's evidence.
    """
    if status not in CommitmentStatus.values:
        raise ValidationError({"status": _("Unknown status.")})
    claim_version(Commitment, pk=commitment.pk, expected_version=expected_version)
    commitment.refresh_from_db()
    if status in STATUSES_NEEDING_EVIDENCE:
        if evidence_document is not None:
            commitment.fulfilling_documents.add(evidence_document)
        elif not commitment.fulfilling_documents.exists():
            raise ValidationError(
                {
                    "evidence_document": _(
                        "A commitment is fulfilled only once the Kamer has the answer in "
                        "writing: choose the Kamerstuk that fulfils it."
                    )
                }
            )
    update = ProgressUpdate(
        commitment=commitment,
        author=author,
        note=note,
        status_before=commitment.status,
        status_after=status,
        evidence_document=evidence_document,
        evidence_url=evidence_url,
    )
    if evidence_file is not None:
        update.evidence_file = evidence_file
    update.full_clean(exclude=["commitment", "author"])
    update.save()

    if status != commitment.status:
        commitment.status = status
        if status in STATUSES_NEEDING_EVIDENCE:
            latest = commitment.fulfilling_documents.order_by("-date").first()
            commitment.fulfilled_on = latest.date if latest else (today or timezone.localdate())
        else:
            commitment.fulfilled_on = None
    _set_history_user(commitment, author, "progress")
    commitment.save()
    return update


@transaction.atomic
def deadline_change_request(
    *, commitment: Commitment, requested_by, new_due_date: date, reason: str
) -> DeadlineChange:
    """Ask a manager to move the due date. One open request per commitment at a time."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the deadline should move.")})
    if commitment.due_date == new_due_date:
        raise ValidationError({"new_due_date": _("This is already the due date.")})
    if commitment.status not in (CommitmentStatus.OPEN, CommitmentStatus.IN_PROGRESS):
        raise ValidationError(_("Only an open commitment's deadline can move."))
    change = DeadlineChange(
        commitment=commitment,
        original_due_date=commitment.due_date,
        new_due_date=new_due_date,
        reason=reason.strip(),
        requested_by=requested_by,
    )
    _set_history_user(change, requested_by)
    try:
        with transaction.atomic():
            change.save()
    except IntegrityError as error:
        # The partial unique index refuses a second open request, also under a race.
        raise ValidationError(
            _("A deadline change for this commitment is already waiting for a decision.")
        ) from error
    return change


def _decide(*, change: DeadlineChange, decided_by, note: str, state: str) -> DeadlineChange:
    if change.requested_by_id == decided_by.pk:
        raise PermissionDenied(_("Nobody decides on their own request."))
    claimed = DeadlineChange.objects.filter(
        pk=change.pk, state=DeadlineChange.State.REQUESTED
    ).update(state=state, decided_by=decided_by, decided_at=timezone.now(), decision_note=note)
    if claimed == 0:
        # Someone else decided first; the conditional UPDATE makes that race harmless.
        raise ValidationError(_("This request has already been decided."))
    change.refresh_from_db()
    # The UPDATE above bypasses save(), so save once more for the audit history.
    _set_history_user(change, decided_by)
    change.save()
    return change


@transaction.atomic
def deadline_change_approve(
    *, change: DeadlineChange, decided_by, note: str = ""
) -> DeadlineChange:
    """Approve the request and move the commitment's due date; the original stays."""
    change = _decide(
        change=change,
        decided_by=decided_by,
        note=note.strip(),
        state=DeadlineChange.State.APPROVED,
    )
    # Bumping the version makes forms opened before the decision stale, as they should be.
    claim_version(Commitment, pk=change.commitment_id, expected_version=None)
    commitment = Commitment.objects.get(pk=change.commitment_id)
    commitment.due_date = change.new_due_date
    if commitment.original_due_date is None:
        commitment.original_due_date = change.new_due_date
    _set_history_user(commitment, decided_by, "deadline-change")
    commitment.save()
    return change


@transaction.atomic
def deadline_change_reject(*, change: DeadlineChange, decided_by, note: str) -> DeadlineChange:
    """Reject the request; the reason is required so the official knows why."""
    if not note.strip():
        raise ValidationError({"decision_note": _("Say why the request is rejected.")})
    return _decide(
        change=change,
        decided_by=decided_by,
        note=note.strip(),
        state=DeadlineChange.State.REJECTED,
    )


def parliamentary_document_create(**fields) -> ParliamentaryDocument:
    """Register a Kamerstuk or letter, e.g. the one that was just sent to the Kamer."""
    document = ParliamentaryDocument(**fields)
    document.full_clean()
    document.save()
    return document


@transaction.atomic
def follow_up_letter_record_sent(
    *,
    letter: FollowUpLetter,
    author,
    document: ParliamentaryDocument,
    outcomes: dict[int, str],
) -> FollowUpLetter:
    """Record the Kamerstuk a follow-up letter became, and fulfil what it answered.

    Each commitment the official marks goes through `commitment_update_progress` with the letter
    as its evidence, so every one of them is audited on its own.
    """
    if letter.status == FollowUpLetter.Status.SENT:
        raise ValidationError(_("This letter is recorded as sent already."))
    allowed = set(letter.commitments.values_list("pk", flat=True))
    if not set(outcomes) <= allowed:
        raise ValidationError(_("The letter does not answer some of these commitments."))
    if not set(outcomes.values()) <= set(STATUSES_NEEDING_EVIDENCE):
        raise ValidationError(_("A sent letter fulfils commitments wholly or in part."))
    letter.status = FollowUpLetter.Status.SENT
    letter.sent_as = document
    _set_history_user(letter, author)
    letter.full_clean()
    letter.save()
    for commitment in Commitment.objects.filter(pk__in=outcomes).order_by("pk"):
        commitment_update_progress(
            commitment=commitment,
            author=author,
            status=outcomes[commitment.pk],
            note=_("Answered in %(letter)s.") % {"letter": letter.title},
            evidence_document=document,
        )
    return letter
