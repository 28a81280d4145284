"""The start page ("/", where a login lands): an official's own work, overdue first.

Only officials (members of a team) have work of their own. Managers and directors land on
the dashboard of their teams and policy staff on the list of every commitment, instead of
on a "My work" that would always be empty for them.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone

from actionlines.access import is_manager
from commitments import selectors
from commitments.access import landing_page, reads_everything


@login_required
def my_work(request):
    landing = landing_page(request.user)
    if landing is not None:
        return redirect(landing)
    today = timezone.localdate()
    work = selectors.my_work(user=request.user, today=today)
    return render(
        request,
        "commitments/my_work.html",
        {
            **work,
            "today": today,
            "is_manager": is_manager(request.user),
            "reads_everything": reads_everything(request.user),
        },
    )
