"""The manager's overview."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from actionlines.access import managed_team_ids
from commitments import dashboard_cache, selectors


@login_required
def dashboard(request):
    """The figures, the action lines and the plans are read only when their kept fragments are
    out of date."""
    today = timezone.localdate()
    user = request.user
    return render(
        request,
        "commitments/dashboard.html",
        {
            "figures": SimpleLazyObject(
                lambda: selectors.dashboard_summary(user=user, today=today)
            ),
            "figures_key": dashboard_cache.figures_key(user=user, today=today),
            "lines": SimpleLazyObject(
                lambda: selectors.dashboard_action_lines(user=user, today=today)
            ),
            "plans": SimpleLazyObject(selectors.dashboard_plans),
            "plans_key": dashboard_cache.plans_key(),
            "cache_seconds": dashboard_cache.seconds(),
            "today": today,
            "managed_team_ids": sorted(managed_team_ids(user)),
        },
    )
