"""Reads of what came from the Kamer: the review inbox, and the differences with its register."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commitments.models import (
    STATUS_TO_REGISTER,
    UNANSWERED_STATUSES,
    Chamber,
    Commitment,
    CommitmentStatus,
    Debate,
)
from commitments.selectors import commitments_visible_to
from parliament.models import Proposal, RegisterEntry, RegisterNote

OPEN_COUNT_CACHE_KEY = "parliament-open-proposals"
# Writes forget the count at once; the timeout bounds how stale it can be in a process whose
# cache another process cannot reach (the per-process default cache, a command run by cron).
OPEN_COUNT_CACHE_SECONDS = 60


def open_proposal_count() -> int:
    """The number in the menu, on every page: counted once (served by the index
    `proposal_inbox`) and kept until an import or a review changes it."""
    return cache.get_or_set(
        OPEN_COUNT_CACHE_KEY,
        lambda: Proposal.objects.filter(state=Proposal.State.OPEN).count(),
        timeout=OPEN_COUNT_CACHE_SECONDS,
    )


def forget_open_proposal_count() -> None:
    cache.delete(OPEN_COUNT_CACHE_KEY)


def review_inbox() -> QuerySet[Debate]:
    """Debates with captured commitments still to review, newest debate first."""
    open_proposals = Proposal.objects.filter(state=Proposal.State.OPEN).select_related(
        "made_by", "team", "possible_duplicate"
    )
    return (
        Debate.objects.filter(proposals__state=Proposal.State.OPEN)
        .annotate(open_count=Count("proposals", filter=Q(proposals__state=Proposal.State.OPEN)))
        .select_related("committee")
        .prefetch_related(Prefetch("proposals", queryset=open_proposals, to_attr="open_proposals"))
        .order_by("-date", "title")
    )


def proposal_detail(*, pk: int) -> Proposal:
    return Proposal.objects.select_related(
        "debate__committee",
        "report",
        "register_entry",
        "made_by",
        "team",
        "possible_duplicate",
        "commitment",
    ).get(pk=pk)


def link_candidates(*, proposal: Proposal, user):
    """Registered commitments the proposal could be: those of its debate the user may read."""
    return commitments_visible_to(user).filter(debate=proposal.debate).order_by("reference")


# --- differences with the Kamer's register ----------------------------------------------------

Kind = RegisterNote.Kind


def _noted(kind: str, theirs=None) -> Q:
    """An official kept ours for this difference, as the register states it now: the same
    value, or (for a difference that is no single value) the same version of the record."""
    notes = RegisterNote.objects.filter(commitment=OuterRef("pk"), kind=kind)
    if theirs is not None:
        notes = notes.filter(theirs=theirs)
    else:
        notes = notes.filter(register_changed_at=OuterRef("register_entry__changed_at"))
    return Q(Exists(notes))


def _has_letter() -> Q:
    through = Commitment.fulfilling_documents.through
    return Q(Exists(through.objects.filter(commitment_id=OuterRef("pk"))))


def unregistered_after(today: datetime.date) -> datetime.date:
    """Made on or before this day, in a debate, and still unregistered: the griffie missed it."""
    return today - datetime.timedelta(days=settings.KAMER_REGISTER_GRACE_DAYS)


def difference_conditions(today: datetime.date | None = None) -> dict[str, Q]:
    """Per kind of difference, the condition on a commitment, as SQL.

    The same rules as `differences_of` (in Python, for one commitment on the page); a test
    holds the two together.
    """
    today = today or timezone.localdate()
    live = Q(register_entry__isnull=False, register_entry__withdrawn=False)
    theirs_status = F("register_entry__mapped_status")
    same_status = Q(status=theirs_status) | Q(
        register_entry__mapped_status=CommitmentStatus.OPEN, status__in=UNANSWERED_STATUSES
    )
    return {
        Kind.STATUS: live & ~same_status & ~_noted(Kind.STATUS, OuterRef("register_entry__status")),
        Kind.LETTER_OURS: live
        & Q(register_entry__letter_count=0)
        & _has_letter()
        & ~_noted(Kind.LETTER_OURS),
        Kind.LETTER_THEIRS: live
        & Q(register_entry__letter_count__gt=0)
        & ~_has_letter()
        & ~_noted(Kind.LETTER_THEIRS),
        Kind.TEXT: live
        & ~Q(text=F("register_entry__text"))
        & ~_noted(Kind.TEXT, OuterRef("register_entry__text")),
        Kind.UNREGISTERED: Q(
            register_entry__isnull=True,
            register_number="",
            debate__isnull=False,
            chamber=Chamber.TWEEDE_KAMER,
            made_on__gte=settings.KAMER_REGISTER_START,
            made_on__lte=unregistered_after(today),
        )
        & ~_noted(Kind.UNREGISTERED, Value("")),
        Kind.WITHDRAWN: Q(register_entry__withdrawn=True)
        & ~Q(status=CommitmentStatus.LAPSED)
        & ~_noted(Kind.WITHDRAWN),
    }


def differs_from_register(today: datetime.date | None = None) -> Q:
    """Commitments where the tracker and the Kamer's register disagree (any kind)."""
    combined = Q(pk__in=[])
    for condition in difference_conditions(today).values():
        combined |= condition
    return combined


def register_differences_count(*, queryset=None, today=None) -> int:
    queryset = Commitment.objects.all() if queryset is None else queryset
    return queryset.filter(differs_from_register(today)).count()


@dataclass
class Difference:
    kind: str
    label: str
    ours: str
    theirs: str
    # What the official can do besides keeping ours with a note.
    can_accept: bool
    can_link: bool


def differences_of(commitment: Commitment, *, today=None) -> list[Difference]:
    """What the two sides say, per kind, for a commitment of `register_differences`."""
    today = today or timezone.localdate()
    entry = getattr(commitment, "register_entry", None)
    letters = [document.citation for document in commitment.fulfilling_documents.all()]
    found = []
    notes = []

    def add(kind, ours, theirs, theirs_key=None, *, can_accept=True, can_link=False):
        # The notes are read only where there is a difference they could answer.
        if not notes:
            notes.append(
                {
                    (note.kind, note.theirs, note.register_changed_at)
                    for note in commitment.register_notes.all()
                }
            )
        key = (
            (kind, theirs_key, None)
            if theirs_key is not None
            else (kind, "", entry.changed_at if entry is not None else None)
        )
        if key not in notes[0]:
            found.append(
                Difference(kind, str(Kind(kind).label), ours, theirs, can_accept, can_link)
            )

    ours_status = f"{commitment.get_status_display()} ({STATUS_TO_REGISTER[commitment.status]})"
    if entry is None:
        if (
            not commitment.register_number
            and commitment.debate_id
            and commitment.chamber == Chamber.TWEEDE_KAMER
            and settings.KAMER_REGISTER_START <= commitment.made_on <= unregistered_after(today)
        ):
            add(
                Kind.UNREGISTERED,
                ours_status,
                str(_("no record")),
                "",
                can_accept=False,
                can_link=True,
            )
        return found
    if entry.withdrawn:
        if commitment.status != CommitmentStatus.LAPSED:
            add(Kind.WITHDRAWN, ours_status, str(_("withdrawn")))
        return found
    theirs_status = entry.mapped_status
    same = commitment.status == theirs_status or (
        theirs_status == CommitmentStatus.OPEN and commitment.status in UNANSWERED_STATUSES
    )
    if not same:
        add(Kind.STATUS, ours_status, entry.status, entry.status)
    if letters and entry.letter_count == 0:
        add(Kind.LETTER_OURS, ", ".join(letters), str(_("no letter")), can_accept=False)
    if entry.letter_count and not letters:
        theirs = ", ".join(_letter_citations(entry)) or str(entry.letter_count)
        add(Kind.LETTER_THEIRS, str(_("no letter")), theirs)
    if commitment.text != entry.text:
        add(Kind.TEXT, commitment.text, entry.text, entry.text)
    return found


def _letter_citations(entry: RegisterEntry) -> list[str]:
    from parliament import register

    try:
        letters = register.parse_record(entry.data).letters
    except register.RecordRefused:
        return []
    return [
        f"Kamerstuk {letter.dossier}, nr. {letter.volgnummer}"
        if letter.dossier and letter.volgnummer
        else letter.document_number
        for letter in letters
    ]


def register_differences(user, *, today=None) -> QuerySet[Commitment]:
    """The commitments the user may read that disagree with the register, oldest due first."""
    return (
        commitments_visible_to(user)
        .filter(differs_from_register(today))
        .select_related("register_entry", "debate", "team", "made_by")
        .prefetch_related("fulfilling_documents", "register_notes")
        .order_by("due_date", "reference")
    )


def register_export(*, ministry: str | None = None, user=None):
    """The commitments that belong in the register's shape, one at a time, as `Toezegging`s.

    The register holds what was promised in debates, so commitments made in a letter are not
    part of it. `ministry` is the register's name ("Justitie en Veiligheid"); `user` limits the
    set to what they may read.
    """
    from parliament import register

    queryset = commitments_visible_to(user) if user is not None else Commitment.objects.all()
    queryset = queryset.filter(debate__isnull=False)
    if ministry:
        queryset = queryset.filter(
            Q(made_by__ministry__name__iexact=ministry)
            | Q(made_by__ministry__name__iexact=f"Ministerie van {ministry}")
        )
    queryset = (
        queryset.select_related("register_entry", "made_by__ministry", "debate")
        .prefetch_related(
            "made_to",
            "fulfilling_documents",
            "relations_from__to_commitment__register_entry",
        )
        .order_by("reference")
    )
    for commitment in queryset.iterator(chunk_size=500):
        yield register.toezegging_for(commitment)
