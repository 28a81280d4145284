"""Reads of the plan: plans with their lines and activities, one activity with its history."""

from django.db.models import Avg, Count, Max, Prefetch, QuerySet
from django.utils.translation import gettext

from actionlines.models import ActionLine, Activity, ActivityUpdate, Plan

OVERDUE = "overdue"


def plan_list() -> QuerySet[Plan]:
    return (
        Plan.objects.select_related("ministry", "predecessor")
        .annotate(activity_count=Count("activities"), average_progress=Avg("activities__progress"))
        .order_by("-adopted_on", "title")
    )


def plan_detail(*, pk: int) -> Plan:
    """A plan with its action lines, their activities and the commitments linked to them.

    The commitments come through the reverse relation `Activity.commitments`, so this app reads
    them without importing the commitments app. Each activity carries the moment of its last
    reported progress (`last_reported_at`).
    """
    activities = (
        Activity.objects.select_related("lead_organisation", "team", "owner")
        .prefetch_related("places", "partner_organisations", "commitments")
        .annotate(last_reported_at=Max("updates__created_at"))
        .order_by("title")
    )
    return (
        Plan.objects.select_related("ministry", "predecessor")
        .prefetch_related(
            Prefetch(
                "action_lines",
                queryset=ActionLine.objects.prefetch_related(
                    Prefetch("activities", queryset=activities)
                ),
            ),
            Prefetch(
                "activities",
                queryset=activities.filter(action_line__isnull=True),
                to_attr="plan_wide_activities",
            ),
            "presented_in_documents",
        )
        .get(pk=pk)
    )


def activity_detail(*, pk: int) -> Activity:
    return (
        Activity.objects.select_related("plan", "action_line", "lead_organisation", "team", "owner")
        .prefetch_related(
            "places",
            "partner_organisations",
            "commitments",
            Prefetch("updates", queryset=ActivityUpdate.objects.select_related("author")),
        )
        .get(pk=pk)
    )


def commitment_states(commitments, *, today) -> list[tuple[str, str, int]]:
    """The state of the commitments an activity serves: (key, label, count) for the overdue
    ones and then each status, in the statuses' own order, leaving out what counts none.

    Counted from commitments already read (the page's prefetch), through their own
    `is_overdue` and status choices, so this app still does not import the commitments app.
    An overdue commitment counts as overdue only, not also under its status.
    """
    commitments = list(commitments)
    if not commitments:
        return []
    choices = commitments[0]._meta.get_field("status").choices
    counts = dict.fromkeys([OVERDUE, *(key for key, _label in choices)], 0)
    for commitment in commitments:
        counts[OVERDUE if commitment.is_overdue(today) else commitment.status] += 1
    labels = {OVERDUE: gettext("overdue"), **dict(choices)}
    return [(key, labels[key], count) for key, count in counts.items() if count]
