"""The plan pages: plan → action lines → activities, and recording an activity's progress."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from actionlines import selectors, services
from actionlines.access import can_change_team_work
from actionlines.forms import ActivityProgressForm
from actionlines.models import Activity, Plan
from tracker.concurrency import ConcurrentUpdateError
from tracker.forms import apply_errors


@login_required
def plan_list(request):
    return render(request, "actionlines/plan_list.html", {"plans": selectors.plan_list()})


@login_required
def plan_detail(request, pk):
    try:
        plan = selectors.plan_detail(pk=pk)
    except Plan.DoesNotExist:
        raise Http404 from None
    return render(request, "actionlines/plan_detail.html", {"plan": plan})


def _activity(pk):
    try:
        return selectors.activity_detail(pk=pk)
    except Activity.DoesNotExist:
        raise Http404 from None


@login_required
def activity_detail(request, pk):
    activity = _activity(pk)
    return render(
        request,
        "actionlines/activity_detail.html",
        {
            "activity": activity,
            "can_change": can_change_team_work(
                request.user, team_id=activity.team_id, owner_id=activity.owner_id
            ),
        },
    )


@login_required
def activity_progress(request, pk):
    activity = _activity(pk)
    if not can_change_team_work(request.user, team_id=activity.team_id, owner_id=activity.owner_id):
        raise PermissionDenied
    form = ActivityProgressForm(request.POST or None, activity=activity)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.activity_update_progress(
                activity=activity,
                author=request.user,
                status=data["status"],
                progress=data["progress"],
                note=data["note"],
                link=data["link"],
                expected_version=data["version"],
            )
        except ConcurrentUpdateError:
            messages.error(
                request,
                _(
                    "Somebody else recorded progress on this activity after you opened the form. "
                    "Your input is below; check the current state, then save again."
                ),
            )
            activity.refresh_from_db()
            data = form.data.copy()
            data["version"] = activity.version
            form = ActivityProgressForm(data, activity=activity)
            form.is_valid()
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Progress recorded."))
            return redirect("actionlines:activity_detail", pk=activity.pk)
    return render(
        request, "actionlines/activity_progress_form.html", {"form": form, "activity": activity}
    )
