"""Refuses requests whose input holds a NUL character, before any view or database sees it.

PostgreSQL cannot store or compare a string with a NUL (0x00) character: psycopg2 raises
ValueError for such a parameter, so a `?q=%00` in a search box, an admin filter or a form
field would end as a server error. No one types a NUL on purpose, so the tracker answers
400 with a message instead, for every page, the admin and the login pages alike.

The guard looks at the path, the query string, the form fields and the names of uploaded
files, and at the cookies (the session key is looked up in the database). It sits near the
top of MIDDLEWARE, before the session is loaded, and costs one scan of each value.
"""

from functools import cache

from django.conf import settings
from django.http import HttpResponseBadRequest, JsonResponse
from django.template import engines
from django.utils import translation
from django.utils.translation import gettext

NUL = "\x00"
API_PREFIX = "/api/"
SUPPORTED_LANGUAGES = {code for code, _name in settings.LANGUAGES}

# Not a 400.html: Django's own handler renders that with the request's context processors,
# which need the user, and a request refused this early (an unknown host, say) has none.
PAGE = """{% extends "base.html" %}
{% block title %}{{ title }}{% endblock %}
{% block content %}
<h1>{{ heading }}</h1>
<p>{{ reason }}</p>
<p><a href="{% url 'commitments:my_work' %}">{{ back }}</a></p>
{% endblock %}"""


def _has_nul(querydict) -> bool:
    return any(
        NUL in key or any(NUL in value for value in values) for key, values in querydict.lists()
    )


def contains_nul(request) -> bool:
    """Whether any part of the request a view or the database may read holds a NUL."""
    if NUL in request.path_info or _has_nul(request.GET):
        return True
    if any(NUL in name or NUL in value for name, value in request.COOKIES.items()):
        return True
    if request.method == "POST":
        # Parses the body as CsrfViewMiddleware would a moment later: it is parsed only once.
        if _has_nul(request.POST):
            return True
        return any(
            NUL in key or any(NUL in (upload.name or "") for upload in uploads)
            for key, uploads in request.FILES.lists()
        )
    return False


@cache
def _page():
    return engines["django"].from_string(PAGE)


class InputGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if contains_nul(request):
            return self.refuse(request)
        return self.get_response(request)

    def refuse(self, request):
        # The language middleware has not run yet: follow the language cookie it keeps.
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in SUPPORTED_LANGUAGES:
            language = settings.LANGUAGE_CODE
        with translation.override(language):
            context = {
                "title": gettext("Invalid input"),
                "heading": gettext("Your input could not be processed"),
                "reason": gettext(
                    "Your input contains a character that is not allowed (NUL). Remove it "
                    "and try again; nothing was changed."
                ),
                "back": gettext("Back to my work"),
            }
            if request.path_info.startswith(API_PREFIX):
                # Scripts read the API's errors as JSON, like every other API answer.
                response = JsonResponse({"detail": context["reason"]}, status=400)
                response.headers["Content-Language"] = language
                return response
            # Without the request: the session and the user are not loaded yet.
            body = _page().render(context)
        response = HttpResponseBadRequest(body)
        response.headers["Content-Language"] = language
        return response
