"""Managers decide on deadline changes of their teams."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from actionlines.access import is_manager
from commitments import access, selectors, services
from commitments.forms import DeadlineDecisionForm
from commitments.models import DeadlineChange
from tracker.forms import apply_errors


@login_required
def deadline_change_list(request):
    if not (request.user.is_superuser or is_manager(request.user)):
        raise PermissionDenied
    return render(
        request,
        "commitments/deadline_change_list.html",
        {"changes": selectors.deadline_changes_to_decide(user=request.user)},
    )


@login_required
def deadline_change_decide(request, pk):
    change = get_object_or_404(
        DeadlineChange.objects.select_related("commitment__team", "requested_by"), pk=pk
    )
    if not access.can_read_commitment(request.user, change.commitment):
        raise Http404
    if not access.can_decide_deadline_change(request.user, change):
        raise PermissionDenied
    form = DeadlineDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        decide = (
            services.deadline_change_approve
            if form.cleaned_data["decision"] == DeadlineDecisionForm.APPROVE
            else services.deadline_change_reject
        )
        try:
            decide(change=change, decided_by=request.user, note=form.cleaned_data["note"])
        except ValidationError as error:
            apply_errors(form, error)
        else:
            change.refresh_from_db()
            messages.success(
                request,
                _("Deadline change approved: the new due date applies.")
                if change.state == DeadlineChange.State.APPROVED
                else _("Deadline change rejected."),
            )
            return redirect(change.commitment)
    return render(
        request, "commitments/deadline_decide_form.html", {"form": form, "change": change}
    )
