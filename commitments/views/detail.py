"""A commitment's page and the forms that change it."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from commitments import access, selectors, services
from commitments.forms import CommitmentForm, DeadlineChangeRequestForm, ProgressForm
from commitments.models import OPEN_STATUSES, Commitment, DeadlineChange, ProgressUpdate
from parliament.selectors import differences_of as register_differences_of
from tracker.concurrency import ConcurrentUpdateError, changes_since
from tracker.forms import apply_errors, conflict_rows, rebind_at_current_version, report_conflict


def _readable_commitment(request, pk, *, detailed=False) -> Commitment:
    """The commitment, or 404 when it does not exist or the user may not see it."""
    try:
        commitment = (
            selectors.commitment_detail(pk=pk, user=request.user)
            if detailed
            else Commitment.objects.select_related("team", "owner").get(pk=pk)
        )
    except Commitment.DoesNotExist:
        raise Http404 from None
    if not access.can_read_commitment(request.user, commitment):
        raise Http404
    return commitment


def _changeable_commitment(request, pk) -> Commitment:
    commitment = _readable_commitment(request, pk)
    if not access.can_change_commitment(request.user, commitment):
        raise PermissionDenied
    return commitment


@login_required
def commitment_detail(request, pk):
    commitment = _readable_commitment(request, pk, detailed=True)
    today = timezone.localdate()
    user = request.user
    pending = next(
        (c for c in commitment.deadline_changes.all() if c.state == DeadlineChange.State.REQUESTED),
        None,
    )
    can_change = access.can_change_commitment(user, commitment)
    register_entry = getattr(commitment, "register_entry", None)
    return render(
        request,
        "commitments/commitment_detail.html",
        {
            "commitment": commitment,
            # Read only when the kept rendering of the timeline is out of date.
            "timeline": SimpleLazyObject(
                lambda: selectors.commitment_timeline(commitment=commitment)
            ),
            "timeline_key": selectors.commitment_timeline_key(commitment=commitment),
            "cache_seconds": settings.TIMELINE_CACHE_SECONDS,
            "today": today,
            "is_overdue": commitment.is_overdue(today),
            "days_overdue": commitment.days_overdue(today),
            "pending_change": pending,
            "can_change": can_change,
            "can_request_deadline_change": can_change
            and commitment.status in OPEN_STATUSES
            and pending is None,
            "can_decide": pending is not None and access.can_decide_deadline_change(user, pending),
            "register_entry": register_entry,
            "register_differs": bool(register_differences_of(commitment, today=today)),
        },
    )


@login_required
def commitment_create(request):
    if not access.can_create_commitment(request.user):
        raise PermissionDenied
    form = CommitmentForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        fields, m2m = form.service_fields()
        try:
            # One transaction: a bewindspersoon added here is kept only with the commitment.
            with transaction.atomic():
                _add_new_person(request, form, fields)
                commitment = services.commitment_create(author=request.user, m2m=m2m, **fields)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Commitment %(ref)s registered.") % {"ref": commitment})
            return redirect(commitment)
    return render(request, "commitments/commitment_form.html", {"form": form, "commitment": None})


def _add_new_person(request, form, fields) -> None:
    """The bewindspersoon typed into the form's "not known yet" fields, added and chosen."""
    if form.new_person:
        fields["made_by"] = services.bewindspersoon_create(actor=request.user, **form.new_person)


@login_required
def commitment_edit(request, pk):
    commitment = _changeable_commitment(request, pk)
    form = CommitmentForm(request.POST or None, instance=commitment, user=request.user)
    conflict = []
    if request.method == "POST" and form.is_valid():
        fields, m2m = form.service_fields()
        try:
            with transaction.atomic():
                _add_new_person(request, form, fields)
                services.commitment_update(
                    commitment=commitment,
                    author=request.user,
                    expected_version=form.cleaned_data.get("version"),
                    m2m=m2m,
                    **fields,
                )
        except ConcurrentUpdateError:
            report_conflict(request)
            changes = changes_since(commitment, form.cleaned_data["version"])
            conflict = conflict_rows(form, changes, Commitment)
            form = rebind_at_current_version(form, user=request.user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect(commitment)
    return render(
        request,
        "commitments/commitment_form.html",
        {"form": form, "commitment": commitment, "conflict_rows": conflict},
    )


@login_required
def progress_create(request, pk):
    commitment = _changeable_commitment(request, pk)
    form = ProgressForm(request.POST or None, request.FILES or None, commitment=commitment)
    conflict = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            try:
                _record_progress(request, commitment, form, expected_version=data["version"])
            except ConcurrentUpdateError:
                changes = changes_since(commitment, data["version"])
                commitment.refresh_from_db()
                if not _progress_meets(changes, status=data["status"], commitment=commitment):
                    raise
                # The colleague changed other fields than this note touches: it goes on top.
                _record_progress(request, commitment, form, expected_version=commitment.version)
        except ConcurrentUpdateError:
            report_conflict(request)
            if request.FILES:
                # A browser never sends a file twice by itself.
                messages.warning(request, _("Attach the PDF again before you save."))
            conflict = conflict_rows(form, changes, Commitment)
            data = form.data.copy()
            data["version"] = commitment.version
            form = ProgressForm(data, commitment=commitment)
            form.is_valid()
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Progress recorded."))
            return redirect(commitment)
    return render(
        request,
        "commitments/progress_form.html",
        {"form": form, "commitment": commitment, "conflict_rows": conflict},
    )


# What recording progress writes on the commitment itself.
PROGRESS_FIELDS = {"status", "fulfilled_on", "open_part"}


def _progress_meets(changes, *, status: str, commitment) -> bool:
    """Whether a progress update still fits after the colleague's `changes`: it does when they
    changed none of what progress writes, or already set the status this update chooses."""
    touched = {change.field for change in changes} & PROGRESS_FIELDS
    return not touched or (touched == {"status"} and status == commitment.status)


def _record_progress(request, commitment, form, *, expected_version: int) -> None:
    data = form.cleaned_data
    # One transaction: a Kamerstuk registered here is kept only if the update is.
    with transaction.atomic():
        evidence_document = data.get("evidence_document")
        if form.new_document:
            evidence_document = services.parliamentary_document_create(
                actor=request.user, **form.new_document
            )
        services.commitment_update_progress(
            commitment=commitment,
            author=request.user,
            status=data["status"],
            note=data.get("note", ""),
            evidence_document=evidence_document,
            evidence_url=data.get("evidence_url", ""),
            evidence_file=data.get("evidence_file"),
            open_part=data.get("open_part", ""),
            expected_version=expected_version,
        )


@login_required
def deadline_change_request(request, pk):
    commitment = _changeable_commitment(request, pk)
    form = DeadlineChangeRequestForm(request.POST or None, commitment=commitment)
    if request.method == "POST" and form.is_valid():
        try:
            services.deadline_change_request(
                commitment=commitment,
                requested_by=request.user,
                new_due_date=form.cleaned_data["new_due_date"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, _("Deadline change requested; a manager of the team decides on it.")
            )
            return redirect(commitment)
    return render(
        request, "commitments/deadline_request_form.html", {"form": form, "commitment": commitment}
    )


@login_required
def evidence_file(request, pk):
    """An uploaded PDF, served only to those who may read its commitment."""
    update = get_object_or_404(ProgressUpdate.objects.exclude(evidence_file=""), pk=pk)
    _readable_commitment(request, update.commitment_id)
    return FileResponse(
        update.evidence_file.open("rb"),
        content_type="application/pdf",
        filename=update.evidence_file.name.rsplit("/", 1)[-1],
    )
