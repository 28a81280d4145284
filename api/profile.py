"""The person's own page: their API tokens (and calendar feeds); staff see everyone's tokens."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from api import services
from api.access import oversees_tokens
from api.models import ApiToken
from tracker.access import allowed
from tracker.forms import apply_errors

# The new key travels to the next page in the session once, and is gone when shown.
NEW_KEY_SESSION = "api-new-token"


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("What it is for"),
        max_length=100,
        help_text=gettext_lazy('E.g. "planning export" or "document system".'),
    )
    days = forms.IntegerField(
        label=gettext_lazy("Valid for (days)"),
        min_value=1,
        max_value=settings.API_TOKEN_MAX_DAYS,
        initial=settings.API_TOKEN_DAYS,
    )


def _feeds_context(user) -> dict:
    try:
        from feeds.selectors import profile_context
    except ImportError:
        return {}
    return {**profile_context(user), "feeds_section": True}


@never_cache
@login_required
def profile(request, form=None):
    user = request.user
    tokens = ApiToken.objects.filter(user=user).order_by("-created_at")
    others = None
    # Policy staff and admins see, and may revoke, every live token.
    if oversees_tokens(user) or user.is_superuser:
        others = (
            ApiToken.objects.exclude(user=user)
            .filter(revoked_at__isnull=True)
            .select_related("user")
            .order_by("user__username", "-created_at")
        )
    return render(
        request,
        "api/profile.html",
        {
            "tokens": tokens,
            "other_tokens": others,
            "token_form": form or TokenForm(),
            "new_key": request.session.pop(NEW_KEY_SESSION, None),
            **_feeds_context(user),
        },
        status=400 if form is not None and form.errors else 200,
    )


@login_required
@require_POST
def token_create(request):
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            token, key = services.token_create(
                actor=request.user,
                user=request.user,
                name=form.cleaned_data["name"],
                days=form.cleaned_data["days"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            request.session[NEW_KEY_SESSION] = {"name": token.name, "key": key}
            messages.success(request, _("Token made. Copy it now: it is shown only once."))
            return redirect("api:profile")
    return profile(request, form=form)


@login_required
@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(ApiToken.objects.select_related("user"), pk=pk)
    if not allowed(request.user, "api.view_apitoken", token):
        raise Http404
    if not allowed(request.user, "api.change_apitoken", token):
        raise PermissionDenied
    services.token_revoke(actor=request.user, token=token)
    messages.success(request, _("Token revoked: it no longer works."))
    return redirect("api:profile")


@csrf_exempt
def api_not_found(request):
    """No such resource under /api/v1/: answered in JSON, like every other API error."""
    return JsonResponse({"detail": _("Not found.")}, status=404)
