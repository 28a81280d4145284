"""The manager's overview."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from actionlines.access import managed_team_ids
from commitments import selectors


@login_required
def dashboard(request):
    today = timezone.localdate()
    return render(
        request,
        "commitments/dashboard.html",
        {
            **selectors.dashboard_summary(user=request.user, today=today),
            "today": today,
            "managed_team_ids": sorted(managed_team_ids(request.user)),
        },
    )
