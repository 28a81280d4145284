"""Follow-up letters (voortgangsbrieven): their plans, postponing or cancelling them, and
recording them as sent."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from commitments import access, selectors, services
from commitments.forms import (
    FollowUpLetterForm,
    LetterCancelForm,
    LetterPostponeForm,
    LetterSentForm,
)
from commitments.models import OPEN_STATUSES, FollowUpLetter
from tracker.access import allowed
from tracker.concurrency import ConcurrentUpdateError
from tracker.forms import apply_errors, rebind_at_current_version, report_conflict


def _readable_letter(request, pk) -> FollowUpLetter:
    try:
        letter = selectors.letter_detail(pk=pk, user=request.user)
    except FollowUpLetter.DoesNotExist:
        raise Http404 from None
    if not allowed(request.user, "commitments.view_followupletter", letter):
        raise Http404
    return letter


def _changeable_letter(request, pk) -> FollowUpLetter:
    letter = _readable_letter(request, pk)
    if not allowed(request.user, "commitments.change_followupletter", letter):
        raise PermissionDenied
    return letter


@login_required
def letter_list(request):
    return render(
        request,
        "commitments/letter_list.html",
        {
            "letters": selectors.letter_list(user=request.user),
            "today": timezone.localdate(),
            "can_create": access.can_create_commitment(request.user),
        },
    )


@login_required
def letter_detail(request, pk):
    letter = _readable_letter(request, pk)
    return render(
        request,
        "commitments/letter_detail.html",
        {
            "letter": letter,
            "today": timezone.localdate(),
            "can_change": allowed(request.user, "commitments.change_followupletter", letter),
        },
    )


def _letter_form(request, letter):
    return FollowUpLetterForm(
        request.POST or None,
        instance=letter,
        user=request.user,
        changeable_commitments=selectors.commitments_changeable_by(request.user),
    )


def _save_letter(request, form):
    letter = form.save(commit=False)
    return services.follow_up_letter_save(
        actor=request.user,
        letter=letter,
        commitments=form.cleaned_data["commitments"],
        expected_version=form.expected_version,
    )


@login_required
def letter_create(request):
    if not access.can_create_commitment(request.user):
        raise PermissionDenied
    form = _letter_form(request, None)
    if request.method == "POST" and form.is_valid():
        try:
            letter = _save_letter(request, form)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Follow-up letter planned."))
            return redirect(letter)
    return render(request, "commitments/letter_form.html", {"form": form, "letter": None})


@login_required
def letter_edit(request, pk):
    letter = _changeable_letter(request, pk)
    form = _letter_form(request, letter)
    if request.method == "POST" and form.is_valid():
        try:
            _save_letter(request, form)
        except ConcurrentUpdateError:
            report_conflict(request)
            form = rebind_at_current_version(
                form,
                user=request.user,
                changeable_commitments=selectors.commitments_changeable_by(request.user),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect(letter)
    return render(request, "commitments/letter_form.html", {"form": form, "letter": letter})


@login_required
def letter_record_sent(request, pk):
    """The letter became a Kamerstuk: record it and fulfil, in one step, what it answered."""
    letter = _changeable_letter(request, pk)
    if letter.status == FollowUpLetter.Status.SENT:
        messages.info(request, _("This letter is recorded as sent already."))
        return redirect(letter)
    if letter.status == FollowUpLetter.Status.CANCELLED:
        messages.info(request, _("This letter is cancelled."))
        return redirect(letter)
    form = LetterSentForm(request.POST or None, letter=letter, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            # One transaction: a Kamerstuk registered here is kept only if the letter is.
            with transaction.atomic():
                document = form.cleaned_data.get(
                    "document"
                ) or services.parliamentary_document_create(actor=request.user, **form.new_document)
                services.follow_up_letter_record_sent(
                    letter=letter,
                    author=request.user,
                    document=document,
                    outcomes=form.outcomes(),
                    open_parts=form.open_parts(),
                    sent_on=form.cleaned_data.get("sent_on"),
                    expected_version=form.cleaned_data["version"],
                )
        except services.LetterAlreadySent:
            # A second submit of the same form, or a colleague was quicker: nothing changed.
            messages.info(request, _("This letter is recorded as sent already."))
            return redirect(letter)
        except ConcurrentUpdateError:
            report_conflict(request)
            letter = _changeable_letter(request, pk)
            data = form.data.copy()
            data["version"] = letter.version
            form = LetterSentForm(data, letter=letter, user=request.user)
            form.is_valid()
        except ValidationError as error:
            apply_errors(form, error)
        else:
            count = len(form.outcomes())
            messages.success(
                request,
                ngettext(
                    "Letter recorded as %(document)s; %(count)s commitment updated.",
                    "Letter recorded as %(document)s; %(count)s commitments updated.",
                    count,
                )
                % {"document": document.citation, "count": count},
            )
            return redirect(letter)
    return render(request, "commitments/letter_sent_form.html", {"form": form, "letter": letter})


def _closed_letter_answer(request, letter):
    """A sent or cancelled letter is not postponed or cancelled: say so and show it."""
    if letter.status == FollowUpLetter.Status.SENT:
        messages.info(request, _("This letter is recorded as sent already."))
    else:
        messages.info(request, _("This letter is cancelled."))
    return redirect(letter)


@login_required
def letter_postpone(request, pk):
    """Move the letter to a later planned date; the move and its reason stay on the letter."""
    letter = _changeable_letter(request, pk)
    if letter.is_closed:
        return _closed_letter_answer(request, letter)
    form = LetterPostponeForm(request.POST or None, letter=letter)
    if request.method == "POST" and form.is_valid():
        try:
            services.follow_up_letter_postpone(
                letter=letter,
                actor=request.user,
                planned_date=form.cleaned_data["planned_date"],
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except ConcurrentUpdateError:
            report_conflict(request)
            letter = _changeable_letter(request, pk)
            data = form.data.copy()
            data["version"] = letter.version
            form = LetterPostponeForm(data, letter=letter)
            form.is_valid()
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Letter postponed."))
            return redirect(letter)
    return render(
        request, "commitments/letter_postpone_form.html", {"form": form, "letter": letter}
    )


@login_required
def letter_cancel(request, pk):
    """Cancel the letter; its open commitments move to another letter or stay open."""
    letter = _changeable_letter(request, pk)
    if letter.is_closed:
        return _closed_letter_answer(request, letter)
    other_letters = selectors.letters_changeable_by(request.user)
    form = LetterCancelForm(request.POST or None, letter=letter, other_letters=other_letters)
    if request.method == "POST" and form.is_valid():
        try:
            services.follow_up_letter_cancel(
                letter=letter,
                actor=request.user,
                reason=form.cleaned_data["cancellation_reason"],
                move_to=form.cleaned_data.get("move_to"),
                expected_version=form.cleaned_data["version"],
            )
        except ConcurrentUpdateError:
            report_conflict(request)
            letter = _changeable_letter(request, pk)
            data = form.data.copy()
            data["version"] = letter.version
            form = LetterCancelForm(data, letter=letter, other_letters=other_letters)
            form.is_valid()
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Letter cancelled."))
            return redirect(letter)
    return render(
        request,
        "commitments/letter_cancel_form.html",
        {"form": form, "letter": letter, "open_commitments": _open_commitments(letter)},
    )


def _open_commitments(letter):
    return [c for c in letter.commitments.all() if c.status in OPEN_STATUSES]
