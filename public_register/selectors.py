"""Reads of the public register: what anyone may see, without logging in.

`public_commitments()` is the one definition of the published set; the list, the plan pages
and both open-data files start from it, so a commitment that is not marked public cannot reach
any of them. The querysets name the columns they read: a public page never loads a team, an
owner, a progress note or a follow-up letter, so it cannot show one by accident either.
Each page costs the same few queries for ten rows as for ten thousand.
"""

import datetime

from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Q, QuerySet

from actionlines.models import ActionLine, Activity, Plan
from commitments.models import (
    OPEN_STATUSES,
    STATUS_TO_REGISTER,
    Bewindspersoon,
    Commitment,
    CommitmentRelation,
    ParliamentaryDocument,
)
from public_register.filters import PublicCommitmentFilter

PAGE_SIZE = 25
# Newest first, as the Kamer's own register lists them.
ORDERING = ("-made_on", "-reference")
# What a public row reads of a commitment; team, owner and the bookkeeping stay in the table.
COMMITMENT_FIELDS = (
    "id",
    "reference",
    "register_number",
    "text",
    "status",
    "made_on",
    "deadline_wording",
    "due_date",
    "fulfilled_on",
    "made_by__name",
    "made_by__function",
    "made_by__title",
    "made_by__ministry__name",
    "debate__title",
    "debate__date",
    "debate__kind",
    "debate__activity_number",
    "source_document__chamber",
    "source_document__dossier_number",
    "source_document__volgnummer",
    "source_document__date",
    "source_document__title",
    "source_document__kind",
    "source_document__url",
)
DOCUMENT_FIELDS = ("id", "chamber", "dossier_number", "volgnummer", "date", "title", "kind", "url")


def public_commitments() -> QuerySet[Commitment]:
    """Every commitment the ministry published."""
    return Commitment.objects.filter(is_public=True)


def public_plans() -> QuerySet[Plan]:
    """Plans whose commitments are public by default, and plans a public commitment is linked
    to: a published commitment names its plan, so the plan's page has to exist for it."""
    linked = Activity.objects.filter(commitments__is_public=True).values("plan_id")
    return Plan.objects.filter(Q(commitments_public_by_default=True) | Q(pk__in=linked))


def public_filter(*, data, today: datetime.date | None = None) -> PublicCommitmentFilter:
    """The filtered public list behind the page and both open-data files."""
    return PublicCommitmentFilter(
        data or None,
        queryset=public_commitments().order_by(*ORDERING),
        bewindspersonen=Bewindspersoon.objects.filter(
            pk__in=public_commitments().values("made_by_id")
        ).order_by("name"),
        plans=public_plans().order_by("-adopted_on", "title"),
        today=today,
    )


def public_years() -> list[int]:
    """The years in which published commitments were made, newest first, for the year filter."""
    return [day.year for day in public_commitments().dates("made_on", "year", order="DESC")]


def _public_rows(queryset: QuerySet[Commitment]) -> QuerySet[Commitment]:
    fulfilling = ParliamentaryDocument.objects.only(*DOCUMENT_FIELDS).order_by("date")
    return (
        queryset.select_related("made_by__ministry", "debate", "source_document")
        .only(*COMMITMENT_FIELDS)
        .prefetch_related(Prefetch("fulfilling_documents", queryset=fulfilling))
    )


def _describe(commitment: Commitment, today: datetime.date) -> Commitment:
    """What the templates and the CSV show beside the stored fields."""
    commitment.number = commitment.register_number or commitment.reference
    commitment.register_term = STATUS_TO_REGISTER[commitment.status]
    commitment.overdue = (
        commitment.status in OPEN_STATUSES
        and commitment.due_date is not None
        and commitment.due_date < today
    )
    commitment.days_late = (today - commitment.due_date).days if commitment.overdue else 0
    # The function as the bewindspersoon signs: "De Minister van …" reads "Minister van …".
    title = commitment.made_by.title
    commitment.made_by_function = title[3:] if title.lower().startswith("de ") else title
    commitment.letters = list(commitment.fulfilling_documents.all())
    return commitment


def public_page(*, queryset: QuerySet[Commitment], number, today: datetime.date) -> Page:
    """One page of the public list in four queries, however deep the page.

    The page's ids come first, in the list's order; only those rows are then read with what
    they show, so a deep page does not join every row it skips.
    """
    page = Paginator(queryset.values_list("pk", flat=True), PAGE_SIZE).get_page(number)
    ids = list(page.object_list)
    rows = {row.pk: row for row in _public_rows(Commitment.objects.filter(pk__in=ids))}
    page.object_list = [_describe(rows[pk], today) for pk in ids if pk in rows]
    return page


def public_plan_list() -> QuerySet[Plan]:
    """The public plans with the number of their activities and of their public commitments."""
    published = Count(
        "activities__commitments",
        filter=Q(activities__commitments__is_public=True),
        distinct=True,
    )
    return (
        public_plans()
        .select_related("ministry")
        .only("id", "title", "summary", "adopted_on", "ministry__name")
        .annotate(
            activity_count=Count("activities", distinct=True), public_commitment_count=published
        )
        .order_by("-adopted_on", "title")
    )


# An activity's public side: its place in the plan and its progress, not who works on it.
ACTIVITY_FIELDS = (
    "id",
    "plan",
    "action_line",
    "title",
    "description",
    "kind",
    "status",
    "progress",
    "start_date",
    "end_date",
    "lead_organisation__name",
)


def public_plan_detail(*, pk: int) -> Plan:
    """A public plan with its action lines, their activities and progress, and each activity's
    public commitments; Plan.DoesNotExist for a plan that is not public."""
    activities = (
        Activity.objects.select_related("lead_organisation")
        .only(*ACTIVITY_FIELDS)
        .prefetch_related(
            "places",
            Prefetch(
                "commitments",
                queryset=public_commitments()
                .only("id", "reference", "register_number")
                .order_by(*ORDERING),
                to_attr="public_commitments",
            ),
        )
        .order_by("title")
    )
    plan = (
        public_plans()
        .select_related("ministry", "predecessor")
        .only(
            "id",
            "title",
            "summary",
            "adopted_on",
            "period_start",
            "period_end",
            "ministry__name",
            "predecessor__id",
            "predecessor__title",
        )
        .prefetch_related(
            Prefetch(
                "presented_in_documents",
                queryset=ParliamentaryDocument.objects.only(*DOCUMENT_FIELDS, "presents_plan"),
            ),
            Prefetch(
                "action_lines",
                queryset=ActionLine.objects.only("id", "plan", "number", "title", "description")
                .order_by("number")
                .prefetch_related(Prefetch("activities", queryset=activities)),
            ),
            Prefetch(
                "activities",
                queryset=activities.filter(action_line__isnull=True),
                to_attr="plan_wide_activities",
            ),
        )
        .get(pk=pk)
    )
    # The predecessor is named only when it is public itself.
    plan.public_predecessor = (
        plan.predecessor
        if plan.predecessor_id and public_plans().filter(pk=plan.predecessor_id).exists()
        else None
    )
    return plan


def public_plan_commitments(*, plan: Plan, today: datetime.date, limit: int = PAGE_SIZE):
    """The newest public commitments of the plan, and how many it has in all."""
    queryset = public_commitments().filter(
        pk__in=Commitment.activities.through.objects.filter(activity__plan=plan).values(
            "commitment_id"
        )
    )
    total = queryset.count()
    rows = [_describe(c, today) for c in _public_rows(queryset.order_by(*ORDERING)[:limit])]
    return rows, total


def public_export_rows(queryset: QuerySet[Commitment], *, today: datetime.date):
    """The filtered public list for the CSV, streamed in chunks: memory stays flat."""
    for commitment in _public_rows(queryset).iterator(chunk_size=500):
        yield _describe(commitment, today)


def public_register_records(queryset: QuerySet[Commitment]):
    """The filtered public list as the Kamer's register writes it (`Toezegging`), streamed.

    Links to other commitments are given only where the other one is public too: an
    unpublished commitment must not show up even as a number in someone else's record.
    """
    from parliament import register

    relations = CommitmentRelation.objects.filter(to_commitment__is_public=True).select_related(
        "to_commitment__register_entry"
    )
    queryset = (
        queryset.select_related("register_entry", "made_by__ministry", "debate")
        .prefetch_related(
            "made_to",
            Prefetch(
                "fulfilling_documents", queryset=ParliamentaryDocument.objects.order_by("date")
            ),
            Prefetch("relations_from", queryset=relations),
        )
        .order_by(*ORDERING)
    )
    for commitment in queryset.iterator(chunk_size=500):
        yield register.toezegging_for(commitment)
