"""Parliamentary documents and debates: the shared records commitments refer to."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from commitments import access, services
from commitments.forms import DebateForm, DocumentForm
from commitments.models import Debate, ParliamentaryDocument
from commitments.search import text_search
from commitments.selectors import commitment_visibility
from tracker.concurrency import ConcurrentUpdateError
from tracker.forms import apply_errors, rebind_at_current_version, report_conflict

RECORDS = {
    "document": {
        "model": ParliamentaryDocument,
        "form": DocumentForm,
        "search": ("dossier_number", "title"),
        "list_template": "commitments/document_list.html",
        "title": _("Kamerstukken and letters"),
    },
    "debate": {
        "model": Debate,
        "form": DebateForm,
        "search": ("title", "activity_number"),
        "list_template": "commitments/debate_list.html",
        "title": _("Debates"),
    },
}


def _search(queryset, fields, text):
    text = text.strip()
    if not text:
        return queryset
    return queryset.filter(text_search(text, *fields))


@login_required
def record_list(request, kind):
    config = RECORDS[kind]
    model = config["model"]
    related = "commitments" if model is Debate else "fulfilled_commitments"
    records = _search(model.objects.all(), config["search"], request.GET.get("q", ""))
    # Counting groups the rows, and Django drops Meta.ordering from grouped queries. Only the
    # commitments the user may read are counted: a count says something too.
    visible = commitment_visibility(request.user, f"{related}__")
    records = records.annotate(commitment_count=Count(related, filter=visible)).order_by(
        *model._meta.ordering, "pk"
    )
    if model is Debate:
        records = records.select_related("committee")
    page = Paginator(records, 50).get_page(request.GET.get("page"))
    return render(
        request,
        config["list_template"],
        {
            "page": page,
            "q": request.GET.get("q", ""),
            "can_edit": access.can_edit_parliamentary_records(request.user),
        },
    )


@login_required
def record_form(request, kind, pk=None):
    if not access.can_edit_parliamentary_records(request.user):
        raise PermissionDenied
    config = RECORDS[kind]
    instance = get_object_or_404(config["model"], pk=pk) if pk else None
    form = config["form"](request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        record = form.save(commit=False)
        try:
            # One transaction: a committee added with the debate is kept only with it.
            with transaction.atomic():
                if getattr(form, "new_committee", None):
                    record.committee = services.committee_create(
                        actor=request.user, **form.new_committee
                    )
                services.parliamentary_record_save(
                    actor=request.user, record=record, expected_version=form.expected_version
                )
        except ConcurrentUpdateError:
            report_conflict(request)
            form = rebind_at_current_version(form)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("%(record)s saved.") % {"record": record})
            return redirect(f"commitments:{kind}_list")
    return render(
        request,
        "commitments/record_form.html",
        {"form": form, "record": instance, "kind": kind, "list_title": config["title"]},
    )
