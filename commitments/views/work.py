"""The official's start page: their own work, overdue first."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from actionlines.access import is_manager
from commitments import selectors
from commitments.access import reads_everything


@login_required
def my_work(request):
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
