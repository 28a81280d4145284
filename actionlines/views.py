"""The plan pages: plan → action lines → activities, and recording an activity's progress."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from actionlines import selectors, services
from actionlines.forms import ActivityProgressForm
from actionlines.models import Activity, Plan
from tracker.access import allowed
from tracker.concurrency import ConcurrentUpdateError
from tracker.forms import apply_errors


def _readable_commitments(user, activities) -> None:
    """Keep on each activity only the commitments the user may read (`readable_commitments`),
    and their state in counts (`commitment_states`: overdue, then per status).

    The rule is the commitments app's, asked through the rule registry, so this app still
    does not import it.
    """
    today = timezone.localdate()
    for activity in activities:
        activity.readable_commitments = [
            commitment
            for commitment in activity.commitments.all()
            if allowed(user, "commitments.view_commitment", commitment)
        ]
        activity.commitment_states = selectors.commitment_states(
            activity.readable_commitments, today=today
        )


@login_required
def plan_list(request):
    return render(request, "actionlines/plan_list.html", {"plans": selectors.plan_list()})


@login_required
def plan_detail(request, pk):
    try:
        plan = selectors.plan_detail(pk=pk)
    except Plan.DoesNotExist:
        raise Http404 from None
    for line in plan.action_lines.all():
        _readable_commitments(request.user, line.activities.all())
    _readable_commitments(request.user, plan.plan_wide_activities)
    return render(request, "actionlines/plan_detail.html", {"plan": plan})


def _activity(pk):
    try:
        return selectors.activity_detail(pk=pk)
    except Activity.DoesNotExist:
        raise Http404 from None


@login_required
def activity_detail(request, pk):
    activity = _activity(pk)
    _readable_commitments(request.user, [activity])
    return render(
        request,
        "actionlines/activity_detail.html",
        {
            "activity": activity,
            "today": timezone.localdate(),
            "can_change": allowed(request.user, "actionlines.change_activity", activity),
        },
    )


@login_required
def activity_progress(request, pk):
    activity = _activity(pk)
    if not allowed(request.user, "actionlines.change_activity", activity):
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
