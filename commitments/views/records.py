"""Parliamentary documents and debates: the shared records commitments refer to."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from commitments import access
from commitments.forms import DebateForm, DocumentForm
from commitments.models import Debate, ParliamentaryDocument

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
    condition = Q()
    for field in fields:
        condition |= Q(**{f"{field}__icontains": text})
    return queryset.filter(condition)


@login_required
def record_list(request, kind):
    config = RECORDS[kind]
    model = config["model"]
    related = "commitments" if model is Debate else "fulfilled_commitments"
    records = _search(model.objects.all(), config["search"], request.GET.get("q", ""))
    # Counting groups the rows, and Django drops Meta.ordering from grouped queries.
    records = records.annotate(commitment_count=Count(related)).order_by(
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
        record._history_user = request.user
        record.save()
        messages.success(request, _("%(record)s saved.") % {"record": record})
        return redirect(f"commitments:{kind}_list")
    return render(
        request,
        "commitments/record_form.html",
        {"form": form, "record": instance, "kind": kind, "list_title": config["title"]},
    )
