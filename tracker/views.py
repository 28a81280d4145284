from django.conf import settings
from django.contrib.auth.views import PasswordResetView
from django.shortcuts import render
from django.views.i18n import set_language

from actionlines.models import Profile
from tracker.throttling import password_reset_allowed


def switch_language(request):
    """Django's set_language, and for a logged-in user the choice saved in their profile."""
    response = set_language(request)
    language = request.POST.get("language")
    if (
        request.method == "POST"
        and request.user.is_authenticated
        and language in dict(Profile.Language.choices)
    ):
        Profile.objects.update_or_create(user=request.user, defaults={"language": language})
    return response


class ThrottledPasswordResetView(PasswordResetView):
    """Django's password-reset request, refused with 429 when one address or one e-mail
    address asks too often (tracker.throttling)."""

    def post(self, request, *args, **kwargs):
        if not password_reset_allowed(request):
            return render(
                request,
                "registration/password_reset_throttled.html",
                {"minutes": settings.PASSWORD_RESET_WINDOW_MINUTES},
                status=429,
            )
        return super().post(request, *args, **kwargs)
