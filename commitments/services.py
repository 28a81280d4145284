"""Writes to commitments: every rule that needs more than a single row lives here.

Views, forms, the admin, commands and tasks call these functions; none of them changes a
commitment's status, due date or version on its own. Each function takes the actor (a person
or a system actor, `tracker.actors`), asks the access rules (`tracker.access`) for every record
it writes, and ends in `tracker.audit.record_save`, which records the actor in the history.
"""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from actionlines.models import Plan
from commitments.deadlines import resolve_deadline
from commitments.events import (
    events_deadline_change_decided,
    events_deadline_change_requested,
    events_owner_changed,
)
from commitments.models import (
    OPEN_STATUSES,
    STATUSES_NEEDING_EVIDENCE,
    Bewindspersoon,
    Commitment,
    CommitmentStatus,
    Committee,
    DeadlineChange,
    FollowUpLetter,
    LetterPostponement,
    LinkChange,
    ParliamentaryDocument,
    ProgressUpdate,
)
from tracker.access import allowed, require, require_each
from tracker.actors import is_system_actor
from tracker.audit import record_save
from tracker.concurrency import ConcurrentUpdateError, claim_version

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
    "made_on_reason",
    "deadline_wording",
    "owner",
    "team",
    "is_public",
)
EDITABLE_M2M_FIELDS = ("made_to", "activities")


# The timeline shows changes made with these reasons as the richer events they belong to
# (progress updates, deadline decisions) instead of as plain edits.
PROGRESS_REASON = "progress"
DEADLINE_REASON = "deadline-change"


def _long_date(value: date) -> str:
    return date_format(value, "j F Y")


def commitment_date_errors(*, commitment: Commitment, today: date) -> dict[str, str]:
    """What is wrong with the dates a commitment says it was made on, per field.

    What the Kamer is told depends on these dates: a commitment made in a debate is made on the
    debate's day (unless the form says why not, e.g. it came in a letter after the debate), by
    a bewindspersoon who was in office that day, and not in the future.
    """
    errors = {}
    made_on = commitment.made_on
    if made_on is None:
        return errors
    if made_on > today:
        errors["made_on"] = _("A commitment cannot be made in the future.")
    debate = commitment.debate if commitment.debate_id else None
    if debate is not None and made_on != debate.date and not commitment.made_on_reason.strip():
        errors["made_on"] = _(
            "The debate was held on %(date)s: a commitment made in it is made that day. "
            "Correct the date, or say why it differs."
        ) % {"date": _long_date(debate.date)}
    person = commitment.made_by if commitment.made_by_id else None
    if person is not None:
        start, end = person.in_office_from, person.in_office_until
        if (start and made_on < start) or (end and made_on > end):
            errors["made_by"] = _(
                "%(name)s was not in office on %(date)s (in office %(period)s)."
            ) % {
                "name": person.name,
                "date": _long_date(made_on),
                "period": _office_period(start, end),
            }
    return errors


def _office_period(start: date | None, end: date | None) -> str:
    if start and end:
        return _("from %(start)s until %(end)s") % {
            "start": _long_date(start),
            "end": _long_date(end),
        }
    if start:
        return _("from %(start)s") % {"start": _long_date(start)}
    return _("until %(end)s") % {"end": _long_date(end)}


def _check_commitment_dates(commitment: Commitment, *, author, today: date | None) -> None:
    # The Kamer's register and the shipped plan are records of what the Kamer itself holds:
    # their dates are shown as they are (the register page lists disagreements) rather than
    # refused. People, through the pages, the API and the debate-report review, are held to them.
    if is_system_actor(author):
        return
    errors = commitment_date_errors(commitment=commitment, today=today or timezone.localdate())
    if errors:
        raise ValidationError(errors)


def fulfilling_document_errors(
    *, commitment: Commitment, document_date: date, today: date
) -> str | None:
    """Why a document of this date cannot be the letter that fulfilled this commitment."""
    if document_date > today:
        return _("The Kamerstuk is dated %(date)s, in the future: the Kamer has no answer yet.") % {
            "date": _long_date(document_date)
        }
    if commitment.made_on and document_date < commitment.made_on:
        return _(
            "The Kamerstuk is dated %(date)s, before %(reference)s was made (%(made_on)s)."
        ) % {
            "date": _long_date(document_date),
            "reference": commitment.reference,
            "made_on": _long_date(commitment.made_on),
        }
    return None


@transaction.atomic
def commitment_create(
    *,
    author,
    m2m: dict | None = None,
    permission: str | None = None,
    reason: str = "",
    validate: bool | str = True,
    initial_status: str | None = None,
    **fields,
) -> Commitment:
    """Register a new toezegging. Its first due date becomes its original due date.

    When no due date is given, the deadline as worded proposes one. `permission` names the rule
    that allows it when that is not plain registration (accepting a captured commitment);
    `reason` goes into the history, e.g. the report it came from; a bulk load may leave the
    constraints to the database (`validate=FIELDS_ONLY`). `initial_status` is for a system
    actor's source that knows the commitment fulfilled or lapsed already.
    """
    today = fields.pop("today", None)
    commitment = Commitment(**fields)
    _check_commitment_dates(commitment, author=author, today=today)
    if commitment.due_date is None and commitment.deadline_wording and commitment.made_on:
        commitment.due_date = resolve_deadline(commitment.deadline_wording, commitment.made_on)
    commitment.original_due_date = commitment.due_date
    commitment.status = CommitmentStatus.OPEN
    if initial_status is not None:
        _set_initial_status(commitment, initial_status, author=author, m2m=m2m or {})
    activities = (m2m or {}).get("activities")
    if not commitment.is_public and activities:
        # A plan published by default publishes its new commitments as they are registered;
        # keeping one out is a later edit of its own, recorded in the history.
        commitment.is_public = Plan.objects.filter(
            commitments_public_by_default=True, activities__in=activities
        ).exists()
    record_save(
        actor=author, record=commitment, permission=permission, reason=reason, validate=validate
    )
    for name, values in (m2m or {}).items():
        getattr(commitment, name).set(values)
    return commitment


def _set_initial_status(commitment, status, *, author, m2m) -> None:
    """A commitment a source already knows as fulfilled or lapsed (the Kamer's register) is
    registered so; a person records a status through progress, never at creation. Fulfilled
    still needs the letter that fulfilled it."""
    if not is_system_actor(author):
        raise ValueError("Only a system actor registers a commitment with a status of its own.")
    if status in STATUSES_NEEDING_EVIDENCE:
        documents = list(m2m.get("fulfilling_documents") or [])
        if not documents:
            raise ValidationError(
                {"status": _("A commitment is fulfilled only with the letter that fulfilled it.")}
            )
        commitment.fulfilled_on = max(document.date for document in documents)
    commitment.status = status


@transaction.atomic
def commitment_update(
    *, commitment: Commitment, author, expected_version: int | None, m2m=None, **fields
) -> Commitment:
    """Edit what a commitment says. Status and due date are not editable here.

    A commitment that has no due date yet may get its first one: that is not a change of
    deadline, and it becomes the original due date.
    """
    today = fields.pop("today", None)
    unknown = set(fields) - set(EDITABLE_FIELDS) - {"due_date"}
    if unknown:
        raise ValueError(f"Not editable here: {', '.join(sorted(unknown))}")
    new_due_date = fields.pop("due_date", None)
    commitment = Commitment.objects.get(pk=commitment.pk)
    previous_owner_id = commitment.owner_id
    before = (commitment.made_on, commitment.debate_id, commitment.made_by_id)
    for name, value in fields.items():
        setattr(commitment, name, value)
    if (commitment.made_on, commitment.debate_id, commitment.made_by_id) != before:
        # Only a change of the dates is held to the rules: an old record that breaks them
        # (registered before they held) can still get a new owner or text.
        _check_commitment_dates(commitment, author=author, today=today)
    if commitment.due_date is None and new_due_date is not None:
        commitment.due_date = commitment.original_due_date = new_due_date
    record_save(actor=author, record=commitment, expected_version=expected_version)
    events_owner_changed(commitment=commitment, previous_owner_id=previous_owner_id, actor=author)
    commitment_set_links(commitment=commitment, author=author, links=m2m or {})
    return commitment


@transaction.atomic
def commitment_assign_team(
    *, commitment: Commitment, author, team, expected_version: int | None
) -> Commitment:
    """Place a commitment that has no team yet in one: the "unassigned" queue of staff."""
    commitment = Commitment.objects.get(pk=commitment.pk)
    if commitment.team_id is not None:
        raise ValidationError({"team": _("This commitment has a team already.")})
    commitment.team = team
    return record_save(
        actor=author,
        record=commitment,
        expected_version=expected_version,
        permission="commitments.assign_team",
    )


def commitment_set_links(*, commitment: Commitment, author, links: dict) -> None:
    """Replace a commitment's links (addressees, activities…) and record what changed."""
    if links:
        require(author, "commitments.change_commitment", commitment)
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
    open_part: str | None = None,
    expected_version: int | None = None,
    today: date | None = None,
) -> ProgressUpdate:
    """Record progress on a commitment, and its new status.

    A commitment is fulfilled, wholly or in part, only once the Kamer has the answer in writing:
    the fulfilling Kamerbrief must be known, either already or as this update's evidence, and
    dated between the day the commitment was made and today. A partially fulfilled one says
    what is still open (`open_part`); it stays open work until it is fulfilled or lapses.
    """
    if status not in CommitmentStatus.values:
        raise ValidationError({"status": _("Unknown status.")})
    today = today or timezone.localdate()
    commitment = Commitment.objects.get(pk=commitment.pk)
    require(author, "commitments.change_commitment", commitment)
    if status == CommitmentStatus.PARTIALLY_FULFILLED:
        open_part = (commitment.open_part if open_part is None else open_part).strip()
        if not open_part:
            raise ValidationError(
                {"open_part": _("Say which part of the commitment is still open.")}
            )
        commitment.open_part = open_part
    elif status in (CommitmentStatus.FULFILLED, CommitmentStatus.LAPSED):
        commitment.open_part = ""
    if status in STATUSES_NEEDING_EVIDENCE:
        if evidence_document is not None:
            problem = fulfilling_document_errors(
                commitment=commitment, document_date=evidence_document.date, today=today
            )
            if problem:
                raise ValidationError({"evidence_document": problem})
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
            commitment.fulfilled_on = latest.date if latest else today
        else:
            commitment.fulfilled_on = None
    # The version claim comes last and in the same transaction: a stale form undoes the
    # update above along with it.
    record_save(
        actor=author,
        record=commitment,
        expected_version=expected_version,
        reason=PROGRESS_REASON,
        validate=False,
    )
    return update


def deadline_change_check(
    *, commitment: Commitment, new_due_date: date, reason: str, today: date | None = None
) -> None:
    """Whether this request may be filed, as a ValidationError per field; forms ask it first.

    A new due date lies after today: a date already past would make the commitment overdue
    the moment it is approved, and tells the Kamer nothing.
    """
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the deadline should move.")})
    if commitment.due_date == new_due_date:
        raise ValidationError({"new_due_date": _("This is already the due date.")})
    if new_due_date <= (today or timezone.localdate()):
        raise ValidationError({"new_due_date": _("A new due date lies after today.")})
    if commitment.status not in OPEN_STATUSES:
        raise ValidationError(_("Only an open commitment's deadline can move."))
    if commitment.deadline_changes.filter(state=DeadlineChange.State.REQUESTED).exists():
        raise ValidationError(
            _("A deadline change for this commitment is already waiting for a decision.")
        )


@transaction.atomic
def deadline_change_request(
    *,
    commitment: Commitment,
    requested_by,
    new_due_date: date,
    reason: str,
    today: date | None = None,
) -> DeadlineChange:
    """Ask a manager to move the due date. One open request per commitment at a time."""
    deadline_change_check(
        commitment=commitment, new_due_date=new_due_date, reason=reason, today=today
    )
    change = DeadlineChange(
        commitment=commitment,
        original_due_date=commitment.due_date,
        new_due_date=new_due_date,
        reason=reason.strip(),
        requested_by=requested_by,
    )
    try:
        with transaction.atomic():
            record_save(actor=requested_by, record=change, validate=False)
    except IntegrityError as error:
        # The partial unique index refuses a second open request, also under a race.
        raise ValidationError(
            _("A deadline change for this commitment is already waiting for a decision.")
        ) from error
    events_deadline_change_requested(change=change)
    return change


def _decide(*, change: DeadlineChange, decided_by, note: str, state: str) -> DeadlineChange:
    if change.requested_by_id == decided_by.pk:
        raise PermissionDenied(_("Nobody decides on their own request."))
    already = ValidationError(_("This request has already been decided."))
    try:
        # Of two managers deciding at once, one claims the version the request was read at;
        # the other updates 0 rows and is told the request is decided.
        claim_version(DeadlineChange, pk=change.pk, expected_version=change.version)
    except ConcurrentUpdateError:
        raise already from None
    change = DeadlineChange.objects.select_related("commitment").get(pk=change.pk)
    if change.state != DeadlineChange.State.REQUESTED:
        raise already
    change.state = state
    change.decided_by = decided_by
    change.decided_at = timezone.now()
    change.decision_note = note
    record_save(actor=decided_by, record=change, check_version=False)
    events_deadline_change_decided(change=change)
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
    commitment = Commitment.objects.get(pk=change.commitment_id)
    commitment.due_date = change.new_due_date
    if commitment.original_due_date is None:
        commitment.original_due_date = change.new_due_date
    # Bumping the version makes forms opened before the decision stale, as they should be.
    record_save(
        actor=decided_by,
        record=commitment,
        expected_version=None,
        reason=DEADLINE_REASON,
        permission="commitments.move_due_date",
    )
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


def parliamentary_document_create(*, actor, **fields) -> ParliamentaryDocument:
    """Register a Kamerstuk or letter, e.g. the one that was just sent to the Kamer."""
    return record_save(actor=actor, record=ParliamentaryDocument(**fields))


def bewindspersoon_create(*, actor, **fields) -> Bewindspersoon:
    """Add a *bewindspersoon* (a minister or state secretary) where a form needs one that is
    not known yet; officials keep the Kamer's records, so the access rules let them."""
    return record_save(actor=actor, record=Bewindspersoon(**fields))


def committee_create(*, actor, **fields) -> Committee:
    """Add a parliamentary committee where a debate needs one that is not known yet."""
    return record_save(actor=actor, record=Committee(**fields))


def parliamentary_record_save(*, actor, record, expected_version: int | None):
    """Save a document or debate typed in a form, refused if it changed since the form opened."""
    return record_save(actor=actor, record=record, expected_version=expected_version)


@transaction.atomic
def follow_up_letter_save(
    *, actor, letter: FollowUpLetter, commitments, expected_version: int | None = None
) -> FollowUpLetter:
    """Plan a follow-up letter, or change one, with the commitments it is to answer.

    Putting a commitment on a letter, or taking it off, plans that commitment's answer: it is a
    change to the commitment and needs the right to change it. Commitments on the letter that
    the actor may not change stay where they are, whatever the form sent.
    """
    adding = letter._state.adding
    before = set() if adding else set(letter.commitments.values_list("pk", flat=True))
    record_save(actor=actor, record=letter, expected_version=expected_version)
    kept = {
        commitment.pk
        for commitment in Commitment.objects.filter(pk__in=before)
        if not allowed(actor, "commitments.change_commitment", commitment)
    }
    chosen = {commitment.pk for commitment in commitments} | kept
    touched = Commitment.objects.filter(pk__in=(chosen ^ before) - kept)
    require_each(actor, "commitments.change_commitment", touched)
    letter.commitments.set(chosen)
    return letter


@transaction.atomic
def follow_up_letter_add_commitment(
    *, actor, letter: FollowUpLetter, commitment: Commitment
) -> None:
    """Plan a commitment's answer in a letter: a change to both, asked of both."""
    letter = FollowUpLetter.objects.get(pk=letter.pk)
    require(actor, "commitments.change_followupletter", letter)
    require(actor, "commitments.change_commitment", commitment)
    if letter.status == FollowUpLetter.Status.SENT:
        raise ValidationError(_("This letter is recorded as sent already."))
    if letter.status == FollowUpLetter.Status.CANCELLED:
        raise ValidationError(_("This letter is cancelled."))
    record_save(actor=actor, record=letter, expected_version=None)
    letter.commitments.add(commitment)


class LetterAlreadySent(ValidationError):
    """The letter is recorded as sent already: a second submit changes nothing."""


@transaction.atomic
def follow_up_letter_record_sent(
    *,
    letter: FollowUpLetter,
    author,
    document: ParliamentaryDocument,
    outcomes: dict[int, str],
    open_parts: dict[int, str] | None = None,
    sent_on: date | None = None,
    expected_version: int | None = None,
    today: date | None = None,
) -> FollowUpLetter:
    """Record the Kamerstuk a follow-up letter became, the day it went out, and what it
    fulfilled.

    Each commitment the official marks goes through `commitment_update_progress` with the letter
    as its evidence, so every one of them is checked and audited on its own; a partial answer
    says what is still open (`open_parts`). The letter went out on `sent_on` (by default its
    Kamerstuk's date), not in the future. Recording is idempotent: the letter's row is locked
    first, so of two submits at once the second waits, finds the letter sent and changes
    nothing.
    """
    today = today or timezone.localdate()
    letter = FollowUpLetter.objects.select_for_update().get(pk=letter.pk)
    if letter.status == FollowUpLetter.Status.SENT:
        raise LetterAlreadySent(_("This letter is recorded as sent already."))
    if letter.status == FollowUpLetter.Status.CANCELLED:
        raise ValidationError(_("This letter is cancelled."))
    answered = set(letter.commitments.values_list("pk", flat=True))
    if not set(outcomes) <= answered:
        raise ValidationError(_("The letter does not answer some of these commitments."))
    if not set(outcomes.values()) <= set(STATUSES_NEEDING_EVIDENCE):
        raise ValidationError(_("A sent letter fulfils commitments wholly or in part."))
    sent_on = sent_on or document.date
    if sent_on > today:
        raise ValidationError({"sent_on": _("A letter cannot be sent in the future.")})
    if document.date > today:
        raise ValidationError(
            {
                "document": _(
                    "The Kamerstuk is dated %(date)s, in the future: the Kamer has no answer yet."
                )
                % {"date": _long_date(document.date)}
            }
        )
    letter.status = FollowUpLetter.Status.SENT
    letter.sent_as = document
    letter.sent_on = sent_on
    record_save(actor=author, record=letter, expected_version=expected_version)
    for commitment in Commitment.objects.filter(pk__in=outcomes).order_by("pk"):
        try:
            commitment_update_progress(
                commitment=commitment,
                author=author,
                status=outcomes[commitment.pk],
                # The Kamerstuk is public; the letter's own title may not be readable to everyone
                # who reads the commitment (a letter of another team can answer it).
                note=_("Answered in %(document)s.") % {"document": document.citation},
                evidence_document=document,
                open_part=(open_parts or {}).get(commitment.pk, ""),
                today=today,
            )
        except ValidationError as error:
            # Said at the commitment's own field of the form, not the whole form's.
            raise ValidationError(
                {
                    f"outcome_{commitment.pk}"
                    if "evidence_document" in getattr(error, "error_dict", {})
                    else f"open_part_{commitment.pk}": error.messages
                }
            ) from error
    return letter


@transaction.atomic
def follow_up_letter_postpone(
    *,
    letter: FollowUpLetter,
    actor,
    planned_date: date,
    reason: str,
    expected_version: int | None = None,
    today: date | None = None,
) -> LetterPostponement:
    """Move a letter's planned date to a later day, and keep why (the Kamer may be told in an
    *uitstelbericht*, a letter saying the answer will be late)."""
    today = today or timezone.localdate()
    letter = FollowUpLetter.objects.get(pk=letter.pk)
    require(actor, "commitments.change_followupletter", letter)
    if letter.is_closed:
        raise ValidationError(_("Only a letter still to be sent can be postponed."))
    errors = {}
    if not reason.strip():
        errors["reason"] = _("Say why the letter is postponed.")
    if planned_date <= today:
        errors["planned_date"] = _("A new planned date lies after today.")
    elif planned_date <= letter.planned_date:
        errors["planned_date"] = _("Postponing moves the letter to a later date than %(date)s.") % {
            "date": _long_date(letter.planned_date)
        }
    if errors:
        raise ValidationError(errors)
    before = letter.planned_date
    letter.planned_date = planned_date
    record_save(
        actor=actor, record=letter, expected_version=expected_version, reason=reason.strip()
    )
    return LetterPostponement.objects.create(
        letter=letter,
        planned_date_before=before,
        planned_date_after=planned_date,
        reason=reason.strip(),
        postponed_by=actor,
    )


@transaction.atomic
def follow_up_letter_cancel(
    *,
    letter: FollowUpLetter,
    actor,
    reason: str,
    move_to: FollowUpLetter | None = None,
    expected_version: int | None = None,
) -> FollowUpLetter:
    """Cancel a letter that will not be written. Its open commitments move to `move_to`, or
    stay open without a letter; what it answered already stays on it as the record."""
    letter = FollowUpLetter.objects.get(pk=letter.pk)
    require(actor, "commitments.change_followupletter", letter)
    if letter.is_closed:
        raise ValidationError(_("Only a letter still to be sent can be cancelled."))
    if not reason.strip():
        raise ValidationError({"cancellation_reason": _("Say why the letter is cancelled.")})
    if move_to is not None:
        move_to = FollowUpLetter.objects.get(pk=move_to.pk)
        if move_to.pk == letter.pk or move_to.is_closed:
            raise ValidationError({"move_to": _("Choose a letter that is still to be sent.")})
        require(actor, "commitments.change_followupletter", move_to)
    letter.status = FollowUpLetter.Status.CANCELLED
    letter.cancellation_reason = reason.strip()
    record_save(
        actor=actor, record=letter, expected_version=expected_version, reason=reason.strip()
    )
    still_open = list(letter.commitments.filter(status__in=OPEN_STATUSES).order_by("pk"))
    # Taking a commitment off the letter plans its answer anew: a change to the commitment.
    require_each(actor, "commitments.change_commitment", still_open)
    letter.commitments.remove(*still_open)
    if move_to is not None and still_open:
        record_save(actor=actor, record=move_to, expected_version=None, reason=reason.strip())
        move_to.commitments.add(*still_open)
    return letter
