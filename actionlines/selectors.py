"""Reads of the plan: plans with their lines and activities, one activity with its history."""

from django.db.models import Avg, Count, Prefetch, QuerySet

from actionlines.models import ActionLine, Activity, ActivityUpdate, Plan


def plan_list() -> QuerySet[Plan]:
    return (
        Plan.objects.select_related("ministry", "predecessor")
        .annotate(activity_count=Count("activities"), average_progress=Avg("activities__progress"))
        .order_by("-adopted_on", "title")
    )


def plan_detail(*, pk: int) -> Plan:
    """A plan with its action lines, their activities and the commitments linked to them.

    The commitments come through the reverse relation `Activity.commitments`, so this app reads
    them without importing the commitments app.
    """
    activities = (
        Activity.objects.select_related("lead_organisation", "team", "owner")
        .prefetch_related("places", "partner_organisations", "commitments")
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
