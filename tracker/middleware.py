"""The interface language: Dutch unless the user chose English.

Django's LocaleMiddleware would follow the browser's Accept-Language, so most officials would
see English on an English-language laptop. The ministry works in Dutch; English is a choice a
user makes once, kept in their profile (for e-mails too) and in the language cookie.
"""

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers

SUPPORTED = {code for code, _name in settings.LANGUAGES}


class PreferredLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = cookie if cookie in SUPPORTED else None
        remember = False
        if language is None and request.user.is_authenticated:
            # One query, on the first request after login: the cookie carries it from then on.
            from actionlines.models import Profile

            language = (
                Profile.objects.filter(user=request.user).values_list("language", flat=True).first()
            )
            language = language or settings.LANGUAGE_CODE
            remember = True
        language = language or settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        if remember and settings.LANGUAGE_COOKIE_NAME not in response.cookies:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response
