"""Throttling of logins and password-reset requests.

Logins go through django-axes (settings `AXES_*`): failures are counted per account and per
address in the database, and reaching either limit locks that account or address out until
`LOGIN_LOCKOUT_MINUTES` have passed since its last failure. An administrator unlocks by
deleting the attempts in the admin (Axes › Access attempts) or with `manage.py axes_reset`,
`axes_reset_username USERNAME` or `axes_reset_ip ADDRESS`.

Password-reset requests are counted in the cache per address and per e-mail address, in fixed
windows. Give the web processes a shared cache (`CACHE_URL=redis://…`) so the limit holds
across them; with the default per-process memory cache each process counts on its own.
"""

import hashlib
import logging

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit, get_lockout_parameters
from axes.models import AccessAttempt
from django.conf import settings
from django.core.cache import cache
from django.db.models import Sum
from django.shortcuts import render

log = logging.getLogger("tracker.security")


def client_ip(request) -> str | None:
    """The address of the client. Behind our reverse proxy (`BEHIND_PROXY`) that is the last
    entry of X-Forwarded-For, the one the proxy wrote; otherwise the header is ignored, since
    any client can send it."""
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        entries = [entry.strip() for entry in forwarded.split(",") if entry.strip()]
        if entries:
            return entries[-1]
    return request.META.get("REMOTE_ADDR")


# --- logins (django-axes) ---------------------------------------------------------------------


def _limit_of(parameter) -> int:
    names = {parameter} if isinstance(parameter, str) else set(parameter)
    if names == {"username"}:
        return settings.LOGIN_FAILURES_PER_ACCOUNT
    if names == {"ip_address"}:
        return settings.LOGIN_FAILURES_PER_ADDRESS
    return settings.AXES_FAILURE_LIMIT


class LoginAttemptHandler(AxesDatabaseHandler):
    """Axes' database handler with a limit for each lockout parameter.

    Axes compares the highest failure count of the lockout parameters with one limit,
    `AXES_FAILURE_LIMIT` (here the per-account limit). `get_failures` scales each count onto
    that limit, so an account is locked at `LOGIN_FAILURES_PER_ACCOUNT` failures and an address
    at `LOGIN_FAILURES_PER_ADDRESS`: many people may share one office address.
    """

    def get_failures(self, request, credentials=None) -> int:
        limit = get_failure_limit(request, credentials)
        parameters = get_lockout_parameters(request, credentials)
        attempts_list = self.get_user_attempts(request, credentials)
        scaled = [0]
        for parameter, attempts in zip(parameters, attempts_list, strict=True):
            failures = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            own_limit = _limit_of(parameter)
            # At `own_limit` failures this reaches `limit`, and not one failure earlier.
            scaled.append(failures * limit // own_limit)
        return max(scaled)

    def reset_user_attempts(self, request, credentials=None) -> int:
        """After a successful login, forget that user's failures from this address only.

        Axes would delete every attempt of the account and of the address: then anyone with
        an account of their own could clear the count of the account they are guessing.
        """
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(
            username=username, ip_address=request.axes_ip_address
        ).delete()
        return count


# Django's longest username; a longer one cannot be an account, and the record of attempts keeps
# at most this much of what was typed.
USERNAME_MAX_LENGTH = 150


def attempted_username(request, credentials=None) -> str:
    """The username a login named (AXES_USERNAME_CALLABLE), cut to a username's length."""
    username = credentials.get("username") if credentials else request.POST.get("username")
    return str(username or "")[:USERNAME_MAX_LENGTH]


def lockout_response(request, original_response=None, credentials=None):
    """The page a locked-out login gets (AXES_LOCKOUT_CALLABLE), with status 429."""
    username = get_client_username(request, credentials) or ""
    log.warning(
        "Login refused: too many failed attempts (username %r, address %s, path %s).",
        username,
        getattr(request, "axes_ip_address", None) or client_ip(request),
        request.path,
    )
    return render(
        request,
        "registration/locked_out.html",
        {
            "minutes": settings.LOGIN_LOCKOUT_MINUTES,
            "support_contact": settings.SUPPORT_CONTACT,
        },
        status=429,
    )


# --- password-reset requests ------------------------------------------------------------------


def _hit(scope: str, key: str, window: int) -> int:
    """Counts one request for `key` in the current window of `window` seconds; returns the
    count so far, this one included."""
    digest = hashlib.sha256(key.encode()).hexdigest()
    cache_key = f"throttle:{scope}:{digest}"
    # add() starts the window only when no count is running; incr() keeps the key's expiry.
    cache.add(cache_key, 0, timeout=window)
    try:
        return cache.incr(cache_key)
    except ValueError:
        # The window ended between add() and incr().
        cache.add(cache_key, 1, timeout=window)
        return 1


def password_reset_allowed(request) -> bool:
    """Counts a password-reset request; False once its address or e-mail address has made
    more than the limit in the current window."""
    window = settings.PASSWORD_RESET_WINDOW_MINUTES * 60
    address = client_ip(request) or "unknown"
    email = request.POST.get("email", "").strip().lower()
    refused = _hit("reset-address", address, window) > settings.PASSWORD_RESET_PER_ADDRESS
    if email:
        per_email = _hit("reset-email", email, window)
        refused = refused or per_email > settings.PASSWORD_RESET_PER_EMAIL
    if refused:
        log.warning(
            "Password reset refused: too many requests (e-mail %r, address %s).", email, address
        )
    return not refused
