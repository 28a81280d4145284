"""The feed itself (fetched by calendar clients, without a login) and the buttons that manage it."""

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, login_required
from django.core.exceptions import BadRequest, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.cache import get_conditional_response
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from feeds import ics, selectors, services
from feeds.forms import FeedCreateForm
from feeds.templatetags.calendar_feeds import NEW_ADDRESS_SESSION_KEY


# The token in the address is the credential: calendar clients cannot log in, and a login
# redirect would read to them as a broken calendar.
@login_not_required
@require_safe
def feed_ics(request, token):
    feed = selectors.feed_for_token(token)
    if feed is None:
        raise Http404
    services.feed_touch(feed=feed)
    body = ics.feed_calendar(selectors.feed_content(feed=feed))
    etag = f'"{hashlib.sha256(body).hexdigest()}"'
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["ETag"] = etag
    # One person's work: no shared cache keeps it; a client asks again each time and gets a
    # 304 while nothing changed. No Last-Modified: an event that leaves the feed (a fulfilled
    # commitment) changes no date the header could carry.
    response["Cache-Control"] = "private, no-cache"
    response["Content-Disposition"] = 'inline; filename="toezeggingen.ics"'
    response["X-Robots-Tag"] = "noindex, nofollow"
    return get_conditional_response(request, etag=etag, response=response)


@login_required
@require_safe
@never_cache  # it may show a new feed's address, once
def feed_manage(request):
    return render(request, "feeds/manage.html", selectors.profile_context(request.user))


@login_required
@require_POST
def feed_create(request):
    form = FeedCreateForm(request.POST)
    if not form.is_valid():
        raise BadRequest("No such team.")
    try:
        feed, token = services.feed_create(actor=request.user, team=form.cleaned_data["team"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        _show_once(request, feed, token)
        messages.success(request, _("Calendar feed made."))
    return _back(request)


@login_required
@require_POST
def feed_regenerate(request, pk):
    feed = get_object_or_404(selectors.feeds_of(request.user), pk=pk)
    feed, token = services.feed_regenerate(actor=request.user, feed=feed)
    _show_once(request, feed, token)
    messages.success(request, _("New address made; the old one no longer works."))
    return _back(request)


@login_required
@require_POST
def feed_revoke(request, pk):
    feed = get_object_or_404(selectors.feeds_of(request.user), pk=pk)
    services.feed_revoke(actor=request.user, feed=feed)
    messages.success(request, _("Calendar feed revoked; its address no longer works."))
    return _back(request)


def _show_once(request, feed, token: str) -> None:
    url = services.feed_url(token)
    request.session[NEW_ADDRESS_SESSION_KEY] = {
        "feed": feed.pk,
        "url": url,
        # Opens the calendar app's own "subscribe" dialogue (Outlook, Apple Calendar).
        "webcal": "webcal://" + url.split("://", 1)[-1],
    }


def _back(request):
    """Back to the page whose form it was (the profile page or ours), else the profile page."""
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    try:
        return redirect(reverse("api:profile"))
    except NoReverseMatch:
        # Until the profile page exists, ours shows the same section.
        return redirect("feeds:manage")
