"""Suggestions for a lookup box while a person types (static/js/lookup.js asks)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.views.decorators.http import require_GET

from commitments.lookups import LOOKUPS
from tracker.forms import LOOKUP_LIMIT


@require_GET
@login_required
def lookup(request, kind: str):
    found = LOOKUPS.get(kind)
    if found is None:
        raise Http404
    text = request.GET.get("q", "").strip()[:200]
    records = found.search(found.queryset(), text)[:LOOKUP_LIMIT] if len(text) >= 2 else []
    return JsonResponse({"results": [found.label(record) for record in records]})
