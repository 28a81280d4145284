"""Reads of the review: the inbox of captured commitments, per debate."""

from django.core.cache import cache
from django.db.models import Count, Prefetch, Q, QuerySet

from commitments.models import Debate
from commitments.selectors import commitments_visible_to
from parliament.models import Proposal

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
        "debate__committee", "report", "made_by", "team", "possible_duplicate", "commitment"
    ).get(pk=pk)


def link_candidates(*, proposal: Proposal, user):
    """Registered commitments the proposal could be: those of its debate the user may read."""
    return commitments_visible_to(user).filter(debate=proposal.debate).order_by("reference")
