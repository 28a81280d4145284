"""Pages of the review: upload debate reports, the inbox "Te beoordelen", one proposal."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from commitments.access import can_export
from commitments.models import Debate
from commitments.selectors import commitments_visible_to
from parliament import register, selectors, services, vlos
from parliament.forms import (
    AcceptAllForm,
    DifferenceForm,
    ProposalKeepApartForm,
    ProposalLinkForm,
    ProposalRejectForm,
    ProposalReviewForm,
    ReportUploadForm,
)
from parliament.models import Proposal, RegisterNote
from tracker.access import allowed
from tracker.concurrency import ConcurrentUpdateError
from tracker.forms import apply_errors, report_conflict


@login_required
def report_upload(request):
    if not allowed(request.user, "parliament.add_importedreport"):
        raise PermissionDenied
    form = ReportUploadForm(request.POST or None, request.FILES or None)
    results = []
    if request.method == "POST" and form.is_valid():
        for upload in form.cleaned_data["reports"]:
            results.append(_import_one(request, upload))
        imported = sum(result.get("new", 0) for result in results)
        messages.success(
            request,
            ngettext(
                "%(count)s commitment captured for review.",
                "%(count)s commitments captured for review.",
                imported,
            )
            % {"count": imported},
        )
    return render(request, "parliament/upload.html", {"form": form, "results": results})


def _import_one(request, upload) -> dict:
    """Import one uploaded file; a bad file is reported and the others go on."""
    name = upload.name
    if upload.size > vlos.MAX_REPORT_BYTES:
        return {"file": name, "refused": _("The file is larger than a debate report can be.")}
    try:
        outcome = services.report_import(actor=request.user, data=upload.read(), file_name=name)
    except vlos.ReportRefused as refused:
        return {"file": name, "refused": refused.reason}
    return {
        "file": name,
        "debate": outcome.imported.debate if outcome.imported else None,
        "new": outcome.new,
        "already_imported": outcome.already_imported,
    }


@login_required
def review_inbox(request):
    if not allowed(request.user, "parliament.view_proposal"):
        raise PermissionDenied
    debates = list(selectors.review_inbox())
    for debate in debates:
        for proposal in debate.open_proposals:
            proposal.readable_duplicate = _readable(request.user, proposal.possible_duplicate)
    return render(
        request,
        "parliament/inbox.html",
        {"debates": debates, "accept_all_form": AcceptAllForm(user=request.user)},
    )


@login_required
@require_POST
def debate_accept_all(request, pk):
    if not allowed(request.user, "parliament.view_proposal"):
        raise PermissionDenied
    debate = get_object_or_404(Debate, pk=pk)
    form = AcceptAllForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, _("Choose the team the commitments go to."))
        return redirect("parliament:inbox")
    accepted, left = services.proposals_accept_all(
        actor=request.user, debate=debate, team=form.cleaned_data["team"]
    )
    messages.success(
        request,
        ngettext("%(count)s commitment accepted.", "%(count)s commitments accepted.", len(accepted))
        % {"count": len(accepted)},
    )
    if left:
        messages.warning(
            request,
            ngettext(
                "%(count)s is left to review one by one: its bewindspersoon is not known yet.",
                "%(count)s are left to review one by one: their bewindspersoon is not known yet.",
                len(left),
            )
            % {"count": len(left)},
        )
    return redirect("parliament:inbox")


@login_required
def proposal_review(request, pk):
    try:
        proposal = selectors.proposal_detail(pk=pk)
    except Proposal.DoesNotExist:
        raise Http404 from None
    user = request.user
    if not allowed(user, "parliament.view_proposal", proposal):
        raise PermissionDenied
    may_review = proposal.state == Proposal.State.OPEN and allowed(
        user, "parliament.change_proposal", proposal
    )
    action = request.POST.get("action") if request.method == "POST" else None
    if action and not may_review:
        raise PermissionDenied
    data = request.POST if action else None
    accept = ProposalReviewForm(data if action == "accept" else None, proposal=proposal, user=user)
    reject = ProposalRejectForm(
        data if action == "reject" else None, initial={"version": proposal.version}
    )
    link = ProposalLinkForm(
        data if action == "link" else None,
        initial={
            "version": proposal.version,
            "commitment": proposal.possible_duplicate_id,
        },
        candidates=selectors.link_candidates(proposal=proposal, user=user),
    )
    keep_apart = ProposalKeepApartForm(
        data if action == "keep_apart" else None, initial={"version": proposal.version}
    )
    form = {"accept": accept, "reject": reject, "link": link, "keep_apart": keep_apart}.get(action)
    if form is not None and form.is_valid():
        try:
            outcome = _decide(request, proposal, action, form.cleaned_data)
        except ConcurrentUpdateError:
            report_conflict(request)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, outcome)
            return redirect("parliament:inbox")
    return render(
        request,
        "parliament/review.html",
        {
            "proposal": proposal,
            # The registered commitments it may be, or became, only for those who may read them.
            "duplicate": _readable(user, proposal.possible_duplicate),
            "commitment": _readable(user, proposal.commitment),
            "accept_form": accept,
            "reject_form": reject,
            "link_form": link,
            "keep_apart_form": keep_apart,
            "may_review": may_review,
            "failed": action if form is not None and form.errors else None,
        },
    )


def _readable(user, commitment):
    if commitment is not None and allowed(user, "commitments.view_commitment", commitment):
        return commitment
    return None


def _decide(request, proposal, action, data) -> str:
    version = data["version"]
    if action == "accept":
        commitment = services.proposal_accept(
            actor=request.user,
            proposal=proposal,
            expected_version=version,
            reference=data["reference"],
            text=data["text"],
            made_by=data["made_by"],
            new_bewindspersoon_ministry=data["new_bewindspersoon_ministry"],
            team=data["team"],
            owner=data["owner"],
            deadline_wording=data["deadline_wording"],
            due_date=data["due_date"],
            activities=data["activities"],
            letters=data["letters"],
        )
        return _("Accepted as commitment %(ref)s.") % {"ref": commitment.reference}
    if action == "link":
        services.proposal_link(
            actor=request.user,
            proposal=proposal,
            expected_version=version,
            commitment=data["commitment"],
        )
        return _("Linked to commitment %(ref)s.") % {"ref": data["commitment"].reference}
    if action == "keep_apart":
        commitment = services.proposal_keep_apart(
            actor=request.user, proposal=proposal, expected_version=version
        )
        return _("Kept apart as commitment %(ref)s.") % {"ref": commitment.reference}
    services.proposal_reject(
        actor=request.user, proposal=proposal, expected_version=version, reason=data["reason"]
    )
    return _("Rejected; the reason is kept with the report.")


# --- differences with the Kamer's register --------------------------------------------------

DIFFERENCES_PAGE_SIZE = 50


@login_required
def register_differences(request, failed=None):
    """ "Verschillen met het Kamerregister": what each side says, and what can be done."""
    user = request.user
    page = Paginator(selectors.register_differences(user), DIFFERENCES_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for commitment in page:
        commitment.differences = selectors.differences_of(commitment)
        commitment.may_change = allowed(user, "commitments.change_commitment", commitment)
    return render(
        request,
        "parliament/differences.html",
        {"page": page, "failed": failed},
        status=400 if failed else 200,
    )


@login_required
@require_POST
def register_difference_resolve(request, pk):
    commitment = commitments_visible_to(request.user).filter(pk=pk).first()
    if commitment is None:
        raise Http404
    if not allowed(request.user, "commitments.change_commitment", commitment):
        raise PermissionDenied
    kind = request.POST.get("kind", "")
    # The ids of the row's own fields, so that the error summary leads to them.
    row = f"{commitment.pk}-{kind if kind in RegisterNote.Kind.values else 'x'}"
    form = DifferenceForm(request.POST, auto_id=f"%s-{row}")
    if form.is_valid():
        data = form.cleaned_data
        try:
            outcome = _resolve(request.user, commitment, data)
        except ConcurrentUpdateError:
            report_conflict(request)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, outcome)
            return redirect(f"{reverse('parliament:register_differences')}?{_page(request)}")
    return register_differences(
        request, failed={"pk": commitment.pk, "kind": request.POST.get("kind"), "form": form}
    )


def _page(request) -> str:
    page = request.POST.get("page", "")
    return f"page={page}" if page.isdigit() else ""


def _resolve(user, commitment, data) -> str:
    action, kind = data["action"], data["kind"]
    if action == "accept":
        services.register_difference_accept(
            actor=user, commitment=commitment, kind=kind, expected_version=data["version"]
        )
        return _("%(ref)s now follows the Kamer's register.") % {"ref": commitment.reference}
    if action == "keep":
        services.register_difference_keep(
            actor=user, commitment=commitment, kind=kind, note=data["note"]
        )
        return _("%(ref)s keeps the ministry's value; the note is kept.") % {
            "ref": commitment.reference
        }
    services.register_difference_link(actor=user, commitment=commitment, number=data["number"])
    return _("%(ref)s is linked to %(number)s in the Kamer's register.") % {
        "ref": commitment.reference,
        "number": data["number"].strip().upper(),
    }


@login_required
def register_export_download(request):
    """The commitments the user may read, in the register's shape (JSON), for staff."""
    if not can_export(request.user):
        raise PermissionDenied

    chunks = register.export_chunks(
        selectors.register_export(user=request.user), context=register.EXPORT_CONTEXT
    )
    response = StreamingHttpResponse(
        (chunk.encode() for chunk in chunks), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="kamerregister-toezeggingen.json"'
    return response
