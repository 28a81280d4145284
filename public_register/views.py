"""The public register: pages and open data that anyone may read, without logging in.

Every page here is the same for every visitor (logged in or not) in one language, so it can be
cached, by us (public/cache.py) and by any proxy on the way (Cache-Control: public). That is
why these pages carry no CSRF token and no user's name, and why their language switch is a
plain GET form: it sets the same language cookie the site's own switch sets and that
`tracker.middleware.PreferredLanguageMiddleware` reads, without a token that would make the
page differ per visitor.
"""

from django.conf import settings
from django.http import Http404, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_safe

from actionlines.models import Plan
from commitments.models import CommitmentStatus
from public_register import cache as page_cache
from public_register import selectors
from public_register.filters import PARAMETERS, SEARCH_MAX_LENGTH
from tracker import exports

LICENCE_URL = "https://creativecommons.org/publicdomain/zero/1.0/"
# A query string may repeat a parameter (status=open&status=fulfilled), but not endlessly.
MAX_VALUES_PER_PARAMETER = len(CommitmentStatus.values)


def _normalised(data) -> QueryDict:
    """The parameters the public pages read, and nothing else: the cache key and the links."""
    query = QueryDict(mutable=True)
    for name in PARAMETERS:
        values = [value[:SEARCH_MAX_LENGTH] for value in data.getlist(name)]
        if values:
            query.setlist(name, values[:MAX_VALUES_PER_PARAMETER])
    return query


def _public(response, seconds=None):
    patch_cache_control(
        response, public=True, max_age=page_cache.cache_seconds() if seconds is None else seconds
    )
    return response


def _cached_page(request, *, name: str, template: str, context, query=None):
    """The rendered page from the cache, or rendered by `context(query)` and kept.

    `context` is called only on a miss, so a page served from the cache asks the database
    nothing at all.
    """
    query = QueryDict(mutable=True) if query is None else query
    key = page_cache.page_key(
        page=name, language=translation.get_language(), query=query.urlencode()
    )
    content = page_cache.get_page(key)
    if content is None:
        content = render_to_string(
            template, {**context(query), "query": query, "current": name}, request=request
        )
        page_cache.keep_page(key, content)
    return _public(HttpResponse(content))


@require_safe
def commitment_list(request):
    def context(query):
        today = timezone.localdate()
        filterset = selectors.public_filter(data=query, today=today)
        page = selectors.public_page(queryset=filterset.qs, number=query.get("page"), today=today)
        return {
            "filter": filterset,
            "page": page,
            "years": selectors.public_years(),
            "chosen_statuses": query.getlist("status"),
            "status_choices": CommitmentStatus.choices,
            "licence_url": LICENCE_URL,
        }

    return _cached_page(
        request,
        name="list",
        template="public/commitment_list.html",
        context=context,
        query=_normalised(request.GET),
    )


@require_safe
def plan_list(request):
    return _cached_page(
        request,
        name="plan_list",
        template="public/plan_list.html",
        context=lambda query: {"plans": selectors.public_plan_list()},
    )


@require_safe
def plan_detail(request, pk: int):
    def context(query):
        today = timezone.localdate()
        try:
            plan = selectors.public_plan_detail(pk=pk)
        except Plan.DoesNotExist:
            raise Http404(_("There is no public plan with this number.")) from None
        commitments, total = selectors.public_plan_commitments(plan=plan, today=today)
        return {"plan": plan, "commitments": commitments, "commitment_total": total}

    return _cached_page(
        request, name=f"plan-{pk}", template="public/plan_detail.html", context=context
    )


def _export_header() -> list[str]:
    return [
        pgettext("the register number, else the ministry's reference", "Number"),
        _("Reference"),
        _("Register number"),
        _("Text"),
        _("Status"),
        _("Status in the Kamer's register"),
        _("Made on"),
        _("Bewindspersoon"),
        _("Function"),
        _("Ministry"),
        _("Debate"),
        _("Date of the debate"),
        _("Activity number"),
        _("Made in document"),
        _("Deadline as worded"),
        _("Due date"),
        _("Overdue (days)"),
        _("Fulfilled on"),
        _("Fulfilled by"),
        _("Links to the fulfilling documents"),
    ]


def _export_row(commitment) -> list:
    debate, document = commitment.debate, commitment.source_document
    return [
        commitment.number,
        commitment.reference,
        commitment.register_number,
        commitment.text,
        commitment.get_status_display(),
        commitment.register_term,
        commitment.made_on,
        commitment.made_by.name,
        commitment.made_by_function,
        commitment.made_by.ministry.name,
        debate.title if debate else "",
        debate.date if debate else None,
        debate.activity_number if debate else "",
        str(document.citation) if document else "",
        commitment.deadline_wording,
        commitment.due_date,
        commitment.days_late or "",
        commitment.fulfilled_on,
        "; ".join(str(letter.citation) for letter in commitment.letters),
        " ".join(letter.url for letter in commitment.letters if letter.url),
    ]


def _filename(extension: str) -> str:
    return f"toezeggingen-openbaar-{timezone.localdate():%Y-%m-%d}.{extension}"


def _open_data(response, extension: str):
    response["Content-Disposition"] = f'attachment; filename="{_filename(extension)}"'
    response["Link"] = f'<{LICENCE_URL}>; rel="license"'
    return _public(response)


class _Echo:
    """A file-like object for the CSV writer that hands each line back instead of storing it."""

    def write(self, value):
        return value


@require_safe
def export_csv(request):
    """The filtered public list as CSV, streamed; values a spreadsheet would run as a formula
    are written as text (tracker.exports)."""
    today = timezone.localdate()
    filterset = selectors.public_filter(data=_normalised(request.GET), today=today)
    writer = exports.csv_writer(_Echo())

    def lines():
        # The byte-order mark lets Excel recognise UTF-8 (ë, é) when the file is opened.
        yield "\ufeff" + writer.writerow(_export_header())
        for commitment in selectors.public_export_rows(filterset.qs, today=today):
            yield writer.writerow(_export_row(commitment))

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    return _open_data(response, "csv")


@require_safe
def export_json(request):
    """The filtered public list in the shape of the Kamer's register (OData `Toezegging`)."""
    from parliament import register

    filterset = selectors.public_filter(data=_normalised(request.GET))
    chunks = register.export_chunks(
        selectors.public_register_records(filterset.qs), context=register.EXPORT_CONTEXT
    )
    response = StreamingHttpResponse(
        (chunk.encode() for chunk in chunks), content_type="application/json; charset=utf-8"
    )
    return _open_data(response, "json")


@require_safe
def switch_language(request):
    """Keeps a visitor's language in the cookie the whole site reads, then goes back.

    A logged-in user's profile is left as it is: only the site's own (POST) switch changes it.
    """
    language = request.GET.get("language")
    next_url = request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("public:list")
    response = redirect(next_url)
    if language in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE or "Lax",
        )
    add_never_cache_headers(response)
    return response
