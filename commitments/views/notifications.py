"""The reminders page: what the tracker e-mailed a user; for admins, every e-mail and its fate."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from commitments.emails import commitment_path
from commitments.models import Notification
from commitments.selectors import notifications_visible_to

PAGE_SIZE = 50


@login_required
def notification_list(request):
    is_admin = request.user.is_superuser
    state = request.GET.get("status", "") if is_admin else ""
    if state not in Notification.State.values:
        state = ""
    kind = request.GET.get("kind", "")
    if kind not in Notification.Kind.values:
        kind = ""
    notifications = notifications_visible_to(user=request.user, state=state, kind=kind)
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "notification": notification,
            "commitments": [
                (commitment.reference, commitment_path(commitment.pk))
                for commitment in notification.commitments.all()
            ],
        }
        for notification in page
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "commitments/notifications.html",
        {
            "page": page,
            "rows": rows,
            "is_admin": is_admin,
            "state": state,
            "kind": kind,
            "states": Notification.State.choices,
            "kinds": Notification.Kind.choices,
            "query": query.urlencode(),
        },
    )
